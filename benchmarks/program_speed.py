"""Time to run the Pulumi program under mocks for a 100-cluster stack (target: under 6 s here).

    python benchmarks/program_speed.py [--heavy 25,50,100] [--runs 5] [--out FILE.json]

Runs sizing_infra.provision under Pulumi's mocks, as ``python -m sizing preview`` does:

- "example-shaped": 100 clusters cycling through the clusters of stacks/social.yaml and
  stacks/checkout.yaml (2 to 12 nodes each), the shape of a real platform stack;
- "heavy": the fleet of benchmarks/plan_speed.py (up to billions of keys, so tens of nodes
  per cluster on average), at the sizes given;
- "SDK floor": 3,000 bare MetricAlarms, the Pulumi Python SDK's own cost per resource,
  which bounds what any program with that many resources can do.

Then ``python -m sizing preview`` of a 100-cluster stack of the example-shaped clusters, end
to end in fresh processes (target: under 6 s).

Planning time and program time are printed separately, with the resources registered, in
CPU seconds (the machine is shared; the program's worker threads are counted too), with the
garbage collector as ``run_preview`` sets it (``sizing.collector.collected_rarely``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi
import pulumi_aws as aws
from pulumi.runtime.stack import run_pulumi_func

from benchmarks.fresh_process import child_usage, compiled, machine_loop_seconds
from benchmarks.plan_speed import fleet
from sizing import load_workload
from sizing.collector import collected_rarely
from sizing.errors import NoViableNodeError
from sizing.planning.plan import ClusterPlan, plan_cluster, plan_workload
from sizing_infra import DeploymentOptions
from sizing_infra.preview import run_preview

ROOT = Path(__file__).resolve().parent.parent


def example_shaped(size: int) -> list[ClusterPlan]:
    plans = [p for stack in ("social", "checkout") for p in plan_workload(load_workload(ROOT / f"stacks/{stack}.yaml"))]
    return [plans[i % len(plans)].model_copy(update={"name": f"{plans[i % len(plans)].name}-{i}"}) for i in range(size)]


def heavy(size: int) -> list[ClusterPlan]:
    plans = []
    for cluster in fleet(size * 2).clusters:  # some fleet clusters exceed every node type
        try:
            plans.append(plan_cluster(cluster, advise=False))
        except NoViableNodeError:
            continue
        if len(plans) == size:
            break
    return plans


def sdk_floor(count: int = 3000) -> float:
    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
            return {}, None

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_mocks(Mocks(), project="floor", stack="floor", preview=True)

    def program() -> None:
        for i in range(count):
            aws.cloudwatch.MetricAlarm(f"a{i}", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                                       threshold=1.0)

    started = time.process_time()
    with collected_rarely():  # as run_preview runs the program
        loop.run_until_complete(run_pulumi_func(program))
    loop.close()
    return (time.process_time() - started) / count


def row(label: str, build: Any, size: int, runs: int) -> dict[str, Any]:
    """The program for ``build(size)``'s plans, run ``runs`` times (least and median shown)."""
    started = time.process_time()
    plans = build(size)
    planned = time.process_time() - started
    seconds, count = [], 0
    for _ in range(runs):
        started = time.process_time()
        count = len(run_preview(plans, DeploymentOptions()).resources)
        seconds.append(time.process_time() - started)
    nodes = sum(p.chosen.shards * (1 + p.chosen.replicas_per_shard) for p in plans)
    least = min(seconds)
    median = f" (median {statistics.median(seconds):.2f})" if runs > 1 else ""
    print(f"{label:<15} {len(plans):>8} {nodes:>6} {count:>10} {planned:>8.2f} {least:>13.2f} "
          f"{1000 * least / count:>12.2f}{median}")
    return {"stack": label, "clusters": len(plans), "nodes": nodes, "resources": count, "seconds": seconds}


def example_stack(size: int) -> dict[str, Any]:
    """A stack file of ``size`` clusters cycling through those of the two example stacks."""
    import yaml

    clusters = [cluster for stack in ("social", "checkout")
                for cluster in yaml.safe_load((ROOT / f"stacks/{stack}.yaml").read_text())["clusters"]]
    return {"clusters": [{**clusters[i % len(clusters)], "name": f"{clusters[i % len(clusters)]['name']}-{i}"}
                         for i in range(size)]}


def command_row(size: int, runs: int) -> dict[str, Any]:
    """``python -m sizing preview`` of ``example_stack(size)``, end to end, each run a fresh
    process: start-up, planning with recommendations, the program and the listing."""
    import yaml

    compiled(ROOT)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "platform.yaml"
        path.write_text(yaml.safe_dump(example_stack(size), sort_keys=False))
        usages = [child_usage([sys.executable, "-m", "sizing", "preview", str(path)], ROOT) for _ in range(runs)]
    if any(usage.exit_status for usage in usages):
        raise SystemExit("the preview command failed")
    seconds = [usage.cpu_seconds for usage in usages]
    # No peak RSS: a child's counts what this process held when it started it (Linux keeps
    # the high-water mark across exec), and this one has run the programs above.
    print(f"preview command, {size} example-shaped clusters, end to end: least {min(seconds):.2f} CPU s, "
          f"median {statistics.median(seconds):.2f}")
    return {"stack": "example-shaped, the preview command", "clusters": size, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--heavy", default="25,50", help="heavy fleet sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=1, help="Runs of each program (least and median shown).")
    parser.add_argument("--out", help="Also write the times as JSON here.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.heavy.split(",") if s]
    floor = sdk_floor()
    print(f"SDK floor: {1000 * floor:.2f} ms per bare resource under mocks (measured first, in a fresh runtime)")
    print(f"{'stack':<15} {'clusters':>8} {'nodes':>6} {'resources':>10} {'plan s':>8} {'program CPU s':>13} "
          f"{'ms/resource':>12}")
    rows = [row("example-shaped", example_shaped, 100, args.runs)]
    rows += [row("heavy", heavy, size, args.runs) for size in sizes]
    rows.append(command_row(100, args.runs))
    if args.out:
        recorded = {"command": "python benchmarks/program_speed.py " + " ".join(sys.argv[1:]),
                    "date": time.strftime("%Y-%m-%d"), "unit": "CPU seconds",
                    "machine_loop_seconds": machine_loop_seconds(), "sdk_floor_seconds_per_resource": floor, "rows": rows}
        Path(args.out).write_text(json.dumps(recorded, indent=2) + "\n")


if __name__ == "__main__":
    main()
