"""Measure fragmentation headroom (RSS against used_memory) per write pattern on real servers.

    python benchmarks/fragmentation.py --server /work/builds/valkey-8.1/src/valkey-server \\
        --server /usr/bin/redis-server --out benchmarks/measurements/fragmentation.json

Why: the memory model predicts ``used_memory``, but a node must also hold what the
allocator keeps beyond it (partly used pages, slabs of the wrong size class). That
overhead depends on how the data is written, so it is measured per write pattern
instead of taken from a fixed percentage.

Method, for every server binary x write pattern x ``activedefrag`` (no, yes):
  1. Start a fresh server (``sizing.server.started_server``: 127.0.0.1, free port, no
     persistence, hz 100) and set ``activedefrag``. A build that refuses it (Debian's
     redis-server links the system jemalloc, which lacks the defrag hooks) is recorded
     as 'unsupported' and not run. With defrag on, ``active-defrag-ignore-bytes`` is
     lowered (see DEFRAG_IGNORE_BYTES) so that the 10% threshold decides when defrag
     starts, as on a production-sized node, instead of the 100 MB floor.
  2. ``warm_up``, wait until used_memory is stable, read the baseline used_memory and RSS.
  3. Load ~150-200 MB of data and churn it with the pattern's mix, pipelined in batches of
     500 through a separate connection. A fixed seed gives every server the same
     commands. RSS is sampled during the churn for its peak.
  4. Wait until every TTL key has expired and used_memory is stable (RSS here is
     ``rss_after_churn``), then, with defrag on, until defrag is idle.
  5. ``MEMORY PURGE``: return the allocator's free pages to the kernel now. jemalloc does
     this by itself within ~10-30 s (dirty page decay); purging reaches the same RSS
     at once, which keeps runs short and comparable (checked: purging after 30-40 s of
     waiting changed nothing).
  6. Read INFO memory: used_memory, RSS, and the allocator fields the version reports;
     ratio = rss / used_memory, ratio_net = (rss - baseline rss) / (used - baseline used).

Patterns:
  read_heavy   strings of 100-400 bytes loaded once, then 10% overwritten with same-size values.
  mixed        strings and small (listpack) hashes; 50% of keys overwritten with values
               resized by -50%..+100%, 20% deleted and re-added.
  write_heavy  strings overwritten in 3 full passes with sizes -50%..+100% of the original,
               10% deleted and re-inserted per pass, and short-lived keys (EX 1-5 s)
               written throughout, so many expire during the run.
  analytical   sorted sets and hashes of 8,000 elements, shrunk by 60% and grown back with
               new elements three times (ZADD/ZREM, HSET/HDEL), with score and value updates.

The full run (six servers) takes 28-31 minutes on two cores, about half of it churn and
most of the rest waiting for defrag to finish; less data barely shortens it (20% less
data saved 4% of the time). ``--quick`` runs a tenth of the data: a smoke test whose
ratios are dominated by fixed overheads, not a calibration.
"""

from __future__ import annotations

import argparse
import json
import platform
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

from sizing.live.client import command, describe
from sizing.live.server import started_server
from sizing.live.verification import settle, warm_up
from sizing.memory.engines import engine_profile

SEED = 20_240_601
PIPELINE_BATCH = 500
"""Commands per pipeline round trip."""
SAMPLE_EVERY_BATCHES = 10
"""Read INFO memory every this many batches during the churn, for the RSS peak."""
CHURN_TIMEOUT_SECONDS = 240.0
"""Upper bound on sending one pattern's commands; the record says if it was cut short."""
EXPIRY_TIMEOUT_SECONDS = 60.0
DEFRAG_TIMEOUT_SECONDS = 90.0
"""Defrag still running after this is recorded as such: it restarts as long as
fragmentation stays above active-defrag-threshold-lower."""
DEFRAG_IDLE_SECONDS = 3.0
"""Defrag decides once a second whether to start, so this long idle means it is done."""
POLL_SECONDS = 0.5
DEFRAG_IGNORE_BYTES = 10 * 1024 * 1024
"""active-defrag-ignore-bytes when defrag is on: the lowest value ElastiCache accepts. The
default (100 MB) is more than all the fragmentation a ~200 MB dataset can have, so defrag
would never start; on a node of several GB, 10% (active-defrag-threshold-lower) is far
above 100 MB and decides, as it does here."""
QUICK_SCALE = 0.1

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


# --- Workloads: command generators, deterministic for a seed and a scale ---------------------------

