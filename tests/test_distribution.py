"""Sizes that vary: the distribution's points against direct enumeration, and the model's
expectation over them against the exact model summed over every value.

The exact model (plain numbers) is the one the recorded measurements check; these tests
show that integrating it over a distribution is done right, so what is left to measure
on real servers is the data, not the arithmetic."""

from __future__ import annotations

from typing import Any

import pytest

from sizing import estimate_cluster
from sizing.memory.allocator import DEBIAN_JEMALLOC, UPSTREAM_JEMALLOC, Allocator
from sizing.memory.distribution import LENGTH_BREAKS, Distribution, distribution
from sizing.memory.encodings import sds8_bytes, sds_bytes
from sizing.spec.distribution import Histogram, Quantiles
from tests.conftest import cluster

WIDE = Quantiles(p50=300, p90=1200, p99=5000, max=20_000)
NARROW = Quantiles(min=20, p50=40, p90=80, max=200)
BIMODAL = Histogram.model_validate({"histogram": [{"up_to": 40, "share": 0.6}, {"up_to": 900, "share": 0.1},
                                                  {"up_to": 1000, "share": 0.3}]})


def enumerated(d: Distribution, cost: Any) -> float:
    """E[cost] by visiting every integer the distribution covers, with its exact mass."""
    return sum(s.mass * (s.cdf(x) - s.cdf(x - 1)) * cost(x) for s in d.segments for x in range(s.low, s.high + 1))


def test_a_plain_number_is_one_point() -> None:
    d = distribution(37)
    assert d.exact and d.points == ((37, 1.0, 37, 37),) and d.cdf(36) == 0 and d.cdf(37) == 1


def test_quantiles_pass_through_their_points() -> None:
    d = distribution(WIDE)
    assert d.low == 1 and d.high == 20_000
    for value, share in ((300, 0.5), (1200, 0.9), (5000, 0.99)):
        assert d.cdf(value) == pytest.approx(share, abs=0.002)
    assert d.cdf(20_000) == 1.0
    assert sum(weight for _, weight, _, _ in d.points) == pytest.approx(1.0)


def test_histograms_spread_evenly_within_buckets() -> None:
    d = distribution(BIMODAL)
    assert d.cdf(40) == pytest.approx(0.6) and d.cdf(470) == pytest.approx(0.65, abs=0.001)
    assert d.mean() == pytest.approx(0.6 * 20.5 + 0.1 * 470.5 + 0.3 * 950.5)


def test_all_of_n_fit_as_the_longest_decides() -> None:
    d = distribution(BIMODAL)
    assert d.all_at_most(40, 10) == pytest.approx(0.6**10)


@pytest.mark.parametrize("size", [WIDE, NARROW, BIMODAL], ids=["wide", "narrow", "bimodal"])
@pytest.mark.parametrize("allocator", [UPSTREAM_JEMALLOC, DEBIAN_JEMALLOC], ids=["upstream", "debian"])
def test_allocator_classes_average_exactly_over_the_points(size: Quantiles | Histogram, allocator: Allocator) -> None:
    """A string value's object and SDS (the class waste the README's 'spread lengths' is
    about): within 0.15% of visiting every length."""
    d = distribution(size, LENGTH_BREAKS)

    def exact_cost(length: int) -> float:
        if length <= 44:
            return allocator.class_bytes(16 + sds8_bytes(length))
        return allocator.class_bytes(16) + allocator.class_bytes(sds_bytes(length, "redis"))

    def point_cost(length: int, alloc: Any) -> float:
        if length <= 44:
            return float(alloc(16 + sds8_bytes(length)))
        return allocator.class_bytes(16) + float(alloc(sds_bytes(length, "redis")))

    assert d.expect_allocating(point_cost, allocator) == pytest.approx(enumerated(d, exact_cost), rel=0.0015)
    assert d.expect(float) == pytest.approx(d.mean(), rel=0.001)


def per_key(keyspace: dict[str, Any], version: str = "7.2", engine: str = "valkey") -> float:
    memory = estimate_cluster(cluster(keyspace, engine=engine, engine_version=version))
    return memory.keyspaces[0].bytes / memory.keyspaces[0].keys


@pytest.mark.parametrize("version", [("redis", "6.2"), ("redis", "7.0"), ("valkey", "8.0"), ("valkey", "8.1")])
def test_string_lengths_integrate_the_exact_model(version: tuple[str, str]) -> None:
    engine, number = version
    base = {"type": "string", "keys": 1000, "key_bytes": 20}
    varying = per_key({**base, "value_bytes": {"histogram": [{"up_to": 120, "share": 1.0}]}}, number, engine)
    # The keyspace table is the same for both; per-key costs are what integrate.
    exact = sum(per_key({**base, "value_bytes": length}, number, engine) for length in range(1, 121)) / 120
    assert varying == pytest.approx(exact, rel=0.002)


@pytest.mark.parametrize("kind", ["set", "zset", "hash"])
def test_element_counts_straddling_the_limits_integrate_the_exact_model(kind: str) -> None:
    """Collections of 1..600 elements, evenly: some listpacks (or intsets), some tables."""
    count_field = {"set": "members", "zset": "members", "hash": "fields"}[kind]
    shape: dict[str, Any] = {"type": kind, "keys": 50, "key_bytes": 16}
    shape.update({"field_bytes": 8, "value_bytes": 12} if kind == "hash" else {"member_bytes": 12})
    counts = range(1, 601, 7)
    varying = per_key({**shape, count_field: {"histogram": [{"up_to": c, "share": 1 / len(counts)} for c in counts]}})
    exact = sum(per_key({**shape, count_field: c}) for c in counts) / len(counts)
    # Each bucket spreads over the 7 counts below its bound; the exact side takes the bound.
    assert varying == pytest.approx(exact, rel=0.03)


