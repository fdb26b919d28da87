"""What the value of one key costs, by type and encoding, excluding the key itself.

The result is the bytes of the structure the value object points to (listpack, intset,
quicklist, dict or hashtable with its elements) and the encoding name ``OBJECT ENCODING``
reports. The object header and key are added by :mod:`sizing.memory.dataset`.

Glossary
    arrival             ``commands``: written by commands of up to ``WRITE_BATCH_ELEMENTS``
                        elements each (what ``verify`` does and most clients do);
                        ``restored``: loaded from a snapshot or moved by resharding, which
                        pre-sizes tables and leaves no half-finished rehash.
    steps_per_insert    incremental-rehash steps one new element performs on its collection
                        (one per dict lookup; see ``_GROWTH``).
"""

from __future__ import annotations

import math
from typing import Literal

from sizing.memory.encodings import (
    INTSET_HEADER_BYTES,
    LISTPACK_HEADER_BYTES,
    ZIPLIST_HEADER_BYTES,
    intset_width_bytes,
    listpack_entry_bytes,
    sds_bytes,
    ziplist_entry_bytes,
)
from sizing.memory.engines import EngineProfile
from sizing.memory.limits import EncodingLimits
from sizing.memory.tables import (
    DICT_POINTER_BYTES,
    HASHTABLE_BUCKET_BYTES,
    HASHTABLE_ENTRIES_PER_BUCKET,
    dict_buckets,
    dict_residual_buckets,
    hashtable_buckets,
    hashtable_bytes,
    hashtable_child_buckets,
)
from sizing.spec.workload import HashKeyspace, ListKeyspace, SetKeyspace, StringKeyspace, ZsetKeyspace

Arrival = Literal["commands", "restored"]
CollectionKeyspace = HashKeyspace | ListKeyspace | SetKeyspace | ZsetKeyspace

WRITE_BATCH_ELEMENTS = 1000
"""Elements per write command assumed for large collections (HSET/SADD/ZADD carry at most
this many; RPUSH at least 8 KiB worth, see ``list_batch_elements``). Table sizes of
Redis 7.2+ collections depend on it because the first command pre-sizes the table."""

DICT_ENTRY_BYTES = 24
"""``dictEntry``: key, value, next pointers (dict.c / dict.h)."""
DICT_NO_VALUE_ENTRY_BYTES = 16
"""``dictEntryNoValue`` for sets in Redis 7.2 / Valkey 7.2-8.0 (dict.c)."""
HASHTABLE_STRUCT_BYTES = 72
"""``struct hashtable`` in Valkey 8.1 (hashtable.c)."""
ZSET_STRUCT_BYTES = 16
"""``zset``: dict and skiplist pointers (server.h)."""
ZSKIPLIST_BYTES = 32
"""``zskiplist``: header, tail, length, level (server.h)."""
SKIPLIST_MAX_LEVEL = 32
"""``ZSKIPLIST_MAXLEVEL`` (server.h); the header node has every level."""
SKIPLIST_P = 0.25
"""``ZSKIPLIST_P``: a node reaches the next level with probability 1/4 (t_zset.c)."""
QUICKLIST_BYTES = 40
"""``quicklist`` struct (quicklist.h)."""
QUICKLIST_SAFETY_LIMIT = 8192
"""``SIZE_SAFETY_LIMIT`` (quicklist.c): no node grows past 8 KiB with a count-based fill."""
QUICKLIST_ESTIMATE_OVERHEAD = 8
"""``SIZE_ESTIMATE_OVERHEAD`` (quicklist.c 7.0+) added to an element when checking room."""
NODE_SIZE_LIMITS = (4096, 8192, 16384, 32768, 65536)
"""``optimization_level[]`` (quicklist.c): limits for list-max-listpack-size -1..-5."""
INTEGER_SCORE_DIGITS = 10
"""Integer scores are taken to be 10-digit numbers (Unix seconds)."""
DOUBLE_SCORE_CHARS = 18
"""Other scores are doubles printed with 17 significant digits (``%.17g`` / shortest)."""


