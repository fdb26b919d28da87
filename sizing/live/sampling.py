"""Sampling a live Redis or Valkey server, read-only and with bounded load.

Only commands ElastiCache allows are sent: ``PING``, ``SCAN`` with ``COUNT``, ``TYPE``, ``OBJECT
ENCODING``, ``PTTL``, ``MEMORY USAGE`` with ``SAMPLES``, ``STRLEN``, ``HLEN``/``ZCARD``/
``LLEN``/``SCARD``, ``HRANDFIELD``/``ZRANDMEMBER``/``SRANDMEMBER``/``LRANGE`` with small
counts, ``INFO``, ``DBSIZE`` and, in cluster mode, ``CLUSTER SLOTS``. No ``CONFIG``,
``DEBUG`` or ``KEYS``; nothing is written.

Per key the sample keeps raw lengths, for the profile to summarise: the key name's, the
value's (STRLEN) and whether it is an integer (OBJECT ENCODING int) for strings; for
collections the element count and, for each element read, its length and whether it is a
decimal integer (a hash's field and value apart), and a zset's scores.

The sample is the first keys ``SCAN`` returns. ``SCAN`` walks the main table by bucket,
and a key's bucket comes from a seeded hash of its name, so that prefix is a random
sample of the keys, whatever their names, types or ages.

Glossary
    sample            keys inspected; counts per pattern are extrapolated from it.
    commands_sent     every command this profile sent, each command in a pipeline counted
                      (all but the client library's connection handshake: AUTH, CLIENT SETINFO).
    max_ops_per_sec   the ceiling on commands_sent per second; batches wait for it.
    histograms        Redis 7+ and Valkey keep a latency histogram per command name once
                      it has run (``latency-tracking``, on by default): memory that is
                      neither data nor counted in any ``mem_*`` field of ``INFO memory``.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import redis
from pydantic import BaseModel, ConfigDict, Field

from sizing.errors import ServerError
from sizing.live.client import command, engine_and_version
from sizing.live.endpoint import check_options, parse_endpoint
from sizing.spec.distribution import MAX_NUMERIC_DIGITS
from sizing.versions import minor_version

DEFAULT_SAMPLE_KEYS = 10_000
"""Keys inspected by default: a pattern holding 5% of the keys is then counted within
about +-9% (95% interval), and one inspection costs ~6 cheap commands."""
DEFAULT_MAX_OPS_PER_SEC = 5_000
"""Default ceiling: a few percent of what one ElastiCache node serves (AWS quotes
hundreds of thousands of simple commands per second per node), for O(1) commands."""
KEYS_PER_BATCH = 50
"""Keys inspected per pipeline round trip (about 200 commands): short enough that the
server interleaves other clients' commands between batches."""
SCAN_COUNT = 500
"""``SCAN ... COUNT``: buckets visited per call; bounds the work one call does."""
ELEMENTS_PER_KEY = 8
"""Fields, members or elements read per collection (HRANDFIELD and the like)."""
ELEMENTS_READ_SHARE = 1 / 32
"""Of a big collection, at least this share of its elements is read (in a second round
trip), up to ``MAX_ELEMENTS_PER_KEY``: element lengths are weighted by count / read, so
8 elements of a 3,000-element list weigh 375 times one of a small key's, and a few
big keys would decide the mean (a 2.1% standard error for ``queues`` in
benchmarks/production_cases.yaml at 8 per key)."""
MAX_ELEMENTS_PER_KEY = 256
"""Most elements read from one collection: one O(256) command per big key."""
LIST_WINDOWS = 4
"""LRANGE windows, spread evenly through a big list's middle, for its extra elements."""
MEMORY_USAGE_SAMPLES = 5
"""``MEMORY USAGE ... SAMPLES``: the server's own default, O(5) per call."""
LATENCY_HISTOGRAM_BYTES = 24_688
"""One command's latency histogram: ``hdr_init(1, 1e9, 2)`` allocates 3,072 int64 counts
(24,576 bytes) and the 104-byte struct (class 112); measured on Debian's 7.0.15 as the
used_memory step of each first-time command (the same with either allocator: both
sizes are exact classes of both)."""
STARTUP_HISTOGRAMS = {("valkey", "9.1"): frozenset({"config|get"})}
"""Commands whose latency histogram a fresh server holds within used_memory_startup, by
release: Valkey 9.1.2 lists ``config|get`` in INFO latencystats before any client has run
a command, and an empty 9.1 node after the load's commands reads 23,520 bytes below zero
with it subtracted (8.1.1: 608 bytes above). Subtracting it put every 9.1 case of
benchmarks/production_cases.yaml 21-25 KB below what benchmarks/measure.py measures from a
baseline: +0.1% to +0.9% on the model's error."""
CLIENTS_CRON_MIN_ITERATIONS = 5
"""Clients the server's tick visits at the least (``clientsCron`` in server.c, Redis 6.2 to
Valkey 9.1): it visits ``connected / hz`` of them per tick, and never fewer than this."""
CLIENTS_COUNTED_MIN_WAIT_SECONDS = 0.05
"""Shortest wait for the tick to count the measuring connection (see ``_clients_counted``):
five ticks at the 100 Hz of a started server, so that a tick delayed on a busy machine
still comes before the read."""
_INTEGER = re.compile(rb"^(0|-?[1-9][0-9]*)$")

