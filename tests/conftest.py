"""Shared test helpers: workload builders and the real-server fixture."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from sizing import Cluster, parse_workload

ROOT = Path(__file__).resolve().parent.parent


def cluster(*keyspaces: dict[str, Any], **overrides: Any) -> Cluster:
    """A one-cluster workload built from keyspace dicts, e.g. ``cluster({"type": "string", ...})``."""
    import yaml

    spec: dict[str, Any] = {"name": "c", "keyspaces": [{"name": f"k{i}", **ks} for i, ks in enumerate(keyspaces)]}
    spec.update(overrides)
    return parse_workload(yaml.safe_dump({"clusters": [spec]}), "<test>").clusters[0]


def strings(keys: int = 100_000, key_bytes: int = 12, value_bytes: int = 10, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "keys": keys, "key_bytes": key_bytes, "value_bytes": value_bytes, **extra}


@pytest.fixture(scope="session")
def debian_redis_server() -> str:
    """Path of the redis-server binary on PATH (Debian's 7.0 in CI); skipped where absent."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("SIZING_REQUIRE_SERVER"):
            pytest.fail("redis-server is not on PATH but SIZING_REQUIRE_SERVER is set")
        pytest.skip("redis-server is not installed (.ci/run installs Debian's)")
    return binary


# Parallel runs (pytest-xdist, ``-n`` in pyproject.toml): tests are handed out one at a time to
# whichever worker is free, except that each module below goes to one worker whole, since its
# tests share an expensive session- or module-scoped fixture that would otherwise be set up once
# per worker. Grouping by module, not by xdist_group marks: pytest 9.2 ignores the node id
# suffix through which pytest-xdist 3.8 groups marked tests.
SHARED_FIXTURE_MODULES = (
    "tests/test_provider.py",  # workspace/schema/verdicts: terraform init, one validate and plan of every stack
    "tests/test_profile.py",  # standalone: the mixed data set loaded into a server once
)
FIRST = (
    "tests/test_types.py",  # one test: mypy over the project and pulumi_aws, ~90 s with a cold cache
    "tests/test_provider.py",  # one unit (above): ~40 s
    "tests/test_profile.py",  # one unit (above): ~25 s
    "tests/test_program.py",  # Pulumi programs under mocks: tests of up to ~20 s
    "tests/test_accuracy_live.py",  # a server per case: up to ~20 s each
)
"""Modules handed out first, in this order: the longest units of work first, so that the many
short tests left at the end fill the workers up to the same time instead of one worker still
running a long test alone. The rest keep their collection order."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::")[0]
        return FIRST.index(module) if module in FIRST else len(FIRST)

    items.sort(key=rank)  # stable; the same order on every worker, as xdist requires


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist load`` (what ``-n`` implies), with SHARED_FIXTURE_MODULES kept whole."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in SHARED_FIXTURE_MODULES else nodeid

    config.option.loadscopereorder = False  # hand out units in collection order (FIRST first)
    return Scheduling(config, log)
