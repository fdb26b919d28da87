"""The plain constructor (``StrictLoader._plain``) reads every document as the safe
constructor does: the same values, the same refusals, the same errors; and the shape it
counts as it builds is the one ``shape`` finds."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sizing.spec import strict_yaml
from sizing.spec.strict_yaml import StrictLoader


class _SafeConstructed(StrictLoader):
    """The strict loader with the safe constructor for every document."""

    def construct_document(self, node: yaml.Node) -> Any:
        return yaml.constructor.BaseConstructor.construct_document(self, node)


def _read(loader: type[StrictLoader], text: str) -> tuple[str, Any]:
    reader = loader(text)
    try:
        data = reader.get_single_data()
    except yaml.YAMLError as exc:
        return "error", strict_yaml.problem(exc, text)
    finally:
        reader.dispose()
    return "read", (data, sorted((r.problem_mark.line, r.problem_mark.column, r.problem) for r in reader.refusals))


SCALARS = st.sampled_from(["0", "007", "1_000", "1:30", "0x1F", "-2.5", "1e3", ".inf", "yes", "off", "~", "null",
                           "''", "'012'", "text", "\"quoted\"", "!!str 12", "!!int 12", "!!int abc", "!!float x",
                           "2024-01-02", "!!binary aGk=", "&a 5", "*a", "[1, *a]", "{}", "[]", "'multi\n  line'"])
KEYS = st.sampled_from(["a", "b", "keys", "1", "007", "<<", "~", "true", "'a'", "[1]", "? x"])


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    """Block YAML, small, with the values a hand-written file might hold, repeated keys,
    merges, anchors and aliases included."""
    indent = "  " * depth
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(KEYS)
        if depth < 3 and draw(st.booleans()):
            child = draw(documents(depth + 1))
            lines.append(f"{indent}{key}:\n{child}")
        elif depth < 3 and draw(st.booleans()):
            items = draw(st.lists(SCALARS, min_size=1, max_size=3))
            lines.append(f"{indent}{key}:\n" + "\n".join(f"{indent}  - {item}" for item in items))
        else:
            lines.append(f"{indent}{key}: {draw(SCALARS)}")
    return "\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(documents())
@example("a:\n  x: 1\n  x: 2\nb: 007\n")  # the safe constructor reads nested mappings last
def test_plain_and_safe_constructors_read_alike(text: str) -> None:
    assert _read(StrictLoader, text) == _read(_SafeConstructed, text)


def test_a_stack_file_is_read_by_the_plain_constructor() -> None:
    text = "clusters:\n  - name: a\n    keyspaces:\n      - {name: k, keys: 1_000, ttl: 0.5, numeric: true}\n"
    reader = StrictLoader(text)
    node = reader.get_single_node()
    assert reader._plain(node, set(), 1) == {"clusters": [{"name": "a", "keyspaces": [
        {"name": "k", "keys": 1000, "ttl": 0.5, "numeric": True}]}]}
    reader.dispose()


@pytest.mark.parametrize(("text", "says"), [
    ("1: a\ntrue: b\n", "key 'true' reads as the same key as '1' (line 1)"),
    ("100: 0.5\n100.0: 0.5\n", "key '100.0' reads as the same key as '100' (line 1)"),
    ("null: 1\n~: 2\n", "key '~' reads as the same key as 'null' (line 1)"),
    ("x: &v 1\ny: *v\n0: a\nfalse: b\n", "key 'false' reads as the same key as '0' (line 3)"),  # the safe constructor's
])
def test_keys_written_apart_that_read_as_one_are_refused_at_the_second(text: str, says: str) -> None:
    with pytest.raises(strict_yaml.Refusals) as caught:
        strict_yaml.load_yaml(text)
    assert says in str(caught.value) and caught.value.problem_mark.line == text.count("\n") - 1


def test_refusals_are_reported_in_file_order() -> None:
    try:
        strict_yaml.load_yaml("a:\n  x: 1\n  x: 2\nb: 007\n")
    except strict_yaml.Refusals as refusals:
        assert [r.problem_mark.line for r in refusals.problems] == [2, 3]
    else:
        raise AssertionError("not refused")


@settings(max_examples=300, deadline=None)
@given(documents())
@example("5")
@example("[]")
@example("- - - 1\n")
@example("1:\n  a: 0\ntrue: 0")  # two keys that read as one: refused, never shaped
def test_the_plain_constructor_counts_the_shape_walked_afterwards(text: str) -> None:
    reader = StrictLoader(text)
    try:
        data = reader.get_single_data()
    except yaml.YAMLError:
        return
    finally:
        reader.dispose()
    if reader.plain_shape is not None and not reader.refusals:  # a refused document is never shaped
        assert reader.plain_shape == strict_yaml.shape(data)
