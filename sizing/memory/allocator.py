"""jemalloc size classes: what one allocation really costs in ``used_memory``.

Glossary
    request_bytes   bytes the engine asks ``zmalloc`` for.
    class_bytes     the size class jemalloc hands back; ``used_memory`` counts this
                    (``zmalloc_size`` is ``je_malloc_usable_size``), never the request.
    quantum_bytes   spacing of the smallest classes: 8 in the engines' bundled jemalloc
                    (``--with-lg-quantum=3`` in ``deps/Makefile`` of Redis 6.2 to Valkey 8.1),
                    16 in Debian's system ``libjemalloc2`` that its ``redis-server`` links.

Above 64 bytes (8-byte quantum) or 128 bytes (16-byte quantum) every power-of-two
interval (2^k, 2^(k+1)] is split into four equal classes; this holds for the page-sized
"large" classes too, because ``malloc_usable_size`` reports the class size.
Checked against ``je_nallocx`` for every request up to 1 MiB (see
``docs/memory-model.md``) and against the measurements in ``sizing/data/measurements``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from functools import lru_cache
from statistics import _normal_dist_inv_cdf  # type: ignore[attr-defined]

from pydantic import BaseModel, ConfigDict, Field


class Allocator(BaseModel):
    """A jemalloc build, identified by its smallest class spacing."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Label shown in reports, e.g. 'jemalloc (bundled, 8-byte quantum)'.")
    quantum_bytes: int = Field(description="Spacing of the smallest size classes: 8 or 16.")

    def class_bytes(self, request_bytes: int) -> int:
        """Size class jemalloc returns for one allocation of ``request_bytes``."""
        return _size_class(request_bytes, self.quantum_bytes)

    def mean_class_bytes(self, request_bytes: float) -> float:
        """Class of a request that is an average: interpolated between the two neighbours.

        Used where a quantity varies around a mean (listpacks of numeric values), so that
        a small change of the mean moves the estimate smoothly instead of by a whole class.
        """
        low = int(request_bytes)
        if low == request_bytes:
            return float(self.class_bytes(low))
        share_high = request_bytes - low
        return (1 - share_high) * self.class_bytes(low) + share_high * self.class_bytes(low + 1)


    def mean_class_spread(self, mean: float, sd: float) -> float:
        """Mean class of requests spread normally around ``mean`` (a sum of many varying
        parts: a listpack of entries of different lengths). Exact per stratum of 16."""
        if sd < 1:
            return self.mean_class_bytes(mean)
        return _mean_class_spread(round(mean, 1), round(sd, 1), self.quantum_bytes)

    def mean_class_between(self, low: int, high: int) -> float:
        """Mean class of requests spread evenly over low..high (exact: summed class by class)."""
        if high <= low:
            return float(self.class_bytes(low))
        return _mean_class_between(low, high, self.quantum_bytes)

    def mean_class_over(self, below: int, above: int) -> Callable[[int], float]:
        """``request -> mean_class_between(request + below, request + above)`` for below <
        above, without the method's own lookups: costs call it for every point they price."""
        between, quantum = _mean_class_between, self.quantum_bytes
        return lambda request: between(request + below, request + above, quantum)

    def mean_class_around(self, request_bytes: int, below: int, above: int) -> float:
        """``mean_class_over(below, above)(request_bytes)``, for a single request."""
        return _mean_class_between(request_bytes + below, request_bytes + above, self.quantum_bytes)


SPREAD_STRATA = 16
"""Equal-probability strata of a normal spread, each averaged exactly."""
_STANDARD_EDGES = tuple(_normal_dist_inv_cdf(i / SPREAD_STRATA, 0.0, 1.0) for i in range(1, SPREAD_STRATA))
"""The strata's inner edges for mean 0 and deviation 1: ``NormalDist(mean, sd).inv_cdf(p)``
is ``mean + (edge * sd)`` to the bit (the same routine, ``statistics._normal_dist_inv_cdf``)."""


