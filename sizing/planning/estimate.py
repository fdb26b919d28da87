"""The memory estimate of a cluster as it is deployed: the memory model with the encoding
limits and eviction policy the planner gives the cluster's parameter group.

Every estimate the tool reports goes through here, so the number is always made for the
settings the cluster really runs with.
"""

from __future__ import annotations

from sizing.memory.dataset import ClusterMemory, DatasetModel
from sizing.memory.dataset import estimate_cluster as estimate_with_limits
from sizing.memory.engines import engine_profile
from sizing.memory.values import Arrival
from sizing.planning.parameter_group import encoding_limits
from sizing.spec.workload import Cluster, Workload


def dataset_model(cluster: Cluster, allocator: str = "upstream", arrival: Arrival = "commands") -> DatasetModel:
    """The per-key cost model of ``cluster`` with its deployed encoding limits."""
    return DatasetModel(cluster, encoding_limits(cluster, engine_profile(cluster.engine, cluster.version)),
                        allocator, arrival)


def estimate_cluster(cluster: Cluster, allocator: str = "upstream") -> ClusterMemory:
    """One cluster's data as loaded into one node of its engine version."""
    return estimate_with_limits(cluster, encoding_limits(cluster, engine_profile(cluster.engine, cluster.version)),
                                allocator)


def estimate_workload(workload: Workload, allocator: str = "upstream") -> list[ClusterMemory]:
    """Estimate every cluster of a workload."""
    return [estimate_cluster(cluster, allocator) for cluster in workload.clusters]
