"""Valkey 8.1+ tables sized when a listpack converts, and where a count distribution splits.

No server: the numbers are what a Valkey 8.1.1 server showed with ``DEBUG HTSTATS-KEY``
(``table size`` is buckets x 7): a set written member by member converts at 129 members
(the listpack's 128 + 1, ``setTypeConvertAndExpand``) and at 210 members still has 32
buckets (table size 224); one SADD of the same 210 members makes 64 (448). A set whose
31st member is too long for a listpack converts then: 8 buckets (56) and no rehash at 31
members, still 8 at 54; a set whose first member was long grew as a table and at 31 members
is still moving its old 4 buckets (28) into 8.
"""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from sizing.memory.distribution import distribution
from sizing.memory.engines import engine_profile
from sizing.memory.tables import (
    HASHTABLE_BUCKET_BYTES,
    HASHTABLE_ENTRIES_PER_BUCKET,
    hashtable_buckets,
    hashtable_child_buckets,
)
from sizing.memory.values import COUNT_POINTS, Arrival, _count_limits, _hashtable_written, _Set
from sizing.spec.workload import Keyspace, SetKeyspace

ADAPTER: TypeAdapter[Keyspace] = TypeAdapter(Keyspace)
VALKEY_81 = engine_profile("valkey", "8.1")


def _set(members: object, member_bytes: object = 12) -> SetKeyspace:
    keyspace = ADAPTER.validate_python({"name": "s", "type": "set", "keys": 1000, "key_bytes": 16,
                                        "members": members, "member_bytes": member_bytes})
    assert isinstance(keyspace, SetKeyspace)
    return keyspace


def _buckets_bytes(elements: int, buckets: int) -> float:
    return HASHTABLE_BUCKET_BYTES * (buckets + hashtable_child_buckets(elements, buckets))


def test_a_set_converted_at_129_keeps_32_buckets_at_210() -> None:
    assert hashtable_buckets(129, presized=True) == 32
    assert _hashtable_written(210, "one_by_one", 1, 129) == _buckets_bytes(210, 32)
    # Not the 64 of a table expanded for all 210 at once (one SADD of 210).
    assert hashtable_buckets(210, presized=True) == 64
    assert _hashtable_written(210, "commands", 1, 210) == _buckets_bytes(210, 64)


def test_a_set_written_one_by_one_converts_at_the_listpack_limit_plus_one() -> None:
    pricer = _Set(_set(210), VALKEY_81, VALKEY_81.defaults)
    presizes = pricer._table_presizes(210, 1.0, "one_by_one")
    assert (1.0, VALKEY_81.defaults.set_max_listpack_entries + 1) in [(round(s, 9), p) for s, p in presizes]
    assert VALKEY_81.defaults.set_max_listpack_entries + 1 == 129


def test_a_set_converted_at_31_by_a_long_member_has_8_buckets_at_54() -> None:
    assert hashtable_buckets(31, presized=True) == 8
    assert _hashtable_written(54, "one_by_one", 1, 31) == _buckets_bytes(54, 8)
    # 8 buckets hold 56; the 55th member would double them.
    assert HASHTABLE_ENTRIES_PER_BUCKET * 8 == 56
    assert _hashtable_written(57, "one_by_one", 1, 31) > _buckets_bytes(57, 8)


def test_a_long_member_among_the_first_members_prices_the_covering_conversion() -> None:
    # Members of up to 100 bytes, some past set-max-listpack-value (64): a set of 54 that
    # converted at its 26th member or later holds all 54 in the 8 buckets it was expanded to.
    pricer = _Set(_set(54, {"min": 8, "max": 100}), VALKEY_81, VALKEY_81.defaults)
    assert pricer._covering_presize(54) == 26
    assert hashtable_buckets(26, presized=True) == 8 and hashtable_buckets(25, presized=True) == 4
    presizes = pricer._table_presizes(54, 1.0, "one_by_one")
    assert {p for _, p in presizes} == {26, 0}
    assert sum(s for s, _ in presizes) == pytest.approx(1.0)


def test_a_converted_table_has_no_old_table_where_a_grown_one_still_has() -> None:
    converted = _hashtable_written(31, "one_by_one", 1, 31)
    grown = _hashtable_written(31, "one_by_one")
    assert converted == _buckets_bytes(31, 8)
    # Grown from one member: at 29 the 4 buckets doubled, and two lookups moved 2 of them.
    assert grown - converted >= HASHTABLE_BUCKET_BYTES * 4 * (1 - 2 / 4)
    assert grown - converted <= HASHTABLE_BUCKET_BYTES * (4 + hashtable_child_buckets(28, 4))


def _straddled(points: tuple[tuple[int, float, int, int], ...], steps: tuple[int, ...]) -> list[int]:
    """Steps some stratum holds both sides of (a count up to the step and one past it)."""
    return [step for step in steps for _, _, low, high in points if low <= step < high]


@pytest.mark.parametrize("arrival", ["commands", "one_by_one"])
def test_a_count_distribution_splits_where_a_valkey_81_table_doubles(arrival: Arrival) -> None:
    members = {"min": 100, "p50": 900, "max": 4000}
    breaks = _count_limits(_set(members), VALKEY_81.defaults, VALKEY_81, arrival)
    growths = (112, 224, 448, 896, 1792, 3584)  # 7 x 2^k in range: the table doubles past each
    powers = (128, 256, 512, 1024, 2048)  # 8 x 2^k: where one-by-one writes leave the old table
    assert set(growths) <= set(breaks)
    if arrival == "one_by_one":
        assert set(powers) <= set(breaks)
    else:  # only the listpack and intset limits among them (128 and 512 members)
        assert set(powers) & set(breaks) == {128, 512}
    points = distribution(_set(members).members, breaks, COUNT_POINTS).points
    assert _straddled(points, growths) == []
    if arrival == "one_by_one":
        assert _straddled(points, powers) == []
    assert sum(weight for _, weight, _, _ in points) == pytest.approx(1.0)


def test_before_81_a_count_distribution_splits_at_the_powers_of_two() -> None:
    valkey_80 = engine_profile("valkey", "8.0")
    breaks = _count_limits(_set({"min": 100, "max": 4000}), valkey_80.defaults, valkey_80, "commands")
    assert {128, 256, 512, 1024, 2048} <= set(breaks)
    assert not {224, 448, 896, 1792, 3584} & set(breaks)
