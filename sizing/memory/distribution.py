"""Sizes and counts that vary, as weighted points the model can take expectations over.

A workload field that varies (``sizing.spec.distribution``) becomes a :class:`Distribution`:
its probability mass in segments (between two quantiles, spread log-linearly; or one
histogram bucket, spread evenly), and a few hundred weighted integer points drawn from it
by stratified quantiles, at which the model's per-item costs are evaluated. Every cost is
then an expectation over those points: a fixed amount of arithmetic whatever the number
of keys, never a loop over them. A plain number is one point of weight 1, so exact data
costs what it always did.

Two quantities are computed from the segments themselves rather than the points:
``cdf`` (how many items fit under an encoding limit, and so the chance that all n of a
collection do) and the mean, so a long tail of rare large items is neither missed nor
overcounted by the points.

Approximations, and what they cost (tests/test_distribution.py checks each against a
direct enumeration of the integers):
    - Within a quantile segment lengths are log-uniform, within a bucket uniform.
    - Each segment gets at least ``MIN_POINTS_PER_SEGMENT`` stratified points and the rest
      of ``POINTS`` by mass; a segment of fewer integers than its share is enumerated.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from sizing.memory.allocator import Allocator
from sizing.memory.memo import MEMO_ENTRIES, Memo, forgotten_on_clear, shape_key
from sizing.spec.distribution import Histogram, Quantiles, Size

Alloc = Callable[[int], float]
"""The size class of one request, as the allocator rounds it."""

POINTS = 192
"""Points per distribution: enough that allocator classes (spaced 12.5-25%) average out
within 0.1% on spread lengths (tests/test_distribution.py)."""
MIN_POINTS_PER_SEGMENT = 12
"""Even a 0.1%-mass tail segment is evaluated at this many points: the rare large items
carry much of the bytes."""


class Segment(NamedTuple):
    """Mass spread over the integers low..high: log-uniformly or evenly."""

    low: int
    high: int
    mass: float
    log: bool

    def cdf(self, x: float) -> float:
        """Share of this segment's mass at or below ``x``."""
        if x < self.low:
            return 0.0
        if x >= self.high:
            return 1.0
        if self.log:
            return math.log((math.floor(x) + 1) / self.low) / math.log((self.high + 1) / self.low)
        return (math.floor(x) - self.low + 1) / (self.high - self.low + 1)

    def quantile(self, u: float) -> int:
        """The integer at share ``u`` (0..1) of this segment."""
        if self.log:
            value = self.low * float(((self.high + 1) / self.low) ** u)
        else:
            value = self.low + u * (self.high - self.low + 1)
        return min(self.high, max(self.low, math.floor(value)))

    def mean(self) -> float:
        # Density ∝ 1/x on [low, high + 1): mean (b - a) / ln(b / a), less the floor's 1/2.
        return _stratum_mean(self.low, self.high, self.log)


Span = tuple[int, int, float, bool]
"""A segment as a plain tuple: (low, high, mass, log)."""


