"""Synthetic data (``sizing.live.synthetic``): exact keyspaces write the commands the recorded
measurements were made with, and varying ones follow their distributions and shares.

The exact cases are every keyspace of the accuracy cases (benchmarks/accuracy_cases.yaml, as
measured) plus edge cases: big collections, short names, lists of short and long elements,
TTLs. Their hashes were computed from the generator that made the recordings (before sizes
could vary); ``integer_scores: true`` there is ``scores: unix_seconds`` here."""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Iterable
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter

from sizing.errors import SizingError
from sizing.live.synthetic import Command, commands, double_score, key_name
from sizing.memory.distribution import distribution
from sizing.memory.encodings import digit_range
from sizing.memory.items import items
from sizing.memory.values import SCORE_RANGES, list_batch_elements
from sizing.spec.distribution import NumericShare, Size, SizeField
from sizing.spec.workload import Keyspace

ADAPTER: TypeAdapter[Keyspace] = TypeAdapter(Keyspace)
SIZE: TypeAdapter[Size] = TypeAdapter(SizeField)


def size(value: Any) -> Size:
    return SIZE.validate_python(value)


def keyspace(spec: str | dict[str, Any]) -> Keyspace:
    return ADAPTER.validate_python(yaml.safe_load(spec) if isinstance(spec, str) else {"name": "k", **spec})


def limit(ks: Keyspace) -> int:
    """Keys hashed per keyspace: every key's commands come from the same formulas, so a few
    dozen (two of the biggest collections) pin them."""
    count = max(getattr(ks, field, 0) for field in ("fields", "members", "elements"))
    return 2 if count > 5000 else 12 if count > 100 else 60


