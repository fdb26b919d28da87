"""The memory model against hand-checked numbers (bytes per key at 100,000 keys).

Expected values are those measured on servers built from the release source
(benchmarks/measurements) and derived in docs/memory-model.md; exact to the byte for the
dict-based versions, within the random child-bucket count for Valkey 8.1 and later.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sizing import estimate_cluster
from tests.conftest import ROOT, cluster, strings

VERSIONS = [("redis", "6.2"), ("redis", "7.0"), ("redis", "7.1"), ("valkey", "7.2"), ("valkey", "8.0"), ("valkey", "8.1"),
            ("valkey", "8.2"), ("valkey", "9.0"), ("valkey", "9.1")]


def per_key(keyspace: dict[str, Any], engine: str, version: str, **overrides: Any) -> float:
    memory = estimate_cluster(cluster(keyspace, engine=engine, engine_version=version, **overrides))
    return memory.dataset_bytes / memory.keyspaces[0].keys


@pytest.mark.parametrize(
    ("keyspace", "expected"),
    [
        # Valkey 9.1 (main table 13.37 B/key as in 8.1): one allocation of 8-byte header + 1 +
        # key SDS + [8 expiry] + value sdshdr8 while it fits 128 bytes, else 8.1's two.
        #   str10   J(8 + 1 + 14 + 14 = 37) 40             str10-ttl J(8 + 8 + 1 + 14 + 14 = 45) 48
        #   str40   J(8 + 1 + 14 + 44 = 67) 80 (8.1: 32 + 48)   str100 J(8 + 1 + 14 + 104 = 127) 128
        #   key32   J(8 + 1 + 36 + 14 = 59) 64             int13 not embedded: J(16 + 1 + 14) 32
        (strings(), {"6.2": 82.49, "7.0": 82.49, "7.2": 82.49, "8.0": 82.49, "8.1": 61.37, "8.2": 61.37,
                     "9.0": 61.37, "9.1": 53.37}),
        (strings(ttl=True), {"6.2": 116.97, "7.0": 116.97, "7.2": 116.97, "8.0": 116.97, "8.1": 82.73, "9.0": 82.73,
                             "9.1": 74.73}),
        (strings(value_bytes=40), {"7.0": 114.49, "8.1": 93.37, "9.1": 93.37}),
        (strings(value_bytes=100), {"7.0": 178.49, "8.1": 157.37, "9.1": 141.37}),
        (strings(key_bytes=32), {"7.0": 106.49, "8.0": 98.49, "8.1": 85.37, "9.1": 77.37}),
        (strings(value_bytes=13, numeric=True), {"7.0": 66.49, "8.1": 45.37, "9.1": 45.37}),
    ],
    ids=["str10", "str10-ttl", "str40", "str100", "key32", "int13"],
)
def test_strings_per_version(keyspace: dict[str, Any], expected: dict[str, float]) -> None:
    for version, value in expected.items():
        engine = "redis" if version in ("6.2", "7.0") else "valkey"
        assert per_key(keyspace, engine, version) == pytest.approx(value, abs=0.02), version


def test_shared_integers_depend_on_policy() -> None:
    small = strings(value_bytes=4, numeric=True)
    assert per_key(small, "redis", "7.0", parameters={"maxmemory-policy": "noeviction"}) == pytest.approx(50.49, abs=0.01)
    assert per_key(small, "redis", "7.0") == pytest.approx(66.49, abs=0.01)  # ElastiCache default volatile-lru
    # Valkey 8.1 never shares: the object must carry the key.
    assert per_key(small, "valkey", "8.1", parameters={"maxmemory-policy": "noeviction"}) == pytest.approx(45.37, abs=0.02)


def test_debian_allocator_costs_more() -> None:
    upstream = estimate_cluster(cluster(strings(), engine="redis", engine_version="7.0"))
    debian = estimate_cluster(cluster(strings(), engine="redis", engine_version="7.0"), allocator="debian")
    assert (debian.dataset_bytes - upstream.dataset_bytes) / 100_000 == pytest.approx(8.0)


@pytest.mark.parametrize(
    ("keyspace", "encodings"),
    [
        ({"type": "hash", "keys": 1000, "key_bytes": 10, "fields": 512, "field_bytes": 8, "value_bytes": 8},
         {"6.2": "ziplist", "7.0": "listpack", "8.1": "listpack"}),
        ({"type": "hash", "keys": 1000, "key_bytes": 10, "fields": 513, "field_bytes": 8, "value_bytes": 8},
         {"6.2": "hashtable", "8.1": "hashtable"}),
        ({"type": "set", "keys": 1000, "key_bytes": 10, "members": 512, "member_bytes": 4, "numeric": True},
         {"7.0": "intset", "8.1": "intset"}),
        ({"type": "set", "keys": 1000, "key_bytes": 10, "members": 128, "member_bytes": 8},
         {"7.0": "hashtable", "7.2": "listpack"}),
        ({"type": "zset", "keys": 1000, "key_bytes": 10, "members": 129, "member_bytes": 8},
         {"6.2": "skiplist", "8.1": "skiplist"}),
        ({"type": "list", "keys": 1000, "key_bytes": 10, "elements": 5, "element_bytes": 10},
         {"7.0": "quicklist", "7.2": "listpack"}),
    ],
    ids=["hash-512", "hash-513", "intset-512", "set-128", "zset-129", "list-5"],
)
def test_encoding_boundaries(keyspace: dict[str, Any], encodings: dict[str, str]) -> None:
    for version, encoding in encodings.items():
        engine = "redis" if version in ("6.2", "7.0") else "valkey"
        memory = estimate_cluster(cluster(keyspace, engine=engine, engine_version=version))
        assert memory.keyspaces[0].encoding == encoding, version


def test_thresholds_from_parameters_change_the_estimate() -> None:
    hash_600 = {"type": "hash", "keys": 10_000, "key_bytes": 10, "fields": 600, "field_bytes": 8, "value_bytes": 8}
    default = estimate_cluster(cluster(hash_600))
    raised = estimate_cluster(cluster(hash_600, parameters={"hash-max-listpack-entries": 1024}))
    assert (default.keyspaces[0].encoding, raised.keyspaces[0].encoding) == ("hashtable", "listpack")
    assert raised.dataset_bytes < 0.6 * default.dataset_bytes


def test_cluster_mode_costs() -> None:
    for version, extra in (("7.0", 16.0), ("7.2", 16.0)):
        engine = "redis" if version == "7.0" else "valkey"
        plain = per_key(strings(), engine, version)
        assert per_key(strings(), engine, version, cluster_mode="enabled") - plain == pytest.approx(extra)
    # Valkey 8.0/8.1: one table per slot; at 100k random keys ~6 per slot (measured once
    # cron has finished resizing: 96.95 and 78.74 B/key).
    assert per_key(strings(), "valkey", "8.0", cluster_mode="enabled") == pytest.approx(96.95, abs=0.05)
    assert per_key(strings(), "valkey", "8.1", cluster_mode="enabled") == pytest.approx(78.74, abs=0.06)
    # Valkey 9.1: the object is 8 bytes smaller (J(37) 40 for J(45) 48); per-slot tables the same.
    assert per_key(strings(), "valkey", "9.1", cluster_mode="enabled") == pytest.approx(70.74, abs=0.06)


def test_restored_differs_where_the_engine_does() -> None:
    memory = estimate_cluster(cluster(strings(), engine="valkey", engine_version="8.0"))
    assert (memory.dataset_bytes - memory.restored_dataset_bytes) / 100_000 == pytest.approx(8.0)
    same = estimate_cluster(cluster(strings(), engine="valkey", engine_version="7.2"))
    assert same.dataset_bytes == same.restored_dataset_bytes


def test_residual_rehash_of_sets_written_by_commands() -> None:
    """A 100k-member set written by SADD keeps its old 65,536-slot table on 6.2/7.0."""
    big_set = {"type": "set", "keys": 1, "key_bytes": 10, "members": 100_000, "member_bytes": 9}
    memory = estimate_cluster(cluster(big_set, engine="redis", engine_version="7.0"))
    assert memory.dataset_bytes - memory.restored_dataset_bytes == 8 * 65_536


def test_sets_written_one_by_one_grow_from_their_conversion() -> None:
    """One SADD per member: from 7.2 no command pre-sizes the table. 1,000 integers stay an
    intset to 512 and convert to a table expanded for 513 (t_set.c ``maybeConvertIntset``):
    on Valkey 8.1 that is pow2(ceil(513 * 5 / 32)) = 128 buckets, full at 7 x 128 = 896, so
    it grows to 256 at the 897th, and the 103 SADDs after that move 103 of the old 128
    buckets: 25 of them, with their child buckets, are still allocated. In one batch the table is expanded for all
    1,000 at once: 256 buckets, no old table. (Measured on Valkey 8.1.1, 150 such sets:
    5,099,760 and 3,790,576 bytes.)"""
    ints = {"type": "set", "keys": 150, "key_bytes": 16, "members": 1000, "member_bytes": 6, "numeric": True}
    batched = estimate_cluster(cluster(ints, engine="valkey", engine_version="8.1")).dataset_bytes
    one_by_one = estimate_cluster(cluster({**ints, "written": "one_by_one"}, engine="valkey",
                                          engine_version="8.1")).dataset_bytes
    assert batched == pytest.approx(3_790_576, rel=0.005)
    assert one_by_one == pytest.approx(5_099_760, rel=0.005)


@pytest.mark.parametrize("kind", [
    {"type": "set", "members": 300, "member_bytes": 12},
    {"type": "hash", "fields": 300, "field_bytes": 10, "value_bytes": 20},
    {"type": "zset", "members": 300, "member_bytes": 12},
])
def test_before_72_how_collections_are_written_does_not_matter(kind: dict[str, Any]) -> None:
    """Redis 7.0 takes no size hint from a command's count (7.2 added them)."""
    keyspace = {"keys": 1000, "key_bytes": 16, **kind}
    batched = estimate_cluster(cluster(keyspace, engine="redis", engine_version="7.0")).dataset_bytes
    one_by_one = estimate_cluster(cluster({**keyspace, "written": "one_by_one"}, engine="redis",
                                          engine_version="7.0")).dataset_bytes
    assert one_by_one == batched


