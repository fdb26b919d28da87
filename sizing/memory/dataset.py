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

import math

from pydantic import BaseModel, ConfigDict, Field

from sizing.memory.encodings import digit_range, sds8_bytes, sds_bytes, sds_header_bytes
from sizing.memory.engines import EngineProfile, engine_profile
from sizing.memory.limits import EncodingLimits
from sizing.memory.tables import CLUSTER_SLOTS, DICT_POINTER_BYTES, dict_buckets, expected_per_slot, hashtable_bytes
from sizing.memory.values import DICT_ENTRY_BYTES, HASHTABLE_STRUCT_BYTES, Arrival, value_structure
from sizing.spec.workload import Cluster, Keyspace, StringKeyspace

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
RAX_NODE_HEADER_BYTES = 4
"""``raxNode`` header: iskey/isnull/iscompr bits and a 29-bit size (rax.h, Redis 6.2)."""


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


def estimate_cluster(cluster: Cluster, limits: EncodingLimits, allocator: str = "upstream") -> ClusterMemory:
    """Estimate one cluster's data as loaded into one node of its engine version, with the
    encoding ``limits`` (and eviction policy) the node runs."""
    written = DatasetModel(cluster, limits, allocator, "commands")
    restored = DatasetModel(cluster, limits, allocator, "restored")
    keyspaces = tuple(
        KeyspaceMemory(
            name=ks.name,
            type=ks.type,
            encoding=encoding,
            keys=ks.keys,
            bytes=round(written_bytes),
            restored_bytes=round(restored_bytes),
        )
        for ks, encoding, written_bytes, restored_bytes in zip(
            cluster.keyspaces, written.encodings, written.keyspace_bytes(), restored.keyspace_bytes()
        )
    )
    return ClusterMemory(
        name=cluster.name,
        engine=cluster.engine,
        engine_version=cluster.version,
        cluster_mode=cluster.cluster_mode_enabled,
        allocator=written.profile.allocator.name,
        dataset_bytes=sum(k.bytes for k in keyspaces),
        restored_dataset_bytes=sum(k.restored_bytes for k in keyspaces),
        keyspaces=keyspaces,
    )


class DatasetModel:
    """A cluster's per-key costs, evaluated for any share of its keys.

    Per-key costs (entry, key, object, value structure) do not depend on how many keys a
    node holds; the main and expires tables do. ``shard_bytes(shards, key_scale)`` is the
    dataset on one of ``shards`` equal shards when every key count is multiplied by
    ``key_scale`` (growth), in constant time: the planner calls it for every candidate.
    """

    def __init__(self, cluster: Cluster, limits: EncodingLimits, allocator: str = "upstream",
                 arrival: Arrival = "commands") -> None:
        self.profile = engine_profile(cluster.engine, cluster.version, allocator)
        self.limits = profile_limits = limits
        self.arrival = arrival
        self.clustered = cluster.cluster_mode_enabled
        self.keys = [ks.keys for ks in cluster.keyspaces]
        self.ttl = [ks.ttl for ks in cluster.keyspaces]
        self.key_bytes = [ks.key_bytes for ks in cluster.keyspaces]
        self.encodings: list[str] = []
        self.per_key: list[float] = []
        self.value_per_key: list[float] = []
        """The part of ``per_key`` data tiering can move to SSD: the value, not the key or its entry."""
        for ks in cluster.keyspaces:
            encoding, structure = value_structure(ks, self.profile, profile_limits, arrival)
            per_key = _key_and_object_bytes(ks, self.profile, profile_limits, self.clustered, arrival, structure)
            self.value_per_key.append(min(per_key, value_object_bytes(ks, self.profile, profile_limits) + structure))
            if ks.ttl and self.profile.keyspace_layout != "hashtable":
                per_key += self.profile.allocator.class_bytes(DICT_ENTRY_BYTES)  # expires dictEntry
            self.encodings.append(
                _string_encoding(ks, self.profile, profile_limits) if isinstance(ks, StringKeyspace) else encoding
            )
            self.per_key.append(per_key)
        self._slot_tables: dict[tuple[int, bool], float] = {}
        self._shards: dict[tuple[int, float], float] = {}  # the planner asks for the same counts per node type

    def keyspace_bytes(self, shards: int = 1, key_scale: float = 1.0) -> list[float]:
        """Bytes per keyspace on one shard, shared tables apportioned by key count."""
        keys = [k * key_scale for k in self.keys]
        total_keys = sum(keys)
        ttl_keys = sum(k for k, ttl in zip(keys, self.ttl) if ttl)
        main_table = self._table_bytes(total_keys, shards)
        expires_table = self._table_bytes(ttl_keys, shards)
        result = []
        for count, per_key, ttl, key_bytes in zip(keys, self.per_key, self.ttl, self.key_bytes):
            if self.clustered and self.profile.cluster_layout == "slot_rax":
                per_key += slot_rax_bytes_per_key(self.profile, key_bytes, total_keys)
            total = count / shards * per_key + main_table * count / total_keys
            if ttl:
                total += expires_table * count / ttl_keys
            result.append(total)
        return result

    def shard_bytes(self, shards: int = 1, key_scale: float = 1.0) -> float:
        """Dataset bytes on one of ``shards`` shards (keys spread evenly over slots)."""
        cache_key = (shards, key_scale)
        if cache_key not in self._shards:
            self._shards[cache_key] = sum(self.keyspace_bytes(shards, key_scale))
        return self._shards[cache_key]

    def tiered_shard_bytes(self, shards: int, key_scale: float, hot_fraction: float) -> tuple[float, float]:
        """(memory, SSD) bytes on one shard of a data-tiering node.

        ElastiCache keeps every key in memory and moves the values of the least recently
        used items to SSD, so memory holds the keys, the tables and the hot values. With every
        key hot (or on any other node) it is all memory.
        """
        if hot_fraction >= 1:
            return self.shard_bytes(shards, key_scale), 0.0
        cold_values = (1 - hot_fraction) * sum(
            count * key_scale / shards * value for count, value in zip(self.keys, self.value_per_key))
        return self.shard_bytes(shards, key_scale) - cold_values, cold_values

    def _table_bytes(self, cluster_keys: float, shards: int) -> float:
        """Bucket arrays of the main (or expires) table of one shard."""
        if cluster_keys == 0:
            return 0.0
        profile = self.profile
        alloc = profile.allocator.class_bytes
        presized = self.arrival == "restored"
        cron = profile.cron_resizes_keyspace
        if self.clustered and profile.cluster_layout == "slot_tables":
            # Keys per slot do not depend on the shard count: each shard owns 1/shards of the slots.
            cache_key = (round(cluster_keys), presized)
            if cache_key not in self._slot_tables:
                if profile.keyspace_layout == "hashtable":
                    per_slot = lambda n: alloc(KVSTORE_HASHTABLE_BYTES) + hashtable_bytes(n, presized, cron)
                else:
                    per_slot = lambda n: alloc(KVSTORE_DICT_BYTES) + DICT_POINTER_BYTES * dict_buckets(n, cron)
                self._slot_tables[cache_key] = expected_per_slot(round(cluster_keys), per_slot)
            return self._slot_tables[cache_key] / shards
        keys = math.ceil(cluster_keys / shards)
        if profile.keyspace_layout == "hashtable":
            return hashtable_bytes(keys, presized, cron)
        return float(DICT_POINTER_BYTES * dict_buckets(keys, cron))


