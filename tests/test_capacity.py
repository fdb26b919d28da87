"""``verify --plan``'s parts that need no server: what it loads, how it churns, when a plan holds."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest

from sizing.live.capacity import (
    HEADROOM_TOLERANCE_POINTS,
    PASS_CAP,
    CapacityCheck,
    default_passes,
    largest_key,
    server_maxmemory_bytes,
    shard_keyspaces,
    window_passes,
)
from sizing.live.churn import REINSERT_SHARE, RELATIVE_LIMIT, SHORT_LIVED_EVERY, Churn, encoded
from sizing.live.synthetic import KeyWrites, commands
from sizing.memory.distribution import quantile
from sizing.memory.placement import fullest_shard_keys
from sizing.planning.estimate import dataset_model
from sizing.planning.fragmentation import CHURN_WINDOW_HOURS
from sizing.planning.plan import plan_cluster
from sizing.planning.skew import shard_skew
from tests.conftest import cluster, strings

VARYING = {"min": 60, "p50": 120, "max": 180}


def test_the_fullest_shard_is_loaded_with_its_largest_key() -> None:
    lists = {"type": "list", "keys": 40, "key_bytes": 12, "element_bytes": 100,
             "elements": {"min": 10, "p50": 100, "max": 5_000}}
    workload = cluster(lists, cluster_mode="enabled", availability={"min_shards": 4})
    plan = plan_cluster(workload, advise=False)
    [(part, big)] = shard_keyspaces(workload, plan, 1.0)
    assert part.keys_on_shard == fullest_shard_keys(40, plan.chosen.shards) > 40 / plan.chosen.shards
    assert part.keys_loaded == part.keys_on_shard and part.largest_key_loaded
    assert big is not None and big.elements == quantile(workload.keyspaces[0].elements, 0.9 ** (1 / 40))
    [(scaled, none)] = shard_keyspaces(workload, plan, 0.5)
    assert none is None and not scaled.largest_key_loaded  # scaling cannot keep one key whole
    assert scaled.keys_loaded == round(part.keys_on_shard * 0.5)


def test_keys_that_are_all_alike_have_no_largest_key() -> None:
    assert largest_key(cluster(strings()).keyspaces[0]) is None
    big = largest_key(cluster(strings(value_bytes=VARYING, ttl=0.5)).keyspaces[0])
    assert big is not None and big.ttl_share == 1 and 170 < big.value_bytes <= 180  # type: ignore[attr-defined]


def test_skew_is_one_for_many_small_keys_and_large_for_a_few_big_ones() -> None:
    many = dataset_model(cluster(strings(keys=5_000_000), cluster_mode="enabled"))
    assert shard_skew(many, 10) == pytest.approx(1.0, abs=0.01)
    few = dataset_model(cluster({"type": "list", "keys": 3, "key_bytes": 12, "elements": 12_000,
                                 "element_bytes": 2_000}, cluster_mode="enabled"))
    assert shard_skew(few, 3) == pytest.approx(3.0)  # all three on one shard, 1 placement in 9 at worst
    assert shard_skew(few, 1) == 1.0


def test_passes_follow_the_plan_window_up_to_the_cap() -> None:
    assert PASS_CAP == 5.1
    read_heavy = plan_cluster(cluster(strings(), write_pattern="read_heavy"), advise=False)
    assert window_passes(read_heavy) == pytest.approx(0.001 * CHURN_WINDOW_HOURS)
    assert default_passes(read_heavy) == pytest.approx(0.72)
    mixed = plan_cluster(cluster(strings(), write_pattern="mixed"), advise=False)
    assert window_passes(mixed) == pytest.approx(14.4) and default_passes(mixed) == PASS_CAP


def test_server_maxmemory_scales_the_data_budget_not_the_empty_server() -> None:
    plan = plan_cluster(cluster(strings()), advise=False)
    usable, baseline = plan.chosen.usable_memory_bytes, plan.chosen.memory_horizon.baseline_bytes
    assert server_maxmemory_bytes(plan, 1.0, baseline) == usable
    assert server_maxmemory_bytes(plan, 0.25, 1_000_000) == 1_000_000 + round(0.25 * (usable - baseline))


def _check(**overrides: Any) -> CapacityCheck:
    values: dict[str, Any] = {
        "cluster": "c", "planned_for": "redis 7.0", "server_version": "redis 7.0.15",
        "node_type": "cache.t4g.micro", "shards": 1, "cluster_mode": False, "write_pattern": "mixed", "churn_sizes": "vary", "scale": 0.5, "passes": 5.1,
        "window_passes": 14.4, "node_maxmemory_bytes": 1000, "reserved_memory_percent": 50,
        "usable_memory_bytes": 1000, "server_maxmemory_bytes": 510, "maxmemory_policy": "noeviction",
        "parameters_refused": (), "keyspaces": (), "skew": 1.0, "predicted_dataset_bytes": 300,
        "measured_dataset_bytes": 300, "baseline_used_bytes": 10, "baseline_rss_bytes": 100, "peak_used_bytes": 400,
        "peak_rss_bytes": 100 + 390, "planned_fixed_bytes": 20, "budget_peak_ratio": 1.5,
        "model_peak_ratio_at_passes": 1.45, "claimed_headroom_percent": 10.0, "oom_errors": 0, "evicted_keys": 0,
        "rewrites": 10, "churn_seconds": 1.0}
    values.update(overrides)
    return CapacityCheck(**values)


@pytest.mark.parametrize(("overrides", "left", "holds"), [
    # usable 1000, the plan's fixed parts 20, scale 0.5: need = net RSS / 0.5 + 20
    ({}, 20.0, True),
    ({"peak_rss_bytes": 100 + 440}, 10.0, True),
    ({"peak_rss_bytes": 100 + 450}, 8.0, True),  # exactly the claimed 10% less 2 points
    ({"peak_rss_bytes": 100 + 451}, 7.8, False),
    ({"peak_rss_bytes": 100 + 515}, -5.0, False),
    ({"oom_errors": 1}, 20.0, False),
    ({"evicted_keys": 3}, 20.0, False),
], ids=["roomy", "at-claim", "at-tolerance", "below-tolerance", "over", "oom", "evicted"])
def test_a_plan_holds_without_oom_or_eviction_and_with_its_headroom_less_two_points(
        overrides: dict[str, Any], left: float, holds: bool) -> None:
    check = _check(**overrides)
    assert check.headroom_left_percent == pytest.approx(left)
    assert check.holds is holds
    assert HEADROOM_TOLERANCE_POINTS == 2.0
    assert check.peak_ratio_measured == pytest.approx((check.peak_rss_bytes - 100) / 300)


def _churned(pattern: str, sizes: str, keyspace: dict[str, Any], keys: int, passes: float) -> tuple[
        list[list[bytes]], KeyWrites, int]:
    workload = cluster(keyspace)
    writes = KeyWrites(workload.keyspaces[0], 0, 1)
    for index in range(keys):
        writes.load(index)
    rewrites = 0
    sent: list[list[bytes]] = []
    for units, command in Churn([writes], pattern, sizes).stream(passes):
        rewrites += units
        if command:
            sent.append(command.split(b"\r\n")[2::2])
    return sent, writes, rewrites


def test_loading_key_by_key_sends_what_commands_sends() -> None:
    keyspace = cluster(strings(keys=500, value_bytes=VARYING, ttl=0.3)).keyspaces[0]
    writes = KeyWrites(keyspace, 1, 3)
    assert [c for i in range(500) for c in writes.load(i)] == list(commands(keyspace, 1, 3, 500))
    assert encoded(("ZADD", "k", 1.5, "m")) == b"*4\r\n$4\r\nZADD\r\n$1\r\nk\r\n$3\r\n1.5\r\n$1\r\nm\r\n"


def test_read_heavy_overwrites_and_mixed_deletes_a_share_and_adds_it_back() -> None:
    sent, writes, rewrites = _churned("read_heavy", "vary", strings(keys=1_000, value_bytes=VARYING), 1_000, 2.0)
    assert rewrites == 2_000 and Counter(c[0] for c in sent) == {b"SET": 2_000}
    sent, writes, rewrites = _churned("mixed", "vary", strings(keys=8_000, value_bytes=VARYING), 8_000, 1.0)
    kinds = Counter(c[0] for c in sent)
    assert rewrites == 8_000 and kinds[b"SET"] == 8_000  # every deleted key is written again
    assert kinds[b"DEL"] / 8_000 == pytest.approx(REINSERT_SHARE, abs=0.02)
    assert {c[1] for c in sent} == {name.encode() for name in writes.names}


def test_write_heavy_rewrites_short_lived_keys_of_the_data_itself() -> None:
    sent, writes, rewrites = _churned("write_heavy", "vary", strings(keys=4_000, value_bytes=VARYING), 4_000, 1.0)
    ring = {name.encode() for name in writes.names[3_600:]}
    assert rewrites == 3_600  # the last 10% are the short-lived keys, not counted in passes
    ring_writes = [c for c in sent if c[1] in ring]
    assert len(ring_writes) == 2 * 3_600 // SHORT_LIVED_EVERY  # a DEL and a SET each


def test_sizes_vary_within_bounds_and_unchanged_keeps_the_population() -> None:
    sent, writes, _ = _churned("read_heavy", "vary", strings(keys=1_000, value_bytes=VARYING), 1_000, 5.0)
    lengths = [len(c[2]) for c in sent]
    mean = sum(writes.value_size(i)[1] for i in range(1_000)) / 1_000
    assert max(lengths) <= mean * RELATIVE_LIMIT and min(lengths) >= mean / RELATIVE_LIMIT
    assert max(lengths) > 180  # the sizes walk away from the loaded population
    sent, writes, _ = _churned("read_heavy", "unchanged", strings(keys=1_000, value_bytes=VARYING), 1_000, 2.0)
    loaded = {writes.value_size(i)[1] for i in range(1_000)}
    assert {len(c[2]) for c in sent} <= loaded
    sent, _, _ = _churned("read_heavy", "reshaped", strings(keys=1_000, value_bytes=120), 1_000, 1.0)
    assert min(len(c[2]) for c in sent) >= 59 and max(len(c[2]) for c in sent) <= 181


def test_collections_are_rebuilt_whole() -> None:
    hashes = {"type": "hash", "keys": 50, "key_bytes": 12, "fields": {"min": 5, "p50": 10, "max": 20},
              "field_bytes": 8, "value_bytes": 20}
    sent, _, rewrites = _churned("mixed", "vary", hashes, 50, 1.0)
    assert rewrites == 50
    assert Counter(c[0] for c in sent)[b"DEL"] == 50 and {c[0] for c in sent} == {b"DEL", b"HSET"}
    assert math.isclose(sum(1 for c in sent if c[0] == b"DEL") / rewrites, 1.0)
