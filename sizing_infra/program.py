"""The deployment of a planned workload: shared pieces, one component per plan, outputs.

A plan deploys a CacheCluster (a replication group of the chosen node type) or, where the
plan chose ElastiCache Serverless, a PlannedServerlessCache.

``__main__.py`` calls :func:`provision` with the stack's plans and options; ``python -m
sizing preview`` calls it under Pulumi's mocks. Both therefore create the same resources.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from sizing.planning.plan import ClusterPlan
from sizing_infra.cache_cluster import CacheCluster, CacheClusterArgs, CacheNetwork
from sizing_infra.options import DeploymentOptions
from sizing_infra.serverless_cache import PlannedServerlessCache, PlannedServerlessCacheArgs

TAG_PREFIX = "elasticache-sizing"


def cluster_args(plan: ClusterPlan, options: DeploymentOptions, providers: dict[str, pulumi.ProviderResource],
                 alarm_topic_arns: dict[str, pulumi.Input[str]]) -> CacheClusterArgs:
    """The component's inputs: the plan's choices and the stack's options."""
    chosen = plan.chosen
    predicted = chosen.memory_horizon.required_bytes
    return CacheClusterArgs(
        replication_group_id=plan.name,
        description=(f"{plan.name}: {chosen.node_type} x {chosen.shards} shard(s), sized by {TAG_PREFIX} "
                     f"(plan {plan.fingerprint()})"),
        engine=plan.engine,
        engine_version=plan.engine_version,
        node_type=chosen.node_type,
        cluster_mode=chosen.cluster_mode,
        shards=chosen.shards,
        replicas_per_shard=chosen.replicas_per_shard,
        multi_az=plan.multi_az,
        data_tiering=plan.data_tiering,
        parameter_family=plan.parameter_family,
        parameters=dict(plan.parameters),
        alarm_thresholds=plan.alarms,
        regions=list(plan.regions),
        providers=providers,
        networks={region: CacheNetwork.from_config(options.network(region)) for region in plan.regions},
        alarm_topic_arns={region: alarm_topic_arns[region] for region in plan.regions},
        port=options.port,
        user_group_ids=list(options.user_group_ids),
        snapshot_retention_days=options.snapshot_retention_days,
        snapshot_window=options.snapshot_window,
        maintenance_window=options.maintenance_window,
        log_retention_days=options.log_retention_days,
        production=options.production,
        tags={
            "managed-by": TAG_PREFIX,
            f"{TAG_PREFIX}:plan-fingerprint": plan.fingerprint(),
            f"{TAG_PREFIX}:predicted-memory-per-node-bytes": str(predicted),
            f"{TAG_PREFIX}:headroom-percent": f"{chosen.headroom_percent:.1f}",
            f"{TAG_PREFIX}:monthly-usd": f"{chosen.monthly_usd:.0f}",
        },
    )


def serverless_args(plan: ClusterPlan, options: DeploymentOptions, providers: dict[str, pulumi.ProviderResource],
                    alarm_topic_arns: dict[str, pulumi.Input[str]]) -> PlannedServerlessCacheArgs:
    """The serverless component's inputs: the plan's serverless option and the stack's options."""
    option = plan.serverless
    assert option is not None and plan.deployment == "serverless"
    region = plan.regions[0]
    return PlannedServerlessCacheArgs(
        cache_name=plan.name,
        description=(f"{plan.name}: ElastiCache Serverless, limits {option.data_storage_limit_gb} GB and "
                     f"{option.ecpu_per_second_limit} ECPU/s, sized by {TAG_PREFIX} (plan {plan.fingerprint()})"),
        engine=plan.engine,
        major_engine_version=option.major_engine_version,
        data_storage_limit_gb=option.data_storage_limit_gb,
        ecpu_per_second_limit=option.ecpu_per_second_limit,
        alarm_data_stored_bytes=option.alarm_data_stored_bytes,
        alarm_ecpu_per_second=option.alarm_ecpu_per_second,
        region=region,
        provider=providers[region],
        network=CacheNetwork.from_config(options.network(region)),
        alarm_topic_arn=alarm_topic_arns[region],
        user_group_ids=list(options.user_group_ids),
        snapshot_retention_days=options.snapshot_retention_days,
        production=options.production,
        tags={
            "managed-by": TAG_PREFIX,
            f"{TAG_PREFIX}:plan-fingerprint": plan.fingerprint(),
            f"{TAG_PREFIX}:predicted-data-stored-bytes": str(option.data_stored_bytes),
            f"{TAG_PREFIX}:monthly-usd": f"{plan.monthly_usd:.0f}",
        },
    )


