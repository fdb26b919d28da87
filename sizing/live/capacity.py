"""A plan checked on a real server: the fullest shard's data, loaded into a server with
the planned node's usable memory and parameter group, churned as the workload says, with
RSS sampled at the peak of the churn.

Method
  1. Plan the cluster as ``plan`` does. Start a server (127.0.0.1, free port, no
     persistence) with the cluster's encoding limits, then CONFIG SET every parameter of
     the plan's parameter group the engine has (those it refuses are listed: Debian's
     redis-server refuses activedefrag). ``warm_up``, MEMORY PURGE, wait until at rest
     (``settle``): the empty server's used_memory and RSS.
  2. ``maxmemory`` = the empty server's used_memory + scale x (usable memory - the plan's
     server baseline): the node's maxmemory less its reserve, with the data's part scaled.
  3. Load the fullest shard's keys at the horizon, the same figure the planner sizes a shard
     for (``sizing.memory.placement``): each keyspace's fullest-shard key count, one of them
     its largest key. Settle, MEMORY PURGE (tables outgrown during a fast load are pages
     jemalloc returns within ~10 s; a node churns data loaded long before), settle.
  4. Churn (``sizing.live.churn``) for ``passes`` passes while ``sizing.live.rss`` samples
     RSS and used_memory. OOM replies and evictions are counted over the load and the churn.

Glossary
    scale                   share of the shard's keys loaded and of its data budget: ratios
                            of RSS to data are per byte, so a scaled check measures the same
                            fragmentation; it does not preserve one large key (loaded whole
                            only at scale 1), nor the main table's power-of-two steps.
    peak_rss_net_bytes      highest RSS during churn less the empty server's RSS.
    peak_ratio_measured     peak_rss_net_bytes / the measured dataset: the model's peak_ratio.
    peak_need_bytes         peak_rss_net_bytes / scale + the plan's server baseline, replication
                            backlog, client and replica-sync buffers (parts a lone server with
                            one writer does not exercise, taken from the plan): the memory the
                            node would need at the peak.
    headroom_left_percent   (usable memory - peak_need_bytes) / usable memory, as the plan's
                            headroom_percent is defined.
    holds                   no OOM reply, no eviction, and headroom_left_percent >= the plan's
                            headroom_percent - HEADROOM_TOLERANCE_POINTS.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import redis
from pydantic import BaseModel, ConfigDict, Field

from sizing.catalog.nodes import load_catalog
from sizing.errors import ServerError
from sizing.live.churn import Churn, encoded, send_all
from sizing.live.client import command, describe
from sizing.live.rss import Sampler, proc_hwm, proc_rss, reset_hwm
from sizing.live.synthetic import KeyWrites
from sizing.live.verification import settle, warm_up
from sizing.memory.dataset import largest_key_variant
from sizing.memory.engines import engine_profile
from sizing.memory.placement import fullest_shard_keys
from sizing.planning.estimate import dataset_model
from sizing.planning.fragmentation import CHURN_WINDOW_HOURS, SATURATION_PASSES, peak_ratio_at
from sizing.planning.plan import ClusterPlan
from sizing.planning.skew import shard_skew
from sizing.spec.workload import Cluster, Keyspace

HEADROOM_TOLERANCE_POINTS = 2.0
"""A plan holds if the headroom left at the peak is at most this many points below the
headroom it claims: the memory model's error against real servers is within 2%."""
PASS_CAP = SATURATION_PASSES
"""Most passes run by default (5.1): those after which the model stops adding
(``fragmentation.SATURATION_PASSES``), about half a minute at scale 0.25 on a small node.
The model's window (a month of the stated rate) is often longer: mixed data at 2% an hour
is 14.4 passes; ``--passes`` runs them."""
LOCAL_MEMORY_MARGIN = 1.6
"""Memory this machine needs per byte of the check's maxmemory: RSS reached 1.55x the data
at the peak of the measured churn (churn_peak.py), and the checker keeps every key name."""
DEPLOYED_ONLY = frozenset({"reserved-memory-percent", "cluster-enabled"})
"""Parameters of the group that are ElastiCache's own or fixed at start-up: not CONFIG SET."""


