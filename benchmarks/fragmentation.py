"""Measure fragmentation headroom (RSS against used_memory) per write pattern on real servers.

    python benchmarks/fragmentation.py --server /work/builds/valkey-8.1/src/valkey-server \\
        --server /usr/bin/redis-server --out benchmarks/measurements/fragmentation.json

Why: the memory model predicts ``used_memory``; the node must also hold what the allocator
keeps beyond it (partly used pages, dirty pages not yet returned to the kernel). That
overhead depends on how the data is written, so it is measured per write pattern
instead of copying a fixed percentage.

Method, for every server binary x write pattern x ``activedefrag`` (no, yes):
  1. Start a fresh server (``sizing.server.started_server``: 127.0.0.1, free port, no
     persistence, hz 100), set ``activedefrag``. A build that refuses it (Debian's
     redis-server uses the system jemalloc, without the defrag hooks) is recorded as
     'unsupported' and not run. With defrag on, ``active-defrag-ignore-bytes`` is
     lowered (see DEFRAG_IGNORE_BYTES) so that, as on a production-sized node, the
     percentage threshold decides when defrag starts, not the 100 MB floor.
  2. ``warm_up``, wait until used_memory is stable, read the baseline used_memory and RSS.
  3. Load ~200 MB of data and churn it with the pattern's mix (a fixed random seed, so
     every server gets the same command stream), pipelined in batches of 500 through a
     separate connection. RSS is sampled during the churn to record its peak.
  4. Wait until every TTL key has expired and used_memory is stable, until active
     defrag has stopped, and then until RSS is stable and at least
     RSS_DECAY_SECONDS have passed since the last write (jemalloc returns dirty pages
     to the kernel over ~10 s; RSS right after the churn is also recorded).
  5. Record used_memory, RSS, rss/used, (rss - rss_baseline) / (used - used_baseline),
     and the allocator fields INFO memory has in that version.

Patterns:
  read_heavy   strings of 100-400 bytes loaded once, then 10% overwritten with same-size values.
  mixed        strings and small (listpack) hashes; 50% of keys overwritten with values
               resized by -50%..+100%, 20% deleted and re-added.
  write_heavy  strings overwritten in 3 full passes with sizes -50%..+100% of the original,
               10% deleted and re-inserted per pass, and short-lived keys (EX 1-5 s)
               written throughout, so many expire during the run.
  analytical   sorted sets and hashes of thousands of elements, shrunk by 60% and grown
               back with new elements three times (ZADD/ZREM, HSET/HDEL), with score and
               value updates.

``--quick`` runs everything at a tenth of the size (a smoke test; its ratios are
dominated by fixed overheads and are not the calibration).
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import statistics
import string
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizing.engines import engine_profile  # noqa: E402
from sizing.server import command, describe, started_server  # noqa: E402
from sizing.verification import settle, warm_up  # noqa: E402

SEED = 20_240_601
PIPELINE_BATCH = 500
"""Commands per pipeline round trip."""
SAMPLE_EVERY_BATCHES = 10
"""Read INFO memory every this many batches during the churn, for the RSS peak."""
CHURN_TIMEOUT_SECONDS = 240.0
"""Upper bound on sending one pattern's commands; the record says if it was cut short."""
EXPIRY_TIMEOUT_SECONDS = 60.0
DEFRAG_TIMEOUT_SECONDS = 60.0
"""Defrag that is still running after this is recorded as such (it restarts while
fragmentation stays above active-defrag-threshold-lower)."""
RSS_DECAY_SECONDS = 12.0
"""jemalloc's dirty_decay_ms is 10 s: pages freed by the churn leave RSS over that time."""
RSS_STABLE_SECONDS = 3.0
RSS_STABLE_TOLERANCE = 0.005
RSS_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.5
DEFRAG_IGNORE_BYTES = 2 * 1024 * 1024
"""active-defrag-ignore-bytes when defrag is on. The default (100 MB) exceeds all the
fragmentation a ~200 MB dataset can have, so defrag would never start; on a node of
several GB, 10% (active-defrag-threshold-lower) is far above 100 MB and decides."""

