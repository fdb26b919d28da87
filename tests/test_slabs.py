"""The slab arithmetic of the fragmentation model (sizing/planning/slabs.py), on cases that
can be worked out by hand."""

from __future__ import annotations

import pytest

from sizing.planning.slabs import (
    ValueKeyspace,
    factor_kernel,
    population,
    populations,
    slab_regions,
    stranded_bytes,
    value_keyspace,
)


def test_regions_per_slab_follow_jemalloc() -> None:
    # The least multiple of the 4 KiB page the class divides (jemalloc sc.c slab_size).
    assert slab_regions(128) == 32
    assert slab_regions(448) == 64  # 7 pages
    assert slab_regions(14_336) == 2
    assert slab_regions(16_384) is None  # a page run


def _one_size(length: int, keys: int = 1000) -> ValueKeyspace:
    # Identity allocation: a value of n bytes occupies n bytes (classes are the lengths).
    return value_keyspace(keys, length, population([(length, 1.0)], length), lambda n: n)


def test_unchanged_sizes_strand_nothing() -> None:
    assert stranded_bytes([_one_size(400)], "unchanged", 10.0) == 0.0


def test_reshaping_keeps_the_class_it_leaves() -> None:
    # 1,000 values of 400 B reshaped by a full pass: every class the spread lands in is new,
    # and the 400 B class keeps its slabs, so the peak holds both the old and the new bytes.
    values = _one_size(400)
    reshaped = populations(values.load, "reshaped", 1.0)
    assert len(reshaped) == 2 and sum(reshaped[1]) == pytest.approx(1.0)
    # The spread (0.5..1.5 x the mean) leaves about 1/27 of the keys in the 400 B bin.
    left = reshaped[1][-values.load.offset]
    assert 0.02 < left < 0.06
    stranded = stranded_bytes([values], "reshaped", 1.0)
    # The new population's bytes outside the old bin, give or take the grid.
    assert stranded == pytest.approx(1000 * 400 * (1 - left), rel=0.05)


def test_a_half_pass_moves_half_the_keys() -> None:
    values = _one_size(400)
    full = stranded_bytes([values], "reshaped", 1.0)
    assert stranded_bytes([values], "reshaped", 0.5) == pytest.approx(full / 2, rel=1e-6)


def test_page_runs_keep_only_what_is_live() -> None:
    # Values of 20 KiB and more are page runs: reshaping them strands nothing.
    assert stranded_bytes([_one_size(40_000)], "reshaped", 1.0) == pytest.approx(0.0, abs=1e-6 * 40_000_000)


def test_vary_spreads_with_passes_and_the_marks_only_grow() -> None:
    values = _one_size(400)
    kernel = factor_kernel(0.5, 1.5)
    assert sum(p for _, p in kernel) == pytest.approx(1.0)
    amounts = [stranded_bytes([values], "vary", passes) for passes in (0.5, 1, 2, 5)]
    assert amounts == sorted(amounts) and amounts[0] > 0
    # A walk cannot strand more than every class it visits, full: the marks sum to at most
    # the number of distinct bins times the data.
    assert amounts[-1] < 400 * 1000 * len(values.load.weights)


def test_a_variant_summed_from_its_clusters_sums_is_the_same_to_the_bit() -> None:
    # A recommendation's variant changes one keyspace of a cluster just planned, and its sums
    # start from the cluster's before that keyspace: the result must be the one summed afresh.
    from random import Random

    from sizing.memory.memo import clear_memos
    from sizing.planning.slabs import bin_lengths

    rng = Random(11)

    def keyspace(mean: int) -> ValueKeyspace:
        points = [(mean * rng.uniform(0.3, 3.0), rng.random()) for _ in range(12)]
        load = population(points, mean)
        return ValueKeyspace(rng.randint(1_000, 10**7), load, tuple(
            (n + 23) // 16 * 16 for n in bin_lengths(mean, load)))

    cluster = [keyspace(rng.randint(40, 6_000)) for _ in range(20)]
    variants = [[*cluster[:i], keyspace(rng.randint(40, 6_000)), *cluster[i + 1:]] for i in (0, 7, 19)]
    variants.append(cluster[:12])  # a prefix of the cluster
    for sizes, passes in (("vary", 5.1), ("reshaped", 0.4)):
        clear_memos()
        fresh = []
        for variant in variants:
            clear_memos()
            fresh.append(stranded_bytes(variant, sizes, passes))
        clear_memos()
        stranded_bytes(cluster, sizes, passes)
        assert [stranded_bytes(variant, sizes, passes) for variant in variants] == fresh
