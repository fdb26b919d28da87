"""The profiled path on every engine build, as recorded (no server).

``benchmarks/measurements/production_profiled/<build>.json`` holds, for each case of
``benchmarks/production_cases.yaml``, the definition ``python -m sizing profile`` wrote
after reading every key of the case's data on that build, and the dataset it read (see
``benchmarks/profile_accuracy.py --production --out``). The current model re-estimates each
written definition against that dataset: every case within 2% but the known misses named
with their cause, the median of each build within 0.5%, and no case worse than when it was
recorded by more than a small margin.
To refresh a build (or some cases, with ``--only``):
    python benchmarks/profile_accuracy.py --production --out benchmarks/measurements/production_profiled \\
        ENGINE:VERSION:BINARY:ALLOCATOR
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import pytest

from sizing import Workload, estimate_cluster, load_workload
from tests.conftest import ROOT

TOLERANCE_PERCENT = 2.0
MEDIAN_PERCENT = 0.5
"""The claim for production-shaped data described as ``profile`` writes it."""
REGRESSION_MARGIN_PERCENT = 0.05
"""How much worse than recorded a case may get (points of percent), as for the other recordings."""
RECORDED = ROOT / "benchmarks" / "measurements" / "production_profiled"
FILES = sorted(RECORDED.glob("*.json"))
BUILDS = {"redis-6.2", "redis-7.0", "redis-7.0-debian", "valkey-7.2", "valkey-8.0", "valkey-8.1", "valkey-9.1"}
"""Every build the memory model was measured on (README "Which build the model assumes")."""
CASES = {c.name: c for c in load_workload(ROOT / "benchmarks" / "production_cases.yaml").clusters}


_ERRORS: dict[str, float] = {}


def _error_percent(case: dict[str, Any]) -> float:
    """The current model's error for the profiled definition (once per definition)."""
    key = json.dumps(case, sort_keys=True)
    if key not in _ERRORS:
        cluster = Workload.model_validate({"clusters": [case["profiled"]]}).clusters[0]
        predicted = estimate_cluster(cluster, case["allocator"]).dataset_bytes
        _ERRORS[key] = 100 * (predicted - case["measured_bytes"]) / case["measured_bytes"]
    return _ERRORS[key]


def _rows() -> list[tuple[str, dict[str, Any]]]:
    return [(f"{path.stem}/{case['case']}", case) for path in FILES for case in json.loads(path.read_text())["cases"]]


def test_every_build_records_every_case() -> None:
    assert {path.stem for path in FILES} == BUILDS
    for path in FILES:
        document = json.loads(path.read_text())
        assert document["command"].startswith("python benchmarks/profile_accuracy.py --production"), path.name
        assert [c["case"] for c in document["cases"]] == list(CASES), path.name
        engine, version = document["server"].split()
        for case in document["cases"]:
            profiled = case["profiled"]
            assert (profiled["engine"], profiled["engine_version"]) == (engine, ".".join(version.split(".")[:2]))
            assert case["allocator"] == document["allocator"] == ("debian" if path.stem.endswith("debian")
                                                                  else "upstream")
            assert case["keys"] == sum(k.keys for k in CASES[case["case"]].keyspaces), case["case"]


KNOWN_MISSES: dict[str, str] = {}
"""Build/case -> why it misses the 2%: each is still held to its recorded error, and one that
comes within 2% must leave this list."""


@pytest.mark.parametrize(("label", "case"), _rows(), ids=[label for label, _ in _rows()])
def test_profiled_definition_within_two_percent(label: str, case: dict[str, Any]) -> None:
    error = _error_percent(case)
    recorded = 100 * (case["predicted_bytes"] - case["measured_bytes"]) / case["measured_bytes"]
    if label in KNOWN_MISSES:
        assert abs(error) > TOLERANCE_PERCENT, f"{label}: {error:+.2f}% is within 2% now: take it off KNOWN_MISSES"
    else:
        assert abs(error) <= TOLERANCE_PERCENT, f"{label}: {error:+.2f}%"
    assert abs(error) <= abs(recorded) + REGRESSION_MARGIN_PERCENT, (
        f"{label}: {error:+.3f}% was {recorded:+.3f}% when recorded; re-record only if the model changed on purpose")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_median_per_build(path: Path) -> None:
    errors = [abs(_error_percent(case)) for case in json.loads(path.read_text())["cases"]]
    assert statistics.median(errors) <= MEDIAN_PERCENT


WAY_MATTERS_SHARE = 0.02
"""A case's way of writing must be found where the model prices the two ways this far apart
for its own definition: the 2% of the claim. Below it, either may be written."""


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_the_profile_tells_how_collections_were_written(path: Path) -> None:
    """No case written in batches is profiled as written one by one, and a case written one
    element per command is where the way matters (Valkey 7.2+ pre-sizes a table for a
    command's count; Redis 6.2 and 7.0 do not)."""
    document = json.loads(path.read_text())
    engine, version = document["server"].split()
    for case in document["cases"]:
        ways = {k.get("written", "in_batches") for k in case["profiled"]["keyspaces"]}
        definition = CASES[case["case"]].variant(engine=engine, engine_version=".".join(version.split(".")[:2]))
        wanted = {getattr(k, "written", "in_batches") for k in definition.keyspaces}
        if wanted == {"in_batches"}:
            assert ways == {"in_batches"}, f"{path.stem}/{case['case']}: {ways}"
            continue
        batches = definition.variant(keyspaces=[k.model_copy(update={"written": "in_batches"})
                                                for k in definition.keyspaces])
        written, batched = (estimate_cluster(c, case["allocator"]).dataset_bytes for c in (definition, batches))
        if abs(written - batched) > WAY_MATTERS_SHARE * batched:
            assert ways == wanted, f"{path.stem}/{case['case']}: {ways}"


SAME_DATA_PERCENT = 0.25
"""How far the dataset a profile read may be from the one ``benchmarks/measure.py`` measured for
the same case on the same build (the same data, loaded again): at most 0.18% when recorded,
from a load's own spread (zset levels, table timing). A profile that counted its own
connection as data read 37.7 KB more on Valkey 7.2, 1.3% of a small case."""


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_a_profile_reads_the_dataset_measure_py_measured(path: Path) -> None:
    measured = {c["case"]: c["total"]["measured_bytes"]
                for c in json.loads((RECORDED.parent / "production" / path.name).read_text())["cases"]}
    for case in json.loads(path.read_text())["cases"]:
        expected = measured[case["case"]]
        assert abs(case["measured_bytes"] - expected) <= expected * SAME_DATA_PERCENT / 100, case["case"]
