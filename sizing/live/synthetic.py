"""Synthetic data that matches a keyspace definition exactly.

``verify`` writes this to a real server; the memory model assumes the same shapes:
names of exactly the stated length that never parse as integers, numeric values spread
evenly over their digits' range, integer scores of 10 digits and other scores that need
17 significant digits.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache

from sizing.errors import SizingError
from sizing.memory.encodings import digit_range
from sizing.memory.values import INTEGER_SCORE_DIGITS, WRITE_BATCH_ELEMENTS, list_batch_elements
from sizing.spec.workload import HashKeyspace, Keyspace, ListKeyspace, SetKeyspace, StringKeyspace, ZsetKeyspace

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LETTERS = _ALPHABET[10:]

Command = tuple[str | bytes | int | float, ...]


def name(index: int, length: int, lead: str = "") -> str:
    """A distinct string of exactly ``length`` characters for ``index``; never an integer.

    The first character is a letter (so no engine reads it as a number); the rest is
    ``index`` in base 62, zero-padded.
    """
    first, rest = divmod(index, 62 ** (length - 1)) if length > 1 else (index, 0)
    if length == 1 or first >= len(_LETTERS):
        if length == 1 and index < len(_LETTERS):
            return _LETTERS[index]
        raise SizingError(f"{length} characters cannot name {index + 1} distinct items with this generator")
    body = ""
    while rest:
        rest, digit = divmod(rest, 62)
        body = _ALPHABET[digit] + body
    text = _LETTERS[first] + body.rjust(length - 1, "0")
    return (lead + text[len(lead):]) if lead and len(lead) < length else text


def number(index: int, digits: int, count: int) -> int:
    """The ``index``-th of ``count`` integers of ``digits`` digits, evenly spread and distinct."""
    low, high = digit_range(digits)
    span = high - low + 1
    if count > span:
        raise SizingError(f"there are only {span} distinct {digits}-digit integers, {count} requested")
    return low + (index * (span // count)) % span


def key_name(keyspace_index: int, keyspace_count: int, index: int, length: int) -> str:
    """Key ``index`` of keyspace ``keyspace_index``: distinct across the cluster.

    The index is scrambled by a multiplication that is a permutation of the name space,
    so keys land in cluster slots like random keys do (Poisson); sequential names would
    spread far more evenly over CRC16 slots than real keys and hide per-slot table costs.
    """
    ordinal = index * keyspace_count + keyspace_index
    capacity = _capacity(length)
    if ordinal >= capacity:
        raise SizingError(f"{length} characters cannot name {ordinal + 1} distinct keys with this generator")
    return name(ordinal * _scrambler(capacity) % capacity, length)


def _capacity(length: int) -> int:
    return len(_LETTERS) * int(62 ** (length - 1))


@lru_cache(maxsize=64)
def _scrambler(capacity: int) -> int:
    """An odd multiplier coprime with ``capacity`` (so multiplication permutes 0..capacity-1)."""
    multiplier = 0x9E3779B97F4A7C15 % capacity | 1
    while math.gcd(multiplier, capacity) != 1:
        multiplier += 2
    return multiplier


def double_score(index: int) -> float:
    """A double in [1, 2) whose shortest decimal form has 17 significant digits."""
    attempt = index * 7
    while True:
        mantissa = (attempt * 0x9E3779B97F4A7C15) % (1 << 52)
        value = 1.0 + mantissa / (1 << 52)
        if len(repr(value)) == 18:
            return value
        attempt += 1


def _member(index: int, key_index: int, length: int, numeric: bool, count: int) -> str | int:
    """Member ``index`` of the ``key_index``-th set or sorted set: distinct within the key,
    and shifted from key to key so that no two keys hold the same members (identical
    members would give every key the same hash-table layout)."""
    if numeric:
        low, high = digit_range(length)
        span = high - low + 1
        if count > span:
            raise SizingError(f"there are only {span} distinct {length}-digit integers, {count} requested")
        return int(low + (index * (span // count) + key_index) % span)
    capacity = _capacity(length)
    if count > capacity:
        raise SizingError(f"{length} characters cannot name {count} distinct members with this generator")
    return name((index + key_index * count) % capacity, length, lead="m")


def _field(index: int, key_index: int, length: int, count: int) -> str:
    """Field ``index`` of the ``key_index``-th hash, distinct within the key and shifted
    from key to key: identical field names give every hash the same table layout, so
    one random hash seed would move all keys together (see README, "Accuracy")."""
    return name((index + key_index * count) % _capacity(length), length, lead="f")


def filler(index: int, length: int) -> str:
    """A value of exactly ``length`` characters that is not an integer (need not be distinct)."""
    return ("v" + str(index)).ljust(length, "x")[:length]


def _value(index: int, length: int, numeric: bool, count: int) -> str | int:
    if not numeric:
        return filler(index, length)
    low, high = digit_range(length)
    spread = min(count, high - low + 1)
    return number(index % spread, length, spread)


def commands(
    keyspace: Keyspace, keyspace_index: int, keyspace_count: int, keys: int, ttl_seconds: int = 86_400
) -> Iterator[Command]:
    """The write commands that create ``keys`` keys of ``keyspace`` (key names distinct
    across the ``keyspace_count`` keyspaces of a cluster)."""
    for index in range(keys):
        key = key_name(keyspace_index, keyspace_count, index, keyspace.key_bytes)
        yield from _key_commands(keyspace, key, index)
        if keyspace.ttl and not isinstance(keyspace, StringKeyspace):
            yield ("EXPIRE", key, ttl_seconds)


def _batches(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(total, start + size))


def _key_commands(keyspace: Keyspace, key: str, index: int) -> Iterator[Command]:
    if isinstance(keyspace, StringKeyspace):
        value = _value(index, keyspace.value_bytes, keyspace.numeric, keyspace.keys)
        yield ("SET", key, value, "EX", 86_400) if keyspace.ttl else ("SET", key, value)
    elif isinstance(keyspace, HashKeyspace):
        for batch in _batches(keyspace.fields, WRITE_BATCH_ELEMENTS):
            args: list[str | int | float] = []
            for m in batch:
                args += [_field(m, index, keyspace.field_bytes, keyspace.fields),
                         _value(m, keyspace.value_bytes, keyspace.numeric, keyspace.fields)]
            yield ("HSET", key, *args)
    elif isinstance(keyspace, SetKeyspace):
        for batch in _batches(keyspace.members, WRITE_BATCH_ELEMENTS):
            yield ("SADD", key, *(_member(m, index, keyspace.member_bytes, keyspace.numeric, keyspace.members)
                                  for m in batch))
    elif isinstance(keyspace, ZsetKeyspace):
        for batch in _batches(keyspace.members, WRITE_BATCH_ELEMENTS):
            args = []
            for m in batch:
                score: int | float = 1_700_000_000 + m if keyspace.integer_scores else double_score(m)
                args += [score, _member(m, index, keyspace.member_bytes, False, keyspace.members)]
            yield ("ZADD", key, *args)
    elif isinstance(keyspace, ListKeyspace):
        for batch in _batches(keyspace.elements, list_batch_elements(keyspace.element_bytes)):
            yield ("RPUSH", key, *(_value(m, keyspace.element_bytes, keyspace.numeric, keyspace.elements) for m in batch))


assert len(str(1_700_000_000)) == INTEGER_SCORE_DIGITS