def per_key_bytes(keyspace: Keyspace, profile: EngineProfile, limits: EncodingLimits) -> float:
    """One key's table entry, name, object and value, standalone, written by commands."""
    structure = value_structure(keyspace, profile, limits, "commands")[1]
    return _key_and_object_bytes(keyspace, profile, limits, False, "commands", structure)


def _key_and_object_bytes(
    ks: Keyspace, profile: EngineProfile, limits: EncodingLimits, clustered: bool, arrival: Arrival, structure: float
) -> float:
    """Per key: table entry, key string, value object and its structure."""
    alloc = profile.allocator.class_bytes
    k = ks.key_bytes
    if profile.keyspace_layout == "hashtable":
        return _valkey81_object_bytes(ks, profile, limits) + structure
    value = value_object_bytes(ks, profile, limits) + structure
    if profile.keyspace_layout == "embedded":
        # Commands pass the argument's SDS, which is at least sdshdr8 (embstr or
        # sdsnewlen); a snapshot load builds the key with sdsReqType (dict.c, db.c).
        header = sds_header_bytes(k, "valkey8")
        if arrival == "commands":
            header = max(3, header)
        return alloc(EMBEDDED_ENTRY_BYTES + header + k + 1) + value
    entry = DICT_ENTRY_BYTES + (CLUSTER_ENTRY_METADATA_BYTES if clustered and profile.cluster_layout == "entry_metadata" else 0)
    per_key = alloc(entry) + alloc(sds_bytes(k, profile.sds_rule)) + value
    return per_key


def slot_rax_bytes_per_key(profile: EngineProfile, key_bytes: int, cluster_keys: float) -> float:
    """Redis 6.2 cluster mode: the slot->key radix tree (``slots_to_keys``), per key.

    For keys without shared prefixes (random ids): below each slot's 2-byte prefix a
    branch node fans out on the key's first byte (one child pointer per key in the slot),
    then a compressed node holds the rest of the key and points to an empty leaf.
    Shared prefixes ("user:...") compress better, so this errs on the high side.
    Measured on 6.2.16: 45.0 B/key (12-byte keys), 55.2 (20) and 63.6 (32).
    """
    alloc = profile.allocator.class_bytes
    keys_per_slot = max(1.0, cluster_keys / CLUSTER_SLOTS)
    compressed = alloc(int(_align8(RAX_NODE_HEADER_BYTES + key_bytes - 1)) + 8)
    leaf = alloc(RAX_NODE_HEADER_BYTES)
    branch = profile.allocator.mean_class_bytes(_align8(RAX_NODE_HEADER_BYTES + keys_per_slot) + 8 * keys_per_slot)
    return compressed + leaf + branch / keys_per_slot


def _align8(n: float) -> float:
    return math.ceil(n / 8) * 8


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


def value_object_bytes(ks: Keyspace, profile: EngineProfile, limits: EncodingLimits) -> float:
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
