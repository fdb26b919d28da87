"""The dataset ``profile`` compares with: start-up memory that INFO does not report as such (no server).

Both corrections were measured on fresh nodes of the builds (see the constants' notes): a
Redis 6.2 node holds 41.5 KB beyond used_memory_startup before any key, and a Valkey 9.1
node's ``config|get`` latency histogram is within used_memory_startup.
"""

from __future__ import annotations

from sizing.live.profile import UNREPORTED_STARTUP_BYTES, Profile
from sizing.live.sampling import LATENCY_HISTOGRAM_BYTES, ServerSample, ServerSnapshot, _histograms
from sizing.spec.workload import Cluster

LISTED = {"latency_percentiles_usec_config|get": "p50=4", "latency_percentiles_usec_set": "p50=1",
          "latency_percentiles_usec_info": "p50=9"}


def test_only_histograms_allocated_since_start_up_are_subtracted() -> None:
    assert _histograms(LISTED, "valkey", "9.1") == 2
    # Elsewhere config|get is listed only once a client ran it, and its histogram is then data's neighbour.
    assert _histograms(LISTED, "valkey", "8.1") == 3
    assert _histograms(LISTED, "redis", "7.0") == 3


def _snapshot(engine: str, version: str) -> ServerSnapshot:
    return ServerSnapshot(
        address="h:1", engine=engine, version=version, cluster_enabled=False, keys=10, used_memory_bytes=5_000_000,
        startup_bytes=900_000, clients_bytes=20_000, replication_bytes=0, other_overhead_bytes=0, histograms=3,
        fragmentation_ratio=1.1, maxmemory_policy="noeviction", maxmemory_bytes=0, cpu_seconds=1.0,
        commands_processed=100)


def _measured(engine: str, version: str, release: str) -> int:
    snapshot = _snapshot(engine, version)
    sample = ServerSample(before=snapshot, after=snapshot, scanned_keys=10, keys=(), commands_sent=1,
                          elapsed_seconds=1.0)
    cluster = Cluster.model_validate({"name": "c", "engine": engine, "engine_version": release, "keyspaces": [
        {"name": "k", "type": "string", "keys": 10, "key_bytes": 8, "value_bytes": 8}]})
    profile = Profile(url="redis://h:1", servers=(sample,), cluster=cluster, keyspaces=(), allocator="upstream",
                      sampled_keys=10, total_keys=10, predicted_dataset_bytes=1, predicted_keyspace_bytes=(1,),
                      version_note="")
    return profile.measured_dataset_bytes


def test_redis_6_2_leaves_out_what_a_fresh_node_holds() -> None:
    plain = 5_000_000 - 900_000 - 20_000 - 3 * LATENCY_HISTOGRAM_BYTES
    assert _measured("redis", "7.0.15", "7.0") == plain
    assert _measured("redis", "6.2.16", "6.2") == plain - UNREPORTED_STARTUP_BYTES[("redis", "6.2")]
