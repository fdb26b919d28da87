"""The estimate's shortcuts give what the long ways do (not timed: benchmarks/estimate_speed.py
prints the times).

- memo keys built from a keyspace's fields tell apart what the fields' JSON tells apart,
  so two shapes that differ in one field never share an entry;
- a field's distribution found by the field's identity is the one its JSON gives;
- the table of class sums, and SDS headers by comparison, equal the rules they replace.
"""

from __future__ import annotations

import bisect

import pytest

from sizing.memory.allocator import DENSE_SUM_BYTES, _class_sum, _class_table, _dense_sums
from sizing.memory.distribution import LENGTH_BREAKS, distribution
from sizing.memory.encodings import sds_header_bytes
from sizing.memory.memo import clear_memos, shape_key
from sizing.memory.values import _Hash, value_structure
from sizing.planning.estimate import dataset_model
from sizing.spec.distribution import Histogram, Quantiles
from sizing.spec.workload import HashKeyspace, StringKeyspace
from tests.conftest import cluster

HASH = {"name": "h", "keys": 1000, "key_bytes": 16, "type": "hash", "fields": {"p50": 20, "max": 300},
        "field_bytes": {"min": 4, "max": 14},
        "value_bytes": {"histogram": [{"up_to": 40, "share": 0.9}, {"up_to": 300, "share": 0.1}]}}


def _hash(**changes: object) -> HashKeyspace:
    return HashKeyspace.model_validate({**HASH, **changes})


@pytest.mark.parametrize("changes", [
    {"value_bytes": {"histogram": [{"up_to": 40, "share": 0.8}, {"up_to": 300, "share": 0.2}]}},
    {"value_bytes": {"histogram": [{"up_to": 41, "share": 0.9}, {"up_to": 300, "share": 0.1}]}},
    {"field_bytes": {"min": 4, "max": 15}},
    {"field_bytes": {"min": 4, "p50": 9, "max": 14}},
    {"numeric": {"share": 0.5, "digits": {"max": 7}}},
    {"numeric": {"share": 0.5, "digits": {"max": 8}}},
    {"numeric_fields": 0.25},
    {"value_bytes": 40},
])
def test_shapes_that_differ_in_one_field_have_different_keys_and_costs(changes: dict[str, object]) -> None:
    base, other = _hash(), _hash(**changes)
    assert shape_key(base, _Hash.ELEMENT_FIELDS) != shape_key(other, _Hash.ELEMENT_FIELDS)
    model = dataset_model(cluster({k: v for k, v in HASH.items() if k != "name"}))
    profile, limits = model.profile, model.limits
    warm = value_structure(other, profile, limits, "commands")
    clear_memos()
    assert value_structure(other, profile, limits, "commands") == warm  # what the warm memo gave is the cold figure
    assert warm != value_structure(base, profile, limits, "commands")


def test_keys_ignore_the_fields_left_out_and_keep_types_apart() -> None:
    assert shape_key(_hash(name="a", keys=5), _Hash.ELEMENT_FIELDS) == shape_key(_hash(), _Hash.ELEMENT_FIELDS)
    strings = [StringKeyspace.model_validate({"name": "s", "keys": 10, "key_bytes": 8, "type": "string",
                                              "value_bytes": 10, "ttl": ttl}) for ttl in (True, 1.0, 0.3, 0.30000000000000004)]
    keys = {shape_key(s, frozenset({"ttl", "value_bytes"})) for s in strings}
    assert len(keys) == len(strings)
    seven, eight = ({"share": 0.5, "digits": {"max": digits}} for digits in (7, 8))
    assert shape_key(_hash(numeric=seven), _Hash.ELEMENT_FIELDS) != shape_key(_hash(numeric=eight), _Hash.ELEMENT_FIELDS)


def test_a_distribution_by_identity_is_the_one_its_json_gives() -> None:
    wide = Quantiles(p50=300, p90=1200, max=20_000)
    same = Quantiles(p50=300, p90=1200, max=20_000)
    first = distribution(wide, LENGTH_BREAKS)
    assert distribution(wide, LENGTH_BREAKS) is first
    assert distribution(same, LENGTH_BREAKS) is first  # another object, the same JSON
    assert distribution(wide, LENGTH_BREAKS + (64,)) != first  # other breaks, another distribution
    assert distribution(Quantiles(p50=301, p90=1200, max=20_000), LENGTH_BREAKS).points != first.points
    histogram = Histogram.model_validate({"histogram": [{"up_to": 300, "share": 1.0}]})
    assert distribution(histogram).points != distribution(Quantiles(min=1, max=300)).points


@pytest.mark.parametrize("quantum", [8, 16])
def test_the_class_sum_table_is_the_sum_of_classes(quantum: int) -> None:
    classes, sums = _class_table(quantum)
    table = _dense_sums(quantum)
    assert len(table) == DENSE_SUM_BYTES + 1 and table[0] == 0
    for request in range(1, DENSE_SUM_BYTES + 1):
        at = bisect.bisect_left(classes, request)
        below = classes[at - 1] if at else 0
        assert table[request] == (sums[at - 1] if at else 0) + (request - below) * classes[at]
    assert _class_sum(DENSE_SUM_BYTES + 1, quantum) - _class_sum(DENSE_SUM_BYTES, quantum) == classes[
        bisect.bisect_left(classes, DENSE_SUM_BYTES + 1)]


def test_sds_headers_by_comparison_follow_sds_req_type() -> None:
    rules = {"redis": (32, 256, 65_536, 2**32), "valkey8": (32, 256 - 4, 65_536 - 6, 2**32 - 10)}
    for rule, limits in rules.items():
        for limit in limits:
            for length in (limit - 1, limit):
                expected = next((header for header, bound in zip((1, 3, 5, 9), limits) if length < bound), 17)
                assert sds_header_bytes(length, rule) == expected  # type: ignore[arg-type]