Progress = Callable[[int, int], None]
"""Called with (keys inspected so far, keys to inspect)."""


@dataclass(frozen=True, slots=True)
class KeySample:
    """What one inspected key looks like (a plain dataclass: there are thousands).

    Lengths are raw, as the server returned them: the profile turns them into quantiles.
    Elements are the fields (hashes), members (sets, zsets) or list elements read with
    HRANDFIELD, SRANDMEMBER, ZRANDMEMBER or LRANGE; ``item_digits[i]`` is 0 unless element
    ``i`` is a decimal integer (of at most ``MAX_NUMERIC_DIGITS`` digits), and then its
    digit count without the sign. Hash values are kept apart from their field names.
    """

    name: str
    key_bytes: int
    type: str
    encoding: str
    ttl: bool
    memory_usage_bytes: int
    length: int
    """STRLEN of a string, else the element count (HLEN, SCARD, ZCARD, LLEN)."""
    integer: bool = False
    """A string stored as an integer (OBJECT ENCODING int); its STRLEN is then its digits."""
    item_bytes: tuple[int, ...] = ()
    """Lengths of the sampled fields, members or list elements."""
    item_digits: tuple[int, ...] = ()
    """Per sampled element: its digit count if it is a decimal integer, else 0."""
    value_bytes: tuple[int, ...] = ()
    """Hashes: lengths of the sampled fields' values."""
    value_digits: tuple[int, ...] = ()
    """Hashes: per sampled value, its digit count if it is a decimal integer, else 0."""
    scores: tuple[float, ...] = ()
    """Zsets: the sampled members' scores."""

    @property
    def items_sampled(self) -> int:
        return len(self.item_bytes)


class ServerSnapshot(BaseModel):
    """What ``INFO`` says about one server at one moment."""

    model_config = ConfigDict(frozen=True)

    address: str
    engine: str
    version: str
    cluster_enabled: bool
    keys: int = Field(description="DBSIZE of the selected database.")
    used_memory_bytes: int
    startup_bytes: int = Field(description="used_memory_startup.")
    clients_bytes: int = Field(description="mem_clients_normal + mem_clients_slaves, read once the server "
                                           "has counted the measuring connection as it is.")
    replication_bytes: int = Field(description="mem_replication_backlog.")
    other_overhead_bytes: int = Field(description="mem_aof_buffer + used_memory_scripts + mem_cluster_links.")
    histograms: int = Field(description="Commands with a latency histogram (INFO latencystats).")
    fragmentation_ratio: float
    maxmemory_policy: str
    maxmemory_bytes: int
    cpu_seconds: float = Field(description="used_cpu_sys + used_cpu_user of the server process.")
    commands_processed: int = Field(description="total_commands_processed, all clients.")

    @property
    def dataset_bytes(self) -> int:
        """used_memory less everything that is not the keys: startup memory, clients,
        replication, AOF and script buffers, cluster links and latency histograms.

        This is what the memory model predicts (the growth of used_memory from loading the
        data into a fresh node): it keeps the main and expires tables, which INFO's own
        ``used_memory_dataset`` leaves out together with a nominal 24+16 bytes per key.
        """
        return (self.used_memory_bytes - self.startup_bytes - self.clients_bytes - self.replication_bytes
                - self.other_overhead_bytes - self.histograms * LATENCY_HISTOGRAM_BYTES)


