"""Rejections are numbers in the planner and words in the render layer: every kind has its line."""

from __future__ import annotations

import pytest

from sizing.errors import NoViableNodeError, WorkloadSpecError
from sizing.planning.plan import GLOBAL_DATASTORE_FAMILIES, PREVIOUS_GENERATION, Bottleneck, Quantity, Rejection
from sizing.render.rejections import error_message, reason
from sizing.units import GIB


def rejection(bottleneck: Bottleneck, **fields: object) -> Rejection:
    return Rejection.model_validate({"node_type": "cache.r7g.large", "cluster_mode": True, "bottleneck": bottleneck,
                                     **fields})


@pytest.mark.parametrize(("bottleneck", "fields", "words"), [
    (Bottleneck.memory, {"needed": 30 * GIB, "offered": 9.5 * GIB, "unit": Quantity.memory_bytes, "at_shards": 500,
                         "reserved_percent": 25, "headroom_percent": 10},
     "needs 30.0 GiB per node at 500 shards; cache.r7g.large offers 9.5 GiB after the 25% reserve and 10% headroom"),
    (Bottleneck.memory, {"needed": 30 * GIB, "offered": 9.5 * GIB, "unit": Quantity.memory_bytes, "at_shards": 2,
                         "reserved_percent": 25, "headroom_percent": 10, "hot_data_percent": 20},
     ("needs 30.0 GiB per node at 2 shards with 20% of the data hot; cache.r7g.large offers 9.5 GiB after the 25% "
      "reserve and 10% headroom")),
    (Bottleneck.memory, {"needed": 200 * GIB, "offered": 100 * GIB, "unit": Quantity.ssd_bytes, "at_shards": 3,
                         "headroom_percent": 10},
     ("needs 200.0 GiB of cold values on SSD per node at 3 shards; cache.r7g.large offers 100.0 GiB of SSD after 10% "
      "headroom")),
    (Bottleneck.cpu, {"needed": 250_000.4, "offered": 120_000, "unit": Quantity.ops_per_sec, "at_shards": 4},
     "needs 250,000 ops/s per shard at 4 shards; cache.r7g.large plans for 120,000"),
    (Bottleneck.network, {"needed": 1.5e9 / 8, "offered": 0.75e9 / 8, "unit": Quantity.network_bytes_per_sec,
                          "at_shards": 4},
     "needs 1.50 Gbps per node at 4 shards; cache.r7g.large plans for 0.75"),
    (Bottleneck.budget, {"needed": 1234.4, "offered": 1000, "unit": Quantity.monthly_usd, "at_shards": 3},
     "costs $1,234/month for 3 shard(s); budget $1,000"),
    (Bottleneck.shard_limit, {"needed": 6, "offered": 5, "unit": Quantity.replicas, "at_shards": 1},
     "cluster mode disabled allows 5 replicas"),
    (Bottleneck.shard_limit, {"needed": 600, "offered": 500, "unit": Quantity.nodes, "at_shards": 200},
     "200 shards x 3 nodes exceeds 500 nodes"),
    (Bottleneck.engine, {"missing": [PREVIOUS_GENERATION]}, "T2 nodes can no longer be created (previous generation)"),
    (Bottleneck.engine, {"missing": ["Redis OSS 6.2"]}, "not offered for Redis OSS 6.2"),
    (Bottleneck.data_tiering, {"missing": ["nodes.data_tiering: false"]},
     "data tiering not allowed (nodes.data_tiering: false)"),
    (Bottleneck.region, {"missing": ["valkey", "us-east-1", "eu-west-1"]},
     "not offered for valkey in us-east-1, eu-west-1"),
    (Bottleneck.global_datastore, {"missing": list(GLOBAL_DATASTORE_FAMILIES)},
     "Global Datastore needs m5/m6g/m7g/m8g/r5/r6g/r6gd/r7g/r8g/c7gn/c8gn, large or bigger"),
])
def test_every_rejection_has_its_words(bottleneck: Bottleneck, fields: dict[str, object], words: str) -> None:
    assert reason(rejection(bottleneck, **fields)) == words


def test_cluster_mode_disabled_is_named_instead_of_a_shard_count() -> None:
    disabled = Rejection(node_type="cache.m7g.large", cluster_mode=False, bottleneck=Bottleneck.cpu, needed=2e5,
                         offered=1e5, unit=Quantity.ops_per_sec, at_shards=1)
    assert reason(disabled) == "needs 200,000 ops/s per shard at 1 shard (cluster mode disabled); cache.m7g.large plans for 100,000"


def test_error_messages_name_the_nearest_three_in_words() -> None:
    rejected = tuple(rejection(Bottleneck.budget, node_type=f"cache.r7g.{size}", needed=2000 + i, offered=1000,
                               unit=Quantity.monthly_usd, at_shards=1) for i, size in enumerate(["large", "xlarge", "2xlarge", "4xlarge"]))
    message = error_message(NoViableNodeError("sessions", rejected))
    assert message == ("no node type can carry cluster 'sessions' (4 rejected; nearest: cache.r7g.large: costs $2,000/month "
                       "for 1 shard(s); budget $1,000; cache.r7g.xlarge: costs $2,001/month for 1 shard(s); budget "
                       "$1,000; cache.r7g.2xlarge: costs $2,002/month for 1 shard(s); budget $1,000)")
    other = WorkloadSpecError("must be positive", file="stacks/a.yaml", line=3, field="keys")
    assert error_message(other) == str(other) == "stacks/a.yaml:3: keys: must be positive"
