"""The recorded runs of the plan targets (benchmarks/measurements/speed/plan-targets*.json) hold
what ``benchmarks/scaling.py`` computed from its runs.

Not timed: this re-derives each point's least and median from the runs recorded with it, so an
edited number shows. To refresh (the before run measures another checkout):
    python benchmarks/scaling.py --clusters 1000 --keyspaces 100 --runs 5 \
        --out benchmarks/measurements/speed/plan-targets.json
    SCALING_CHECKOUT=DIR python benchmarks/scaling.py --clusters 1000 --keyspaces 100 --runs 5 \
        --out benchmarks/measurements/speed/plan-targets-before.json
"""

from __future__ import annotations

import json
import statistics

import pytest

from tests.conftest import ROOT

SPEED = ROOT / "benchmarks" / "measurements" / "speed"
TARGETS = sorted(SPEED.glob("plan-targets*.json"))


@pytest.mark.parametrize("path", TARGETS, ids=[p.stem for p in TARGETS])
def test_each_target_point_is_the_least_and_the_median_of_its_runs(path) -> None:  # type: ignore[no-untyped-def]
    recorded = json.loads(path.read_text())
    assert set(recorded["points"]) == {"clusters", "keyspaces"}
    for series, points in recorded["points"].items():
        assert [point["size"] for point in points] == [1000 if series == "clusters" else 100]
        for point in points:
            runs = point["runs"]
            assert len(runs) == 5
            fastest = min(runs, key=lambda run: run["plan_seconds"])
            assert {name: point[name] for name in fastest} == fastest
            for name in fastest:
                assert point[f"median_{name}"] == statistics.median(run[name] for run in runs)
                assert all(run["plan_seconds"] == pytest.approx(run["seconds"] - run["floor_seconds"]) for run in runs)


def test_both_sides_were_recorded() -> None:  # plan-wall.json: the same fleets on workers
    assert [p.name for p in TARGETS] == ["plan-targets-before.json", "plan-targets.json"]


def test_the_wall_time_on_workers_was_recorded_beside_one_core() -> None:
    # benchmarks/scaling.py --clusters 1000 --keyspaces 100 --runs 5 --workers 2 --out .../plan-wall.json
    on_workers = json.loads((SPEED / "plan-wall.json").read_text())
    one_core = json.loads((SPEED / "plan-targets.json").read_text())
    assert on_workers["workers"] > 1 and one_core["workers"] == 1
    assert on_workers["machine_loop_seconds"] > 0 and one_core["machine_loop_seconds"] > 0
    for points in on_workers["points"].values():
        for point in points:
            assert len(point["runs"]) == 5
            fastest = min(point["runs"], key=lambda run: run["plan_seconds"])
            assert {name: point[name] for name in fastest} == fastest


def test_instruction_counts_are_recorded_before_and_after() -> None:
    # python benchmarks/instructions.py --out .../instructions.json (INSTRUCTIONS_CHECKOUT=DIR for the before)
    sides = [json.loads((SPEED / f"instructions{suffix}.json").read_text()) for suffix in ("-before", "")]
    for recorded in sides:
        assert [case["case"] for case in recorded["cases"]] == ["fleet", "keyspaces"]
        for case in recorded["cases"]:
            assert case["planning_instructions"] == case["instructions"] - case["floor_instructions"] > 0
