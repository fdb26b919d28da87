"""The collector policy the commands and the mocked program run with (sizing/collector.py)."""

from __future__ import annotations

import gc

from sizing.collector import OLDER_COLLECTIONS, YOUNG_COLLECTION_OBJECTS, collected_rarely


def test_the_thresholds_are_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with collected_rarely():
        assert gc.get_threshold() == (YOUNG_COLLECTION_OBJECTS, *OLDER_COLLECTIONS)
    assert gc.get_threshold() == before


def test_the_thresholds_are_restored_when_the_block_fails() -> None:
    before = gc.get_threshold()
    try:
        with collected_rarely():
            raise KeyError("a failed run")
    except KeyError:
        pass
    assert gc.get_threshold() == before


def test_the_preview_runs_the_program_with_them(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sizing_infra import preview

    seen: list[tuple[int, ...]] = []
    real = preview.run_program

    def recording(program):  # type: ignore[no-untyped-def]
        seen.append(gc.get_threshold())
        return real(program)

    monkeypatch.setattr(preview, "run_program", recording)
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's defaults: a test run before may have raised them for the process
    try:
        preview.run_preview([], preview.DeploymentOptions())
        assert seen == [(YOUNG_COLLECTION_OBJECTS, *OLDER_COLLECTIONS)]
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
