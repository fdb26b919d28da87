"""Data for the profile tests and benchmark.

``mixed_commands`` writes eleven patterns of every type: TTLs on all, some or none of a
pattern's keys, numeric values, and counts that vary per key, with element and value
sizes of fixed formats (ids of a fixed width, a fixed session schema, UUIDs) as much real
data has. ``load_mixed`` sends them pipelined; ``EXPECTED`` gives, per pattern, its type
and how many keys a scale of 1.0 writes.

``known_data`` is smaller data whose every length, share and score kind is known, so that
a test can compute what the profile must write; ``load_known`` writes it.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from typing import Any

Command = tuple[str | int | float, ...]

PROFILE_FIELDS = {"name": 12, "mail": 20, "city": 8, "plan": 6, "lang": 2, "zone": 6, "role": 4, "tier": 6}
"""A fixed schema: field name -> value width (values are padded to it)."""

EXPECTED: dict[str, tuple[str, int]] = {
    # pattern: (type, keys at scale 1.0)
    "user:{id}:profile": ("hash", 8000),
    "session:{id}": ("string", 10000),
    "counter:page:{id}": ("string", 8000),
    "feed:{id}": ("zset", 2000),
    "leaderboard:{id}": ("zset", 20),
    "inbox:{id}": ("list", 3000),
    "tags:{id}": ("set", 3000),
    "followers:{id}": ("set", 100),
    "cache:{id}": ("string", 6000),
    "user:{id}:settings": ("hash", 50),
    "handle:{id}": ("string", 2000),
}


def _count(keys: int, scale: float) -> int:
    return max(1, int(keys * scale))


def _handle(r: random.Random) -> str:
    return "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))


def mixed_commands(scale: float = 1.0, seed: int = 7) -> Iterator[Command]:
    """Write commands for every pattern in ``EXPECTED``, key counts times ``scale``.

    Ids are 8-digit numbers drawn without replacement, so key counts are exact.
    """
    r = random.Random(seed)
    ids = iter(r.sample(range(10_000_000, 99_999_999), int(50_000 * max(scale, 1.0)) + 1000))
    for _ in range(_count(8000, scale)):  # listpack hashes, a fixed schema
        args: list[str | int] = []
        for field, width in PROFILE_FIELDS.items():
            args += [field, f"{r.getrandbits(64):x}".ljust(width, "x")[:width]]
        yield ("HSET", f"user:{next(ids)}:profile", *args)
    for _ in range(_count(10000, scale)):  # JSON sessions of a fixed schema, with a TTL
        body = json.dumps({"user": r.randint(10**7, 10**8 - 1), "csrf": f"{r.getrandbits(128):032x}",
                           "exp": r.randint(1_700_000_000, 1_800_000_000)})
        yield ("SET", f"session:{r.getrandbits(128):032x}", body, "EX", 3600)
    for _ in range(_count(8000, scale)):  # counters: integers of 1 to 7 digits
        yield ("SET", f"counter:page:{next(ids)}", r.randint(1, 10 ** r.randint(1, 7)))
    for _ in range(_count(2000, scale)):  # feeds: listpack zsets capped at the latest 50 posts, millisecond timestamps
        args = []
        for _ in range(50):
            args += [1_700_000_000_000 + r.randint(0, 10**10), f"post:{r.randint(10**7, 10**8 - 1)}"]
        yield ("ZADD", f"feed:{next(ids)}", *args)
    for _ in range(_count(20, scale)):  # leaderboards: the top 1,000 players, double scores
        args = []
        for _ in range(1000):
            args += [r.random() * 1000, f"player:{r.randint(10**8, 10**9 - 1)}"]
        yield ("ZADD", f"leaderboard:{next(ids)}", *args)
    for _ in range(_count(3000, scale)):  # inboxes: lists of 5-30 message ids
        yield ("RPUSH", f"inbox:{next(ids)}", *(f"msg:{r.randint(10**9, 10**10 - 1)}" for _ in range(r.randint(5, 30))))
    for _ in range(_count(3000, scale)):  # tag sets: intsets of 5-12 tag numbers below 10,000
        yield ("SADD", f"tags:{next(ids)}", *r.sample(range(1, 10_000), r.randint(5, 12)))
    for _ in range(_count(100, scale)):  # followers: hashtable sets of 200-250 user names
        yield ("SADD", f"followers:{next(ids)}",
               *(f"user:{r.randint(10**8, 10**9 - 1)}" for _ in range(r.randint(200, 250))))
    for _ in range(_count(6000, scale)):  # cache entries: UUIDs, 60% with a TTL
        key, value = f"cache:{next(ids)}", str(uuid.UUID(int=r.getrandbits(128)))
        yield ("SET", key, value, "EX", 600) if r.random() < 0.6 else ("SET", key, value)
    for _ in range(_count(50, scale)):  # settings: hashtable hashes of 600-800 options
        args = []
        for field in range(r.randint(600, 800)):
            args += [f"opt_{field:03d}", r.choice(("enabled", "disable"))]
        yield ("HSET", f"user:{next(ids)}:settings", *args)
    names: set[str] = set()
    while len(names) < _count(2000, scale):
        names.add(_handle(r))
    for name in sorted(names):  # handles: letters-only names -> numeric user ids
        yield ("SET", f"handle:{name}", r.randint(10**6, 10**7 - 1))


def load_mixed(client: Any, scale: float = 1.0, batch: int = 1000) -> None:
    """Write the mixed data into ``client`` (a redis-py client), ``batch`` commands per round trip."""
    pipe = client.pipeline(transaction=False)
    for index, command in enumerate(mixed_commands(scale)):
        pipe.execute_command(*command)
        if index % batch == batch - 1:
            pipe.execute()
    pipe.execute()


Known = dict[str, tuple[str, Any]]
"""Key name -> (type, value): a string's value (an int or text) and whether it expires, a
hash's {field: value}, a set's members, a zset's {member: score}, a list's elements."""


def known_data() -> Known:
    """Keys whose every length, share and score kind is known, for checking what the
    profile writes. Collections hold at most 8 elements (all of them are read), except the
    sets ``bag:{id}``: 20 to 60 members, all of one length per key, so the member lengths
    the profile writes show whether big keys count fully."""
    data: Known = {}
    for i in range(1000):  # 30% integers of 1-6 digits, 70% text of 10-16 bytes, 20% expire
        value: int | str = int("7" * (1 + i % 6)) if i % 10 < 3 else "t" * (10 + i % 7)
        data[f"str:{i}"] = ("string", (value, i % 5 == 0))
    for i in range(200):  # 4-6 fields: even ones named by 3-digit integers, every third value an integer
        fields = {}
        for j in range(4 + i % 3):
            fields[str(100 + j) if j % 2 == 0 else f"f{j}"] = str(5 * 10**j) if j % 3 == 0 else "v" * (1 + j)
        data[f"h:{i}"] = ("hash", fields)
    for i in range(100):
        length = 6 + i % 4
        data[f"bag:{i}"] = ("set", [f"m{m:0{length - 1}d}" for m in range(20 + 10 * (i % 5))])
    for i in range(20):  # five score kinds, five members each
        data[f"zsmall:{i}"] = ("zset", {str(1000 + m): (i * 7 + m) % 4096 for m in range(5)})
        data[f"zsec:{i}"] = ("zset", {f"member{m}": 1_700_000_000 + i + m for m in range(5)})
        data[f"zneg:{i}"] = ("zset", {f"member{m}": m - 5 for m in range(5)})
        data[f"zms:{i}"] = ("zset", {f"member{m}": 1_700_000_000_000 + i + m for m in range(5)})
        data[f"zfloat:{i}"] = ("zset", {f"member{m}": m + 0.5 for m in range(5)})
    for i in range(100):  # 2-7 elements: even ones integers, odd ones text
        data[f"l:{i}"] = ("list", [str(m * 11) if m % 2 == 0 else "e" * (3 + m) for m in range(2 + i % 6)])
    return data


def load_known(client: Any, data: Known) -> None:
    pipe = client.pipeline(transaction=False)
    for key, (kind, value) in data.items():
        if kind == "string":
            text, expires = value
            pipe.set(key, text, ex=3600 if expires else None)
        elif kind == "hash":
            pipe.hset(key, mapping=value)
        elif kind == "set":
            pipe.sadd(key, *value)
        elif kind == "zset":
            pipe.zadd(key, value)
        else:
            pipe.rpush(key, *value)
    pipe.execute()
