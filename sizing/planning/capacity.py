"""What one node needs and what a node type offers: memory, engine throughput, network.

Glossary
    dataset_bytes           the shard's share of the data (``DatasetModel.shard_bytes``).
    baseline_bytes          the server's own memory: ``used_memory_startup`` plus the latency
                            histograms of the commands in use (7.0+).
    repl_backlog_bytes      the replication backlog, allocated on every node once a replica
                            or a Global Datastore secondary exists.
    client_buffer_bytes     connections x (idle client + pipelined request and reply bytes).
    replica_buffer_bytes    writes buffered for replicas during a full sync.
    fragmentation_bytes     RSS the allocator holds beyond used_memory at the peak of churn
                            (``sizing.planning.fragmentation``, measured on real servers).
    required_bytes          the sum: what must fit in usable_memory_bytes.
    usable_memory_bytes     node maxmemory minus reserved-memory-percent (default 25%).
    headroom_percent        (usable - required) / usable.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, computed_field

from sizing.catalog.nodes import NodeType
from sizing.catalog.server_memory import ServerMemory, measured_server_memory
from sizing.memory.engines import EngineProfile
from sizing.spec.workload import Cluster

DEFAULT_RESERVED_MEMORY_PERCENT = 25
"""ElastiCache's default reserved-memory-percent for accounts created after 2017-03-16
(ElastiCache "Managing reserved memory"); it covers fork copy-on-write and buffers."""
RESERVED_MEMORY_PERCENT_BY_SIZE = {"micro": 50, "small": 30}
"""AWS's guidance (ElastiCache "Managing reserved memory for Valkey and Redis OSS", read
2026-11): do not reduce reserved-memory-percent below 25; raise it to 30% on small
instances and 50% on micro instances. A fork's copy-on-write and a replica's buffers do
not shrink with the node."""
TARGET_HEADROOM_PERCENT = 10
"""Usable memory a plan leaves free at the horizon, beyond everything it models: room
for the model's error (at most 2% against real servers), keys the stack file does not
describe and bursts of client buffers."""
COMMANDS_IN_USE = 30
"""Distinct commands a typical application runs; each allocates a ~24 KB latency
histogram on first use in 7.0+ (measured: ``histogram_bytes`` in server_memory.csv)."""
REPLICA_BUFFER_LIMIT_BYTES = 256 * 1024 * 1024
"""``client-output-buffer-limit replica`` hard limit (config.c): a replica that needs more
during a sync is dropped, so no more than this is ever buffered per replica."""
SYNC_SECONDS_FLOOR = 5.0
"""Shortest full sync assumed: fork, transfer and load of a small dataset."""
class MemoryBreakdown(BaseModel):
    """Memory one node needs, by cause (bytes)."""

    model_config = ConfigDict(frozen=True)

    dataset_bytes: int
    baseline_bytes: int
    repl_backlog_bytes: int
    client_buffer_bytes: int
    replica_buffer_bytes: int
    fragmentation_bytes: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def required_bytes(self) -> int:
        return (self.dataset_bytes + self.baseline_bytes + self.repl_backlog_bytes + self.client_buffer_bytes
                + self.replica_buffer_bytes + self.fragmentation_bytes)

    def parts(self) -> dict[str, int]:
        """Each cause by name, in the order reports show them."""
        return {
            "dataset": self.dataset_bytes,
            "server baseline": self.baseline_bytes,
            "replication backlog": self.repl_backlog_bytes,
            "client buffers": self.client_buffer_bytes,
            "replica sync buffers": self.replica_buffer_bytes,
            "fragmentation": self.fragmentation_bytes,
        }


def server_memory(profile: EngineProfile, cluster_mode: bool) -> ServerMemory:
    """Fixed costs of the release the profile's measurements come from."""
    return measured_server_memory(profile.engine, profile.measured_version, cluster_mode)


def reserved_memory_percent(node: NodeType, chosen: int | None) -> int:
    """The reserve a node of this type is planned and deployed with: the stack's
    ``reserved-memory-percent`` if it sets one, else AWS's guidance for the node's size."""
    if chosen is not None:
        return chosen
    return RESERVED_MEMORY_PERCENT_BY_SIZE.get(node.name.rsplit(".", 1)[-1], DEFAULT_RESERVED_MEMORY_PERCENT)


