"""What the value of one key costs, by type and encoding, excluding the key itself.

The result is the bytes of the structure the value object points to (listpack, intset,
quicklist, dict or hashtable with its elements) and the encoding name ``OBJECT ENCODING``
reports. The object header and key are added by :mod:`sizing.memory.dataset`.

Glossary
    arrival             ``commands``: written by commands of up to ``WRITE_BATCH_ELEMENTS``
                        elements each (what ``verify`` does and loaders do);
                        ``one_by_one``: one element per command (HSET key field value,
                        SADD key member): 7.2+ then never pre-sizes a table for a
                        command's count, only at a conversion;
                        ``restored``: loaded from a snapshot or moved by resharding, which
                        pre-sizes tables and leaves no half-finished rehash.
    steps_per_insert    incremental-rehash steps one new element performs on its collection
                        (one per dict lookup; see ``_GROWTH``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable
from functools import lru_cache, partial
from statistics import NormalDist
from typing import Literal

from sizing.memory.allocator import Allocator
from sizing.memory.distribution import Alloc, distribution
from sizing.memory.encodings import (
    INTSET_HEADER_BYTES,
    LISTPACK_HEADER_BYTES,
    ZIPLIST_HEADER_BYTES,
    integer_entry_bytes,
    listpack_entry_bytes,
    sds_bytes,
    ziplist_entry_bytes,
)
from sizing.memory.engines import EngineProfile
from sizing.memory.items import AllocatingCost, Items, items
from sizing.memory.limits import EncodingLimits
from sizing.memory.memo import Memo, forgotten_on_clear, shape_key
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
from sizing.spec.distribution import Size
from sizing.spec.workload import HashKeyspace, ListKeyspace, ScoreKind, SetKeyspace, StringKeyspace, ZsetKeyspace

Arrival = Literal["commands", "one_by_one", "restored"]
CollectionKeyspace = HashKeyspace | ListKeyspace | SetKeyspace | ZsetKeyspace

WRITE_BATCH_ELEMENTS = 1000
"""Elements per write command assumed for large collections (HSET/SADD/ZADD carry at most
this many; RPUSH at least 8 KiB worth, see ``list_batch_elements``). Table sizes of
Redis 7.2+ collections depend on it because the first command pre-sizes the table."""

DICT_ENTRY_BYTES = 24
"""``dictEntry``: key, value, next pointers (dict.c / dict.h)."""
DICT_NO_VALUE_ENTRY_BYTES = 16
"""``dictEntryNoValue`` for sets in Redis 7.2 / Valkey 7.2-8.0 (dict.c)."""
ZSET_STRUCT_BYTES = 16
"""``zset``: dict and skiplist pointers (server.h)."""
ZSKIPLIST_BYTES = 32
"""``zskiplist``: header, tail, length, level (server.h)."""
SKIPLIST_MAX_LEVEL = 32
"""``ZSKIPLIST_MAXLEVEL`` (server.h); the header node has every level."""
SKIPLIST_P = 0.25
"""``ZSKIPLIST_P``: a node reaches the next level with probability 1/4 (t_zset.c; in 9.1
``zslRandomLevel`` counts leading zero bit pairs of a random word, the same 1/4)."""
SKIPLIST_LEVEL_BYTES = 16
"""``struct zskiplistLevel``: forward pointer and span (server.h)."""
EMBEDDED_NODE_BYTES = 32
"""Valkey 9.1 ``sizeof(zskiplistNode)``: score, backward pointer and the first level
(server.h:1492); further levels follow, then the member (t_zset.c ``zslGetNodeAllocSize``)."""
QUICKLIST_BYTES = 40
"""``quicklist`` struct (quicklist.h)."""
QUICKLIST_SAFETY_LIMIT = 8192
"""``SIZE_SAFETY_LIMIT`` (quicklist.c): no node grows past 8 KiB with a count-based fill."""
QUICKLIST_ESTIMATE_OVERHEAD = 8
"""``SIZE_ESTIMATE_OVERHEAD`` (quicklist.c 7.0+) added to an element when checking room."""
NODE_SIZE_LIMITS = (4096, 8192, 16384, 32768, 65536)
"""``optimization_level[]`` (quicklist.c): limits for list-max-listpack-size -1..-5."""
DOUBLE_SCORE_CHARS = 18
"""Float scores are doubles printed with 17 significant digits (``%.17g`` / shortest)."""
SCORE_RANGES: dict[str, tuple[int, int]] = {
    "unix_seconds": (1_000_000_000, 2**31 - 1),
    "unix_millis": (1_000_000_000_000, 9_999_999_999_999),
    "small_integers": (0, 4095),
}
"""Integer score kinds and the values they stand for: Unix seconds of 2001-2038 (int32 in
a listpack), Unix milliseconds (13 digits, int64), and ranks or counts up to 4095 (the
listpack's 7- and 13-bit forms)."""
EMBED_VALUE_MAX_ALLOC_BYTES = 128
"""``EMBED_VALUE_MAX_ALLOC_SIZE`` (Valkey 8.1 t_hash.c): a field and value that fit are one allocation."""
COUNT_POINTS = 64
"""Points of an element-count distribution: each is priced in full (encoding, tables)."""
POWERS_OF_TWO = tuple(2**k for k in range(2, 32))
"""Where a table's bucket array doubles (dict and hashtable sizes are powers of two)."""
HASHTABLE_GROWTHS = tuple(HASHTABLE_ENTRIES_PER_BUCKET * 2**k for k in range(30))
"""Where a Valkey 8.1+ hashtable grown by inserts doubles its buckets: past 7 entries per
bucket (``hashtableExpandIfNeeded``), so at 7 x 2^k elements, not at the powers of two."""
LIST_SHORT_SEQUENCES, LIST_SHORT_ELEMENTS = 64, 64
LIST_LONG_SEQUENCES, LIST_LONG_ELEMENTS = 8, 512
"""Simulated packings of lists whose element lengths vary: many short sequences for lists
of up to 64 elements (whose few elements vary most from list to list), a few long ones
beyond (at least 512 elements, and ``LONG_NODES`` nodes' worth; extended linearly past)."""
LONG_NODES, LIST_LONGEST_ELEMENTS = 2.5, 4096
"""Long simulated lists hold two and a half nodes' worth of elements (a second node closed,
so the linear extension starts from whole nodes), up to 4,096 elements."""
NORMAL_FROM_ELEMENTS, SMALL_ELEMENTS_PER_NODE = 8, 16
"""Where a list's listpack is priced from the normal total of its element lengths
(``_List._normal_single``) instead of the simulated lists: from 8 elements, if 16 of the
longest fit one node. Against 40,000 random lists per count (development distributions,
not the recorded cases), 35..60-byte strings mixed with integers are within 0.3% from 4
elements, where 64 simulated lists miss by up to 1.4%: each draws one class, the normal's
16 strata average them. It starts at 8, not 4: four elements of two kinds (21-byte strings
or 5-digit integers, development case random-031) sum to too few totals for a normal."""
FIT_STRATA = 16
"""Strata of a long list's total length below the node limit, each priced at its class
(``_List._normal_single``): the 16 of ``allocator.SPREAD_STRATA``."""
_NORMAL = NormalDist()
JOINT_POINTS = 24
"""Points per side where a cost depends on two lengths at once (Valkey 8.1 field and value)."""


Encodings = dict[str, float]
"""Encoding name -> share of the keyspace's keys that have it."""


def value_structure(
    keyspace: StringKeyspace | CollectionKeyspace, profile: EngineProfile, limits: EncodingLimits, arrival: Arrival
) -> tuple[Encodings, float]:
    """Which encodings one key's value structure has (by share of keys) and its expected
    bytes (0 for strings, whose value lives in the object: see ``sizing.memory.dataset``)."""
    if isinstance(keyspace, StringKeyspace):
        return {"string": 1.0}, 0.0
    kind = _PRICERS[type(keyspace)]
    count = _count(keyspace)
    if kind is _List:  # a quicklist has no table: however the list arrived, it is priced as written
        arrival = "commands"
    # Strings and numbers: cheap to hash, untracked by the GC.
    elements = (kind.__name__, shape_key(keyspace, kind.ELEMENT_FIELDS), shape_key(profile), shape_key(limits))
    shape = (*elements, count if isinstance(count, int) else shape_key(count), arrival)
    shares, total = _STRUCTURE_MEMO.get(shape, lambda: _kept(*_value_structure(keyspace, profile, limits, arrival,
                                                                                 elements)))
    return dict(shares), total


def _kept(shares: Encodings, total: float) -> tuple[tuple[tuple[str, float], ...], float]:
    """A value structure as its memo keeps it: the shares as pairs, in order (tuples of
    strings and numbers, which the garbage collector stops tracking; a dict it would not)."""
    return tuple(shares.items()), total


def _value_structure(
    keyspace: CollectionKeyspace, profile: EngineProfile, limits: EncodingLimits, arrival: Arrival,
    elements: Hashable,
) -> tuple[Encodings, float]:
    counts = distribution(_count(keyspace), _count_limits(keyspace, limits, profile, arrival), COUNT_POINTS)
    pricer, known = _collection_pricer(keyspace, profile, limits, elements)
    priced_by_count = known.get(arrival)
    if priced_by_count is None:
        priced_by_count = known[arrival] = {}
    get = priced_by_count.get
    counted = counts.stratum_variances()
    ways = [get(count) for count in counted]
    missing = [index for index, priced in enumerate(ways) if priced is None]
    if missing:  # the counts not priced before, in one call
        for index, fresh in zip(missing, pricer.priced_counts([counted[index] for index in missing], arrival)):
            ways[index] = priced_by_count[counted[index]] = fresh  # tuples of numbers: not tracked by the GC
    shares: Encodings = {}
    total = 0.0
    for (_, weight, _, _), of_count in zip(counts.points, ways):
        for encoding, share, size in of_count:  # type: ignore[union-attr]  # every count is priced by now
            part = weight * share
            shares[encoding] = shares.get(encoding, 0.0) + part
            total += part * size
    return shares, total


Priced = list[tuple[str, float, float]]
"""For one element count: (encoding, share of such keys, bytes) for each way it can be encoded."""
PricedCount = tuple[tuple[str, float, float], ...]
"""``Priced``, as kept for a count."""
PricedByArrival = dict[Arrival, dict[tuple[int, float], PricedCount]]
"""What a pricer priced, by arrival and (count, spread)."""


def _count_limits(
    keyspace: CollectionKeyspace, limits: EncodingLimits, profile: EngineProfile, arrival: Arrival
) -> tuple[int, ...]:
    """Element counts at which a collection changes encoding, or its table doubles. A
    Valkey 8.1+ table doubles at 7 x 2^k; written one by one, the old table of its last
    growth is then left until 8 x 2^k, a power of two."""
    if isinstance(keyspace, HashKeyspace):
        own: tuple[int, ...] = (limits.hash_max_listpack_entries,)
    elif isinstance(keyspace, SetKeyspace):
        own = (limits.set_max_intset_entries, limits.set_max_listpack_entries)
    elif isinstance(keyspace, ZsetKeyspace):
        own = (limits.zset_max_listpack_entries,)
    else:
        return POWERS_OF_TWO
    if profile.keyspace_layout != "hashtable":
        return own + POWERS_OF_TWO
    return own + HASHTABLE_GROWTHS + (POWERS_OF_TWO if arrival == "one_by_one" else ())


def _count(keyspace: CollectionKeyspace) -> Size:
    if isinstance(keyspace, HashKeyspace):
        return keyspace.fields
    if isinstance(keyspace, ListKeyspace):
        return keyspace.elements
    return keyspace.members


def _collection_pricer(
    keyspace: CollectionKeyspace, profile: EngineProfile, limits: EncodingLimits, elements: Hashable
) -> tuple[_Hash | _Set | _Zset | _List, PricedByArrival]:
    """The pricer of the keyspace's element shape (``elements``: the pricer's kind and the
    keys of the element fields, profile and limits), with what it priced by arrival and
    (count, spread): the counts of neighbouring keyspaces and of a keyspace's largest key repeat."""
    kind = _PRICERS[type(keyspace)]
    return _PRICER_MEMO.get(elements, lambda: (kind(keyspace, profile, limits), {}))  # type: ignore[arg-type]


def _pack(profile: EngineProfile, entries_bytes: float, variance: float = 0.0) -> float:
    """A listpack (or ziplist) of ``entries_bytes``, whose size across keys has ``variance``:
    the mean of its allocation classes, not the class of its mean size."""
    header = ZIPLIST_HEADER_BYTES if profile.small_encoding == "ziplist" else LISTPACK_HEADER_BYTES
    return profile.allocator.mean_class_spread(header + entries_bytes, math.sqrt(variance))


def _pack_variance(n: int, count_variance: float, mean: float, variance: float) -> float:
    """Variance of the sum of n independent entries (mean, variance), n itself varying."""
    return n * variance + count_variance * mean**2


def _entry_moments(entries: Items | None, profile: EngineProfile, extra: float = 0.0) -> tuple[float, float]:
    """Mean and variance of one listpack entry of these items (plus a fixed ``extra``)."""
    if entries is None:
        return extra, 0.0
    mean, square = entries.moments(partial(_entry, profile))
    return mean + extra, max(0.0, square - mean**2)


def _entry(profile: EngineProfile, length: int, numeric: bool) -> float:
    if profile.small_encoding == "ziplist":
        return ziplist_entry_bytes(length, numeric)
    return listpack_entry_bytes(length, numeric)


def _sds(profile: EngineProfile, length: int) -> int:
    return profile.allocator.class_bytes(sds_bytes(length, profile.sds_rule))


def _item_sds(profile: EngineProfile) -> AllocatingCost:
    """An item's SDS string (integers in a table are strings of their digits)."""
    return lambda length, _numeric, alloc: alloc(sds_bytes(length, profile.sds_rule))


def _split(small: float, n: int, all_elements: float, small_elements: float) -> float:
    """Mean element bytes of the collections that are *not* all small, from the identity
    E[sum] = P(small) E[sum | small] + (1 - P(small)) E[sum | not small]."""
    if small <= 0:
        return n * all_elements
    if small >= 1:
        return 0.0
    return max(0.0, (n * all_elements - small * n * small_elements) / (1 - small))


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
    if profile.write_size_hints and kind == "hash":
        steps = 1.0  # one dictAddRaw per field from 7.2
    if profile.write_size_hints and arrival == "one_by_one":
        # No command carries a count: a table is sized only where a listpack converts
        # (t_hash.c dictExpand(hashTypeLength), t_zset.c zsetConvertAndExpand).
        presized = dict_buckets(converted_at) if converted_at else 0
    elif profile.write_size_hints:
        presized = dict_buckets(_first_command(elements, arrival))
        if kind == "hash" and not converted_at:  # a value too long converts the empty listpack: no hint
            presized = 0
    else:
        presized_kinds = ("set",) if profile.small_encoding == "ziplist" else ("set", "hash")
        presized = dict_buckets(converted_at) if converted_at and kind in presized_kinds else 0
    return max(final, presized) + dict_residual_buckets(elements, steps, presized)


class _Pricer:
    """What the pricers share: ``priced_counts`` as ``priced`` count by count."""

    def priced(self, n: int, count_variance: float = 0.0, arrival: Arrival = "commands") -> Priced:
        raise NotImplementedError

    def priced_counts(self, counts: list[tuple[int, float]], arrival: Arrival) -> list[PricedCount]:
        """``priced`` of each (count, count variance), only the ways of a share above 0."""
        return [tuple([way for way in self.priced(n, spread, arrival) if way[1] > 0]) for n, spread in counts]


class _Hash(_Pricer):
    """Hashes: a listpack while every field and value fits ``hash-max-listpack-*``, else a table."""

    ELEMENT_FIELDS = frozenset({"field_bytes", "numeric_fields", "value_bytes", "numeric"})
    """What the element costs depend on (the pricer's memo key, ``sizing.memory.memo``)."""

    def __init__(self, keyspace: HashKeyspace, profile: EngineProfile, limits: EncodingLimits) -> None:
        self.profile, self.limits = profile, limits
        value_limit = limits.hash_max_listpack_value
        self.fields = items(keyspace.field_bytes, keyspace.numeric_fields, value_limit)
        self.values = items(keyspace.value_bytes, keyspace.numeric, value_limit)
        self.pair_fits = self.fields.fits(value_limit) * self.values.fits(value_limit)
        fields_small, values_small = self.fields.fitting(value_limit), self.values.fitting(value_limit)
        field_mean, field_variance = _entry_moments(fields_small, profile)
        value_mean, value_variance = _entry_moments(values_small, profile)
        self.listpack_pair = field_mean + value_mean if fields_small and values_small else 0.0
        self.pair_variance = field_variance + value_variance
        self._sds = _item_sds(profile)
        self.table_pair = self._table_pair(self.fields, self.values)
        self.table_pair_small = (self._table_pair(fields_small, values_small)
                                 if fields_small and values_small else 0.0)
        self.hashtable_struct = profile.allocator.class_bytes(profile.hashtable_struct_bytes
                                                              + profile.hash_table_metadata_bytes)
        """Valkey 8.1's hashtable struct with the hash's metadata."""
        self._arrival_free: dict[tuple[int, float], tuple[float, float, float]] = {}
        """``_whatever_arrival`` by (count, count variance): both arrivals price each count."""

    def _table_pair(self, fields: Items, values: Items) -> float:
        """One field and its value in a table (Valkey 8.1: one allocation when both fit 128 bytes)."""
        profile = self.profile
        alloc = profile.allocator.class_bytes
        if profile.keyspace_layout != "hashtable":
            return (alloc(DICT_ENTRY_BYTES) + fields.allocating(self._sds, profile.allocator)
                    + values.allocating(self._sds, profile.allocator))

        if fields.exact:
            return _pairs_with(profile, round(fields.mean_length()), values)
        coarse = values.coarser(JOINT_POINTS)
        return fields.coarser(JOINT_POINTS).expect(lambda f, _: _pairs_with(profile, f, coarse))

    def priced(self, n: int, count_variance: float = 0.0, arrival: Arrival = "commands") -> Priced:
        try:
            small, listpack, elements = self._arrival_free[(n, count_variance)]
        except KeyError:
            small, listpack, elements = self._arrival_free[(n, count_variance)] = self._whatever_arrival(
                n, count_variance)
        result: Priced = []
        if small > 0:
            result.append((self.profile.small_encoding, small, listpack))
        if small < 1:
            if self.profile.keyspace_layout == "hashtable":
                # By count, HSET converts with the command's size hint (one by one: at the
                # limit, expanded to the listpack's length); a long value converts the
                # listpack while nearly empty, and the table grows.
                by_count, presized_to = self._by_count(n, arrival)
                table = (by_count * _hashtable_written(n, arrival, 1, presized_to)
                         + (1 - by_count) * _hashtable_written(n, arrival))
                result.append(("hashtable", 1 - small, self.hashtable_struct + table + elements))
            else:
                # Hashes that outgrew the count limit converted from a listpack (pre-sized from
                # 7.0); those with a long item became tables at once.
                converted = self._by_count(n, arrival)[0]
                tables = converted * self._table(n, self.limits.hash_max_listpack_entries + 1, arrival) + \
                    (1 - converted) * self._table(n, 0, arrival)
                result.append(("hashtable", 1 - small, tables + elements))
        return result

    def priced_counts(self, counts: list[tuple[int, float]], arrival: Arrival) -> list[PricedCount]:
        """``priced`` of each (count, count variance), in one loop: what every count shares
        (the profile's fields, the limit, the pair's moments) read once. The same arithmetic,
        operation by operation (``tests/test_speed_pricing.py`` checks it to the bit)."""
        profile, limit, pair_fits = self.profile, self.limits.hash_max_listpack_entries, self.pair_fits
        listpack_pair, pair_variance = self.listpack_pair, self.pair_variance
        table_pair, table_pair_small = self.table_pair, self.table_pair_small
        small_encoding, hashtable_struct = profile.small_encoding, self.hashtable_struct
        header = ZIPLIST_HEADER_BYTES if small_encoding == "ziplist" else LISTPACK_HEADER_BYTES
        spread_class, sqrt = profile.allocator.mean_class_spread, math.sqrt
        as_hashtable = profile.keyspace_layout == "hashtable"
        one_by_one, hinted = arrival == "one_by_one", profile.write_size_hints
        arrival_free, written = self._arrival_free, _hashtable_written
        out: list[PricedCount] = []
        append = out.append
        for count in counts:
            n, count_variance = count
            free = arrival_free.get(count)
            if free is None:  # _whatever_arrival
                small = pair_fits**n if n <= limit else 0.0
                listpack = elements = 0.0
                if small > 0:  # _pack of _pack_variance
                    variance = n * pair_variance + count_variance * listpack_pair**2
                    listpack = spread_class(header + n * listpack_pair, sqrt(variance))
                if small <= 0:  # _split, inlined
                    elements = n * table_pair
                elif small < 1:
                    elements = max(0.0, (n * table_pair - small * n * table_pair_small) / (1 - small))
                arrival_free[count] = (small, listpack, elements)
            else:
                small, listpack, elements = free
            if small >= 1:
                append(((small_encoding, small, listpack),))
                continue
            # _by_count
            if n <= limit:
                by_count, presized_to = 0.0, 0
            elif one_by_one:
                by_count, presized_to = pair_fits ** (limit + 1), limit + 1
            else:
                presized_to = min(n, WRITE_BATCH_ELEMENTS)  # _first_command
                by_count = 1.0 if presized_to > limit and hinted else pair_fits**n
            if as_hashtable:
                # by_count * written(presized) + (1 - by_count) * written, where a share of 0
                # or 1 leaves the other term as it is (x * 0.0 + y == y for the finite bytes).
                if by_count == 0.0:
                    table = written(n, arrival)
                elif by_count == 1.0:
                    table = written(n, arrival, 1, presized_to)
                else:
                    table = by_count * written(n, arrival, 1, presized_to) + (1 - by_count) * written(n, arrival)
                size = hashtable_struct + table + elements
            else:
                size = by_count * self._table(n, limit + 1, arrival) + \
                    (1 - by_count) * self._table(n, 0, arrival) + elements
            if small > 0:
                append(((small_encoding, small, listpack), ("hashtable", 1 - small, size)))
            else:
                append((("hashtable", 1 - small, size),))
        return out

    def _whatever_arrival(self, n: int, count_variance: float) -> tuple[float, float, float]:
        """What hashes of n pairs take however they arrived: (share held in a listpack,
        that listpack, the table-encoded ones' pairs)."""
        small = self.pair_fits**n if n <= self.limits.hash_max_listpack_entries else 0.0
        listpack = elements = 0.0
        if small > 0:
            variance = _pack_variance(n, count_variance, self.listpack_pair, self.pair_variance)
            listpack = _pack(self.profile, n * self.listpack_pair, variance)
        if small < 1:
            elements = _split(small, n, self.table_pair, self.table_pair_small)
        return small, listpack, elements

    def _by_count(self, n: int, arrival: Arrival) -> tuple[float, int]:
        """(share of the table-encoded hashes converted by their count, elements the
        table was then sized for). From 7.2 HSET checks a command's count before its
        lengths (t_hash.c ``hashTypeTryConversion``): a first command of more pairs than the
        limit makes a table expanded to them, long values or not; 7.0 checks only lengths.
        One by one, a hash converts at the count limit if its first limit + 1 pairs fit,
        whatever comes after."""
        limit = self.limits.hash_max_listpack_entries
        if n <= limit:
            return 0.0, 0
        if arrival == "one_by_one":
            return self.pair_fits ** (limit + 1), limit + 1
        first = _first_command(n, arrival)
        return (1.0 if first > limit and self.profile.write_size_hints else self.pair_fits**n), first

    def _table(self, n: int, converted_at: int, arrival: Arrival) -> float:
        buckets = _dict_slots(self.profile, "hash", n, converted_at, arrival)
        return self.profile.allocator.class_bytes(self.profile.dict_struct_bytes) + DICT_POINTER_BYTES * buckets


def _pairs_with(profile: EngineProfile, field_bytes: int, values: Items) -> float:
    """Valkey 8.1: a field of ``field_bytes`` with its value, expected over the values (the
    field's part worked out once): one allocation when both fit 128 bytes, else the field's
    and the value's own. ``values.allocating`` of that pair, inlined (a hash's fields and
    values are priced on their product): the same arithmetic, point by point."""
    allocator, rule = profile.allocator, profile.sds_rule
    alloc, around = allocator.class_bytes, allocator.mean_class_around
    field = sds_bytes(field_bytes, "valkey8")
    apart = alloc(8 + max(3, field - field_bytes - 1) + field_bytes + 1)  # the field, the value apart

    def side(points: tuple[tuple[int, float, int, int], ...]) -> float:
        # Distribution.expect_allocating_item of the pair, its request's class averaged over the stratum.
        total = 0.0
        for value_bytes, weight, low, high in points:
            value = 3 + value_bytes + 1  # values embed as sdshdr8
            if field + value <= EMBED_VALUE_MAX_ALLOC_BYTES:
                request = field + value
                total += weight * (alloc(request) if low == high else around(request, low - value_bytes, high - value_bytes))
            else:
                request = sds_bytes(value_bytes, rule)
                total += weight * (apart + (alloc(request) if low == high
                                            else around(request, low - value_bytes, high - value_bytes)))
        return total

    total = 0.0  # Items.allocating
    if values.text is not None and values.numeric_share < 1:
        total += (1 - values.numeric_share) * side(values.text.points)
    if values.digits is not None and values.numeric_share > 0:
        total += values.numeric_share * side(values.digits.points)
    return total


class _Set(_Pricer):
    """Sets: an intset while every member is an integer (up to set-max-intset-entries), a
    listpack (7.2+) while all fit ``set-max-listpack-*``, else a table."""

    ELEMENT_FIELDS = frozenset({"member_bytes", "numeric"})


    def __init__(self, keyspace: SetKeyspace, profile: EngineProfile, limits: EncodingLimits) -> None:
        self.profile, self.limits = profile, limits
        value_limit = limits.set_max_listpack_value
        self.members = items(keyspace.member_bytes, keyspace.numeric, value_limit)
        self.numeric = self.members.numeric_share
        # The widest member decides an intset's width (int16, int32, int64).
        self.below_int16 = self.members.integer_share_below(2**15) / self.numeric if self.numeric else 0.0
        self.below_int32 = self.members.integer_share_below(2**31) / self.numeric if self.numeric else 0.0
        self.fits = self.members.fits(value_limit)
        small = self.members.fitting(value_limit)
        self.listpack_member, self.member_variance = _entry_moments(small, profile)
        sds = _item_sds(profile)
        self.table_member = self.members.allocating(sds, profile.allocator)
        self.table_member_small = small.allocating(sds, profile.allocator) if small else 0.0

    def priced(self, n: int, count_variance: float = 0.0, arrival: Arrival = "commands") -> Priced:
        alloc = self.profile.allocator.class_bytes
        limits = self.limits
        intset = self.numeric**n if n <= limits.set_max_intset_entries else 0.0
        result: Priced = []
        if intset > 0:
            int16, int32 = self.below_int16**n, self.below_int32**n
            size = (int16 * alloc(INTSET_HEADER_BYTES + 2 * n) + (int32 - int16) * alloc(INTSET_HEADER_BYTES + 4 * n)
                    + (1 - int32) * alloc(INTSET_HEADER_BYTES + 8 * n))
            result.append(("intset", intset, size))
        listpack = 0.0
        if self.profile.small_sets_as_listpack and n <= limits.set_max_listpack_entries:
            listpack = max(0.0, self.fits**n - intset)
            if listpack > 0:
                variance = _pack_variance(n, count_variance, self.listpack_member, self.member_variance)
                result.append(("listpack", listpack, _pack(self.profile, n * self.listpack_member, variance)))
        table = 1 - intset - listpack
        if table > 1e-12:
            member = _split(listpack + intset, n, self.table_member, self.table_member_small) / n
            if self.profile.keyspace_layout == "hashtable":
                buckets = sum(share * _hashtable_written(n, arrival, 1, presized_to)
                              for share, presized_to in self._table_presizes(n, table, arrival))
                size = alloc(self.profile.hashtable_struct_bytes) + buckets + n * member
            elif self.profile.write_size_hints:
                slots = sum(share * _presized_dict_slots(n, presized_to, arrival)
                            for share, presized_to in self._table_presizes(n, table, arrival))
            else:
                # All-integer sets that outgrew the intset converted from it, pre-sized.
                converted = self.numeric**n if n > limits.set_max_intset_entries else 0.0
                slots = converted * _dict_slots(self.profile, "set", n, limits.set_max_intset_entries + 1, arrival) + \
                    (1 - converted) * _dict_slots(self.profile, "set", n, 0, arrival)
            if self.profile.keyspace_layout != "hashtable":
                if self.profile.set_dict_no_value:
                    chains = dict_buckets(n)
                    chained = n - chains * (1 - math.exp(-n / chains))  # members sharing a bucket with another
                    per_member = member + alloc(DICT_NO_VALUE_ENTRY_BYTES) * chained / n
                else:
                    per_member = member + alloc(DICT_ENTRY_BYTES)
                size = alloc(self.profile.dict_struct_bytes) + DICT_POINTER_BYTES * slots + n * per_member
            result.append(("hashtable", table, size))
        return result

    def _table_presizes(self, n: int, table: float, arrival: Arrival) -> list[tuple[float, int]]:
        """(share of the table-encoded sets, elements their table was first sized for), 7.2+.

        SADD creates a set from its first member and the command's count h (t_set.c
        ``setTypeCreate``): an intset if that member is an integer and h fits an intset,
        else a listpack if h fits one, else a table expanded to h. An intset meeting a text
        member becomes a listpack, and a listpack outgrowing the entry limit becomes a
        table expanded to the entry limit + 1 (``setTypeConvertAndExpand``, lpLength + 1);
        a member too long for a listpack converts it at once, while it is nearly empty.
        """
        limits = self.limits
        first = _first_command(n, arrival)
        by_count = limits.set_max_listpack_entries + 1
        if n <= limits.set_max_listpack_entries:  # only a long member makes these tables
            return self._converted_by_long_member(n, 1.0, n)
        if first <= limits.set_max_listpack_entries:  # every set starts as a listpack or an intset
            all_integers = self.numeric**n / table if n > limits.set_max_intset_entries else 0.0
            fits_to_limit = (1 - all_integers) * self.fits**by_count
            return [(all_integers, limits.set_max_intset_entries + 1), (fits_to_limit, by_count),
                    *self._converted_by_long_member(n, 1 - all_integers - fits_to_limit, by_count)]
        if first > limits.set_max_intset_entries or not self.numeric:
            return [(1.0, first)]
        # A first member that is an integer, in sets that are not all integers.
        from_intset = self.numeric * (1 - self.numeric ** (n - 1)) / table
        fits_to_limit = self.fits**by_count
        return [(1 - from_intset, first), (from_intset * fits_to_limit, by_count),
                *self._converted_by_long_member(n, from_intset * (1 - fits_to_limit), by_count)]

    def _converted_by_long_member(self, n: int, share: float, within: int) -> list[tuple[float, int]]:
        """A listpack that met a member too long for it among its first ``within`` members
        became a table expanded to its length + 1 then (``setTypeAddAux``). The table holds
        all n without growing if that member came late enough, at position m - 1 or later
        where m is the least expansion that covers n (the first long member's position is
        geometric: each member is long with probability 1 - fits); it is priced as expanded
        for m, the likeliest of those positions."""
        if share <= 0:
            return []
        covering = self._covering_presize(n)
        fits = self.fits
        if fits >= 1 or covering > within:
            return [(share, 0)]
        late = (fits ** (covering - 1) - fits**within) / (1 - fits**within)
        return [(share * late, covering), (share * (1 - late), 0)]

    def _covering_presize(self, n: int) -> int:
        """The least element count a table expanded for holds n elements without growing."""
        if self.profile.keyspace_layout == "hashtable":
            needed = hashtable_buckets(n)
            low, high = 1, n
            while low < high:  # hashtable_buckets(p, presized=True) grows with p
                middle = (low + high) // 2
                if hashtable_buckets(middle, presized=True) >= needed:
                    high = middle
                else:
                    low = middle + 1
            return low
        return dict_buckets(n) // 2 + 1


def _presized_dict_slots(elements: int, presized_to: int, arrival: Arrival) -> float:
    """Pointer slots of a set's dict first expanded for ``presized_to`` elements (7.2+),
    plus the old array a later growth leaves (SADD: one lookup per member)."""
    final = dict_buckets(elements)
    if arrival == "restored":
        return final
    presized = dict_buckets(presized_to) if presized_to else 0
    return max(final, presized) + dict_residual_buckets(elements, _STEPS_PER_INSERT["set"], presized)


def skiplist_node_bytes(profile: EngineProfile) -> float:
    """Expected size class of a skiplist node: 24 bytes + 16 per level, P(level >= k) = 4^-(k-1)."""
    return _skiplist_node_bytes(profile.allocator)


@lru_cache(maxsize=8)
def _skiplist_node_bytes(allocator: Allocator) -> float:
    expected = 0.0
    for level in range(1, SKIPLIST_MAX_LEVEL + 1):
        share = (1 - SKIPLIST_P) * SKIPLIST_P ** (level - 1) if level < SKIPLIST_MAX_LEVEL else SKIPLIST_P ** (level - 1)
        expected += share * allocator.class_bytes(24 + 16 * level)
    return expected


def _level_shares() -> list[tuple[int, float]]:
    """(level, share of nodes) of skiplist node heights: P(level >= k) = 4^-(k-1), capped."""
    return [(level, (1 - SKIPLIST_P) * SKIPLIST_P ** (level - 1) if level < SKIPLIST_MAX_LEVEL
             else SKIPLIST_P ** (level - 1)) for level in range(1, SKIPLIST_MAX_LEVEL + 1)]


def _member_node(profile: EngineProfile) -> AllocatingCost:
    """Valkey 9.1: a skiplist node with its member embedded, expected over node heights:
    16 + 16 per level, one byte giving the SDS header's size, then the member's SDS."""
    levels = [(level, share) for level, share in _level_shares() if share > 1e-12]

    def node(length: int, _numeric: bool, alloc: Alloc) -> float:
        member = 1 + sds_bytes(length, profile.sds_rule)
        return sum(share * alloc(EMBEDDED_NODE_BYTES + SKIPLIST_LEVEL_BYTES * (level - 1) + member)
                   for level, share in levels)

    return node


def score_entry_bytes(profile: EngineProfile, scores: ScoreKind) -> float:
    """A score's entry in a zset listpack: the engine writes the score as text
    (``d2string``) and the listpack stores text that parses as an integer as one."""
    if scores == "floats":
        return _entry(profile, DOUBLE_SCORE_CHARS, False)
    low, high = SCORE_RANGES[scores]
    return integer_entry_bytes(low, high, "ziplist" if profile.small_encoding == "ziplist" else "listpack")


class _Zset(_Pricer):
    """Sorted sets: a listpack of member/score pairs while all fit ``zset-max-listpack-*``,
    else a skiplist with a dict (or hashtable) of members."""

    ELEMENT_FIELDS = frozenset({"member_bytes", "numeric", "scores"})


    def __init__(self, keyspace: ZsetKeyspace, profile: EngineProfile, limits: EncodingLimits) -> None:
        self.profile, self.limits = profile, limits
        value_limit = limits.zset_max_listpack_value
        self.members = items(keyspace.member_bytes, keyspace.numeric, value_limit)
        self.fits = self.members.fits(value_limit)
        small = self.members.fitting(value_limit)
        score = score_entry_bytes(profile, keyspace.scores)
        self.listpack_pair, self.pair_variance = _entry_moments(small, profile, score)
        # In a skiplist every member is an SDS string, integers too; from 9.1 inside its node.
        if profile.skiplist_embeds_member:
            self.node = 0.0
            sds = _member_node(profile)
        else:
            self.node = skiplist_node_bytes(profile)
            sds = _item_sds(profile)
        self.table_member = self.members.allocating(sds, profile.allocator)
        self.table_member_small = small.allocating(sds, profile.allocator) if small else 0.0

    def priced(self, n: int, count_variance: float = 0.0, arrival: Arrival = "commands") -> Priced:
        profile = self.profile
        small = self.fits**n if n <= self.limits.zset_max_listpack_entries else 0.0
        result: Priced = []
        if small > 0:
            variance = _pack_variance(n, count_variance, self.listpack_pair, self.pair_variance)
            result.append((profile.small_encoding, small, _pack(profile, n * self.listpack_pair, variance)))
        if small < 1:
            alloc = profile.allocator.class_bytes
            members = _split(small, n, self.table_member, self.table_member_small)
            if profile.skiplist_embeds_member:  # the skiplist struct is its own header node
                fixed = alloc(ZSET_STRUCT_BYTES) + alloc(EMBEDDED_NODE_BYTES + SKIPLIST_LEVEL_BYTES * (SKIPLIST_MAX_LEVEL - 1))
            else:
                fixed = alloc(ZSET_STRUCT_BYTES) + alloc(ZSKIPLIST_BYTES) + alloc(24 + 16 * SKIPLIST_MAX_LEVEL)
            nodes = n * self.node + members
            by_count, presized_to = self._by_count(n, arrival)
            if profile.keyspace_layout == "hashtable":
                table = (by_count * _hashtable_written(n, arrival, 2, presized_to)
                         + (1 - by_count) * _hashtable_written(n, arrival, 2))
                size = fixed + alloc(profile.hashtable_struct_bytes) + table + nodes
            else:
                buckets = (by_count * _dict_slots(profile, "zset", n, presized_to, arrival)
                           + (1 - by_count) * _dict_slots(profile, "zset", n, 0, arrival))
                size = (fixed + alloc(profile.dict_struct_bytes) + DICT_POINTER_BYTES * buckets + nodes
                        + n * alloc(DICT_ENTRY_BYTES))
            result.append(("skiplist", 1 - small, size))
        return result

    def _by_count(self, n: int, arrival: Arrival) -> tuple[float, int]:
        """(share of the skiplist zsets whose table was sized for a count, that count).

        ZADD creates a skiplist expanded to its member count when that passes the limit or
        a member is too long (t_zset.c ``zsetTypeCreate``). One by one, a listpack
        converts at the count limit, expanded to limit + 1, if its first limit + 1 members
        fit; a long member converts it while nearly empty."""
        limit = self.limits.zset_max_listpack_entries
        if arrival != "one_by_one":
            return 1.0, _first_command(n, arrival)
        if n <= limit:
            return 0.0, 0
        return self.fits ** (limit + 1), limit + 1


_PRICER_MEMO: Memo[tuple[_Hash | _Set | _Zset | _List, PricedByArrival]] = Memo()
"""Each element shape's pricer, with what it priced by arrival and (count, spread)."""
_STRUCTURE_MEMO: Memo[tuple[tuple[tuple[str, float], ...], float]] = Memo()
"""``value_structure`` by the fields it reads: a keyspace's count and element shape."""


@forgotten_on_clear
@lru_cache(maxsize=65536)
def _hashtable_written(elements: int, arrival: Arrival, steps_per_insert: int = 1, presized_to: int = 0) -> float:
    """Bucket bytes of a nested Valkey 8.1 hashtable, with any unfinished rehash.

    ``presized_to``: elements the first write command expanded the table for (SADD and
    ZADD of more than a listpack holds, HSET converting by count: ``hashtableExpand`` with
    the command's size hint in t_set.c, t_zset.c, t_hash.c); a table never grown past that
    has no old table left. A resize first finishes the previous rehash, and every lookup
    moves one bucket index (empty or not, with its child buckets), so only the last growth
    can be unfinished: the old table (full: 7 entries per bucket, with its overflow
    children) stays until as many lookups as it has buckets (ZADD does two per member,
    HSET and SADD one).
    """
    presized = arrival == "restored"
    total = hashtable_bytes(elements, presized=presized)
    if presized:
        return total
    if presized_to:
        # The table keeps the buckets it was expanded to while they hold ``elements``: a set
        # converted at 129 members has 32 buckets up to 224 members, not the 64 an expansion
        # for 205 or more would give.
        expanded = hashtable_buckets(presized_to, presized=True)
        if expanded >= hashtable_buckets(elements):
            return HASHTABLE_BUCKET_BYTES * (expanded + hashtable_child_buckets(elements, expanded))
    old = hashtable_buckets(elements) // 2
    # The insert that finds the table full starts the resize; only later lookups move buckets.
    lookups = (elements - HASHTABLE_ENTRIES_PER_BUCKET * old - 1) * steps_per_insert
    if old and lookups < old:
        unmoved = 1 - max(lookups, 0) / old
        old_children = hashtable_child_buckets(HASHTABLE_ENTRIES_PER_BUCKET * old, old)
        total += HASHTABLE_BUCKET_BYTES * (old + unmoved * old_children)
    return total


def _first_command(elements: int, arrival: Arrival) -> int:
    """Elements the first write command of a collection carries."""
    return 1 if arrival == "one_by_one" else min(elements, WRITE_BATCH_ELEMENTS)


def list_batch_elements(element_bytes: int) -> int:
    """Elements per RPUSH when writing a long list: enough to pass one 8 KiB node."""
    return max(WRITE_BATCH_ELEMENTS, QUICKLIST_SAFETY_LIMIT // element_bytes + 1)


def _node_limit(limits: EncodingLimits) -> tuple[int, int]:
    """(byte limit, count limit) of one quicklist node for list-max-listpack-size."""
    fill = limits.list_max_listpack_size
    if fill < 0:
        return NODE_SIZE_LIMITS[min(-fill, 5) - 1], 2**31
    return QUICKLIST_SAFETY_LIMIT, max(fill, 1)


class _List(_Pricer):
    """Lists: one listpack while small (7.2+), else a quicklist of listpack nodes.

    With one element length the nodes are counted (``_uniform``). With lengths that vary, a
    node closes early when the next element does not fit, and each node's allocation class
    depends on what it holds, so the packing is simulated (``_list_packings``) by the
    engine's rule (``_quicklistNodeAllowInsert``), and where elements are small the one
    listpack or node a list fits is priced from the normal total of its elements
    (``_normal_single``). Only what packing adds is taken from the simulation; the elements'
    own bytes are their exact expectation. Against random lists packed by the same rule
    (the rule itself matches ``MEMORY USAGE`` on real servers list by list),
    ``benchmarks/list_packing.py`` records the error per count.
    """

    ELEMENT_FIELDS = frozenset({"element_bytes", "numeric"})


    def __init__(self, keyspace: ListKeyspace, profile: EngineProfile, limits: EncodingLimits) -> None:
        self.profile = profile
        self.byte_limit, self.count_limit = _node_limit(limits)
        self.elements = items(keyspace.element_bytes, keyspace.numeric, self.byte_limit)
        self.batch = list_batch_elements(max(1, round(self.elements.mean_length())))
        self.prefixes: tuple[Packing, ...] = ()
        self.fits: tuple[Fits, ...] = ()
        """Past the short sequences' packing: which still fit one listpack, and its bytes."""
        self._moments: tuple[float, float, float, float, float, float] | None = None
        """Mean and variance of an element's length and entry, their covariance, and the mean
        insert overhead."""
        self.long: tuple[Packing, ...] = ()
        self.payload = 0.0
        self.steady: float | None = None
        """Packing's bytes per element beyond the simulated lengths (``_steady_overhead``)."""
        self._priced: dict[int, Priced] = {}
        if not self.elements.exact:
            self.prefixes, self.fits, self.long, self.steady, self.payload = _list_packings(
                profile, self.byte_limit, self.count_limit, self.elements)

    def priced(self, n: int, count_variance: float = 0.0, arrival: Arrival = "commands") -> Priced:
        # A quicklist has no table, so how the list arrived does not change it: priced
        # once per count for both.
        if n not in self._priced:
            self._priced[n] = self._priced_count(n)
        return self._priced[n]

    def _priced_count(self, n: int) -> Priced:
        if not self.prefixes:
            length = round(self.elements.mean_length())
            return self._uniform(n, length, self.elements.expect(lambda l, numeric: _entry(self.profile, l, numeric)))
        one_listpack = self.profile.small_lists_as_listpack
        listpack_allowed = one_listpack and min(n, self.batch) == n
        short = len(self.prefixes[0])
        packed = [prefix[n - 1] for prefix in self.prefixes] if n <= short else \
            [(0.0, self._long_quicklist(prefix, n), n <= len(prefix) and prefix[n - 1][2]) for prefix in self.long]
        if one_listpack and not listpack_allowed:
            return self._mixed(packed, n, False)
        if n >= NORMAL_FROM_ELEMENTS and _small_elements(self.elements, self.byte_limit):
            # Many small elements: their total is near normal, and the class of the one
            # listpack (or one quicklist node) is averaged over its strata, where a
            # simulated list's class is one draw of it.
            share, listpack = self._normal_single(n)  # less the payload, as simulated
        elif not one_listpack:
            return self._mixed(packed, n, False)
        elif n <= short:
            return self._mixed(packed, n, True)
        else:
            simulated = max(len(f) for f in self.fits)
            if n - short > simulated:
                return self._mixed(packed, n, False)  # every simulated list had outgrown one listpack
            # Past the short sequences some lists still fit one listpack: that share, and
            # what those listpacks take, from the short sequences; the rest from the long ones.
            fitting = [f[n - short - 1] for f in self.fits if n - short <= len(f)]
            share = len(fitting) / len(self.fits)
            listpack = sum(fitting) / len(fitting) if fitting else 0.0
        if share <= 0:
            return self._mixed(packed, n, False)
        # The rest are quicklists of lists too long for one listpack: priced over the
        # simulated lists that were (those that fit hold one node, a node fewer). Each
        # part is what packing adds to its lists' own payload; the payload, over all
        # lists, is the elements' exact expectation.
        outgrown = [p[1] for p in packed if not p[2]] or [p[1] for p in packed]
        total = n * self.payload + share * listpack + (1 - share) * sum(outgrown) / len(outgrown)
        if not one_listpack:
            return [("quicklist", 1.0, total)]
        return [(encoding, part, total) for encoding, part in (("listpack", share), ("quicklist", 1 - share)) if part > 0]

    def _normal_single(self, n: int) -> tuple[float, float]:
        """Lists of many small elements: (share held in one listpack, or in 7.0 and before
        in one quicklist node; what that takes beyond the entries). The totals of the n
        element lengths and of their entries are taken as normal, the entries' given the
        lengths' by their correlation, and the class is averaged over ``FIT_STRATA`` strata
        of the total below the limit. 7.2+ keeps a list one listpack while its lengths
        total at most the node limit less the header (``listTypeTryConversionAppend``); a
        quicklist node takes an element while its bytes, the element's length and
        ``SIZE_ESTIMATE_OVERHEAD`` fit (``_quicklistNodeAllowInsert``)."""
        profile = self.profile
        moments = self._moments
        if moments is None:
            raw_mean = self.elements.expect(lambda length, _numeric: float(length))
            entry_mean = self.elements.expect(lambda length, numeric: _entry(profile, length, numeric))
            raw_var = self.elements.expect(lambda length, _numeric: (length - raw_mean) ** 2)
            entry_var = self.elements.expect(lambda length, numeric: (_entry(profile, length, numeric) - entry_mean) ** 2)
            covariance = self.elements.expect(
                lambda length, numeric: (length - raw_mean) * (_entry(profile, length, numeric) - entry_mean))
            overhead = self.elements.expect(lambda length, _numeric: float(_insert_overhead(profile, length)))
            moments = self._moments = (raw_mean, raw_var, entry_mean, entry_var, covariance, overhead)
        raw_mean, raw_var, entry_mean, entry_var, covariance, overhead = moments
        alloc = profile.allocator
        if profile.small_lists_as_listpack:
            header, beyond = LISTPACK_HEADER_BYTES, 0.0
            # The limit binds the lengths' total; the entries follow it.
            mean, var, room = n * raw_mean, n * raw_var, self.byte_limit - header + 0.5
            slope = covariance / raw_var if raw_var > 0 else 0.0
            residual_var = max(0.0, n * (entry_var - slope * covariance))
        else:
            header = ZIPLIST_HEADER_BYTES if profile.small_encoding == "ziplist" else LISTPACK_HEADER_BYTES
            beyond = float(alloc.class_bytes(QUICKLIST_BYTES) + alloc.class_bytes(profile.quicklist_node_bytes))
            # The last element is checked by its length and the overhead, not its entry.
            mean, var, slope, residual_var = n * entry_mean, n * entry_var, 1.0, 0.0
            room = self.byte_limit - header - overhead + (entry_mean - raw_mean) + 0.5
        sd = math.sqrt(var)
        if sd <= 0:
            entries = n * entry_mean
            return (1.0, alloc.mean_class_bytes(header + entries) - entries + beyond) if mean <= room else (0.0, 0.0)
        top = _NORMAL.cdf((room - mean) / sd)
        if top <= 1e-9:
            return 0.0, 0.0
        residual_sd = math.sqrt(residual_var)
        total = 0.0
        for i in range(FIT_STRATA):
            limited = mean + sd * _NORMAL.inv_cdf(top * (i + 0.5) / FIT_STRATA)
            entries = n * entry_mean + slope * (limited - mean)
            total += alloc.mean_class_spread(header + entries, residual_sd) - entries
        return top, total / FIT_STRATA + beyond

    def _long_quicklist(self, prefix: Packing, n: int) -> float:
        """A long sequence's quicklist bytes after ``n`` elements, less the payload: read off
        the simulation, or extended by packing's steady cost per element beyond it."""
        if n <= len(prefix):
            return prefix[n - 1][1]
        half = len(prefix) // 2
        per_element = self.steady if self.steady is not None else \
            (prefix[-1][1] - prefix[half - 1][1]) / (len(prefix) - half)
        return prefix[-1][1] + (n - len(prefix)) * per_element

    def _mixed(self, packed: list[tuple[float, float, bool]], n: int, listpack_allowed: bool) -> Priced:
        """The mean over simulated lists of ``n`` elements (listpack bytes, quicklist bytes,
        whether one listpack holds them), each as its encoding would be."""
        shares: dict[str, float] = {}
        total = 0.0
        for listpack_bytes, quicklist_bytes, fits in packed:
            as_listpack = fits and listpack_allowed
            encoding = "listpack" if as_listpack else "quicklist"
            shares[encoding] = shares.get(encoding, 0.0) + 1 / len(packed)
            total += ((listpack_bytes if as_listpack else quicklist_bytes) + n * self.payload) / len(packed)
        return [(encoding, share, total) for encoding, share in shares.items()]

    def quicklist_bytes(self, drawn: list[tuple[bool, int]]) -> float:
        """What one list of exactly these (integer?, length) elements takes as a quicklist."""
        plain_allowed = self.profile.keyspace_layout in ("embedded", "hashtable")
        elements: list[Element] = []
        for numeric, length in drawn:
            entry = _entry(self.profile, length, numeric)
            plain = plain_allowed and not numeric and length > self.byte_limit
            elements.append((length, entry, float(length) if plain else entry, _insert_overhead(self.profile, length), plain))
        return _packed(self.profile, self.byte_limit, self.count_limit, elements)[-1][1] + sum(e[2] for e in elements)

    def _uniform(self, n: int, length: int, entry: float) -> Priced:
        """Every element ``length`` bytes (an entry of ``entry``): nodes counted, not simulated."""
        profile = self.profile
        alloc = profile.allocator.class_bytes
        first_command = min(n, list_batch_elements(length))
        if (profile.small_lists_as_listpack and first_command == n and n <= self.count_limit
                and LISTPACK_HEADER_BYTES + n * length <= self.byte_limit):
            return [("listpack", 1.0, _pack(profile, n * entry))]
        if profile.keyspace_layout in ("embedded", "hashtable") and length > self.byte_limit:
            # Valkey 8 keeps an element bigger than a node in a plain node of its own.
            return [("quicklist", 1.0, alloc(QUICKLIST_BYTES) + n * (alloc(profile.quicklist_node_bytes) + alloc(length)))]
        if profile.small_encoding == "ziplist":
            header = ZIPLIST_HEADER_BYTES
        else:
            header = LISTPACK_HEADER_BYTES
        overhead = _insert_overhead(profile, length)
        per_node = 1 + max(0, math.floor((self.byte_limit - header - length - overhead) / entry))
        per_node = min(per_node, self.count_limit)
        full_nodes, rest = divmod(n, per_node)
        node = alloc(profile.quicklist_node_bytes)
        total = alloc(QUICKLIST_BYTES) + full_nodes * (node + profile.allocator.mean_class_bytes(header + per_node * entry))
        if rest:
            total += node + profile.allocator.mean_class_bytes(header + rest * entry)
        return [("quicklist", 1.0, total)]


def _small_elements(elements: Items, byte_limit: int) -> bool:
    """Whether ``SMALL_ELEMENTS_PER_NODE`` of the longest element fit one node."""
    longest = max(side.high for side in (elements.text, elements.digits) if side is not None)
    return longest * SMALL_ELEMENTS_PER_NODE <= byte_limit


Packing = tuple[tuple[float, float, bool], ...]
"""After each element of one simulated list: (bytes as one listpack, bytes as a quicklist,
whether the elements so far fit one listpack), less the elements' own payload."""
Element = tuple[int, float, float, int, bool]
"""One simulated element: length, listpack entry, payload, insert overhead, plain node."""
Fits = tuple[float, ...]
"""After each element past a simulated list's packing, for as long as the list fits one
listpack: the bytes of that listpack, less its payload."""


@forgotten_on_clear
@lru_cache(maxsize=512)
def _list_packings(profile: EngineProfile, byte_limit: int, count_limit: int,
                   elements: Items) -> tuple[tuple[Packing, ...], tuple[Fits, ...], tuple[Packing, ...], float | None, float]:
    """The simulated packings of lists whose elements vary (short and long sequences) and
    the elements' mean payload: they depend on the element distribution only, so a
    keyspace's largest key, its restored form and a fleet's repeats share them.

    Each sequence holds every stratum of the distribution once, in its own shuffled order:
    neighbours are independent, as in real lists (an ordered or low-discrepancy sequence
    alternates long and short elements, which pack better than real ones). Short lists are
    priced over many sequences, each starting in its own stratum; long ones over a few long
    sequences, extended linearly beyond. What the elements themselves take is known
    exactly: the simulation only estimates what packing adds (nodes, allocation classes),
    which varies far less.
    """
    plain_allowed = profile.keyspace_layout in ("embedded", "hashtable")
    made: dict[tuple[bool, int], Element] = {}
    """Each element drawn so far: the simulated lists draw the same few lengths thousands of times."""

    def element(numeric: bool, length: int) -> Element:
        try:
            return made[(numeric, length)]
        except KeyError:
            entry = _entry(profile, length, numeric)
            plain = plain_allowed and not numeric and length > byte_limit
            drawn = made[(numeric, length)] = (length, entry, float(length) if plain else entry,
                                               _insert_overhead(profile, length), plain)
            return drawn

    def sequences(count: int, length: int) -> tuple[tuple[Packing, ...], tuple[Fits, ...]]:
        # A Latin hypercube across the sequences: at each position the sequences hold every
        # stratum of the distribution once (the mean of every prefix is exact), in an order
        # of its own per position, so the elements of one sequence are independent. (Each
        # sequence holding every stratum once instead makes a prefix's total nearly fixed as
        # it nears the sequence's length: at 64 of 64 elements every sequence had the
        # population's total, and the share of lists that still fit one listpack was all or
        # nothing, off by up to 5% against random lists.)
        strata = [(i + 0.5) / count for i in range(count)]
        numeric_of = [elements.draw(u, 0.5)[0] for u in strata]
        # The element at (integer stratum, length stratum) depends on the first only by
        # whether it draws an integer: one row of elements per answer.
        rows: dict[bool, list[Element]] = {}
        for u, numeric in zip(strata, numeric_of):
            if numeric not in rows:
                rows[numeric] = [element(*elements.draw(u, length_u)) for length_u in strata]
        grid = [rows[numeric] for numeric in numeric_of]

        orders: list[list[Element]] = [[] for _ in range(count)]
        raw = [0] * count
        # Past ``length`` while some sequence still fits one listpack (7.2+), only the ones
        # that do, and only whether they fit and what that listpack takes: a few long
        # sequences would give the share of lists that fit in eighths (-2% on 65-element
        # lists of 297-byte strings and integers).
        active = list(range(count))
        priced_as_normal = _small_elements(elements, byte_limit)  # by ``_List._normal_single``
        end = min(LIST_LONG_ELEMENTS, count_limit) if profile.small_lists_as_listpack and not priced_as_normal else length
        for position in range(end):
            if position >= length:
                active = [r for r in active if LISTPACK_HEADER_BYTES + raw[r] <= byte_limit]
                if not active:
                    break
            by_numeric, by_length = _latin_orders(count, position)
            for r in active:
                drawn_element = grid[by_numeric[r]][by_length[r]]
                orders[r].append(drawn_element)
                raw[r] += drawn_element[0]
        packings = tuple(_packed(profile, byte_limit, count_limit, order[:length]) for order in orders)
        return packings, tuple(_listpack_fits(profile, byte_limit, order, length) for order in orders)

    def independent(count: int, length: int) -> tuple[tuple[Packing, ...], float | None]:
        # Drawn with replacement: a long prefix of one stratified sequence has nearly the
        # population's total, so its last node's size class is always the same one, where
        # real lists' totals spread over several (+2.6% at 512 elements of 1..60 bytes).
        draws = []
        for r in range(count):
            rng = random.Random(r)
            draws.append([element(*elements.draw(rng.random(), rng.random())) for _ in range(length)])
        stream = [e for drawn in draws for e in drawn]  # the same draws as one long list
        return (tuple(_packed(profile, byte_limit, count_limit, drawn) for drawn in draws),
                _steady_overhead(profile, byte_limit, count_limit, stream))

    payload = elements.expect(lambda length, numeric: element(numeric, length)[2])
    # Long enough to close two nodes: beyond the first node's close a list grows by whole
    # nodes, and extending a one-node list linearly over-counts the second (+4% at 660
    # elements of 10..16 bytes, against random lists).
    per_node = byte_limit / max(1.0, elements.expect(lambda length, numeric: element(numeric, length)[1]))
    long_length = max(LIST_LONG_ELEMENTS, min(LIST_LONGEST_ELEMENTS, math.ceil(LONG_NODES * per_node)))
    long, steady = independent(LIST_LONG_SEQUENCES, long_length)
    short, fits = sequences(LIST_SHORT_SEQUENCES, LIST_SHORT_ELEMENTS)
    return short, fits, long, steady, payload


@lru_cache(maxsize=LIST_LONG_ELEMENTS)
def _latin_orders(count: int, position: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Which stratum of the integer share and of the length each of ``count`` simulated
    lists takes at ``position``: two permutations of its own per position, the same in
    every process (seeded by the position)."""
    rng = random.Random(position)
    return tuple(rng.sample(range(count), count)), tuple(rng.sample(range(count), count))


def _listpack_fits(profile: EngineProfile, byte_limit: int, order: list[Element], packed: int) -> Fits:
    """For each prefix of ``order`` longer than ``packed`` elements, up to the first that no
    longer fits one listpack: the bytes of that listpack, less its payload."""
    alloc = profile.allocator.class_bytes
    raw = sum(e[0] for e in order[:packed])
    entries = sum(e[1] for e in order[:packed])
    payload = sum(e[2] for e in order[:packed])
    out: list[float] = []
    for length, entry, own, _overhead, _plain in order[packed:]:
        raw, entries, payload = raw + length, entries + entry, payload + own
        if LISTPACK_HEADER_BYTES + raw > byte_limit:
            break
        out.append(alloc(math.ceil(LISTPACK_HEADER_BYTES + entries)) - payload)
    return tuple(out)


def _packed(profile: EngineProfile, byte_limit: int, count_limit: int, drawn: list[Element]) -> Packing:
    """Pack ``drawn`` by the engine's rule (``_quicklistNodeAllowInsert``): an element joins
    the open node while its bytes, its length and the insert overhead fit the node limit;
    in Valkey 8 one longer than a node gets a plain node of its own."""
    alloc = profile.allocator.class_bytes
    header = ZIPLIST_HEADER_BYTES if profile.small_encoding == "ziplist" else LISTPACK_HEADER_BYTES
    node = alloc(profile.quicklist_node_bytes)
    closed = float(alloc(QUICKLIST_BYTES))
    open_bytes, open_count, raw_length, entries, payload = float(header), 0, 0, 0.0, 0.0
    out: list[tuple[float, float, bool]] = []
    for length, entry, own, overhead, plain in drawn:
        raw_length += length
        entries += entry
        payload += own
        if plain:
            if open_count:
                closed += node + alloc(math.ceil(open_bytes))
            closed += node + alloc(length)
            open_bytes, open_count = float(header), 0
        else:
            if open_count and (open_bytes + length + overhead > byte_limit or open_count >= count_limit):
                closed += node + alloc(math.ceil(open_bytes))
                open_bytes, open_count = float(header), 0
            open_bytes += entry
            open_count += 1
        quicklist = closed + (node + alloc(math.ceil(open_bytes)) if open_count else 0)
        single = LISTPACK_HEADER_BYTES + raw_length <= byte_limit and len(out) + 1 <= count_limit
        listpack = float(alloc(math.ceil(LISTPACK_HEADER_BYTES + entries))) if single else 0.0
        out.append((listpack - payload, quicklist - payload, single))
    return tuple(out)


def _steady_overhead(profile: EngineProfile, byte_limit: int, count_limit: int, drawn: list[Element]) -> float | None:
    """Bytes per element that packing adds in a long list, beyond the elements' own: the
    closed nodes' structs and size classes, less their payload, per element, between the
    first node closed after a quarter of ``drawn`` and the last one closed (no open node's
    partial class in either end). None where fewer than two nodes close."""
    alloc = profile.allocator.class_bytes
    header = ZIPLIST_HEADER_BYTES if profile.small_encoding == "ziplist" else LISTPACK_HEADER_BYTES
    node = alloc(profile.quicklist_node_bytes)
    closed, payload, open_bytes, open_count, open_payload = 0.0, 0.0, float(header), 0, 0.0
    closes: list[tuple[int, float]] = []  # (elements in closed nodes, their bytes less payload)
    packed = 0
    for length, entry, own, overhead, plain in drawn:
        if plain or (open_count and (open_bytes + length + overhead > byte_limit or open_count >= count_limit)):
            if open_count:
                closed += node + alloc(math.ceil(open_bytes))
                payload += open_payload
                packed += open_count
                closes.append((packed, closed - payload))
            open_bytes, open_count, open_payload = float(header), 0, 0.0
        if plain:
            closed += node + alloc(length)
            payload += own
            packed += 1
            closes.append((packed, closed - payload))
            continue
        open_bytes += entry
        open_count += 1
        open_payload += own
    later = [c for c in closes if c[0] >= len(drawn) // 4]
    if len(later) < 2:
        return None
    (first_elements, first_bytes), (last_elements, last_bytes) = later[0], later[-1]
    return (last_bytes - first_bytes) / (last_elements - first_elements)


def _insert_overhead(profile: EngineProfile, length: int) -> int:
    """What a quicklist adds to an element's length when checking that it fits a node:
    ``SIZE_ESTIMATE_OVERHEAD`` (7.0+), or the ziplist's prevlen and encoding (6.2)."""
    if profile.small_encoding == "ziplist":
        return (1 if length < 254 else 5) + (1 if length < 64 else (2 if length < 16_384 else 5))
    return QUICKLIST_ESTIMATE_OVERHEAD


_PRICERS: dict[type, type[_Hash | _Set | _Zset | _List]] = {
    HashKeyspace: _Hash, SetKeyspace: _Set, ZsetKeyspace: _Zset, ListKeyspace: _List,
}
