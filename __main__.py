"""Pulumi program: the clusters described in ``stacks/<stack>.yaml``, sized.

Today it loads the stack's workload file and exports each cluster's predicted memory;
provisioning (replication groups, parameter groups, alarms) is wired in here from the
capacity plan as those parts land. No sizing maths lives in this file.
"""

from __future__ import annotations

import pulumi

from sizing import estimate_workload, load_workload


def workload_path() -> str:
    """The stack's workload file: config ``workload``, else ``stacks/<stack>.yaml``."""
    return pulumi.Config().get("workload") or f"stacks/{pulumi.get_stack()}.yaml"


def main() -> None:
    for memory in estimate_workload(load_workload(workload_path())):
        pulumi.export(
            memory.name,
            {
                "engine": memory.engine,
                "engine_version": memory.engine_version,
                "cluster_mode": memory.cluster_mode,
                "predicted_dataset_bytes": memory.dataset_bytes,
            },
        )


main()
