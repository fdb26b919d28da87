"""Golden files: the plan of every example stack, as JSON and as the Markdown report.

A diff here is a reviewed change, exactly like the sizing diff on a pull request.
To regenerate after an intended change:
    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sizing import load_workload
from sizing.planning.plan import plan_workload
from sizing.render.plan_json import plan_json
from sizing.render.plan_view import render_plan_markdown
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
STACKS = sorted((ROOT / "stacks").glob("*.yaml"))


def _check(path: Path, produced: str) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(produced)
    assert path.exists(), f"missing golden file {path.name}; run with UPDATE_GOLDEN=1"
    assert produced == path.read_text(), f"{path.name} changed; review, then regenerate with UPDATE_GOLDEN=1"


@pytest.mark.parametrize("stack", STACKS, ids=[s.stem for s in STACKS])
def test_plan_json_golden(stack: Path) -> None:
    plans = plan_workload(load_workload(stack))
    _check(GOLDEN / f"{stack.stem}.plan.json", json.dumps(plan_json(plans), indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize("stack", STACKS, ids=[s.stem for s in STACKS])
def test_plan_markdown_golden(stack: Path) -> None:
    _check(GOLDEN / f"{stack.stem}.plan.md", render_plan_markdown(plan_workload(load_workload(stack))))