class ShardKeyspace(BaseModel):
    """One keyspace's keys on the fullest shard, and what of them the check loads."""

    model_config = ConfigDict(frozen=True)

    name: str
    keys_on_shard: int = Field(description="Keys on the fullest shard at the horizon (90th percentile).")
    keys_loaded: int
    largest_key_loaded: bool = Field(description="One of them is the keyspace's largest key.")


class CapacityCheck(BaseModel):
    """The outcome of ``verify --plan`` for one cluster (bytes as measured, at ``scale``)."""

    model_config = ConfigDict(frozen=True)

    cluster: str
    planned_for: str = Field(description="Engine and version the cluster is planned for, e.g. 'valkey 8.1'.")
    allocator: str = Field(default="upstream", description="The jemalloc build the plan sized the data for: the "
                                                           "server's own ('upstream' or 'debian').")
    server_version: str
    node_type: str
    shards: int
    cluster_mode: bool
    write_pattern: str
    churn_sizes: str
    scale: float
    passes: float
    window_passes: float = Field(description="Passes the model's window implies (a month of the stated rate).")
    node_maxmemory_bytes: int
    reserved_memory_percent: int
    usable_memory_bytes: int
    server_maxmemory_bytes: int
    maxmemory_policy: str
    parameters_refused: tuple[str, ...]
    keyspaces: tuple[ShardKeyspace, ...]
    skew: float = Field(description="Fullest shard over mean shard (keys only).")
    predicted_dataset_bytes: int = Field(description="The plan's per-shard dataset at the horizon x scale.")
    measured_dataset_bytes: int
    baseline_used_bytes: int
    baseline_rss_bytes: int
    peak_used_bytes: int
    peak_rss_bytes: int
    planned_fixed_bytes: int = Field(description="Baseline, backlog, client and replica buffers, from the plan.")
    budget_peak_ratio: float = Field(description="The plan's fragmentation budget: peak RSS per byte of data.")
    model_peak_ratio_at_passes: float = Field(description="The model's peak ratio at the passes run.")
    claimed_headroom_percent: float
    oom_errors: int
    evicted_keys: int
    rewrites: int
    churn_seconds: float

    @property
    def server_matches(self) -> bool:
        """Whether the server runs the engine version the plan is for."""
        return self.server_version.startswith(f"{self.planned_for}.")

    @property
    def peak_rss_net_bytes(self) -> int:
        return self.peak_rss_bytes - self.baseline_rss_bytes

    @property
    def peak_ratio_measured(self) -> float:
        return self.peak_rss_net_bytes / self.measured_dataset_bytes if self.measured_dataset_bytes else 0.0

    @property
    def peak_need_bytes(self) -> float:
        return self.peak_rss_net_bytes / self.scale + self.planned_fixed_bytes

    @property
    def headroom_left_percent(self) -> float:
        return round(100.0 * (self.usable_memory_bytes - self.peak_need_bytes) / self.usable_memory_bytes, 2)

    @property
    def holds(self) -> bool:
        return (self.oom_errors == 0 and self.evicted_keys == 0
                and self.headroom_left_percent >= self.claimed_headroom_percent - HEADROOM_TOLERANCE_POINTS)


@dataclass(frozen=True)
class CheckSettings:
    """What the user chose: how much of the shard to load and how much to churn."""

    scale: float = 1.0
    passes: float | None = None
    """None: the model's window, at most PASS_CAP."""
    allocator: str = "upstream"
    """The jemalloc build the plan was made for: the server's own (``detect_allocator``)."""


