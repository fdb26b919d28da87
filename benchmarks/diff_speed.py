"""Time to diff two 1,000-cluster fleet files (target: under 1.5 s here).

    python benchmarks/diff_speed.py [--runs 5] [--shares 0.1,1.0] [--out FILE.json]

Writes the fleet of benchmarks/plan_speed.py as a base file and a head file in which a
share of the clusters changed (10% grown by half, the shape of a busy pull request; then
every cluster changed, the worst case), and times ``python -m sizing diff`` end to end,
each run a fresh process: both files loaded and validated, both sides planned, compared
and rendered, on one process unless ``--workers`` says more. CPU seconds (the machine is
shared), least and median of the runs, beside the floor measured in the same run: a process
that imports the command, sets the collector as the command does, loads and validates both
files, and plans nothing.
``DIFF_CHECKOUT=DIR`` times another checkout's ``sizing`` (a before and after on one machine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = Path(os.environ.get("DIFF_CHECKOUT", ROOT))
"""The checkout whose ``sizing`` is timed."""
sys.path.insert(0, str(ROOT))

import yaml

from benchmarks.fresh_process import child_usage, compiled, floor_code, machine_loop_seconds, worker_args
from benchmarks.plan_speed import fleet


def write_fleets(folder: Path, changed_share: float) -> tuple[Path, Path]:
    base = fleet(1000).model_dump(mode="json", by_alias=True, exclude_none=True)
    head = yaml.safe_load(yaml.safe_dump(base))
    rng = random.Random(11)
    for cluster in rng.sample(head["clusters"], round(changed_share * len(head["clusters"]))):
        for keyspace in cluster["keyspaces"]:
            keyspace["keys"] = int(keyspace["keys"] * 1.5)
    base_file, head_file = folder / "base.yaml", folder / "fleet.yaml"
    base_file.write_text(yaml.safe_dump(base, sort_keys=False))
    head_file.write_text(yaml.safe_dump(head, sort_keys=False))
    return base_file, head_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shares", default="0.1,1.0", help="Shares of the clusters changed, one case each.")
    parser.add_argument("--out", help="Also write the times as JSON here.")
    parser.add_argument("--workers", type=int, default=1,
                        help="diff --workers N (default 1: one core, as the target is set; the CPU counts every worker's).")
    args = parser.parse_args()
    compiled(CHECKOUT)
    recorded: dict[str, object] = {"command": "python benchmarks/diff_speed.py " + " ".join(sys.argv[1:]),
                                   "checkout": str(CHECKOUT),
                                   "date": time.strftime("%Y-%m-%d"), "unit": "CPU seconds",
                                   "workers": args.workers if worker_args(CHECKOUT, 1) else "every core",
                                   "machine_loop_seconds": machine_loop_seconds(), "cases": []}
    print(f"machine: 10^7 Python additions in {recorded['machine_loop_seconds']:.2f} s of CPU; "
          f"diff workers: {recorded['workers']}")
    print(f"{'clusters changed':>16}  {'least':>6}  {'median':>6}  {'floor':>6}  {'ratio':>6}  {'exit':>4}")
    for share in (float(s) for s in args.shares.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            base, head = write_fleets(Path(folder), share)
            reading = floor_code("sizing.cli.diff", base, head)
            floor = [child_usage([sys.executable, "-c", reading], CHECKOUT).cpu_seconds for _ in range(args.runs)]
            runs = [child_usage([sys.executable, "-m", "sizing", "diff", "--base", str(base), "--head", str(head),
                                 "--format", "markdown", *worker_args(CHECKOUT, args.workers)], CHECKOUT)
                    for _ in range(args.runs)]
            seconds = [run.cpu_seconds for run in runs]
            print(f"{share:>16.0%}  {min(seconds):>6.2f}  {statistics.median(seconds):>6.2f}  {min(floor):>6.2f}  "
                  f"{min(seconds) / min(floor):>6.1f}  {runs[0].exit_status:>4}")
            recorded["cases"].append({"changed_share": share, "seconds": seconds,  # type: ignore[attr-defined]
                                      "floor_seconds": floor})
    if args.out:
        Path(args.out).write_text(json.dumps(recorded, indent=2) + "\n")


if __name__ == "__main__":
    main()
