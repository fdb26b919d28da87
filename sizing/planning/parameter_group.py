"""The parameter group a cluster runs with, and the encoding limits the estimate uses.

The planner decides both here, so the memory model estimates for the same eviction policy
and encodings the deployed cluster gets.

Glossary
    family            the parameter-group family: redis6.x, redis7, valkey7, valkey8.
    parameter_group   parameter name -> value (strings, as ElastiCache takes them). It
                      holds only parameters the family has, with values in their allowed
                      range (sizing/catalog/data/parameters.csv).
"""

from __future__ import annotations

from sizing.catalog.nodes import NodeType
from sizing.catalog.parameters import allowed_range, family_parameters
from sizing.memory.engines import EngineProfile
from sizing.memory.limits import EncodingLimits
from sizing.spec.parameters import EvictionPolicy
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


def parameter_family(profile: EngineProfile) -> str:
    if profile.engine == "valkey":
        return "valkey7" if profile.version.startswith("7.") else "valkey8"
    return "redis6.x" if profile.version.startswith("6.") else "redis7"


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