# Bytes per key at 500,000,000 keys (12-byte keys, 10-byte values, cluster mode), by hand from
# docs/memory-model.md and sizing/memory/dataset.py; J() is jemalloc's class (8-byte steps to 64,
# then 4 per power of two). 500M keys is 30,517.578 per slot; one main dict has
# pow2(500M) = 2^29 buckets * 8 bytes / 500M = 8.589935 per key.
HUGE_PER_KEY = {
    # dictEntry J(24) 24 + key J(1 + 12 + 1) 16 + embstr J(16 + 3 + 10 + 1) 32 = 72, + 8.589935 dict,
    # + slot rax (memory/slot_rax.py; tests/test_cluster_rax.py checks it against the tree): 30,517.6
    #   names per slot branch over 62 characters at depths 0-2 (J(576) per full branch node, J(80) at
    #   depth 2: 11.2 + 1.3 a key), then a compressed node J(align8(4 + 9) + 8) 24 and a leaf 8: 44.903270
    "6.2": 72 + 8.589935 + 44.903270,  # 125.493205
    # dictEntry with cluster metadata J(24 + 16) 40 + key 16 + embstr 32 = 88, + 8.589935 dict
    "7.0": 88 + 8.589935,  # 96.589935
    "7.1": 88 + 8.589935,  # 7.0's layout
    "7.2": 88 + 8.589935,
    # entry with the key embedded J(17 + 3 + 12 + 1) 40 + embstr 32 = 72, + per slot J(72) 80
    #   + 32,768 buckets * 8 (30,517 +- 2,100 keys, grown on full) = 262,224 / 30,517.58 = 8.592556
    "8.0": 72 + 8.592556,  # 80.592556
    # one object J(16 + 1 + 14 + value 3 + 10 + 1 = 45) 48, + per slot J(88) 96 + 8,192 buckets of 64
    #   bytes (pow2(ceil(30,518 / 7))), + 0.036468 child buckets per bucket (load 3.7253 per bucket:
    #   sum over k > 7 of Poisson(k) * ceil((k - 7) / 6)): (96 + 64 * 8,192 * 1.036468) / 30,517.58
    "8.1": 48 + 17.809531,  # 65.809531
    "8.2": 48 + 17.809531,  # 8.1's layout (README: 8.2 is assumed to be 8.1)
    "9.0": 48 + 17.809531,  # 8.1's layout for strings
    # one object J(8 + 1 + 14 + value 3 + 10 + 1 = 37) 40; per slot J(80 + 16) 96 as in 8.1
    "9.1": 40 + 17.809531,  # 57.809531
}