def test_a_share_of_long_values_makes_that_share_of_hashes_tables() -> None:
    memory = estimate_cluster(cluster({"type": "hash", "keys": 1000, "key_bytes": 16, "fields": 10, "field_bytes": 8,
                                       "value_bytes": {"histogram": [{"up_to": 64, "share": 0.9},
                                                                     {"up_to": 100, "share": 0.1}]}}))
    assert memory.keyspaces[0].encodings["listpack"] == pytest.approx(0.9**10)


def test_intset_width_follows_the_largest_member() -> None:
    narrow = per_key({"type": "set", "keys": 1000, "key_bytes": 16, "members": 100, "member_bytes": 4,
                      "numeric": True})
    one_wide = per_key({"type": "set", "keys": 1000, "key_bytes": 16, "members": 100,
                        "member_bytes": {"histogram": [{"up_to": 4, "share": 0.99}, {"up_to": 9, "share": 0.01}]},
                        "numeric": True})
    # 1% of members have 5-9 digits; any one above 32,767 widens all 100 to int32. A member is
    # below 2^15 with p = 0.99 + 0.01 * P(5 digits) * P(< 32,768 | 5 digits), so 1 - p^100 of
    # the sets are 8 + 4 * 100 bytes (class 448) instead of 8 + 2 * 100 (class 224).
    p = 0.99 + 0.01 * (1 / 5) * (32_768 - 10_000) / 90_000
    assert one_wide - narrow == pytest.approx((1 - p**100) * (448 - 224), rel=1e-3)


def test_a_ttl_share_costs_its_share() -> None:
    base = {"type": "string", "keys": 100_000, "key_bytes": 16, "value_bytes": 100}
    none, every, some = per_key({**base, "ttl": False}), per_key({**base, "ttl": True}), per_key({**base, "ttl": 0.25})
    assert none < some < every


def test_unix_second_scores_are_int32_entries() -> None:
    """1,700,000,000 < 2^31: a 4-byte integer entry plus its 1-byte back-length (listpack.c)."""
    zset = {"type": "zset", "keys": 1000, "key_bytes": 16, "members": 100, "member_bytes": 10}
    floats, seconds = per_key({**zset, "scores": "floats"}), per_key({**zset, "scores": "unix_seconds"})
    # Float scores are 18-character strings: 1 + 18 + 1 = 20 bytes against 6; a member is
    # 1 + 10 + 1. The listpack (7 bytes of header) is 7 + 100 * 32 = 3,207 bytes, class 3,584,
    # against 7 + 100 * 18 = 1,807, class 2,048.
    assert floats - seconds == 3584 - 2048


@pytest.mark.parametrize("version", [("redis", "7.0"), ("valkey", "8.0")])
def test_lists_of_varying_elements_pack_as_random_lists_do(version: tuple[str, str]) -> None:
    """The simulated packing against packing 4,000 random lists per count by the same rule (the
    rule itself is checked on real servers: benchmarks/measurements/production, 'queues')."""
    import random
    import statistics

    from sizing.memory.engines import engine_profile
    from sizing.memory.values import _List

    profile = engine_profile(*version)
    keyspace = cluster({"type": "list", "keys": 10, "key_bytes": 16, "elements": 5,
                        "element_bytes": {"min": 2000, "p50": 6000, "max": 20_000}}).keyspaces[0]
    lists = _List(keyspace, profile, profile.defaults)
    lengths = distribution(keyspace.element_bytes)
    rng = random.Random(11)
    for n in (1, 5, 30):
        drawn = [[(False, lengths.quantile(rng.random())) for _ in range(n)] for _ in range(4000)]
        simulated = statistics.mean(lists.quicklist_bytes(d) for d in drawn)
        assert lists.priced(n)[0][2] == pytest.approx(simulated, rel=0.015)


def test_long_lists_of_small_varying_elements_pack_as_random_lists_do() -> None:
    """Past the simulated 512 elements a list grows by packing's steady cost per element,
    measured between closed nodes of one long stream. Against random lists of 1..60-byte
    elements (Redis 7.0: always a quicklist), up to ten times longer than the simulation."""
    import random
    import statistics

    from sizing.memory.engines import engine_profile
    from sizing.memory.values import _List

    profile = engine_profile("redis", "7.0")
    keyspace = cluster({"type": "list", "keys": 10, "key_bytes": 16, "elements": 5,
                        "element_bytes": {"histogram": [{"up_to": 5, "share": 0.16}, {"up_to": 37, "share": 0.5},
                                                        {"up_to": 60, "share": 0.34}]}}).keyspaces[0]
    lists = _List(keyspace, profile, profile.defaults)
    rng = random.Random(5)
    for n in (300, 1500, 5000):
        drawn = [[lists.elements.draw(rng.random(), rng.random()) for _ in range(n)] for _ in range(40)]
        simulated = statistics.mean(lists.quicklist_bytes(d) for d in drawn)
        assert lists.priced(n)[0][2] == pytest.approx(simulated, rel=0.015)


def test_an_empty_bucket_is_a_gap() -> None:
    # Half 1..10, half 91..100: the bucket of share 0 leaves 11..90 out, so the mean is
    # (5.5 + 95.5) / 2 = 50.5 with nothing priced between.
    gap = distribution(Histogram.model_validate(
        {"histogram": [{"up_to": 10, "share": 0.5}, {"up_to": 90, "share": 0}, {"up_to": 100, "share": 0.5}]}))
    assert gap.mean() == pytest.approx(50.5)
    assert gap.cdf(90) - gap.cdf(10) == 0 and all(not 10 < value <= 90 for value, *_ in gap.points)