MEMORY_FIELDS = (
    "used_memory", "used_memory_rss", "used_memory_dataset", "used_memory_overhead",
    "mem_fragmentation_ratio", "mem_fragmentation_bytes",
    "allocator_allocated", "allocator_active", "allocator_resident", "allocator_muzzy",
    "allocator_frag_ratio", "allocator_frag_bytes", "allocator_rss_ratio", "allocator_rss_bytes",
    "rss_overhead_ratio", "rss_overhead_bytes", "mem_allocator", "active_defrag_running",
)
"""INFO memory fields kept in a record when the server reports them (they vary by version)."""
DEFRAG_STATS = ("active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses")

Command = tuple[str | bytes | int | float, ...]
Workload = Callable[[random.Random, float], Iterator[Command]]


# --- Workloads: generators of commands, deterministic for a seed and a scale ---------------------

class Payload:
    """Value bytes cut from one random buffer: cheap to make, different from key to key."""

    def __init__(self, rng: random.Random, size: int = 1 << 16) -> None:
        self._rng = rng
        self._buffer = "".join(rng.choices(string.ascii_letters + string.digits, k=size)).encode()

    def __call__(self, length: int) -> bytes:
        start = self._rng.randrange(len(self._buffer) - length)
        return self._buffer[start:start + length]


def count(base: int, scale: float) -> int:
    return max(1, round(base * scale))


def resized(rng: random.Random, size: int) -> int:
    """A new size -50%..+100% of ``size``."""
    return max(1, round(size * rng.uniform(0.5, 2.0)))


