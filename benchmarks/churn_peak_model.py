"""The peak fragmentation model (``sizing/planning/fragmentation.py``) against every recorded
churn: each case of ``benchmarks/churn_peak.py`` and each capacity check of
``benchmarks/capacity_check.py``, with its error, and the planning margin it implies.

    python benchmarks/churn_peak_model.py [--json benchmarks/measurements/churn_peak_model.json] [--markdown]

The quantity is ``peak_ratio_net``: peak RSS during churn over the dataset, both net of the
empty server. The model is mechanistic (``sizing/planning/slabs.py``: each size class keeps
its high-water mark of value bytes): nothing in it is fitted to these cases except ``BASE``
(RSS beyond used_memory right after the load, read from the cases whose sizes do not move)
and the engine terms. The margin is the largest shortfall on the churn-peak cases, rounded
up; the capacity checks, run by ``verify --plan`` on planned nodes with the loader of
``sizing/live/churn.py``, are held out of it and shown apart.

For a churn-peak case the model is given what the case loaded: its keys, its value lengths
(``churn_peak.py``'s spread around the class size) and its rewrites:

    relative    'vary', with the case's own factor (the spread scaled to mean 1)
    fresh       'unchanged' (the population of sizes is kept)
    from_mean   'reshaped', from the spread's mean to the spread
    analytical  'unchanged' (collections rebuilt from the same population)

and the measured dataset, so that only the fragmentation model is judged here.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path
from statistics import NormalDist
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.churn_peak import LOGNORMAL_SIGMA, SIZE_CLASS_BYTES, UNIFORM_SPREADS, mean_size
from sizing.memory.engines import engine_profile
from sizing.planning import fragmentation as frag
from sizing.planning.estimate import dataset_model
from sizing.planning.slabs import Kernel, Population, population, relative_bin, stranded_bytes, value_keyspace
from sizing.spec.workload import Cluster

CHURN_DIR = ROOT / "benchmarks" / "measurements" / "churn_peak"
CAPACITY_DIRS = (ROOT / "benchmarks" / "measurements" / "capacity",
                 ROOT / "benchmarks" / "measurements" / "capacity" / "exact-sizes",
                 ROOT / "benchmarks" / "measurements" / "capacity" / "month")
DEFAULT_JSON = ROOT / "benchmarks" / "measurements" / "churn_peak_model.json"
SPREAD_POINTS = 128
"""Strata of a case's spread (its value lengths are drawn from it)."""
BUILD_ENGINES = {"redis-6.2": ("redis", "6.2", "upstream"), "redis-7.0": ("redis", "7.0", "upstream"),
                 "redis-7.0-debian": ("redis", "7.0", "debian"), "valkey-7.2": ("valkey", "7.2", "upstream"),
                 "valkey-8.0": ("valkey", "8.0", "upstream"), "valkey-8.1": ("valkey", "8.1", "upstream"),
                 "valkey-9.1": ("valkey", "9.1", "upstream")}
"""The memory profile and allocator of each measured build."""


def spread_points(spread: str, centre: int) -> list[tuple[float, float]]:
    """(length, weight) strata of churn_peak.py's ``size_draw``."""
    n = SPREAD_POINTS
    if spread == "lognormal":
        normal = NormalDist(0.0, LOGNORMAL_SIGMA)
        return [(max(centre / 4, min(centre * 4, centre * math.exp(normal.inv_cdf((i + 0.5) / n)))), 1 / n)
                for i in range(n)]
    low, high = UNIFORM_SPREADS[spread]
    return [(centre * (low + (high - low) * (i + 0.5) / n), 1 / n) for i in range(n)]


def kernel_of(points: list[tuple[float, float]], mean: float) -> Kernel:
    taps: dict[int, float] = {}
    for length, weight in points:
        shift = relative_bin(length / mean)
        taps[shift] = taps.get(shift, 0.0) + weight
    return tuple(sorted(taps.items()))