@dataclass(frozen=True)
class Distribution:
    """A size or count: its segments and weighted points."""

    spans: tuple[Span, ...]
    """Its segments as plain tuples (low, high, mass, log): Python's garbage collector stops
    tracking a tuple of numbers, not a ``Segment`` (a fleet's distributions hold thousands)."""
    points: tuple[tuple[int, float, int, int], ...]
    """(value, weight, low, high): a stratum of the integers low..high, priced at value,
    weights summing to 1."""
    restricted: bool = False
    """The points cover only part of the segments (``at_most``, ``above``)."""
    _derived: dict[object, object] = field(default_factory=dict, compare=False, repr=False)
    """Its ``coarser`` forms, kept with it: a distribution is priced by many costs."""

    @property
    def exact(self) -> bool:
        return len(self.points) == 1

    @property
    def segments(self) -> tuple[Segment, ...]:
        return tuple([Segment._make(span) for span in self.spans])

    @property
    def low(self) -> int:
        return self.spans[0][0]

    @property
    def high(self) -> int:
        return self.spans[-1][1]

    def mean(self) -> float:
        # Segment.mean, weighted by mass.
        return sum(mass * _stratum_mean(low, high, log) for low, high, mass, log in self.spans)

    def cdf(self, x: float) -> float:
        """P(value <= x): ``Segment.cdf`` weighted by mass, inlined (limits and key names ask
        for it at every length)."""
        spans = self.spans
        if len(spans) == 1 and spans[0][0] == spans[0][1]:  # one length (key names, mostly): the loop's sum
            return min(1.0, 0.0 + spans[0][2]) if x >= spans[0][1] else 0.0
        try:
            terms = self._derived["cdf"]
        except KeyError:
            terms = self._derived["cdf"] = tuple(
                (low, high, mass, log, math.log((high + 1) / low) if log else float(high - low + 1))
                for low, high, mass, log in self.spans)
        total = 0.0
        for low, high, mass, log, span in terms:  # type: ignore[attr-defined]
            if x >= high:
                total += mass
            elif x >= low:
                total += mass * (math.log((math.floor(x) + 1) / low) / span if log else (math.floor(x) - low + 1) / span)
        return min(1.0, total)

    def cdf_at_each(self, count: int) -> list[float]:
        """``[cdf(0), cdf(1), ..., cdf(count - 1)]``: for one length, two runs of one value."""
        spans = self.spans
        if len(spans) == 1 and spans[0][0] == spans[0][1]:
            below = min(count, max(0, spans[0][1]))
            return [0.0] * below + [min(1.0, 0.0 + spans[0][2])] * (count - below)
        return [self.cdf(x) for x in range(count)]

    def all_at_most(self, limit: float, n: float) -> float:
        """P(all of n independent values <= limit): the longest of n decides."""
        p = self.cdf(limit)
        return 1.0 if p >= 1 else (0.0 if p <= 0 else float(p**n))

    def quantile(self, u: float) -> int:
        """The value at cumulative share ``u`` (0 <= u < 1): how generated data draws from it."""
        last = len(self.spans) - 1
        for index, (low, high, mass, log) in enumerate(self.spans):
            if u < mass or index == last:
                # Segment.quantile, inlined: simulated lists draw thousands of elements.
                share = min(1.0, max(0.0, u / mass))
                value = low * float(((high + 1) / low) ** share) if log else low + share * (high - low + 1)
                return min(high, max(low, math.floor(value)))
            u -= mass
        return self.high

    def expect(self, cost: Callable[[int], float]) -> float:
        """E[cost(value)] over the points."""
        return sum([weight * cost(value) for value, weight, _, _ in self.points])

    def expect_item(self, cost: Callable[[int, bool], float], numeric: bool) -> float:
        """``expect`` of ``cost(value, numeric)``, without a wrapper per point."""
        return sum([weight * cost(value, numeric) for value, weight, _, _ in self.points])

    def moments(self, cost: Callable[[int, bool], float], numeric: bool) -> tuple[float, float]:
        """(E[cost(value, numeric)], E[cost(value, numeric) ** 2]) over the points, each
        summed as ``expect`` sums it, the cost evaluated once per point."""
        costs = [cost(value, numeric) for value, _, _, _ in self.points]
        return (sum([point[1] * c for point, c in zip(self.points, costs)]),
                sum([point[1] * c**2 for point, c in zip(self.points, costs)]))

    def expect_allocating(self, cost: Callable[[int, Alloc], float], allocator: Allocator) -> float:
        """E[cost(value, alloc)] where ``alloc(request)`` is the size class of a request
        made for an item of that length: averaged exactly over the point's stratum, as if
        every length in it had been priced (a request grows with the item's length between
        ``LENGTH_BREAKS``, which no stratum straddles)."""
        total = 0.0
        class_bytes, spread = allocator.class_bytes, allocator.mean_class_over
        for value, weight, low, high in self.points:
            if low == high:
                total += weight * cost(value, class_bytes)
            else:
                total += weight * cost(value, spread(low - value, high - value))
        return total

    def expect_allocating_item(self, cost: Callable[[int, bool, Alloc], float], numeric: bool,
                               allocator: Allocator) -> float:
        """``expect_allocating`` of ``cost(value, numeric, alloc)``: an item's cost called
        as it is, without a wrapper per point."""
        total = 0.0
        class_bytes, spread = allocator.class_bytes, allocator.mean_class_over
        for value, weight, low, high in self.points:
            if low == high:
                total += weight * cost(value, numeric, class_bytes)
            else:
                total += weight * cost(value, numeric, spread(low - value, high - value))
        return total

    def stratum_variances(self) -> tuple[tuple[int, float], ...]:
        """Per point, its value and the variance of a value drawn evenly from its stratum
        low..high (for an element count: how far the counts it stands for spread). Kept
        with the distribution, which a keyspace's other arrival prices again (its pairs,
        numbers only, are what the count's pricing is looked up by)."""
        try:
            return self._derived["stratum variances"]  # type: ignore[return-value]
        except KeyError:
            variances = self._derived["stratum variances"] = tuple(
                [(value, ((high - low + 1) ** 2 - 1) / 12) for value, _, low, high in self.points])
            return variances

    def classes(self, request: Callable[[int], int], name: Hashable, allocator: Allocator) -> tuple[float, ...]:
        """Per point, what ``expect_allocating`` hands a cost as ``alloc(request(value))``:
        the size class of the request, averaged over the point's stratum. Kept with the
        distribution under ``name`` (which must say what ``request`` computes): costs that
        ask for the same request at every point, once per key length or expiry, share it."""
        key = ("classes", name, allocator.quantum_bytes)
        try:
            return self._derived[key]  # type: ignore[return-value]
        except KeyError:
            pass
        # Each stratum's class is kept across distributions too: those split at the same
        # breaks share strata (``_strata``), so neighbouring keyspaces' values share most.
        known = _STRATUM_CLASSES.setdefault(key, {})
        if len(known) >= STRATUM_CLASS_ENTRIES:
            known.clear()
        get, class_bytes, around = known.get, allocator.class_bytes, allocator.mean_class_around
        table = []
        for value, _, low, high in self.points:
            stratum = (value, low, high)
            size = get(stratum)
            if size is None:
                size = known[stratum] = (class_bytes(request(value)) if low == high
                                         else around(request(value), low - value, high - value))
            table.append(size)
        kept = self._derived[key] = tuple(table)
        return kept

    def at_most(self, limit: float) -> Distribution | None:
        """The distribution of values <= limit (None if there are none)."""
        return self._restricted([point for point in self.points if point[0] <= limit])

    def above(self, limit: float) -> Distribution | None:
        """The distribution of values > limit (None if there are none)."""
        return self._restricted([point for point in self.points if point[0] > limit])

    def _restricted(self, kept: list[tuple[int, float, int, int]]) -> Distribution | None:
        """The distribution of the ``kept`` points, their weights summed to 1 again."""
        total = sum([point[1] for point in kept])
        if total <= 0:
            return None
        return Distribution(self.spans, tuple([(v, w / total, low, high) for v, w, low, high in kept]), True)

    def coarser(self, points: int) -> Distribution:
        """The same distribution at about ``points`` points (for costs over two at once):
        stratified afresh from the segments, or, for a restricted distribution (which the
        segments do not describe), neighbouring points merged into strata of equal weight."""
        if len(self.points) <= points:
            return self
        key = ("coarser", points)
        if key not in self._derived:
            self._derived[key] = self._coarser(points)
        return self._derived[key]  # type: ignore[return-value]

    def _coarser(self, points: int) -> Distribution:
        if not self.restricted:
            return Distribution(self.spans, _points(self.spans, points, max(1, points // 8)))
        merged: list[tuple[int, float, int, int]] = []
        group: list[tuple[int, float, int, int]] = []
        target = 1 / points
        for point in self.points:
            group.append(point)
            if sum(p[1] for p in group) >= target:
                merged.append(_merged(group))
                group = []
        if group:
            merged.append(_merged(group))
        return Distribution(self.spans, tuple(merged), True)


def _merged(group: list[tuple[int, float, int, int]]) -> tuple[int, float, int, int]:
    weight = sum(p[1] for p in group)
    value = round(sum(p[0] * p[1] for p in group) / weight)
    return value, weight, min(p[2] for p in group), max(p[3] for p in group)


@forgotten_on_clear
@lru_cache(maxsize=4096)
def exactly(value: int) -> Distribution:
    """One value (kept: models price the same few exact lengths over and over)."""
    return Distribution(((value, value, 1.0, False),), ((value, 1.0, value, value),))


LENGTH_BREAKS = (31, 44, 63, 251, 255, 4095, 65_529, 65_535)
"""Lengths at which the cost of one item steps, so no stratum straddles one: SDS header
types (< 32, < 256 or < 252 in Valkey 8, < 65,536 or < 65,530), embstr (<= 44) and
listpack string entries (< 64, < 4,096)."""


def distribution(size: Size, breaks: tuple[int, ...] = (), points: int = POINTS) -> Distribution:
    """The distribution a workload field describes, with segments split after each of
    ``breaks`` (values where a cost steps: encoding limits), so that the points on either
    side carry exactly the mass there."""
    if isinstance(size, int):
        return exactly(size)
    by_object = (id(size), breaks, points)
    try:
        return _BY_OBJECT[by_object][1]
    except KeyError:
        pass
    dumped, histogram = shape_key(size), isinstance(size, Histogram)
    key = (dumped, histogram, _sorted_breaks(breaks), points)
    made = _DISTRIBUTIONS.get(key, lambda: _stratified(_segments(size, dumped, histogram), key[2], points))
    if len(_BY_OBJECT) >= MEMO_ENTRIES:
        _BY_OBJECT.clear()
    _BY_OBJECT[by_object] = (size, made)
    return made


def quantile(size: Size, u: float) -> int:
    """The value at cumulative share ``u`` of a workload field, from its segments alone
    (no points are drawn: the largest key asks for one value)."""
    if isinstance(size, int):
        return size
    return Distribution(_segments(size, shape_key(size), isinstance(size, Histogram)), ()).quantile(u)


@lru_cache(maxsize=256)
def _sorted_breaks(breaks: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sorted(set(breaks)))


_SEGMENTS: Memo[tuple[Span, ...]] = Memo()
"""A field's segments by its own JSON: fleets repeat the same few shapes."""
_DISTRIBUTIONS: Memo[Distribution] = Memo()
"""A field's distribution by its JSON, breaks and points."""
STRATUM_CLASS_ENTRIES = 65536
"""Strata whose request class ``Distribution.classes`` keeps, per request: as many as the
allocator's own caches keep (``allocator._mean_class_between``); a full table starts afresh."""
_STRATUM_CLASSES: dict[Hashable, dict[tuple[int, int, int], float]] = {}
"""``Distribution.classes`` by request (its name and the allocator's quantum), then by stratum
(value, low, high)."""
forgotten_on_clear(_STRATUM_CLASSES)
_BY_OBJECT: dict[tuple[int, tuple[int, ...], int], tuple[Size, Distribution]] = {}
"""The same by the field's identity and the breaks as asked: one lookup where a keyspace's
costs ask for its fields again and again (the entry holds the field, so its id is not
reused while the entry lives; workload models are frozen)."""
forgotten_on_clear(_BY_OBJECT)


def _segments(size: Quantiles | Histogram, dumped: Hashable, histogram: bool) -> tuple[Span, ...]:
    return _SEGMENTS.get((dumped, histogram), lambda: _histogram_segments(size) if isinstance(size, Histogram)
                         else _quantile_segments(size))


def _stratified(segments: tuple[Span, ...], breaks: tuple[int, ...], points: int) -> Distribution:
    if len(segments) == 1 and segments[0][0] == segments[0][1]:
        return exactly(segments[0][0])
    split: list[Span] = []
    for segment in segments:
        # Sorted: each split leaves the part above for the next break (those below its low
        # are skipped by bisection).
        for at in itertools.islice(breaks, bisect.bisect_left(breaks, segment[0]), None):
            if at >= segment[1]:
                break
            below, segment = _split(segment, at)
            split.append(below)
        split.append(segment)
    return Distribution(tuple(split), _points(tuple(split), points, max(2, min(MIN_POINTS_PER_SEGMENT, points // 16))))


def _split(segment: Span, at: int) -> tuple[Span, Span]:
    """The segment as its values <= at and > at (low <= at < high; the same density on
    each side)."""
    low, high, mass, log = segment
    # Segment.cdf(at), inlined (low <= at < high, an integer): counts split at every doubling.
    below = math.log((at + 1) / low) / math.log((high + 1) / low) if log else (at - low + 1) / (high - low + 1)
    return (low, at, mass * below, log), (at + 1, high, mass * (1 - below), log)


def _quantile_segments(quantiles: Quantiles) -> tuple[Span, ...]:
    segments: list[Span] = []
    points = quantiles.points()
    for (share0, value0), (share1, value1) in itertools.pairwise(points):
        mass = share1 - share0
        if mass <= 0:
            continue
        # Between two quantiles lengths spread log-linearly over value0..value1 (both ends
        # included: neighbouring segments share the quantile's own value).
        segments.append((value0, value1, mass, value1 > value0))
    return tuple(segments)


def _histogram_segments(histogram: Histogram) -> tuple[Span, ...]:
    total = sum(bucket.share for bucket in histogram.histogram)
    segments: list[Span] = []
    low = 1
    for bucket in histogram.histogram:
        if bucket.share > 0:  # an empty bucket is a gap: nothing to price there
            segments.append((low, bucket.up_to, bucket.share / total, False))
        low = bucket.up_to + 1
    return tuple(segments)


def _stratum_mean(low: int, high: int, log: bool) -> float:
    """Mean of the integers low..high, spread like their segment (``Segment.mean``)."""
    if low == high:
        return float(low)
    if log:
        return (high + 1 - low) / math.log((high + 1) / low) - 0.5
    return (low + high) / 2


def _points(segments: tuple[Span, ...], budget: int, minimum: int) -> tuple[tuple[int, float, int, int], ...]:
    """Stratified points: each segment's mass split into equal-probability strata, each
    priced at its mean (rounded); a segment with fewer integers than strata is enumerated."""
    values: list[int] = []
    weights: list[float] = []
    lows: list[int] = []
    highs: list[int] = []
    for low, high, mass, is_log in segments:
        integers = high - low + 1
        count = max(minimum, round(budget * mass))
        strata_values, parts, strata_lows, strata_highs = _strata(low, high, is_log, min(count, integers))
        values += strata_values
        weights += [mass * part for part in parts]
        lows += strata_lows
        highs += strata_highs
    total = sum(weights)
    return tuple(zip(values, [weight / total for weight in weights], lows, highs))


Strata = tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...], tuple[int, ...]]
"""A segment's strata as columns: the value each is priced at, its share of the segment's
mass, its lowest and its highest integer."""


@forgotten_on_clear
@lru_cache(maxsize=MEMO_ENTRIES)
def _strata(low: int, high: int, is_log: bool, count: int) -> Strata:
    """The strata of a segment low..high into ``count`` (all its integers when ``count`` is
    their number): they depend on its ends alone, not its mass, so neighbouring keyspaces'
    distributions, split at the same breaks, share them. ``_points`` scales the shares by
    the mass, the same product as of the mass and each share (the same floats)."""
    log, exp, floor = math.log, math.exp, math.floor
    integers = high - low + 1
    if integers <= count:
        # Every integer its own point, its mass from ``Segment.cdf`` (inlined: the same
        # operations, the span's logarithm taken once).
        if is_log:
            span = log((high + 1) / low)
            throughs = [log((value + 1) / low) / span for value in range(low, high)]
        else:
            throughs = [(value - low + 1) / integers for value in range(low, high)]
        throughs.append(1.0)
        every = tuple(range(low, high + 1))
        return every, tuple([through - before for before, through in zip([0.0, *throughs], throughs)]), every, every
    # Segment.quantile, Segment.cdf and _stratum_mean, inlined.
    if is_log:
        span = log((high + 1) / low)
        inner = [floor(low * exp(span * i / count)) for i in range(1, count)]
    else:
        span = high - low + 1
        inner = [floor(low + span * i / count) for i in range(1, count)]
    if inner and (min(inner) < low or max(inner) > high):  # rounding at either end: clamp into the segment
        inner = [min(high, max(low, edge)) for edge in inner]
    edges = sorted({low, high + 1, *inner})
    if is_log:
        shares = [log(edge / low) / span for edge in edges]  # the share below each edge
    else:
        shares = [(edge - low) / span for edge in edges]
    # Each stratum first..end - 1 (end the next edge), of some mass, at its mean rounded into it.
    strata = [(first, end, through - before)
              for first, end, before, through in zip(edges, edges[1:], shares, shares[1:]) if through > before]
    if is_log:
        means = [first if end - first == 1 else (
                     r if first <= (r := round((end - first) / log(end / first) - 0.5)) < end
                     else (first if r < first else end - 1))
                 for first, end, _ in strata]
    else:
        means = [first if end - first == 1 else (
                     r if first <= (r := round((first + end - 1) / 2)) < end
                     else (first if r < first else end - 1))
                 for first, end, _ in strata]
    return (tuple(means), tuple([part for _, _, part in strata]), tuple([first for first, _, _ in strata]),
            tuple([end - 1 for _, end, _ in strata]))
