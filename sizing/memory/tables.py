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
from functools import lru_cache

DICT_MIN_BUCKETS = 4
"""``DICT_HT_INITIAL_SIZE`` (dict.h): the first bucket array has 4 slots."""
DICT_POINTER_BYTES = 8
HASHTABLE_BUCKET_BYTES = 64
"""``HASHTABLE_BUCKET_SIZE`` (Valkey 8.1 hashtable.h): one cache line per bucket."""
HASHTABLE_ENTRIES_PER_BUCKET = 7
"""``ENTRIES_PER_BUCKET`` on 64-bit builds (Valkey 8.1 hashtable.c)."""
CLUSTER_SLOTS = 16_384


def pow2_at_least(n: int) -> int:
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


def dict_buckets(entries: int, cron_expands: bool = False) -> int:
    """Bucket count of a dict after ``entries`` inserts: it doubles when full (load factor 1).

    An insert expands only when the table is already full before it (``used >= size``);
    Valkey 8's cron also runs that check on keyspace tables, so a table that is exactly
    full (65,536 keys in 65,536 buckets) is doubled there (``kvstoreTryResizeDicts``) -
    except the initial 4-bucket table, which ``dictShrinkIfNeeded`` answers for first.
    """
    if entries == 0:
        return 0
    grows_full = cron_expands and entries > DICT_MIN_BUCKETS
    return max(DICT_MIN_BUCKETS, pow2_at_least(entries + 1 if grows_full else entries))


def dict_residual_buckets(entries: int, steps_per_insert: float, start_buckets: int = 0) -> float:
    """Expected old bucket slots still allocated after ``entries`` sequential inserts.

    The last growth (at ``entries`` = half the final size) starts a rehash of the old
    array; each later insert moves ``steps_per_insert`` non-empty buckets (dictRehash(d, 1)
    per lookup). The old array is freed only when all of its non-empty buckets moved, so
    it survives with the probability that more of its buckets are occupied than there
    were moves. ``start_buckets``: size the dict had when inserts began (conversion
    pre-sizing); no rehash is left if it never grew.
    """
    final = dict_buckets(entries)
    old = final // 2
    if final <= max(DICT_MIN_BUCKETS, start_buckets) or old == 0:
        return 0.0
    # The insert that finds the array full grows it before any move; later ones move.
    moves = math.floor((entries - old - 1) * steps_per_insert)
    return old * _occupied_more_than(old, old, moves)


def _occupied_more_than(balls: int, bins: int, limit: int) -> float:
    """P(more than ``limit`` of ``bins`` are non-empty after ``balls`` random throws)."""
    if limit >= min(balls, bins):
        return 0.0
    if bins > 64:  # concentrated: decide on the mean
        return 1.0 if bins * (1 - (1 - 1 / bins) ** balls) > limit else 0.0
    return sum(_occupancy(balls, bins)[limit + 1:])


@lru_cache(maxsize=256)
def _occupancy(balls: int, bins: int) -> tuple[float, ...]:
    """Distribution of the number of non-empty bins (exact, by dynamic programming)."""
    dist = [1.0] + [0.0] * bins
    for _ in range(balls):
        step = [0.0] * (bins + 1)
        for filled, p in enumerate(dist):
            if p:
                step[filled] += p * filled / bins
                if filled < bins:
                    step[filled + 1] += p * (bins - filled) / bins
        dist = step
    return tuple(dist)


