"""A move between nodes and serverless in the sizing diff: a new cache, and its data to migrate.

To regenerate the golden comment after an intended change:
    UPDATE_GOLDEN=1 python -m pytest tests/test_serverless_diff.py
"""

from __future__ import annotations

import copy
import os
from typing import Any

import yaml

from sizing.render.diff_view import render_diff_markdown
from sizing.review.diff import Impact, WorkloadDiff, diff_workloads
from sizing.workloads import parse_workload
from tests.conftest import ROOT

BASE = yaml.safe_load((ROOT / "tests/diff/base.yaml").read_text())
GOLDEN = ROOT / "tests/golden/diff/move-to-serverless.md"


def _diff(base: dict[str, Any], head: dict[str, Any]) -> WorkloadDiff:
    return diff_workloads(parse_workload(yaml.safe_dump(base), "base.yaml"),
                          parse_workload(yaml.safe_dump(head), "head.yaml"), "main", "serverless")


def _to_serverless(spec: dict[str, Any]) -> dict[str, Any]:
    moved = copy.deepcopy(spec)
    catalog = next(c for c in moved["clusters"] if c["name"] == "catalog")
    catalog["deployment"] = "serverless"
    return moved


def test_nodes_to_serverless_is_a_new_cache_with_its_data_to_migrate() -> None:
    result = _diff(BASE, _to_serverless(BASE))
    catalog = next(c for c in result.clusters if c.name == "catalog")
    assert catalog.impact is Impact.replacement and result.clusters[0].name == "catalog"
    assert [c.field for c in catalog.changes] == ["deployment"]
    change = catalog.changes[0]
    assert change.before.startswith("nodes (cache.r7g") and change.after == "serverless (valkey 8)"
    assert "restoring a backup" in change.note and "new endpoint" in change.note
    assert catalog.before is not None and catalog.after is not None
    assert catalog.data_moved_bytes == catalog.before.dataset_bytes > 0
    assert catalog.after.deployment == "serverless" and catalog.after.monthly_usd != catalog.before.monthly_usd
    text = render_diff_markdown(result, "shop")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_serverless_back_to_nodes_and_limit_changes() -> None:
    serverless = _to_serverless(BASE)
    back = _diff(serverless, BASE)
    catalog = next(c for c in back.clusters if c.name == "catalog")
    assert catalog.impact is Impact.replacement and catalog.changes[0].after.startswith("nodes (")
    grown = copy.deepcopy(serverless)
    next(c for c in grown["clusters"] if c["name"] == "catalog")["keyspaces"][0]["keys"] = 40_000_000
    limits = next(c for c in _diff(serverless, grown).clusters if c.name == "catalog")
    assert [(c.field, c.impact) for c in limits.changes] == [("usage limits", Impact.in_place)]
    assert limits.data_moved_bytes == 0
