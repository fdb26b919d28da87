"""How uneven a cluster's shards are expected to be: keys are indivisible and land on
shards at random, so with few or large keys one shard holds much more than the mean.

Glossary
    mean_shard_bytes     the keys' bytes divided evenly over the shards.
    fullest_shard_bytes  the fullest shard's keys' bytes, one of them the largest key, as the
                         planner sizes every shard (``sizing.memory.placement``: the 90th
                         percentile of the fullest shard).
    skew                 fullest_shard_bytes / mean_shard_bytes: 1 for many small keys, the
                         shard count when one key outweighs the rest.
The main table's buckets are left out of both: they split evenly over the shards.
"""

from __future__ import annotations

from sizing.memory.dataset import DatasetModel
from sizing.memory.placement import fullest_shard_bytes


def shard_skew(model: DatasetModel, shards: int, key_scale: float = 1.0) -> float:
    """Fullest shard over mean shard for ``model``'s keys x ``key_scale`` on ``shards`` shards."""
    keys = [count * key_scale for count in model.keys]
    mean = sum(count / shards * per_key for count, per_key in zip(keys, model.per_key))
    if mean <= 0:
        return 1.0
    fullest = sum(fullest_shard_bytes(count, shards, per_key, largest)
                  for count, per_key, largest in zip(keys, model.per_key, model.largest_key))
    return fullest / mean