def churn_prediction(build: str, r: dict[str, Any]) -> float:
    """The model's peak ratio for one churn_peak.py record, before the margin."""
    engine, version, allocator = BUILD_ENGINES[build]
    profile = engine_profile(engine, version, allocator)
    centre = SIZE_CLASS_BYTES[r["size_class"]]
    mean = mean_size(r["spread"], centre)
    keys = r["keys_loaded"]
    pts = spread_points(r["spread"], centre)
    sizes, kernel, target = "unchanged", None, None
    load: Population = population(pts, mean)
    if r["pattern"] == "analytical" or r["spread"] == "fixed" or r["resize"] == "fresh":
        pass
    elif r["resize"] == "from_mean":
        sizes, load, target = "reshaped", population([(mean, 1.0)], mean), population(pts, mean)
    else:
        sizes, kernel = "vary", kernel_of(pts, mean)
    values = [] if r["pattern"] == "analytical" else [
        value_keyspace(keys, mean, load, lambda n: frag.value_allocation_bytes(n, profile))]
    stranded = stranded_bytes(values, sizes, r["churn"], kernel, target) / r["dataset_bytes"]
    data_class = frag.size_class(r["dataset_bytes"] / max(1, r["units"]))
    large = frag.large_value_share(values) if values else 0.0
    return frag.peak_ratio(data_class, stranded, profile.keyspace_layout == "hashtable", engine == "redis",
                           large) - frag.PLANNING_MARGIN


def capacity_prediction(build: str, r: dict[str, Any]) -> float:
    """The model's peak ratio at the passes a capacity check ran, before the margin."""
    engine, version, allocator = BUILD_ENGINES[build]
    cluster = Cluster.model_validate(r["stack"])
    shaped = cluster.variant(cluster_mode="enabled" if r["cluster_mode"] else "disabled")
    model = dataset_model(shaped, allocator)
    return frag.peak_ratio_at(shaped, engine_profile(engine, version, allocator), model,
                              r["passes"]) - frag.PLANNING_MARGIN


def group(r: dict[str, Any]) -> str:
    if r.get("defrag"):
        return "defrag on (model without defrag)"
    if r.get("rate"):
        return "slowed churn"
    if r.get("maxmemory"):
        return "maxmemory 1.15x (OOM check)"
    return "churn peak"


def rows() -> list[dict[str, Any]]:
    out = []
    for path in sorted(CHURN_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        for r in data["records"]:
            if "peak_ratio_net" not in r:
                continue  # a build that refused the case (activedefrag on Debian's jemalloc)
            predicted = churn_prediction(data["build"], r)
            out.append({"build": data["build"], "case": r["case"], "group": group(r),
                        "measured": round(r["peak_ratio_net"], 4), "predicted": round(predicted, 4),
                        "error": round(predicted - r["peak_ratio_net"], 4)})
    for directory in CAPACITY_DIRS:
        for path in sorted(directory.glob("*.json")):
            data = json.loads(path.read_text())
            for r in data["records"]:
                predicted = capacity_prediction(data["build"], r)
                out.append({"build": data["build"], "case": f"capacity {r['write_pattern']} {r['data']}",
                            "group": "capacity check (held out)", "measured": r["peak_ratio_measured"],
                            "predicted": round(predicted, 4),
                            "error": round(predicted - r["peak_ratio_measured"], 4)})
    return out


def margin_needed(table: list[dict[str, Any]]) -> float:
    """The largest shortfall on the churn-peak cases (defrag off, any pace, any maxmemory)."""
    return max(0.0, -min(float(row["error"]) for row in table if row["group"] != "capacity check (held out)"))


def summary(table: list[dict[str, Any]]) -> str:
    lines = ["| group | cases | median |error| | max shortfall | max excess |", "|---|---:|---:|---:|---:|"]
    for name in sorted({row["group"] for row in table}):
        errors = [row["error"] for row in table if row["group"] == name]
        lines.append(f"| {name} | {len(errors)} | {statistics.median(abs(e) for e in errors):.3f} | "
                     f"{max(0.0, -min(errors)):.3f} | {max(0.0, max(errors)):.3f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="write the rows and the margin here")
    parser.add_argument("--markdown", action="store_true", help="also print every case")
    args = parser.parse_args()
    table = rows()
    print(summary(table))
    print(f"\nmargin needed on the churn-peak cases: {margin_needed(table):.4f} "
          f"(PLANNING_MARGIN {frag.PLANNING_MARGIN})")
    if args.markdown:
        print("\n| build | case | group | measured | model | error |\n|---|---|---|---:|---:|---:|")
        for row in sorted(table, key=lambda row: row["error"]):
            print(f"| {row['build']} | {row['case']} | {row['group']} | {row['measured']:.3f} | "
                  f"{row['predicted']:.3f} | {row['error']:+.3f} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"planning_margin": frag.PLANNING_MARGIN,
                                               "margin_needed": round(margin_needed(table), 4), "rows": table},
                                              indent=1) + "\n")


if __name__ == "__main__":
    main()
