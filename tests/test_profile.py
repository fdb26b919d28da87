"""``profile``: key names grouped into patterns, and live servers profiled into definitions.

The live tests load ``tests/profile_data.py`` into Debian's redis-server on 127.0.0.1, and
check that

- every pattern is found, with its type, one keyspace per pattern and type, and counts
  are exact when every key is read and within sampling error when not;
- the quantiles, shares and score kinds written match data whose every length is known
  (``known_data``), big keys' elements counting by the keys' element counts;
- the model's estimate of the produced file is within 2% of the server's dataset
  memory, standalone and in cluster mode. "Dataset" is the growth of used_memory from
  loading the data into the empty server, less the latency histograms the load's
  commands created (24,688 bytes each), measured here, not taken from the profile;
- the profile only reads (no write command reaches the server, nothing changes), counts
  every command it sends (what the rate limit is applied to), names a missing ACL
  permission, connects with TLS, and never prints a password.

Sizes that vary are written as quantiles, which the model integrates over: values of 50
to 500 bytes and key names of 5 to 12 letters, which one mean length priced 4% and 6%
high, come within the tolerance as one keyspace each.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis
from click.testing import CliRunner

from sizing import ServerError, estimate_cluster, load_workload, parse_workload
from sizing.cli import cli
from sizing.live.patterns import is_identifier, patterns
from sizing.live.profile import (
    COST_STEPS,
    HISTOGRAM_BOUND_RATIO,
    Profile,
    build_profile,
    described,
    model_version,
    quantiles,
    score_kind,
    written_share,
)
from sizing.live.sampling import (
    LATENCY_HISTOGRAM_BYTES,
    KeySample,
    ServerSample,
    ServerSnapshot,
    _Budget,
    integer_digits,
)
from sizing.live.server import free_port, started_server
from sizing.live.verification import rehashing, settle
from sizing.memory.distribution import distribution
from sizing.memory.engines import engine_profile
from sizing.render.profile_view import profile_yaml
from sizing.spec.distribution import Histogram, Quantiles
from tests.conftest import ROOT
from tests.profile_data import EXPECTED, Known, known_data, load_known, load_mixed

TOLERANCE_PERCENT = 2.0
FAST = "200000"  # --max-ops-per-sec for tests: the limiter is not what they test


# --- patterns, no server -----------------------------------------------------------------

@pytest.mark.parametrize(("keys", "expected"), [
    (["user:1234:profile", "user:98:profile"], {"user:{id}:profile"}),
    (["session:9f86d081884c7d659a2feaa0c55ad015", "session:0a4d55a8d778e5022fab701977c5d840"], {"session:{id}"}),
    (["cart:{8812}:items", "cart:{17}:items"], {"cart:{id}:items"}),
    (["order:6ba7b810-9dad-11d1-80b4-00c04fd430c8"], {"order:{id}"}),
    (["api:v2:user:55", "api:v2:user:56"], {"api:v2:user:{id}"}),
    (["config:featureFlags", "config:limits"], {"config:featureFlags", "config:limits"}),
    ([f"handle:{name}" for name in ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
                                    "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent")],
     {"handle:{id}"}),
    ([f"tenant:{t}:user:{u}" for t in ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne",
                                       "wonka", "tyrell", "cyberdyne", "soylent", "aperture", "vandelay",
                                       "pied", "dunder", "oscorp", "gringotts")
      for u in ("ann", "ben", "cid", "dan", "eve", "fay", "gus", "hal", "ida", "jon", "kim", "lou", "max", "ned",
                "oto", "pam", "quin")],
     {"tenant:{id}:user:{id}"}),
    (["files/2024/report one.pdf"], {"files_{id}_report_one.pdf"}),
    (["x" * 10 + "Ab1"], {"{id}"}),
], ids=["numeric-id", "hex-digest", "hash-tag", "uuid", "version-word-kept", "few-words-kept", "many-words-collapse",
        "two-word-positions", "sanitized", "alnum"])
def test_patterns(keys: list[str], expected: set[str]) -> None:
    assert set(patterns(keys).values()) == expected


@pytest.mark.parametrize(("token", "variable"), [
    ("1234", True), ("v2", False), ("u12345", True), ("deadbeef12", True), ("profile", False),
    ("userSettings", False), ("aZkQpLmXrTyWbNcV", True), ("", False),
])
def test_identifiers(token: str, variable: bool) -> None:
    assert is_identifier(token) is variable


def test_every_pattern_is_a_valid_keyspace_name() -> None:
    names = patterns(["a b:1", "ключ:2", "x#y@z=1", "" ]).values()
    for name in names:
        parse_workload(f"clusters: [{{name: c, keyspaces: [{{name: '{name}', type: string, keys: 1, key_bytes: 1, "
                       "value_bytes: 1}]}]", "<test>")


@pytest.mark.parametrize(("engine", "version", "expected"), [
    ("redis", "7.0.15", "7.0"), ("redis", "7.4.1", "7.1"), ("redis", "5.0.7", "6.2"), ("valkey", "8.1.1", "8.1"),
    ("valkey", "9.0.0", "9.0"), ("valkey", "9.2.0", "9.1"),
])
def test_model_version(engine: str, version: str, expected: str) -> None:
    chosen, note = model_version(engine, version)
    assert chosen == expected
    assert bool(note) is (not version.startswith(expected + "."))


def _snapshot(keys: int, **overrides: Any) -> ServerSnapshot:
    values: dict[str, Any] = {
        "address": "h:1", "engine": "redis", "version": "7.0.15", "cluster_enabled": False, "keys": keys,
        "used_memory_bytes": 10_000_000, "startup_bytes": 900_000, "clients_bytes": 0, "replication_bytes": 0,
        "other_overhead_bytes": 0, "histograms": 10, "fragmentation_ratio": 1.1, "maxmemory_policy": "allkeys-lru",
        "maxmemory_bytes": 1 << 30, "cpu_seconds": 1.0, "commands_processed": 100,
    }
    return ServerSnapshot(**{**values, **overrides})


def _key(name: str, kind: str = "hash", length: int = 10, ttl: bool = False, encoding: str = "listpack",
         items: tuple[int, ...] = (6,) * 8, digits: tuple[int, ...] | None = None,
         values: tuple[int, ...] = (), value_digits: tuple[int, ...] | None = None,
         scores: tuple[float, ...] = (), integer: bool = False) -> KeySample:
    if kind == "string":
        items = ()
    return KeySample(name=name, key_bytes=len(name), type=kind, encoding=encoding, ttl=ttl, memory_usage_bytes=200,
                     length=length, integer=integer, item_bytes=items,
                     item_digits=digits if digits is not None else (0,) * len(items), value_bytes=values,
                     value_digits=value_digits if value_digits is not None else (0,) * len(values), scores=scores)


def _built(keys: list[KeySample], population: int | None = None, **snapshot: Any) -> Profile:
    total = population or len(keys)
    sample = ServerSample(before=_snapshot(total, **snapshot), after=_snapshot(total, **snapshot),
                          scanned_keys=len(keys), keys=tuple(keys), commands_sent=1000, elapsed_seconds=1.0)
    return build_profile("redis://h:1", "c", [sample], "upstream")


def _lower_quantiles(values: list[int]) -> int | dict[str, int]:
    """The oracle: value k of the sorted sample is p(k/n); pN is the first whose share reaches N%."""
    ordered = sorted(values)
    if ordered[0] == ordered[-1]:
        return ordered[0]
    n = len(ordered)
    points = {"p1": 10, "p5": 50, "p10": 100, "p25": 250, "p50": 500, "p75": 750, "p90": 900, "p95": 950, "p99": 990,
              "p99_9": 999}  # per mille
    return {"min": ordered[0], **{name: ordered[-(-mille * n // 1000) - 1] for name, mille in points.items()},
            "max": ordered[-1]}


def _histogram_oracle(values: list[int]) -> dict[str, Any]:
    """The oracle for a written histogram, from the distinct values and their counts: bins
    from each bin's smallest value up to floor(1.19 x) - 1 (at least itself) or the next
    cost step, halved while their mean is off their middle by more than 1%; a bucket per bin up to its largest
    value, an empty one before each bin's smallest value where nothing was read; shares to
    4 significant digits, the largest absorbing the rounding."""
    counts = Counter(values)

    def halved(distinct: list[int]) -> list[list[int]]:
        mean = sum(v * counts[v] for v in distinct) / sum(counts[v] for v in distinct)
        middle = (distinct[0] + distinct[-1]) / 2
        if len(distinct) == 1 or abs(mean - middle) <= 0.01 * mean:
            return [distinct]
        return halved([v for v in distinct if v <= middle]) + halved([v for v in distinct if v > middle])

    distinct = sorted(counts)
    buckets: list[list[Any]] = []
    start = 0
    while start < len(distinct):
        low = distinct[start]
        bound = min(max(low, math.floor(low * HISTOGRAM_BOUND_RATIO) - 1), min(s for s in COST_STEPS if s >= low))
        in_bin = [v for v in distinct[start:] if v <= bound]
        start += len(in_bin)
        for part in halved(in_bin):
            if part[0] - 1 > (buckets[-1][0] if buckets else 0):
                buckets.append([part[0] - 1, 0.0])
            buckets.append([part[-1], float(f"{sum(counts[v] for v in part) / len(values):.4g}")])
    largest = max(buckets, key=lambda b: b[1])
    largest[1] = round(largest[1] + 1 - sum(b[1] for b in buckets), 6)
    return {"histogram": [{"up_to": up_to, "share": share} for up_to, share in buckets]}


def _written(values: list[int]) -> int | dict[str, Any]:
    """What the profile writes for values read once: their quantiles while the mean those
    imply is within 1% of the sample's and the share at or below every cost step within
    half a point, else their histogram."""
    written = _lower_quantiles(values)
    if isinstance(written, int):
        return written
    implied = distribution(Quantiles.model_validate(written))
    mean = sum(values) / len(values)
    shares_kept = all(abs(implied.cdf(step) - sum(v <= step for v in values) / len(values)) <= 0.005
                      for step in COST_STEPS if min(values) <= step < max(values))
    if abs(implied.mean() - mean) <= 0.01 * mean and shares_kept:
        return written
    histogram = _histogram_oracle(values)
    assert abs(distribution(Histogram.model_validate(histogram)).mean() - mean) <= 0.005 * mean
    return histogram


def _size(values: list[int]) -> Any:
    written = _written(values)
    if isinstance(written, int):
        return written
    return Histogram.model_validate(written) if "histogram" in written else Quantiles.model_validate(written)


@pytest.mark.parametrize("values", [
    [5], [3, 3, 3], list(range(1, 101)), [1, 2], [10] * 50 + [20] * 50, [1] * 99 + [5000],
    [7, 1, 9, 3, 3, 8, 2, 2, 6, 4, 4, 4, 5, 100, 12],
])
def test_quantiles_are_the_samples(values: list[int]) -> None:
    assert quantiles([(v, 1.0) for v in values], 10**6) == _lower_quantiles(values)


def test_weighted_quantiles_count_each_value_by_its_weight() -> None:
    # 9 values of weight 1 at 5 and one of weight 91 at 20: like a key of 91 elements read once.
    assert quantiles([(5, 1.0)] * 9 + [(20, 91.0)], 100) == _lower_quantiles([5] * 9 + [20] * 91)
    assert quantiles([(0, 1.0), (70_000, 1.0)], 65_536) == {"min": 1, **dict.fromkeys(
        ("p1", "p5", "p10", "p25", "p50"), 1), **dict.fromkeys(("p75", "p90", "p95", "p99", "p99_9"), 65_536),
        "max": 65_536}


@pytest.mark.parametrize(("value", "digits"), [
    (b"0", 1), (b"7", 1), (b"-45", 2), (b"123456789012345678", 18), (b"1234567890123456789", 0), (b"007", 0),
    (b"-0", 0), (b"1.5", 0), (b"12a", 0), (b"", 0), (b"+3", 0), (b" 3", 0),
])
def test_integer_digits(value: bytes, digits: int) -> None:
    assert integer_digits(value) == digits


@pytest.mark.parametrize(("scores", "kind"), [
    ((0.0, 17.0, 4095.0), "small_integers"), ((1.0, 4096.0), "unix_seconds"), ((-5.0, 3.0), "unix_seconds"),
    ((1_700_000_000.0, 2.0**31 - 1), "unix_seconds"), ((2.0**31,), "unix_millis"),
    ((1_700_000_000_000.0,), "unix_millis"), ((-(2.0**31) - 1, 0.0), "unix_millis"), ((1.0, 2.5), "floats"),
    ((float("inf"), 1.0), "floats"), ((), "floats"),
])
def test_score_kinds(scores: tuple[float, ...], kind: str) -> None:
    assert score_kind(scores) == kind


def test_one_keyspace_per_pattern_with_shares() -> None:
    keys = [_key(f"user:{i}:profile", length=10 + i % 2, ttl=i % 4 == 0,
                 encoding="listpack" if i % 10 else "hashtable",
                 items=(4, 4, 4, 4, 3, 3, 3, 3), digits=(0, 0, 0, 0, 3, 3, 3, 3),
                 values=(12,) * 6 + (2, 5), value_digits=(0,) * 6 + (2, 5)) for i in range(100)]
    keys += [_key(f"counter:{i}", "string", length=1 + i % 5, encoding="int", integer=True) for i in range(100)]
    profile = _built(keys, 2000, maxmemory_policy="allkeys-lru")
    by_name = {k.definition["name"]: k for k in profile.keyspaces}
    assert set(by_name) == {"user:{id}:profile", "counter:{id}"}  # no split by encoding, TTL or count
    assert by_name["counter:{id}"].definition == {
        "name": "counter:{id}", "type": "string", "keys": 1000, "key_bytes": _written([len(f"counter:{i}") for i in range(100)]),
        "value_bytes": _written([1 + i % 5 for i in range(100)]), "numeric": True}
    user = by_name["user:{id}:profile"]
    assert user.definition == {
        "name": "user:{id}:profile", "type": "hash", "keys": 1000,
        "key_bytes": _written([len(f"user:{i}:profile") for i in range(100)]),
        "fields": _written([10 + i % 2 for i in range(100)]),
        "field_bytes": 4, "numeric_fields": {"share": 0.5, "digits": 3},
        "value_bytes": 12, "numeric": {"share": 0.25, "digits": _written([2] * 100 + [5] * 100)},
        "ttl": 0.25,
    }
    assert user.encodings == {"listpack": 0.9, "hashtable": 0.1} and user.encoding == "listpack"
    assert user.ttl_share == 0.25 and user.numeric_share == 0.25 and user.numeric_fields_share == 0.5
    written = parse_workload(profile_yaml(profile, "now"), "<profile>").clusters[0]
    assert written == profile.cluster
    assert written.parameters.maxmemory_policy == "allkeys-lru"


def test_big_keys_elements_count_fully() -> None:
    # One set of 1,000 members of 20 bytes, read 8 at a time, and 9 sets of 8 members of 5 bytes.
    keys = [_key("big:1", "set", length=1000, items=(20,) * 8, encoding="hashtable")]
    keys += [_key(f"big:{i}", "set", length=8, items=(5,) * 8) for i in range(2, 11)]
    definition = _built(keys).keyspaces[0].definition
    assert definition["member_bytes"] == _written([20] * 1000 + [5] * 72)
    assert definition["members"] == _written([1000] + [8] * 9)
    assert "numeric" not in definition and "ttl" not in definition


def test_several_types_under_one_pattern_keep_the_type_in_the_name() -> None:
    keys = [_key(f"obj:{i}", "string", length=30, encoding="embstr") for i in range(6)]
    keys += [_key(f"obj:{i}", "zset", length=3, items=(7, 7, 7), scores=(1.0, 2.0, 3.0)) for i in range(6, 10)]
    by_name = {k.definition["name"]: k.definition for k in _built(keys).keyspaces}
    assert by_name["obj:{id}.string"] == {"name": "obj:{id}.string", "type": "string", "keys": 6, "key_bytes": 5,
                                         "value_bytes": 30}
    assert by_name["obj:{id}.zset"]["scores"] == "small_integers" and by_name["obj:{id}.zset"]["members"] == 3


def test_shares_are_written_inside_none_and_all() -> None:
    assert [written_share(s) for s in (0.0, 1e-9, 0.123456, 0.99999, 1.0)] == [False, 0.0001, 0.1235, 0.9999, True]


def test_budget_keeps_under_the_rate() -> None:
    # A fake clock that only sleeping moves: after any number of batches, the commands spent
    # never exceed rate x elapsed.
    clock = [0.0]
    budget = _Budget(100)
    budget.started = 0.0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sizing.live.sampling.time.monotonic", lambda: clock[0])
        patch.setattr("sizing.live.sampling.time.sleep", lambda seconds: clock.__setitem__(0, clock[0] + seconds))
        for batch in (1, 50, 200, 7, 300):
            budget.spend(batch)
            assert budget.sent <= 100 * clock[0] + 1e-9
    assert budget.sent == 558 and clock[0] == pytest.approx(5.58)


def _letters(number: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'ba': distinct for distinct numbers."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters = chr(97 + digit) + letters
        if number == 0:
            return letters


@pytest.mark.server
def test_varying_string_lengths_within_tolerance(debian_redis_server: str, tmp_path: Path) -> None:
    """JSON-like values of 50 to 500 bytes and user names of 5 to 12 letters as keys: one
    mean length priced them 4% and 6% high; their quantiles price them within the tolerance."""
    with started_server(debian_redis_server, engine_profile("redis", "7.0").defaults, False) as client:
        for args in WRITE_COMMANDS:
            client.execute_command(*args)  # type: ignore[no-untyped-call]
            client.delete(str(args[1]))
        before = settle(client) - len(client.info("latencystats")) * LATENCY_HISTOGRAM_BYTES
        pipe = client.pipeline(transaction=False)
        for index in range(20_000):
            pipe.set(f"doc:{index:08d}", "x" * (50 + (index * 7919) % 451))
            name = _letters(index).ljust(5 + (index * 3) % 8, "-")  # unique, 5 to 12 characters
            pipe.set(f"handle:{name}", f"u{10_000_000 + index}")
        pipe.execute()
        after = settle(client) - len(client.info("latencystats")) * LATENCY_HISTOGRAM_BYTES
        url = f"redis://127.0.0.1:{client.connection_pool.connection_kwargs['port']}"
        cluster, _ = _profile(tmp_path, url, "--sample", "1000000")
    predicted = estimate_cluster(cluster, "debian").dataset_bytes
    assert abs(100 * (predicted - (after - before)) / (after - before)) <= TOLERANCE_PERCENT
    by_name = {k.name: k for k in cluster.keyspaces}
    assert set(by_name) == {"doc:{id}", "handle:{id}"}
    assert by_name["doc:{id}"].value_bytes == _size([50 + (index * 7919) % 451 for index in range(20_000)])
    assert by_name["handle:{id}"].key_bytes == _size([7 + 5 + (index * 3) % 8 for index in range(20_000)])


def test_dataset_leaves_out_what_is_not_data() -> None:
    snapshot = _snapshot(1, clients_bytes=20_000, replication_bytes=1_000_000, other_overhead_bytes=500)
    assert snapshot.dataset_bytes == 10_000_000 - 900_000 - 20_000 - 1_000_000 - 500 - 10 * LATENCY_HISTOGRAM_BYTES


def test_the_dataset_is_the_one_before_the_profile_read() -> None:
    sample = ServerSample(before=_snapshot(10), after=_snapshot(10, used_memory_bytes=9_000_000),
                          scanned_keys=1, keys=(_key("a:1", "string", encoding="embstr"),), commands_sent=10,
                          elapsed_seconds=1.0)
    profile = build_profile("redis://h:1", "c", [sample], "upstream")
    assert profile.measured_dataset_bytes == _snapshot(10).dataset_bytes
    assert profile.dataset_after_reads_bytes == profile.measured_dataset_bytes - 1_000_000
    assert "After the profile's reads: dataset" in profile_yaml(profile, "now")


# --- live servers -----------------------------------------------------------------------

WRITE_COMMANDS = [("HSET", "w:h", "f", "v"), ("SET", "w:s", "v", "EX", 5), ("SET", "w:i", 1), ("ZADD", "w:z", 1, "m"),
                  ("RPUSH", "w:l", "e"), ("SADD", "w:t", "m")]


def _load(client: redis.Redis, scale: float) -> int:
    """Write the mixed data into an empty server; return the dataset bytes it added."""
    for args in WRITE_COMMANDS:  # every write command's latency histogram exists before the baseline
        client.execute_command(*args)  # type: ignore[no-untyped-call]
        client.delete(str(args[1]))
    rehashing(client)  # and so does that of settle's DEBUG HTSTATS
    histograms, before = len(client.info("latencystats")), settle(client)
    load_mixed(client, scale, batch=500)
    after = settle(client)
    return after - before - (len(client.info("latencystats")) - histograms) * LATENCY_HISTOGRAM_BYTES


class Loaded:
    def __init__(self, client: redis.Redis, dataset_bytes: int, scale: float) -> None:
        self.url = f"redis://127.0.0.1:{client.connection_pool.connection_kwargs['port']}"
        self.client = client
        self.dataset_bytes = dataset_bytes
        self.scale = scale


@pytest.fixture(scope="module")
def standalone(debian_redis_server: str) -> Any:
    with started_server(debian_redis_server, engine_profile("redis", "7.0").defaults, False) as client:
        yield Loaded(client, _load(client, 0.5), 0.5)


def _profile(tmp_path: Path, url: str, *options: str) -> tuple[Any, str]:
    out = tmp_path / "profiled.yaml"
    result = CliRunner().invoke(cli, ["profile", "--url", url, "--allocator", "debian", "--max-ops-per-sec", FAST,
                                      "-o", str(out), *options], catch_exceptions=False, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return load_workload(out).clusters[0], result.output


def _patterns(cluster: Any) -> dict[str, tuple[str, int]]:
    """pattern -> (type, keys): one keyspace each."""
    found = {keyspace.name: (keyspace.type, keyspace.keys) for keyspace in cluster.keyspaces}
    assert len(found) == len(cluster.keyspaces)
    return found


def _check_accuracy(cluster: Any, loaded: Loaded, output: str) -> None:
    predicted = estimate_cluster(cluster, "debian").dataset_bytes
    error = 100 * (predicted - loaded.dataset_bytes) / loaded.dataset_bytes
    assert abs(error) <= TOLERANCE_PERCENT, (predicted, loaded.dataset_bytes, error)
    assert "load:" in output and "commands in" in output and "server CPU" in output


@pytest.mark.server
def test_full_read_is_exact_and_within_tolerance(standalone: Loaded, tmp_path: Path) -> None:
    cluster, output = _profile(tmp_path, standalone.url, "--sample", "1000000")
    assert _patterns(cluster) == {p: (kind, max(1, int(keys * standalone.scale))) for p, (kind, keys) in EXPECTED.items()}
    by_name = {k.name: k for k in cluster.keyspaces}
    assert by_name["session:{id}"].ttl is True and by_name["counter:page:{id}"].ttl is False
    assert 0.5 < by_name["cache:{id}"].ttl < 0.7  # type: ignore[operator]  # 60% of the cache entries expire
    assert by_name["counter:page:{id}"].numeric is True and by_name["tags:{id}"].numeric is True  # type: ignore[union-attr]
    assert by_name["feed:{id}"].scores == "unix_millis" and by_name["leaderboard:{id}"].scores == "floats"  # type: ignore[union-attr]
    # Lists of 5..30 elements, evenly: quantiles would spread each step log-linearly and
    # misstate the mean, so the file says it with a histogram of what was read.
    inbox = by_name["inbox:{id}"].elements  # type: ignore[union-attr]
    assert isinstance(inbox, Histogram) and inbox.histogram[0].model_dump() == {"up_to": 4, "share": 0.0}
    assert inbox.histogram[-1].up_to == 30 and abs(distribution(inbox).mean() - 17.5) <= 0.01 * 17.5
    assert cluster.engine == "redis" and cluster.version == "7.0" and cluster.cluster_mode == "disabled"
    _check_accuracy(cluster, standalone, output)


@pytest.fixture(scope="module")
def known(debian_redis_server: str) -> Any:
    with started_server(debian_redis_server, engine_profile("redis", "7.0").defaults, False) as client:
        data = known_data()
        load_known(client, data)
        yield client, data


def _digits(text: str) -> int:
    """The oracle for integers: decimal, no leading zero (the test data has no signs)."""
    return len(text) if text.isdigit() and (text == "0" or text[0] != "0") else 0


def _items(texts: list[str]) -> tuple[int | dict[str, int], Any]:
    """(length field, numeric field) the profile must write for items all read once."""
    digits = [_digits(t) for t in texts if _digits(t)]
    text = [len(t) for t in texts if not _digits(t)]
    if not text:
        return _written(digits), True
    if not digits:
        return _written(text), None
    return _written(text), {"share": round(len(digits) / len(texts), 4), "digits": _written(digits)}


def _expected(data: Known) -> dict[str, dict[str, Any]]:
    """What the file must say for each pattern of ``data``, computed from the data itself."""
    groups: dict[str, list[tuple[str, Any]]] = {}
    for key, (kind, value) in data.items():
        groups.setdefault(key.split(":")[0] + ":{id}", []).append((key, (kind, value)))
    expected = {}
    for pattern, keys in groups.items():
        kind = keys[0][1][0]
        values = [value for _, (_, value) in keys]
        definition: dict[str, Any] = {"name": pattern, "type": kind, "keys": len(keys),
                                      "key_bytes": _written([len(k) for k, _ in keys])}
        if kind == "string":
            length, numeric = _items([str(v) for v, _ in values])
            definition["value_bytes"] = length
            expires = sum(e for _, e in values) / len(values)
            definition.update({"ttl": expires} if expires else {})
        elif kind == "hash":
            definition["fields"] = _written([len(v) for v in values])
            definition["field_bytes"], numeric_fields = _items([f for v in values for f in v])
            definition["value_bytes"], numeric = _items([x for v in values for x in v.values()])
            definition.update({"numeric_fields": numeric_fields} if numeric_fields else {})
        elif kind == "set":  # every member of a bag has one length: each read one stands for all
            definition["members"] = _written([len(v) for v in values])
            definition["member_bytes"], numeric = _items([m for v in values for m in v])
        elif kind == "zset":
            definition["members"] = _written([len(v) for v in values])
            definition["member_bytes"], numeric = _items([m for v in values for m in v])
            scores = [s for v in values for s in v.values()]
            definition["scores"] = "floats" if any(s != int(s) for s in scores) else \
                "small_integers" if 0 <= min(scores) and max(scores) <= 4095 else \
                "unix_seconds" if -(2**31) <= min(scores) and max(scores) < 2**31 else "unix_millis"
        else:
            definition["elements"] = _written([len(v) for v in values])
            definition["element_bytes"], numeric = _items([e for v in values for e in v])
        if numeric:
            definition["numeric"] = numeric
        expected[pattern] = definition
    return expected


@pytest.mark.server
def test_written_quantiles_shares_and_scores_match_the_data(known: Any, tmp_path: Path) -> None:
    client, data = known
    port = client.connection_pool.connection_kwargs["port"]
    cluster, _ = _profile(tmp_path, f"redis://127.0.0.1:{port}", "--sample", "1000000")
    import yaml

    written = {k["name"]: k for k in yaml.safe_load((tmp_path / "profiled.yaml").read_text())["clusters"][0]["keyspaces"]}
    expected = _expected(data)
    assert set(written) == set(expected)
    for name, definition in expected.items():
        assert written[name] == definition, name
    assert written["str:{id}"]["numeric"]["share"] == 0.3 and written["str:{id}"]["ttl"] == 0.2  # spelled out
    assert written["h:{id}"]["numeric_fields"] == {"share": 0.5335, "digits": 3}  # 533 of 999 field names
    assert [written[f"{p}:{{id}}"]["scores"] for p in ("zsmall", "zsec", "zneg", "zms", "zfloat")] == [
        "small_integers", "unix_seconds", "unix_seconds", "unix_millis", "floats"]
    # Bags of 20..60 members are read 8 at a time; their member lengths count 20..60 times.
    assert written["bag:{id}"]["member_bytes"] == _written(
        [6 + i % 4 for i in range(100) for _ in range(20 + 10 * (i % 5))])
    assert estimate_cluster(cluster, "debian").dataset_bytes > 0


READ_ONLY_COMMANDS = {
    "ping", "info", "dbsize", "scan", "type", "object|encoding", "pttl", "memory|usage", "strlen", "hlen", "scard",
    "zcard", "llen", "hrandfield", "srandmember", "zrandmember", "lrange", "cluster|slots",
}
HANDSHAKE = {"client|setinfo", "hello", "auth"}
"""What the client library sends on connecting, which the profile does not count."""


def _command_calls(client: redis.Redis) -> dict[str, int]:
    return {name.removeprefix("cmdstat_"): int(stats["calls"])
            for name, stats in client.info("commandstats").items()}


@pytest.mark.server
def test_profile_only_reads_and_counts_every_command(known: Any, tmp_path: Path) -> None:
    client, _ = known
    port = client.connection_pool.connection_kwargs["port"]
    keys, changes = client.dbsize(), client.info("persistence")["rdb_changes_since_last_save"]
    digest = {key: client.execute_command("DUMP", key) for key in (b"str:3", b"h:7", b"bag:9", b"zms:2", b"l:5")}  # type: ignore[no-untyped-call]
    before = _command_calls(client)
    _, output = _profile(tmp_path, f"redis://127.0.0.1:{port}", "--sample", "1000000")
    after = _command_calls(client)
    sent = {name: calls - before.get(name, 0) for name, calls in after.items() if calls > before.get(name, 0)}
    sent["info"] -= 1  # this test's INFO commandstats before the profile
    assert set(sent) - HANDSHAKE <= READ_ONLY_COMMANDS, sent
    counted = int(re.search(r"load: ([\d,]+) commands", output).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert counted == sum(calls for name, calls in sent.items() if name not in HANDSHAKE)  # what the limit governs
    assert client.dbsize() == keys and client.info("persistence")["rdb_changes_since_last_save"] == changes
    assert {key: client.execute_command("DUMP", key) for key in digest} == digest  # type: ignore[no-untyped-call]


@pytest.mark.server
def test_sampled_counts_are_within_sampling_error(standalone: Loaded, tmp_path: Path) -> None:
    cluster, _ = _profile(tmp_path, standalone.url, "--sample", "4000")
    text = (tmp_path / "profiled.yaml").read_text()
    assert "95% interval" in text and "Sample: 4,000 keys" in text
    total = sum(keys for _, keys in EXPECTED.values()) * standalone.scale
    for pattern, (kind, keys) in _patterns(cluster).items():
        expected = EXPECTED[pattern][1] * standalone.scale
        share = expected / total
        sigma = total * math.sqrt(share * (1 - share) / 4000 * (1 - 4000 / total))
        assert abs(keys - expected) <= 4 * sigma + 1, (pattern, keys, expected)


@pytest.mark.server
def test_cluster_mode_single_node(debian_redis_server: str, tmp_path: Path) -> None:
    with started_server(debian_redis_server, engine_profile("redis", "7.0").defaults, True) as client:
        loaded = Loaded(client, _load(client, 0.25), 0.25)
        cluster, output = _profile(tmp_path, loaded.url, "--cluster", "--sample", "1000000")
    assert cluster.cluster_mode == "enabled"
    assert set(_patterns(cluster)) == set(EXPECTED)
    _check_accuracy(cluster, loaded, output)


@pytest.mark.server
def test_yaml_goes_to_stdout_without_output_file(standalone: Loaded) -> None:
    result = CliRunner().invoke(cli, ["profile", "--url", standalone.url, "--sample", "500", "--max-ops-per-sec", FAST],
                                catch_exceptions=False)
    assert result.exit_code == 0
    workload = parse_workload(result.stdout, "<stdout>")
    assert workload.clusters[0].name == "cache-127"
    assert "dataset: model" in result.stderr


def test_unreachable_host() -> None:
    with pytest.raises(ServerError, match="cannot reach redis://127.0.0.1"):
        CliRunner().invoke(cli, ["profile", "--url", f"redis://127.0.0.1:{free_port()}"], catch_exceptions=False)


@pytest.mark.server
def test_wrong_password_and_missing_permission(standalone: Loaded) -> None:
    client = standalone.client
    client.execute_command("ACL", "SETUSER", "reader", "on", ">secret", "~*", "+@all", "-memory")  # type: ignore[no-untyped-call]
    port = client.connection_pool.connection_kwargs["port"]
    with pytest.raises(ServerError, match="authentication failed") as failed:
        CliRunner().invoke(cli, ["profile", "--url", f"redis://reader:wrong@127.0.0.1:{port}"], catch_exceptions=False)
    assert "wrong" not in str(failed.value)
    with pytest.raises(ServerError, match=r"may not run MEMORY USAGE.*\+memory\|usage") as refused:
        CliRunner().invoke(cli, ["profile", "--url", f"redis://reader:secret@127.0.0.1:{port}"], catch_exceptions=False)
    assert "secret" not in str(refused.value)


@pytest.mark.server
def test_tls_and_acl_user(debian_redis_server: str, tmp_path: Path) -> None:
    """rediss:// with the server's CA (``ssl_ca_certs`` in the URL) and an ACL user with a password."""
    import subprocess
    import time

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
            "-keyout", "ca.key", "-out", "ca.crt")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
            "-out", "server.csr")
    (tmp_path / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
            "-extfile", "san.ext", "-out", "server.crt")
    port = free_port()
    server = subprocess.Popen(
        [debian_redis_server, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--tls-cert-file", str(tmp_path / "server.crt"), "--tls-key-file", str(tmp_path / "server.key"),
         "--tls-ca-cert-file", str(tmp_path / "ca.crt"), "--tls-auth-clients", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=str(tmp_path / "ca.crt"))
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.execute_command("ACL", "SETUSER", "profiler", "on", ">s3cret", "~*", "+@read", "+info", "+memory",  # type: ignore[no-untyped-call]
                               "+object", "+type", "+scan", "+dbsize", "+ping", "+cluster|slots", "+pttl", "+strlen")
        for index in range(300):
            client.set(f"session:{index:06d}", "x" * 100)
        url = f"rediss://profiler:s3cret@127.0.0.1:{port}/?ssl_ca_certs={tmp_path / 'ca.crt'}"
        cluster, output = _profile(tmp_path, url, "--sample", "1000")
        assert [(k.name, k.keys, k.value_bytes) for k in cluster.keyspaces] == [("session:{id}", 300, 100)]
        assert "s3cret" not in output and "s3cret" not in (tmp_path / "profiled.yaml").read_text()
        assert "rediss://profiler@127.0.0.1" in (tmp_path / "profiled.yaml").read_text()
        with pytest.raises(ServerError, match="cannot reach rediss://127.0.0.1"):
            CliRunner().invoke(cli, ["profile", "--url", f"rediss://127.0.0.1:{port}"], catch_exceptions=False)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_histogram_size_is_the_measured_one() -> None:
    # One fact: the profiler subtracts the histograms the server-memory measurements recorded.
    import csv

    with (ROOT / "sizing/catalog/data/server_memory.csv").open() as handle:
        measured = {int(row["histogram_bytes"]) for row in csv.DictReader(handle) if row["histogram_bytes"] != "0"}
    assert measured == {LATENCY_HISTOGRAM_BYTES}


def test_sizes_of_two_kinds_keep_the_gap_between_them() -> None:
    # 60% page fragments of 200..800 bytes, 40% whole pages of 20..60 KB: quantiles would
    # spread p50..p75 over the empty 800..20,000 and put 9x the mean there.
    values = [200 + (i * 7919) % 601 for i in range(600)] + [20_000 + (i * 104_729) % 40_001 for i in range(400)]
    written = described([(v, 1.0) for v in values], 10**6)
    assert written == _histogram_oracle(values)
    model = distribution(Histogram.model_validate(written))
    assert model.cdf(19_000) - model.cdf(801) == 0  # nothing priced in the gap
    mean = sum(values) / len(values)
    assert abs(model.mean() - mean) <= 0.005 * mean


def test_heavy_tails_are_written_as_histograms_when_quantiles_overstate_them() -> None:
    # Log-normal lengths (sigma 1.5): 0.1% of the mass between p99.9 and a far max, spread
    # log-linearly, overstates the mean by 5%; the histogram keeps it within 0.5%.
    r = random.Random(2)
    values = [int(r.lognormvariate(5, 1.5)) + 1 for _ in range(5000)]
    mean = sum(values) / len(values)
    assert distribution(Quantiles.model_validate(quantiles([(v, 1.0) for v in values], 10**6))).mean() > 1.04 * mean
    written = described([(v, 1.0) for v in values], 10**6)
    assert "histogram" in written  # type: ignore[operator]
    assert abs(distribution(Histogram.model_validate(written)).mean() - mean) <= 0.005 * mean


def test_smooth_sizes_stay_quantiles() -> None:
    values = [int(500 * 1.0005**i) for i in range(2000)]  # log-uniform 500..1359
    assert described([(v, 1.0) for v in values], 10**6) == _lower_quantiles(values)


@pytest.mark.server
def test_big_collections_are_read_one_element_in_32(debian_redis_server: str) -> None:
    """8 elements of each collection, and of a big one 1 in 32 of its elements (at most
    256): 3,200 list elements -> 100 read, 8 at the ends and 92 in 4 windows of 23 through
    the middle; 1,000 hash fields -> 32; 20,000 set members -> 256; 100 members -> 8."""
    from sizing.live.sampling import sample_servers

    with started_server(debian_redis_server, engine_profile("redis", "7.0").defaults, False) as client:
        client.rpush("queue:1", *(f"{i:06d}-{'x' * (i % 50)}" for i in range(3200)))
        client.hset("big:1", mapping={f"f{i}": str(i) for i in range(1000)})
        client.sadd("members:1", *(f"m{i}" for i in range(20_000)))
        client.sadd("members:2", *(f"m{i}" for i in range(100)))
        port = client.connection_pool.connection_kwargs["port"]
        [server] = sample_servers(f"redis://127.0.0.1:{port}", False, 100, float(FAST), lambda *_: None)
    read = {key.name: key.items_sampled for key in server.keys}
    assert read == {"queue:1": 100, "big:1": 32, "members:1": 256, "members:2": 8}
    queue = next(key for key in server.keys if key.name == "queue:1")
    assert len(queue.item_bytes) == 100 and len(set(queue.item_bytes)) > 40  # not only the ends: lengths vary
