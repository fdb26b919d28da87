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
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from sizing.memory.allocator import Allocator
from sizing.memory.distribution import LENGTH_BREAKS, Alloc, Distribution, distribution, quantile
from sizing.memory.encodings import digit_range, sds8_bytes, sds_bytes, sds_header_bytes
from sizing.memory.engines import EngineProfile, engine_profile
from sizing.memory.items import items
from sizing.memory.limits import EncodingLimits
from sizing.memory.memo import Memo, forgotten_on_clear, shape_key
from sizing.memory.placement import FULLEST_SHARD_QUANTILE, fullest_shard_bytes
from sizing.memory.slot_rax import key_survival, slot_rax_bytes_per_key
from sizing.memory.tables import DICT_POINTER_BYTES, CountCosts, dict_buckets, expected_per_slot, hashtable_bytes
from sizing.memory.values import DICT_ENTRY_BYTES, JOINT_POINTS, Arrival, value_structure
from sizing.spec.workload import (
    Cluster,
    HashKeyspace,
    Keyspace,
    ListKeyspace,
    SetKeyspace,
    StringKeyspace,
    ZsetKeyspace,
)

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
KVSTORE_METADATA_BYTES = 16
"""Valkey 8.1+ per-slot hashtable: ``kvstoreHashtableMetadata`` after ``struct hashtable`` (kvstore.c)."""
EMBEDDED_ENTRY_BYTES = 8 + 8 + 1
"""Valkey 8.0 ``dictEntryEmbedded``: value, next, key header size (dict.c); then the key SDS."""
EXPIRE_FIELD_BYTES = 8
"""Valkey 8.1 objects carry the expiry time inside the object (object.c)."""
OBJECT_EMBED_LIMIT_BYTES = {"valkey81": 64, "valkey91": 128}
"""A short value joins the key's object when the whole object fits: 64 bytes in Valkey 8.1
(object.c ``createStringObjectWithKeyAndExpire``), 128 in 9.1 (``shouldEmbedStringObject``)."""
POINTER_BYTES = 8
"""``robj->val_ptr``: Valkey 9.1 writes an embedded value over it, so such an object's header
is 8 bytes, and the value takes at least 8 so it can be moved out later (object.c 9.1)."""


class KeyspaceMemory(BaseModel):
    """Predicted memory of one keyspace."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: str
    encoding: str = Field(description="What OBJECT ENCODING reports for most of its keys.")
    encodings: dict[str, float] = Field(description="Each encoding its keys have, with its share of them.")
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
            encodings=shares,
            keys=ks.keys,
            bytes=round(written_bytes),
            restored_bytes=round(restored_bytes),
        )
        for ks, encoding, shares, written_bytes, restored_bytes in zip(
            cluster.keyspaces, written.encodings, written.encoding_shares, written.keyspace_bytes(),
            restored.keyspace_bytes()
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


class _Scaled(NamedTuple):
    """A model's keys at one key scale (growth), with each keyspace's cost per key and its
    largest key, the slot radix tree's share included."""

    keys: list[float]
    total_keys: float
    ttl_keys: float
    per_key: list[float]
    largest_key: list[float]


