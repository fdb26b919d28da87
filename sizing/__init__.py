"""Size Redis OSS and Valkey clusters on AWS ElastiCache from a description of the data.

The engine is pure Python: it reads a workload definition and returns values. It never
imports Pulumi; the Pulumi program and the CLI call it.
"""

from sizing.allocator import DEBIAN_JEMALLOC, UPSTREAM_JEMALLOC, Allocator
from sizing.engines import PROFILES, EngineProfile, engine_profile
from sizing.errors import ServerError, SizingError, WorkloadSpecError
from sizing.loader import load_workload, parse_workload
from sizing.memory import ClusterMemory, KeyspaceMemory, estimate_cluster, estimate_workload
from sizing.parameters import EncodingLimits, EngineParameters
from sizing.workload import (
    SUPPORTED_VERSIONS,
    Cluster,
    HashKeyspace,
    Keyspace,
    ListKeyspace,
    SetKeyspace,
    StringKeyspace,
    Workload,
    ZsetKeyspace,
    workload_json_schema,
)

__all__ = [
    "DEBIAN_JEMALLOC",
    "PROFILES",
    "SUPPORTED_VERSIONS",
    "UPSTREAM_JEMALLOC",
    "Allocator",
    "Cluster",
    "ClusterMemory",
    "EncodingLimits",
    "EngineParameters",
    "EngineProfile",
    "HashKeyspace",
    "Keyspace",
    "KeyspaceMemory",
    "ListKeyspace",
    "ServerError",
    "SetKeyspace",
    "SizingError",
    "StringKeyspace",
    "Workload",
    "WorkloadSpecError",
    "ZsetKeyspace",
    "engine_profile",
    "estimate_cluster",
    "estimate_workload",
    "load_workload",
    "parse_workload",
    "workload_json_schema",
]
