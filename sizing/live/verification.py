"""Proof against a real server: load synthetic data, measure ``used_memory``, compare.

Method (each step guards against a known source of error):
  1. Run every command the load uses once and ``FLUSHALL``: Redis 7+ allocates a latency
     histogram per command on its first use, which must be in the baseline.
  2. Detect the allocator build from a small probe load, then ``FLUSHALL`` again.
  3. Per keyspace, and then for all keyspaces together: wait until the server is at rest
     (no table rehashing, ``used_memory`` stable), read the baseline, load with a separate
     connection that is then closed, wait until at rest again, read the growth.
The model is evaluated for exactly the keys loaded (``sample`` scales key counts); the
full-size prediction is shown beside it, never a measurement scaled up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import redis
from pydantic import BaseModel, ConfigDict

from sizing.errors import ServerError
from sizing.live.client import describe
from sizing.live.synthetic import commands
from sizing.planning.estimate import estimate_cluster
from sizing.spec.workload import Cluster, Keyspace

PIPELINE_COMMANDS = 200
SETTLE_QUIET_SECONDS = 1.0
"""used_memory must stay unchanged this long to count as settled, where the server cannot
say whether its tables are rehashing (no DEBUG HTSTATS, or per-slot tables: see settle)."""
SETTLE_QUIET_TICKS = 10
"""Where it can: used_memory must stay unchanged for this many server ticks (serverCron runs
hz times a second and does the timed work: rehash steps, client buffer resizing)."""
SETTLE_TIMEOUT_SECONDS = 180.0
"""Longest wait for settling (Valkey 8 cluster mode at default hz needs ~100 s)."""
ALLOCATOR_PROBE_KEYS = 4000

Progress = Callable[[int], None]


class Measurement(BaseModel):
    """Predicted against measured bytes for one keyspace, or for the whole cluster."""

    model_config = ConfigDict(frozen=True)

    name: str
    keys: int
    predicted_bytes: int
    measured_bytes: int

    @property
    def error_percent(self) -> float:
        """(predicted - measured) / measured, in percent."""
        return 100.0 * (self.predicted_bytes - self.measured_bytes) / self.measured_bytes if self.measured_bytes else 0.0


class Verification(BaseModel):
    """The outcome of ``verify`` for one cluster."""

    model_config = ConfigDict(frozen=True)

    cluster: str
    engine: str
    engine_version: str
    server_version: str
    allocator: str
    cluster_mode: bool
    sample: float
    keyspaces: tuple[Measurement, ...]
    total: Measurement
    full_size_predicted_bytes: int

    @property
    def server_matches(self) -> bool:
        """Whether the server runs the engine version the cluster is modelled as."""
        return self.server_version.startswith(f"{self.engine} {self.engine_version}.")


def sampled(cluster: Cluster, sample: float) -> Cluster:
    """The cluster with every keyspace's key count scaled by ``sample`` (at least one key)."""
    if sample >= 1.0:
        return cluster
    scaled = [ks.model_copy(update={"keys": max(1, round(ks.keys * sample))}) for ks in cluster.keyspaces]
    return cluster.model_copy(update={"keyspaces": scaled})


PROGRESS_PROBE_KEYS = 64
"""Keys whose commands are counted to extrapolate a load's total (sizes may vary by key)."""


def command_count(cluster: Cluster) -> int:
    """Commands a load of ``cluster`` sends, extrapolated from its first keys (for progress bars)."""
    total = 0
    for index, keyspace in enumerate(cluster.keyspaces):
        probe = min(keyspace.keys, PROGRESS_PROBE_KEYS)
        sent = sum(1 for _ in commands(keyspace, index, len(cluster.keyspaces), probe))
        total += round(sent * keyspace.keys / probe)
    return total


