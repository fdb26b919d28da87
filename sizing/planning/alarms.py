"""CloudWatch alarm thresholds of a plan: the limits the plan assumed, for the chosen node.

The Pulumi program turns them into one alarm per metric per node (sizing_infra/cache_alarms.py).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sizing.catalog.nodes import NodeType
from sizing.planning.capacity import TARGET_HEADROOM_PERCENT
from sizing.spec.workload import Cluster

ALARM_ENGINE_CPU_PERCENT = 80
"""The plan assumes at most 50% of a node's throughput at peak; 80% is 1.6x that peak
(below AWS's recommended 90%, so there is time to act)."""
HOST_CPU_ALARM_BELOW_VCPU = 4
"""Below 4 vCPUs the engine thread can saturate its core while host CPUUtilization still
looks low, so those nodes also get a CPUUtilization alarm at the engine threshold divided
by the vCPU count (ElastiCache monitoring best practices: "CPUs")."""
ALARM_REPLICATION_LAG_SECONDS = 1.0
ALARM_SWAP_BYTES = 50 * 1024 * 1024
"""AWS guidance: swap above 50 MB means the node is short of memory."""
EVICTION_TOLERANCE_SHARE = 0.01
"""Caches may evict up to 1% of their peak writes per minute before the alarm fires."""
USAGE_LIMIT_ALARM_PERCENT = 75
"""A serverless cache's alarms fire at 75% of each usage limit (data stored, ECPU/s), as AWS
recommends for any maximum you set (ElastiCache "Scaling ElastiCache Serverless")."""


class AlarmThresholds(BaseModel):
    """CloudWatch alarm thresholds derived from the plan (AWS/ElastiCache metrics)."""

    model_config = ConfigDict(frozen=True)

    database_memory_usage_percent: float
    engine_cpu_percent: float
    host_cpu_percent: float | None = Field(
        description="CPUUtilization threshold on nodes with fewer than 4 vCPUs; None where EngineCPUUtilization suffices.")
    evictions_per_minute: int
    curr_connections: int
    replication_lag_seconds: float
    swap_usage_bytes: int


def alarm_thresholds(cluster: Cluster, node: NodeType) -> AlarmThresholds:
    """Thresholds at the limits the plan assumed, for the chosen node type."""
    traffic = cluster.traffic
    zero_tolerance = cluster.use_case in ("queue", "session_store")
    writes_per_minute = traffic.peak_ops_per_sec * (1 - traffic.read_ratio) * 60
    return AlarmThresholds(
        database_memory_usage_percent=100 - TARGET_HEADROOM_PERCENT,
        engine_cpu_percent=ALARM_ENGINE_CPU_PERCENT,
        host_cpu_percent=(round(ALARM_ENGINE_CPU_PERCENT / node.vcpu, 1)
                          if node.vcpu < HOST_CPU_ALARM_BELOW_VCPU else None),
        evictions_per_minute=0 if zero_tolerance else max(1, round(writes_per_minute * EVICTION_TOLERANCE_SHARE)),
        curr_connections=max(1, traffic.peak_connections),
        replication_lag_seconds=ALARM_REPLICATION_LAG_SECONDS,
        swap_usage_bytes=ALARM_SWAP_BYTES,
    )