class DatasetModel:
    """A cluster's per-key costs, evaluated for any share of its keys.

    Per-key costs (entry, key, object, value structure) do not depend on how many keys a
    node holds; the main and expires tables do. ``shard_bytes(shards, key_scale)`` is the
    dataset on one of ``shards`` equal shards when every key count is multiplied by
    ``key_scale`` (growth), in constant time: the planner calls it for every candidate.
    """

    _keyspaces: tuple[Keyspace, ...]
    _costs: list[_KeyspaceCosts]
    _terms: dict[tuple[int, float], list[float]]
    key_survival: tuple[float, ...]

    def __init__(self, cluster: Cluster, limits: EncodingLimits, allocator: str = "upstream",
                 arrival: Arrival = "commands", like: DatasetModel | None = None) -> None:
        """``like``: a model of the same engine build, mode, limits and arrival (``shared_model``
        finds one), whose figures are taken for each keyspace that is the same object here: a
        recommendation's variant changes one keyspace of a hundred, and looking up the other
        ninety-nine was most of building its model."""
        self.profile = engine_profile(cluster.engine, cluster.version, allocator)
        self.limits = limits
        self.arrival = arrival
        self.clustered = cluster.cluster_mode_enabled
        keyspaces = self._keyspaces = tuple(cluster.keyspaces)
        self.keys = [ks.keys for ks in keyspaces]
        self.ttl = [ks.ttl_share for ks in keyspaces]
        """Share of each keyspace's keys that carry an expiry."""
        context = (shape_key(self.profile), shape_key(limits), self.clustered, arrival)

        def priced(ks: Keyspace) -> _KeyspaceCosts:
            # A cluster's variants (recommendations) keep most keyspaces: each is priced once.
            return _KEYSPACE_MEMO.get((shape_key(ks, _PRICED_FIELDS[type(ks)]), *context),
                                      partial(_keyspace_costs, ks, self.profile, limits, self.clustered, arrival))

        if like is not None and len(like._keyspaces) != len(keyspaces):
            like = None
        if like is not None:
            changed = [index for index, (ks, was) in enumerate(zip(keyspaces, like._keyspaces)) if ks is not was]
            costs = list(like._costs)
            for index in changed:
                costs[index] = priced(keyspaces[index])
            same_names = all(keyspaces[index].keys == like._keyspaces[index].keys
                             and keyspaces[index].key_bytes == like._keyspaces[index].key_bytes for index in changed)
        else:
            changed, costs, same_names = [], [priced(ks) for ks in keyspaces], False
        self._costs = costs
        if like is not None and same_names:
            self.key_survival = like.key_survival
        else:
            names = tuple((ks.keys, ks.key_bytes if isinstance(ks.key_bytes, int) else shape_key(ks.key_bytes))
                          for ks in keyspaces)
            self.key_survival = _SURVIVAL_MEMO.get(names, lambda: key_survival(
                [(ks.keys, distribution(ks.key_bytes)) for ks in keyspaces]))
        """Share of the cluster's key names longer than x: the slot radix tree's shared prefixes."""
        self.encoding_shares: list[dict[str, float]] = [dict(c.encoding_shares) for c in costs]
        self.encodings: list[str] = [c.encoding for c in costs]
        self.per_key: list[float] = [c.per_key for c in costs]
        self.largest_key: list[float] = [c.largest_key for c in costs]
        """Bytes of each keyspace's largest key: the most elements, or the longest value."""
        self.value_per_key: list[float] = [c.value_per_key for c in costs]
        """The part of ``per_key`` data tiering can move to SSD: the value, not the key or its entry."""
        self.key_bytes: list[float] = [c.key_bytes for c in costs]
        """Each keyspace's mean key length."""
        self._shards: dict[tuple[int, float], float] = {}  # the planner asks for the same counts per node type
        self._terms: dict[tuple[int, float], list[float]] = {}
        """``keyspace_bytes`` by (shards, key scale), as priced so far."""
        self._rax: dict[float, list[float]] = {}
        self._scaled: dict[float, _Scaled] = {}
        # Where the keys, their expiries and their names are the like's, so are the tables and
        # the radix tree, and a kept keyspace's bytes at a shard count are the like's bytes there.
        same_tables = like is not None and same_names and self.keys == like.keys and self.ttl == like.ttl
        self._like_terms = like._terms if like is not None and same_tables else None
        self._changed = changed

    def keyspace_bytes(self, shards: int = 1, key_scale: float = 1.0) -> list[float]:
        """Bytes per keyspace on one shard, shared tables apportioned by key count."""
        return list(self._terms_at(shards, key_scale))

    def _terms_at(self, shards: int, key_scale: float) -> list[float]:
        """``keyspace_bytes``, priced once per (shards, key scale) and not to be changed."""
        terms = self._terms.get((shards, key_scale))
        if terms is None:
            terms = self._terms[shards, key_scale] = self._keyspace_terms(shards, key_scale)
        return terms

    def _keyspace_terms(self, shards: int, key_scale: float) -> list[float]:
        scaled = self._scaled.get(key_scale) or self._scale(key_scale)
        total_keys, ttl_keys = scaled.total_keys, scaled.ttl_keys
        main_table = self._table_bytes(total_keys, shards)
        expires_table = self._table_bytes(ttl_keys, shards)

        def term(count: float, per_key: float, largest: float, ttl: float) -> float:
            # Whole keys: the fullest shard's share, its largest key among them (memory/placement.py).
            total = fullest_shard_bytes(count, shards, per_key, largest) + main_table * count / total_keys
            if ttl:
                total += expires_table * count * ttl / ttl_keys
            return total

        kept = self._like_terms.get((shards, key_scale)) if self._like_terms is not None else None
        if kept is None:
            return list(map(term, scaled.keys, scaled.per_key, scaled.largest_key, self.ttl))
        result = list(kept)
        for index in self._changed:
            result[index] = term(scaled.keys[index], scaled.per_key[index], scaled.largest_key[index], self.ttl[index])
        return result

    def _scale(self, key_scale: float) -> _Scaled:
        """What ``keyspace_bytes`` reads at one key scale, whatever the shard count."""
        keys = [k * key_scale for k in self.keys]
        total_keys = sum(keys)
        per_key, largest = self.per_key, self.largest_key
        rax_per_key = self._rax_per_key(key_scale, total_keys)
        if rax_per_key is not None:
            per_key = [cost + rax for cost, rax in zip(per_key, rax_per_key)]
            largest = [cost + rax for cost, rax in zip(largest, rax_per_key)]
        scaled = self._scaled[key_scale] = _Scaled(keys, total_keys, sum(k * ttl for k, ttl in zip(keys, self.ttl)),
                                                   per_key, largest)
        return scaled

    def _rax_per_key(self, key_scale: float, total_keys: float) -> list[float] | None:
        """Each keyspace's share of the slot radix tree per key (None without one): the same
        for every shard count."""
        if not (self.clustered and self.profile.cluster_layout == "slot_rax"):
            return None
        if key_scale not in self._rax:
            self._rax[key_scale] = [slot_rax_bytes_per_key(self.profile.allocator, key_bytes, self.key_survival,
                                                           total_keys) for key_bytes in self.key_bytes]
        return self._rax[key_scale]

    def spread_bytes(self, key_scale: float = 1.0) -> float:
        """The keys' own bytes (entries, objects, values, radix tree) with no table and no
        unevenness: ``shard_bytes(n, key_scale) * n`` is never below it, so it bounds from
        below the shards a node type needs before any is priced."""
        keys = [k * key_scale for k in self.keys]
        rax_per_key = self._rax_per_key(key_scale, sum(keys))
        rax = rax_per_key if rax_per_key is not None else [0.0] * len(keys)
        return sum(count * (per_key + extra) for count, per_key, extra in zip(keys, self.per_key, rax))

    def shard_bytes(self, shards: int = 1, key_scale: float = 1.0) -> float:
        """Dataset bytes on one of ``shards`` shards (keys spread evenly over slots)."""
        cache_key = (shards, key_scale)
        if cache_key not in self._shards:
            self._shards[cache_key] = sum(self._terms_at(shards, key_scale))
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
            profile_key = shape_key(profile)
            costs = _SLOT_TABLE_COSTS.get((profile_key, presized))
            if costs is None:
                if profile.keyspace_layout == "hashtable":
                    per_slot = lambda n: (alloc(profile.hashtable_struct_bytes + KVSTORE_METADATA_BYTES)
                                           + hashtable_bytes(n, presized, cron))
                else:
                    per_slot = lambda n: alloc(KVSTORE_DICT_BYTES) + DICT_POINTER_BYTES * dict_buckets(n, cron)
                costs = _SLOT_TABLE_COSTS[(profile_key, presized)] = CountCosts(per_slot)
            # A cluster's variants (recommendations) and a fleet's clusters repeat key counts.
            return _SLOT_TABLES_MEMO.get((profile_key, round(cluster_keys), presized),
                                         lambda: expected_per_slot(round(cluster_keys), costs.__getitem__)) / shards
        keys = math.ceil(cluster_keys / shards)
        if profile.keyspace_layout == "hashtable":
            return hashtable_bytes(keys, presized, cron)
        return float(DICT_POINTER_BYTES * dict_buckets(keys, cron))


