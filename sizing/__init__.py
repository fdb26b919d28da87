"""Size Redis OSS and Valkey clusters on AWS ElastiCache from a description of the data.

The engine is pure Python: it reads a workload definition and returns values. It never
imports Pulumi; the Pulumi program and the CLI call it.

The public names below are imported on first use (PEP 562), so a command loads only the
modules it runs: ``import sizing.cli`` must not cost the whole engine's import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sizing.catalog.nodes import Catalog, NodeType, load_catalog
    from sizing.errors import ServerError, SizingError, WorkloadSpecError
    from sizing.memory.allocator import DEBIAN_JEMALLOC, UPSTREAM_JEMALLOC, Allocator
    from sizing.memory.dataset import ClusterMemory, KeyspaceMemory
    from sizing.memory.engines import PROFILES, EngineProfile, engine_profile
    from sizing.memory.limits import EncodingLimits
    from sizing.planning.estimate import estimate_cluster, estimate_workload
    from sizing.spec.parameters import EngineParameters
    from sizing.spec.workload import (
        SUPPORTED_VERSIONS,
        Availability,
        Cluster,
        Growth,
        HashKeyspace,
        Keyspace,
        ListKeyspace,
        NodeConstraints,
        SetKeyspace,
        StringKeyspace,
        Traffic,
        Workload,
        ZsetKeyspace,
        workload_json_schema,
    )
    from sizing.workloads import load_workload, parse_workload

_EXPORTS: dict[str, str] = {
    "Allocator": "sizing.memory.allocator",
    "Availability": "sizing.spec.workload",
    "Catalog": "sizing.catalog.nodes",
    "Cluster": "sizing.spec.workload",
    "ClusterMemory": "sizing.memory.dataset",
    "DEBIAN_JEMALLOC": "sizing.memory.allocator",
    "EncodingLimits": "sizing.memory.limits",
    "EngineParameters": "sizing.spec.parameters",
    "EngineProfile": "sizing.memory.engines",
    "Growth": "sizing.spec.workload",
    "HashKeyspace": "sizing.spec.workload",
    "Keyspace": "sizing.spec.workload",
    "KeyspaceMemory": "sizing.memory.dataset",
    "ListKeyspace": "sizing.spec.workload",
    "NodeConstraints": "sizing.spec.workload",
    "NodeType": "sizing.catalog.nodes",
    "PROFILES": "sizing.memory.engines",
    "SUPPORTED_VERSIONS": "sizing.spec.workload",
    "ServerError": "sizing.errors",
    "SetKeyspace": "sizing.spec.workload",
    "SizingError": "sizing.errors",
    "StringKeyspace": "sizing.spec.workload",
    "Traffic": "sizing.spec.workload",
    "UPSTREAM_JEMALLOC": "sizing.memory.allocator",
    "Workload": "sizing.spec.workload",
    "WorkloadSpecError": "sizing.errors",
    "ZsetKeyspace": "sizing.spec.workload",
    "engine_profile": "sizing.memory.engines",
    "estimate_cluster": "sizing.planning.estimate",
    "estimate_workload": "sizing.planning.estimate",
    "load_catalog": "sizing.catalog.nodes",
    "load_workload": "sizing.workloads",
    "parse_workload": "sizing.workloads",
    "workload_json_schema": "sizing.spec.workload",
}
"""Public name -> the module that defines it."""

__all__ = [
    "DEBIAN_JEMALLOC",
    "PROFILES",
    "SUPPORTED_VERSIONS",
    "UPSTREAM_JEMALLOC",
    "Allocator",
    "Availability",
    "Catalog",
    "Cluster",
    "ClusterMemory",
    "EncodingLimits",
    "EngineParameters",
    "EngineProfile",
    "Growth",
    "HashKeyspace",
    "Keyspace",
    "KeyspaceMemory",
    "ListKeyspace",
    "NodeConstraints",
    "NodeType",
    "ServerError",
    "SetKeyspace",
    "SizingError",
    "StringKeyspace",
    "Traffic",
    "Workload",
    "WorkloadSpecError",
    "ZsetKeyspace",
    "engine_profile",
    "estimate_cluster",
    "estimate_workload",
    "load_catalog",
    "load_workload",
    "parse_workload",
    "workload_json_schema",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sizing' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
