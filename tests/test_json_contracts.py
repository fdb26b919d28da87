"""The JSON the CLI prints parses with a strict parser (no NaN or Infinity: JavaScript's
JSON.parse and most others reject them)."""

from __future__ import annotations

import json
from typing import Any

from sizing import load_workload
from sizing.planning.plan import plan_workload
from sizing.render.plan_json import plan_json
from sizing.render.terminal import diff_json
from sizing.review.diff import diff_workloads
from tests.conftest import ROOT


def strict(document: Any) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(json.dumps(document, allow_nan=True), parse_constant=refuse)


def test_plans_are_strict_json() -> None:
    for stack in ("social", "checkout"):
        plans = strict(plan_json(plan_workload(load_workload(ROOT / f"stacks/{stack}.yaml"))))
        # Rejections that are not a matter of capacity have no shortfall, rather than Infinity.
        assert any(r["shortfall"] is None for c in plans["clusters"] for r in c["rejected"])


def test_a_diff_from_nothing_is_strict_json() -> None:
    head = load_workload(ROOT / "tests/diff/base.yaml")
    document = strict(diff_json(diff_workloads(None, head)))
    assert document["monthly_usd_before"] == 0 and document["cost_change_percent"] is None
