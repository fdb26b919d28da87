"""Fit the peak fragmentation model to what ``benchmarks/churn_peak.py`` recorded, and print
it with its error per case.

    python benchmarks/churn_peak_fit.py [--dir benchmarks/measurements/churn_peak] [--json OUT]

Model (the quantity is ``peak_ratio_net``: peak RSS during churn over the dataset, both net
of the empty server, i.e. what a plan's ``FRAGMENTATION_RATIO`` must be):

    peak = 1 + base[size_class] + moves x shift[resize] x pattern_factor[pattern]
                                  x grow[size_class] x (1 - exp(-churn / tau))

  base[size_class]   RSS beyond used_memory right after the load (jemalloc's slabs,
                     metadata, the keyspace table's pages): no churn needed.
  moves              0 when a rewrite cannot change a value's size class: fixed sizes, or
                     a population of sizes that stays the same (resize 'fresh': only which
                     key holds which size changes, so every freed slot is reused);
                     1 otherwise.
  shift[resize]      how far the population of sizes moves per pass: 'relative' (every
                     key's size changes by the spread, so sizes drift apart) is 1 by
                     definition; 'from_mean' (written at one size, rewritten with the
                     spread) is fitted.
  pattern_factor     mixed is 1; read_heavy (overwrites only) and write_heavy (plus
                     short-lived keys) are fitted.
  grow[size_class]   the extra fragmentation a class reaches when churn goes on (the
                     asymptote): old slabs keep a page as long as one value in them lives.
  tau                passes over the keyspace for the churn term to reach 63% of it.

The spread's width (+-25% or +-50%, log-normal) is deliberately not an input: rewrites
that change a size by even +-25% move a small value to another size class (classes are
12-25% apart), and the measurements at +-25% and +-50% agree within a few points; the
spreads +-25% and -50..+100% are held out of the fit to show it.

Fitted on the builds measured with the full grid (FIT_BUILDS), activedefrag off, the
client's own pace and no maxmemory, except the held-out spreads and 1 and 3 passes;
evaluated on everything, grouped so that the held-out error is visible: other builds,
held-out spreads, churn 1 (between fitted points) and 3 (beyond them), and, with the
no-defrag model, the defrag, slowed and maxmemory cases.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizing.planning.capacity import FRAGMENTATION_RATIO

DEFAULT_DIR = ROOT / "benchmarks" / "measurements" / "churn_peak"
FIT_BUILDS = ("valkey-8.1", "redis-7.0")
"""The builds run with the full grid (benchmarks/churn_peak.py --grid full)."""
HELD_OUT_SPREADS = ("pm25", "m50p100")
HELD_OUT_CHURN = (1.0, 3.0)
CLASSES = ("small", "large", "crossing")
PARAMETERS = ("base_small", "base_large", "base_crossing", "grow_small", "grow_large", "grow_crossing",
              "tau", "shift_from_mean", "factor_read_heavy", "factor_write_heavy")
START = (0.02, 0.01, 0.01, 0.4, 0.1, 0.1, 1.5, 1.5, 1.0, 1.0)
"""Nelder-Mead's starting point: the first measurements' rough values."""


def peak(record: dict[str, Any]) -> float:
    return float(record["peak_ratio_net"])


def predict(p: dict[str, float], r: dict[str, Any]) -> float:
    moves = r["spread"] != "fixed" and r["resize"] != "fresh" and r["pattern"] != "analytical"
    churn_term = 0.0
    if moves:
        shift = p["shift_from_mean"] if r["resize"] == "from_mean" else 1.0
        factor = p.get(f"factor_{r['pattern']}", 1.0)
        churn_term = shift * factor * p[f"grow_{r['size_class']}"] * (1 - math.exp(-r["churn"] / p["tau"]))
    return 1 + p[f"base_{r['size_class']}"] + churn_term


def group(r: dict[str, Any]) -> str:
    """Which evaluation set a record belongs to."""
    if r["defrag"]:
        return "defrag on (no-defrag model)"
    if r["rate"]:
        return "slowed churn"
    if r["maxmemory"]:
        return "maxmemory 1.15x (OOM check)"
    if r["build"] not in FIT_BUILDS:
        return "held out: other builds"
    if r["spread"] in HELD_OUT_SPREADS:
        return "held out: spreads"
    if r["churn"] in HELD_OUT_CHURN:
        return "held out: churn 1 and 3"
    return "fitted"


def nelder_mead(f: Callable[[Sequence[float]], float], start: Sequence[float], steps: int = 4000) -> list[float]:
    """Minimise ``f`` (no numeric library is a dependency of the project)."""
    n = len(start)
    simplex = [list(start)] + [[x + (0.2 * x or 0.01) if i == j else x for i, x in enumerate(start)] for j in range(n)]
    scores = [f(x) for x in simplex]
    for _ in range(steps):
        order = sorted(range(n + 1), key=scores.__getitem__)
        simplex, scores = [simplex[i] for i in order], [scores[i] for i in order]
        centre = [sum(x[i] for x in simplex[:-1]) / n for i in range(n)]
        worst = simplex[-1]
        reflected = [c + (c - w) for c, w in zip(centre, worst)]
        fr = f(reflected)
        if fr < scores[0]:
            expanded = [c + 2 * (c - w) for c, w in zip(centre, worst)]
            fe = f(expanded)
            simplex[-1], scores[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < scores[-2]:
            simplex[-1], scores[-1] = reflected, fr
        else:
            contracted = [c + 0.5 * (w - c) for c, w in zip(centre, worst)]
            fc = f(contracted)
            if fc < scores[-1]:
                simplex[-1], scores[-1] = contracted, fc
            else:
                best = simplex[0]
                simplex = [best] + [[b + 0.5 * (x - b) for b, x in zip(best, s)] for s in simplex[1:]]
                scores = [scores[0]] + [f(x) for x in simplex[1:]]
    return simplex[min(range(n + 1), key=scores.__getitem__)]


def fit(records: list[dict[str, Any]]) -> dict[str, float]:
    def loss(values: Sequence[float]) -> float:
        p = dict(zip(PARAMETERS, values))
        if p["tau"] <= 0.05:
            return 1e9
        return sum((predict(p, r) - peak(r)) ** 2 for r in records)

    return dict(zip(PARAMETERS, nelder_mead(loss, START)))


def load(directory: Path) -> list[dict[str, Any]]:
    records = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text())
        for r in data["records"]:
            if "peak_ratio_net" in r:
                records.append(r | {"build": data["build"]})
    return records


def budget(pattern: str) -> float:
    return FRAGMENTATION_RATIO[pattern]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default=str(DEFAULT_DIR))
    parser.add_argument("--json", help="also write the coefficients and per-case errors here")
    args = parser.parse_args()
    records = load(Path(args.dir))
    fitted = [r for r in records if group(r) == "fitted"]
    p = fit(fitted)
    print(f"Coefficients (fitted on {len(fitted)} cases of {', '.join(FIT_BUILDS)}):")
    for name in PARAMETERS:
        print(f"  {name:20s} {p[name]:.4f}")
    rows = []
    for r in records:
        predicted = predict(p, r)
        rows.append({"build": r["build"], "case": r["case"], "group": group(r), "measured": peak(r),
                     "predicted": round(predicted, 4), "error": round(predicted - peak(r), 4),
                     "budget": budget(r["pattern"])})
    print(f"\n{'build':17s} {'case':58s} {'measured':>8s} {'model':>6s} {'error':>6s} {'budget':>6s}  group")
    for row in sorted(rows, key=lambda x: (x["group"], x["build"], x["case"])):
        print(f"{row['build']:17s} {row['case']:58s} {row['measured']:8.3f} {row['predicted']:6.3f} "
              f"{row['error']:+6.3f} {row['budget']:6.2f}  {row['group']}")
    print(f"\n{'group':34s} {'cases':>5s} {'median |err|':>12s} {'max |err|':>9s} {'worst under':>11s}")
    for name in sorted({row["group"] for row in rows}):
        errors = [row["error"] for row in rows if row["group"] == name]
        print(f"{name:34s} {len(errors):5d} {statistics.median(abs(e) for e in errors):12.3f} "
              f"{max(abs(e) for e in errors):9.3f} {min(errors):+11.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"coefficients": p, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