def value_structure(
    keyspace: StringKeyspace | CollectionKeyspace, profile: EngineProfile, limits: EncodingLimits, arrival: Arrival
) -> tuple[str, float]:
    """``(encoding, bytes)`` of one key's value structure (0 bytes for strings)."""
    if isinstance(keyspace, StringKeyspace):
        return "string", 0.0
    if isinstance(keyspace, HashKeyspace):
        return _hash(keyspace, profile, limits, arrival)
    if isinstance(keyspace, SetKeyspace):
        return _set(keyspace, profile, limits, arrival)
    if isinstance(keyspace, ZsetKeyspace):
        return _zset(keyspace, profile, limits, arrival)
    return _list(keyspace, profile, limits)


def _pack(profile: EngineProfile, entries_bytes: float) -> float:
    header = ZIPLIST_HEADER_BYTES if profile.small_encoding == "ziplist" else LISTPACK_HEADER_BYTES
    return profile.allocator.mean_class_bytes(header + entries_bytes)


def _entry(profile: EngineProfile, length: int, numeric: bool) -> float:
    if profile.small_encoding == "ziplist":
        return ziplist_entry_bytes(length, numeric)
    return listpack_entry_bytes(length, numeric)


def _sds(profile: EngineProfile, length: int) -> int:
    return profile.allocator.class_bytes(sds_bytes(length, profile.sds_rule))


# --- growth of nested tables written by commands --------------------------------------
# From the command implementations (t_hash.c, t_set.c, t_zset.c of each release):
#   steps per new element: HSET dictFind + dictAdd = 2 before 7.2, one dictAddRaw = 1 from
#   7.2; SADD 1 everywhere; ZADD dictFind + dictAdd = 2 everywhere.
#   pre-sizing: from 7.2 a command with more elements than the listpack limit creates the
#   table for its element count (size hint); before that only conversions pre-size: an
#   intset (all versions) and, from 7.0, a hash listpack, to the count they held.
_STEPS_PER_INSERT = {"hash": 2.0, "set": 1.0, "zset": 2.0}


def _dict_slots(
    profile: EngineProfile, kind: str, elements: int, converted_at: int, arrival: Arrival
) -> float:
    """Pointer slots of a nested dict: its bucket array plus any residual old array.

    ``converted_at``: element count at which a compact encoding converted (0 if the
    collection was a dict from its first element).
    """
    final = dict_buckets(elements)
    if arrival == "restored":
        return final  # RDB load calls dictExpand(length): no growth, no rehash
    steps = _STEPS_PER_INSERT[kind]
    if profile.write_size_hints:
        presized = dict_buckets(min(elements, WRITE_BATCH_ELEMENTS))
        if kind == "hash":
            steps = 1.0
            if not converted_at:  # a value too long converts the empty listpack: no hint
                presized = 0
    else:
        presized_kinds = ("set",) if profile.small_encoding == "ziplist" else ("set", "hash")
        presized = dict_buckets(converted_at) if converted_at and kind in presized_kinds else 0
    return max(final, presized) + dict_residual_buckets(elements, steps, presized)


def _hash(keyspace: HashKeyspace, profile: EngineProfile, limits: EncodingLimits, arrival: Arrival) -> tuple[str, float]:
    n = keyspace.fields
    small = (
        n <= limits.hash_max_listpack_entries
        and keyspace.field_bytes <= limits.hash_max_listpack_value
        and keyspace.value_bytes <= limits.hash_max_listpack_value
    )
    if small:
        entries = n * (_entry(profile, keyspace.field_bytes, False) + _entry(profile, keyspace.value_bytes, keyspace.numeric))
        return profile.small_encoding, _pack(profile, entries)
    alloc = profile.allocator.class_bytes
    if profile.keyspace_layout == "hashtable":
        field = sds_bytes(keyspace.field_bytes, "valkey8")
        value = 3 + keyspace.value_bytes + 1  # values embed as sdshdr8
        if field + value <= 128:  # EMBED_VALUE_MAX_ALLOC_SIZE (t_hash.c)
            per_field = float(alloc(field + value))
        else:
            per_field = float(alloc(8 + max(3, field - keyspace.field_bytes - 1) + keyspace.field_bytes + 1) + _sds(profile, keyspace.value_bytes))
        return "hashtable", alloc(HASHTABLE_STRUCT_BYTES) + _hashtable_written(n, arrival) + n * per_field
    converted_at = limits.hash_max_listpack_entries + 1 if _converts_from_small(keyspace, limits) else 0
    buckets = _dict_slots(profile, "hash", n, converted_at, arrival)
    per_field = alloc(DICT_ENTRY_BYTES) + _sds(profile, keyspace.field_bytes) + _sds(profile, keyspace.value_bytes)
    return "hashtable", alloc(profile.dict_struct_bytes) + DICT_POINTER_BYTES * buckets + n * per_field