class Payload:
    """Values cut from one random buffer: cheap to make and different from key to key."""

    def __init__(self, rng: random.Random, size: int = 1 << 16) -> None:
        self._rng = rng
        self._buffer = "".join(rng.choices(string.ascii_letters + string.digits, k=size)).encode()

    def __call__(self, length: int) -> bytes:
        start = self._rng.randrange(len(self._buffer) - length)
        return self._buffer[start:start + length]


def count(base: int, scale: float) -> int:
    return max(1, round(base * scale))


def resized(rng: random.Random, size: int) -> int:
    """A new size, -50%..+100% of ``size``."""
    return max(1, round(size * rng.uniform(0.5, 2.0)))


def read_heavy(rng: random.Random, scale: float) -> Iterator[Command]:
    value = Payload(rng)
    sizes = [rng.randint(100, 400) for _ in range(count(540_000, scale))]
    for key, size in enumerate(sizes):
        yield "SET", f"s:{key:08d}", value(size)
    for key in rng.sample(range(len(sizes)), len(sizes) // 10):
        yield "SET", f"s:{key:08d}", value(sizes[key])


HASH_FIELDS = 8


def mixed(rng: random.Random, scale: float) -> Iterator[Command]:
    value = Payload(rng)
    strings = [rng.randint(100, 400) for _ in range(count(360_000, scale))]
    # Field values stay <= 64 bytes (hash-max-listpack-value) even when doubled, so hashes
    # stay listpacks: the churn measures reallocation, not a change of encoding.
    hashes = [[rng.randint(10, 32) for _ in range(HASH_FIELDS)] for _ in range(count(75_000, scale))]
    keys = [("s", i) for i in range(len(strings))] + [("h", i) for i in range(len(hashes))]

    def write(kind: str, index: int, size_of: Callable[[int], int]) -> Command:
        if kind == "s":
            return "SET", f"s:{index:08d}", value(size_of(strings[index]))
        fields: list[str | bytes] = []
        for field, size in enumerate(hashes[index]):
            fields += [f"f{field}", value(size_of(size))]
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
    sizes = [rng.randint(100, 400) for _ in range(count(420_000, scale))]
    for key, size in enumerate(sizes):
        yield "SET", f"s:{key:08d}", value(size)
    short_lived = 0
    for _ in range(3):
        for step, key in enumerate(rng.sample(range(len(sizes)), len(sizes))):
            yield "SET", f"s:{key:08d}", value(resized(rng, sizes[key]))
            if step % 5 == 0:  # one short-lived key per five overwrites, expiring while the churn goes on
                yield "SET", f"t:{short_lived:09d}", value(rng.randint(100, 400)), "EX", rng.randint(1, 5)
                short_lived += 1
        removed = rng.sample(range(len(sizes)), len(sizes) // 10)
        for key in removed:
            yield "DEL", f"s:{key:08d}"
        for key in removed:
            yield "SET", f"s:{key:08d}", value(sizes[key])


COLLECTION_ELEMENTS = 8_000
ELEMENTS_PER_COMMAND = 100


def analytical(rng: random.Random, scale: float) -> Iterator[Command]:
    value = Payload(rng)
    next_id = 0
    members: dict[str, list[int]] = {}
    for index in range(max(1, round(110 * scale))):
        for kind in ("z", "h"):  # a sorted set and a hash per index
            members[f"{kind}:{index:05d}"] = list(range(next_id, next_id + COLLECTION_ELEMENTS))
            next_id += COLLECTION_ELEMENTS

    def add(key: str, ids: list[int]) -> Iterator[Command]:
        """ZADD or HSET ``ids`` (new elements, or new scores / values for existing ones)."""
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
            fresh = list(range(next_id, next_id + COLLECTION_ELEMENTS - len(ids)))
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
class Churn:
    """What sending a workload did."""

    commands: int = 0
    seconds: float = 0.0
    truncated: bool = False
    peak_rss: int = 0
    used_at_peak_rss: int = 0

    def sample(self, client: redis.Redis) -> None:
        memory = memory_info(client)
        if int(memory["used_memory_rss"]) > self.peak_rss:
            self.peak_rss = int(memory["used_memory_rss"])
            self.used_at_peak_rss = int(memory["used_memory"])


def churn(client: redis.Redis, stream: Iterable[Command]) -> Churn:
    """Pipeline ``stream`` through a separate connection (closed afterwards, so its buffers
    leave used_memory) and sample RSS through ``client`` meanwhile."""
    kwargs = client.connection_pool.connection_kwargs
    writer = redis.Redis(host=kwargs["host"], port=kwargs["port"], socket_timeout=120)
    result = Churn()
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
                result.sample(client)
            if time.monotonic() > deadline:
                result.truncated = True
                break
        pipe.execute()
        result.sample(client)
    finally:
        writer.close()
    result.seconds = time.monotonic() - started
    return result


def wait_for_expiry(client: redis.Redis) -> bool:
    """Wait until no key has a TTL left (all short-lived keys expired); False on timeout."""
    deadline = time.monotonic() + EXPIRY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        db0: dict[str, int] = client.info("keyspace").get("db0", {})
        if not db0.get("expires", 0):
            return True
        time.sleep(POLL_SECONDS)
    return False


def wait_for_defrag(client: redis.Redis, timeout_seconds: float = DEFRAG_TIMEOUT_SECONDS,
                    poll_seconds: float = POLL_SECONDS) -> bool:
    """Wait until active defrag has been idle for DEFRAG_IDLE_SECONDS; False on timeout."""
    deadline = time.monotonic() + timeout_seconds
    idle_since = time.monotonic()
    while time.monotonic() < deadline:
        if int(memory_info(client).get("active_defrag_running", 0)):
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= DEFRAG_IDLE_SECONDS:
            return True
        time.sleep(poll_seconds)
    return False


# --- One measurement -----------------------------------------------------------------------------

def measure(binary: str, pattern: str, defrag: bool, scale: float) -> dict[str, Any]:
    """Start ``binary``, run ``pattern`` on it, and return the record."""
    started = time.monotonic()
    with started_server(binary, engine_profile("redis", "7.0").defaults, False) as client:
        server = describe(client)
        record: dict[str, Any] = {
            "server": f"{server.engine} {server.version}", "binary": binary,
            "mem_allocator": server.allocator, "pattern": pattern,
            "activedefrag": set_activedefrag(client, defrag),
        }
        if record["activedefrag"] == "unsupported":
            return record
        if defrag:
            record["active_defrag_ignore_bytes"] = DEFRAG_IGNORE_BYTES
        warm_up(client)
        settle(client)
        baseline = memory_info(client)
        stats_before = defrag_stats(client)

        result = churn(client, WORKLOADS[pattern](random.Random(SEED), scale))
        expired = wait_for_expiry(client)
        settle(client)
        rss_after_churn = int(memory_info(client)["used_memory_rss"])
        defrag_idle = wait_for_defrag(client) if defrag else None
        rss_before_purge = int(memory_info(client)["used_memory_rss"])
        command(client, "MEMORY", "PURGE")
        settle(client)
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
        "rss_before_purge": rss_before_purge,
        "peak_rss_during_churn": result.peak_rss,
        "used_memory_at_peak_rss": result.used_at_peak_rss,
        "memory": final,
        "defrag_stats": {name: stats_after[name] - stats_before.get(name, 0) for name in stats_after},
        "churn_seconds": round(result.seconds, 1),
        "seconds": round(time.monotonic() - started, 1),
        # False means a bounded wait ran out; the numbers are still what the server reported.
        "churn_complete": not result.truncated,
        "ttl_keys_expired": expired,
    })
    if defrag_idle is not None:
        record["defrag_idle"] = defrag_idle
    return record


