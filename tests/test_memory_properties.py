"""Properties of the memory model that must hold for any definition (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sizing import estimate_cluster
from tests.conftest import cluster

VERSIONS = st.sampled_from([("redis", "6.2"), ("redis", "7.0"), ("valkey", "7.2"), ("valkey", "8.0"), ("valkey", "8.1"),
                              ("valkey", "9.1")])
MODES = st.sampled_from(["enabled", "disabled"])


@st.composite
def keyspaces(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["string", "hash", "list", "set", "zset"]))
    base = {"type": kind, "keys": draw(st.integers(1, 10**9)), "key_bytes": draw(st.integers(1, 200)),
            "ttl": draw(st.booleans())}
    size = st.integers(1, 3000)
    if kind == "string":
        numeric = draw(st.booleans())
        return {**base, "value_bytes": draw(st.integers(1, 18) if numeric else size), "numeric": numeric}
    if kind == "hash":
        return {**base, "fields": draw(size), "field_bytes": draw(st.integers(1, 100)), "value_bytes": draw(size)}
    if kind == "list":
        return {**base, "elements": draw(size), "element_bytes": draw(size)}
    if kind == "set":
        return {**base, "members": draw(size), "member_bytes": draw(st.integers(4, 100))}
    return {**base, "members": draw(size), "member_bytes": draw(st.integers(1, 100)), "scores": draw(st.sampled_from(["floats", "unix_seconds", "unix_millis", "small_integers"]))}


@settings(max_examples=300, deadline=None)
@given(keyspaces(), VERSIONS, MODES, st.integers(1, 10**6))
def test_more_keys_never_cost_less(keyspace: dict[str, Any], version: tuple[str, str], mode: str, extra: int) -> None:
    engine, number = version
    small = estimate_cluster(cluster(keyspace, engine=engine, engine_version=number, cluster_mode=mode))
    big = estimate_cluster(cluster({**keyspace, "keys": keyspace["keys"] + extra}, engine=engine,
                                   engine_version=number, cluster_mode=mode))
    assert big.dataset_bytes >= small.dataset_bytes
    assert small.dataset_bytes > 0


@settings(max_examples=200, deadline=None)
@given(keyspaces(), VERSIONS, MODES)
def test_estimates_are_deterministic_and_positive_per_key(keyspace: dict[str, Any], version: tuple[str, str],
                                                          mode: str) -> None:
    engine, number = version
    definition = cluster(keyspace, engine=engine, engine_version=number, cluster_mode=mode)
    first, second = estimate_cluster(definition), estimate_cluster(definition)
    assert first == second
    # Every key costs at least its own name and a pointer to it.
    assert first.dataset_bytes >= keyspace["keys"] * (keyspace["key_bytes"] + 8)