def _converts_from_small(keyspace: HashKeyspace, limits: EncodingLimits) -> bool:
    """Whether a hash starts as a listpack and converts when it outgrows the count limit."""
    return keyspace.field_bytes <= limits.hash_max_listpack_value and keyspace.value_bytes <= limits.hash_max_listpack_value


def _set(keyspace: SetKeyspace, profile: EngineProfile, limits: EncodingLimits, arrival: Arrival) -> tuple[str, float]:
    n = keyspace.members
    if keyspace.numeric and n <= limits.set_max_intset_entries:
        return "intset", float(profile.allocator.class_bytes(INTSET_HEADER_BYTES + n * intset_width_bytes(keyspace.member_bytes)))
    if (
        profile.small_sets_as_listpack
        and n <= limits.set_max_listpack_entries
        and keyspace.member_bytes <= limits.set_max_listpack_value
    ):
        return "listpack", _pack(profile, n * listpack_entry_bytes(keyspace.member_bytes, keyspace.numeric))
    alloc = profile.allocator.class_bytes
    member = _sds(profile, keyspace.member_bytes)
    if profile.keyspace_layout == "hashtable":
        return "hashtable", alloc(HASHTABLE_STRUCT_BYTES) + _hashtable_written(n, arrival) + n * member
    converted_at = limits.set_max_intset_entries + 1 if keyspace.numeric else 0
    buckets = _dict_slots(profile, "set", n, converted_at, arrival)
    if profile.set_dict_no_value:
        table = dict_buckets(n)
        chained = n - table * (1 - math.exp(-n / table))  # members sharing a bucket with another
        per_member = member + alloc(DICT_NO_VALUE_ENTRY_BYTES) * chained / n
    else:
        per_member = member + alloc(DICT_ENTRY_BYTES)
    return "hashtable", alloc(profile.dict_struct_bytes) + DICT_POINTER_BYTES * buckets + n * per_member


def skiplist_node_bytes(profile: EngineProfile) -> float:
    """Expected size class of a skiplist node: 24 bytes + 16 per level, P(level >= k) = 4^-(k-1)."""
    expected = 0.0
    for level in range(1, SKIPLIST_MAX_LEVEL + 1):
        share = (1 - SKIPLIST_P) * SKIPLIST_P ** (level - 1) if level < SKIPLIST_MAX_LEVEL else SKIPLIST_P ** (level - 1)
        expected += share * profile.allocator.class_bytes(24 + 16 * level)
    return expected


def _zset(keyspace: ZsetKeyspace, profile: EngineProfile, limits: EncodingLimits, arrival: Arrival) -> tuple[str, float]:
    n = keyspace.members
    score_entry = (
        _entry(profile, INTEGER_SCORE_DIGITS, True) if keyspace.integer_scores else _entry(profile, DOUBLE_SCORE_CHARS, False)
    )
    if n <= limits.zset_max_listpack_entries and keyspace.member_bytes <= limits.zset_max_listpack_value:
        return profile.small_encoding, _pack(profile, n * (_entry(profile, keyspace.member_bytes, False) + score_entry))
    alloc = profile.allocator.class_bytes
    fixed = alloc(ZSET_STRUCT_BYTES) + alloc(ZSKIPLIST_BYTES) + alloc(24 + 16 * SKIPLIST_MAX_LEVEL)
    per_member = skiplist_node_bytes(profile) + _sds(profile, keyspace.member_bytes)
    if profile.keyspace_layout == "hashtable":
        return "skiplist", fixed + alloc(HASHTABLE_STRUCT_BYTES) + _hashtable_written(n, arrival, 2) + n * per_member
    buckets = _dict_slots(profile, "zset", n, 0, arrival)
    per_member += alloc(DICT_ENTRY_BYTES)
    return "skiplist", fixed + alloc(profile.dict_struct_bytes) + DICT_POINTER_BYTES * buckets + n * per_member


