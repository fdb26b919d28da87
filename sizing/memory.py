"""The memory model: how much ``used_memory`` a cluster's data adds to one node.

``estimate_cluster`` returns, per keyspace, the bytes that loading it into a freshly
started node of the cluster's engine version adds, once rehashing has finished. It is
arithmetic on the definition (never a loop over keys), so 500 million keys cost what a
thousand do.

Glossary
    key_bytes_total     per key: the main-table entry and key string (or the object that
                        embeds the key, Valkey 8.1), the value object, and its structure.
    table_bytes         the main keyspace table's bucket array(s), shared by all keyspaces
                        of the cluster and apportioned by key count.
    expires_bytes       the expires table's entries and buckets, apportioned by TTL keys.
    cluster_bytes       what cluster mode adds per key (slot radix tree, entry metadata or
                        per-slot tables).
    dataset_bytes       the sum over keyspaces: growth of ``used_memory`` after the load.
    restored_bytes      the same data loaded from a snapshot or moved by resharding.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sizing.encodings import digit_range, sds8_bytes, sds_bytes, sds_header_bytes
from sizing.engines import EngineProfile, engine_profile
from sizing.parameters import EncodingLimits
from sizing.tables import (
    DICT_POINTER_BYTES,
    dict_buckets,
    expected_per_slot,
    hashtable_bytes,
)
from sizing.values import DICT_ENTRY_BYTES, HASHTABLE_STRUCT_BYTES, Arrival, value_structure
from sizing.workload import Cluster, Keyspace, StringKeyspace, Workload

OBJECT_HEADER_BYTES = 16
"""``robj``: type/encoding/lru bitfields, refcount, pointer (server.h)."""
EMBSTR_LIMIT_BYTES = 44
"""``OBJ_ENCODING_EMBSTR_SIZE_LIMIT`` (object.c): longer strings get a separate SDS."""
SHARED_INTEGERS = 10_000
"""``OBJ_SHARED_INTEGERS`` (server.h): values 0..9999 can point at shared objects."""
CLUSTER_ENTRY_METADATA_BYTES = 16
"""``clusterDictEntryMetadata`` (Redis 7.0-7.2, Valkey 7.2 cluster.h): per-slot list links."""
KVSTORE_DICT_BYTES = 56 + 16
"""Valkey 8.0 per-slot dict: ``struct dict`` + kvstore metadata (dict.h, kvstore.c)."""
KVSTORE_HASHTABLE_BYTES = HASHTABLE_STRUCT_BYTES + 16
"""Valkey 8.1 per-slot hashtable: ``struct hashtable`` + kvstore metadata."""
EMBEDDED_ENTRY_BYTES = 8 + 8 + 1
"""Valkey 8.0 ``dictEntryEmbedded``: value, next, key header size (dict.c); then the key SDS."""
EXPIRE_FIELD_BYTES = 8
"""Valkey 8.1 objects carry the expiry time inside the object (object.c)."""
OBJECT_EMBED_LIMIT_BYTES = 64
"""Valkey 8.1 embeds a short value with the key when the object fits 64 bytes (object.c)."""
SLOT_RAX_BYTES_PER_KEY = 41.0
"""Redis 6.2 cluster mode: slot->key radix tree per key. Depends on key naming; measured
+43.4 B/key at 100k and +40.1 at 1M keys of 12 bytes (reference/redis-memory-internals.md §3.1).
An approximation: 6.2 cluster-mode estimates carry this uncertainty."""


class KeyspaceMemory(BaseModel):
    """Predicted memory of one keyspace."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: str
    encoding: str = Field(description="What OBJECT ENCODING reports for its keys.")
    keys: int
    bytes: int = Field(description="used_memory growth for data written by commands.")
    restored_bytes: int = Field(description="The same after a snapshot restore or resharding.")

    @property
    def bytes_per_key(self) -> float:
        return self.bytes / self.keys


