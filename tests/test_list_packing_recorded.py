"""The list model against random lists, from the recorded table (no server, no random lists drawn).

benchmarks/list_packing.py packs random lists by the engine's rule, count by count, for
random element distributions; benchmarks/measurements/list_packing/ records their mean
cost. Re-pricing those counts with the current model is cheap; drawing the lists is not.
To refresh: python benchmarks/list_packing.py --out benchmarks/measurements/list_packing/valkey-8.0.json
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import pytest

from benchmarks.list_packing import error_percent, keyspace, model_bytes
from sizing.memory.engines import engine_profile
from sizing.memory.values import _List
from tests.conftest import ROOT

RECORDED = sorted((ROOT / "benchmarks" / "measurements" / "list_packing").glob("*.json"))
REGRESSION_MARGIN_PERCENT = 0.05
"""As for the servers' recordings: the model changes only on purpose."""
MEDIAN_PERCENT = 0.5
"""The accuracy the README claims for a keyspace, asked of the median single count."""


def _repriced(path: Path) -> list[tuple[dict[str, Any], float]]:
    document = json.loads(path.read_text())
    version = tuple(document["version"])
    profile = engine_profile(*version)
    out = []
    for distribution in document["distributions"]:
        lists = _List(keyspace(distribution["spec"], version), profile, profile.defaults)  # type: ignore[arg-type]
        for row in distribution["counts"]:
            now = {**row, "model_bytes": model_bytes(lists, row["elements"])}
            out.append((row, error_percent(now)))
    return out


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
def test_list_model_matches_random_lists_as_recorded(path: Path) -> None:
    repriced = _repriced(path)
    assert len(repriced) > 100
    for row, now in repriced:
        assert abs(now) <= abs(error_percent(row)) + REGRESSION_MARGIN_PERCENT, row
    assert statistics.median(abs(now) for _, now in repriced) <= MEDIAN_PERCENT
