"""The parameter group a cluster runs with, and the encoding limits the estimate uses.

The planner decides both here, so the memory model estimates for the same eviction policy
and encodings the deployed cluster gets.

Glossary
    family            the parameter-group family: redis6.x, redis7, valkey7, valkey8, valkey9.
    parameter_group   parameter name -> value (strings, as ElastiCache takes them). It
                      holds only parameters the family has, with values in their allowed
                      range (sizing/catalog/data/parameters.csv).
"""

from __future__ import annotations

from sizing.catalog.nodes import NodeType
from sizing.catalog.parameters import ParameterSpec, allowed_range, family_parameters
from sizing.errors import SizingError
from sizing.memory.engines import EngineProfile
from sizing.memory.limits import EncodingLimits
from sizing.spec.parameters import EngineParameters, EvictionPolicy
from sizing.spec.workload import Cluster

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


FAMILIES: dict[tuple[str, str], str] = {
    ("redis", "6"): "redis6.x", ("redis", "7"): "redis7",
    ("valkey", "7"): "valkey7", ("valkey", "8"): "valkey8", ("valkey", "9"): "valkey9",
}
"""Parameter-group family by engine and major version: valkey8 serves Valkey 8.0 to 8.2 and
valkey9 serves 9.0 and 9.1; a valkey9 group is incompatible with 8.x and Redis OSS
(ElastiCache "Engine-specific parameters", sizing/catalog/data/SOURCES.md)."""


def parameter_family(profile: EngineProfile) -> str:
    try:
        return FAMILIES[(profile.engine, profile.version.split(".")[0])]
    except KeyError:
        raise SizingError(f"no parameter-group family for {profile.label}") from None


def deployed_name(field: str, profile: EngineProfile) -> str:
    """The parameter-group name of an ``EngineParameters`` field on this engine version
    (Redis 6.2 spells listpack settings ``ziplist``)."""
    alias = EngineParameters.model_fields[field].alias or field
    if field in EncodingLimits.model_fields and field != "maxmemory_policy":
        return alias.replace("listpack", "ziplist" if profile.small_encoding == "ziplist" else "listpack")
    return alias


def deployable_parameters(profile: EngineProfile) -> frozenset[str]:
    """The stack-file parameters (as written) that this version's parameter group really sets:
    the family has them and ElastiCache lets a custom group change them (parameters.csv)."""
    family = family_parameters(parameter_family(profile))
    return frozenset(
        info.alias or field for field, info in EngineParameters.model_fields.items()
        if (spec := family.get(deployed_name(field, profile))) is not None and spec.modifiable)


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
            wanted[deployed_name(field, profile)] = str(value)
    if cluster.parameters.acl_pubsub_default is not None:
        wanted["acl-pubsub-default"] = cluster.parameters.acl_pubsub_default
    # The estimate was made with every override: one the group cannot carry would make the
    # plan promise memory the deployed cluster does not have. The loader refuses these with
    # the line; this catches definitions built in code.
    for field in overrides:
        if field not in ("maxmemory_policy", "reserved_memory_percent") and not _settable(
                family.get(deployed_name(field, profile))):
            raise SizingError(f"{cluster.name}: {deployed_name(field, profile)} cannot be set in a "
                              f"{parameter_family(profile)} parameter group, so the cluster would not run with it")
    group = {"cluster-enabled": "yes" if cluster_mode else "no"}
    for name, value in wanted.items():
        spec = family.get(name)
        if spec is None or not _settable(spec):
            continue  # the tool's own tuning the family does not have (or ElastiCache fixes)
        bounds = allowed_range(spec)
        if bounds is not None:
            value = str(_clamp(int(value), *bounds))
        group[name] = value
    return group


def _settable(spec: ParameterSpec | None) -> bool:
    return spec is not None and spec.modifiable


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


