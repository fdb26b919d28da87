"""The memory models a plan shares with its recommendations and their re-plans.

A plan prices its cluster in each mode; its recommendations price the cluster again and
each variant twice (the saving, then the re-plan's cheapest option). Each asks here, and
gets the model already built for the same inputs, with the shard counts it has priced
(``sizing.memory.dataset.shared_model``).
"""

from __future__ import annotations

from sizing.memory.dataset import DatasetModel, shared_model
from sizing.memory.engines import engine_profile
from sizing.planning.parameter_group import encoding_limits
from sizing.spec.workload import Cluster


def planning_model(cluster: Cluster, allocator: str = "upstream") -> DatasetModel:
    """``estimate.dataset_model(cluster, allocator)``, shared: the data written by commands,
    with the cluster's deployed encoding limits."""
    return shared_model(cluster, encoding_limits(cluster, engine_profile(cluster.engine, cluster.version)), allocator)


def same_data_variant(cluster: Cluster, **change: object) -> Cluster:
    """``cluster.variant(**change)``, validated, with the cluster's own keyspace objects where
    the change leaves the data the same: their models are then the ones already built."""
    variant = cluster.variant(**change)
    if variant.keyspaces == cluster.keyspaces:
        variant = variant.model_copy(update={"keyspaces": cluster.keyspaces})
    return variant
