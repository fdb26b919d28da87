"""Engine settings a cluster runs with: its parameter group and its alarm thresholds.

The memory model, the planner and the provisioning code all read these from here, so
that the estimate is made for the same eviction policy and encodings the cluster gets.

Glossary
    family            the parameter-group family: redis6.x, redis7, valkey7, valkey8.
    parameter_group   parameter name -> value (strings, as ElastiCache takes them). It
                      holds only parameters the family has, with values in their allowed
                      range (sizing/data/parameters.csv).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from sizing.capacity import TARGET_HEADROOM_PERCENT
from sizing.catalog import DATA, NodeType
from sizing.engines import EngineProfile
from sizing.parameters import EncodingLimits, EvictionPolicy
from sizing.workload import Cluster

POLICY_BY_USE_CASE: dict[str, EvictionPolicy] = {
    # A cache may lose any key; a session store only keys that expire anyway (soonest first);
    # a queue must never lose data; analytics keeps what is used often.
    "cache": "allkeys-lru",
    "session_store": "volatile-ttl",
    "queue": "noeviction",
    "analytics": "allkeys-lfu",
}
READ_HEAVY_CACHE_POLICY: EvictionPolicy = "allkeys-lfu"
"""A read-heavy cache keeps its hot keys better by frequency than by recency."""

DEFRAG_IGNORE_BYTES_RANGE = (10_485_760, 104_857_600)
"""active-defrag-ignore-bytes allowed range (ElastiCache parameter tables)."""
DEFRAG_CYCLE_MAX_BY_PATTERN = {"read_heavy": 25, "mixed": 40, "analytical": 50, "write_heavy": 60}
"""CPU share (%) defrag may take when fragmentation is high: more churn needs more."""
SMALL_NODE_VCPU = 2
"""On 2-vCPU nodes defrag competes with the engine thread, so its CPU ceiling is halved."""

ALARM_ENGINE_CPU_PERCENT = 80
"""The plan assumes at most 50% of a node's throughput at peak; 80% is 1.6x that peak
(below AWS's recommended 90%, so there is time to act)."""
HOST_CPU_ALARM_BELOW_VCPU = 4
"""Below 4 vCPUs the engine thread can saturate its core while host CPUUtilization still
looks low, so those nodes also get a CPUUtilization alarm at the engine threshold divided
by the vCPU count (ElastiCache monitoring best practices: "CPUs")."""
ALARM_REPLICATION_LAG_SECONDS = 1.0
ALARM_SWAP_BYTES = 50 * 1024 * 1024
"""AWS guidance: swap above 50 MB means the node is short of memory."""
EVICTION_TOLERANCE_SHARE = 0.01
"""Caches may evict up to 1% of their peak writes per minute before the alarm fires."""


def effective_policy(cluster: Cluster) -> EvictionPolicy:
    """The eviction policy the cluster runs: the stack file's, else one for its use case."""
    if cluster.parameters.maxmemory_policy is not None:
        return cluster.parameters.maxmemory_policy
    if cluster.use_case == "cache" and cluster.write_pattern == "read_heavy":
        return READ_HEAVY_CACHE_POLICY
    if cluster.use_case == "session_store" and not all(ks.ttl for ks in cluster.keyspaces):
        return "volatile-lru"  # volatile-ttl would ignore keys without a TTL and evict too soon
    return POLICY_BY_USE_CASE[cluster.use_case]


def encoding_limits(cluster: Cluster, profile: EngineProfile) -> EncodingLimits:
    """The version's defaults, the stack file's overrides, and the effective policy."""
    limits = profile.defaults.with_overrides(cluster.parameters)
    return limits.model_copy(update={"maxmemory_policy": effective_policy(cluster)})


def parameter_family(profile: EngineProfile) -> str:
    if profile.engine == "valkey":
        return "valkey7" if profile.version.startswith("7.") else "valkey8"
    return "redis6.x" if profile.version.startswith("6.") else "redis7"


class ParameterSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    allowed: str
    default: str
    modifiable: bool
    change: str


@lru_cache(maxsize=8)
def family_parameters(family: str) -> dict[str, ParameterSpec]:
    with (DATA / "parameters.csv").open() as handle:
        return {
            row["name"]: ParameterSpec(name=row["name"], allowed=row["allowed"], default=row["default"],
                                       modifiable=row["modifiable"] == "yes", change=row["change"])
            for row in csv.DictReader(handle)
            if row["family"] == family
        }


def allowed_range(spec: ParameterSpec) -> tuple[int, int] | None:
    """(low, high) for a numeric range like '1-75' or '10485760-104857600'."""
    match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", spec.allowed)
    return (int(match.group(1)), int(match.group(2))) if match else None


def parameter_group(
    cluster: Cluster, profile: EngineProfile, node: NodeType, reserved_percent: int, cluster_mode: bool
) -> dict[str, str]:
    """The parameter values the cluster's group sets (only those the family has).

    ``cluster-enabled`` is fixed once a group is in use but must be set in a custom group
    to match the replication group's cluster mode (it is what ``default.<family>.cluster.on``
    differs by), so it is always written.
    """
    family = family_parameters(parameter_family(profile))
    limits = encoding_limits(cluster, profile)
    pack = "ziplist" if profile.small_encoding == "ziplist" else "listpack"
    wanted: dict[str, str] = {
        "maxmemory-policy": limits.maxmemory_policy,
        "reserved-memory-percent": str(reserved_percent),
        "activedefrag": "yes",
        "active-defrag-ignore-bytes": str(_clamp(node.maxmemory_bytes // 100, *DEFRAG_IGNORE_BYTES_RANGE)),
        "active-defrag-threshold-lower": "10",
        "active-defrag-cycle-min": "5",
        "active-defrag-cycle-max": str(DEFRAG_CYCLE_MAX_BY_PATTERN[cluster.write_pattern]
                                       // (2 if node.vcpu <= SMALL_NODE_VCPU else 1)),
        "lazyfree-lazy-eviction": "yes",
        "lazyfree-lazy-expire": "yes",
        "lazyfree-lazy-server-del": "yes",
        "lazyfree-lazy-user-del": "yes",
    }
    overrides = cluster.parameters.model_dump(exclude_none=True)
    for field, value in overrides.items():
        if field in EncodingLimits.model_fields and field != "maxmemory_policy":
            wanted[field.replace("_", "-").replace("listpack", pack)] = str(value)
    if cluster.parameters.acl_pubsub_default is not None:
        wanted["acl-pubsub-default"] = cluster.parameters.acl_pubsub_default
    group = {"cluster-enabled": "yes" if cluster_mode else "no"}
    for name, value in wanted.items():
        spec = family.get(name)
        if spec is None or not spec.modifiable:
            continue  # the family does not have it (or ElastiCache fixes it)
        bounds = allowed_range(spec)
        if bounds is not None:
            value = str(_clamp(int(value), *bounds))
        group[name] = value
    return group


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


class AlarmThresholds(BaseModel):
    """CloudWatch alarm thresholds derived from the plan (AWS/ElastiCache metrics)."""

    model_config = ConfigDict(frozen=True)

    database_memory_usage_percent: float
    engine_cpu_percent: float
    host_cpu_percent: float | None = Field(
        description="CPUUtilization threshold on nodes with fewer than 4 vCPUs; None where EngineCPUUtilization suffices.")
    evictions_per_minute: int
    curr_connections: int
    replication_lag_seconds: float
    swap_usage_bytes: int


def alarm_thresholds(cluster: Cluster, node: NodeType) -> AlarmThresholds:
    """Thresholds at the limits the plan assumed, for the chosen node type."""
    traffic = cluster.traffic
    zero_tolerance = cluster.use_case in ("queue", "session_store")
    writes_per_minute = traffic.peak_ops_per_sec * (1 - traffic.read_ratio) * 60
    return AlarmThresholds(
        database_memory_usage_percent=100 - TARGET_HEADROOM_PERCENT,
        engine_cpu_percent=ALARM_ENGINE_CPU_PERCENT,
        host_cpu_percent=(round(ALARM_ENGINE_CPU_PERCENT / node.vcpu, 1)
                          if node.vcpu < HOST_CPU_ALARM_BELOW_VCPU else None),
        evictions_per_minute=0 if zero_tolerance else max(1, round(writes_per_minute * EVICTION_TOLERANCE_SHARE)),
        curr_connections=max(1, traffic.peak_connections),
        replication_lag_seconds=ALARM_REPLICATION_LAG_SECONDS,
        swap_usage_bytes=ALARM_SWAP_BYTES,
    )