SHARED_MODELS = 32
"""Models ``shared_model`` keeps: a cluster's plan, its recommendations and their re-plans ask
for a few models several times each; a fleet's next cluster starts afresh."""


class _RecentModels:
    """The last ``SHARED_MODELS`` models asked for, by their inputs. Keyspaces count by identity
    (a workload's models are frozen): each model holds the keyspaces it was built from, so
    their ids are not reused while its entry lives."""

    def __init__(self) -> None:
        self._models: OrderedDict[tuple[Hashable, tuple[int, ...]], DatasetModel] = OrderedDict()

    def get(self, context: Hashable, keyspaces: tuple[Keyspace, ...],
            build: Callable[[DatasetModel | None], DatasetModel]) -> DatasetModel:
        """The model for ``context`` (all it reads but the keyspaces) and ``keyspaces``;
        ``build(like)`` makes a missing one, ``like`` being the latest model of the same
        context and as many keyspaces (or None), for the keyspaces the two share."""
        key = (context, tuple(map(id, keyspaces)))
        model = self._models.get(key)
        if model is not None:
            self._models.move_to_end(key)
            return model
        like = next((other for (other_context, ids), other in reversed(self._models.items())
                     if other_context == context and len(ids) == len(keyspaces)), None)
        model = self._models[key] = build(like)
        if len(self._models) > SHARED_MODELS:
            self._models.popitem(last=False)
        return model

    def cache_clear(self) -> None:
        self._models.clear()


