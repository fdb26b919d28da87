"""CloudWatch alarms for every node of a replication group, at the plan's thresholds.

ElastiCache publishes host and engine metrics per node, with the node's cache cluster id
as the ``CacheClusterId`` dimension, so every alarm watches one member node. Member ids
are fixed by ElastiCache (DescribeReplicationGroups ``MemberClusters``):

    cluster mode enabled    <replication-group-id>-<shard 0001..>-<node 001..>
    cluster mode disabled   <replication-group-id>-<node 001..>

and are known before anything is created, so the alarm count never waits on an Output.
Roles move on failover (node 001 may become a replica), which is why ReplicationLag is
watched on every node and treats a missing value (a primary emits none) as fine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from sizing.planning.alarms import AlarmThresholds

NAMESPACE = "AWS/ElastiCache"
PERIOD_SECONDS = 60
"""ElastiCache publishes node metrics every 60 s (CloudWatch metrics for ElastiCache)."""
SUSTAINED_PERIODS = 5
"""Capacity alarms fire after 5 minutes above the threshold: long enough to ride out a
snapshot or a burst, short enough to act before the 10% headroom is gone."""


@dataclass(frozen=True)
class AlarmRule:
    """One metric watched on one node."""

    metric: str
    role: str
    """Short name used in the alarm name."""
    threshold: float
    statistic: str
    evaluation_periods: int
    treat_missing_data: str
    description: str


def alarm_rules(thresholds: AlarmThresholds, global_secondary: bool = False) -> list[AlarmRule]:
    """The metrics watched on every node, with the plan's thresholds.

    ``global_secondary``: the nodes of a Global Datastore's secondary, which also publish
    GlobalDatastoreReplicationLag (the secondary primary's lag behind the primary region,
    the largest over shards; per node, CacheClusterId as for every node metric: aws-cdk-lib's
    canned ElastiCache metrics). As with ReplicationLag, only the node that is the
    secondary's primary emits it, so a missing value is fine.
    """
    rules = [
        AlarmRule("DatabaseMemoryUsagePercentage", "memory", thresholds.database_memory_usage_percent, "Maximum",
                  SUSTAINED_PERIODS, "missing", "used_memory above the headroom the plan kept free"),
        AlarmRule("EngineCPUUtilization", "engine-cpu", thresholds.engine_cpu_percent, "Average",
                  SUSTAINED_PERIODS, "missing", "the engine thread busier than the plan's peak allows"),
        # Evictions count per minute; one bad minute is enough for zero-tolerance use cases.
        AlarmRule("Evictions", "evictions", thresholds.evictions_per_minute, "Sum", 1, "notBreaching",
                  "keys evicted for lack of memory"),
        AlarmRule("CurrConnections", "connections", thresholds.curr_connections, "Maximum", 3, "missing",
                  "more client connections than the planned peak"),
        AlarmRule("ReplicationLag", "replication-lag", thresholds.replication_lag_seconds, "Maximum",
                  SUSTAINED_PERIODS, "notBreaching", "a replica behind its primary"),
        AlarmRule("SwapUsage", "swap", thresholds.swap_usage_bytes, "Maximum", SUSTAINED_PERIODS, "missing",
                  "the node swapping: memory is short"),
    ]
    if thresholds.host_cpu_percent is not None:
        rules.append(AlarmRule("CPUUtilization", "host-cpu", thresholds.host_cpu_percent, "Average",
                               SUSTAINED_PERIODS, "missing", "host CPU on a node with fewer than 4 vCPUs"))
    if global_secondary:
        rules.append(AlarmRule("GlobalDatastoreReplicationLag", "global-lag", thresholds.replication_lag_seconds,
                               "Maximum", SUSTAINED_PERIODS, "notBreaching", "this region behind the primary region"))
    return rules


def member_cluster_ids(replication_group_id: str, cluster_mode: bool, shards: int, replicas_per_shard: int) -> list[str]:
    """The node ids ElastiCache gives a replication group's members."""
    nodes = range(1, replicas_per_shard + 2)
    if cluster_mode:
        return [f"{replication_group_id}-{shard:04d}-{node:03d}" for shard in range(1, shards + 1) for node in nodes]
    return [f"{replication_group_id}-{node:03d}" for node in nodes]


@dataclass
class CacheAlarmsArgs:
    member_cluster_ids: list[str]
    """Nodes to watch (see :func:`member_cluster_ids`)."""
    thresholds: AlarmThresholds
    topic_arn: pulumi.Input[str]
    """SNS topic notified on ALARM and OK."""
    tags: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    global_secondary: bool = False
    """The nodes of a Global Datastore's secondary: their cross-region lag is watched too."""


class CacheAlarms(pulumi.ComponentResource):
    """One alarm per rule per member node, all notifying one topic."""

    alarm_names: pulumi.Output[list[str]]

    def __init__(self, name: str, args: CacheAlarmsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elasticache-sizing:index:CacheAlarms", name, None, opts)
        alarms = []
        for node in args.member_cluster_ids:
            for rule in alarm_rules(args.thresholds, args.global_secondary):
                alarm_name = f"{node}-{rule.role}"
                alarms.append(aws.cloudwatch.MetricAlarm(
                    f"{name}-{node}-{rule.role}",
                    name=alarm_name,
                    alarm_description=f"{node}: {rule.description} (threshold from the sizing plan)",
                    namespace=NAMESPACE,
                    metric_name=rule.metric,
                    dimensions={"CacheClusterId": node},
                    statistic=rule.statistic,
                    period=PERIOD_SECONDS,
                    evaluation_periods=rule.evaluation_periods,
                    comparison_operator="GreaterThanThreshold",
                    threshold=rule.threshold,
                    treat_missing_data=rule.treat_missing_data,
                    alarm_actions=[args.topic_arn],
                    ok_actions=[args.topic_arn],
                    tags=args.tags,
                    opts=pulumi.ResourceOptions(parent=self),
                ))
        self.alarm_names = pulumi.Output.all(*[alarm.name for alarm in alarms])
        self.register_outputs({"alarm_names": self.alarm_names})
