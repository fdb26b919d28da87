"""How ``plan`` grows with the fleet: time and peak memory, with the growth exponent fitted.

    python benchmarks/scaling.py [--clusters 100,250,500,1000,2500,5000] [--keyspaces 1,10,30,100]
                                 [--runs 5] [--out benchmarks/measurements/scaling.json]

Two series, each point a fresh process running ``python -m sizing plan FILE --json``
(recommendations on, output discarded):
  clusters    fleets of benchmarks/plan_speed.py (1-6 keyspaces each) of each size;
  keyspaces   100 clusters of that fleet with the given keyspaces each, the keys of each
              cluster shared among them (the same data, described in more pieces).
Per point: CPU seconds of that process (its own rusage: the machine is shared, so wall time
is noisy; wall seconds are printed too) and its peak RSS; the floor, another fresh process
that starts, imports the command, sets the collector as the command does and reads the
YAML, and plans nothing; their ratio; and the planning seconds, the command's less the
floor's (``SCALING_CHECKOUT=DIR`` measures another checkout's ``sizing``, for before and
after). The exponent is the slope of log(plan seconds) against log(size): 1 is linear. With
``--runs N`` each point runs N times and shows the run that planned fastest and the median
of each figure. A series of one size records its point under ``points`` (with ``--out``),
no exponent being fitted. ``--workers N`` plans on N processes (default 1, one core, as the
targets are set; the CPU then counts every worker's, the wall time is what a user waits).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = Path(os.environ.get("SCALING_CHECKOUT", ROOT))
"""The checkout whose ``sizing`` is measured (another one for a before/after comparison)."""
sys.path.insert(0, str(ROOT))

from benchmarks.fresh_process import child_usage, compiled, floor_code, machine_loop_seconds, worker_args

KEYSPACE_FLEET_CLUSTERS = 100


def fleet_with_keyspaces(clusters: int, keyspaces: int, seed: int = 7) -> dict[str, object]:
    """``clusters`` clusters of the plan_speed fleet, each with ``keyspaces`` keyspaces
    sharing the keys one keyspace of it would hold."""
    from benchmarks.plan_speed import SHAPES, fleet

    rng = random.Random(seed)
    base = fleet(clusters, seed).model_dump(mode="json", by_alias=True, exclude_none=True)
    for cluster in base["clusters"]:
        total = sum(k["keys"] for k in cluster["keyspaces"])
        cluster["keyspaces"] = [
            {"name": f"ks{k}", "keys": max(1, total // keyspaces), "key_bytes": rng.randint(10, 60),
             **rng.choice(SHAPES)} for k in range(keyspaces)]
    return base


def fleet_file(folder: Path, series: str, size: int) -> Path:
    import yaml

    from benchmarks.plan_speed import fleet

    definition = (fleet(size).model_dump(mode="json", by_alias=True, exclude_none=True) if series == "clusters"
                  else fleet_with_keyspaces(KEYSPACE_FLEET_CLUSTERS, size))
    path = folder / f"{series}-{size}.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


def exponent(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of log(seconds) against log(size)."""
    xs = [math.log(size) for size, _ in points]
    ys = [math.log(max(seconds, 1e-6)) for _, seconds in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clusters", default="100,250,500,1000,2500,5000")
    parser.add_argument("--keyspaces", default="1,10,30,100")
    parser.add_argument("--runs", type=int, default=1, help="Fresh processes per point (least and median shown).")
    parser.add_argument("--out", help="Also write the points as JSON here.")
    parser.add_argument("--workers", type=int, default=1,
                        help="plan --workers N (default 1: one core, as the targets are set).")
    parser.add_argument("--write", nargs=3, metavar=("SERIES", "SIZE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        fleet_file(Path(args.write[2]), args.write[0], int(args.write[1]))
        return
    compiled(CHECKOUT)
    recorded: dict[str, object] = {"command": "python benchmarks/scaling.py " + " ".join(sys.argv[1:]),
                                   "checkout": str(CHECKOUT),
                                   "date": time.strftime("%Y-%m-%d"), "workers": args.workers,
                                   "machine_loop_seconds": machine_loop_seconds(), "series": {}, "points": {}}
    print(f"machine: 10^7 Python additions in {recorded['machine_loop_seconds']:.2f} s of CPU; plan --workers {args.workers}")
    with tempfile.TemporaryDirectory() as folder:
        for series, sizes in (("clusters", args.clusters), ("keyspaces", args.keyspaces)):
            label = "clusters" if series == "clusters" else f"keyspaces per cluster ({KEYSPACE_FLEET_CLUSTERS} clusters)"
            print(f"\n{label:>38}  {'CPU s':>7}  {'floor':>6}  {'ratio':>6}  {'plan s':>7}  {'wall s':>7}  {'peak RSS':>9}")
            points = []
            for size in (int(s) for s in sizes.split(",") if s):
                path = _written(Path(folder), series, size)
                runs = [_measured(path, args.workers) for _ in range(args.runs)]
                point = _least_and_median(runs)
                points.append({"size": size, **point})
                print(f"{size:>38}  {point['seconds']:>7.2f}  {point['floor_seconds']:>6.2f}  "
                      f"{point['seconds'] / point['floor_seconds']:>6.1f}  {point['plan_seconds']:>7.2f}  "
                      f"{point['wall_seconds']:>7.2f}  {point['peak_rss_mb']:>6.0f} MB")
                if args.runs > 1:
                    print(f"{'median of ' + str(args.runs):>38}  {point['median_seconds']:>7.2f}  "
                          f"{point['median_floor_seconds']:>6.2f}  {'':>6}  {point['median_plan_seconds']:>7.2f}  "
                          f"{point['median_wall_seconds']:>7.2f}  {point['median_peak_rss_mb']:>6.0f} MB")
            if len(points) > 1:
                slope = exponent([(p["size"], p["plan_seconds"]) for p in points])
                memory = exponent([(p["size"], p["peak_rss_mb"]) for p in points])
                print(f"{'growth exponent':>38}  time {slope:.2f}, peak RSS {memory:.2f}")
                recorded["series"][series] = {"points": points, "time_exponent": slope,  # type: ignore[index]
                                              "rss_exponent": memory}
            elif points:  # one size: the points alone, no exponent to fit
                recorded["points"][series] = points  # type: ignore[index]
    if args.out:
        Path(args.out).write_text(json.dumps(recorded, indent=2) + "\n")


def _written(folder: Path, series: str, size: int) -> Path:
    """``fleet_file``, written by a process of its own: a measured process's peak RSS counts
    what its parent held when it was started (Linux keeps the high-water mark across exec),
    and a 100 x 100-keyspace fleet built here took this process to 233 MB."""
    subprocess.run([sys.executable, __file__, "--write", series, str(size), str(folder)], check=True)
    return folder / f"{series}-{size}.yaml"


def _measured(path: Path, workers: int) -> dict[str, float]:
    """One point: the command and its floor, each a fresh process of the measured checkout
    (the command's CPU counts its workers')."""
    floor = child_usage([sys.executable, "-c", floor_code("sizing.cli.plan", path)], CHECKOUT)
    command = child_usage([sys.executable, "-m", "sizing", "plan", str(path), "--json", *worker_args(CHECKOUT, workers)],
                          CHECKOUT)
    for run in (floor, command):
        if run.exit_status not in (0, 2):  # 2: some fleet clusters fit no node type, and are named
            raise SystemExit(f"a measured process of {path} exited with {run.exit_status}")
    return {"seconds": command.cpu_seconds, "floor_seconds": floor.cpu_seconds,
            "plan_seconds": command.cpu_seconds - floor.cpu_seconds, "wall_seconds": command.wall_seconds,
            "peak_rss_mb": command.peak_rss_mb}


def _least_and_median(runs: list[dict[str, float]]) -> dict[str, object]:
    """The run that planned fastest (its figures as measured together), each figure's median
    over the runs as ``median_<figure>``, and every run."""
    point: dict[str, object] = dict(min(runs, key=lambda run: run["plan_seconds"]))
    point.update({f"median_{name}": statistics.median(run[name] for run in runs) for name in runs[0]})
    point["runs"] = runs
    return point


if __name__ == "__main__":
    main()