_RECENT_MODELS = forgotten_on_clear(_RecentModels())


def shared_model(cluster: Cluster, limits: EncodingLimits, allocator: str = "upstream",
                 arrival: Arrival = "commands") -> DatasetModel:
    """``DatasetModel(cluster, limits, allocator, arrival)``, the same object for the same
    inputs while it is among the last ``SHARED_MODELS`` asked for, with the shard counts it
    has priced: a model reads the engine version, the mode, the limits and the keyspaces. A
    cluster's modes and the variants behind its recommendations keep the keyspace objects
    they do not change, and a new model takes the figures of those from the latest alike."""
    context = (cluster.engine, cluster.version, cluster.cluster_mode_enabled, allocator, arrival, shape_key(limits))
    return _RECENT_MODELS.get(context, tuple(cluster.keyspaces),
                              lambda like: DatasetModel(cluster, limits, allocator, arrival, like=like))


_SLOT_TABLES_MEMO: Memo[float] = Memo()
"""Per-slot tables of a cluster node by (engine profile, cluster keys, pre-sized)."""
_SLOT_TABLE_COSTS: dict[tuple[Hashable, bool], CountCosts] = forgotten_on_clear({})
"""One slot's table bytes by its key count, per (engine profile, pre-sized)."""
_SURVIVAL_MEMO: Memo[tuple[float, ...]] = Memo()
"""``key_survival`` by each keyspace's key count and name lengths."""


@dataclass(frozen=True)
class _KeyspaceCosts:
    """One keyspace's per-key figures in a ``DatasetModel``."""

    encoding_shares: dict[str, float]
    encoding: str
    per_key: float
    largest_key: float
    value_per_key: float
    key_bytes: float


_KEYSPACE_MEMO: Memo[_KeyspaceCosts] = Memo()
_PRICED_FIELDS = {kind: frozenset(kind.model_fields) - {"name"}
                  for kind in (StringKeyspace, HashKeyspace, ListKeyspace, SetKeyspace, ZsetKeyspace)}
"""A keyspace's fields but its name: what ``_keyspace_costs`` depends on (the key count sets
its largest key)."""


