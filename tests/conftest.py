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