def usable_memory_bytes(node: NodeType, reserved_percent: int) -> int:
    """maxmemory minus the reserve: what the node may fill before evicting."""
    return node.maxmemory_bytes * (100 - reserved_percent) // 100


def plannable_memory_bytes(usable_bytes: int) -> int:
    """The part of usable memory a plan may fill: usable minus the target headroom."""
    return usable_bytes * (100 - TARGET_HEADROOM_PERCENT) // 100


class NodeLoad:
    """The parts of a node's memory need that do not depend on the shard count.

    Built once per (cluster, node type); ``required_bytes(dataset, shards)`` is then plain
    arithmetic, because the planner asks it for many shard counts.
    """

    def __init__(self, cluster: Cluster, profile: EngineProfile, cluster_mode: bool, node: NodeType,
                 replicated: bool, peak_ratio: float) -> None:
        traffic = cluster.traffic
        self.baseline_bytes, self.repl_backlog_bytes, self.client_buffer_bytes = _fixed_parts(
            cluster, profile, cluster_mode, replicated)
        self.write_bytes_per_sec = traffic.peak_ops_per_sec * (1 - traffic.read_ratio) * traffic.avg_request_bytes
        self.network_bytes_per_sec = node.baseline_gbps * 1e9 / 8
        self.replicas = cluster.availability.replicas_per_shard
        self.fragmentation = peak_ratio - 1  # fragmentation.fragmentation_basis
        self.fixed_bytes = self.baseline_bytes + self.repl_backlog_bytes + self.client_buffer_bytes

    def replica_buffer_bytes(self, dataset_bytes: float, shards: int) -> float:
        """Writes buffered per replica while a full sync transfers the dataset, capped."""
        sync_seconds = max(SYNC_SECONDS_FLOOR, dataset_bytes / self.network_bytes_per_sec)
        return self.replicas * min(REPLICA_BUFFER_LIMIT_BYTES, self.write_bytes_per_sec / shards * sync_seconds)

    def required_bytes(self, dataset_bytes: float, shards: int) -> float:
        return (self.fixed_bytes + dataset_bytes * (1 + self.fragmentation)
                + self.replica_buffer_bytes(dataset_bytes, shards))

    def breakdown(self, dataset_bytes: float, shards: int) -> MemoryBreakdown:
        return MemoryBreakdown(
            dataset_bytes=math.ceil(dataset_bytes),
            baseline_bytes=self.baseline_bytes,
            repl_backlog_bytes=self.repl_backlog_bytes,
            client_buffer_bytes=self.client_buffer_bytes,
            replica_buffer_bytes=math.ceil(self.replica_buffer_bytes(dataset_bytes, shards)),
            fragmentation_bytes=math.ceil(self.fragmentation * dataset_bytes),
        )


def fixed_bytes(cluster: Cluster, profile: EngineProfile, cluster_mode: bool, replicated: bool) -> float:
    """What a node of the cluster needs whatever its type and shard count (``NodeLoad.fixed_bytes``)."""
    baseline, backlog, clients = _fixed_parts(cluster, profile, cluster_mode, replicated)
    return baseline + backlog + clients


def _fixed_parts(cluster: Cluster, profile: EngineProfile, cluster_mode: bool,
                 replicated: bool) -> tuple[int, int, float]:
    """(server baseline, replication backlog, client buffers) of one node."""
    fixed = server_memory(profile, cluster_mode)
    traffic = cluster.traffic
    per_connection = fixed.idle_client_bytes + traffic.pipeline_depth * (
        traffic.avg_request_bytes + traffic.avg_response_bytes)
    return (fixed.startup_bytes + COMMANDS_IN_USE * fixed.histogram_bytes,
            profile.repl_backlog_bytes if replicated else 0, traffic.peak_connections * per_connection)


def node_memory(
    cluster: Cluster, profile: EngineProfile, cluster_mode: bool, dataset_bytes: float, shards: int,
    node: NodeType, replicated: bool, peak_ratio: float,
) -> MemoryBreakdown:
    """What one node of a shard needs, by cause."""
    return NodeLoad(cluster, profile, cluster_mode, node, replicated, peak_ratio).breakdown(dataset_bytes, shards)