def hashtable_buckets(entries: int, presized: bool = False, cron_expands: bool = False) -> int:
    """Top-level buckets of a Valkey 8.1 hashtable holding ``entries``.

    Grown by inserts it expands when ``used + 1 > 7 * buckets`` to
    ``pow2(ceil(used * 5 / 32))`` (``hashtableExpandIfNeeded``, ``nextBucketExp``), which
    doubles it; expanded for a known count (RDB load) it is ``pow2(ceil(entries * 5 / 32))``.
    Keyspace tables are also checked by cron, which expands one holding exactly 7 per bucket.
    """
    if entries == 0:
        return 0
    grown = pow2_at_least(-(-(entries + (1 if cron_expands else 0)) // HASHTABLE_ENTRIES_PER_BUCKET))
    if presized:
        return max(grown if cron_expands else 1, pow2_at_least(-(-entries * 5 // 32)))
    return grown


def hashtable_child_buckets(entries: float, buckets: int) -> float:
    """Expected overflow buckets: a chain of k > 7 entries needs ceil((k - 7) / 6) children.

    Each of the ``entries`` lands in one of ``buckets`` at random, so a bucket holds
    Binomial(entries, 1/buckets) of them (Poisson is too wide for the small per-slot
    tables of cluster mode); a chained bucket gives its last slot to the child pointer
    (``bucketConvertToChained``, Valkey 8.1 hashtable.c).
    """
    return _child_buckets(round(entries), buckets)


@lru_cache(maxsize=65536)
def _child_buckets(n: int, buckets: int) -> float:
    if buckets == 0 or n <= HASHTABLE_ENTRIES_PER_BUCKET:
        return 0.0
    if buckets == 1:
        return float(_children_for(n))
    share = 1 / buckets
    mean = n * share
    pmf = math.exp(n * math.log1p(-share))  # P(bucket holds 0 entries)
    expected = 0.0
    ratio = share / (1 - share)
    last = min(n, 8 + int(mean + 12 * math.sqrt(mean) + 12))
    for k in range(min(last, HASHTABLE_ENTRIES_PER_BUCKET)):  # up to 7 entries need no child
        pmf *= (n - k) / (k + 1) * ratio
    for k in range(HASHTABLE_ENTRIES_PER_BUCKET, last):
        pmf *= (n - k) / (k + 1) * ratio  # now P(k + 1)
        expected += pmf * -(-(k + 1 - HASHTABLE_ENTRIES_PER_BUCKET) // (HASHTABLE_ENTRIES_PER_BUCKET - 1))
    return buckets * expected


def _children_for(chain_entries: int) -> int:
    overflow = chain_entries - HASHTABLE_ENTRIES_PER_BUCKET
    return 0 if overflow <= 0 else -(-overflow // (HASHTABLE_ENTRIES_PER_BUCKET - 1))


def hashtable_bytes(entries: float, presized: bool = False, cron_expands: bool = False) -> float:
    """Bucket bytes (top-level and expected children) of one Valkey 8.1 hashtable."""
    buckets = hashtable_buckets(math.ceil(entries), presized, cron_expands)
    return HASHTABLE_BUCKET_BYTES * (buckets + hashtable_child_buckets(entries, buckets))


COUNT_COSTS_ENTRIES = 1 << 16
"""Counts a ``CountCosts`` keeps: a fleet's per-slot windows (at most 257 counts each) reuse
most of them; a full one starts afresh."""


class CountCosts(dict[int, float]):
    """``cost(n)`` by ``n``, each computed once: per-slot costs depend only on the count in the
    slot, and the clusters of a fleet (and a cluster's shard counts and variants) ask for
    overlapping windows of counts. Look a count up with ``costs[n]`` (a dict lookup)."""

    def __init__(self, cost: Callable[[int], float]) -> None:
        super().__init__()
        self._cost = cost

    def __missing__(self, entries: int) -> float:
        if len(self) >= COUNT_COSTS_ENTRIES:
            self.clear()
        value = self[entries] = self._cost(entries)
        return value


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
    log_mean = math.log(mean)
    # Costs change slowly between powers of two: on a wide window, evaluate every
    # ``stride``-th count and weight it by the probability of its stride.
    stride = max(1, (high - low) // 256)
    first, last = _counted(max(low, 1), high, stride, mean, log_mean)
    expected = 0.0
    for k in range(first, last + 1, stride):
        pmf = math.exp(k * log_mean - mean - math.lgamma(k + 1))
        if pmf >= MIN_SLOT_PMF:
            expected += pmf * stride * cost(k)
    return CLUSTER_SLOTS * expected


MIN_SLOT_PMF = 1e-18
"""Counts less likely than this in a slot are left out of the sum: 16,384 slots x 1e-18 of
a count's cost is far below a byte."""
SKIPPED_LOG_PMF = math.log(MIN_SLOT_PMF) - 7
"""Below this log-probability (a thousandth of ``MIN_SLOT_PMF``) a count is skipped without
being priced: its computed probability, whose logarithm is off by far less than 1e-6, is
below ``MIN_SLOT_PMF`` too, so the sum leaves it out either way."""


def _counted(first: int, high: int, stride: int, mean: float, log_mean: float) -> tuple[int, int]:
    """The first and last counts of ``range(first, high + 1, stride)`` whose log-probability
    reaches ``SKIPPED_LOG_PMF``: the window's tails hold many counts far below it (the window
    is 12 standard deviations wide each way, the sum keeps about 9). The log-probability is
    concave in the count, so the counts that reach the level are one run, found by bisection
    from the likeliest count (where a step up first lowers it)."""
    def log_pmf(index: int) -> float:
        k = first + index * stride
        return k * log_mean - mean - math.lgamma(k + 1)

    top = (high - first) // stride
    low, peak = 0, top
    while low < peak:  # the first index whose next is less likely
        middle = (low + peak) // 2
        if log_pmf(middle + 1) < log_pmf(middle):
            peak = middle
        else:
            low = middle + 1
    if log_pmf(peak) < SKIPPED_LOG_PMF:  # no count reaches the level: leave the window whole
        return first, high
    low, start = 0, peak
    while low < start:  # the first index up to the peak that reaches the level
        middle = (low + start) // 2
        if log_pmf(middle) >= SKIPPED_LOG_PMF:
            start = middle
        else:
            low = middle + 1
    end, high_index = peak, top
    while end < high_index:  # the last index from the peak on that reaches it
        middle = (end + high_index + 1) // 2
        if log_pmf(middle) >= SKIPPED_LOG_PMF:
            end = middle
        else:
            high_index = middle - 1
    return first + start * stride, first + end * stride