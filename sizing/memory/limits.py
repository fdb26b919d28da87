"""The encoding thresholds in force on a cluster, and each version's compiled defaults.

The memory model takes these as input: which limits a cluster runs with (the stack's
overrides, the eviction policy its use case gets) is the planner's decision
(``sizing.planning.parameter_group.encoding_limits``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from sizing.spec.parameters import EngineParameters, EvictionPolicy

ELASTICACHE_DEFAULT_POLICY: EvictionPolicy = "volatile-lru"
"""Default ``maxmemory-policy`` of every ElastiCache parameter-group family
(ElastiCache ParameterGroups.Engine docs; reference/elasticache/parameters.csv)."""


class EncodingLimits(BaseModel):
    """Resolved thresholds in force for one cluster (defaults merged with overrides)."""

    model_config = ConfigDict(frozen=True)

    hash_max_listpack_entries: int
    hash_max_listpack_value: int
    zset_max_listpack_entries: int
    zset_max_listpack_value: int
    set_max_intset_entries: int
    set_max_listpack_entries: int
    set_max_listpack_value: int
    list_max_listpack_size: int
    maxmemory_policy: EvictionPolicy

    def with_overrides(self, overrides: EngineParameters) -> EncodingLimits:
        """These limits with every parameter the stack file sets replaced."""
        values = overrides.model_dump(exclude_none=True)
        return self.model_copy(update={k: v for k, v in values.items() if k in EncodingLimits.model_fields})

    @property
    def shares_integers(self) -> bool:
        """Whether values 0..9999 may point at the shared integer objects.

        Not under an LRU or LFU policy with ``maxmemory`` set, which ElastiCache always
        sets (``MAXMEMORY_FLAG_NO_SHARED_INTEGERS`` in ``server.h``).
        """
        return not ("lru" in self.maxmemory_policy or "lfu" in self.maxmemory_policy)


COMPILED_DEFAULTS = EncodingLimits(
    # config.c of Redis 6.2/7.0 and Valkey 7.2/8.0/8.1 (identical for these settings):
    # hash 512/64, zset 128/64, intset 512, set listpack 128/64 (7.2+), lists -2 (8 KiB).
    hash_max_listpack_entries=512,
    hash_max_listpack_value=64,
    zset_max_listpack_entries=128,
    zset_max_listpack_value=64,
    set_max_intset_entries=512,
    set_max_listpack_entries=128,
    set_max_listpack_value=64,
    list_max_listpack_size=-2,
    maxmemory_policy=ELASTICACHE_DEFAULT_POLICY,
)
