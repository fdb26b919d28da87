"""Instructions ``plan --json`` executes, counted by valgrind: a before and after that noise cannot move.

    python benchmarks/instructions.py [--out benchmarks/measurements/speed/instructions.json]

CPU seconds on a shared machine moved by a third within minutes while these benchmarks ran
(the 10^7-addition loop took 1.10 s to 1.74 s), which hides any change smaller than that.
The instructions a process executes do not depend on its neighbours. This counts them with
``valgrind --tool=callgrind`` (which must be on PATH; about 50 times slower than the process
alone, so the fleets are cut short) for:
  fleet      the first 50 clusters of the 1,000-cluster fleet of ``plan_speed.py``;
  keyspaces  the first 6 clusters of ``scaling.py``'s 100 x 100-keyspace fleet;
each planned by ``python -m sizing plan FILE --json`` on one process, and each file's floor
(start-up, the command's imports, the collector, reading the file: ``fresh_process.floor_code``).
``PYTHONHASHSEED=0`` fixes the order of sets and dicts of strings, so a run repeats its count.
``INSTRUCTIONS_CHECKOUT=DIR`` counts another checkout's ``sizing`` (a before and after).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = Path(os.environ.get("INSTRUCTIONS_CHECKOUT", ROOT))
"""The checkout whose ``sizing`` is counted."""
sys.path.insert(0, str(ROOT))

from benchmarks.fresh_process import compiled, floor_code, worker_args

FLEETS = {"fleet": ("clusters", 1000, 50), "keyspaces": ("keyspaces", 100, 6)}
"""Name -> (``scaling.fleet_file`` series, its size, the clusters kept)."""
COLLECTED = re.compile(r"Collected : (\d+)")


def counted(argv: list[str]) -> int:
    """Instructions ``argv`` executes in ``CHECKOUT`` (its packages first on the path)."""
    with tempfile.NamedTemporaryFile() as out:
        result = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}", *argv],
                                cwd=CHECKOUT, capture_output=True, text=True, check=False,
                                env={**os.environ, "PYTHONPATH": str(CHECKOUT), "PYTHONHASHSEED": "0"})
    found = COLLECTED.search(result.stderr)
    if result.returncode not in (0, 2) or found is None:  # 2: a fleet cluster that fits no node type
        raise SystemExit(f"{' '.join(argv)} exited with {result.returncode}:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def _cut(folder: Path, name: str) -> Path:
    """The fleet ``name`` with only its first clusters, written by a process of its own."""
    import yaml

    series, size, kept = FLEETS[name]
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "scaling.py"), "--write", series, str(size),
                    str(folder)], check=True)
    written = folder / f"{series}-{size}.yaml"
    definition = yaml.safe_load(written.read_text())
    definition["clusters"] = definition["clusters"][:kept]
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="Also write the counts as JSON here.")
    args = parser.parse_args()
    compiled(CHECKOUT)
    recorded: dict[str, object] = {"command": "python benchmarks/instructions.py " + " ".join(sys.argv[1:]),
                                   "checkout": str(CHECKOUT), "date": time.strftime("%Y-%m-%d"), "cases": []}
    print(f"{'case':>10}  {'clusters':>8}  {'command':>15}  {'floor':>15}  {'planning':>15}")
    with tempfile.TemporaryDirectory() as folder:
        for name, (_, _, kept) in FLEETS.items():
            path = _cut(Path(folder), name)
            floor = counted([sys.executable, "-c", floor_code("sizing.cli.plan", path)])
            command = counted([sys.executable, "-m", "sizing", "plan", str(path), "--json",
                               *worker_args(CHECKOUT, 1)])
            print(f"{name:>10}  {kept:>8}  {command:>15,}  {floor:>15,}  {command - floor:>15,}")
            recorded["cases"].append({"case": name, "clusters": kept, "instructions": command,  # type: ignore[attr-defined]
                                      "floor_instructions": floor, "planning_instructions": command - floor})
    if args.out:
        Path(args.out).write_text(json.dumps(recorded, indent=2) + "\n")


if __name__ == "__main__":
    main()
