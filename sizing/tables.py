"""Hash-table sizes: bucket arrays that grow in powers of two, and their expectations.

Glossary
    buckets             top-level slots of a table. ``dict`` (Redis 6.2 - Valkey 8.0):
                        8-byte pointers; ``hashtable`` (Valkey 8.1): 64-byte buckets of 7 entries.
    child_buckets       Valkey 8.1 overflow buckets chained from a full bucket.
    residual_buckets    the old bucket array a dict keeps while an incremental rehash is
                        unfinished. Only operations on that dict move buckets, so a nested
                        collection written in bulk can keep it for good.
    slot_tables         cluster mode in Valkey 8.x keeps one table per hash slot (16,384).
"""

from __future__ import annotations

import math
from collections.abc import Callable

DICT_MIN_BUCKETS = 4
"""``DICT_HT_INITIAL_SIZE`` (dict.h): the first bucket array has 4 slots."""
DICT_POINTER_BYTES = 8
HASHTABLE_BUCKET_BYTES = 64
"""``HASHTABLE_BUCKET_SIZE`` (Valkey 8.1 hashtable.h): one cache line per bucket."""
HASHTABLE_ENTRIES_PER_BUCKET = 7
"""``ENTRIES_PER_BUCKET`` on 64-bit builds (Valkey 8.1 hashtable.c)."""
CLUSTER_SLOTS = 16_384
NONEMPTY_AFTER_GROWTH = 1 - math.exp(-1)
"""Share of non-empty buckets in a dict that has as many entries as buckets (Poisson, λ=1)."""


def pow2_at_least(n: int) -> int:
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


def dict_buckets(entries: int) -> int:
    """Bucket count of a dict after ``entries`` inserts: it doubles when full (load factor 1)."""
    return 0 if entries == 0 else max(DICT_MIN_BUCKETS, pow2_at_least(entries))


def dict_residual_buckets(entries: int, steps_per_insert: float, start_buckets: int = 0) -> int:
    """Old buckets still allocated after ``entries`` sequential inserts.

    The last growth (at ``entries`` = half the final size) starts a rehash of the old
    array; each later insert moves ``steps_per_insert`` non-empty buckets (dictRehash(d, 1)
    per lookup). The old array is freed only when all of its non-empty buckets moved.
    ``start_buckets``: size the dict had when inserts began (conversion pre-sizing);
    no rehash is left if it never grew.
    """
    final = dict_buckets(entries)
    old = final // 2
    if final <= max(DICT_MIN_BUCKETS, start_buckets) or old == 0:
        return 0
    moves_needed = old * NONEMPTY_AFTER_GROWTH
    moves_done = (entries - old) * steps_per_insert
    return old if moves_done < moves_needed else 0


def hashtable_buckets(entries: int, presized: bool = False) -> int:
    """Top-level buckets of a Valkey 8.1 hashtable holding ``entries``.

    Grown by inserts it expands when ``used + 1 > 7 * buckets`` to
    ``pow2(ceil(used * 5 / 32))`` (``hashtableExpandIfNeeded``, ``nextBucketExp``), which
    doubles it; expanded for a known count (RDB load) it is ``pow2(ceil(entries * 5 / 32))``.
    """
    if entries == 0:
        return 0
    if presized:
        return pow2_at_least(-(-entries * 5 // 32))
    return pow2_at_least(-(-entries // HASHTABLE_ENTRIES_PER_BUCKET))


def hashtable_child_buckets(entries: float, buckets: int) -> float:
    """Expected overflow buckets: a chain of k > 7 entries needs ceil((k - 7) / 6) children.

    Entries per bucket follow Poisson(entries / buckets); a chained bucket gives its last
    slot to the child pointer (``bucketConvertToChained``, Valkey 8.1 hashtable.c).
    """
    if buckets == 0:
        return 0.0
    mean = entries / buckets
    if mean <= 0:
        return 0.0
    pmf = math.exp(-mean)
    expected = 0.0
    for k in range(1, 8 + int(mean + 12 * math.sqrt(mean) + 12)):
        pmf *= mean / k
        if k > HASHTABLE_ENTRIES_PER_BUCKET:
            expected += pmf * -(-(k - HASHTABLE_ENTRIES_PER_BUCKET) // (HASHTABLE_ENTRIES_PER_BUCKET - 1))
    return buckets * expected


def hashtable_bytes(entries: float, presized: bool = False) -> float:
    """Bucket bytes (top-level and expected children) of one Valkey 8.1 hashtable."""
    buckets = hashtable_buckets(math.ceil(entries), presized)
    return HASHTABLE_BUCKET_BYTES * (buckets + hashtable_child_buckets(entries, buckets))


def expected_per_slot(total_entries: int, cost: Callable[[int], float]) -> float:
    """Expected total of ``cost(entries in slot)`` over the 16,384 slots of a cluster node.

    Keys spread over slots like Poisson(total / 16384) (CRC16 of distinct keys); the sum
    runs over the part of the distribution that holds all but ~1e-12 of its mass, so it
    costs the same for a thousand keys and for a billion.
    """
    if total_entries == 0:
        return 0.0
    mean = total_entries / CLUSTER_SLOTS
    spread = 12 * math.sqrt(mean) + 12
    low, high = max(0, int(mean - spread)), int(mean + spread) + 1
    expected = 0.0
    log_mean = math.log(mean)
    cache: dict[int, float] = {}
    stride = max(1, (high - low) // 512)
    for k in range(low, high + 1):
        pmf = math.exp(k * log_mean - mean - math.lgamma(k + 1))
        if k == 0 or pmf < 1e-18:
            continue
        # Costs change slowly between powers of two; evaluate on a grid when the window is wide.
        anchor = k if stride == 1 else k - (k - low) % stride
        if anchor not in cache:
            cache[anchor] = cost(max(anchor, 1))
        expected += pmf * cache[anchor]
    return CLUSTER_SLOTS * expected