def window_passes(plan: ClusterPlan) -> float:
    """Passes the plan's fragmentation budget is planned for."""
    return plan.fragmentation.rewritten_per_hour * CHURN_WINDOW_HOURS


def default_passes(plan: ClusterPlan) -> float:
    return min(window_passes(plan), PASS_CAP)


def server_maxmemory_bytes(plan: ClusterPlan, scale: float, baseline_used_bytes: int) -> int:
    """maxmemory of the checking server (Method, step 2)."""
    chosen = plan.chosen
    return baseline_used_bytes + round(scale * (chosen.usable_memory_bytes - chosen.memory_horizon.baseline_bytes))


def local_memory_needed_bytes(plan: ClusterPlan, scale: float) -> float:
    """Memory this machine needs for the check at ``scale``."""
    return LOCAL_MEMORY_MARGIN * scale * plan.chosen.usable_memory_bytes


def largest_key(keyspace: Keyspace) -> Keyspace | None:
    """One key as large as the keyspace's largest gets, as the memory model prices it; None
    when every key is alike."""
    return largest_key_variant(keyspace)


def shard_keyspaces(cluster: Cluster, plan: ClusterPlan, scale: float) -> list[tuple[ShardKeyspace, Keyspace | None]]:
    """Per keyspace: the fullest shard's keys, what of them is loaded, and its largest key
    if loaded (whole, at scale 1, where the plan counts one: more than one shard)."""
    shards = plan.chosen.shards
    result = []
    for keyspace in cluster.keyspaces:
        on_shard = math.ceil(keyspace.keys * plan.growth_factor)
        if shards > 1:
            on_shard = fullest_shard_keys(on_shard, shards)
        largest = largest_key(keyspace) if shards > 1 and scale >= 1 else None
        loaded = max(1, round(on_shard * scale))
        result.append((ShardKeyspace(name=keyspace.name, keys_on_shard=on_shard, keys_loaded=loaded,
                                     largest_key_loaded=largest is not None), largest))
    return result


def _apply_parameters(client: redis.Redis, plan: ClusterPlan) -> tuple[str, ...]:
    """CONFIG SET the plan's parameter group; the names this server refuses."""
    refused = []
    for name, value in plan.parameters.items():
        if name in DEPLOYED_ONLY:
            continue
        try:
            command(client, "CONFIG", "SET", name, value)
        except redis.ResponseError:
            refused.append(name)
    return tuple(refused)


def _load_stream(writes: list[KeyWrites], loaded: list[int], largest: list[KeyWrites | None]) -> Iterator[tuple[int, bytes]]:
    """Each keyspace's typical keys, then its largest key (counted among the loaded)."""
    for w, count, big in zip(writes, loaded, largest):
        for index in range(count - (1 if big is not None else 0)):
            for cmd in w.load(index):
                yield 0, encoded(cmd)
        if big is not None:
            for cmd in big.load(0):
                yield 0, encoded(cmd)