class ServerSample(BaseModel):
    """One server's sample: the keys inspected and INFO before and after."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    before: ServerSnapshot
    after: ServerSnapshot
    scanned_keys: int = Field(description="Distinct keys SCAN returned (the sample before inspection).")
    keys: tuple[KeySample, ...]
    commands_sent: int
    elapsed_seconds: float


class _Budget:
    """Keeps commands_sent under max_ops_per_sec by sleeping before a batch that would pass it."""

    def __init__(self, max_ops_per_sec: float) -> None:
        self.rate = max_ops_per_sec
        self.sent = 0
        self.started = time.monotonic()

    def spend(self, commands: int) -> None:
        ahead = (self.sent + commands) / self.rate - (time.monotonic() - self.started)
        if ahead > 0:
            time.sleep(ahead)
        self.sent += commands


def connect(url: str, budget: _Budget | None = None, socket_timeout: float = 30) -> redis.Redis:
    """A client for ``url`` (redis:// or rediss://, optional user:password), checked with PING."""
    endpoint = parse_endpoint(url)
    check_options(endpoint)
    return _checked(endpoint.client(socket_timeout, connect_timeout=10), endpoint.shown, budget)


def _checked(client: redis.Redis, shown: str, budget: _Budget | None = None) -> redis.Redis:
    if budget is not None:
        budget.spend(1)
    try:
        client.ping()
    except redis.AuthenticationError as exc:
        raise ServerError(f"{shown}: authentication failed ({exc}); check the user name and password") from None
    except redis.exceptions.NoPermissionError as exc:
        raise ServerError(f"{shown}: permission denied for PING ({exc})") from None
    except redis.ConnectionError as exc:
        raise ServerError(f"cannot reach {shown}: {exc}") from None
    except redis.ResponseError as exc:
        if "NOAUTH" in str(exc) or "WRONGPASS" in str(exc):
            raise ServerError(f"{shown}: authentication failed ({exc}); check the user name and password") from None
        raise ServerError(f"{shown}: {exc}") from None
    return client


def primaries(client: redis.Redis, cluster: bool, budget: _Budget | None = None) -> list[redis.Redis]:
    """The servers to sample: the one connected to, or every primary of its cluster."""
    spend = budget.spend if budget is not None else (lambda _: None)
    spend(1)
    enabled = bool(client.info("cluster").get("cluster_enabled"))
    if cluster and not enabled:
        raise ServerError("--cluster was given, but the server reports cluster_enabled:0")
    if not enabled:
        return [client]
    spend(1)
    kwargs = client.connection_pool.connection_kwargs
    found: list[redis.Redis] = []
    seen: set[tuple[str, int]] = set()
    for entry in command(client, "CLUSTER", "SLOTS"):
        host_raw, port = entry[2][0], int(entry[2][1])
        host = host_raw.decode() if isinstance(host_raw, bytes) else str(host_raw)
        if host in ("", "?"):
            host = str(kwargs["host"])  # a node that does not know its own address: the one we used
        if (host, port) in seen:
            continue
        seen.add((host, port))
        if (host, port) == (kwargs["host"], kwargs["port"]):
            found.append(client)
            continue
        pool = redis.ConnectionPool(connection_class=client.connection_pool.connection_class,
                                    **{**kwargs, "host": host, "port": port})
        found.append(_checked(redis.Redis(connection_pool=pool), f"{host}:{port}", budget))
    return found


def snapshot(client: redis.Redis) -> ServerSnapshot:
    """INFO and DBSIZE of one server."""
    server = client.info("server")
    _clients_counted(client, server)
    memory = client.info("memory")
    cpu, stats = client.info("cpu"), client.info("stats")
    kwargs = client.connection_pool.connection_kwargs
    engine, version = engine_and_version(server)
    return ServerSnapshot(
        address=f"{kwargs.get('host')}:{kwargs.get('port')}",
        engine=engine,
        version=version,
        cluster_enabled=bool(client.info("cluster").get("cluster_enabled")),
        keys=int(client.dbsize()),
        used_memory_bytes=int(memory["used_memory"]),
        startup_bytes=int(memory.get("used_memory_startup", 0)),
        clients_bytes=int(memory.get("mem_clients_normal", 0)) + int(memory.get("mem_clients_slaves", 0)),
        replication_bytes=int(memory.get("mem_replication_backlog", 0)),
        other_overhead_bytes=sum(int(memory.get(name, 0)) for name in
                                 ("mem_aof_buffer", "used_memory_scripts", "mem_cluster_links")),
        histograms=_histograms(client.info("latencystats"), engine, minor_version(version)),
        fragmentation_ratio=float(memory.get("mem_fragmentation_ratio", 0.0)),
        maxmemory_policy=str(memory.get("maxmemory_policy", "noeviction")),
        maxmemory_bytes=int(memory.get("maxmemory", 0)),
        cpu_seconds=float(cpu.get("used_cpu_sys", 0.0)) + float(cpu.get("used_cpu_user", 0.0)),
        commands_processed=int(stats.get("total_commands_processed", 0)),
    )


def _clients_counted(client: redis.Redis, server: dict[str, Any]) -> None:
    """Wait until the server's tick has counted this connection's buffers in mem_clients_normal.

    The server adds a client's memory (its struct, reply buffer and query buffer) to
    mem_clients_normal only from its tick, which visits ``CLIENTS_CRON_MIN_ITERATIONS``
    clients or ``connected / hz`` of them, whichever is more (unless maxmemory-clients
    is set), while used_memory holds the buffers at once. Read straight after connecting,
    a connection's ~37.7 KB (Valkey 7.2: 16 KB reply buffer, 20 KB query buffer, the
    struct) was in used_memory but not yet in mem_clients_normal about one time in five,
    and counted as data; a query buffer the tick had freed after two idle seconds and the
    next command allocated again, 20.5 KB. One tick more than a full round of the clients
    after this connection's last command, the count is its own: the command that reads it
    reuses the buffers (a query buffer is freed only after two idle seconds).
    """
    hz = max(1, int(server.get("hz", 10)))
    connected = max(1, int(client.info("clients").get("connected_clients", 1)))
    per_tick = max(connected // hz, min(connected, CLIENTS_CRON_MIN_ITERATIONS))
    time.sleep(max((math.ceil(connected / per_tick) + 1) / hz, CLIENTS_COUNTED_MIN_WAIT_SECONDS))


def _histograms(latencystats: dict[str, Any], engine: str, release: str) -> int:
    """Latency histograms allocated since start-up: one per command INFO latencystats lists
    (``latency_percentiles_usec_<command>``), less those a fresh server already holds."""
    held = STARTUP_HISTOGRAMS.get((engine, release), frozenset())
    return sum(1 for name in latencystats if name.removeprefix("latency_percentiles_usec_") not in held)


def check_permissions(client: redis.Redis, budget: _Budget | None = None) -> None:
    """Run every command the profile needs once, so a missing ACL permission fails at
    once with its name instead of half-way through. A type error on the probe key
    means the command is allowed (ACLs are checked first)."""
    probe = "sizing:profile:probe"
    checks: list[tuple[str | int, ...]] = [
        ("INFO", "memory"), ("DBSIZE",), ("SCAN", 0, "COUNT", 1), ("TYPE", probe), ("OBJECT", "ENCODING", probe),
        ("PTTL", probe), ("MEMORY", "USAGE", probe, "SAMPLES", MEMORY_USAGE_SAMPLES), ("STRLEN", probe),
        ("HLEN", probe), ("SCARD", probe), ("ZCARD", probe), ("LLEN", probe),
        ("HRANDFIELD", probe, 1, "WITHVALUES"), ("SRANDMEMBER", probe, 1), ("ZRANDMEMBER", probe, 1, "WITHSCORES"),
        ("LRANGE", probe, 0, 0),
    ]
    for args in checks:
        if budget is not None:
            budget.spend(1)
        try:
            command(client, *args)
        except redis.exceptions.NoPermissionError as exc:
            raise ServerError(
                f"the user may not run {' '.join(str(a) for a in args[:2] if a != probe)} ({exc}); "
                "profiling needs read access to every key (~* or %R~*) and the commands "
                "+@read +scan +info +dbsize +memory|usage +object|encoding (+cluster|slots in cluster mode)"
            ) from None
        except redis.ResponseError:
            pass


def sample_server(
    client: redis.Redis, wanted: int, budget: _Budget, progress: Progress, done_before: int, total: int,
    sent_before_sampling: int = 0,
) -> ServerSample:
    """Inspect about ``wanted`` keys of one server (all of them if it holds fewer);
    ``sent_before_sampling``: commands already sent to it (connecting, checks)."""
    started, sent_before = time.monotonic(), budget.sent - sent_before_sampling
    before = snapshot(client)
    budget.spend(8)
    names = _scan(client, wanted, budget)
    samples: list[KeySample] = []
    for start in range(0, len(names), KEYS_PER_BATCH):
        samples.extend(_inspect(client, names[start:start + KEYS_PER_BATCH], budget))
        progress(done_before + min(start + KEYS_PER_BATCH, len(names)), total)
    after = snapshot(client)
    budget.spend(8)
    return ServerSample(before=before, after=after, scanned_keys=len(names), keys=tuple(samples),
                        commands_sent=budget.sent - sent_before, elapsed_seconds=time.monotonic() - started)


def _scan(client: redis.Redis, wanted: int, budget: _Budget) -> list[bytes]:
    """The first ``wanted`` distinct keys SCAN returns (SCAN may repeat a key during a rehash)."""
    seen: dict[bytes, None] = {}
    cursor = 0
    while len(seen) < wanted:
        budget.spend(1)
        cursor, batch = command(client, "SCAN", cursor, "COUNT", SCAN_COUNT)
        for name in batch:
            seen.setdefault(name, None)
        if int(cursor) == 0:
            break
    return list(seen)[:wanted]


def _inspect(client: redis.Redis, names: list[bytes], budget: _Budget) -> Iterator[KeySample]:
    first = _pipeline(client, budget, [
        args for name in names for args in (
            ("TYPE", name), ("OBJECT", "ENCODING", name), ("PTTL", name),
            ("MEMORY", "USAGE", name, "SAMPLES", MEMORY_USAGE_SAMPLES),
        )
    ])
    kinds = [_text(first[4 * i]) for i in range(len(names))]
    second = _pipeline(client, budget, [args for name, kind in zip(names, kinds) for args in _detail_commands(name, kind)])
    details: list[list[Any]] = []
    position = 0
    for name, kind in zip(names, kinds):
        details.append(second[position:position + len(_detail_commands(name, kind))])
        position += len(details[-1])
    extra = [_extra_commands(name, kind, _text(first[4 * i + 1]), replies)
             for i, (name, kind, replies) in enumerate(zip(names, kinds, details))]
    third = _pipeline(client, budget, [args for commands in extra for args in commands])
    position = 0
    for i, (name, kind) in enumerate(zip(names, kinds)):
        replies = details[i] + third[position:position + len(extra[i])]
        position += len(extra[i])
        encoding, pttl, usage = first[4 * i + 1], first[4 * i + 2], first[4 * i + 3]
        if kind not in ("string", "hash", "set", "zset", "list") or any(
            isinstance(r, Exception) for r in (encoding, pttl, usage, *replies)
        ):
            continue  # expired or deleted since SCAN, changed type, or a module type the model does not know
        yield _sample(name, kind, _text(encoding), int(pttl) >= 0, int(usage or 0), replies)


def _extra_commands(name: bytes, kind: str, encoding: str, replies: list[Any]) -> list[tuple[str | bytes | int, ...]]:
    """More elements of a big collection: ``ELEMENTS_READ_SHARE`` of them, at most
    ``MAX_ELEMENTS_PER_KEY`` in all (random ones; for a list, windows through its middle);
    every member of an intset (``SRANDMEMBER`` of its count returns them all; at most
    ``set-max-intset-entries``, 512 by default). An intset's widest member decides its width
    (int16, int32, int64), so a tail of wide integers decides the keyspace's memory, and 8
    members a key read a tail of 0.1% as a few dozen values: ``intset-width-tail``
    (benchmarks/production_cases.yaml) was profiled 0.6% high to 3.0% low from run to run."""
    if kind not in ("hash", "set", "zset", "list") or not replies or isinstance(replies[0], Exception):
        return []
    length = int(replies[0])
    if kind == "set" and encoding == "intset" and length > ELEMENTS_PER_KEY:
        return [("SRANDMEMBER", name, length)]
    extra = min(MAX_ELEMENTS_PER_KEY, math.ceil(length * ELEMENTS_READ_SHARE)) - ELEMENTS_PER_KEY
    if extra <= 0:
        return []
    if kind == "hash":
        return [("HRANDFIELD", name, extra, "WITHVALUES")]
    if kind == "set":
        return [("SRANDMEMBER", name, extra)]
    if kind == "zset":
        return [("ZRANDMEMBER", name, extra, "WITHSCORES")]
    half, window = ELEMENTS_PER_KEY // 2, math.ceil(extra / LIST_WINDOWS)
    middle = length - 2 * half  # between the head and tail already read
    starts = (half + (middle - window) * (j + 1) // (LIST_WINDOWS + 1) for j in range(LIST_WINDOWS))
    return [("LRANGE", name, start, start + window - 1) for start in starts]


def _detail_commands(name: bytes, kind: str) -> list[tuple[str | bytes | int, ...]]:
    half = ELEMENTS_PER_KEY // 2
    by_type: dict[str, list[tuple[str | bytes | int, ...]]] = {
        "string": [("STRLEN", name)],
        "hash": [("HLEN", name), ("HRANDFIELD", name, ELEMENTS_PER_KEY, "WITHVALUES")],
        "set": [("SCARD", name), ("SRANDMEMBER", name, ELEMENTS_PER_KEY)],
        "zset": [("ZCARD", name), ("ZRANDMEMBER", name, ELEMENTS_PER_KEY, "WITHSCORES")],
        "list": [("LLEN", name), ("LRANGE", name, 0, half - 1), ("LRANGE", name, -half, -1)],
    }
    return by_type.get(kind, [])


def _pipeline(client: redis.Redis, budget: _Budget, commands: list[tuple[str | bytes | int, ...]]) -> list[Any]:
    if not commands:
        return []
    budget.spend(len(commands))
    pipe = client.pipeline(transaction=False)
    for args in commands:
        pipe.execute_command(*args)  # type: ignore[no-untyped-call]
    replies: list[Any] = pipe.execute(raise_on_error=False)
    for reply in replies:
        if isinstance(reply, redis.exceptions.NoPermissionError):
            raise ServerError(f"permission denied while sampling: {reply}")
        if isinstance(reply, redis.ConnectionError):
            raise ServerError(f"connection lost while sampling: {reply}")
    return replies


def _sample(name: bytes, kind: str, encoding: str, ttl: bool, usage: int, replies: list[Any]) -> KeySample:
    length = int(replies[0])
    items: list[bytes] = []
    values: list[bytes] = []
    scores: list[float] = []
    if kind == "hash":
        for field, value in (pair for reply in replies[1:] for pair in _pairs(reply)):
            items.append(field)
            values.append(value)
    elif kind == "zset":
        for member, score in (pair for reply in replies[1:] for pair in _pairs(reply)):
            items.append(member)
            scores.append(float(score))
    elif kind == "set" and encoding == "intset" and len(replies) > 2:
        items = list(replies[2] or [])  # every member: the first eight are among them
    elif kind == "set":
        items = [member for reply in replies[1:] for member in reply or []]
    elif kind == "list":
        head, tail = list(replies[1] or []), list(replies[2] or [])
        half = ELEMENTS_PER_KEY // 2
        items = head + (tail[-(length - half):] if half < length < ELEMENTS_PER_KEY else tail if length >= ELEMENTS_PER_KEY else [])
        items += [element for reply in replies[3:] for element in reply or []]
    return KeySample(
        name=name.decode("utf-8", errors="replace"),
        key_bytes=len(name),
        type=kind,
        encoding=encoding,
        ttl=ttl,
        memory_usage_bytes=usage,
        length=length,
        integer=kind == "string" and encoding == "int",
        item_bytes=tuple(len(i) for i in items),
        item_digits=tuple(integer_digits(i) for i in items),
        value_bytes=tuple(len(v) for v in values),
        value_digits=tuple(integer_digits(v) for v in values),
        scores=tuple(scores),
    )


def integer_digits(value: bytes) -> int:
    """The digit count of a decimal integer the engines store as one (no leading zeros, at
    most ``MAX_NUMERIC_DIGITS`` digits), else 0."""
    digits = value[1:] if value[:1] == b"-" else value
    if len(digits) > MAX_NUMERIC_DIGITS or _INTEGER.match(value) is None:
        return 0
    return len(digits)


def _pairs(reply: Any) -> list[tuple[Any, Any]]:
    """HRANDFIELD/ZRANDMEMBER pairs, whether the client already paired them or not."""
    items = list(reply or [])
    if items and isinstance(items[0], (list, tuple)):
        return [(a, b) for a, b in items]
    return list(zip(items[0::2], items[1::2]))


def _text(reply: Any) -> str:
    return reply.decode() if isinstance(reply, bytes) else str(reply)


def sample_servers(url: str, cluster: bool, sample: int, max_ops_per_sec: float, progress: Progress) -> list[ServerSample]:
    """Sample the server at ``url``, or every primary of its cluster, ``sample`` keys in all.

    The sample is shared among primaries by their key counts, so each is read in the
    same proportion and counts extrapolate per primary.
    """
    budget = _Budget(max_ops_per_sec)
    client = connect(url, budget)
    check_permissions(client, budget)
    try:
        servers = primaries(client, cluster, budget)
    except redis.exceptions.NoPermissionError as exc:
        raise ServerError(f"the user may not list the cluster's primaries ({exc}); grant +cluster|slots") from None
    setup = [budget.sent] + [0] * (len(servers) - 1)  # the first server was asked for the others
    for index, other in enumerate(servers[1:], start=1):
        before = budget.sent
        check_permissions(other, budget)
        setup[index] = budget.sent - before + 1  # and the PING that connected to it
    setup[0] -= len(servers) - 1
    budget.spend(len(servers))
    sizes = [int(server.dbsize()) for server in servers]
    total_keys = sum(sizes)
    wanted = [min(size, math.ceil(sample * size / total_keys)) if total_keys else 0 for size in sizes]
    results: list[ServerSample] = []
    for server, count, sent in zip(servers, wanted, setup):
        results.append(sample_server(server, count, budget, progress, sum(r.scanned_keys for r in results),
                                     sum(wanted), sent + 1))
    return results