@pytest.mark.parametrize(("engine", "version"), VERSIONS)
def test_huge_key_counts_are_arithmetic(engine: str, version: str) -> None:
    """500 million keys estimate like a thousand: no loop over keys (benchmarks time it)."""
    memory = estimate_cluster(cluster(strings(keys=500_000_000), engine=engine, engine_version=version,
                                      cluster_mode="enabled"))
    assert memory.dataset_bytes / 500_000_000 == pytest.approx(HUGE_PER_KEY[version], rel=1e-3)


def _recorded_total(version: str, case: str) -> int:
    document = json.loads((ROOT / f"benchmarks/measurements/valkey-{version}.json").read_text())
    return int(next(c for c in document["cases"] if c["case"] == case)["total"]["measured_bytes"])


def test_valkey91_strings_drop_the_value_pointer() -> None:
    """str-raw-45, 16-byte keys, 45-byte values: 8.1 keeps them apart, J(16 + 1 + 18) 40 +
    J(3 + 45 + 1) 56 = 96; 9.1 embeds, J(8 + 1 + 18 + 49 = 76) 80: 16 bytes less per key,
    which the two servers measured (60,000 keys)."""
    raw45 = strings(keys=60_000, key_bytes=16, value_bytes=45)
    assert per_key(raw45, "valkey", "8.1") - per_key(raw45, "valkey", "9.1") == pytest.approx(16.0)
    measured = (_recorded_total("8.1", "str-raw-45") - _recorded_total("9.1", "str-raw-45")) / 60_000
    assert measured == pytest.approx(16.0, abs=0.05)