# --- Reporting -----------------------------------------------------------------------------------

def medians(records: list[dict[str, Any]], field: str) -> dict[str, dict[str, float]]:
    """Median of ``field`` per pattern: over all measured records and per activedefrag setting."""
    out: dict[str, dict[str, float]] = {}
    for pattern in WORKLOADS:
        measured = [r for r in records if r["pattern"] == pattern and "ratio" in r]
        if not measured:
            continue
        groups = {"all": measured}
        for setting in ("no", "yes"):
            groups[f"activedefrag_{setting}"] = [r for r in measured if r["activedefrag"] == setting]
        out[pattern] = {name: round(statistics.median(r[field] for r in group), 4)
                        for name, group in groups.items() if group}
    return out


def summary_table(records: list[dict[str, Any]]) -> Table:
    table = Table("server", "binary", "pattern", "defrag", "used MB", "rss MB", "rss/used", "net",
                  "alloc frag", "peak rss/used", "s")  # peak: highest RSS during the churn / final used_memory
    for r in records:
        if "ratio" not in r:
            table.add_row(r["server"], r["binary"], r["pattern"], r["activedefrag"], *[""] * 7)
            continue
        peak = r["peak_rss_during_churn"] / r["used_memory"]
        table.add_row(r["server"], r["binary"], r["pattern"], r["activedefrag"], f"{r['used_memory'] / 1e6:.0f}",
                      f"{r['rss'] / 1e6:.0f}", f"{r['ratio']:.3f}", f"{r['ratio_net']:.3f}",
                      str(r.get("allocator_frag_ratio", "")), f"{peak:.3f}", f"{r['seconds']:.0f}")
    return table


