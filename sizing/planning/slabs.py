"""What jemalloc's slabs keep while rewrites move values between size classes.

jemalloc serves a small allocation from a slab of its size class, and a slab's pages go back
only when every region in it is free; it fills the lowest slab with room first, so the live
regions of a class that is shrinking stay spread over the slabs it had. A class therefore
keeps about the most bytes it ever held since the load (its high-water mark), and the RSS a
churned dataset needs at its peak is the sum over classes of those marks. That is what the
population of value sizes moving costs: nothing when a rewrite keeps the population
(``unchanged``), most of the data when values loaded at one size are rewritten at many.

A slab of one to three regions (values of 8-14 KiB; ``slab_regions``) empties whenever its
few values are freed, so those classes keep only what random placement leaves occupied.
Values of 16 KiB and more are page runs, freed as they go: they keep what is live.

The populations are worked out on a grid of sizes relative to the keyspace's mean, in
steps of 1/``BINS_PER_OCTAVE`` octave (classes are 1/4 octave apart), never per key:

    load        the keyspace's value lengths as the workload describes them.
    vary        each rewrite multiplies a value's length by a factor uniform in
                ``VARY_FACTORS``, kept within 1/``RELATIVE_LIMIT`` .. ``RELATIVE_LIMIT`` x
                the mean: after k passes the load convolved k times (a pass rewrites every
                key once, in a random order, so between passes a share has one step more).
    reshaped    each rewrite draws a length from ``VARY_FACTORS`` x the mean, whatever the
                load was: after a pass the population is that spread.

Checked against every recorded churn-peak and capacity case (``benchmarks/churn_peak_model.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache, reduce
from operator import add

from sizing.memory.memo import forgotten_on_clear

VARY_FACTORS = (0.5, 1.5)
"""A rewrite's size factor under ``vary``: +-50%, the spread the churn measurements centre on
(``benchmarks/churn_peak.py``'s pm50); ``sizing/live/churn.py`` rewrites with the same."""
RELATIVE_LIMIT = 8
"""A rewritten value stays within 1/8..8x its keyspace's mean: without a bound a random walk
of sizes would, after many passes, leave a few keys far outside their class."""
BINS_PER_OCTAVE = 16
"""Grid resolution: four bins per size class (jemalloc has four classes per doubling)."""
PAGE_BYTES = 4096
"""jemalloc's page (LG_PAGE 12 on x86-64 and Graviton's 4 KiB-page kernels)."""
SMALL_MAX_BYTES = 14_336
"""``SC_SMALL_MAXCLASS`` with 4 KiB pages: larger allocations are page runs."""
FEW_REGIONS = 3
"""Slabs of at most this many regions are treated as emptying at random (see the docstring)."""

Kernel = tuple[tuple[int, float], ...]
"""(bin shift, probability) of one rewrite's size factor."""
Grid = tuple[float, ...]
"""Weights (summing to 1) over bins of relative size 2**((i + offset) / BINS_PER_OCTAVE)."""


@dataclass(frozen=True)
class Population:
    """A keyspace's string values on the grid: ``weights[i]`` is the share of its keys whose
    length is ``mean * 2**((i + offset) / BINS_PER_OCTAVE)``."""

    weights: Grid
    offset: int

    @cached_property
    def _hash(self) -> int:
        return hash((self.weights, self.offset))

    def __hash__(self) -> int:  # the slab memos hash a population per lookup: its ~100 weights once
        return self._hash


@dataclass(frozen=True)
class ValueKeyspace:
    """One string keyspace as the slab arithmetic needs it."""

    keys: float
    load: Population
    classes: tuple[int, ...]
    """The bytes a value of each bin's length occupies as allocated (its size class)."""

    @cached_property
    def _hash(self) -> int:
        return hash((self.keys, self.load, self.classes))

    def __hash__(self) -> int:  # as Population's: the memos hash each keyspace per lookup
        return self._hash


def bin_lengths(mean: float, load: Population) -> list[int]:
    """The value length each bin of ``load``'s grid stands for."""
    return [max(1, round(mean * 2 ** ((i + load.offset) / BINS_PER_OCTAVE))) for i in range(len(load.weights))]


def value_keyspace(keys: float, mean: float, load: Population, allocation_bytes: Callable[[int], int]) -> ValueKeyspace:
    return ValueKeyspace(keys, load, tuple(allocation_bytes(n) for n in bin_lengths(mean, load)))


def slab_regions(class_bytes: int) -> int | None:
    """Regions per slab of a small size class: the least multiple of the page that the class
    divides (jemalloc sc.c ``slab_size``); None for a page-run (large) allocation."""
    if class_bytes > SMALL_MAX_BYTES:
        return None
    return math.lcm(PAGE_BYTES, class_bytes) // class_bytes


def relative_bin(ratio: float) -> int:
    return round(math.log2(ratio) * BINS_PER_OCTAVE)


def population(points: Sequence[tuple[float, float]], mean: float) -> Population:
    """(length, weight) points of a distribution on the grid around ``mean``."""
    bins = [relative_bin(max(length, 1.0) / mean) for length, _ in points]
    low = min(bins + [relative_bin(1 / RELATIVE_LIMIT)])
    high = max(bins + [relative_bin(RELATIVE_LIMIT)])
    weights = [0.0] * (high - low + 1)
    total = sum(w for _, w in points)
    for b, (_, w) in zip(bins, points):
        weights[b - low] += w / total
    return Population(tuple(weights), low)


@lru_cache(maxsize=64)
def factor_kernel(low: float, high: float) -> Kernel:
    """(bin shift, probability) of a factor uniform in low..high, on the grid."""
    taps = []
    for j in range(relative_bin(low) - 1, relative_bin(high) + 2):
        a = max(low, 2 ** ((j - 0.5) / BINS_PER_OCTAVE))
        b = min(high, 2 ** ((j + 0.5) / BINS_PER_OCTAVE))
        if b > a:
            taps.append((j, (b - a) / (high - low)))
    return tuple(taps)


def uniform_population(low: float, high: float) -> Population:
    """A length uniform in low..high x the mean (``reshaped``'s target)."""
    base = relative_bin(1 / RELATIVE_LIMIT)
    weights = [0.0] * (relative_bin(RELATIVE_LIMIT) - base + 1)
    for shift, p in factor_kernel(low, high):
        weights[shift - base] += p
    return Population(tuple(weights), base)


@forgotten_on_clear
@lru_cache(maxsize=4096)
def _step(weights: Grid, offset: int, kernel: Kernel) -> Grid:
    """One rewrite of every key under ``vary``: convolve, then clamp to the limits."""
    lo, hi = relative_bin(1 / RELATIVE_LIMIT) - offset, relative_bin(RELATIVE_LIMIT) - offset
    out = [0.0] * len(weights)
    for i, w in enumerate(weights):
        if w:
            for shift, p in kernel:
                out[min(hi, max(lo, i + shift))] += w * p
    return tuple(out)


def _mix(a: Grid, b: Grid, share_b: float) -> Grid:
    return tuple(x * (1 - share_b) + y * share_b for x, y in zip(a, b))


def _aligned(target: Population, like: Population) -> Grid:
    out = [0.0] * len(like.weights)
    for i, w in enumerate(target.weights):
        j = i + target.offset - like.offset
        out[min(len(out) - 1, max(0, j))] += w
    return tuple(out)


def populations(load: Population, sizes: str, passes: float, kernel: Kernel | None = None,
                target: Population | None = None) -> list[Grid]:
    """The population after 0, 1, 2 ... whole passes and at ``passes`` (``kernel``: the
    factor of a ``vary`` rewrite, ``target``: the spread ``reshaped`` rewrites draw from;
    both default to ``VARY_FACTORS``)."""
    states = [load.weights]
    if sizes == "unchanged" or passes <= 0:
        return states
    if sizes == "reshaped":
        spread = _aligned(target or uniform_population(*VARY_FACTORS), load)
        return states + [_mix(load.weights, spread, min(1.0, passes))]
    kernel = kernel or factor_kernel(*VARY_FACTORS)
    current = load.weights
    whole, share = divmod(passes, 1.0)
    for _ in range(int(whole)):
        current = _step(current, load.offset, kernel)
        states.append(current)
    if share:
        states.append(_mix(current, _step(current, load.offset, kernel), share))
    return states


HELD_POPULATIONS = 256
"""String keyspaces ``_held`` keeps: a cluster's variants share them (a fleet's next cluster has
keyspaces of its own), and one holds a few thousand numbers (4,096 held 53 MB for a fleet)."""


@forgotten_on_clear
@lru_cache(maxsize=HELD_POPULATIONS)
def _held(ks: ValueKeyspace, sizes: str, passes: float, kernel: Kernel | None,
          target: Population | None) -> tuple[tuple[tuple[int, tuple[float, ...]], ...], ...]:
    """Per state of ``populations``, the bytes of the keyspace's values in each bin that holds
    any, in bin order, as runs of neighbouring bins of one class: (class, each bin's bytes).
    The variants behind a cluster's recommendations change one keyspace at most, and the
    others' runs are the same."""
    return tuple(_runs(ks.classes, weights, ks.keys) for weights in populations(ks.load, sizes, passes, kernel, target))


def _runs(classes: tuple[int, ...], weights: Grid, keys: float) -> tuple[tuple[int, tuple[float, ...]], ...]:
    """Neighbouring bins of one class as one run: (class, each bin's bytes), in bin order."""
    runs: list[tuple[int, list[float]]] = []
    last: int | None = None
    amounts: list[float] = []
    for c, w in zip(classes, weights):
        if w:
            if c != last:
                last, amounts = c, []
                runs.append((c, amounts))
            amounts.append(w * keys * c)
    return tuple((c, tuple(amounts)) for c, amounts in runs)


_Context = tuple[str, float, Kernel | None, Population | None]
"""(sizes, passes, kernel, target): what a cluster's sums read besides its keyspaces."""


class _Sums:
    """A cluster's string keyspaces with, once a variant of it has asked, its bytes per class
    and state summed over them in order, as they stood after each keyspace."""

    def __init__(self, context: _Context, keyspaces: tuple[ValueKeyspace, ...]) -> None:
        self.context = context
        self.keyspaces = keyspaces
        self.after: list[list[dict[int, float]]] | None = None
        """``after[k]``: the sums per state over the first k keyspaces."""


RECENT_SUMS = 4
"""Clusters remembered: one cluster's own and its newest-engine variant's (with other figures),
with room to spare."""
_RECENT: list[_Sums] = forgotten_on_clear([])


def _held_sums(keyspaces: Sequence[ValueKeyspace], sizes: str, passes: float, kernel: Kernel | None,
               target: Population | None) -> list[dict[int, float]]:
    """Per state, the bytes each class holds, classes in the order they first appear.

    A variant behind a recommendation changes one keyspace of a cluster asked for just before:
    it starts from that cluster's sums before the keyspace. Those are the same additions in
    the same order, so the sums are the same to the bit as summed afresh. The cluster's sums
    after each keyspace are kept once a first variant asks (most clusters of a fleet have
    none: their string keyspaces are too short to compress)."""
    context: _Context = (sizes, passes, kernel, target)
    spaces = tuple(keyspaces)
    shared, like = 0, None
    for sums in _RECENT:
        if sums.context == context:
            common = next((k for k, (a, b) in enumerate(zip(spaces, sums.keyspaces)) if a is not b),
                          min(len(spaces), len(sums.keyspaces)))
            if common > shared:
                shared, like = common, sums
    if like is None:
        _RECENT.append(_Sums(context, spaces))
        del _RECENT[:-RECENT_SUMS]
        return _summed([], spaces, context)
    _RECENT.remove(like)
    _RECENT.append(like)
    if like.after is None:
        like.after = [[]]
        _summed([], like.keyspaces, context, like.after)
    return _summed([dict(held) for held in like.after[shared]], spaces[shared:], context)


def _summed(per_state: list[dict[int, float]], keyspaces: Sequence[ValueKeyspace], context: _Context,
            history: list[list[dict[int, float]]] | None = None) -> list[dict[int, float]]:
    """``per_state`` with each keyspace's bytes added, in order (a copy of the sums after
    each appended to ``history``)."""
    for ks in keyspaces:
        for t, runs in enumerate(_held(ks, *context)):
            if len(per_state) <= t:
                per_state.append({})
            held = per_state[t]
            held_bytes = held.get
            # Each bin's bytes added one at a time, in bin order, as a loop of ``+`` would:
            # reduce does those additions in C (sum would not, from Python 3.12 on).
            for c, amounts in runs:
                held[c] = reduce(add, amounts, held_bytes(c, 0.0))
        if history is not None:
            history.append([dict(held) for held in per_state])
    return per_state


def stranded_bytes(keyspaces: Sequence[ValueKeyspace], sizes: str, passes: float,
                   kernel: Kernel | None = None, target: Population | None = None) -> float:
    """Bytes the value slabs hold at the peak of churn beyond the values loaded."""
    if not keyspaces:
        return 0.0
    per_state = _held_sums(keyspaces, sizes, passes, kernel, target)
    # Keyspaces of one cluster share the passes, so their state lists have the same length.
    loaded = sum(per_state[0].values())
    marks: dict[int, float] = {}
    peak = loaded
    for held in per_state:
        resident = 0.0
        for c in set(marks) | set(held):
            live = held.get(c, 0.0)
            mark = marks[c] = max(marks.get(c, 0.0), live)
            regions = slab_regions(c)
            if regions is None:
                resident += live
            elif regions <= FEW_REGIONS:
                resident += mark * (1 - (1 - live / mark) ** regions) if mark else 0.0
            else:
                resident += mark
        peak = max(peak, resident)
    return peak - loaded
