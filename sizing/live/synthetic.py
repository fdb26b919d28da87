"""Synthetic data that matches a keyspace definition.

``verify`` and the measurement benchmarks write this to real servers; the memory model
assumes the same shapes: names of the stated length that never parse as integers,
integers spread evenly over their digits' range, scores of the stated kind (floats that
need 17 significant digits, Unix seconds or milliseconds, small integers).

Exact keyspaces (plain numbers, ``true``/``false``) give the commands they always gave:
the recorded measurements were made with them (``tests/test_synthetic.py`` pins them).

Data that varies is drawn deterministically, through ``Distribution.quantile`` (which
defines the distribution the model prices):

    per key       key ``i`` of n's key length, element count, TTL and (strings) value
                  length and integer flag each take u = ((i·g mod n) + 1/2) / n, a rank-1
                  lattice with its own generator g per field: g is the integer nearest
                  n·α (α the golden ratio, √2, √3, √7, √11: rationally independent) that
                  is coprime with n. So every field visits each of the n strata of width
                  1/n exactly once (its mean is the midpoint rule's, exact to O(1/n²) where
                  the quantile function is smooth, even for 50 keys of a heavy-tailed
                  count), and the fields are not shifted copies of one another. (A
                  Kronecker sequence, frac(1/2 + i·α), meets shares and quantiles only to
                  about log(n)/n: 50 lists whose counts have p99 251 and max 287 came out
                  with 6.6% more elements than the distribution's mean.)
    per element   element ``m`` of key ``i`` takes u = frac(s_m + i·β_m), a Weyl sequence
                  over the keys with a pseudo-random start and step per element slot
                  (and per field: length, integer flag, the hash value's). Across keys
                  each slot follows the distribution as closely as the keys do; within
                  a key the elements are independent, as the model assumes when it
                  prices "all n elements fit an encoding limit" as F(limit)^n (spreading
                  one key's own elements evenly would give every 100-element key exactly
                  one element above its p99).
    shares        a key carries a TTL iff its u < the TTL share (``SET ... EX`` or
                  ``EXPIRE``); an item is an integer iff its u < the numeric share. The
                  item's length u then picks its digit count from ``items(...).digits``
                  or its text length from ``items(...).text``.
    names         a key's ordinal is its rank among this keyspace's keys of the same
                  length, times ``keyspace_count``, plus ``keyspace_index``: names stay
                  distinct across the cluster. Fields and members are ranked per length
                  within their key the same way, integers per digit count. A length with
                  no names left (there are 52 one-character keys) passes the item to the
                  next longer length, never beyond the distribution's largest.
    batches       as for exact data: HSET/SADD/ZADD of ``WRITE_BATCH_ELEMENTS``, RPUSH of
                  ``list_batch_elements`` of the mean element length; one element per
                  command where the keyspace is ``written: one_by_one``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import islice

from sizing.errors import SizingError
from sizing.memory.distribution import Distribution, distribution
from sizing.memory.encodings import digit_range
from sizing.memory.items import Items, items
from sizing.memory.values import SCORE_RANGES, WRITE_BATCH_ELEMENTS, list_batch_elements
from sizing.spec.distribution import Numeric, Size
from sizing.spec.workload import (
    HashKeyspace,
    Keyspace,
    ListKeyspace,
    ScoreKind,
    SetKeyspace,
    StringKeyspace,
    ZsetKeyspace,
)

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LETTERS = _ALPHABET[10:]
_PAIRS = tuple(a + b for a in _ALPHABET for b in _ALPHABET)
_CHUNK_PAIRS = 5
_CHUNK = 62 ** (2 * _CHUNK_PAIRS)
"""``name`` converts to base 62 in machine-sized chunks, two digits at a time: it is most
of the time it takes to write strings."""

Command = tuple[str | bytes | int | float, ...]


def name(index: int, length: int, lead: str = "") -> str:
    """A distinct string of exactly ``length`` characters for ``index``; never an integer.

    The first character is a letter (so no engine reads it as a number); the rest is
    ``index`` in base 62, zero-padded.
    """
    first, rest = divmod(index, _power(length - 1)) if length > 1 else (index, 0)
    if length == 1 or first >= len(_LETTERS):
        if length == 1 and index < len(_LETTERS):
            return _LETTERS[index]
        raise SizingError(f"{length} characters cannot name {index + 1} distinct items with this generator")
    pairs: list[str] = []
    while rest:
        rest, chunk = divmod(rest, _CHUNK)
        for _ in range(_CHUNK_PAIRS):
            chunk, pair = divmod(chunk, 62 * 62)
            pairs.append(_PAIRS[pair])
    body = "".join(reversed(pairs))[-(length - 1):]
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


@lru_cache(maxsize=256)
def _power(exponent: int) -> int:
    return int(62**exponent)


@lru_cache(maxsize=256)
def _capacity(length: int) -> int:
    return len(_LETTERS) * _power(length - 1)


@lru_cache(maxsize=256)
def _room(length: int, numeric: bool) -> int:
    """Distinct field names or members of ``length`` characters (digits): ``name`` with a
    lead letter varies only the other ``length - 1`` characters."""
    if numeric:
        low, high = digit_range(length)
        return high - low + 1
    return len(_LETTERS) if length == 1 else _power(length - 1)


@lru_cache(maxsize=64)
def _scrambler(capacity: int) -> int:
    """An odd multiplier coprime with ``capacity`` (so multiplication permutes 0..capacity-1)."""
    multiplier = 0x9E3779B97F4A7C15 % capacity | 1
    while math.gcd(multiplier, capacity) != 1:
        multiplier += 2
    return multiplier


def double_score(index: int) -> float:
    """A double in [1, 2) whose shortest decimal form has 17 significant digits."""
    if index < len(_DOUBLE_SCORES):
        return _DOUBLE_SCORES[index]
    attempt = index * 7
    while True:
        mantissa = (attempt * 0x9E3779B97F4A7C15) % (1 << 52)
        value = 1.0 + mantissa / (1 << 52)
        if len(repr(value)) == 18:
            if index == len(_DOUBLE_SCORES) and index < _DOUBLE_SCORE_CACHE:
                _DOUBLE_SCORES.append(value)
            return value
        attempt += 1


_DOUBLE_SCORES: list[float] = []
"""``double_score`` of 0, 1, ...: every sorted set of a keyspace uses the same scores."""
_DOUBLE_SCORE_CACHE = 1 << 20

_UNIX_SECONDS = 1_700_000_000
_UNIX_MILLIS = 1_700_000_000_000
_SMALL_INTEGERS = SCORE_RANGES["small_integers"][1] + 1
_SMALL_INTEGER_STEP = 2531


def score(kind: ScoreKind, index: int) -> int | float:
    """The score of member ``index`` of a sorted set whose scores are ``kind``."""
    if kind == "floats":
        return double_score(index)
    if kind == "unix_seconds":
        return _UNIX_SECONDS + index
    if kind == "unix_millis":
        return _UNIX_MILLIS + index
    # Spread over the whole range, as the model prices it (a few below 128 take the 7-bit
    # form, most the 13-bit one), whatever the set's size: index·2531 mod 4096 runs
    # through every value (2531 is odd), the first members far apart (4096 / 2531 ≈ φ).
    return index * _SMALL_INTEGER_STEP % _SMALL_INTEGERS


assert SCORE_RANGES["unix_seconds"][0] <= _UNIX_SECONDS and SCORE_RANGES["unix_millis"][0] <= _UNIX_MILLIS


def filler(index: int, length: int) -> str:
    """A value of exactly ``length`` characters that is not an integer (need not be distinct)."""
    return ("v" + str(index)).ljust(length, "x")[:length]


def _value(index: int, length: int, numeric: bool, count: int) -> str | int:
    if not numeric:
        return filler(index, length)
    low, high = digit_range(length)
    spread = min(count, high - low + 1)
    return number(index % spread, length, spread)


# Low-discrepancy draws. u is the top 53 bits of a 64-bit fixed-point fraction: 0 <= u < 1.

_MASK = (1 << 64) - 1
_UNIT = 2.0**-53
_HALF = 1 << 63


def _root_fraction(square: int) -> int:
    """frac(√square) in 64-bit fixed point."""
    return math.isqrt(square << 128) & _MASK


_KEY_LENGTH = ((math.isqrt(5 << 128) + (1 << 64)) >> 1) & _MASK
"""Golden ratio, 0.618..."""
_TTL = _root_fraction(2)
_COUNT = _root_fraction(3)
_VALUE_LENGTH = _root_fraction(7)
_VALUE_NUMERIC = _root_fraction(11)


def _unit(step: int, index: int, keys: int) -> float:
    """Key ``index`` of ``keys``' draw for the field whose step this is: the midpoint of
    stratum index·g mod keys, g from ``_generator``."""
    return ((index * _generator(step, keys)) % keys + 0.5) / keys


@lru_cache(maxsize=1024)
def _generator(step: int, keys: int) -> int:
    """The integer nearest keys·α (α = step / 2^64) that is coprime with ``keys``: a
    permutation of the strata, the lattice's approximation of frac(i·α)."""
    generator = max(1, (keys * step + _HALF) >> 64)
    while math.gcd(generator, keys) != 1:
        generator += 1
    return generator


