"""Time to run the Pulumi program under mocks for a 100-cluster stack (target: under 6 s here).

    python benchmarks/program_speed.py [--heavy 25,50,100]

Runs sizing_infra.provision under Pulumi's mocks, as ``python -m sizing preview`` does:

- "example-shaped": 100 clusters cycling through the clusters of stacks/social.yaml and
  stacks/checkout.yaml (2 to 12 nodes each), the shape of a real platform stack;
- "heavy": the fleet of benchmarks/plan_speed.py (up to billions of keys, so tens of nodes
  per cluster on average), at the sizes given;
- "SDK floor": 3,000 bare MetricAlarms, the Pulumi Python SDK's own cost per resource,
  which bounds what any program with that many resources can do.

Planning time and program time are printed separately, with the resources registered.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi
import pulumi_aws as aws
from pulumi.runtime.stack import run_pulumi_func

from benchmarks.plan_speed import fleet
from sizing import load_workload
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

    started = time.perf_counter()
    loop.run_until_complete(run_pulumi_func(program))
    loop.close()
    return (time.perf_counter() - started) / count


def row(label: str, build: Any, size: int) -> None:
    started = time.perf_counter()
    plans = build(size)
    planned = time.perf_counter() - started
    started = time.perf_counter()
    result = run_preview(plans, DeploymentOptions())
    program = time.perf_counter() - started
    nodes = sum(p.chosen.shards * (1 + p.chosen.replicas_per_shard) for p in plans)
    count = len(result.resources)
    print(f"{label:<15} {len(plans):>8} {nodes:>6} {count:>10} {planned:>8.2f} {program:>10.2f} "
          f"{1000 * program / count:>12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--heavy", default="25,50", help="heavy fleet sizes, comma-separated")
    sizes = [int(s) for s in parser.parse_args().heavy.split(",") if s]
    print(f"SDK floor: {1000 * sdk_floor():.2f} ms per bare resource under mocks (measured first, in a fresh runtime)")
    print(f"{'stack':<15} {'clusters':>8} {'nodes':>6} {'resources':>10} {'plan s':>8} {'program s':>10} "
          f"{'ms/resource':>12}")
    row("example-shaped", example_shaped, 100)
    for size in sizes:
        row("heavy", heavy, size)


if __name__ == "__main__":
    main()