def _provision_serverless(plan: ClusterPlan, options: DeploymentOptions, providers: dict[str, pulumi.ProviderResource],
                          topics: dict[str, pulumi.Input[str]]) -> dict[str, Any]:
    option = plan.serverless
    assert option is not None
    cache = PlannedServerlessCache(plan.name, serverless_args(plan, options, providers, topics))
    return {
        "endpoint": cache.endpoint,
        "reader_endpoint": cache.reader_endpoint,
        "deployment": "serverless",
        "engine": plan.engine,
        "major_engine_version": option.major_engine_version,
        "regions": list(plan.regions),
        "data_storage_limit_gb": option.data_storage_limit_gb,
        "ecpu_per_second_limit": option.ecpu_per_second_limit,
        "predicted_data_stored_bytes": option.data_stored_bytes,
        "monthly_usd": round(plan.monthly_usd, 2),
        "plan_fingerprint": plan.fingerprint(),
    }


def provision(plans: list[ClusterPlan], options: DeploymentOptions) -> dict[str, Any]:
    """Create every planned cluster; returns the stack outputs, one entry per cluster."""
    regions = sorted({region for plan in plans for region in plan.regions})
    providers: dict[str, pulumi.ProviderResource] = {
        region: aws.Provider(f"aws-{region}", region=region) for region in regions}
    # CloudWatch alarms notify topics in their own region: a topic per region with nodes.
    topics = {region: _alarm_topic(region, options, providers[region]) for region in regions}
    outputs: dict[str, Any] = {}
    for plan in plans:
        if plan.deployment == "serverless":
            outputs[plan.name] = _provision_serverless(plan, options, providers, topics)
            continue
        args = cluster_args(plan, options, providers, topics)
        cluster = CacheCluster(plan.name, args)
        chosen = plan.chosen
        outputs[plan.name] = {
            "endpoint": cluster.endpoint,
            "reader_endpoint": cluster.reader_endpoint,
            "deployment": "nodes",
            "engine": plan.engine,
            "engine_version": plan.engine_version,
            "regions": list(plan.regions),
            "cluster_mode": chosen.cluster_mode,
            "node_type": chosen.node_type,
            "shards": chosen.shards,
            "replicas_per_shard": chosen.replicas_per_shard,
            "predicted_memory_per_node_bytes": chosen.memory_horizon.required_bytes,
            "headroom_percent": round(chosen.headroom_percent, 1),
            "monthly_usd": round(chosen.monthly_usd, 2),
            "plan_fingerprint": plan.fingerprint(),
        }
        if cluster.auth_token is not None:
            outputs[f"{plan.name}_auth_token"] = cluster.auth_token
    return outputs


def _alarm_topic(region: str, options: DeploymentOptions, provider: pulumi.ProviderResource) -> pulumi.Input[str]:
    """The SNS topic alarms in ``region`` notify: the configured one where it is in that region,
    else a new one (with the e-mail subscribed)."""
    if options.alarm_topic_arn and options.alarm_topic_arn.split(":")[3] == region:
        return options.alarm_topic_arn
    opts = pulumi.ResourceOptions(provider=provider)
    topic = aws.sns.Topic(f"cache-alarms-{region}", tags={"managed-by": TAG_PREFIX}, opts=opts)
    if options.alarm_email:
        aws.sns.TopicSubscription(f"cache-alarms-{region}-email", topic=topic.arn, protocol="email",
                                  endpoint=options.alarm_email, opts=opts)
    return topic.arn
