"""A fleet planned on several processes (``sizing.cli.workers``) prints what one process prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from benchmarks.plan_speed import fleet
from sizing.cli import workers
from sizing.cli.workers import PARALLEL_FROM_CLUSTERS, available_cpus, planner
from tests.conftest import ROOT

FLEET_CLUSTERS = 40
"""Enough to be planned on workers, with clusters that no node type carries (c28 and c31)."""


@pytest.fixture(scope="module")
def fleet_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fleet planned on workers, some of its clusters unplannable."""
    assert FLEET_CLUSTERS >= PARALLEL_FROM_CLUSTERS
    path = tmp_path_factory.mktemp("fleet") / "fleet.yaml"
    definition = fleet(FLEET_CLUSTERS).model_dump(mode="json", by_alias=True, exclude_none=True)
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


def _sizing(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sizing", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)


@pytest.mark.parametrize("fmt", [["--json"], []])
def test_a_fleet_on_workers_prints_what_one_process_prints(fleet_file: Path, fmt: list[str]) -> None:
    alone = _sizing("plan", str(fleet_file), *fmt, "--workers", "1")
    shared = _sizing("plan", str(fleet_file), *fmt, "--workers", "2")
    assert alone.returncode == shared.returncode == 2  # the fleet has clusters no node type carries
    assert alone.stderr.count("error: ") > 0
    assert (shared.stdout, shared.stderr) == (alone.stdout, alone.stderr)


def test_workers_are_a_positive_count(fleet_file: Path) -> None:
    result = _sizing("plan", str(fleet_file), "--workers", "0")
    assert result.returncode == 2 and "--workers" in result.stderr and not result.stdout


def test_a_stack_of_a_few_clusters_is_planned_in_the_process() -> None:
    with planner(PARALLEL_FROM_CLUSTERS - 1, 4) as mapper:
        assert mapper is map
    with planner(PARALLEL_FROM_CLUSTERS, 1) as mapper:
        assert mapper is map
    with planner(PARALLEL_FROM_CLUSTERS, 2) as mapper:
        assert mapper is not map
        assert list(mapper(abs, [-3, 2, -1])) == [3, 2, 1]  # in the items' order


def test_the_default_counts_the_cpus_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3}, raising=False)
    assert available_cpus() == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert workers.default_workers() == workers.MAX_WORKERS