def warm_up(client: redis.Redis) -> None:
    """Run every command a measurement uses once, then empty the server."""
    client.set("sizing:warmup", "x", ex=100)
    client.set("sizing:warmup", "x")
    client.hset("sizing:warmup:h", "f", "v")
    client.sadd("sizing:warmup:s", "m")
    client.zadd("sizing:warmup:z", {"m": 1})
    client.rpush("sizing:warmup:l", "e")
    client.expire("sizing:warmup:l", 100)
    for key in ("sizing:warmup", "sizing:warmup:h", "sizing:warmup:s", "sizing:warmup:z", "sizing:warmup:l"):
        client.delete(key)  # one key per DEL: cluster mode refuses keys of several slots
    client.dbsize()
    client.info("memory")
    rehashing(client)
    client.flushall(asynchronous=False)


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def settle(client: redis.Redis) -> int:
    """Wait until the server is at rest; return its ``used_memory``.

    At rest: the database's main and expires tables are not rehashing (``DEBUG HTSTATS``,
    polled until they are not), then ``used_memory`` reads the same on every read for
    ``SETTLE_QUIET_TICKS`` server ticks, which also lets the server free the closed loader
    connection and resize the measuring connection's buffers, and still no table is
    rehashing. Returns as soon as that holds.
    Where the server cannot tell (DEBUG refused, as on ElastiCache; or one table per cluster
    slot, Redis 7.4+ and Valkey 8, resized from the tick), used_memory must stay unchanged
    for ``SETTLE_QUIET_SECONDS`` instead.

    Only INFO memory is read on ``client``: the checks use a connection of their own, closed
    before the quiet reads, so that the measuring connection's buffers see the same replies
    at the baseline and after a load.
    """
    deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
    while True:
        value = _unchanged_used_memory(client, _wait_until_rehashed(client, deadline), deadline)
        if not rehashing(client):  # none began meanwhile (a resize from the tick, after deletes)
            return value


def _unchanged_used_memory(client: redis.Redis, quiet: float, deadline: float) -> int:
    """used_memory once it has read the same for ``quiet`` seconds."""
    poll = min(0.05, quiet / SETTLE_QUIET_TICKS)
    last = used_memory(client)
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(poll)
        now = used_memory(client)
        if now != last:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet:
            return now
    raise ServerError(f"used_memory still changing after {SETTLE_TIMEOUT_SECONDS:.0f} s")


def rehashing(client: redis.Redis) -> bool | None:
    """Whether the main or expires table of ``client``'s database is being rehashed, from
    ``DEBUG HTSTATS`` on a connection of its own; None if the server refuses DEBUG or its
    answer is not the one-table-per-database form (``Hash table 0 stats``)."""
    probe = _connection_like(client, socket_timeout=60)
    try:
        return _rehashing(probe, int(client.connection_pool.connection_kwargs.get("db") or 0))
    finally:
        probe.close()


def _rehashing(probe: redis.Redis, db: int) -> bool | None:
    try:
        stats = probe.execute_command("DEBUG", "HTSTATS", db)  # type: ignore[no-untyped-call]
    except redis.ResponseError:
        return None  # DEBUG disabled (enable-debug-command) or renamed
    text = stats.decode() if isinstance(stats, bytes) else str(stats)
    if "Hash table 0 stats" not in text:
        return None
    return "rehashing target" in text  # "Hash table 1 stats (rehashing target)": ht[1] in use


def _wait_until_rehashed(client: redis.Redis, deadline: float) -> float:
    """Poll until no table of ``client``'s database is rehashing; return the quiet time
    ``settle`` then needs (``SETTLE_QUIET_TICKS`` ticks, or ``SETTLE_QUIET_SECONDS``)."""
    probe = _connection_like(client, socket_timeout=60)
    try:
        server = probe.info("server")
        hz = max(1, int(server.get("hz", 10)))
        db = int(client.connection_pool.connection_kwargs.get("db") or 0)
        while True:
            state = _rehashing(probe, db)
            if state is None:
                return SETTLE_QUIET_SECONDS
            if not state:
                return SETTLE_QUIET_TICKS / hz if _one_table_per_db(server) else SETTLE_QUIET_SECONDS
            if time.monotonic() >= deadline:
                raise ServerError(f"tables still rehashing after {SETTLE_TIMEOUT_SECONDS:.0f} s")
            time.sleep(1 / hz)
    finally:
        probe.close()


def _one_table_per_db(server: dict[str, Any]) -> bool:
    """Whether a database is one main and one expires table, all that HTSTATS describes:
    Redis before 7.4 and Valkey 7 (Redis 7.4+ and Valkey 8 keep a table per cluster slot)."""
    version = str(server.get("valkey_version") or server.get("redis_version") or "0.0")
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) < ((8, 0) if "valkey_version" in server else (7, 4))