class ClusterMemory(BaseModel):
    """Predicted memory of one cluster's data on a single node."""

    model_config = ConfigDict(frozen=True)

    name: str
    engine: str
    engine_version: str
    cluster_mode: bool
    allocator: str
    dataset_bytes: int
    restored_dataset_bytes: int
    keyspaces: tuple[KeyspaceMemory, ...]


def estimate_workload(workload: Workload, allocator: str = "upstream") -> list[ClusterMemory]:
    """Estimate every cluster of a workload."""
    return [estimate_cluster(cluster, allocator) for cluster in workload.clusters]


def estimate_cluster(cluster: Cluster, allocator: str = "upstream") -> ClusterMemory:
    """Estimate one cluster's data as loaded into one node of its engine version."""
    profile = engine_profile(cluster.engine, cluster.version, allocator)
    limits = profile.defaults.with_overrides(cluster.parameters)
    by_arrival = {
        arrival: _keyspace_bytes(cluster, profile, limits, arrival) for arrival in ("commands", "restored")
    }
    keyspaces = tuple(
        KeyspaceMemory(
            name=ks.name,
            type=ks.type,
            encoding=by_arrival["commands"][i][0],
            keys=ks.keys,
            bytes=round(by_arrival["commands"][i][1]),
            restored_bytes=round(by_arrival["restored"][i][1]),
        )
        for i, ks in enumerate(cluster.keyspaces)
    )
    return ClusterMemory(
        name=cluster.name,
        engine=cluster.engine,
        engine_version=cluster.version,
        cluster_mode=cluster.cluster_mode_enabled,
        allocator=profile.allocator.name,
        dataset_bytes=sum(k.bytes for k in keyspaces),
        restored_dataset_bytes=sum(k.restored_bytes for k in keyspaces),
        keyspaces=keyspaces,
    )


def _keyspace_bytes(
    cluster: Cluster, profile: EngineProfile, limits: EncodingLimits, arrival: Arrival
) -> list[tuple[str, float]]:
    """(encoding, bytes) per keyspace, shared tables apportioned by key count."""
    clustered = cluster.cluster_mode_enabled
    total_keys = sum(ks.keys for ks in cluster.keyspaces)
    ttl_keys = sum(ks.keys for ks in cluster.keyspaces if ks.ttl)
    main_table = _table_bytes(profile, total_keys, clustered, arrival)
    expires_table = _table_bytes(profile, ttl_keys, clustered, arrival)
    result = []
    for ks in cluster.keyspaces:
        encoding, structure = value_structure(ks, profile, limits, arrival)
        per_key = _key_and_object_bytes(ks, profile, limits, clustered, arrival, structure)
        if isinstance(ks, StringKeyspace):
            encoding = _string_encoding(ks, profile, limits)
        if ks.ttl and profile.keyspace_layout != "hashtable":
            per_key += profile.allocator.class_bytes(DICT_ENTRY_BYTES)  # expires dictEntry
        total = ks.keys * per_key + main_table * ks.keys / total_keys
        if ks.ttl:
            total += expires_table * ks.keys / ttl_keys
        result.append((encoding, total))
    return result


def _table_bytes(profile: EngineProfile, keys: int, clustered: bool, arrival: Arrival) -> float:
    """Bucket arrays of the main (or expires) table for ``keys`` keys."""
    if keys == 0:
        return 0.0
    alloc = profile.allocator.class_bytes
    presized = arrival == "restored"
    cron = profile.cron_resizes_keyspace
    if profile.keyspace_layout == "hashtable":
        if clustered:
            return expected_per_slot(keys, lambda n: alloc(KVSTORE_HASHTABLE_BYTES) + hashtable_bytes(n, presized, cron))
        return hashtable_bytes(keys, presized, cron)
    if clustered and profile.cluster_layout == "slot_tables":
        return expected_per_slot(keys, lambda n: alloc(KVSTORE_DICT_BYTES) + DICT_POINTER_BYTES * dict_buckets(n, cron))
    return float(DICT_POINTER_BYTES * dict_buckets(keys, cron))