MAX_PARTIAL_QUOTIENT = 16
"""Largest continued-fraction term a slot's step may have before its denominators pass
``EVEN_OVER_KEYS``: a Weyl sequence frac(start + i·step) spreads evenly over n keys only if
step is far from every fraction of denominator below n, which these terms bound. A step
drawn at random need not be: one slot's step put 47 of 47 keys' elements below a 42%
share (27% of random steps pass: about four draws per slot)."""
EVEN_OVER_KEYS = 1 << 20


def _even_step(step: int) -> bool:
    """Whether step / 2^64 has no continued-fraction term above ``MAX_PARTIAL_QUOTIENT``
    until its convergents' denominators pass ``EVEN_OVER_KEYS``."""
    numerator, denominator = step, 1 << 64
    previous, current = 0, 1  # convergent denominators q(k-1), q(k)
    numerator, denominator = denominator, numerator  # 1 / x: the first term of x < 1
    while current < EVEN_OVER_KEYS and denominator:
        term, remainder = divmod(numerator, denominator)
        if term > MAX_PARTIAL_QUOTIENT:
            return False
        previous, current = current, term * current + previous
        numerator, denominator = denominator, remainder
    return True


def _mix(x: int) -> int:
    """splitmix64's finaliser: a well-spread 64-bit hash of ``x``."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


class _Slots:
    """Draws for the elements of a key: element m of key i takes frac(start_m + i·step_m)."""

    CACHED = 1 << 16
    """Slots whose start and step are kept; larger collections compute the rest each time."""

    def __init__(self, dimension: int) -> None:
        self._dimension = dimension
        self._starts: list[int] = []
        self._steps: list[int] = []

    def _slot(self, slot: int) -> tuple[int, int]:
        seed = (slot << 3 | self._dimension) << 1
        step, tries = _mix(seed | 1) | 1, 0
        while not _even_step(step):  # the next candidate from the same slot's stream
            tries += 1
            step = _mix((seed | 1) + (tries << 40)) | 1
        return _mix(seed), step

    def units(self, key: int, count: int) -> list[float]:
        cached = min(count, self.CACHED)
        while len(self._starts) < cached:
            start, step = self._slot(len(self._starts))
            self._starts.append(start)
            self._steps.append(step)
        units = [(((start + key * step) & _MASK) >> 11) * _UNIT
                 for start, step in islice(zip(self._starts, self._steps), cached)]
        for slot in range(cached, count):
            start, step = self._slot(slot)
            units.append((((start + key * step) & _MASK) >> 11) * _UNIT)
        return units


_ITEM_LENGTH, _ITEM_NUMERIC, _HASH_VALUE_LENGTH, _HASH_VALUE_NUMERIC = (_Slots(d) for d in range(4))
"""Element fields: the element's (field name's, member's) length and integer flag, and a
hash field's value's."""


class _Sizes:
    """One length field and its ``numeric`` share: how each item's kind and length are drawn."""

    def __init__(self, length: Size, numeric: Numeric = False) -> None:
        self.items: Items = items(length, numeric)
        share = self.items.numeric_share
        text, digits = self.items.text, self.items.digits
        self._text: Distribution = text if text is not None else _present(digits)
        self._digits: Distribution = digits if digits is not None else self._text
        self.share = share
        self.exact = self.items.exact
        self.numeric = share >= 1
        """Every item is an integer (for exact sizes: whether they all are)."""
        self.length = (self._digits if self.numeric else self._text).low
        """The length (digits) of every item, where sizes are exact."""

    def high(self, numeric: bool) -> int:
        return (self._digits if numeric else self._text).high

    def draw(self, numeric_u: float, length_u: float) -> tuple[bool, int]:
        if numeric_u < self.share:
            return True, self._digits.quantile(length_u)
        return False, self._text.quantile(length_u)

    def draws(self, key: int, count: int, length_slots: _Slots, numeric_slots: _Slots) -> list[tuple[bool, int]]:
        """(integer?, length) of each of key ``key``'s ``count`` items."""
        if self.exact:
            return [(self.numeric, self.length)] * count
        lengths = length_slots.units(key, count)
        if 0 < self.share < 1:
            return [self.draw(u, v) for u, v in zip(numeric_slots.units(key, count), lengths)]
        side, numeric = (self._digits, True) if self.numeric else (self._text, False)
        return [(numeric, side.quantile(v)) for v in lengths]


