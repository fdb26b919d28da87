"""One planned ElastiCache Serverless cache: the cache with its usage limits, network and alarms.

    PlannedServerlessCache (component)
    ├── <name>-security-group     SecurityGroup on the serverless ports, where the stack gives a VPC
    ├── <name>-serverless         ServerlessCache: engine, major version, usage limits (data
    │                             stored, ECPU/s), the stack's subnets and RBAC user group
    ├── <name>-data-stored-alarm  MetricAlarm: BytesUsedForCache above 75% of the data limit
    └── <name>-ecpu-alarm         MetricAlarm: ElastiCacheProcessingUnits above 75% of the ECPU limit

Serverless always encrypts in transit and at rest, always runs cluster mode, and takes no
parameter group: nothing here can turn those off. Its metrics carry the cache's name as the
``clusterId`` dimension (ElastiCache "Serverless metrics and events").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from sizing_infra.cache_alarms import NAMESPACE, PERIOD_SECONDS, SUSTAINED_PERIODS
from sizing_infra.cache_cluster import CacheNetwork, client_security_groups

SERVERLESS_PORTS = (6379, 6380)
"""A serverless cache serves on 6379 (primary) and 6380 (reads from replicas): clients need
both (ElastiCache "Setting up ... serverless": security group rules)."""


@dataclass
class PlannedServerlessCacheArgs:
    """What the component creates, from the serverless option of the plan and the stack's options."""

    cache_name: str
    """ElastiCache serverless cache name: the cluster's name in the workload file."""
    description: str
    engine: str
    major_engine_version: str
    data_storage_limit_gb: int
    """CacheUsageLimits DataStorage maximum (GB)."""
    ecpu_per_second_limit: int
    """CacheUsageLimits ECPUPerSecond maximum."""
    alarm_data_stored_bytes: int
    alarm_ecpu_per_second: int
    region: str
    provider: pulumi.ProviderResource
    network: CacheNetwork
    alarm_topic_arn: pulumi.Input[str]
    user_group_ids: Sequence[pulumi.Input[str]]
    """At most one RBAC user group; serverless takes no AUTH token."""
    snapshot_retention_days: int
    production: bool
    """Protect the cache and keep it if it is removed from the program."""
    tags: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


class PlannedServerlessCache(pulumi.ComponentResource):
    """A serverless cache with limits from the sizing plan and alarms before each limit."""

    cache: aws.elasticache.ServerlessCache
    endpoint: pulumi.Output[str]
    reader_endpoint: pulumi.Output[str]

    def __init__(self, name: str, args: PlannedServerlessCacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elasticache-sizing:index:PlannedServerlessCache", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        security_groups = client_security_groups(name, "", args.cache_name, args.network, SERVERLESS_PORTS,
                                                 args.tags, child)
        protection = {"protect": args.production, "retain_on_delete": args.production}
        self.cache = aws.elasticache.ServerlessCache(
            f"{name}-serverless",
            name=args.cache_name,
            description=args.description,
            engine=args.engine,
            major_engine_version=args.major_engine_version,
            cache_usage_limits=aws.elasticache.ServerlessCacheCacheUsageLimitsArgs(
                data_storage=aws.elasticache.ServerlessCacheCacheUsageLimitsDataStorageArgs(
                    maximum=args.data_storage_limit_gb, unit="GB"),
                ecpu_per_seconds=[aws.elasticache.ServerlessCacheCacheUsageLimitsEcpuPerSecondArgs(
                    maximum=args.ecpu_per_second_limit)],
            ),
            subnet_ids=list(args.network.subnet_ids) or None,
            security_group_ids=security_groups,
            user_group_id=args.user_group_ids[0] if args.user_group_ids else None,
            snapshot_retention_limit=args.snapshot_retention_days,
            tags=args.tags,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(**protection)),  # type: ignore[arg-type]
        )
        # The endpoint list is known after creation; reading its first entry creates nothing.
        self.endpoint = self.cache.endpoints.apply(lambda found: found[0].address if found else "")
        self.reader_endpoint = self.cache.reader_endpoints.apply(lambda found: found[0].address if found else "")
        alarm_opts = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[self.cache])
        for role, metric, statistic, threshold, what in (
            ("data-stored", "BytesUsedForCache", "Maximum", args.alarm_data_stored_bytes,
             f"data stored above 75% of the {args.data_storage_limit_gb:,} GB limit"),
            # ECPUs are a count per period: the per-second limit times the period.
            ("ecpu", "ElastiCacheProcessingUnits", "Sum", args.alarm_ecpu_per_second * PERIOD_SECONDS,
             f"ECPUs above 75% of the {args.ecpu_per_second_limit:,} ECPU/s limit"),
        ):
            aws.cloudwatch.MetricAlarm(
                f"{name}-{role}-alarm",
                name=f"{args.cache_name}-{role}",
                alarm_description=f"{args.cache_name}: {what} (AWS recommends an alarm at 75% of any limit set)",
                namespace=NAMESPACE,
                metric_name=metric,
                dimensions={"clusterId": args.cache_name},
                statistic=statistic,
                period=PERIOD_SECONDS,
                evaluation_periods=SUSTAINED_PERIODS,
                comparison_operator="GreaterThanThreshold",
                threshold=threshold,
                treat_missing_data="missing",
                alarm_actions=[args.alarm_topic_arn],
                ok_actions=[args.alarm_topic_arn],
                tags=args.tags,
                opts=alarm_opts,
            )
        self.register_outputs({"endpoint": self.endpoint, "reader_endpoint": self.reader_endpoint})
