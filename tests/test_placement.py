"""Keys are indivisible: a shard is sized for the keys it may really hold, not an even share."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from sizing import estimate_cluster
from sizing.memory.placement import EXACT_BINOMIAL_KEYS, FULLEST_SHARD_QUANTILE, fullest_shard_bytes, fullest_shard_keys
from sizing.planning.estimate import dataset_model
from sizing.planning.plan import plan_cluster
from tests.conftest import cluster


@pytest.mark.parametrize(("keys", "shards"), [(3, 3), (10, 4), (100, 10), (1000, 7), (5000, 5)])
def test_the_fullest_shard_is_the_simulated_ninetieth_percentile(keys: int, shards: int) -> None:
    rng = random.Random(7)
    fullest = sorted(max(Counter(rng.randrange(shards) for _ in range(keys)).values()) for _ in range(400))
    simulated = fullest[int(0.9 * len(fullest))]
    assert abs(fullest_shard_keys(keys, shards) - simulated) <= max(1, 0.003 * simulated)


def test_three_big_keys_on_three_shards_are_planned_together() -> None:
    # Two or three share a shard 7 times in 9; at the 90th percentile all three do (3 in 27).
    assert fullest_shard_keys(3, 3) == 3
    assert fullest_shard_bytes(3, 3, per_key=512.0, largest_key=512.0) == 3 * 512.0


def test_one_large_key_is_never_split_across_shards() -> None:
    big_list = {"type": "list", "keys": 1, "key_bytes": 16, "elements": 10_000_000, "element_bytes": 100}
    model = dataset_model(cluster(big_list, cluster_mode="enabled"))
    whole = model.shard_bytes(1)
    assert model.shard_bytes(2) >= whole * 0.999  # the shard that has it holds all of it
    plan = plan_cluster(cluster(big_list, cluster_mode="enabled", availability={"max_shards": 4}), advise=False)
    assert plan.chosen.memory_today.dataset_bytes >= whole * 0.999


def test_the_largest_of_varying_keys_is_counted_on_its_shard() -> None:
    # 5% of 200 lists have 1,001-200,000 elements, so about 10 such lists exist and the
    # biggest of them (in 9 keyspaces of 10) has 0.9^(1/200) -> ~197,000 elements: alone it
    # outweighs an even tenth of the keyspace.
    lists = {"type": "list", "keys": 200, "key_bytes": 16, "element_bytes": 100,
             "elements": {"histogram": [{"up_to": 1000, "share": 0.95}, {"up_to": 200_000, "share": 0.05}]}}
    model = dataset_model(cluster(lists, cluster_mode="enabled"))
    largest = estimate_cluster(cluster({**lists, "keys": 1, "elements": 197_000})).dataset_bytes
    assert model.shard_bytes(10) >= largest > model.shard_bytes(1) / 10
    assert model.shard_bytes(10) < model.shard_bytes(1) / 2


def test_many_small_keys_cost_little_more_than_an_even_share() -> None:
    many = dataset_model(cluster({"type": "string", "keys": 10_000_000, "key_bytes": 16, "value_bytes": 100},
                                 cluster_mode="enabled"))
    assert many.shard_bytes(10) == pytest.approx(many.shard_bytes(1) / 10, rel=0.003)


@pytest.mark.server
def test_a_few_big_keys_fit_the_shard_planned_for_them(debian_redis_server: str) -> None:
    """Three lists of about 24 MB each over at least two shards: at the 90th percentile one
    shard holds all three (all on one of two shards: 2 placements in 8), so the plan sizes
    each shard for three whole keys. The fullest shard's keys, loaded into a real server
    whose maxmemory is the planned node's usable memory, take no more than the plan says,
    and every write is accepted."""
    from sizing.live.client import command
    from sizing.live.server import started_server
    from sizing.live.verification import verify_cluster
    from sizing.memory.engines import engine_profile

    lists = {"type": "list", "keys": 3, "key_bytes": 12, "elements": 12_000, "element_bytes": 2_000}
    workload = cluster(lists, engine="redis", engine_version="7.0", cluster_mode="enabled",
                       availability={"min_shards": 2})
    chosen = plan_cluster(workload).chosen
    assert chosen is not None and chosen.shards >= 2
    fullest = fullest_shard_keys(3, chosen.shards)
    assert fullest == 3
    shard = workload.variant(keyspaces=[workload.keyspaces[0].variant(keys=fullest)])
    with started_server(debian_redis_server, engine_profile("redis", "7.0").defaults, True) as client:
        command(client, "CONFIG", "SET", "maxmemory", str(chosen.usable_memory_bytes))
        command(client, "CONFIG", "SET", "maxmemory-policy", "noeviction")
        measured = verify_cluster(shard, client, 1.0, lambda _: None).total.measured_bytes
    assert measured <= chosen.memory_today.dataset_bytes * 1.02  # within the model's 2%
    assert chosen.memory_today.dataset_bytes >= 2.9 * measured / 3  # whole keys, not 3 / shards of them


def test_the_fullest_shard_skips_only_terms_that_are_zero() -> None:
    """The sum starts at the first term that is not 0.0 as a double: the answer is the full
    sum's, for counts the exact binomial covers."""

    def summed(keys: int, shards: int) -> int:
        target, p = FULLEST_SHARD_QUANTILE ** (1 / shards), 1 / shards
        cumulative = 0.0
        for m in range(keys + 1):
            cumulative += math.exp(math.lgamma(keys + 1) - math.lgamma(m + 1) - math.lgamma(keys - m + 1)
                                   + m * math.log(p) + (keys - m) * math.log1p(-p))
            if cumulative >= target:
                return max(m, math.ceil(keys / shards))
        return keys

    rng = random.Random(4)
    for _ in range(80):
        keys, shards = rng.randint(2, EXACT_BINOMIAL_KEYS), rng.randint(2, 500)
        assert fullest_shard_keys(keys, shards) == summed(keys, shards), (keys, shards)
