"""Engine profiles: what differs between the versions ElastiCache runs.

Each profile names the upstream release its numbers were read from and measured on.
Figures cite the file in that release; ``docs/memory-model.md`` has the derivations.

Glossary
    keyspace_layout   how a key and its value pointer are stored in the main table:
                      ``dict``       24-byte dictEntry + separate key SDS (Redis 6.2-7.x, Valkey 7.2);
                      ``embedded``   dictEntry with the key bytes inside it (Valkey 8.0);
                      ``hashtable``  64-byte buckets of 7 pointers to value objects that
                                     carry the key (Valkey 8.1).
    sds_rule          which SDS header a string of a given length gets (``sdsReqType``).
    cluster_layout    what cluster mode adds per key: a slot->key radix tree (6.2), 16 bytes
                      of entry metadata (7.0-7.2), or one table per slot (8.0+).
    string_embedding  when a string value shares the allocation of the object that holds its
                      key (``hashtable`` layout only): ``valkey81`` behind a full 16-byte robj
                      within 64 bytes; ``valkey91`` in place of the value pointer within 128.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sizing.errors import SizingError
from sizing.memory.allocator import DEBIAN_JEMALLOC, UPSTREAM_JEMALLOC, Allocator
from sizing.memory.limits import COMPILED_DEFAULTS, EncodingLimits


class EngineProfile(BaseModel):
    """Memory layout facts of one engine version and allocator build."""

    model_config = ConfigDict(frozen=True)

    engine: Literal["redis", "valkey"]
    version: str = Field(description="ElastiCache engine version, e.g. '8.1'.")
    modelled_on: str = Field(description="Upstream release whose source and measurements the profile follows.")
    measured_version: str = Field(description="major.minor of that release: the measurements (server memory, "
                                              "recorded accuracy) this version shares.")
    allocator: Allocator
    keyspace_layout: Literal["dict", "embedded", "hashtable"]
    sds_rule: Literal["redis", "valkey8"] = Field(
        description="'redis': header 1/3/5/9 bytes below 32/256/65536/2^32 bytes; "
        "'valkey8': the type must also hold header+length+1 (sdsReqType, Valkey 8 sds.c)."
    )
    small_encoding: Literal["ziplist", "listpack"]
    small_lists_as_listpack: bool = Field(description="Short lists are one listpack, not a quicklist (7.2+).")
    small_sets_as_listpack: bool = Field(description="Non-integer small sets use a listpack (7.2+).")
    set_dict_no_value: bool = Field(description="Set dicts store bare SDS pointers when alone in a bucket (7.2, 8.0).")
    dict_struct_bytes: int = Field(description="sizeof(dict): 96 with two dictht (6.2), 56 from 7.0.")
    quicklist_node_bytes: int = Field(description="sizeof(quicklistNode): 32 (6.2, unsigned sz) or 40 (7.0+).")
    cluster_layout: Literal["slot_rax", "entry_metadata", "slot_tables"]
    write_size_hints: bool = Field(
        description="HSET/SADD/ZADD with many elements pre-size the collection's table (7.2+)."
    )
    cron_resizes_keyspace: bool = Field(
        description="Cron also expands full keyspace tables, not only inserts (Valkey 8 kvstoreTryResizeDicts)."
    )
    shares_integers: bool = Field(description="Values 0..9999 may use the shared integer objects.")
    string_embedding: Literal["valkey81", "valkey91"] = Field(
        default="valkey81",
        description="'valkey81': a value joins its key's object when 16-byte robj + key (length+3) + "
        "expiry + sdshdr8 value fit 64 bytes (object.c 8.1); 'valkey91': the value takes the 8-byte value "
        "pointer's place, and 8-byte header + 1 + key SDS + expiry + sdshdr8 value (at least 8) fit 128 bytes "
        "(object.c 9.1 shouldEmbedStringObject).",
    )
    skiplist_embeds_member: bool = Field(
        default=False,
        description="A skiplist node holds its member's SDS (one allocation: 16 + 16 per level + 1 + SDS), and "
        "the skiplist struct is its header node (9.1 t_zset.c zslCreateNode, zslGetAllocSize).",
    )
    hashtable_struct_bytes: int = Field(
        default=72, description="sizeof(struct hashtable): 72 in 8.1-9.0, 80 with 9.1's safe-iterator list."
    )
    hash_table_metadata_bytes: int = Field(
        default=0, description="Metadata after a hash's struct hashtable: the volatile-field set pointer of "
        "hash field expiration (9.0+, server.c hashHashtableTypeMetadataSize).",
    )
    defaults: EncodingLimits = Field(description="Compiled defaults of the encoding parameters.")
    repl_backlog_bytes: int = Field(description="Default repl-backlog-size (config.c).")

    @property
    def label(self) -> str:
        return f"{'Redis OSS' if self.engine == 'redis' else 'Valkey'} {self.version}"

    def with_allocator(self, allocator: Allocator) -> EngineProfile:
        return self.model_copy(update={"allocator": allocator})


_REDIS_62 = EngineProfile(
    engine="redis", version="6.2", modelled_on="redis 6.2.16", measured_version="6.2",
    allocator=UPSTREAM_JEMALLOC, keyspace_layout="dict", sds_rule="redis",
    small_encoding="ziplist", small_lists_as_listpack=False, small_sets_as_listpack=False,
    set_dict_no_value=False, dict_struct_bytes=96, quicklist_node_bytes=32,
    cluster_layout="slot_rax", write_size_hints=False, cron_resizes_keyspace=False,
    shares_integers=True, defaults=COMPILED_DEFAULTS,
    repl_backlog_bytes=1024 * 1024,
)
_REDIS_70 = _REDIS_62.model_copy(update={
    "version": "7.0", "modelled_on": "redis 7.0.15", "measured_version": "7.0", "small_encoding": "listpack",
    "dict_struct_bytes": 56, "quicklist_node_bytes": 40, "cluster_layout": "entry_metadata",
})
# ElastiCache's Redis OSS 7.1 is its own build on the 7.0 code line (no upstream 7.1
# release exists); its memory layout is assumed to be 7.0's.
_REDIS_71 = _REDIS_70.model_copy(update={"version": "7.1", "modelled_on": "redis 7.0.15 (assumed for ElastiCache 7.1)"})
_VALKEY_72 = _REDIS_70.model_copy(update={
    "engine": "valkey", "version": "7.2", "modelled_on": "valkey 7.2.x", "measured_version": "7.2",
    "small_lists_as_listpack": True, "small_sets_as_listpack": True, "set_dict_no_value": True,
    "write_size_hints": True,
})
_VALKEY_80 = _VALKEY_72.model_copy(update={
    "version": "8.0", "modelled_on": "valkey 8.0.x", "measured_version": "8.0", "keyspace_layout": "embedded", "sds_rule": "valkey8",
    "cluster_layout": "slot_tables", "repl_backlog_bytes": 10 * 1024 * 1024, "cron_resizes_keyspace": True,
})
_VALKEY_81 = _VALKEY_80.model_copy(update={
    "version": "8.1", "modelled_on": "valkey 8.1.x", "measured_version": "8.1", "keyspace_layout": "hashtable", "set_dict_no_value": False,
    "shares_integers": False,
})

# 8.2: a minor release of the 8.1 line; none of the layout changes below is in it
# (README, "Engine versions": each assumption with its source).
_VALKEY_82 = _VALKEY_81.model_copy(update={
    "version": "8.2", "modelled_on": "valkey 8.1.1 (assumed for 8.2)", "measured_version": "8.1",
})
# 9.0: 8.1's layout plus the hash table metadata of hash field expiration (#2089); its
# struct hashtable is still 72 bytes (the safe-iterator list, #2807, came after 9.0.0).
_VALKEY_90 = _VALKEY_82.model_copy(update={
    "version": "9.0", "modelled_on": "valkey 8.1.1 + 9.1.2 hash metadata (assumed for 9.0)",
    "hash_table_metadata_bytes": 8,
})
_VALKEY_91 = _VALKEY_90.model_copy(update={
    "version": "9.1", "modelled_on": "valkey 9.1.x", "measured_version": "9.1", "string_embedding": "valkey91",
    "skiplist_embeds_member": True, "hashtable_struct_bytes": 80,
})

PROFILES: dict[tuple[str, str], EngineProfile] = {
    (p.engine, p.version): p for p in (_REDIS_62, _REDIS_70, _REDIS_71, _VALKEY_72, _VALKEY_80, _VALKEY_81, _VALKEY_82, _VALKEY_90, _VALKEY_91)
}

ALLOCATORS: dict[str, Allocator] = {"upstream": UPSTREAM_JEMALLOC, "debian": DEBIAN_JEMALLOC}
"""Allocator builds by name; ElastiCache does not publish its build, so 'upstream' is the default."""


def engine_profile(engine: str, version: str, allocator: str = "upstream") -> EngineProfile:
    """The profile for an engine version, optionally with another allocator build."""
    try:
        profile = PROFILES[(engine, version)]
    except KeyError:
        raise SizingError(f"no memory profile for {engine} {version}") from None
    return profile.with_allocator(ALLOCATORS[allocator])
