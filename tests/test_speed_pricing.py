"""The estimate's batched paths give what the point-by-point ones do, to the bit (not timed:
benchmarks/estimate_speed.py prints the times).

- a hash prices all the counts of a distribution in one loop (``_Hash.priced_counts``):
  each count's ways are those ``_Hash.priced`` gives it, on every engine version, arrival
  and count around the limits;
- a segment's strata are shared by the distributions split at the same breaks
  (``distribution._strata``): each point's weight is its stratum's mass by
  ``Segment.cdf``, and a distribution built after others equals one built cold;
- a Valkey 8.1 field and value pair priced by one loop over the values (``_pairs_with``)
  is what the allocating cost priced through ``Items.allocating`` gives;
- a one-length distribution's cdf, answered without its loop, is the loop's answer.
"""

from __future__ import annotations

import math

import pytest

from sizing.memory.distribution import Distribution, Segment, distribution
from sizing.memory.encodings import sds_bytes
from sizing.memory.engines import PROFILES, engine_profile
from sizing.memory.items import items
from sizing.memory.limits import COMPILED_DEFAULTS
from sizing.memory.memo import clear_memos
from sizing.memory.values import COUNT_POINTS, EMBED_VALUE_MAX_ALLOC_BYTES, _Hash, _pairs_with
from sizing.spec.distribution import Histogram, Quantiles
from sizing.spec.workload import HashKeyspace

HASHES = [
    {"field_bytes": {"min": 4, "max": 14},
     "value_bytes": {"histogram": [{"up_to": 40, "share": 0.9}, {"up_to": 300, "share": 0.1}]}},
    {"field_bytes": 12, "value_bytes": {"max": 35}},
    {"field_bytes": 9, "value_bytes": 20, "numeric": {"share": 0.4, "digits": {"max": 6}}},
    {"field_bytes": {"p50": 20, "max": 90}, "value_bytes": {"p50": 50, "max": 4000}, "numeric_fields": {"share": 0.5, "digits": {"max": 6}}},
    {"field_bytes": 8, "value_bytes": 8},
]
COUNTS = [1, 2, 7, 64, 127, 128, 129, 300, 511, 512, 513, 999, 1000, 1001, 1792, 5000]
SPREADS = [0.0, 0.25, 40.0, 9000.0]


@pytest.mark.parametrize("version", sorted(PROFILES), ids=lambda v: f"{v[0]}-{v[1]}")
@pytest.mark.parametrize("limit", [128, 512])
def test_a_hash_priced_in_one_loop_is_priced_as_count_by_count(version: tuple[str, str], limit: int) -> None:
    profile = engine_profile(*version)
    limits = COMPILED_DEFAULTS.model_copy(update={"hash_max_listpack_entries": limit})
    for shape in HASHES:
        keyspace = HashKeyspace.model_validate({"name": "h", "type": "hash", "keys": 10, "key_bytes": 16,
                                                "fields": 10, **shape})
        counts = [(n, spread) for n in COUNTS for spread in SPREADS]
        for arrival in ("commands", "one_by_one", "restored"):
            one_by_one = _Hash(keyspace, profile, limits)
            expected = [tuple([way for way in one_by_one.priced(n, spread, arrival) if way[1] > 0])
                        for n, spread in counts]
            batched = _Hash(keyspace, profile, limits).priced_counts(counts, arrival)  # type: ignore[arg-type]
            assert [_bits(ways) for ways in batched] == [_bits(ways) for ways in expected], (shape, arrival)


def _bits(ways: tuple[tuple[str, float, float], ...]) -> list[tuple[str, str, str]]:
    return [(encoding, share.hex(), float(size).hex()) for encoding, share, size in ways]


