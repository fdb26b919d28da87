"""Engine parameters that change how data is stored, with each version's defaults.

Names are the parameter-group names (hyphenated, listpack spelling; Redis 6.2 calls the
same settings ``*-ziplist-*``). Unset fields take the engine version's compiled default.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EvictionPolicy = Literal[
    "volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu",
    "volatile-random", "allkeys-random", "volatile-ttl", "noeviction",
]

ELASTICACHE_DEFAULT_POLICY: EvictionPolicy = "volatile-lru"
"""Default ``maxmemory-policy`` of every ElastiCache parameter-group family
(ElastiCache ParameterGroups.Engine docs; reference/elasticache/parameters.csv)."""


class EngineParameters(BaseModel):
    """Overrides from the stack file; ``None`` means the version's default."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=True)

    hash_max_listpack_entries: int | None = Field(default=None, ge=0, alias="hash-max-listpack-entries")
    hash_max_listpack_value: int | None = Field(default=None, ge=0, alias="hash-max-listpack-value")
    zset_max_listpack_entries: int | None = Field(default=None, ge=0, alias="zset-max-listpack-entries")
    zset_max_listpack_value: int | None = Field(default=None, ge=0, alias="zset-max-listpack-value")
    set_max_intset_entries: int | None = Field(default=None, ge=0, alias="set-max-intset-entries")
    set_max_listpack_entries: int | None = Field(default=None, ge=0, alias="set-max-listpack-entries")
    set_max_listpack_value: int | None = Field(default=None, ge=0, alias="set-max-listpack-value")
    list_max_listpack_size: int | None = Field(
        default=None, ge=-5, le=65_535, alias="list-max-listpack-size",
        description="Positive: elements per quicklist node; -1..-5: node size limit 4..64 KiB.",
    )
    maxmemory_policy: EvictionPolicy | None = Field(default=None, alias="maxmemory-policy")
    reserved_memory_percent: int | None = Field(
        default=None, ge=0, le=100, alias="reserved-memory-percent",
        description="Share of maxmemory ElastiCache keeps free for forks and buffers (default 25).",
    )
    acl_pubsub_default: Literal["allchannels", "resetchannels"] | None = Field(
        default=None, alias="acl-pubsub-default",
        description="Pub/Sub channel permission of new ACL users (no memory effect); existing users keep theirs "
                    "until they are updated or the cluster is rebooted.",
    )


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