def _keyspace_costs(ks: Keyspace, profile: EngineProfile, limits: EncodingLimits, clustered: bool,
                    arrival: Arrival) -> _KeyspaceCosts:
    written = keyspace_arrival(ks, arrival)
    shares, structure = value_structure(ks, profile, limits, written)
    objects = _object_costs(ks, profile, limits, clustered, arrival)
    per_key = objects.object_bytes + structure
    value_per_key = min(per_key, objects.movable_bytes + structure)
    ttl = ks.ttl_share
    if ttl and profile.keyspace_layout != "hashtable":
        per_key += ttl * profile.allocator.class_bytes(DICT_ENTRY_BYTES)  # expires dictEntry
    if objects.string_encodings is not None:
        shares = dict(objects.string_encodings)
    return _KeyspaceCosts(shares, max(shares, key=lambda name: shares[name]), per_key,
                          max(per_key, _largest_key_bytes(ks, profile, limits, clustered, written)), value_per_key,
                          distribution(ks.key_bytes).mean())


@dataclass(frozen=True)
class _ObjectCosts:
    """What a key costs besides its value structure, the same for every key count."""

    object_bytes: float
    """Table entry, key string and value object (with a string's bytes)."""
    movable_bytes: float
    """The part of those data tiering can move to SSD."""
    string_encodings: dict[str, float] | None
    """A string keyspace's shares of int, embstr and raw (None for collections)."""


_OBJECT_MEMO: Memo[_ObjectCosts] = Memo()
_SHAPE_FIELDS = {kind: frozenset(kind.model_fields) - {"name", "keys", "keys_low"}
                 for kind in (StringKeyspace, HashKeyspace, ListKeyspace, SetKeyspace, ZsetKeyspace)}
"""A keyspace's fields but its name and key count: what its per-key costs depend on."""


def keyspace_arrival(ks: Keyspace, arrival: Arrival) -> Arrival:
    """How a keyspace's collections arrive: restored with the rest, else as its
    ``written`` says (strings have one way)."""
    if arrival == "restored" or getattr(ks, "written", "in_batches") == "in_batches":
        return arrival
    return "one_by_one"


def _object_costs(ks: Keyspace, profile: EngineProfile, limits: EncodingLimits, clustered: bool,
                  arrival: Arrival) -> _ObjectCosts:
    """``_ObjectCosts`` of a keyspace's shape, built once per shape: only the embedded
    layout's key header depends on how the keys arrived."""
    if profile.keyspace_layout != "embedded":
        arrival = "commands"
    shape = (shape_key(ks, _SHAPE_FIELDS[type(ks)]), shape_key(profile), shape_key(limits), clustered, arrival)

    def build() -> _ObjectCosts:
        strings = _string_encodings(ks, profile) if isinstance(ks, StringKeyspace) else None
        return _ObjectCosts(_key_and_object_bytes(ks, profile, limits, clustered, arrival, 0.0),
                            _movable_value_bytes(ks, profile, limits), strings)

    return _OBJECT_MEMO.get(shape, build)


def largest_key_variant(ks: Keyspace) -> Keyspace | None:
    """The keyspace's largest key, as large as the biggest of its keys gets in 9 keyspaces
    out of 10: a string's longest value, a collection's most elements (of the usual
    lengths), with an expiry if any key has one. None when every key is alike."""
    at = FULLEST_SHARD_QUANTILE ** (1 / ks.keys)  # P(all keys below it) = the quantile
    changes: dict[str, object] = {}
    if isinstance(ks, StringKeyspace):
        if not isinstance(ks.value_bytes, int):
            changes = {"value_bytes": quantile(ks.value_bytes, at), "numeric": False}
    else:
        count_field = {"hash": "fields", "list": "elements"}.get(ks.type, "members")
        count = getattr(ks, count_field)
        if not isinstance(count, int):
            changes = {count_field: quantile(count, at)}
    if not changes:
        return None
    if ks.ttl_share > 0:
        changes["ttl"] = True
    # Not validated again: the new values are the keyspace's own quantiles and flags.
    return ks.model_copy(update=changes)


