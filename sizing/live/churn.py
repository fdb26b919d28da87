"""Rewriting loaded data the way a workload's churn says, through a raw pipelined writer.

What one rewrite of a key does follows the write pattern (the SET/DEL mix a user's
writes become; ``benchmarks/churn_peak.py`` measured the same mixes):

    read_heavy   SET over the existing key (value replaced, key kept).
    mixed        ``1 - REINSERT_SHARE`` SET over the key; the rest DEL, and SET again
                 ``REINSERT_DELAY`` rewrites later (key, table entry and value all freed
                 and re-allocated).
    write_heavy  mixed's rewrites, plus one short-lived key rewritten every
                 ``SHORT_LIVED_EVERY`` rewrites: DEL and SET of a fresh size. The
                 short-lived keys are the last ``SHORT_LIVED_RING_SHARE`` of the string
                 keys loaded, so the data stays the size the plan counts.
    analytical   as mixed.

And what it does to a string value's size follows ``churn.sizes``:

    unchanged    the value another key of the keyspace was loaded with: the population of
                 sizes is kept, only which key has which changes.
    vary         the key's current length times a factor uniform in ``factors`` (each
                 key's size moves, as the model's 'vary' cases were measured), kept within
                 ``1/RELATIVE_LIMIT .. RELATIVE_LIMIT`` times the keyspace's mean.
    reshaped     a length uniform in ``factors`` times the keyspace's mean, whatever
                 the loaded population was (data written one way, rewritten another).

A collection key is rebuilt whole (DEL, then written as another key of its keyspace was
loaded): its elements keep their population of sizes whatever ``sizes`` says.

Passes: rewrites / keys; whole passes visit every key once in a new random order, a
fraction of a pass a random share of the keys. Commands are sent as raw protocol,
``BATCH_COMMANDS`` or ``BATCH_BYTES`` per round trip with two round trips in flight:
redis-py packs ~100k commands/s, slower than a server; raw bytes let the server set the
pace. The order of rewrites comes from a fixed seed.
"""

from __future__ import annotations

import collections
import random
import socket
import time
from collections.abc import Iterable, Iterator
from typing import Any

from sizing.live.synthetic import Command, KeyWrites
from sizing.planning.slabs import RELATIVE_LIMIT, VARY_FACTORS

REINSERT_SHARE = 0.3
"""Share of mixed/write_heavy rewrites that delete the key and add it again."""
REINSERT_DELAY = 5_000
"""Rewrites between a key's DEL and its new SET: the key is missing meanwhile, as between a
delete and a later insert, while the number of keys stays within 1.5% of the keyspace."""
SHORT_LIVED_EVERY = 4
SHORT_LIVED_RING_SHARE = 0.1
"""write_heavy's short-lived keys alive at any time, as a share of the keys."""
BATCH_COMMANDS = 500
BATCH_BYTES = 256 * 1024
"""A round trip ends at either: the server's query buffer stays ~1/4 MB."""
SEED = 20_261_201

Stream = Iterator[tuple[int, bytes]]
"""(rewrites done, one command in the wire protocol): several commands may make one
rewrite, and a (1, b'') pair marks a rewrite done."""


def resp(*args: bytes) -> bytes:
    """One command in the wire protocol."""
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def encoded(command: Command) -> bytes:
    """A synthetic command in the wire protocol (floats as redis-py sends them: repr)."""
    return resp(*(a if isinstance(a, bytes) else (repr(a) if isinstance(a, float) else str(a)).encode()
                  for a in command))