def one_line(record: dict[str, Any]) -> str:
    head = f"{record['server']:14s} {record['pattern']:11s} defrag={record['activedefrag']:11s}"
    if "ratio" not in record:
        return head
    return (f"{head} used {record['used_memory'] / 1e6:6.1f} MB  rss {record['rss'] / 1e6:6.1f} MB  "
            f"ratio {record['ratio']:.3f}  net {record['ratio_net']:.3f}  ({record['seconds']:.0f} s)")


def host() -> dict[str, str]:
    """Where the numbers were taken: transparent huge pages change RSS, so record them."""
    thp = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "transparent_hugepage": thp.read_text().strip() if thp.exists() else "unknown",
    }


METHOD = (
    "Per server binary, write pattern and activedefrag setting: a fresh server (127.0.0.1, no persistence, "
    "hz 100, maxmemory 64gb, volatile-lru) is warmed up and its baseline used_memory and RSS read. About "
    "150-200 MB of data is loaded and churned with the pattern's command mix (fixed seed, so every server gets "
    f"the same commands; pipelined in batches of {PIPELINE_BATCH}). Then the script waits for all TTL keys to "
    "expire and used_memory to be stable (rss_after_churn), for active defrag to be idle (defrag runs only; "
    "rss_before_purge), runs MEMORY PURGE so the allocator returns free pages at once (the RSS jemalloc reaches "
    "by itself within ~10-30 s), waits for used_memory to be stable and reads INFO memory. "
    "ratio = used_memory_rss / used_memory; ratio_net = (rss - baseline_rss) / (used_memory - "
    "baseline_used_memory); peak_rss_during_churn is the highest RSS sampled every "
    f"{PIPELINE_BATCH * SAMPLE_EVERY_BATCHES} commands, used_memory_at_peak_rss the used_memory at that moment. "
    f"With activedefrag yes, active-defrag-ignore-bytes is {DEFRAG_IGNORE_BYTES} (ElastiCache's minimum) so the "
    "10% threshold decides when defrag starts, as on production-sized nodes. 'unsupported': the build refused CONFIG SET activedefrag "
    "yes (no measurement). memory: the INFO memory fields the version reports. Patterns: read_heavy = strings "
    "100-400 B, 10% overwritten same size; mixed = strings + 8-field listpack hashes, 50% overwritten with "
    "sizes -50%..+100%, 20% deleted and re-added; write_heavy = strings overwritten in 3 full passes with sizes "
    "-50%..+100%, 10% deleted and re-inserted per pass, short-lived keys (EX 1-5 s) throughout; analytical = "
    "sorted sets and hashes of 8000 elements shrunk by 60% and regrown with new elements 3 times, with score "
    "and value updates. pattern_medians: median ratio per pattern over all records and per activedefrag "
    "setting; pattern_medians_net: the same for ratio_net. Details: benchmarks/fragmentation.py."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", action="append", required=True, metavar="PATH",
                        help="redis-server or valkey-server binary (repeatable)")
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--quick", action="store_true", help="a tenth of the data: a smoke test, not a calibration")
    parser.add_argument("--pattern", action="append", choices=list(WORKLOADS), help="patterns to run (default: all)")
    args = parser.parse_args()
    scale = QUICK_SCALE if args.quick else 1.0
    console = Console(width=160, highlight=False)
    records: list[dict[str, Any]] = []
    for binary in args.server:
        for pattern in args.pattern or list(WORKLOADS):
            for defrag in (False, True):
                records.append(measure(binary, pattern, defrag, scale))
                console.print(one_line(records[-1]))
    summary = {"pattern_medians": medians(records, "ratio"), "pattern_medians_net": medians(records, "ratio_net")}
    Path(args.out).write_text(json.dumps({
        "method": METHOD,
        "command": shlex.join(["python", "benchmarks/fragmentation.py", *sys.argv[1:]]),
        "measured_on": time.strftime("%Y-%m-%d"),
        "host": host(),
        "seed": SEED,
        "scale": scale,
        **summary,
        "records": records,
    }, indent=1) + "\n")
    console.print(summary_table(records))
    console.print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