_LARGEST_MEMO: Memo[tuple[Keyspace, Keyspace | None]] = Memo()
"""Each keyspace's largest key, by the keyspace's identity (the entry holds it, so its id is
not reused): its written and restored models price the same variant, dumped once."""


def _largest_key_bytes(ks: Keyspace, profile: EngineProfile, limits: EncodingLimits, clustered: bool,
                       arrival: Arrival) -> float:
    """What ``largest_key_variant`` takes; 0 when every key is alike."""
    largest = _LARGEST_MEMO.get(id(ks), lambda: (ks, largest_key_variant(ks)))[1]
    if largest is None:
        return 0.0
    structure = value_structure(largest, profile, limits, arrival)[1]
    per_key = _key_and_object_bytes(largest, profile, limits, clustered, arrival, structure)
    if ks.ttl_share > 0 and profile.keyspace_layout != "hashtable":
        per_key += profile.allocator.class_bytes(DICT_ENTRY_BYTES)
    return per_key


def per_key_bytes(keyspace: Keyspace, profile: EngineProfile, limits: EncodingLimits) -> float:
    """One key's table entry, name, object and value, standalone, written by commands."""
    structure = value_structure(keyspace, profile, limits, keyspace_arrival(keyspace, "commands"))[1]
    return _key_and_object_bytes(keyspace, profile, limits, False, "commands", structure)


def _key_and_object_bytes(
    ks: Keyspace, profile: EngineProfile, limits: EncodingLimits, clustered: bool, arrival: Arrival, structure: float
) -> float:
    """Per key: table entry, key string, value object and its structure (expected over the
    key and value lengths)."""
    alloc = profile.allocator.class_bytes
    keys = distribution(ks.key_bytes, LENGTH_BREAKS)
    if profile.keyspace_layout == "hashtable":
        return _valkey81_object_bytes(ks, profile) + structure
    value = value_object_bytes(ks, profile, limits) + structure
    if profile.keyspace_layout == "embedded":
        # Commands pass the argument's SDS, which is at least sdshdr8 (embstr or
        # sdsnewlen); a snapshot load builds the key with sdsReqType (dict.c, db.c).
        def embedded(k: int, by_key: Alloc) -> float:
            header = sds_header_bytes(k, "valkey8")
            if arrival != "restored":
                header = max(3, header)
            return by_key(EMBEDDED_ENTRY_BYTES + header + k + 1)

        return keys.expect_allocating(embedded, profile.allocator) + value
    entry = DICT_ENTRY_BYTES + (CLUSTER_ENTRY_METADATA_BYTES if clustered and profile.cluster_layout == "entry_metadata" else 0)
    return alloc(entry) + keys.expect_allocating(lambda k, by_key: by_key(sds_bytes(k, profile.sds_rule)),
                                                 profile.allocator) + value


def _shares_integer(digits: int, profile: EngineProfile, limits: EncodingLimits) -> bool:
    """An integer value of ``digits`` digits points at a shared object (0..9999)."""
    return digit_range(digits)[1] < SHARED_INTEGERS and profile.shares_integers and limits.shares_integers


def _string_encodings(ks: StringKeyspace, profile: EngineProfile) -> dict[str, float]:
    """Shares of int, embstr and raw among a string keyspace's values."""
    values = items(ks.value_bytes, ks.numeric)
    shares = {"int": values.numeric_share} if values.numeric_share else {}
    if values.text is None or values.numeric_share >= 1:
        return shares
    text = 1 - values.numeric_share
    if profile.keyspace_layout == "hashtable" and not values.text.restricted:
        # Embedded when the value is at most the longest that fits beside the key: a share
        # of the text lengths, read from their distribution directly.
        keys = distribution(ks.key_bytes, LENGTH_BREAKS)
        embstr = text * _with_ttl(ks.ttl_share, lambda ttl: keys.expect(
            lambda k: values.text.cdf(_longest_embedded_value(k, ttl, profile))))  # type: ignore[union-attr]
    elif profile.keyspace_layout == "hashtable":
        embstr = text * _expect_joint(ks, lambda k, v, ttl, _: float(_embeds_value(k, v, ttl, profile)), profile.allocator)
    else:
        embstr = text * values.text.cdf(EMBSTR_LIMIT_BYTES)
    for name, share in (("embstr", embstr), ("raw", text - embstr)):
        if share > 1e-12:
            shares[name] = share
    return shares


