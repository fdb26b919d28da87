"""Measure the PEAK of RSS while data is rewritten (churn), per write pattern, churn amount,
spread and class of value sizes, and activedefrag setting, on real servers.

    python benchmarks/churn_peak.py --server /work/engines/valkey-8.1/src/valkey-server \\
        --build valkey-8.1 --grid full
    python benchmarks/churn_peak.py --server /usr/bin/redis-server --build redis-7.0-debian --grid reduced
    python benchmarks/churn_peak_model.py            # the model fitted to what was recorded

Why: a plan budgets ``dataset x FRAGMENTATION_RATIO[write_pattern]``, and those ratios come
from ``benchmarks/fragmentation.py``, which reads RSS after the churn and after MEMORY
PURGE. A node must hold the highest RSS *during* the churn, which real checks found far
higher (issue 13). This script measures that peak so that a model of it can be fitted.

Method, for every server binary x case (``Case``; the grids are ``full_grid``/``reduced_grid``):
  1. Start a fresh server (``sizing.live.server.started_server``: 127.0.0.1, free port, no
     persistence, hz 100), set the lazyfree parameters every plan deploys and, for
     activedefrag yes, the plan's defrag settings (``plan_defrag_settings``). A build
     that refuses activedefrag (Debian's redis-server links the system jemalloc) is
     recorded as 'unsupported' and not run.
  2. ``warm_up`` (runs every command once, FLUSHALL), MEMORY PURGE, wait until used_memory
     is stable (``settle``), read the baseline used_memory and RSS.
  3. Load the case's data (LOAD_TARGET_BYTES of used_memory) through a separate connection,
     close it, ``settle``, MEMORY PURGE (the keyspace tables outgrown during a fast load
     are freed pages jemalloc would return within ~10 s; a node churns data loaded long
     before), ``settle``, read used_memory and RSS after load. dataset = used after load
     - baseline used.
  4. Churn through another connection, pipelined (sizing/live/churn.py: BATCH_COMMANDS / BATCH_BYTES per round
     trip, two round trips in flight). A sampler thread (sizing/live/rss.py) reads the server's RSS from
     /proc/<pid>/statm every PROC_SAMPLE_SECONDS and INFO memory (used_memory, allocator
     fields) every INFO_SAMPLE_SECONDS on its own connection: time-based, so a slow batch
     cannot hide a peak, and off the writer's connection, so sampling does not change the
     writer's buffers. The server itself refreshes used_memory_rss only every 100 ms
     (cronUpdateMemoryStats), which is why /proc is read directly. Right before the churn
     the kernel's high-water mark of RSS is reset (``5`` to /proc/<pid>/clear_refs) and
     read after it (VmHWM): the exact peak, however busy the machine left the sampler.
  5. At the end of churn: RSS at once; then close the writer, settle, read used_memory and
     RSS after churn (and for activedefrag yes, again once defrag is idle, bounded).
     peak RSS = the highest of the sampled RSS, RSS at the end of churn and VmHWM.

Quantities (bytes; ``_net`` ones subtract the empty server, which a plan counts apart):
  peak_ratio_net          (peak RSS - baseline RSS) / (used after load - baseline used):
                          what ``FRAGMENTATION_RATIO`` must be for the node to hold the peak.
  peak_ratio_net_mean     (peak RSS - baseline RSS) / (mean of used after load and after
                          churn - baseline used): the same against the data's steady size
                          (churn that keeps the mean size keeps the dataset; this checks it).
  load_ratio_net          (RSS after load - baseline RSS) / dataset: fragmentation before churn.
  peak_used_ratio_net     (peak used_memory - baseline used) / dataset: growth of the data
                          itself during churn (deleted-and-re-added keys, buffers).

Cases (``Case``):
  pattern     what one rewrite of a key does, for strings (the SET/DEL a user's writes become):
                read_heavy   SET over the existing key (value replaced, key kept).
                mixed        70% SET over the key, 30% DEL and SET again REINSERT_DELAY
                             rewrites later (key, dict entry and value all freed and
                             re-allocated).
                write_heavy  mixed's rewrites, plus one short-lived key written per
                             SHORT_LIVED_EVERY rewrites and deleted SHORT_LIVED_RING such
                             writes later (expiry by count, not time, so the number alive
                             is the same at any rate; the ring is loaded with the data).
                analytical   sorted sets and hashes of COLLECTION_ELEMENTS elements
                             (skiplist / hashtable); a rewrite replaces an element: ZREM/HDEL
                             of an old one, ZADD/HSET of a new one (sizes from the spread).
  churn       rewrites / keys (for analytical: / elements): 0.5 = half the keys once,
              2 = two full passes, each in a new random order.
  spread      how value sizes vary: fixed (the class size), pm25 (uniform +-25%), pm50
              (+-50%), m50p100 (uniform -50%..+100%: mean 1.25x), lognormal (median the
              class size, sigma LOGNORMAL_SIGMA, cut to 1/4..4x).
  resize      how a rewrite's size relates to the value it replaces (the mean stays in all):
                relative   loaded with the spread; a rewrite multiplies the key's size by a
                           factor of the spread scaled to mean 1 (pm50: x0.5..x1.5), so
                           each key's size changes by that much and the sizes drift apart
                           (kept within 1/8..8x the class size).
                fresh      loaded with the spread; a rewrite draws a new size from the same
                           spread: the population of sizes never changes, only which key
                           has which.
                from_mean  loaded with every value at the spread's mean size; a rewrite draws
                           from the spread: the population changes from one size to the
                           spread (data written one way, then rewritten another).
              analytical replaces elements by new ones, so only 'fresh' applies to it.
  size_class  the centre of the value sizes: small 125 B, large 2.5 KiB, crossing 14 KiB
              (jemalloc's largest small class is 14 KiB, its first large class 16 KiB,
              so +-50% around 14 KiB moves values between slabs and page runs).
  rate        churn rewrites per second, or None for as fast as the client can send.
  maxmemory   None (64gb), or this factor x used_memory after load with noeviction, to
              see whether a plan this tight refuses writes during churn.

Why ~100 MB of data is enough: what is measured is a ratio, and the things that do not
grow with the data (the empty server, jemalloc's metadata and thread caches, one
pipeline's buffers) are 1-3 MB, 1-3% of it, and are subtracted with the baseline;
100 MB is 10x active-defrag-ignore-bytes (10 MB), so defrag's 10% threshold decides, as
on a production node; and it gives 5,000-600,000 keys, enough that every size class
jemalloc uses holds thousands of values. More data would only slow the grid down.

Sizes and keys come from a fixed seed, so every server gets the same commands.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import random
import shlex
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import redis
from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.fragmentation import Payload, defrag_stats, host, memory_info, wait_for_defrag
from sizing.live.churn import (
    REINSERT_DELAY,
    REINSERT_SHARE,
    SHORT_LIVED_EVERY,
    SHORT_LIVED_RING_SHARE,
    resp,
    send_all,
)
from sizing.live.client import command, describe
from sizing.live.rss import Sampler, proc_hwm, proc_rss, reset_hwm
from sizing.live.server import started_server
from sizing.live.verification import settle, warm_up
from sizing.memory.engines import engine_profile
from sizing.planning.parameter_group import (
    DEFRAG_CYCLE_MAX_BY_PATTERN,
    DEFRAG_IGNORE_BYTES_RANGE,
    SMALL_NODE_VCPU,
)

SEED = 20_261_201
OUT_DIR = ROOT / "benchmarks" / "measurements" / "churn_peak"
LOAD_TARGET_BYTES = 110_000_000
"""used_memory the load aims at (see the docstring: why ~100 MB is enough)."""
KEY_OVERHEAD_BYTES = {"small": 60, "large": 70, "crossing": 80}
"""used_memory per string key besides its value's bytes (dict entry, key object and name,
value header, allocator rounding; measured on the first valkey-8.1 runs), only to aim at
LOAD_TARGET_BYTES: the ratios use the measured dataset."""
SIZE_CLASS_BYTES = {"small": 125, "large": 2560, "crossing": 14_336}
"""Centre of the value sizes: small values 62-187 B at +-50%, large 1.25-3.75 KiB, and
jemalloc's largest small size class (SC_SMALL_MAXCLASS, 14 KiB with 4 KiB pages)."""
RELATIVE_LIMIT = 8
"""With relative resizing a key's size stays within 1/8..8x the class size: without a bound
the random walk would, after many passes, leave a few keys far outside their class."""
PAYLOAD_BYTES = 1 << 18
"""Random bytes values are cut from: above the largest value (8 x 14 KiB)."""
UNIFORM_SPREADS = {"fixed": (1.0, 1.0), "pm25": (0.75, 1.25), "pm50": (0.5, 1.5), "m50p100": (0.5, 2.0)}
"""Uniform spreads: the range of sizes as factors of the class size."""
LOGNORMAL_SIGMA = 0.5
"""Coefficient of variation ~0.53, beside 0.14 (pm25), 0.29 (pm50) and 0.35 (m50p100)."""
SPREAD_CV = {"fixed": 0.0, "pm25": 0.25 / math.sqrt(3), "pm50": 0.5 / math.sqrt(3),
             "m50p100": 1.5 / math.sqrt(12) / 1.25,
             "lognormal": math.sqrt(math.exp(LOGNORMAL_SIGMA ** 2) - 1)}
