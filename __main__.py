"""Pulumi program: the clusters described in ``stacks/<stack>.yaml``, sized and provisioned.

For each cluster in the stack's workload file it deploys (see sizing_infra/cache_cluster.py):
an ElastiCache replication group with the planned engine, node type, shards and replicas
(plus a Global Datastore when the plan spans regions), its parameter group, subnet and
security groups, slow-log and engine-log groups, an AUTH token kept secret, and CloudWatch
alarms on every node wired to an SNS topic. Where the plan chose ElastiCache Serverless
(sizing_infra/serverless_cache.py) it deploys a serverless cache instead, with the plan's
usage limits, the stack's subnets and security group, and alarms at 75% of each limit.
No sizing maths lives in this file.
"""

from __future__ import annotations

import pulumi

from sizing.collector import collect_rarely
from sizing.planning.plan import plan_workload
from sizing.workloads import load_workload, place
from sizing_infra import load_stack_config, provision, reported_as_run_errors


def workload_path() -> str:
    """The stack's workload file: config ``workload``, else ``stacks/<stack>.yaml``."""
    return pulumi.Config().get("workload") or f"stacks/{pulumi.get_stack()}.yaml"


def main() -> None:
    collect_rarely()  # the SDK's registrations are objects that live until the run ends (sizing/collector.py)
    with reported_as_run_errors():  # bad input is one line, as in the CLI, not a traceback
        stack = load_stack_config()
        # Clusters that name no regions go to the stack's aws:region.
        plans = plan_workload(place(load_workload(workload_path()), stack))
    for name, value in provision(plans, stack.options).items():
        pulumi.export(name, value)


main()
