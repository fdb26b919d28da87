"""What the speed work must not change: the commands' JSON bytes, and what ``plan`` loads.

``sizing.render.json_text.dumps`` stands in for ``json.dumps(value, indent=2)`` in ``plan``,
``estimate`` and ``diff``; it must write the same text for every value. ``plan`` must not
load the live-server client, tracing or Pulumi, which it never uses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sizing import load_workload
from sizing.planning.estimate import estimate_workload
from sizing.planning.plan import plan_workload
from sizing.render.estimate_view import estimate_json
from sizing.render.json_text import dumps, write_listing
from sizing.render.plan_json import plan_json
from tests.conftest import ROOT

STACKS = sorted((ROOT / "stacks").glob("*.yaml"))

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
           | st.text())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                      | st.dictionaries(st.text(), inner, max_size=4), max_leaves=30)


@given(VALUES)
@settings(max_examples=100, deadline=None)
def test_any_value_is_written_as_json_dumps_writes_it(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=2)


@given(st.lists(VALUES | st.dictionaries(st.integers(), SCALARS, max_size=2), max_size=4))
@settings(max_examples=100, deadline=None)
def test_a_listing_written_item_by_item_is_json_dumps_of_the_whole(items: list[Any]) -> None:
    parts: list[str] = []
    write_listing("clusters", iter(items), parts.append)
    assert "".join(parts) == json.dumps({"clusters": items}, indent=2)


@pytest.mark.parametrize("value", [{1: "a"}, {"a": {None: 1}}, {"a": {2.5: [1]}}, {"a": object}],
                         ids=["int key", "None key", "float key", "a type"])
def test_what_it_does_not_take_is_left_to_json_dumps(value: Any) -> None:
    try:
        expected = json.dumps(value, indent=2)
    except TypeError:
        with pytest.raises(TypeError):
            dumps(value)
    else:
        assert dumps(value) == expected


@pytest.mark.parametrize("stack", STACKS, ids=[s.stem for s in STACKS])
def test_plan_and_estimate_json_are_unchanged(stack: Path) -> None:
    workload = load_workload(stack)
    for document in (plan_json(plan_workload(workload)), estimate_json(estimate_workload(workload))):
        assert dumps(document) == json.dumps(document, indent=2)


def test_plan_loads_neither_the_server_client_nor_tracing_nor_pulumi() -> None:
    script = (
        "import sys, contextlib, io\n"
        "from sizing.cli import main\n"
        f"sys.argv = ['sizing', 'plan', {str(STACKS[0])!r}, '--json']\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('redis', 'opentelemetry', 'pulumi', 'pulumi_aws')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout
