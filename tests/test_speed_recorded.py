"""The recorded speed runs (benchmarks/measurements/speed/) hold what their scripts printed.

Not timed: the numbers are what ``benchmarks/scaling.py`` and ``benchmarks/estimate_speed.py``
measured when recorded (the README quotes them); this re-derives what each run computed
from its own points, so an edited number or a stale exponent shows.
To refresh:
    python benchmarks/scaling.py --out benchmarks/measurements/speed/scaling.json
    SCALING_CHECKOUT=DIR python benchmarks/scaling.py --out benchmarks/measurements/speed/scaling-before.json
    python benchmarks/estimate_speed.py --out benchmarks/measurements/speed/estimate.json
"""

from __future__ import annotations

import json

import pytest

from benchmarks.scaling import exponent
from tests.conftest import ROOT

SPEED = ROOT / "benchmarks" / "measurements" / "speed"
SCALING = sorted(SPEED.glob("scaling*.json"))


@pytest.mark.parametrize("path", SCALING, ids=[p.stem for p in SCALING])
def test_each_scaling_series_has_the_exponent_of_its_points(path) -> None:  # type: ignore[no-untyped-def]
    recorded = json.loads(path.read_text())
    assert recorded["series"], path.name
    for name, series in recorded["series"].items():
        points = series["points"]
        assert [p["size"] for p in points] == sorted(p["size"] for p in points), name
        for point in points:
            assert point["plan_seconds"] == pytest.approx(point["seconds"] - point["floor_seconds"])
        assert series["time_exponent"] == pytest.approx(exponent([(p["size"], p["plan_seconds"]) for p in points]))
        assert series["rss_exponent"] == pytest.approx(exponent([(p["size"], p["peak_rss_mb"]) for p in points]))


def test_the_estimate_run_has_five_times_per_size() -> None:
    recorded = json.loads((SPEED / "estimate.json").read_text())
    assert {(row["keyspaces"], row["sizes"]) for row in recorded["model"]} == {
        (size, sizes) for size in (10, 100, 1000) for sizes in ("exact sizes", "sizes that vary")}
    assert all(len(row["seconds"]) == 5 and min(row["seconds"]) > 0 for row in recorded["model"])
    assert len(recorded["command_with_start_up"]["seconds"]) == 5
