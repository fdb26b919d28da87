"""Engine parameters a stack file may set (``parameters:``), as the user writes them.

Names are the parameter-group names (hyphenated, listpack spelling; Redis 6.2 calls the
same settings ``*-ziplist-*``). Unset fields take the engine version's compiled default
(``sizing.memory.limits``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from sizing.spec.base import SpecModel

EvictionPolicy = Literal[
    "volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu",
    "volatile-random", "allkeys-random", "volatile-ttl", "noeviction",
]

class EngineParameters(SpecModel):
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
        default=None, ge=0, lt=100, alias="reserved-memory-percent",
        description="Share of maxmemory ElastiCache keeps free for forks and buffers (default by node size); "
                    "below 100, or no memory is left for data.",
    )
    acl_pubsub_default: Literal["allchannels", "resetchannels"] | None = Field(
        default=None, alias="acl-pubsub-default",
        description="Pub/Sub channel permission of new ACL users (no memory effect); existing users keep theirs "
                    "until they are updated or the cluster is rebooted.",
    )