def _movable_value_bytes(ks: Keyspace, profile: EngineProfile, limits: EncodingLimits) -> float:
    """The part of a key's object data tiering can move to SSD, before its structure: up to
    Valkey 8.0 the value object; in 8.1 the key's own object holds the value pointer, so
    only a string's separate SDS (not one embedded with the key, not an integer)."""
    if profile.keyspace_layout != "hashtable":
        return value_object_bytes(ks, profile, limits)
    if not isinstance(ks, StringKeyspace):
        return 0.0

    def separate(k: int, ttl: bool, values: Distribution, strings: tuple[float, ...]) -> float:
        longest, total = _longest_embedded_value(k, ttl, profile), 0.0
        for (v, weight, _, _), string in zip(values.points, strings):
            total += weight * (0.0 if v <= longest else string)
        return total

    text = 1 - items(ks.value_bytes, ks.numeric).numeric_share
    return text * _expect_text_joint(ks, separate, profile.allocator) if text > 0 else 0.0


def value_object_bytes(ks: Keyspace, profile: EngineProfile, limits: EncodingLimits) -> float:
    """The value robj (and string bytes) up to Valkey 8.0, expected over the values."""
    alloc = profile.allocator.class_bytes
    if not isinstance(ks, StringKeyspace):
        return alloc(OBJECT_HEADER_BYTES)

    def value(length: int, numeric: bool, by_length: Alloc) -> float:
        if numeric:
            return 0 if _shares_integer(length, profile, limits) else alloc(OBJECT_HEADER_BYTES)
        if length <= EMBSTR_LIMIT_BYTES:
            return by_length(OBJECT_HEADER_BYTES + sds8_bytes(length))
        return alloc(OBJECT_HEADER_BYTES) + by_length(sds_bytes(length, profile.sds_rule))

    return items(ks.value_bytes, ks.numeric).allocating(value, profile.allocator)


def _embedded_object_bytes(key_bytes: int, value_bytes: int, ttl: bool, profile: EngineProfile) -> int:
    """Bytes an object with its key and value embedded asks for; in 8.1 the size the embedding
    rule counts, which takes every key's SDS header as 1 byte (the key as length + 3)."""
    expiry = EXPIRE_FIELD_BYTES if ttl else 0
    if profile.string_embedding == "valkey91":
        header = OBJECT_HEADER_BYTES - POINTER_BYTES
        return header + expiry + 1 + sds_bytes(key_bytes, "valkey8") + max(POINTER_BYTES, sds8_bytes(value_bytes))
    return OBJECT_HEADER_BYTES + (key_bytes + 3) + expiry + sds8_bytes(value_bytes)


def _embeds_value(key_bytes: int, value_bytes: int, ttl: bool, profile: EngineProfile) -> bool:
    """Valkey 8.1+: a short value shares the key's allocation if the whole object fits the limit
    (in 8.1 the value must also be embstr-sized, 44 bytes)."""
    if profile.string_embedding == "valkey81" and value_bytes > EMBSTR_LIMIT_BYTES:
        return False
    return (_embedded_object_bytes(key_bytes, value_bytes, ttl, profile)
            <= OBJECT_EMBED_LIMIT_BYTES[profile.string_embedding])


def _longest_embedded_value(key_bytes: int, ttl: bool, profile: EngineProfile) -> int:
    """The longest value ``_embeds_value`` puts beside a key of this length (-1: none); the
    object's size grows with the value, so the answer is a bisection."""
    low, high = -1, OBJECT_EMBED_LIMIT_BYTES[profile.string_embedding]  # embeds(low); not embeds(high)
    while high - low > 1:
        middle = (low + high) // 2
        if _embeds_value(key_bytes, max(middle, 0), ttl, profile):
            low = middle
        else:
            high = middle
    return low