def _present(value: Distribution | None) -> Distribution:
    if value is None:
        raise AssertionError("items() gives text lengths, digit counts or both")
    return value


class _Count:
    """Elements per collection: key ``i`` of ``keys`` draws its count from the distribution."""

    def __init__(self, size: Size, keys: int) -> None:
        self._distribution = distribution(size)
        self._exact = self._distribution.exact
        self._keys = keys

    def __call__(self, index: int) -> int:
        if self._exact:
            return self._distribution.low
        return self._distribution.quantile(_unit(_COUNT, index, self._keys))


class _KeyNames:
    """Key names of one keyspace: distinct across the cluster, of the drawn lengths."""

    def __init__(self, keyspace_index: int, keyspace_count: int, size: Size, keys: int) -> None:
        self._index, self._count = keyspace_index, keyspace_count
        self._lengths = distribution(size)
        self._keys = keys
        self._taken: dict[int, int] = {}

    def __call__(self, index: int) -> str:
        lengths = self._lengths
        if lengths.exact:
            return key_name(self._index, self._count, index, lengths.low)
        length = lengths.quantile(_unit(_KEY_LENGTH, index, self._keys))
        rank = self._taken.get(length, 0)
        while rank * self._count + self._index >= _capacity(length) and length < lengths.high:
            length += 1
            rank = self._taken.get(length, 0)
        key = key_name(self._index, self._count, rank, length)
        self._taken[length] = rank + 1
        return key