EXACT_CASES: list[tuple[str, int, str, list[str]]] = [
    ('str-embstr-44', 60, '5a5d9568f8a405ff1ae79a0d024666c6963833affe235b83046831c394641246', [
        '{name: s, type: string, keys: 60000, key_bytes: 16, value_bytes: 44}',
    ]),
    ('str-raw-45', 60, 'b2636e86b01d8507b7b2b0257ca132940300cd21591289ccfb64b2ea8eeabcf0', [
        '{name: s, type: string, keys: 60000, key_bytes: 16, value_bytes: 45}',
    ]),
    ('str-short-ttl', 60, 'd088956221bfa95dc2a203de6ad4e4d6904dac36a753603182edcf4a75483496', [
        '{name: s, type: string, keys: 60000, key_bytes: 24, value_bytes: 20, ttl: true}',
    ]),
    ('str-large', 60, '810785eeb5894acb78b5d8b174a38aa8cdcdff8aa064278b32151c551521abfa', [
        '{name: s, type: string, keys: 5000, key_bytes: 30, value_bytes: 1000}',
    ]),
    ('str-int-shared', 60, '97e6240a8eecf09b2dbc0adf62468bb1febafc2c9d0ba72b3f47146ee0950af2', [
        '{name: s, type: string, keys: 60000, key_bytes: 14, value_bytes: 4, numeric: true}',
    ]),
    ('str-int-lru', 60, '97e6240a8eecf09b2dbc0adf62468bb1febafc2c9d0ba72b3f47146ee0950af2', [
        '{name: s, type: string, keys: 60000, key_bytes: 14, value_bytes: 4, numeric: true}',
    ]),
    ('str-int-big', 60, '36bd423bab499d709c20da96a04dab9f9b76bdea92bdc8bd565dadde3bd6f588', [
        '{name: s, type: string, keys: 60000, key_bytes: 14, value_bytes: 13, numeric: true, ttl: true}',
    ]),
    ('keys-pow2-below', 60, '751e40f94e5721b38f6f4f0e5e706eff477fc0b1b8c74ab0836353b4f23d4916', [
        '{name: s, type: string, keys: 65536, key_bytes: 12, value_bytes: 10}',
    ]),
    ('keys-pow2-above', 60, '751e40f94e5721b38f6f4f0e5e706eff477fc0b1b8c74ab0836353b4f23d4916', [
        '{name: s, type: string, keys: 65537, key_bytes: 12, value_bytes: 10}',
    ]),
    ('hash-small', 60, '0be37892c46abcf25136caf62af9ff5035dbff7a4cda5b27ccf7046932f4cdea', [
        '{name: h, type: hash, keys: 20000, key_bytes: 20, fields: 15, field_bytes: 12, value_bytes: 25}',
    ]),
    ('hash-small-numeric', 60, 'f17ffa0bec799b058068f6ac172256fdc3fe476209555e21d673a917c8dc38d7', [
        '{name: h, type: hash, keys: 20000, key_bytes: 20, fields: 15, field_bytes: 8, value_bytes: 6, numeric: true}',
    ]),
    ('hash-entries-512', 12, 'd3c1aae5ca50e5e64bd4f2014ae870d213463cbff3f457d16eda15bf568aaa0b', [
        '{name: h, type: hash, keys: 300, key_bytes: 16, fields: 512, field_bytes: 10, value_bytes: 10}',
    ]),
    ('hash-entries-513', 12, '2af58c826d097dfcc28572032eaf89d4e4bb3fb271be00fe9997bbf6f70ce9f6', [
        '{name: h, type: hash, keys: 300, key_bytes: 16, fields: 513, field_bytes: 10, value_bytes: 10}',
    ]),
    ('hash-value-64', 60, 'e2ebd3b2711b006a93f83bc2da0a474ff5a011e8a6213b33ba1a4879643c09cb', [
        '{name: h, type: hash, keys: 10000, key_bytes: 16, fields: 8, field_bytes: 10, value_bytes: 64}',
    ]),
    ('hash-value-65', 60, '59e48257679f80470314db506cbf52614f5b6959f7db6849ba1b53c005094105', [
        '{name: h, type: hash, keys: 10000, key_bytes: 16, fields: 8, field_bytes: 10, value_bytes: 65}',
    ]),
    ('hash-big', 40, '50764170865da43307b3769e1e218078c2121d70a27103b18900a78b4654cc1e', [
        '{name: h, type: hash, keys: 10, key_bytes: 16, fields: 20000, field_bytes: 12, value_bytes: 16}',
    ]),
    ('set-intset', 60, 'ba662cbd9ad41355fb5b4bf7cf202b74c6043db829df532d7eeb1cad2dc3689e', [
        '{name: s, type: set, keys: 5000, key_bytes: 16, members: 100, member_bytes: 5, numeric: true}',
    ]),
    ('set-intset-513', 12, '82e928c8f3938ccbd078574df4057a1f65f12e3b4642bea8034a65df50051aa3', [
        '{name: s, type: set, keys: 300, key_bytes: 16, members: 513, member_bytes: 6, numeric: true}',
    ]),
    ('set-strings-128', 12, '03a0968b8691a7169b1e580ad8ac7ec2c63a160a801cda65c5eee7203b42162d', [
        '{name: s, type: set, keys: 2000, key_bytes: 16, members: 128, member_bytes: 12}',
    ]),
    ('set-strings-129', 12, 'eade584085519248038bc8d103793899bc3c331264438ef9399e93bb59abc627', [
        '{name: s, type: set, keys: 2000, key_bytes: 16, members: 129, member_bytes: 12}',
    ]),
    ('set-big', 60, '23d93ed25e1cef944edb078691d96cfe2eee733bc21ea2d9b7b4eb569bcdfbdd', [
        '{name: s, type: set, keys: 10, key_bytes: 16, members: 30000, member_bytes: 16}',
    ]),
    ('zset-small', 12, 'b07a5a18079024df0cc2179a66171480c2f91c27d1828eb985252b97be6d2447', [
        '{name: z, type: zset, keys: 5000, key_bytes: 16, members: 128, member_bytes: 16, scores: unix_seconds}',
    ]),
    ('zset-129', 12, 'fb5584cf48453fa2c8c902b4a4e8ad165c4db9d6f94aa4713004292c7be0e868', [
        '{name: z, type: zset, keys: 2000, key_bytes: 16, members: 129, member_bytes: 16, scores: unix_seconds}',
    ]),
    ('zset-member-65', 60, 'db057abc3c066aab382de93d8c90e900dbd94e09aa45b9234e057ee954702420', [
        '{name: z, type: zset, keys: 5000, key_bytes: 16, members: 10, member_bytes: 65}',
    ]),
    ('zset-big-doubles', 40, '6425674c0df166d6706a4adce9864b27ab5fba229b7add47f4abc052bc968959', [
        '{name: z, type: zset, keys: 10, key_bytes: 16, members: 20000, member_bytes: 20}',
    ]),
    ('list-small', 60, '664a9c51567a92779abcb95ecea0154c61057b7d017ce7e7e28a9159877cd236', [
        '{name: l, type: list, keys: 20000, key_bytes: 24, elements: 20, element_bytes: 30}',
    ]),
    ('list-long', 60, '7aa7a694a409b2754f6b4fbaab67f1c20701ffed40fb1cbd11a97de823726a63', [
        '{name: l, type: list, keys: 100, key_bytes: 24, elements: 5000, element_bytes: 20}',
    ]),
    ('list-numeric', 24, '4d4cee9b120d98c49172e531bb600e522bc9f592f31e9550962403333d5a7423', [
        '{name: l, type: list, keys: 200, key_bytes: 24, elements: 3000, element_bytes: 5, numeric: true}',
    ]),
    ('list-big-elements', 60, '6fe091d614d5b09197c52002aa930a3b31fba8daa4f1e180025bfd1397a7b3be', [
        '{name: l, type: list, keys: 100, key_bytes: 24, elements: 20, element_bytes: 10000}',
    ]),
    ('mixed-social', 312, '7548d7d9ef35905ae6b112ba4954385f3a5ddd2252d16167548f5431a6020254', [
        '{name: session, type: string, keys: 30000, key_bytes: 32, value_bytes: 200, ttl: true}',
        '{name: counter, type: string, keys: 20000, key_bytes: 20, value_bytes: 6, numeric: true}',
        '{name: profile, type: hash, keys: 5000, key_bytes: 20, fields: 15, field_bytes: 12, value_bytes: 25}',
        '{name: feed, type: zset, keys: 100, key_bytes: 16, members: 1000, member_bytes: 20, scores: unix_seconds}',
        '{name: inbox, type: list, keys: 2000, key_bytes: 24, elements: 20, element_bytes: 100}',
        '{name: tags, type: set, keys: 1000, key_bytes: 10, members: 50, member_bytes: 8, numeric: true}',
    ]),
    ('cluster-strings', 60, '751e40f94e5721b38f6f4f0e5e706eff477fc0b1b8c74ab0836353b4f23d4916', [
        '{name: s, type: string, keys: 100000, key_bytes: 12, value_bytes: 10}',
    ]),
    ('cluster-mixed', 120, '723d214aa00e7fe5002b4d1a570bde0a1ebbbe4adfeff27149db83303153a55b', [
        '{name: session, type: string, keys: 40000, key_bytes: 32, value_bytes: 100, ttl: true}',
        '{name: profile, type: hash, keys: 10000, key_bytes: 20, fields: 10, field_bytes: 10, value_bytes: 20}',
    ]),
    ('cluster-ttl-strings', 60, '7e19e36fca5adedbb81e5c838b4f695967aa8d70080d2e0619c4ff760db62efc', [
        '{name: s, type: string, keys: 150000, key_bytes: 20, value_bytes: 30, ttl: true}',
    ]),
    ('cluster-collections', 132, 'ef32b2630ac975161f4d4f6a062dca4e65793661e01c6dab35b6fc93e1fd270e', [
        '{name: feed, type: zset, keys: 2000, key_bytes: 18, members: 200, member_bytes: 16, scores: unix_seconds}',
        '{name: tags, type: set, keys: 20000, key_bytes: 14, members: 20, member_bytes: 10}',
        '{name: inbox, type: list, keys: 5000, key_bytes: 22, elements: 40, element_bytes: 60}',
    ]),
    ('cluster-many-keys', 60, 'f7ed30eccbe2ae95ab14ce27950d096331ddc4866231187927a48902671dd93a', [
        '{name: s, type: string, keys: 600000, key_bytes: 16, value_bytes: 8, numeric: true}',
    ]),
    ('cluster-big-hashes', 36, 'e1921128fb023bc07f321f0e0de998fb2deead1a4e76d2da7053dc6058569f43', [
        '{name: h, type: hash, keys: 40, key_bytes: 16, fields: 3000, field_bytes: 12, value_bytes: 20}',
    ]),
    ('x-hash-ttl-numeric-big', 36, '466808694184e5846d5f2a3df3f8210434d6dea9009ecac97fff429afc83d9e2', [
        '{name: h, type: hash, keys: 50, key_bytes: 9, fields: 1200, field_bytes: 7, value_bytes: 3, numeric: true, ttl: true}',
    ]),
    ('x-set-numeric-ttl-big', 20, '1a11b8e3bba27a2bad160e29292040fca02c89328712d5a0db31e22e57f5b97c', [
        '{name: s, type: set, keys: 5, key_bytes: 11, members: 2500, member_bytes: 6, numeric: true, ttl: true}',
    ]),
    ('x-list-short-elements', 6, '14d0af42d3a3ddb67ddf94ecbfaca8e87ddd9cbcc478822f09616f874570929d', [
        '{name: l, type: list, keys: 3, key_bytes: 13, elements: 9000, element_bytes: 2}',
    ]),
    ('x-list-numeric-ttl', 60, '2ab2a419564b53e0377fe64ad47c6dcc2fd3cd2bf5475b9964881f055f7947e4', [
        '{name: l, type: list, keys: 30, key_bytes: 8, elements: 50, element_bytes: 1, numeric: true, ttl: true}',
    ]),
    ('x-list-long-elements-ttl', 12, 'f2023639e9bfde875148f32f1d8fb4c96f52d2771a10e0818f9cfa801efbbcad', [
        '{name: l, type: list, keys: 4, key_bytes: 8, elements: 1500, element_bytes: 3000, ttl: true}',
    ]),
    ('x-zset-seconds-ttl-big', 12, '0c30190ff2c31262f7aa00a682b9dd2dbecfca73a9fb458f2d4e8c354df96d4e', [
        '{name: z, type: zset, keys: 4, key_bytes: 10, members: 1500, member_bytes: 9, scores: unix_seconds, ttl: true}',
    ]),
    ('x-zset-floats-ttl-short', 40, '0fad1fc705d8c107113c352608eb3e770c6ecce192e416da95a3bf77ad23536b', [
        '{name: z, type: zset, keys: 20, key_bytes: 6, members: 40, member_bytes: 1, ttl: true}',
    ]),
    ('x-mixed-short-keys', 172, '9b1054e58d95f39fcb31306cf72df389423094ce95dace59ce43809e2e4adcbf', [
        '{name: a, type: string, keys: 1000, key_bytes: 2, value_bytes: 1}',
        '{name: b, type: string, keys: 12, key_bytes: 1, value_bytes: 1, numeric: true, ttl: true}',
        '{name: c, type: string, keys: 400, key_bytes: 3, value_bytes: 18, numeric: true}',
        '{name: d, type: set, keys: 40, key_bytes: 2, members: 30, member_bytes: 3}',
    ]),
]
"""(case, commands, sha256 of their reprs one per line, keyspaces): from the generator before
sizes could vary."""


