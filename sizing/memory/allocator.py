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

import itertools
import math
from collections.abc import Callable
from functools import lru_cache
from statistics import NormalDist

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


SPREAD_STRATA = 16
"""Equal-probability strata of a normal spread, each averaged exactly."""


@lru_cache(maxsize=65536)
def _mean_class_spread(mean: float, sd: float, quantum_bytes: int) -> float:
    normal = NormalDist(mean, sd)
    edges = [max(1.0, mean - 4 * sd)] + [max(1.0, normal.inv_cdf(i / SPREAD_STRATA)) for i in range(1, SPREAD_STRATA)]
    edges.append(mean + 4 * sd)
    total = 0.0
    for low, high in itertools.pairwise(edges):
        total += _mean_class_between(math.floor(low), max(math.floor(low), math.ceil(high) - 1), quantum_bytes)
    return total / SPREAD_STRATA


@lru_cache(maxsize=65536)
def _mean_class_between(low: int, high: int, quantum_bytes: int) -> float:
    total, request = 0, low
    while request <= high:
        size = _size_class(request, quantum_bytes)
        top = min(high, size)  # every request up to the class size gets that class
        total += (top - request + 1) * size
        request = top + 1
    return total / (high - low + 1)


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