def _connection_like(client: redis.Redis, socket_timeout: float) -> redis.Redis:
    """A new connection to the server behind ``client``, as the same user, to the same database."""
    pool = client.connection_pool  # its connection class carries TLS (rediss://) too
    # from_pool: closing the client closes its connection too, so the loader's buffers
    # are gone before anything is measured.
    return redis.Redis.from_pool(redis.ConnectionPool(
        connection_class=pool.connection_class, **{**pool.connection_kwargs, "socket_timeout": socket_timeout}))


def load(client: redis.Redis, keyspaces: Iterable[tuple[int, Keyspace]], keyspace_count: int, progress: Progress) -> None:
    """Write the keyspaces through a separate connection, closed afterwards."""
    send(client, (c for index, keyspace in keyspaces for c in commands(keyspace, index, keyspace_count, keyspace.keys)),
         progress)


def send(client: redis.Redis, stream: Iterable[tuple[str | bytes | int | float, ...]], progress: Progress) -> None:
    """Pipeline commands through a new connection to the same server, then close it, so
    that the measuring connection's buffers stay as they were."""
    writer = _connection_like(client, 120)
    try:
        pipe = writer.pipeline(transaction=False)
        pending = 0
        for command in stream:
            pipe.execute_command(*command)  # type: ignore[no-untyped-call]
            pending += 1
            if pending == PIPELINE_COMMANDS:
                pipe.execute()
                progress(pending)
                pending = 0
        if pending:
            pipe.execute()
            progress(pending)
    finally:
        writer.close()


def measure(client: redis.Redis, cluster: Cluster, members: list[tuple[int, Keyspace]], progress: Progress) -> int:
    """used_memory growth from loading ``members`` into an empty server."""
    client.flushall(asynchronous=False)
    before = settle(client)
    load(client, members, len(cluster.keyspaces), progress)
    return settle(client) - before


def detect_allocator(client: redis.Redis) -> str:
    """'upstream' or 'debian': which jemalloc build the server uses.

    Two loads of the same keys differ only in their values: 4 and 12 bytes. The value
    allocation (embstr: 24 vs 32 bytes; with Valkey 8.1's key embedding 49 vs 57) falls in
    different size classes with an 8-byte quantum and in the same class with a 16-byte one,
    so the difference is 8 bytes per key or none, whatever the version and mode.
    """
    deltas = []
    for value in ("v" * 4, "v" * 12):
        client.flushall(asynchronous=False)
        before = settle(client)
        send(client, (("SET", f"sizing:probe:{index:09d}", value) for index in range(ALLOCATOR_PROBE_KEYS)),
             lambda _: None)
        deltas.append(settle(client) - before)
    client.flushall(asynchronous=False)
    per_key = (deltas[1] - deltas[0]) / ALLOCATOR_PROBE_KEYS
    return "upstream" if per_key > 4 else "debian"


def verify_cluster(
    cluster: Cluster, client: redis.Redis, sample: float, progress: Progress, allocator: str | None = None
) -> Verification:
    """Measure ``cluster`` (scaled by ``sample``) on the server behind ``client``.

    ``allocator``: the allocator profile to predict with; detected from the server if None.
    """
    server = describe(client)
    warm_up(client)
    allocator = allocator or detect_allocator(client)
    loaded = sampled(cluster, sample)
    members = list(enumerate(loaded.keyspaces))
    estimate = estimate_cluster(loaded, allocator)
    per_keyspace: list[Measurement] = []
    if len(members) > 1:
        for index, keyspace in members:
            alone = estimate_cluster(loaded.model_copy(update={"keyspaces": [keyspace]}), allocator)
            per_keyspace.append(Measurement(
                name=keyspace.name, keys=keyspace.keys, predicted_bytes=alone.dataset_bytes,
                measured_bytes=measure(client, loaded, [(index, keyspace)], progress),
            ))
    total = Measurement(
        name="total" if len(members) > 1 else members[0][1].name,
        keys=sum(ks.keys for _, ks in members),
        predicted_bytes=estimate.dataset_bytes,
        measured_bytes=measure(client, loaded, members, progress),
    )
    client.flushall(asynchronous=False)
    return Verification(
        cluster=cluster.name, engine=cluster.engine, engine_version=cluster.version,
        server_version=f"{server.engine} {server.version}", allocator=allocator,
        cluster_mode=cluster.cluster_mode_enabled, sample=sample,
        keyspaces=tuple(per_keyspace) if per_keyspace else (total,), total=total,
        full_size_predicted_bytes=estimate_cluster(cluster, allocator).dataset_bytes,
    )
