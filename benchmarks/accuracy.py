"""Accuracy of the memory model per case set, engine version and mode, from recorded measurements.

    python benchmarks/accuracy.py            # one table per case set
    python benchmarks/accuracy.py --markdown # the same as Markdown tables (README)

Case sets (benchmarks/measurements/):
    matrix          *.json: accuracy_cases.yaml, hand-chosen cases on each encoding and table
                    boundary; the model is developed on it.
    production      production/*.json: production_cases.yaml, production-shaped data
                    described by quantiles, histograms and shares.
    out-of-sample   random/*.json: random_cases.yaml, generated at random once and never
                    used for tuning.
    development     random_development/*.json: the cluster-mode cases of
                    random_development_cases.yaml (the same generator, another seed), where
                    cluster-mode gaps are looked for instead of in the out-of-sample set.

Each row: the cases measured on a server built from that release's source (and Debian's
redis-server 7.0), the model re-evaluated now, and the median, p95, max |error| and the
signed mean error of the per-case totals.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizing import Workload, estimate_cluster

MEASUREMENTS = ROOT / "benchmarks" / "measurements"
SETS = {"matrix (development set)": MEASUREMENTS, "production-shaped": MEASUREMENTS / "production",
        "out-of-sample (random, never tuned on)": MEASUREMENTS / "random",
        "random development set (cluster-mode cases; the model is tuned on it)": MEASUREMENTS / "random_development"}


def errors_by_row(folder: Path) -> dict[tuple[str, str], list[float]]:
    rows: dict[tuple[str, str], list[float]] = {}
    for path in sorted(folder.glob("*.json")):
        if path.name in ("fragmentation.json", "churn_peak_model.json"):  # fragmentation, not accuracy
            continue
        document = json.loads(path.read_text())
        label = f"{document['server']} ({document['allocator']} jemalloc)"
        for case in document["cases"]:
            cluster = Workload.model_validate({"clusters": [case["definition"]]}).clusters[0]
            mode = "cluster mode" if cluster.cluster_mode_enabled else "standalone"
            predicted = estimate_cluster(cluster, case["allocator"]).dataset_bytes
            measured = case["total"]["measured_bytes"]
            rows.setdefault((label, mode), []).append(100 * (predicted - measured) / measured)
    return rows


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def table(folder: Path) -> list[tuple[str, ...]]:
    lines = []
    for (label, mode), errors in sorted(errors_by_row(folder).items()):
        absolute = [abs(e) for e in errors]
        lines.append((label, mode, str(len(errors)), f"{statistics.median(absolute):.3f}%",
                      f"{percentile(absolute, 0.95):.3f}%", f"{max(absolute):.3f}%", f"{statistics.mean(errors):+.3f}%"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    header = ("server (allocator)", "mode", "cases", "median |error|", "p95 |error|", "max |error|", "mean error")
    for title, folder in SETS.items():
        lines = table(folder)
        if not lines:
            continue
        print(f"\n{'**' + title + '**' if args.markdown else title}\n")
        if args.markdown:
            print("| " + " | ".join(header) + " |")
            print("|" + "---|" * len(header))
            for line in lines:
                print("| " + " | ".join(line) + " |")
        else:
            widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
            for line in [header, *lines]:
                print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)))


if __name__ == "__main__":
    main()