def read_heavy(rng: random.Random, scale: float) -> Iterator[Command]:
    value = Payload(rng)
    sizes = [rng.randint(100, 400) for _ in range(count(600_000, scale))]
    for key, size in enumerate(sizes):
        yield "SET", f"s:{key:08d}", value(size)
    for key in rng.sample(range(len(sizes)), len(sizes) // 10):
        yield "SET", f"s:{key:08d}", value(sizes[key])


HASH_FIELDS = 8


def mixed(rng: random.Random, scale: float) -> Iterator[Command]:
    value = Payload(rng)
    strings = [rng.randint(100, 400) for _ in range(count(380_000, scale))]
    # Field values stay <= 64 bytes even when doubled, so hashes stay listpacks and the
    # churn measures reallocation, not encoding conversion.
    hashes = [[rng.randint(10, 32) for _ in range(HASH_FIELDS)] for _ in range(count(80_000, scale))]
    keys = [("s", i) for i in range(len(strings))] + [("h", i) for i in range(len(hashes))]

    def write(kind: str, index: int, factor: Callable[[int], int]) -> Command:
        if kind == "s":
            return "SET", f"s:{index:08d}", value(factor(strings[index]))
        fields: list[str | bytes] = []
        for field, size in enumerate(hashes[index]):
            fields += [f"f{field}", value(factor(size))]
        return ("HSET", f"h:{index:08d}", *fields)

    for kind, index in keys:
        yield write(kind, index, lambda size: size)
    for kind, index in rng.sample(keys, len(keys) // 2):
        yield write(kind, index, lambda size: resized(rng, size))
    removed = rng.sample(keys, len(keys) // 5)
    for kind, index in removed:
        yield "DEL", f"{kind}:{index:08d}"
    for kind, index in removed:
        yield write(kind, index, lambda size: size)


def write_heavy(rng: random.Random, scale: float) -> Iterator[Command]:
    value = Payload(rng)
    sizes = [rng.randint(100, 400) for _ in range(count(480_000, scale))]
    for key, size in enumerate(sizes):
        yield "SET", f"s:{key:08d}", value(size)
    short_lived = 0
    for _ in range(3):
        for step, key in enumerate(rng.sample(range(len(sizes)), len(sizes))):
            yield "SET", f"s:{key:08d}", value(resized(rng, sizes[key]))
            if step % 5 == 0:  # one short-lived key per five overwrites
                yield "SET", f"t:{short_lived:09d}", value(rng.randint(100, 400)), "EX", rng.randint(1, 5)
                short_lived += 1
        removed = rng.sample(range(len(sizes)), len(sizes) // 10)
        for key in removed:
            yield "DEL", f"s:{key:08d}"
        for key in removed:
            yield "SET", f"s:{key:08d}", value(sizes[key])


ELEMENTS_PER_COMMAND = 100


def analytical(rng: random.Random, scale: float) -> Iterator[Command]:
    value = Payload(rng)
    collections = max(2, round(100 * scale))
    elements = 8_000
    next_id = 0
    members: dict[str, list[int]] = {}
    for index in range(collections):
        for kind in ("z", "h"):
            members[f"{kind}:{index:05d}"] = list(range(next_id, next_id + elements))
            next_id += elements

    def add(key: str, ids: list[int]) -> Iterator[Command]:
        for start in range(0, len(ids), ELEMENTS_PER_COMMAND):
            args: list[str | bytes | float] = []
            for member in ids[start:start + ELEMENTS_PER_COMMAND]:
                if key.startswith("z"):
                    args += [rng.random() * 1e6, f"m:{member:09d}"]
                else:
                    args += [f"m:{member:09d}", value(rng.randint(20, 80))]
            yield ("ZADD" if key.startswith("z") else "HSET", key, *args)

    def remove(key: str, ids: list[int]) -> Iterator[Command]:
        for start in range(0, len(ids), ELEMENTS_PER_COMMAND):
            names = [f"m:{member:09d}" for member in ids[start:start + ELEMENTS_PER_COMMAND]]
            yield ("ZREM" if key.startswith("z") else "HDEL", key, *names)

    for key, ids in members.items():
        yield from add(key, ids)
    for _ in range(3):
        for key, ids in members.items():  # shrink every collection to 40%
            rng.shuffle(ids)
            cut = len(ids) * 6 // 10
            yield from remove(key, ids[:cut])
            del ids[:cut]
        for key, ids in members.items():  # new scores / values for a quarter of the rest
            yield from add(key, ids[: len(ids) // 4])
        for key, ids in members.items():  # grow back with new elements
            fresh = list(range(next_id, next_id + elements - len(ids)))
            next_id += len(fresh)
            yield from add(key, fresh)
            ids += fresh


WORKLOADS: dict[str, Workload] = {
    "read_heavy": read_heavy, "mixed": mixed, "write_heavy": write_heavy, "analytical": analytical,
}


# --- Talking to the server ------------------------------------------------------------------------

def memory_info(client: redis.Redis) -> dict[str, Any]:
    info: dict[str, Any] = client.info("memory")
    return {field: info[field] for field in MEMORY_FIELDS if field in info}


def defrag_stats(client: redis.Redis) -> dict[str, int]:
    info: dict[str, Any] = client.info("stats")
    return {field: int(info[field]) for field in DEFRAG_STATS if field in info}


def set_activedefrag(client: redis.Redis, enabled: bool) -> str:
    """'yes' or 'no' as set, or 'unsupported' if the build refuses active defrag."""
    try:
        if enabled:
            command(client, "CONFIG", "SET", "active-defrag-ignore-bytes", DEFRAG_IGNORE_BYTES)
        command(client, "CONFIG", "SET", "activedefrag", "yes" if enabled else "no")
    except redis.ResponseError:
        return "unsupported"
    return "yes" if enabled else "no"


@dataclass
class ChurnResult:
    commands: int = 0
    seconds: float = 0.0
    truncated: bool = False
    peak_rss: int = 0
    used_at_peak_rss: int = 0


def churn(client: redis.Redis, stream: Iterable[Command]) -> ChurnResult:
    """Pipeline ``stream`` through a separate connection (closed afterwards, so its buffers
    leave used_memory) and sample RSS on ``client`` meanwhile."""
    kwargs = client.connection_pool.connection_kwargs
    writer = redis.Redis(host=kwargs["host"], port=kwargs["port"], socket_timeout=120)
    result = ChurnResult()
    started = time.monotonic()
    deadline = started + CHURN_TIMEOUT_SECONDS
    try:
        pipe = writer.pipeline(transaction=False)
        batches = 0
        for cmd in stream:
            pipe.execute_command(*cmd)  # type: ignore[no-untyped-call]
            result.commands += 1
            if len(pipe) < PIPELINE_BATCH:
                continue
            pipe.execute()
            batches += 1
            if batches % SAMPLE_EVERY_BATCHES == 0:
                sample_peak(client, result)
            if time.monotonic() > deadline:
                result.truncated = True
                break
        pipe.execute()
        sample_peak(client, result)
    finally:
        writer.close()
    result.seconds = time.monotonic() - started
    return result


def sample_peak(client: redis.Redis, result: ChurnResult) -> None:
    memory = memory_info(client)
    if int(memory["used_memory_rss"]) > result.peak_rss:
        result.peak_rss = int(memory["used_memory_rss"])
        result.used_at_peak_rss = int(memory["used_memory"])


def wait_for_expiry(client: redis.Redis) -> bool:
    """Wait until no key has a TTL left (all short-lived keys expired); False on timeout."""
    deadline = time.monotonic() + EXPIRY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        db0: dict[str, int] = client.info("keyspace").get("db0", {})
        if not db0.get("expires", 0):
            return True
        time.sleep(POLL_SECONDS)
    return False


def wait_for_defrag(client: redis.Redis) -> bool:
    """Wait until active defrag has been idle for a few seconds; False if still running.

    Defrag decides once a second whether to start, so a few idle seconds mean it is done."""
    deadline = time.monotonic() + DEFRAG_TIMEOUT_SECONDS
    idle_since = time.monotonic()
    while time.monotonic() < deadline:
        if int(memory_info(client).get("active_defrag_running", 0)):
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= RSS_STABLE_SECONDS:
            return True
        time.sleep(POLL_SECONDS)
    return False


def wait_for_rss(client: redis.Redis, writes_ended: float) -> bool:
    """Wait until RSS has decayed and is stable; False on timeout."""
    deadline = time.monotonic() + RSS_TIMEOUT_SECONDS
    window: list[tuple[float, int]] = []
    while time.monotonic() < deadline:
        now = time.monotonic()
        window = [(t, rss) for t, rss in window if now - t <= RSS_STABLE_SECONDS]
        window.append((now, int(memory_info(client)["used_memory_rss"])))
        values = [rss for _, rss in window]
        full_window = now - window[0][0] >= RSS_STABLE_SECONDS * 0.9
        if (now - writes_ended >= RSS_DECAY_SECONDS and full_window
                and max(values) - min(values) <= RSS_STABLE_TOLERANCE * max(values)):
            return True
        time.sleep(POLL_SECONDS)
    return False


# --- One measurement -----------------------------------------------------------------------------

def measure(binary: str, pattern: str, defrag: bool, scale: float) -> dict[str, Any]:
    """Start ``binary``, run ``pattern`` on it, and return the record."""
    started = time.monotonic()
    limits = engine_profile("redis", "7.0").defaults
    with started_server(binary, limits, False) as client:
        server = describe(client)
        record: dict[str, Any] = {
            "server": f"{server.engine} {server.version}", "binary": binary,
            "mem_allocator": server.allocator, "pattern": pattern,
        }
        record["activedefrag"] = set_activedefrag(client, defrag)
        if record["activedefrag"] == "unsupported":
            return record
        if defrag:
            record["active_defrag_ignore_bytes"] = DEFRAG_IGNORE_BYTES
        warm_up(client)
        settle(client)
        baseline = memory_info(client)
        stats_before = defrag_stats(client)

        result = churn(client, WORKLOADS[pattern](random.Random(SEED), scale))
        writes_ended = time.monotonic()
        expired = wait_for_expiry(client)
        settle(client)
        rss_after_churn = int(memory_info(client)["used_memory_rss"])
        defrag_done = wait_for_defrag(client)
        rss_stable = wait_for_rss(client, writes_ended)
        settle(client)  # defrag and expiry may have moved used_memory; read it quiet
        final = memory_info(client)
        keys = int(client.dbsize())
        stats_after = defrag_stats(client)

    used, rss = int(final["used_memory"]), int(final["used_memory_rss"])
    used_base, rss_base = int(baseline["used_memory"]), int(baseline["used_memory_rss"])
    record.update({
        "keys": keys,
        "commands": result.commands,
        "baseline_used_memory": used_base,
        "baseline_rss": rss_base,
        "used_memory": used,
        "rss": rss,
        "ratio": round(rss / used, 4),
        "ratio_net": round((rss - rss_base) / (used - used_base), 4),
        "allocator_frag_ratio": final.get("allocator_frag_ratio"),
        "rss_after_churn": rss_after_churn,
        "peak_rss_during_churn": result.peak_rss,
        "used_memory_at_peak_rss": result.used_at_peak_rss,
        "memory": final,
        "defrag_stats": {k: stats_after[k] - stats_before.get(k, 0) for k in stats_after},
        "churn_seconds": round(result.seconds, 1),
        "seconds": round(time.monotonic() - started, 1),
        # False flags mean a bounded wait ran out; the numbers are still what the server said.
        "churn_complete": not result.truncated,
        "ttl_keys_expired": expired,
        "defrag_idle": defrag_done,
        "rss_stable": rss_stable,
    })
    return record


# --- Reporting -----------------------------------------------------------------------------------

def medians(records: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Median rss/used per pattern: over all measured records, and per activedefrag setting."""
    out: dict[str, dict[str, float]] = {}
    for pattern in WORKLOADS:
        measured = [r for r in records if r["pattern"] == pattern and "ratio" in r]
        groups = {"all": measured, **{f"activedefrag_{s}": [r for r in measured if r["activedefrag"] == s]
                                      for s in ("no", "yes")}}
        out[pattern] = {name: round(statistics.median(r["ratio"] for r in group), 4)
                        for name, group in groups.items() if group}
    return out


def summary_table(records: list[dict[str, Any]]) -> Table:
    table = Table("server", "binary", "pattern", "defrag", "used MB", "rss MB", "rss/used", "net", "alloc frag",
                  "peak rss/used", "s")
    for r in records:
        if "ratio" not in r:
            table.add_row(r["server"], r["binary"], r["pattern"], r["activedefrag"], *[""] * 7)
            continue
        peak = r["peak_rss_during_churn"] / r["used_memory_at_peak_rss"] if r["used_memory_at_peak_rss"] else 0
        table.add_row(r["server"], r["binary"], r["pattern"], r["activedefrag"], f"{r['used_memory'] / 1e6:.0f}",
                      f"{r['rss'] / 1e6:.0f}", f"{r['ratio']:.3f}", f"{r['ratio_net']:.3f}",
                      str(r.get("allocator_frag_ratio", "")), f"{peak:.3f}", f"{r['seconds']:.0f}")
    return table


METHOD = (
    "Per server binary, write pattern and activedefrag setting: a fresh server (127.0.0.1, no persistence, "
    "hz 100, maxmemory 64gb, volatile-lru) is warmed up and its baseline used_memory and RSS read; ~200 MB of "
    "data is loaded and churned with the pattern's command mix (fixed seed, pipelined in batches of 500); then "
    "the script waits for all TTL keys to expire, used_memory to be stable, active defrag to be idle, and RSS to "
    "be stable at least 12 s after the last write (jemalloc dirty-page decay), and reads INFO memory. "
    "ratio = used_memory_rss / used_memory; ratio_net = (rss - baseline_rss) / (used_memory - "
    "baseline_used_memory); rss_after_churn is RSS once used_memory first settled (before decay); "
    "peak_rss_during_churn is the highest RSS sampled every 5000 commands. With activedefrag yes, "
    "active-defrag-ignore-bytes is 2 MB so the 10% threshold decides, as on production-sized nodes. "
    "'unsupported' records: the build refused CONFIG SET activedefrag yes. "
    "Patterns: see the docstring of benchmarks/fragmentation.py."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", action="append", required=True, metavar="PATH",
                        help="redis-server or valkey-server binary (repeatable)")
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--quick", action="store_true", help="a tenth of the data: a smoke test, not a calibration")
    parser.add_argument("--pattern", action="append", choices=list(WORKLOADS), help="patterns to run (default: all)")
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0
    console = Console()
    records: list[dict[str, Any]] = []
    for binary in args.server:
        for pattern in args.pattern or list(WORKLOADS):
            for defrag in (False, True):
                record = measure(binary, pattern, defrag, scale)
                records.append(record)
                console.print(f"{record['server']:14s} {pattern:11s} defrag={record['activedefrag']:11s} "
                              + (f"used {record['used_memory'] / 1e6:6.1f} MB rss {record['rss'] / 1e6:6.1f} MB "
                                 f"ratio {record['ratio']:.3f} net {record['ratio_net']:.3f} "
                                 f"({record['seconds']:.0f}s)" if "ratio" in record else ""), highlight=False)
    summary = medians(records)
    Path(args.out).write_text(json.dumps({
        "method": METHOD,
        "command": shlex.join(["python", "benchmarks/fragmentation.py", *sys.argv[1:]]),
        "measured_on": time.strftime("%Y-%m-%d"),
        "seed": SEED,
        "scale": scale,
        "pattern_medians": summary,
        "records": records,
    }, indent=1) + "\n")
    console.print(summary_table(records))
    console.print(summary)


if __name__ == "__main__":
    main()
