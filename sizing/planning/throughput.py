"""Requests per second and network bandwidth one node can serve, for planning.

These are planning figures derived from AWS's published results, not measurements of
ours. A single 2-core machine cannot reproduce them, and ElastiCache's I/O threading is
its own.

Glossary
    peak_ops_per_sec      what AWS reports a node sustains with many clients.
    planning_ops_per_sec  the part of it the plan may use: ``PLANNING_UTILISATION`` of the
                          peak, so that engine CPU stays well below its alarm at peak load.
    network_bytes_per_sec the node's baseline network bandwidth (burst is not plannable).

Derivation of ``peak_ops_per_sec``:
  - Anchor: "over 1 million requests per second per node" on cache.r7g.4xlarge (16 vCPU,
    Graviton3) with Redis OSS 7.1 (AWS Database Blog, "Achieve over 500 million requests
    per second per cluster with Amazon ElastiCache for Redis 7.1", 2023).
  - I/O threads scale with vCPUs up to that size, so below it the peak is proportional to
    vCPU; above it the single engine thread is the limit, so it stays flat.
  - 7.1's gain of "up to 100% more throughput" than 7.0 applies to nodes with at least 8
    physical cores (same post). Below that, 7.0 equals 7.1; from 8 vCPUs up, 7.0 is half.
  - 7.0's enhanced I/O multiplexing gives "up to 72% increased throughput" over 6.2
    (AWS Database Blog, "Get up to 72% better throughput with enhanced I/O multiplexing").
  - Graviton3 gives "up to 28% increased RPS" over Graviton2 (same 7.1 post). Graviton2
    and x86 families use the Graviton2 figure. Graviton4 and c7gn/c8gn use Graviton3's,
    since no figure is published for them.
  - Valkey 7.2+ on ElastiCache is taken to match Redis OSS 7.1. Valkey's own I/O threads
    are no slower.
"""

from __future__ import annotations

from sizing.catalog.nodes import NodeType
from sizing.memory.engines import EngineProfile

ANCHOR_OPS_PER_SEC = 1_000_000
"""cache.r7g.4xlarge, Redis OSS 7.1 (AWS blog, see module docstring)."""
ANCHOR_VCPU = 16
MULTICORE_GAIN_MIN_VCPU = 8
"""7.1's doubling needs at least 8 physical cores (2xlarge on Graviton)."""
MULTICORE_GAIN = 2.0
IO_MULTIPLEXING_GAIN = 1.72
"""7.0 over 6.2 (AWS blog on enhanced I/O multiplexing)."""
GRAVITON3_GAIN = 1.28
"""Graviton3 over Graviton2 (AWS blog on 7.1)."""
GRAVITON3_OR_NEWER = ("m7g", "r7g", "c7gn", "m8g", "r8g", "c8gn")
BURSTABLE_SHARE = 0.2
"""t-family nodes run on CPU credits; plan for their 20% baseline (t3/t4g medium)."""
PLANNING_UTILISATION = 0.5
"""Share of the peak a plan may use, leaving engine CPU room below its alarm."""
NETWORK_UTILISATION = 0.7
"""Share of baseline bandwidth a plan may use at peak."""


def peak_ops_per_sec(node: NodeType, profile: EngineProfile) -> float:
    """Peak requests per second of one node (see the module docstring)."""
    ops = ANCHOR_OPS_PER_SEC * min(node.vcpu, ANCHOR_VCPU) / ANCHOR_VCPU
    if profile.engine == "redis" and profile.version in ("6.2", "7.0") and node.vcpu >= MULTICORE_GAIN_MIN_VCPU:
        ops /= MULTICORE_GAIN
    if profile.engine == "redis" and profile.version == "6.2":
        ops /= IO_MULTIPLEXING_GAIN
    if node.family not in GRAVITON3_OR_NEWER:
        ops /= GRAVITON3_GAIN
    if node.family.startswith("t"):
        ops *= BURSTABLE_SHARE
    return ops


def planning_ops_per_sec(node: NodeType, profile: EngineProfile) -> float:
    return PLANNING_UTILISATION * peak_ops_per_sec(node, profile)


def planning_network_bytes_per_sec(node: NodeType) -> float:
    return NETWORK_UTILISATION * node.baseline_gbps * 1e9 / 8