def _key_and_object_bytes(
    ks: Keyspace, profile: EngineProfile, limits: EncodingLimits, clustered: bool, arrival: Arrival, structure: float
) -> float:
    """Per key: table entry, key string, value object and its structure."""
    alloc = profile.allocator.class_bytes
    k = ks.key_bytes
    if profile.keyspace_layout == "hashtable":
        return _valkey81_object_bytes(ks, profile, limits) + structure
    value = _value_object_bytes(ks, profile, limits) + structure
    if profile.keyspace_layout == "embedded":
        # Commands pass the argument's SDS, which is at least sdshdr8 (embstr or
        # sdsnewlen); a snapshot load builds the key with sdsReqType (dict.c, db.c).
        header = sds_header_bytes(k, "valkey8")
        if arrival == "commands":
            header = max(3, header)
        return alloc(EMBEDDED_ENTRY_BYTES + header + k + 1) + value
    entry = DICT_ENTRY_BYTES + (CLUSTER_ENTRY_METADATA_BYTES if clustered and profile.cluster_layout == "entry_metadata" else 0)
    per_key = alloc(entry) + alloc(sds_bytes(k, profile.sds_rule)) + value
    if clustered and profile.cluster_layout == "slot_rax":
        per_key += SLOT_RAX_BYTES_PER_KEY
    return per_key


def _is_integer(ks: StringKeyspace) -> bool:
    return ks.numeric


def _shared_integer(ks: StringKeyspace, profile: EngineProfile, limits: EncodingLimits) -> bool:
    return (
        ks.numeric
        and digit_range(ks.value_bytes)[1] < SHARED_INTEGERS
        and profile.shares_integers
        and limits.shares_integers
    )


def _string_encoding(ks: StringKeyspace, profile: EngineProfile, limits: EncodingLimits) -> str:
    if ks.numeric:
        return "int"
    if ks.value_bytes > EMBSTR_LIMIT_BYTES:
        return "raw"
    if profile.keyspace_layout == "hashtable" and not _embeds_value(ks):
        return "raw"
    return "embstr"


def _value_object_bytes(ks: Keyspace, profile: EngineProfile, limits: EncodingLimits) -> float:
    """The value robj (and string bytes) up to Valkey 8.0."""
    alloc = profile.allocator.class_bytes
    if not isinstance(ks, StringKeyspace):
        return alloc(OBJECT_HEADER_BYTES)
    if ks.numeric:
        return 0 if _shared_integer(ks, profile, limits) else alloc(OBJECT_HEADER_BYTES)
    if ks.value_bytes <= EMBSTR_LIMIT_BYTES:
        return alloc(OBJECT_HEADER_BYTES + sds8_bytes(ks.value_bytes))
    return alloc(OBJECT_HEADER_BYTES) + alloc(sds_bytes(ks.value_bytes, profile.sds_rule))


def _embeds_value(ks: StringKeyspace) -> bool:
    """Valkey 8.1: an embstr-sized value shares the key's allocation if all fits 64 bytes."""
    return (
        not ks.numeric
        and ks.value_bytes <= EMBSTR_LIMIT_BYTES
        and OBJECT_HEADER_BYTES + (ks.key_bytes + 3) + (EXPIRE_FIELD_BYTES if ks.ttl else 0) + (ks.value_bytes + 4)
        <= OBJECT_EMBED_LIMIT_BYTES
    )


def _valkey81_object_bytes(ks: Keyspace, profile: EngineProfile, limits: EncodingLimits) -> float:
    """Valkey 8.1: one object holds header, optional expiry, key and maybe the value."""
    alloc = profile.allocator.class_bytes
    size = OBJECT_HEADER_BYTES + (EXPIRE_FIELD_BYTES if ks.ttl else 0) + 1 + sds_bytes(ks.key_bytes, "valkey8")
    if isinstance(ks, StringKeyspace) and not ks.numeric:
        if _embeds_value(ks):
            return alloc(size + sds8_bytes(ks.value_bytes))
        return alloc(size) + alloc(sds_bytes(ks.value_bytes, "valkey8"))
    return alloc(size)