def check_capacity(client: redis.Redis, cluster: Cluster, plan: ClusterPlan, settings: CheckSettings) -> CapacityCheck:
    """Run the check (module docstring) on the started server behind ``client``."""
    server = describe(client)
    info = client.info("server")
    pid, port = int(info["process_id"]), int(client.connection_pool.connection_kwargs["port"])
    refused = _apply_parameters(client, plan)
    warm_up(client)
    _purge(client)
    baseline_used = settle(client)
    baseline_rss = proc_rss(pid)
    maxmemory = server_maxmemory_bytes(plan, settings.scale, baseline_used)
    command(client, "CONFIG", "SET", "maxmemory", maxmemory)
    evicted_before = int(client.info("stats").get("evicted_keys", 0))  # an evicting policy may evict during the load

    parts = shard_keyspaces(cluster, plan, settings.scale)
    count = len(cluster.keyspaces)
    writes = [KeyWrites(ks, index, 2 * count, keys=part.keys_loaded)
              for index, (ks, (part, _)) in enumerate(zip(cluster.keyspaces, parts))]
    bigs = [KeyWrites(big, count + index, 2 * count) if big is not None else None
            for index, (_, big) in enumerate(parts)]
    load = send_all(port, _load_stream(writes, [p.keys_loaded for p, _ in parts], bigs))
    _check_errors(load)
    settle(client)
    _purge(client)
    loaded_used = settle(client)

    passes = default_passes(plan) if settings.passes is None else settings.passes
    change = cluster.churn.size_change_percent / 100
    churn = Churn(writes + [big for big in bigs if big is not None], cluster.write_pattern, plan.fragmentation.sizes,
                  factors=(1 - change, 1 + change))
    hwm_reset = reset_hwm(pid)
    with Sampler(pid, port) as sampler:
        churned = send_all(port, churn.stream(passes))
        end_rss = proc_rss(pid)
    _check_errors(churned)
    hwm = proc_hwm(pid)
    after_used = settle(client)
    evicted = int(client.info("stats").get("evicted_keys", 0)) - evicted_before
    policy = str(client.config_get("maxmemory-policy")["maxmemory-policy"])

    chosen = plan.chosen
    horizon = chosen.memory_horizon
    profile = engine_profile(cluster.engine, cluster.version, settings.allocator)
    model = dataset_model(cluster.variant(cluster_mode="enabled" if chosen.cluster_mode else "disabled"),
                          settings.allocator)
    return CapacityCheck(
        cluster=cluster.name, planned_for=f"{cluster.engine} {cluster.version}", allocator=settings.allocator,
        server_version=f"{server.engine} {server.version}", node_type=chosen.node_type,
        shards=chosen.shards, cluster_mode=chosen.cluster_mode, write_pattern=cluster.write_pattern,
        churn_sizes=plan.fragmentation.sizes, scale=settings.scale, passes=passes, window_passes=window_passes(plan),
        node_maxmemory_bytes=next(n.maxmemory_bytes for n in load_catalog().node_types if n.name == chosen.node_type),
        reserved_memory_percent=chosen.reserved_memory_percent, usable_memory_bytes=chosen.usable_memory_bytes,
        server_maxmemory_bytes=maxmemory, maxmemory_policy=policy, parameters_refused=refused,
        keyspaces=tuple(p for p, _ in parts), skew=round(shard_skew(model, chosen.shards, plan.growth_factor), 4),
        predicted_dataset_bytes=round(horizon.dataset_bytes * settings.scale),
        measured_dataset_bytes=loaded_used - baseline_used,
        baseline_used_bytes=baseline_used, baseline_rss_bytes=baseline_rss,
        peak_used_bytes=max(sampler.peak_used, loaded_used, after_used),
        peak_rss_bytes=max(sampler.peak_rss, end_rss, hwm if hwm_reset else 0),
        planned_fixed_bytes=(horizon.baseline_bytes + horizon.repl_backlog_bytes + horizon.client_buffer_bytes
                             + horizon.replica_buffer_bytes),
        budget_peak_ratio=round(plan.fragmentation.peak_ratio, 4),
        model_peak_ratio_at_passes=round(peak_ratio_at(cluster, profile, model, passes), 4),
        claimed_headroom_percent=chosen.headroom_percent,
        oom_errors=load["oom_errors"] + churned["oom_errors"], evicted_keys=evicted,
        rewrites=churned["rewrites"], churn_seconds=churned["seconds"],
    )


def _purge(client: redis.Redis) -> None:
    try:
        command(client, "MEMORY", "PURGE")
    except redis.ResponseError:
        pass  # not a jemalloc build


def _check_errors(sent: dict[str, Any]) -> None:
    """Errors other than OOM mean the check's own commands are wrong: no result then."""
    if sent["errors"] > sent["oom_errors"]:
        raise ServerError(f"the server refused a write: {sent['first_error']}")