def _distinct(sizes: _Sizes, drawn: list[tuple[bool, int]], key_index: int, lead: str) -> list[str | int]:
    """Field names or members of key ``key_index``, distinct within it and shifted from key
    to key: identical names give every key the same hash-table layout, so one random hash
    seed would move all keys together (see README, "Accuracy"). Integers of d digits are
    spread evenly over the digits' range."""
    count = len(drawn)
    if sizes.exact:
        length = sizes.length
        room = _room(length, sizes.numeric)
        if count > room:
            raise _no_room(length, sizes.numeric, count, room)
        if sizes.numeric:
            low, _ = digit_range(length)
            stride = room // max(count, 1)
            return [low + (m * stride + key_index) % room for m in range(count)]
        capacity = _capacity(length)
        return [name((m + key_index * count) % capacity, length, lead=lead) for m in range(count)]
    taken: dict[tuple[bool, int], int] = {}
    placed: list[tuple[bool, int, int]] = []
    for numeric, length in drawn:
        rank = taken.get((numeric, length), 0)
        while rank >= _room(length, numeric):
            if length >= sizes.high(numeric):
                raise _no_room(length, numeric, rank + 1, _room(length, numeric))
            length += 1
            rank = taken.get((numeric, length), 0)
        taken[(numeric, length)] = rank + 1
        placed.append((numeric, length, rank))
    names: list[str | int] = []
    for numeric, length, rank in placed:
        if numeric:
            low, _ = digit_range(length)
            room = _room(length, True)
            # Spread evenly from a random start: the widest member of a key is then as
            # likely anywhere in the digits' range as the model assumes (an intset's width).
            offset = _mix(key_index * 64 + length) % room
            names.append(low + (rank * (room // taken[(True, length)]) + offset) % room)
        else:
            names.append(name((rank + key_index * count) % _capacity(length), length, lead=lead))
    return names


def _no_room(length: int, numeric: bool, count: int, room: int) -> SizingError:
    if numeric:
        return SizingError(f"there are only {room} distinct {length}-digit integers, {count} requested")
    return SizingError(f"{length} characters cannot name {count} distinct members with this generator")


def commands(
    keyspace: Keyspace, keyspace_index: int, keyspace_count: int, keys: int, ttl_seconds: int = 86_400
) -> Iterator[Command]:
    """The write commands that create ``keys`` keys of ``keyspace`` (key names distinct
    across the ``keyspace_count`` keyspaces of a cluster)."""
    writes = KeyWrites(keyspace, keyspace_index, keyspace_count, ttl_seconds, keys=keys)
    for index in range(keys):
        yield from writes.load(index)


class KeyWrites:
    """The commands that write one keyspace's keys, key by key: ``load`` gives what
    ``commands`` sends for key ``index``; ``rewrite`` writes a loaded key again, for churn.

    Key names are drawn in index order (a length's names are ranked as they are taken), so
    ``load`` must be asked for indexes 0, 1, 2, ...; the names are remembered for rewrites.
    """

    def __init__(self, keyspace: Keyspace, keyspace_index: int, keyspace_count: int,
                 ttl_seconds: int = 86_400, keys: int | None = None) -> None:
        self.keyspace = keyspace
        self._keys = keys or keyspace.keys
        """How many keys are loaded: the strata each per-key draw is spread over."""
        self._names = _KeyNames(keyspace_index, keyspace_count, keyspace.key_bytes, self._keys)
        self._ttl_seconds = ttl_seconds
        self.names: list[str] = []
        self._strings = _Sizes(keyspace.value_bytes, keyspace.numeric) if isinstance(keyspace, StringKeyspace) else None
        self._collection = None if isinstance(keyspace, StringKeyspace) else _writer(keyspace, self._keys)

    @property
    def strings(self) -> bool:
        return self._strings is not None

    def _has_ttl(self, index: int) -> bool:
        share = self.keyspace.ttl_share
        return share >= 1 or (share > 0 and _unit(_TTL, index, self._keys) < share)

    def value_size(self, index: int) -> tuple[bool, int]:
        """(integer?, length) of string key ``index``'s value as loaded."""
        sizes = self._strings
        if sizes is None:
            raise TypeError(f"{self.keyspace.name} is a {self.keyspace.type} keyspace, not strings")
        if sizes.exact:
            return sizes.numeric, sizes.length
        return sizes.draw(_unit(_VALUE_NUMERIC, index, self._keys), _unit(_VALUE_LENGTH, index, self._keys))

    def load(self, index: int) -> list[Command]:
        """Key ``index`` as ``commands`` writes it (after keys 0 .. index - 1)."""
        key = self._names(index)
        self.names.append(key)
        return self._write(key, index, index)

    def _write(self, key: str, index: int, shape: int, length: int | None = None) -> list[Command]:
        """``key`` (loaded as ``index``) with key ``shape``'s value, or a text value of ``length``."""
        if self._strings is not None:
            numeric, size = self.value_size(shape) if length is None else (False, length)
            value = _value(shape, size, numeric, self.keyspace.keys)
            return [("SET", key, value, "EX", self._ttl_seconds) if self._has_ttl(index) else ("SET", key, value)]
        assert self._collection is not None
        written = list(self._collection(key, shape))
        if self._has_ttl(index):
            written.append(("EXPIRE", key, self._ttl_seconds))
        return written

    def rewrite(self, index: int, shape: int, length: int | None = None) -> list[Command]:
        """Loaded key ``index`` written again with key ``shape``'s value (a collection is
        deleted and rebuilt as key ``shape`` was), or, for strings, with a text value of
        ``length``; its TTL as loaded."""
        key = self.names[index]
        written = self._write(key, index, shape, length)
        return written if self._strings is not None else [("DEL", key), *written]


def _per_command(keyspace: HashKeyspace | ListKeyspace | SetKeyspace | ZsetKeyspace, batch: int) -> int:
    """Elements per write command: a batch, or one where the keyspace says one by one."""
    return 1 if keyspace.written == "one_by_one" else batch


def _batches(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(total, start + size))


Writer = Callable[[str, int], Iterator[Command]]


def _writer(keyspace: HashKeyspace | ListKeyspace | SetKeyspace | ZsetKeyspace, keys: int) -> Writer:
    """The commands that fill one collection key of ``keys``, given its name and index."""
    if isinstance(keyspace, HashKeyspace):
        return _hashes(keyspace, keys)
    if isinstance(keyspace, ListKeyspace):
        return _lists(keyspace, keys)
    if isinstance(keyspace, SetKeyspace):
        return _sets(keyspace, keys)
    return _zsets(keyspace, keys)


def _hashes(keyspace: HashKeyspace, keys: int) -> Writer:
    count = _Count(keyspace.fields, keys)
    fields = _Sizes(keyspace.field_bytes, keyspace.numeric_fields)
    values = _Sizes(keyspace.value_bytes, keyspace.numeric)

    def write(key: str, index: int) -> Iterator[Command]:
        n = count(index)
        names = _distinct(fields, fields.draws(index, n, _ITEM_LENGTH, _ITEM_NUMERIC), index, "f")
        drawn = values.draws(index, n, _HASH_VALUE_LENGTH, _HASH_VALUE_NUMERIC)
        for batch in _batches(n, _per_command(keyspace, WRITE_BATCH_ELEMENTS)):
            args: list[str | int | float] = []
            for m in batch:
                numeric, length = drawn[m]
                args += [names[m], _value(m, length, numeric, n)]
            yield ("HSET", key, *args)

    return write


def _lists(keyspace: ListKeyspace, keys: int) -> Writer:
    count = _Count(keyspace.elements, keys)
    elements = _Sizes(keyspace.element_bytes, keyspace.numeric)
    batch_size = list_batch_elements(max(1, round(elements.items.mean_length())))

    def write(key: str, index: int) -> Iterator[Command]:
        n = count(index)
        drawn = elements.draws(index, n, _ITEM_LENGTH, _ITEM_NUMERIC)
        for batch in _batches(n, _per_command(keyspace, batch_size)):
            yield ("RPUSH", key, *(_value(m, drawn[m][1], drawn[m][0], n) for m in batch))

    return write


def _sets(keyspace: SetKeyspace, keys: int) -> Writer:
    count = _Count(keyspace.members, keys)
    members = _Sizes(keyspace.member_bytes, keyspace.numeric)

    def write(key: str, index: int) -> Iterator[Command]:
        n = count(index)
        names = _distinct(members, members.draws(index, n, _ITEM_LENGTH, _ITEM_NUMERIC), index, "m")
        for batch in _batches(n, _per_command(keyspace, WRITE_BATCH_ELEMENTS)):
            yield ("SADD", key, *(names[m] for m in batch))

    return write


def _zsets(keyspace: ZsetKeyspace, keys: int) -> Writer:
    count = _Count(keyspace.members, keys)
    members = _Sizes(keyspace.member_bytes, keyspace.numeric)
    kind = keyspace.scores

    def write(key: str, index: int) -> Iterator[Command]:
        n = count(index)
        names = _distinct(members, members.draws(index, n, _ITEM_LENGTH, _ITEM_NUMERIC), index, "m")
        for batch in _batches(n, _per_command(keyspace, WRITE_BATCH_ELEMENTS)):
            args: list[str | int | float] = []
            for m in batch:
                args += [score(kind, m), names[m]]
            yield ("ZADD", key, *args)

    return write
