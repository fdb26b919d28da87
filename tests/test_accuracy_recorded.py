"""The model against every recorded measurement (all engine versions, both modes).

benchmarks/measurements/*.json hold what servers built from each release's source
reported for benchmarks/accuracy_cases.yaml (see benchmarks/measure.py). To refresh:
    python benchmarks/measure.py --server <binary> --out benchmarks/measurements/<engine>-<version>.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sizing import Workload, estimate_cluster
from tests.conftest import ROOT

TOLERANCE_PERCENT = 2.0
"""The claim: every case within 2% of the server."""
REGRESSION_MARGIN_PERCENT = 0.05
"""How much worse than when it was recorded a case's error may get (points of percent): the
model changes only on purpose, so anything more is a regression, however far inside 2%."""
FILES = sorted(p for p in (ROOT / "benchmarks" / "measurements").glob("*.json") if p.name != "fragmentation.json")


def _cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in FILES:
        for case in json.loads(path.read_text())["cases"]:
            out.append((f"{path.stem}/{case['case']}", case))
    return out


def test_every_version_is_recorded() -> None:
    recorded = {json.loads(p.read_text())["server"].rsplit(".", 1)[0] for p in FILES}
    assert {"redis 7.0", "valkey 7.2", "valkey 8.0", "valkey 8.1"} <= recorded


def _error_percent(predicted: float, measured: float) -> float:
    return 100 * (predicted - measured) / measured


def _check(label: str, predicted: int, row: dict[str, Any]) -> None:
    """Within 2%, and no worse than the error recorded with the measurement plus the margin."""
    error = _error_percent(predicted, row["measured_bytes"])
    recorded = _error_percent(row["predicted_bytes"], row["measured_bytes"])
    assert abs(error) <= TOLERANCE_PERCENT, f"{label}: predicted {predicted:,} measured {row['measured_bytes']:,}"
    assert abs(error) <= abs(recorded) + REGRESSION_MARGIN_PERCENT, (
        f"{label}: error {error:+.3f}% was {recorded:+.3f}% when recorded (predicted {predicted:,}, "
        f"then {row['predicted_bytes']:,}); re-record only if the model changed on purpose")


@pytest.mark.parametrize(("label", "case"), _cases(), ids=[label for label, _ in _cases()])
def test_recorded_case_within_its_recorded_error(label: str, case: dict[str, Any]) -> None:
    cluster = Workload.model_validate({"clusters": [case["definition"]]}).clusters[0]
    _check(label, estimate_cluster(cluster, case["allocator"]).dataset_bytes, case["total"])
    if len(case["keyspaces"]) > 1:
        for keyspace in case["keyspaces"]:
            alone = cluster.variant(keyspaces=[k for k in cluster.keyspaces if k.name == keyspace["name"]])
            _check(f"{label}/{keyspace['name']}", estimate_cluster(alone, case["allocator"]).dataset_bytes, keyspace)


def test_recorded_cases_cover_the_suite() -> None:
    from sizing import load_workload

    names = {c.name for c in load_workload(ROOT / "benchmarks" / "accuracy_cases.yaml").clusters}
    assert len(names) >= 25
    for path in FILES:
        recorded = {c["case"] for c in json.loads(path.read_text())["cases"]}
        assert recorded == names, f"{path.name} is missing {sorted(names - recorded)}"


def test_files_say_how_they_were_made() -> None:
    for path in FILES:
        document = json.loads(Path(path).read_text())
        assert document["command"].startswith("python benchmarks/measure.py")