@pytest.mark.parametrize(("case", "count", "digest", "specs"), EXACT_CASES, ids=[c[0] for c in EXACT_CASES])
def test_exact_keyspaces_write_the_recorded_commands(case: str, count: int, digest: str, specs: list[str]) -> None:
    hashed = hashlib.sha256()
    written = 0
    keyspaces = [keyspace(spec) for spec in specs]
    for index, ks in enumerate(keyspaces):
        for command in commands(ks, index, len(keyspaces), min(ks.keys, limit(ks))):
            hashed.update(repr(command).encode() + b"\n")
            written += 1
    assert (written, hashed.hexdigest()) == (count, digest)


# Helpers over generated commands.

def generate(spec: dict[str, Any], keys: int | None = None, index: int = 0, count: int = 1) -> list[Command]:
    ks = keyspace(spec)
    return list(commands(ks, index, count, keys if keys is not None else ks.keys))


def contents(written: Iterable[Command]) -> dict[str, list[Any]]:
    """Key -> the elements (field/value pairs, member/score pairs, ...) its commands wrote."""
    keys: dict[str, list[Any]] = {}
    for command in written:
        if command[0] != "EXPIRE":
            keys.setdefault(str(command[1]), []).extend(command[2:])
    return keys


def share(values: Iterable[bool]) -> float:
    flags = list(values)
    return sum(flags) / len(flags)


