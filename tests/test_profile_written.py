"""How collections were written, told from the sampled keys' MEMORY USAGE (no server).

The keys are made as MEMORY USAGE reports them: the model's price of the key's element
count under one way of writing, plus what MEMORY USAGE counts apart from the model (a
per-key and a per-element constant) and the noise of its five-element estimate. The way
used to make them must be the one found; where both ways cost the same, nothing is.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from sizing.live.sampling import KeySample
from sizing.live.written import written_evidence
from sizing.memory.engines import engine_profile
from sizing.memory.values import value_structure
from sizing.planning.parameter_group import encoding_limits
from sizing.spec.workload import Cluster

TAGS = {"name": "tags", "type": "set", "keys": 3000, "key_bytes": 18,
        "members": {"min": 40, "p50": 200, "max": 400}, "member_bytes": {"min": 5, "p50": 12, "max": 30}}
"""The sets of the production-shaped ``tags-one-by-one``: past the listpack limit, and across a doubling."""


def _cluster(engine: str, version: str, keyspace: dict[str, Any]) -> Cluster:
    return Cluster.model_validate({"name": "c", "engine": engine, "engine_version": version,
                                   "keyspaces": [keyspace]})


def _keys(cluster: Cluster, arrival: str, count: int = 800, noise_bytes: float = 1200) -> list[KeySample]:
    """Keys of ``cluster``'s one keyspace as MEMORY USAGE reports them, written ``arrival``."""
    profile = engine_profile(cluster.engine, cluster.version)
    limits = encoding_limits(cluster, profile)
    keyspace = cluster.keyspaces[0]
    chosen = random.Random(7)
    keys = []
    for index in range(count):
        n = chosen.randint(130, 400)
        _, price = value_structure(keyspace.model_copy(update={"members": n}), profile, limits, arrival)
        usage = 90 + 6 * n + price + chosen.gauss(0, noise_bytes)
        keys.append(KeySample(name=f"tags:{index}", key_bytes=18, type="set", encoding="hashtable", ttl=False,
                              memory_usage_bytes=round(usage), length=n))
    return keys


def _found(cluster: Cluster, keys: list[KeySample]) -> Any:
    profile = engine_profile(cluster.engine, cluster.version)
    return written_evidence(cluster.keyspaces[0], keys, profile, encoding_limits(cluster, profile))


@pytest.mark.parametrize("version", ["7.2", "8.0", "8.1"])
@pytest.mark.parametrize(("arrival", "written"), [("one_by_one", "one_by_one"), ("commands", "in_batches")])
def test_the_way_the_tables_were_written_is_found(version: str, arrival: str, written: str) -> None:
    cluster = _cluster("valkey", version, TAGS)
    evidence = _found(cluster, _keys(cluster, arrival))
    assert evidence is not None and evidence.written == written, evidence
    assert evidence.keys_fitted == 800
    assert evidence.residual_bytes[written] < evidence.residual_bytes[
        "in_batches" if written == "one_by_one" else "one_by_one"]


def test_noise_that_hides_the_difference_decides_nothing() -> None:
    cluster = _cluster("valkey", "8.0", TAGS)
    evidence = _found(cluster, _keys(cluster, "one_by_one", count=40, noise_bytes=20_000))
    assert evidence is not None and evidence.written is None


def test_where_both_ways_cost_the_same_there_is_nothing_to_find() -> None:
    # Redis 7.0 pre-sizes no table for a command's count: the two ways are one.
    cluster = _cluster("redis", "7.0", TAGS)
    assert _found(cluster, _keys(cluster, "commands")) is None
    # Sets that never leave the listpack.
    small = _cluster("valkey", "8.0", {**TAGS, "members": {"min": 5, "max": 100}})
    listpacks = [KeySample(name=f"s:{i}", key_bytes=4, type="set", encoding="listpack", ttl=False,
                           memory_usage_bytes=300, length=20) for i in range(100)]
    assert _found(small, listpacks) is None