"""Coefficient of variation (sd / mean) of each spread: uniform [a, b] has sd (b-a)/sqrt(12)."""
COLLECTION_ELEMENTS = 2_000
"""Elements per sorted set / hash in analytical: well above the listpack limits (128), so
the churn reallocates skiplist nodes, dict entries and element strings one by one."""
ELEMENTS_PER_COMMAND = 100
ZSET_MEMBER_BYTES = 24
ANALYTICAL_ELEMENT_BYTES = 78
"""used_memory per element besides a hash value's bytes (half the elements carry one):
141 B per element at 125 B values on the first valkey-8.1 run; only to aim at LOAD_TARGET_BYTES."""
DEFRAG_WAIT_SECONDS = 30.0
"""After churn with activedefrag yes, wait this long at most for defrag to go idle."""
PLAN_NODE_MAXMEMORY_BYTES = 1_000_000_000
PLAN_NODE_VCPU = 2
"""The plan's defrag settings are for a small node (~1 GB maxmemory, 2 vCPU: the t4g.small
class where issue 13 found the problem); its ignore-bytes is 1% of that, i.e. the 10 MB floor."""
LAZYFREE = ("lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "lazyfree-lazy-user-del")
"""Every plan's parameter group sets these to yes (sizing/planning/parameter_group.py)."""
PATTERNS = ("read_heavy", "mixed", "write_heavy", "analytical")
SPREADS = tuple(SPREAD_CV)


@dataclass(frozen=True)
class Case:
    """One measurement's inputs (see the module docstring)."""

    pattern: str = "mixed"
    churn: float = 2.0
    spread: str = "pm50"
    size_class: str = "small"
    resize: str = "relative"
    defrag: bool = False
    rate: int | None = None
    maxmemory: float | None = None

    @property
    def name(self) -> str:
        parts = [self.pattern, f"c{self.churn:g}", self.spread, self.size_class, self.resize,
                 "defrag" if self.defrag else "nodefrag"]
        if self.rate:
            parts.append(f"r{self.rate}")
        if self.maxmemory:
            parts.append(f"maxmem{self.maxmemory:g}")
        return "-".join(parts)


def full_grid() -> list[Case]:
    """Every factor around the issue's case (mixed, 2 passes, +-50%, small values): churn x
    spread crossed on small values (where most keyspaces are), the other resize modes,
    patterns and classes at 0.5 and 2 passes, defrag at 2."""
    cases = [Case(churn=c, spread=s) for s in SPREADS for c in (0.5, 2.0)]
    cases += [Case(churn=c, spread=s) for s in ("pm50", "lognormal") for c in (0.1, 1.0, 3.0)]
    cases += [Case(churn=c, spread=s, resize=r) for r in ("fresh", "from_mean")
              for s in ("pm50", "lognormal") for c in (0.5, 2.0)]
    cases += [Case(pattern=p, churn=c, spread=s) for p in ("read_heavy", "write_heavy")
              for c in (0.5, 2.0) for s in ("pm50", "lognormal")]
    cases += [Case(pattern="analytical", churn=c, spread=s, resize="fresh") for c in (0.5, 2.0) for s in ("fixed", "pm50")]
    cases += [Case(size_class=k, churn=c, spread=s) for k in ("large", "crossing")
              for c in (0.5, 2.0) for s in ("pm50", "lognormal")]
    cases += [Case(size_class=k, spread="fixed") for k in ("large", "crossing")]
    cases += [Case(defrag=True, size_class=k) for k in ("small", "large", "crossing")]
    cases += [Case(defrag=True, spread="lognormal"), Case(defrag=True, pattern="write_heavy"),
              Case(defrag=True, pattern="analytical", resize="fresh")]
    cases += rate_cases() + [oom_case(), Case(maxmemory=1.15, resize="from_mean")]
    return cases


def reduced_grid() -> list[Case]:
    """The cases the fit leans on most, for the builds that check it."""
    cases = [Case(churn=c, spread=s) for s in ("pm50", "lognormal") for c in (0.5, 2.0)]
    cases += [Case(spread="fixed"), Case(resize="fresh"), Case(resize="from_mean")]
    cases += [Case(pattern=p) for p in ("read_heavy", "write_heavy")] + [Case(pattern="analytical", resize="fresh")]
    cases += [Case(size_class="large"), Case(size_class="crossing"), Case(size_class="crossing", spread="lognormal")]
    cases += [Case(defrag=True), Case(defrag=True, size_class="crossing")]
    cases += [oom_case()]
    return cases


RATE_SLOW = 30_000
"""Rewrites/s for the rate check: about a third of the unthrottled rate on small values
here, so churn lasts several of jemalloc's 10 s decay periods."""


def rate_cases() -> list[Case]:
    """The issue's case slowed to a third, and 14 KiB values (whose ~7,000 keys churn in
    well under a second unthrottled) slowed to 1/20 and 1/100: 0.2 and 0.04 passes/s."""
    return [Case(rate=RATE_SLOW), Case(size_class="crossing", rate=RATE_SLOW // 20),
            Case(size_class="crossing", rate=RATE_SLOW // 100)]


def oom_case() -> Case:
    return Case(maxmemory=1.15)


GRIDS = {"full": full_grid, "reduced": reduced_grid}


# --- Commands --------------------------------------------------------------------------------------

def size_draw(rng: random.Random, spread: str, centre: int) -> Iterator[int]:
    """Endless value sizes of ``spread`` around ``centre``."""
    low, high = UNIFORM_SPREADS.get(spread, (0.0, 0.0))
    while True:
        if spread == "lognormal":
            yield max(centre // 4, min(centre * 4, round(centre * rng.lognormvariate(0.0, LOGNORMAL_SIGMA))))
        else:
            yield max(1, round(centre * rng.uniform(low, high)))


def mean_size(spread: str, centre: int) -> float:
    if spread == "lognormal":
        return centre * math.exp(LOGNORMAL_SIGMA ** 2 / 2)
    return centre * {"fixed": 1.0, "pm25": 1.0, "pm50": 1.0, "m50p100": 1.25}[spread]


def string_key(index: int) -> bytes:
    return b"k:%08d" % index


class Workload:
    """The load and churn command streams of a case (deterministic for the seed)."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.rng = random.Random(SEED)
        self.value = Payload(self.rng, PAYLOAD_BYTES)
        centre = SIZE_CLASS_BYTES[case.size_class]
        self.sizes = size_draw(self.rng, case.spread, centre)
        self.mean = mean_size(case.spread, centre)
        self.bounds = (max(1, centre // RELATIVE_LIMIT), centre * RELATIVE_LIMIT)
        self.current: list[int] = []  # every string key's value size (relative resizing)
        if case.pattern == "analytical":
            per = mean_size(case.spread, centre) / 2 + ANALYTICAL_ELEMENT_BYTES
            self.collections = max(2, round(LOAD_TARGET_BYTES / per / COLLECTION_ELEMENTS))
            self.members = [list(range(i * COLLECTION_ELEMENTS, (i + 1) * COLLECTION_ELEMENTS))
                            for i in range(self.collections)]
            self.next_member = self.collections * COLLECTION_ELEMENTS
            self.units = self.collections * COLLECTION_ELEMENTS
        else:
            per = mean_size(case.spread, centre) + KEY_OVERHEAD_BYTES[case.size_class]
            ring_share = SHORT_LIVED_RING_SHARE if case.pattern == "write_heavy" else 0.0
            self.keys = round(LOAD_TARGET_BYTES / per / (1 + ring_share))
            self.ring = round(self.keys * ring_share)
            self.units = self.keys

    def load(self) -> Iterator[bytes]:
        if self.case.pattern == "analytical":
            for index, ids in enumerate(self.members):
                for start in range(0, len(ids), ELEMENTS_PER_COMMAND):
                    yield self._add(index, ids[start:start + ELEMENTS_PER_COMMAND])
            return
        if self.case.resize == "from_mean":
            self.current = [round(self.mean)] * self.keys
        else:
            self.current = [next(self.sizes) for _ in range(self.keys)]
        for index, size in enumerate(self.current):
            yield resp(b"SET", string_key(index), self.value(size))
        for slot in range(self.ring):
            yield resp(b"SET", b"t:%08d" % slot, self.value(next(self.sizes)))

    def _add(self, index: int, ids: list[int]) -> bytes:
        args: list[bytes] = []
        if index % 2 == 0:  # even collections are sorted sets, odd ones hashes
            for member in ids:
                args += [b"%d" % self.rng.randrange(1_000_000), b"m:%0*d" % (ZSET_MEMBER_BYTES - 2, member)]
            return resp(b"ZADD", b"z:%05d" % index, *args)
        for member in ids:
            args += [b"f:%09d" % member, self.value(next(self.sizes))]
        return resp(b"HSET", b"h:%05d" % index, *args)

    def new_size(self, index: int) -> int:
        """The size key ``index`` is rewritten with (see ``resize``)."""
        if self.case.resize == "relative":
            size = round(self.current[index] * next(self.sizes) / self.mean)
            size = max(self.bounds[0], min(self.bounds[1], size))
        else:
            size = next(self.sizes)
        self.current[index] = size
        return size

    def rewrites(self) -> Iterator[int]:
        """Indexes of the units rewritten: whole passes in new random orders, then a share."""
        whole, share = divmod(self.case.churn, 1.0)
        for _ in range(int(whole)):
            order = list(range(self.units))
            self.rng.shuffle(order)
            yield from order
        yield from self.rng.sample(range(self.units), round(share * self.units))

    def churn(self) -> Iterator[tuple[int, bytes]]:
        """(rewrites done, commands) pairs: several commands may make one rewrite."""
        if self.case.pattern == "analytical":
            yield from self._churn_collections()
            return
        pending: collections.deque[tuple[int, int]] = collections.deque()  # (due at rewrite, key)
        ring_next = 0
        done = 0
        for done, index in enumerate(self.rewrites(), 1):
            key = string_key(index)
            if self.case.pattern != "read_heavy" and self.rng.random() < REINSERT_SHARE:
                yield 0, resp(b"DEL", key)
                pending.append((done + REINSERT_DELAY, index))
            else:
                yield 0, resp(b"SET", key, self.value(self.new_size(index)))
            while pending and pending[0][0] <= done:
                back = pending.popleft()[1]
                yield 0, resp(b"SET", string_key(back), self.value(self.new_size(back)))
            if self.ring and done % SHORT_LIVED_EVERY == 0:
                # the ring slot's old key "expires" now and a new short-lived key takes its place
                yield 0, resp(b"DEL", b"t:%08d" % ring_next)
                yield 0, resp(b"SET", b"t:%08d" % ring_next, self.value(next(self.sizes)))
                ring_next = (ring_next + 1) % self.ring
            yield 1, b""
        while pending:
            back = pending.popleft()[1]
            yield 0, resp(b"SET", string_key(back), self.value(self.new_size(back)))

    def _churn_collections(self) -> Iterator[tuple[int, bytes]]:
        """Replace ELEMENTS_PER_COMMAND elements of a random collection per step, until
        churn x elements have been replaced."""
        steps = round(self.case.churn * self.units / ELEMENTS_PER_COMMAND)
        for _ in range(steps):
            index = self.rng.randrange(self.collections)
            ids = self.members[index]
            gone = set(self.rng.sample(range(len(ids)), ELEMENTS_PER_COMMAND))
            names = [ids[i] for i in gone]
            self.members[index] = [m for i, m in enumerate(ids) if i not in gone]
            if index % 2 == 0:
                yield 0, resp(b"ZREM", b"z:%05d" % index, *[b"m:%0*d" % (ZSET_MEMBER_BYTES - 2, m) for m in names])
            else:
                yield 0, resp(b"HDEL", b"h:%05d" % index, *[b"f:%09d" % m for m in names])
            fresh = list(range(self.next_member, self.next_member + ELEMENTS_PER_COMMAND))
            self.next_member += ELEMENTS_PER_COMMAND
            self.members[index] += fresh
            yield ELEMENTS_PER_COMMAND, self._add(index, fresh)


# --- Server settings -------------------------------------------------------------------------------

def plan_defrag_settings(pattern: str) -> dict[str, int | str]:
    """The defrag parameters a plan deploys for ``pattern`` on a small 2-vCPU node
    (sizing/planning/parameter_group.py: ignore-bytes 1% of maxmemory within ElastiCache's
    range, lower threshold 10%, cycle 5% to the pattern's ceiling, halved on 2 vCPUs)."""
    low, high = DEFRAG_IGNORE_BYTES_RANGE
    return {
        "active-defrag-ignore-bytes": max(low, min(high, PLAN_NODE_MAXMEMORY_BYTES // 100)),
        "active-defrag-threshold-lower": 10,
        "active-defrag-cycle-min": 5,
        "active-defrag-cycle-max": DEFRAG_CYCLE_MAX_BY_PATTERN[pattern] // (2 if PLAN_NODE_VCPU <= SMALL_NODE_VCPU else 1),
        "activedefrag": "yes",
    }


def configure(client: redis.Redis, case: Case) -> dict[str, Any]:
    """Set the plan's lazyfree and (for defrag cases) defrag parameters; what was set."""
    settings: dict[str, Any] = {}
    for name in LAZYFREE:
        try:
            command(client, "CONFIG", "SET", name, "yes")
            settings[name] = "yes"
        except redis.ResponseError:
            settings[name] = "unknown to this version"
    if case.defrag:
        try:
            for name, value in plan_defrag_settings(case.pattern).items():
                command(client, "CONFIG", "SET", name, value)
                settings[name] = value
        except redis.ResponseError:
            settings["activedefrag"] = "unsupported"
    else:
        command(client, "CONFIG", "SET", "activedefrag", "no")
        settings["activedefrag"] = "no"
    return settings


# --- One measurement -----------------------------------------------------------------------------

def measure(binary: str, case: Case) -> dict[str, Any]:
    started = time.monotonic()
    record: dict[str, Any] = {"case": case.name, **asdict(case)}
    with started_server(binary, engine_profile("redis", "7.0").defaults, False) as client:
        server = describe(client)
        record.update({"server": f"{server.engine} {server.version}", "mem_allocator": server.allocator})
        record["settings"] = configure(client, case)
        if record["settings"]["activedefrag"] == "unsupported":
            record["activedefrag"] = "unsupported"
            return record
        record["activedefrag"] = "yes" if case.defrag else "no"
        pid = int(client.info("server")["process_id"])
        port = int(client.connection_pool.connection_kwargs["port"])
        for cmd in (("ZREM", "w", "m"), ("HDEL", "w", "f")):
            command(client, *cmd)  # first use allocates a latency histogram; warm_up runs the rest
        warm_up(client)
        command(client, "MEMORY", "PURGE")
        base_used = settle(client)
        base_rss = proc_rss(pid)
        workload = Workload(case)
        load = send_all(port, ((0, cmd) for cmd in workload.load()), None)
        settle(client)
        record["rss_after_load_unpurged"] = proc_rss(pid)
        # The tables outgrown during the load are freed pages that jemalloc returns within
        # ~10 s (dirty page decay): 5-7% of RSS right after a fast load of small keys. A node
        # churns data loaded long before, so the churn starts from the purged state.
        command(client, "MEMORY", "PURGE")
        loaded_used = settle(client)
        loaded_rss = proc_rss(pid)
        loaded_info = memory_info(client)
        if case.maxmemory:
            maxmemory = round(case.maxmemory * loaded_used)
            command(client, "CONFIG", "SET", "maxmemory-policy", "noeviction")
            command(client, "CONFIG", "SET", "maxmemory", maxmemory)
            record["maxmemory_bytes"] = maxmemory
        stats_before = defrag_stats(client)
        hwm_reset = reset_hwm(pid)
        with Sampler(pid, port, memory_info) as sampler:
            churn = send_all(port, workload.churn(), case.rate)
            end_rss = proc_rss(pid)
        hwm = proc_hwm(pid)
        after_used = settle(client)
        after_rss = proc_rss(pid)
        after_info = memory_info(client)
        if case.defrag:
            record["defrag_idle"] = wait_for_defrag(client, DEFRAG_WAIT_SECONDS, poll_seconds=0.25)
            record["rss_after_defrag"] = proc_rss(pid)
            record["defrag_stats"] = {k: v - stats_before.get(k, 0) for k, v in defrag_stats(client).items()}
        keys = int(client.dbsize())

    dataset = loaded_used - base_used
    # VmHWM is the churn's own peak only if it was reset before; otherwise it may be the load's
    peak_rss = max(sampler.peak_rss, end_rss, hwm if hwm_reset else 0)
    record.update({
        "keys_loaded": getattr(workload, "keys", workload.units) + getattr(workload, "ring", 0),
        "units": workload.units, "keys_after": keys,
        "baseline_used_memory": base_used, "baseline_rss": base_rss,
        "loaded_used_memory": loaded_used, "loaded_rss": loaded_rss, "dataset_bytes": dataset,
        "peak_rss": peak_rss, "peak_rss_at_seconds": sampler.peak_rss_at_seconds,
        "peak_used_memory": max(sampler.peak_used, after_used),
        "rss_end_of_churn": end_rss, "vmhwm": hwm, "vmhwm_reset_before_churn": hwm_reset,
        "sampled_peak_rss": sampler.peak_rss,
        "used_memory_after_churn": after_used, "rss_after_churn_settled": after_rss,
        "load": load, "churn_run": churn,
        "samples": sampler.samples, "max_sample_gap_seconds": round(sampler.max_gap_seconds, 3),
        "info_at_peak_rss": sampler.info_at_peak_rss, "info_after_load": loaded_info, "info_after_churn": after_info,
        "peak_ratio_net": round((peak_rss - base_rss) / dataset, 4),
        "peak_ratio_net_mean": round((peak_rss - base_rss) / ((loaded_used + after_used) / 2 - base_used), 4),
        "load_ratio_net": round((loaded_rss - base_rss) / dataset, 4),
        "end_ratio_net": round((end_rss - base_rss) / dataset, 4),
        "peak_used_ratio_net": round((max(sampler.peak_used, after_used) - base_used) / dataset, 4),
        "seconds": round(time.monotonic() - started, 1),
    })
    if case.maxmemory:
        record["peak_rss_over_maxmemory"] = round(peak_rss / record["maxmemory_bytes"], 4)
    return record


def one_line(r: dict[str, Any]) -> str:
    if "peak_ratio_net" not in r:
        return f"{r['case']:55s} {r['activedefrag']}"
    c = r["churn_run"]
    return (f"{r['case']:55s} data {r['dataset_bytes'] / 1e6:5.1f} MB  load {r['load_ratio_net']:.3f}  "
            f"peak {r['peak_ratio_net']:.3f}  end {r['end_ratio_net']:.3f}  used {r['peak_used_ratio_net']:.3f}  "
            f"{c['seconds']:5.1f} s {c['rewrites_per_second']:>7d}/s  err {c['errors']}  ({r['seconds']:.0f} s)")


METHOD = __doc__.split("Method,", 1)[1].split("Sizes and keys", 1)[0].strip() if __doc__ else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True, metavar="PATH", help="redis-server or valkey-server binary")
    parser.add_argument("--build", required=True, help="name of the build: the output is <out-dir>/<build>.json")
    parser.add_argument("--grid", choices=list(GRIDS), default="reduced")
    parser.add_argument("--case", action="append", metavar="NAME", help="only these cases of the grid (repeatable)")
    parser.add_argument("--out-dir", default=str(OUT_DIR))
    args = parser.parse_args()
    grid = {c.name: c for c in GRIDS[args.grid]()}
    unknown = [name for name in args.case or [] if name not in grid]
    if unknown:
        parser.error(f"not in the {args.grid} grid: {', '.join(unknown)}")
    cases = [grid[name] for name in args.case] if args.case else list(grid.values())  # in the order asked
    out = Path(args.out_dir) / f"{args.build}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    console = Console(width=200, highlight=False)
    records: list[dict[str, Any]] = []
    for case in cases:
        records.append(measure(args.server, case))
        console.print(one_line(records[-1]))
        # written after every case, so an interrupted grid keeps what it measured
        out.write_text(json.dumps({
            "build": args.build, "binary": args.server, "method": METHOD,
            "command": shlex.join(["python", "benchmarks/churn_peak.py", *sys.argv[1:]]),
            "measured_on": time.strftime("%Y-%m-%d"), "host": host(), "seed": SEED, "grid": args.grid,
            "cases": [asdict(c) | {"name": c.name} for c in cases], "records": records,
        }, indent=1) + "\n")


if __name__ == "__main__":
    main()