def is_integer(value: Any) -> bool:
    return isinstance(value, int)


WIDE = {"p50": 300, "p90": 1200, "max": 20_000}
COUNTS = {"histogram": [{"up_to": 10, "share": 0.6}, {"up_to": 100, "share": 0.3}, {"up_to": 500, "share": 0.1}]}


def test_value_lengths_follow_their_quantiles() -> None:
    written = generate({"type": "string", "keys": 20_000, "key_bytes": 16, "value_bytes": WIDE})
    lengths = [len(str(c[2])) for c in written]
    assert share(n <= 300 for n in lengths) == pytest.approx(0.50, abs=0.02)
    assert share(n <= 1200 for n in lengths) == pytest.approx(0.90, abs=0.02)
    assert statistics.mean(lengths) == pytest.approx(distribution(size(WIDE)).mean(), rel=0.02)
    assert min(lengths) >= 1 and max(lengths) <= 20_000


def test_key_lengths_follow_their_distribution_and_stay_distinct_across_keyspaces() -> None:
    sizes = {"min": 1, "p50": 4, "max": 12}
    written = [c for index in range(3) for c in generate(
        {"type": "string", "keys": 6000, "key_bytes": sizes, "value_bytes": 8}, index=index, count=3)]
    names = [str(c[1]) for c in written]
    assert len(set(names)) == len(names) == 18_000
    lengths = [len(n) for n in names]
    assert 1 <= min(lengths) and max(lengths) <= 12
    # 52 one-character and 3224 two-character names exist (some 3900 and 2300 are wanted): the
    # rest take the next longer length, so from three characters on the distribution holds.
    d = distribution(size(sizes))
    assert (lengths.count(1), lengths.count(2)) == (52, 3224)
    for at in (4, 8):
        assert share(n <= at for n in lengths) == pytest.approx(d.cdf(at), abs=0.01)
    assert not any(n.lstrip("-").isdigit() for n in names)