def _valkey81_object_bytes(ks: Keyspace, profile: EngineProfile) -> float:
    """Valkey 8.1+: one object holds header, optional expiry, key and maybe the value."""
    alloc = profile.allocator.class_bytes

    def head(k: int, ttl: bool) -> int:
        return OBJECT_HEADER_BYTES + (EXPIRE_FIELD_BYTES if ttl else 0) + 1 + sds_bytes(k, "valkey8")

    def with_text(k: int, ttl: bool, values: Distribution, strings: tuple[float, ...]) -> float:
        # A value longer than the longest that embeds has its own SDS beside the key's object.
        longest, key_object, total = _longest_embedded_value(k, ttl, profile), alloc(head(k, ttl)), 0.0
        for (v, weight, low, high), string in zip(values.points, strings):
            if v > longest:
                total += weight * (key_object + string)
                continue
            by_value = profile.allocator.class_bytes if low == high else profile.allocator.mean_class_over(low - v,
                                                                                                           high - v)
            if profile.string_embedding == "valkey91":
                total += weight * by_value(_embedded_object_bytes(k, v, ttl, profile))
            else:
                total += weight * by_value(head(k, ttl) + sds8_bytes(v))
        return total

    keys, ttl = distribution(ks.key_bytes, LENGTH_BREAKS), ks.ttl_share
    key_only = _with_ttl(ttl, lambda flag: keys.expect_allocating(
        lambda k, by_key: by_key(head(k, flag)), profile.allocator))
    if not isinstance(ks, StringKeyspace):
        return key_only
    values = items(ks.value_bytes, ks.numeric)
    text = _expect_text_joint(ks, with_text, profile.allocator) if values.numeric_share < 1 else 0.0
    return values.numeric_share * key_only + (1 - values.numeric_share) * text


def _with_ttl(share: float, cost: Callable[[bool], float]) -> float:
    total = 0.0
    if share < 1:
        total += (1 - share) * cost(False)
    if share > 0:
        total += share * cost(True)
    return total


def _expect_text_joint(ks: StringKeyspace, cost: Callable[[int, bool, Distribution, tuple[float, ...]], float],
                       allocator: Allocator) -> float:
    """``_expect_joint`` for a cost summed over the value points by the cost itself:
    ``cost(key length, has ttl, value lengths, strings)``, where ``strings`` holds per value
    point what ``alloc(sds_bytes(value, "valkey8"))`` is in ``_expect_joint`` (the request
    every key length and expiry shares)."""
    joint = _joint_points(ks)
    if joint is None:
        return 0.0
    keys, values = joint
    strings = values.classes(_valkey8_sds, "sds valkey8", allocator)
    return _with_ttl(ks.ttl_share, lambda ttl: keys.expect(lambda k: cost(k, ttl, values, strings)))


def _joint_points(ks: StringKeyspace) -> tuple[Distribution, Distribution] | None:
    """A string keyspace's key lengths and text value lengths, each at ``JOINT_POINTS``
    where both vary (a cost of both is priced on their product); None without text values."""
    keys = distribution(ks.key_bytes, LENGTH_BREAKS)
    values = items(ks.value_bytes, ks.numeric).text
    if values is None:
        return None
    if not (keys.exact or values.exact):
        keys, values = keys.coarser(JOINT_POINTS), values.coarser(JOINT_POINTS)
    return keys, values


def _valkey8_sds(length: int) -> int:
    return sds_bytes(length, "valkey8")


def _expect_joint(ks: StringKeyspace, cost: Callable[[int, int, bool, Alloc], float], allocator: Allocator) -> float:
    """E[cost(key length, text value length, has ttl, alloc)] over a string keyspace's text
    values, ``alloc`` rounding requests that grow with the value."""
    joint = _joint_points(ks)
    if joint is None:
        return 0.0
    keys, values = joint
    return _with_ttl(ks.ttl_share, lambda ttl: keys.expect(
        lambda k: values.expect_allocating(lambda v, alloc: cost(k, v, ttl, alloc), allocator)))