class Writer:
    """Pipelined raw-protocol writer on its own socket. Every reply to the commands used
    here is one line (+OK, :n, or -ERR), so replies are counted by line."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.in_flight: collections.deque[int] = collections.deque()
        self.tail = b""
        self.unclaimed = 0  # replies read beyond the batch being waited for
        self.commands = 0
        self.errors = 0
        self.oom_errors = 0
        self.first_error = ""

    def send(self, commands: list[bytes]) -> None:
        self.sock.sendall(b"".join(commands))
        self.commands += len(commands)
        self.in_flight.append(len(commands))
        if len(self.in_flight) > 1:
            self._read(self.in_flight.popleft())

    def _read(self, replies: int) -> None:
        while self.unclaimed < replies:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("server closed the connection")
            lines = (self.tail + chunk).split(b"\r\n")
            self.tail = lines.pop()
            self.unclaimed += len(lines)
            for line in lines:
                if line.startswith(b"-"):
                    self.errors += 1
                    self.oom_errors += line.startswith(b"-OOM")
                    self.first_error = self.first_error or line.decode(errors="replace")
        self.unclaimed -= replies

    def close(self) -> None:
        while self.in_flight:
            self._read(self.in_flight.popleft())
        self.sock.close()


def send_all(port: int, stream: Iterable[tuple[int, bytes]], rate: int | None = None) -> dict[str, Any]:
    """Send the stream (throttled to ``rate`` rewrites/s if given); counts and timing."""
    writer = Writer(port)
    batch: list[bytes] = []
    size = 0
    rewrites = 0
    started = time.monotonic()
    for units, cmd in stream:
        rewrites += units
        if cmd:
            batch.append(cmd)
            size += len(cmd)
        if len(batch) >= BATCH_COMMANDS or size >= BATCH_BYTES:
            writer.send(batch)
            batch, size = [], 0
            if rate:
                ahead = rewrites / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
    if batch:
        writer.send(batch)
    writer.close()
    seconds = max(time.monotonic() - started, 1e-6)
    return {"commands": writer.commands, "rewrites": rewrites, "seconds": round(seconds, 2),
            "commands_per_second": round(writer.commands / seconds), "rewrites_per_second": round(rewrites / seconds),
            "errors": writer.errors, "oom_errors": writer.oom_errors, "first_error": writer.first_error}


def rewrite_order(rng: random.Random, units: int, passes: float) -> Iterator[int]:
    """Indexes rewritten: whole passes in new random orders, then a random share."""
    whole, share = divmod(passes, 1.0)
    for _ in range(int(whole)):
        order = list(range(units))
        rng.shuffle(order)
        yield from order
    yield from rng.sample(range(units), round(share * units))


class Churn:
    """The churn of keys already loaded through ``writes`` (one per keyspace, each
    ``load``-ed for its first ``len(writes.names)`` keys)."""

    def __init__(self, writes: list[KeyWrites], pattern: str, sizes: str, seed: int = SEED,
                 factors: tuple[float, float] = VARY_FACTORS) -> None:
        self.rng = random.Random(seed)
        self.pattern, self.sizes, self.factors = pattern, sizes, factors
        self.writes = writes
        ring_share = SHORT_LIVED_RING_SHARE if pattern == "write_heavy" else 0.0
        # (keyspace, key) of every key rewritten by passes; write_heavy's ring apart
        self.units: list[tuple[int, int]] = []
        self.ring: list[tuple[int, int]] = []
        self.current: dict[tuple[int, int], int] = {}  # string lengths as they are now (vary)
        for k, w in enumerate(writes):
            keys = len(w.names)
            ring = round(keys * ring_share) if w.strings and keys > 1 else 0
            self.units += [(k, i) for i in range(keys - ring)]
            self.ring += [(k, i) for i in range(keys - ring, keys)]
        self.means = [_mean_length(w) if w.strings else 0.0 for w in writes]

    def _length(self, k: int, i: int) -> int | None:
        """The text length key i of keyspace k is rewritten with, or None: another key's value."""
        if not self.writes[k].strings or self.sizes == "unchanged":
            return None
        low, high = self.factors
        mean = self.means[k]
        if self.sizes == "reshaped":
            return max(1, round(mean * self.rng.uniform(low, high)))
        now = self.current.get((k, i)) or self.writes[k].value_size(i)[1]
        size = max(max(1, round(mean / RELATIVE_LIMIT)), min(round(mean * RELATIVE_LIMIT),
                                                               round(now * self.rng.uniform(low, high))))
        self.current[(k, i)] = size
        return size

    def _rewrite(self, k: int, i: int) -> Iterator[tuple[int, bytes]]:
        w = self.writes[k]
        for command in w.rewrite(i, self.rng.randrange(len(w.names)), self._length(k, i)):
            yield 0, encoded(command)

    def stream(self, passes: float) -> Stream:
        """``passes`` x the keys rewritten, the write pattern's way."""
        pending: collections.deque[tuple[int, tuple[int, int]]] = collections.deque()  # (due at rewrite, key)
        ring_next = 0
        deletes = self.pattern != "read_heavy"
        for done, unit in enumerate(rewrite_order(self.rng, len(self.units), passes), 1):
            k, i = self.units[unit]
            if deletes and self.writes[k].strings and self.rng.random() < REINSERT_SHARE:
                yield 0, resp(b"DEL", self.writes[k].names[i].encode())
                pending.append((done + REINSERT_DELAY, (k, i)))
            else:
                yield from self._rewrite(k, i)
            while pending and pending[0][0] <= done:
                yield from self._rewrite(*pending.popleft()[1])
            if self.ring and done % SHORT_LIVED_EVERY == 0:
                # the ring slot's old key "expires" now and a new short-lived key takes its place
                k, i = self.ring[ring_next]
                yield 0, resp(b"DEL", self.writes[k].names[i].encode())
                yield from self._rewrite(k, i)
                ring_next = (ring_next + 1) % len(self.ring)
            yield 1, b""
        while pending:
            yield from self._rewrite(*pending.popleft()[1])


MEAN_PROBE_KEYS = 4096


def _mean_length(writes: KeyWrites) -> float:
    """Mean value length of a string keyspace, from its first keys' loaded sizes."""
    probe = min(len(writes.names), MEAN_PROBE_KEYS) or 1
    return sum(writes.value_size(i)[1] for i in range(probe)) / probe