@lru_cache(maxsize=65536)
def _mean_class_spread(mean: float, sd: float, quantum_bytes: int) -> float:
    # max(1.0, edge) as a comparison (the same value, without the call).
    edges = [edge if (edge := mean - 4 * sd) > 1.0 else 1.0]
    edges += [edge if (edge := mean + (standard * sd)) > 1.0 else 1.0 for standard in _STANDARD_EDGES]
    edges.append(mean + 4 * sd)
    total = 0.0
    sums = _dense_sums(quantum_bytes)
    # _mean_class_between of each stratum, inlined: each spread is new, so its strata rarely
    # repeat. A stratum's integers run from its low edge's floor to its high edge's ceiling
    # less one (at least the floor).
    for first, top in zip(map(math.floor, edges[:-1]), map(math.ceil, edges[1:])):
        last = top - 1 if top > first else first
        if last <= DENSE_SUM_BYTES:  # first >= 1: both sums are in the table
            total += (sums[last] - sums[first - 1]) / (last - first + 1)
        else:
            total += (_class_sum(last, quantum_bytes) - _class_sum(first - 1, quantum_bytes)) / (last - first + 1)
    return total / SPREAD_STRATA


@lru_cache(maxsize=65536)
def _mean_class_between(low: int, high: int, quantum_bytes: int) -> float:
    total = _class_sum(high, quantum_bytes) - _class_sum(low - 1, quantum_bytes)
    return total / (high - low + 1)


CLASS_TABLE_BYTES = 1 << 40
"""Requests up to this size are summed from a table of classes; larger ones (none of the
model's) class by class."""


@lru_cache(maxsize=4)
def _class_table(quantum_bytes: int) -> tuple[list[int], list[int]]:
    """Every size class up to ``CLASS_TABLE_BYTES`` and, for each, the sum of the classes
    of the requests 1..class: a request gets the least class at or above it."""
    classes, sums, previous, total = [], [], 0, 0
    while previous < CLASS_TABLE_BYTES:
        size = _size_class(previous + 1, quantum_bytes)
        total += (size - previous) * size
        classes.append(size)
        sums.append(total)
        previous = size
    return classes, sums


DENSE_SUM_BYTES = 1 << 16
"""Requests up to this size have their class sums in a list indexed by the request (about
2.4 MB per quantum, built on first use): listpacks, quicklist nodes and most strings."""


@lru_cache(maxsize=4)
def _dense_sums(quantum_bytes: int) -> list[int]:
    """``_class_sum(r)`` for every r in 0..``DENSE_SUM_BYTES``, run by run of one class."""
    sums, previous, total = [0], 0, 0
    while previous < DENSE_SUM_BYTES:
        size = _size_class(previous + 1, quantum_bytes)
        top = min(size, DENSE_SUM_BYTES)
        sums.extend(range(total + size, total + size * (top - previous) + 1, size))
        total += (top - previous) * size
        previous = top
    return sums


def _class_sum(request_bytes: int, quantum_bytes: int) -> int:
    """The sum of the classes of requests 1..request_bytes (exact: integers)."""
    if request_bytes <= 0:
        return 0
    if request_bytes <= DENSE_SUM_BYTES:
        return _dense_sums(quantum_bytes)[request_bytes]
    classes, sums = _class_table(quantum_bytes)
    if request_bytes > classes[-1]:
        total, request = sums[-1], classes[-1] + 1
        while request <= request_bytes:
            size = _size_class(request, quantum_bytes)
            top = min(request_bytes, size)
            total += (top - request + 1) * size
            request = top + 1
        return total
    at = bisect.bisect_left(classes, request_bytes)
    below = classes[at - 1] if at else 0
    return (sums[at - 1] if at else 0) + (request_bytes - below) * classes[at]


@lru_cache(maxsize=65536)
def _size_class(request_bytes: int, quantum_bytes: int) -> int:
    if request_bytes <= 8:
        return 8
    # Up to 64 bytes classes are spaced by the quantum (16-byte builds keep the 8-byte
    # class); from there on both builds split each power-of-two interval into four.
    if request_bytes <= 64:
        return -(-request_bytes // quantum_bytes) * quantum_bytes
    step = (1 << (request_bytes - 1).bit_length()) // 8
    return -(-request_bytes // step) * step


UPSTREAM_JEMALLOC = Allocator(name="jemalloc (bundled, 8-byte quantum)", quantum_bytes=8)
"""What ``make`` builds from the engines' release source, and the default profile."""

DEBIAN_JEMALLOC = Allocator(name="jemalloc (Debian system library, 16-byte quantum)", quantum_bytes=16)
"""Debian's ``redis-server`` links ``libjemalloc2`` built with the default 16-byte quantum."""