def test_counts_follow_a_histogram_and_members_stay_distinct() -> None:
    spec = {"type": "set", "keys": 3000, "key_bytes": 16, "members": COUNTS,
            "member_bytes": {"histogram": [{"up_to": 8, "share": 0.5}, {"up_to": 16, "share": 0.5}]}}
    sets = contents(generate(spec))
    counts = [len(members) for members in sets.values()]
    assert share(n <= 10 for n in counts) == pytest.approx(0.6, abs=0.02)
    assert share(n <= 100 for n in counts) == pytest.approx(0.9, abs=0.02)
    assert statistics.mean(counts) == pytest.approx(distribution(size(COUNTS)).mean(), rel=0.02)
    lengths = [len(m) for members in sets.values() for m in members]
    assert share(n <= 8 for n in lengths) == pytest.approx(0.5, abs=0.02)
    assert statistics.mean(lengths) == pytest.approx(8.5, rel=0.02)
    assert all(len(set(members)) == len(members) for members in sets.values())


def test_fields_and_values_of_hashes_vary_independently() -> None:
    spec = {"type": "hash", "keys": 2000, "key_bytes": 16, "fields": COUNTS, "field_bytes": {"p50": 6, "max": 18},
            "value_bytes": {"p50": 40, "p90": 200, "max": 1000}, "numeric": {"share": 0.4, "digits": {"max": 10}},
            "numeric_fields": 0.5}
    hashes = contents(generate(spec))
    counts = [len(pairs) // 2 for pairs in hashes.values()]
    assert share(n <= 10 for n in counts) == pytest.approx(0.6, abs=0.02)
    fields = [f for pairs in hashes.values() for f in pairs[0::2]]
    values = [v for pairs in hashes.values() for v in pairs[1::2]]
    assert share(map(is_integer, fields)) == pytest.approx(0.5, abs=0.02)
    assert share(map(is_integer, values)) == pytest.approx(0.4, abs=0.02)
    text = [len(v) for v in values if not is_integer(v)]
    assert share(n <= 40 for n in text) == pytest.approx(distribution(size(spec["value_bytes"])).cdf(40), abs=0.02)
    for pairs in hashes.values():
        names = pairs[0::2]
        assert len(set(names)) == len(names)


@pytest.mark.parametrize("kind", ["string", "hash", "list", "set", "zset"])
def test_a_ttl_share_is_the_share_of_keys_that_expire(kind: str) -> None:
    shapes: dict[str, dict[str, Any]] = {
        "string": {"value_bytes": 10}, "hash": {"fields": 2, "field_bytes": 5, "value_bytes": 5},
        "list": {"elements": 2, "element_bytes": 5}, "set": {"members": 2, "member_bytes": 5},
        "zset": {"members": 2, "member_bytes": 5}}
    ks = keyspace({"type": kind, "keys": 10_000, "key_bytes": 12, "ttl": 0.3, **shapes[kind]})
    written = list(commands(ks, 0, 1, 10_000, ttl_seconds=60))
    if kind == "string":
        expiring = sum(1 for c in written if c[3:] == ("EX", 60))
    else:
        expiring = sum(1 for c in written if c[0] == "EXPIRE" and c[2] == 60)
    assert expiring / 10_000 == pytest.approx(0.3, abs=0.01)


def test_a_numeric_share_is_the_share_of_integer_values_with_their_digits() -> None:
    digits = {"min": 1, "p50": 4, "max": 12}
    spec = {"type": "string", "keys": 20_000, "key_bytes": 16, "value_bytes": WIDE,
            "numeric": {"share": 0.4, "digits": digits}}
    values = [c[2] for c in generate(spec)]
    integers = [v for v in values if isinstance(v, int)]
    assert len(integers) / len(values) == pytest.approx(0.4, abs=0.02)
    expected = items(size(WIDE), NumericShare.model_validate(spec["numeric"])).digits
    assert expected is not None
    counts = [len(str(v)) for v in integers]
    for at in (1, 2, 4, 8):
        assert share(n <= at for n in counts) == pytest.approx(expected.cdf(at), abs=0.02)
    # Integers of d digits spread over their range, not bunched at its start.
    five = [v for v in integers if len(str(v)) == 5]
    low, high = digit_range(5)
    assert min(five) < low + (high - low) * 0.1 and max(five) > low + (high - low) * 0.8
    # The text values still follow value_bytes, and none reads as an integer.
    text = [len(str(v)) for v in values if not is_integer(v)]
    assert not any(str(v).isdigit() for v in values if not is_integer(v))
    assert share(n <= 300 for n in text) == pytest.approx(0.5, abs=0.02)


def test_integer_digits_follow_the_length_field_when_not_given() -> None:
    spec = {"type": "list", "keys": 500, "key_bytes": 16, "elements": 20,
            "element_bytes": {"min": 1, "p50": 5, "max": 15}, "numeric": 0.4}
    lists = contents(generate(spec))
    elements = [e for values in lists.values() for e in values]
    integers = [e for e in elements if is_integer(e)]
    assert len(integers) / len(elements) == pytest.approx(0.4, abs=0.02)
    d = distribution(size(spec["element_bytes"]))
    assert share(len(str(v)) <= 5 for v in integers) == pytest.approx(d.cdf(5), abs=0.03)
    assert all(not str(e).isdigit() for e in elements if not is_integer(e))


def test_the_elements_of_one_key_are_independent() -> None:
    """The model prices "all n elements fit a limit" as F(limit)^n: the elements of a key
    must not be spread evenly over the distribution (that would put exactly one element
    above the p99 in every key of 100)."""
    spec = {"type": "list", "keys": 2500, "key_bytes": 16, "elements": 100,
            "element_bytes": {"p50": 20, "p90": 40, "p99": 64, "max": 200}}
    lists = contents(generate(spec))
    fit = distribution(size(spec["element_bytes"])).cdf(64)
    assert share(max(map(len, values)) <= 64 for values in lists.values()) == pytest.approx(fit**100, abs=0.04)


def test_numeric_members_and_names_stay_distinct_where_short_lengths_run_out() -> None:
    # 1-digit integers are 10 and 1-character names 52: a key of 200 members takes longer ones.
    spec = {"type": "zset", "keys": 300, "key_bytes": 16, "members": {"p50": 100, "max": 400},
            "member_bytes": {"min": 1, "p50": 2, "max": 6}, "numeric": 0.5}
    zsets = contents(generate(spec))
    for pairs in zsets.values():
        members = pairs[1::2]
        assert len(set(map(str, members))) == len(members)
        assert all(1 <= len(str(m)) <= 6 for m in members)


@pytest.mark.parametrize(("scores", "low", "high"), [
    ("floats", 1.0, 2.0), ("unix_seconds", *SCORE_RANGES["unix_seconds"]),
    ("unix_millis", *SCORE_RANGES["unix_millis"]), ("small_integers", *SCORE_RANGES["small_integers"])])
def test_scores_have_the_kinds_magnitudes(scores: str, low: float, high: float) -> None:
    written = generate({"type": "zset", "keys": 2, "key_bytes": 16, "members": 5000, "member_bytes": 8,
                        "scores": scores})
    values = [score for pairs in contents(written).values() for score in pairs[0::2]]
    assert all(low <= v <= high for v in values)
    if scores == "floats":
        assert all(isinstance(v, float) and len(repr(v)) == 18 for v in values)
        assert values[:3] == [double_score(0), double_score(1), double_score(2)]
    else:
        assert all(isinstance(v, int) for v in values)
    expected = {"unix_seconds": [1_700_000_000, 1_700_000_001], "unix_millis": [1_700_000_000_000, 1_700_000_000_001],
                "small_integers": [0, 2531]}
    if scores in expected:
        assert values[:2] == expected[scores]
    if scores == "small_integers":
        assert values[4096] == 0 and sorted(values[:4096]) == list(range(4096))
        small_sets = [v for pairs in contents(generate({"type": "zset", "keys": 100, "key_bytes": 16, "members": 40,
                                                        "member_bytes": 8, "scores": scores})).values()
                      for v in pairs[0::2]]
        assert sum(v < 128 for v in small_sets) / len(small_sets) < 0.1  # the 7-bit form is about 1 in 32


def test_list_batches_follow_the_mean_element_length() -> None:
    spec = {"type": "list", "keys": 3, "key_bytes": 16, "elements": 9000, "element_bytes": {"min": 1, "max": 5}}
    written = generate(spec)
    mean = items(size(spec["element_bytes"]), False).mean_length()
    batch = list_batch_elements(max(1, round(mean)))
    assert batch > 1000
    assert [len(c) - 2 for c in written] == [batch, batch, 9000 - 2 * batch] * 3


@pytest.mark.parametrize(("spec", "command"), [
    ({"type": "set", "members": 300, "member_bytes": 8}, "SADD"),
    ({"type": "hash", "fields": 300, "field_bytes": 8, "value_bytes": 10}, "HSET"),
    ({"type": "zset", "members": 300, "member_bytes": 8}, "ZADD"),
    ({"type": "list", "elements": 300, "element_bytes": 8}, "RPUSH"),
])
def test_one_by_one_writes_one_element_per_command(spec: dict[str, Any], command: str) -> None:
    batched = generate({"keys": 4, "key_bytes": 16, **spec})
    one_by_one = generate({"keys": 4, "key_bytes": 16, "written": "one_by_one", **spec})
    per_element = 3 if command in ("HSET", "ZADD") else 2  # name + field/value or score/member
    assert [c[0] for c in one_by_one] == [command] * 1200
    assert all(len(c) == per_element + 1 for c in one_by_one)
    # The same elements, in the same order.
    flat = [arg for c in batched for arg in c[2:]]
    assert [arg for c in one_by_one for arg in c[2:]] == flat


def test_stratified_draws_meet_the_mean_with_few_keys() -> None:
    """50 keys of a heavy-tailed count: each key takes one of 50 strata, so the written
    mean is the distribution's to within the midpoint rule's error."""
    spec = {"type": "list", "keys": 50, "key_bytes": 16, "elements": {"min": 3, "p50": 26, "p99": 251, "max": 287},
            "element_bytes": 4}
    written = generate(spec)
    total = sum(len(c) - 2 for c in written)
    assert total / 50 == pytest.approx(distribution(size(spec["elements"])).mean(), rel=0.01)


def test_generation_is_deterministic() -> None:
    spec = {"type": "hash", "keys": 200, "key_bytes": {"p50": 10, "max": 30}, "fields": COUNTS,
            "field_bytes": {"p50": 6, "max": 18}, "value_bytes": WIDE, "numeric": {"share": 0.3, "digits": {"max": 9}},
            "numeric_fields": 0.2, "ttl": 0.5}
    assert generate(spec) == generate(spec)


def test_names_that_cannot_be_distinct_are_refused() -> None:
    with pytest.raises(SizingError, match="cannot name"):
        generate({"type": "string", "keys": 60, "key_bytes": 1, "value_bytes": 1})
    with pytest.raises(SizingError, match="distinct 2-digit integers"):
        generate({"type": "set", "keys": 1, "key_bytes": 4, "members": 100, "member_bytes": 2, "numeric": True})
    with pytest.raises(SizingError, match="cannot name"):
        generate({"type": "set", "keys": 1, "key_bytes": 4, "members": 300, "member_bytes": {"min": 1, "max": 2}})
    assert len({key_name(0, 1, index, 1) for index in range(52)}) == 52
