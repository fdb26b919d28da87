"""Time to diff two 1,000-cluster fleet files (target: under 5 s here).

    python benchmarks/diff_speed.py

Writes the fleet of benchmarks/plan_speed.py as a base file and a head file in which a
share of the clusters changed (10% grown by half, the shape of a busy pull request; then
every cluster changed, the worst case), and times ``python -m sizing diff`` end to end in
process: both files loaded and validated, both sides planned, compared and rendered.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml
from click.testing import CliRunner

from benchmarks.plan_speed import fleet
from sizing.cli import cli


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
    print(f"{'clusters changed':>16} {'seconds':>8} {'exit':>5}")
    for share in (0.1, 1.0):
        with tempfile.TemporaryDirectory() as folder:
            base, head = write_fleets(Path(folder), share)
            started = time.perf_counter()
            result = CliRunner().invoke(cli, ["diff", "--base", str(base), "--head", str(head), "--format", "markdown"])
            elapsed = time.perf_counter() - started
            print(f"{share:>16.0%} {elapsed:>8.2f} {result.exit_code:>5}")


if __name__ == "__main__":
    main()