SIZES = [
    Quantiles.model_validate({"p50": 400, "max": 2000}),
    Quantiles.model_validate({"p50": 400, "max": 2001}),
    Quantiles.model_validate({"min": 3, "p50": 40, "p99": 400, "max": 2000}),
    Histogram.model_validate({"histogram": [{"up_to": 40, "share": 0.9}, {"up_to": 300, "share": 0.1}]}),
    Histogram.model_validate({"histogram": [{"up_to": 41, "share": 0.9}, {"up_to": 300, "share": 0.1}]}),
]
BREAKS = (31, 44, 63, 128, 251, 255, 512, *(7 * 2**k for k in range(12)))


@pytest.mark.parametrize("points", [COUNT_POINTS, 192])
def test_shared_strata_weigh_each_point_by_its_segment(points: int) -> None:
    warm = [distribution(size, BREAKS, points) for size in SIZES]
    for size, built in zip(SIZES, warm):
        clear_memos()
        cold = distribution(size, BREAKS, points)
        assert [(v, w.hex(), lo, hi) for v, w, lo, hi in cold.points] == \
            [(v, w.hex(), lo, hi) for v, w, lo, hi in built.points]
        # Each weight is the mass between its ends, by the segment's own cdf, normalised.
        raw, spans = [], iter(cold.spans)
        span = Segment._make(next(spans))
        for value, _, low, high in cold.points:  # a segment's strata in order, the last ending at its high
            assert span.low <= low <= value <= high <= span.high
            through = 1.0 if high == span.high else span.cdf(high)
            raw.append(span.mass * (through - (0.0 if low == span.low else span.cdf(low - 1))))
            if high == span.high:
                span = Segment._make(next(spans, span))
        total = math.fsum(raw)
        assert [w for _, w, _, _ in cold.points] == pytest.approx([r / total for r in raw], rel=1e-12)


def _pair_the_long_way(profile, field_bytes: int, values):  # type: ignore[no-untyped-def]
    """``_Hash._table_pair``'s pair as it was written before ``_pairs_with``: a closure per
    field length, priced through ``Items.allocating``."""
    alloc, rule = profile.allocator.class_bytes, profile.sds_rule
    field = sds_bytes(field_bytes, "valkey8")
    apart = alloc(8 + max(3, field - field_bytes - 1) + field_bytes + 1)

    def pair(value_bytes: int, _numeric: bool, by_value) -> float:  # type: ignore[no-untyped-def]
        value = 3 + value_bytes + 1
        if field + value <= EMBED_VALUE_MAX_ALLOC_BYTES:
            return by_value(field + value)  # type: ignore[no-any-return]
        return apart + by_value(sds_bytes(value_bytes, rule))  # type: ignore[no-any-return]

    return values.allocating(pair, profile.allocator)


@pytest.mark.parametrize("allocator", ["upstream", "debian"])
def test_a_field_and_value_pair_is_priced_as_through_the_allocating_cost(allocator: str) -> None:
    profile = engine_profile("valkey", "8.1", allocator)
    for shape in HASHES:
        keyspace = HashKeyspace.model_validate({"name": "h", "type": "hash", "keys": 10, "key_bytes": 16,
                                                "fields": 10, **shape})
        values = items(keyspace.value_bytes, keyspace.numeric, 64)
        for field_bytes in (1, 12, 31, 32, 60, 100, 125, 300):
            for side in (values, values.coarser(24), values.fitting(64)):
                if side is not None:
                    assert _pairs_with(profile, field_bytes, side).hex() == \
                        float(_pair_the_long_way(profile, field_bytes, side)).hex()


def test_a_one_length_cdf_is_the_loop_over_its_segment() -> None:
    for value, mass in ((1, 1.0), (12, 1.0), (300, 1.0), (5, 0.7)):
        one = Distribution(((value, value, mass, False),), ((value, 1.0, value, value),))
        for x in (value - 1.5, value - 1, value - 0.5, value, value + 0.5, value + 1):
            looped = 0.0  # Distribution.cdf's loop over its one segment
            if x >= value:
                looped += mass
            assert one.cdf(x) == min(1.0, looped)
    assert distribution(12).cdf(12) == 1.0