def test_valkey91_skiplist_nodes_hold_their_member() -> None:
    """zset-129 (2,000 keys of 129 members of 16 bytes): 8.1 pays a node E[J(24 + 16 L)] =
    45.836458 (test_plan) and the member J(18) 24 = 69.836458; 9.1 one allocation
    E[J(16 + 16 L + 1 + 18)] = 3/4*56 + 3/16*80 + 3/64*96 + 3/256*112 + 3/1024*128
    + 3/4096*160 + 3/16384*160 + 3/65536*192 + ... = 63.345834, so 6.490624 less per member.
    The skiplist itself: 8.1 J(32) + header node J(536) 640 = 672, 9.1 one J(528) 640: 32 less.
    Per key 32 + 129 * 6.490624 = 869.290, and the servers measured 866.6."""
    zset = {"type": "zset", "keys": 2000, "key_bytes": 16, "members": 129, "member_bytes": 16,
            "scores": "unix_seconds"}
    assert per_key(zset, "valkey", "8.1") - per_key(zset, "valkey", "9.1") == pytest.approx(869.290, abs=0.01)
    assert per_key(zset, "valkey", "9.0") == per_key(zset, "valkey", "8.1")
    measured = (_recorded_total("8.1", "zset-129") - _recorded_total("9.1", "zset-129")) / 2000
    assert measured == pytest.approx(869.290, rel=0.01)


def test_valkey9_hash_tables_carry_metadata() -> None:
    """A hash as a hashtable: 8.1 J(72) 80 for struct hashtable; 9.0 adds the 8-byte pointer
    of hash field expiration, J(80) 80 still; 9.1's struct is 80 bytes, J(88) 96: 16 more,
    as measured on hash-value-65 (10,000 keys)."""
    hashes = {"type": "hash", "keys": 10_000, "key_bytes": 16, "fields": 8, "field_bytes": 10, "value_bytes": 65}
    assert per_key(hashes, "valkey", "9.0") == per_key(hashes, "valkey", "8.1")
    assert per_key(hashes, "valkey", "9.1") - per_key(hashes, "valkey", "8.1") == pytest.approx(16.0)
    measured = (_recorded_total("9.1", "hash-value-65") - _recorded_total("8.1", "hash-value-65")) / 10_000
    assert measured == pytest.approx(16.0, abs=0.1)
