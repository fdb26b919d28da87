"""Size Redis OSS and Valkey clusters on AWS ElastiCache from a description of the data.

The engine is pure Python: it reads a workload definition and returns values. It never
imports Pulumi; the Pulumi program and the CLI call it.
"""

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
