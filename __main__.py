"""Pulumi program: the clusters described in ``stacks/<stack>.yaml``, sized.

Today it loads the stack's workload file, plans every cluster and exports the plan
(node type, shards, replicas, predicted memory, headroom, monthly cost); provisioning
(replication groups, parameter groups, alarms) is wired in here from the same plan as
those parts land. No sizing maths lives in this file.
"""

from __future__ import annotations

import pulumi

from sizing import load_workload
from sizing.plan import plan_workload


def workload_path() -> str:
    """The stack's workload file: config ``workload``, else ``stacks/<stack>.yaml``."""
    return pulumi.Config().get("workload") or f"stacks/{pulumi.get_stack()}.yaml"


def main() -> None:
    for plan in plan_workload(load_workload(workload_path())):
        chosen = plan.chosen
        pulumi.export(
            plan.name,
            {
                "engine": plan.engine,
                "engine_version": plan.engine_version,
                "cluster_mode": chosen.cluster_mode,
                "node_type": chosen.node_type,
                "shards": chosen.shards,
                "replicas_per_shard": chosen.replicas_per_shard,
                "predicted_dataset_bytes": chosen.memory_today.dataset_bytes * chosen.shards,
                "headroom_percent": round(chosen.headroom_percent, 1),
                "monthly_usd": chosen.monthly_usd,
            },
        )


main()