def _hashtable_written(elements: int, arrival: Arrival, steps_per_insert: int = 1) -> float:
    """Bucket bytes of a nested Valkey 8.1 hashtable, with any unfinished rehash.

    A resize first finishes the previous rehash, and every lookup moves one bucket index
    (empty or not, with its child buckets), so only the last growth can be unfinished:
    the old table (full: 7 entries per bucket, with its overflow children) stays until as
    many lookups as it has buckets (ZADD does two per member, HSET and SADD one).
    """
    presized = arrival == "restored"
    total = hashtable_bytes(elements, presized=presized)
    if presized:
        return total
    old = hashtable_buckets(elements) // 2
    # The insert that finds the table full starts the resize; only later lookups move buckets.
    lookups = (elements - HASHTABLE_ENTRIES_PER_BUCKET * old - 1) * steps_per_insert
    if old and lookups < old:
        unmoved = 1 - max(lookups, 0) / old
        old_children = hashtable_child_buckets(HASHTABLE_ENTRIES_PER_BUCKET * old, old)
        total += HASHTABLE_BUCKET_BYTES * (old + unmoved * old_children)
    return total


def list_batch_elements(element_bytes: int) -> int:
    """Elements per RPUSH when writing a long list: enough to pass one 8 KiB node."""
    return max(WRITE_BATCH_ELEMENTS, QUICKLIST_SAFETY_LIMIT // element_bytes + 1)


def _node_limit(limits: EncodingLimits) -> tuple[int, int]:
    """(byte limit, count limit) of one quicklist node for list-max-listpack-size."""
    fill = limits.list_max_listpack_size
    if fill < 0:
        return NODE_SIZE_LIMITS[min(-fill, 5) - 1], 2**31
    return QUICKLIST_SAFETY_LIMIT, max(fill, 1)


def _list(keyspace: ListKeyspace, profile: EngineProfile, limits: EncodingLimits) -> tuple[str, float]:
    n, length = keyspace.elements, keyspace.element_bytes
    entry = _entry(profile, length, keyspace.numeric)
    byte_limit, count_limit = _node_limit(limits)
    alloc = profile.allocator.class_bytes
    first_command = min(n, list_batch_elements(length))
    if profile.small_lists_as_listpack and first_command == n and n <= count_limit and LISTPACK_HEADER_BYTES + n * length <= byte_limit:
        return "listpack", _pack(profile, n * entry)
    if profile.keyspace_layout in ("embedded", "hashtable") and length > byte_limit:
        # Valkey 8 keeps an element bigger than a node in a plain node of its own.
        return "quicklist", alloc(QUICKLIST_BYTES) + n * (alloc(profile.quicklist_node_bytes) + alloc(length))
    if profile.small_encoding == "ziplist":
        overhead = (1 if length < 254 else 5) + (1 if length < 64 else (2 if length < 16_384 else 5))
        header = ZIPLIST_HEADER_BYTES
    else:
        overhead = QUICKLIST_ESTIMATE_OVERHEAD
        header = LISTPACK_HEADER_BYTES
    per_node = 1 + max(0, math.floor((byte_limit - header - length - overhead) / entry))
    per_node = min(per_node, count_limit)
    full_nodes, rest = divmod(n, per_node)
    node = alloc(profile.quicklist_node_bytes)
    total = alloc(QUICKLIST_BYTES) + full_nodes * (node + profile.allocator.mean_class_bytes(header + per_node * entry))
    if rest:
        total += node + profile.allocator.mean_class_bytes(header + rest * entry)
    return "quicklist", total
