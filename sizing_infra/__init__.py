"""Provision planned ElastiCache clusters with Pulumi.

The Pulumi side of the project: it turns :class:`sizing.planning.plan.ClusterPlan` values into
resources. Any Pulumi program can ``pip install`` the project and call :func:`provision`
with its own workload file's plans, or use :class:`CacheCluster` directly.
"""

from sizing_infra.cache_alarms import CacheAlarms, CacheAlarmsArgs, alarm_rules, member_cluster_ids
from sizing_infra.cache_cluster import CacheCluster, CacheClusterArgs, CacheNetwork
from sizing_infra.errors import reported_as_run_errors
from sizing_infra.options import (
    ConfigError,
    DeploymentOptions,
    RegionNetwork,
    StackConfig,
    load_options,
    load_stack_config,
    options_from_dict,
)
from sizing_infra.program import cluster_args, provision, serverless_args
from sizing_infra.serverless_cache import PlannedServerlessCache, PlannedServerlessCacheArgs

__all__ = [
    "CacheAlarms",
    "CacheAlarmsArgs",
    "CacheCluster",
    "CacheClusterArgs",
    "CacheNetwork",
    "ConfigError",
    "DeploymentOptions",
    "PlannedServerlessCache",
    "PlannedServerlessCacheArgs",
    "RegionNetwork",
    "StackConfig",
    "alarm_rules",
    "cluster_args",
    "load_options",
    "load_stack_config",
    "member_cluster_ids",
    "options_from_dict",
    "provision",
    "reported_as_run_errors",
    "serverless_args",
]
