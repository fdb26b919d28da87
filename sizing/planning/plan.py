"""Capacity plan: the cheapest ElastiCache layout that holds a cluster's data and load.

Every node type in the catalog is evaluated: either it yields an ``Option`` (shards,
replicas, memory per node, cost) or a ``Rejection`` whose reason gives the numbers. The
choice is the cheapest option; options within ``TIE_BAND`` of it count as equal, and
then fewer shards, then the newer family, win. So a small change of input does not flip
between near-equal options.

Glossary
    horizon            growth.horizon_months ahead; key counts grow by
                       (1 + monthly_percent/100) ** horizon_months.
    shards             node groups; cluster mode disabled means exactly one.
    nodes              shards x (1 + replicas_per_shard) per region.
    binding            the constraint that set the shard count (memory, cpu, network).
    monthly_usd        on-demand cost of every node in every region, 730 hours a month.
    monthly_usd_reserved  the same with 1- or 3-year All Upfront reservations: the upfront
                       fee spread over the term (AWS's reserved offers; Valkey estimated at
                       the Redis OSS reserved share of its own on-demand rate).
    deployment         'nodes' (the chosen layout is deployed) or 'serverless' (ElastiCache
                       Serverless, ``sizing.planning.serverless``, was allowed and cheaper, or
                       asked for). The node layout is planned either way, as the comparison.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from enum import Enum
from functools import lru_cache
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, computed_field

from sizing.catalog.network import load_network
from sizing.catalog.nodes import (
    PRICES_AS_OF,
    RESERVED_PRICES_AS_OF,
    RESERVED_TERMS_YEARS,
    Catalog,
    NodeType,
    load_catalog,
)
from sizing.errors import NoViableNodeError, NoViableRegionsError
from sizing.memory.dataset import DatasetModel
from sizing.memory.engines import EngineProfile, engine_profile
from sizing.planning.advice import Recommendation, recommendations
from sizing.planning.alarms import AlarmThresholds, alarm_thresholds
from sizing.planning.capacity import (
    TARGET_HEADROOM_PERCENT,
    MemoryBreakdown,
    NodeLoad,
    fixed_bytes,
    plannable_memory_bytes,
    reserved_memory_percent,
    usable_memory_bytes,
)
from sizing.planning.extended_support import ExtendedSupportExposure, extended_support
from sizing.planning.fragmentation import FragmentationBasis, fragmentation_basis
from sizing.planning.layout import (
    BURSTABLE_FAMILY_PREFIX,
    SIMPLER_LAYOUT_SHARE,
    LayoutPreference,
    burstable_at_risk,
    prefer_simpler,
)
from sizing.planning.models import planning_model
from sizing.planning.parameter_group import parameter_family, parameter_group
from sizing.planning.payment import PaymentAdvice, payment_advice
from sizing.planning.regions import (
    NodeLayout,
    RegionChoice,
    choose_regions,
    cluster_traffic,
    is_infeasible,
    replication_transfer,
)
from sizing.planning.serverless import ServerlessOption, on_newest_valkey, weigh
from sizing.planning.skew import shard_skew
from sizing.planning.throughput import planning_network_bytes_per_sec, planning_ops_per_sec
from sizing.spec.workload import Cluster, Workload

HOURS_PER_MONTH = 730
"""AWS pricing convention for monthly estimates."""
MAX_REPLICAS_DISABLED = 5
"""Cluster mode disabled: one primary and up to 5 replicas (NumCacheClusters <= 6)."""
MAX_NODES_PER_CLUSTER = 500
"""Nodes (or shards) per cluster with a quota increase, Valkey 7.2+ / Redis OSS 5.0.6+;
the default quota is 90 nodes per cluster per instance type (ElastiCache quotas)."""
DEFAULT_NODE_QUOTA = 90
"""Nodes per cluster without a quota increase (AWS docs Clusters.html, "ElastiCache quotas"):
a plan above it says so."""
GLOBAL_DATASTORE_FAMILIES = ("m5", "m6g", "m7g", "m8g", "r5", "r6g", "r6gd", "r7g", "r8g", "c7gn", "c8gn")
"""Families Global Datastore supports, size large and above (Global Datastore prerequisites)."""
TIE_BAND = 0.01
"""Options within 1% of the cheapest cost are treated as equal."""
BOUND_MARGIN = 1e-9
"""Relative slack on the bounds that decide which node types are evaluated in full: far above
the rounding of the sums they bound, far below any difference of cost or size that matters."""
CHOSEN_BAND = (1 + TIE_BAND) / (1 - SIMPLER_LAYOUT_SHARE) * (1 + BOUND_MARGIN)
"""How much dearer than the cheapest a layout may be and still be chosen: as the simpler
layout within ``SIMPLER_LAYOUT_SHARE`` of its own cost (sizing.planning.layout), measured
from the first of the ranking, which may itself be up to the tie band dearer than the
cheapest (fewer shards win within it)."""
SHOWN_ALTERNATIVES = 4
PREVIOUS_GENERATION = "previous generation"
"""What an engine rejection of a T2 node lacks: T2 nodes can no longer be created (ElastiCache
supported node types, previous generation)."""


class Bottleneck(str, Enum):
    memory = "memory"
    cpu = "cpu"
    network = "network"
    shard_limit = "shard_limit"
    budget = "budget"
    engine = "engine"
    region = "region"
    global_datastore = "global_datastore"
    data_tiering = "data_tiering"
    unpriced = "unpriced"
    """AWS lists the type in the region, but the catalog has no sourced price for it there."""


class Quantity(str, Enum):
    """What a rejection's ``needed`` and ``offered`` count."""

    memory_bytes = "memory_bytes"
    """Per node, after the reserve and the target headroom."""
    ssd_bytes = "ssd_bytes"
    """Of cold values on a data-tiering node's SSD, after the target headroom."""
    ops_per_sec = "ops_per_sec"
    """Peak commands per second per shard."""
    network_bytes_per_sec = "network_bytes_per_sec"
    """Per node, requests, responses and replication."""
    monthly_usd = "monthly_usd"
    replicas = "replicas"
    """Per shard."""
    nodes = "nodes"
    """Per cluster."""


class Rejection(BaseModel):
    """A node type that cannot carry the cluster, and why, in numbers: the render layer words it.

    Capacity rejections say what the cluster needs of the bottleneck and what the node offers,
    at the most shards the cluster allows. The others (engine, region, Global Datastore, data
    tiering) name what is missing in ``missing``.
    """

    model_config = ConfigDict(frozen=True)

    node_type: str
    cluster_mode: bool
    bottleneck: Bottleneck
    needed: float | None = Field(default=None, description="What the cluster needs, in `unit`.")
    offered: float | None = Field(default=None, description="What the node type offers, in `unit`.")
    unit: Quantity | None = None
    at_shards: int | None = Field(default=None, description="Shards at which needed and offered are compared.")
    reserved_percent: int | None = Field(default=None, description="reserved-memory-percent behind a memory offer.")
    headroom_percent: int | None = Field(default=None, description="Target headroom behind a memory offer.")
    hot_data_percent: float | None = Field(default=None, description="Share of data kept in memory (data tiering).")
    missing: tuple[str, ...] = Field(default=(), description="What the node type lacks: regions, an engine, a rule.")
    shortfall: float | None = Field(
        default=None, description="Needed / offered at the most shards allowed (1 = just fits); None when not a "
                                  "matter of capacity.")


class Option(BaseModel):
    """A layout that satisfies every constraint."""

    model_config = ConfigDict(frozen=True)

    node_type: str
    family: str
    cluster_mode: bool
    shards: int
    replicas_per_shard: int
    nodes_per_region: int
    binding: Bottleneck
    reserved_memory_percent: int = Field(description="reserved-memory-percent this layout is planned and deployed with.")
    usable_memory_bytes: int
    memory_today: MemoryBreakdown
    """In memory only: on data-tiering nodes the cold values are in ``ssd_bytes_per_node``."""
    memory_horizon: MemoryBreakdown
    ssd_bytes_per_node: int = Field(default=0, description="Cold values on SSD at the horizon (data tiering).")
    ops_per_sec_per_shard: float
    planning_ops_per_sec: float
    hourly_usd_by_region: Mapping[str, float]
    monthly_usd: float
    monthly_usd_reserved: Mapping[int, float] = Field(
        default_factory=dict, description="Term in years -> monthly cost with All Upfront reservations (effective), "
                                          "where AWS offers them in every region of the cluster.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def headroom_percent(self) -> float:
        """Free share of usable memory at the horizon, to 0.01 point: the one figure the JSON,
        the text, the reports, the tags and the alarms all show."""
        return round(100.0 * (self.usable_memory_bytes - self.memory_horizon.required_bytes) / self.usable_memory_bytes, 2)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def headroom_today_percent(self) -> float:
        """The same today, before growth."""
        return round(100.0 * (self.usable_memory_bytes - self.memory_today.required_bytes) / self.usable_memory_bytes, 2)


class ClusterPlan(BaseModel):
    """The chosen layout of one cluster, with what was rejected and why."""

    model_config = ConfigDict(frozen=True)

    name: str
    engine: str
    engine_version: str
    regions: tuple[str, ...]
    multi_az: bool = Field(description="Nodes of a shard spread over availability zones (needs replicas).")
    data_tiering: bool = Field(description="The chosen node type tiers data to SSD (r6gd).")
    reserved_memory_percent: int
    growth_factor: float = Field(description="Key-count multiplier at the horizon.")
    horizon_months: int
    chosen: Option
    alternatives: tuple[Option, ...] = Field(description="The next cheapest node types not chosen, each at its best "
                                                         "layout, never the chosen type.")
    rejected: tuple[Rejection, ...] = Field(description="Node types that cannot carry the cluster, nearest first.")
    parameter_family: str = Field(description="Parameter-group family, e.g. 'valkey8'.")
    parameters: Mapping[str, str] = Field(description="Parameter-group values for the chosen node type.")
    alarms: AlarmThresholds
    fragmentation: FragmentationBasis = Field(description="The churn the fragmentation budget is planned for.")
    shard_skew: float = Field(default=1.0, description="The fullest shard's data over the mean shard's at the "
                                                       "horizon: keys are indivisible and land on shards at random, "
                                                       "and every shard is sized for the fullest.")
    recommendations: tuple[Recommendation, ...] = Field(default=(), description="Computed savings, biggest first.")
    serverless: ServerlessOption | None = Field(
        default=None, description="ElastiCache Serverless for the cluster: chosen, refused (why), costlier or not "
                                  "asked; None only in the re-plans behind recommendations.")
    serverless_on_valkey: ServerlessOption | None = Field(
        default=None, description="For Redis OSS: the same data on serverless Valkey (newest version).")
    payment: PaymentAdvice | None = Field(default=None, description="On demand against reservations and Database "
                                                                    "Savings Plans for what is deployed.")
    prices_as_of: str = Field(default=PRICES_AS_OF, description="Date of the prices of what is deployed.")
    reserved_prices_as_of: str = RESERVED_PRICES_AS_OF
    layout_preference: LayoutPreference | None = Field(
        default=None, description="The cheapest layout against the simplest within the threshold, where they differ "
                                  "(sizing.planning.layout).")
    extended_support: ExtendedSupportExposure | None = Field(
        default=None, description="What staying on this Redis OSS version past standard support costs on these "
                                  "nodes; None where AWS has announced no date.")
    region_choice: RegionChoice | None = Field(
        default=None, description="How the regions were chosen from the placement; None where `regions` chose.")
    replication_gb_per_month: float = Field(default=0.0, description="Write traffic the primary sends all its "
                                                                     "Global Datastore secondaries.")
    average_ops_stated: bool = Field(default=True, description="The stack gives traffic.avg_ops_per_sec; else "
                                                                "transfer is costed at the peak, an upper bound.")
    transfer_monthly_usd: float | None = Field(
        default=0.0, description="Data transfer between regions: replication to secondaries and, with a placement, "
                                 "clients served outside their region. None where no source prices a pair.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def deployment(self) -> str:
        """'serverless' where the serverless option was chosen, else 'nodes'."""
        return "serverless" if self.serverless is not None and self.serverless.decision == "chosen" else "nodes"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def monthly_usd(self) -> float:
        """On-demand monthly cost of what is deployed."""
        if self.deployment == "serverless" and self.serverless is not None and self.serverless.monthly_usd is not None:
            return self.serverless.monthly_usd
        return round(self.chosen.monthly_usd + (self.transfer_monthly_usd or 0.0), 2)

    def nearest_rejections(self, count: int) -> tuple[Rejection, ...]:
        """The nearest node types that cannot carry the cluster, as a reader weighs them: never the
        chosen type or one already shown as an alternative (in its other cluster mode), not T2,
        which can no longer be created at all, and a rule that is not about capacity (data tiering
        off, no price in a region) once per family. ``rejected`` keeps them all."""
        shown = {self.chosen.node_type, *(option.node_type for option in self.alternatives)}
        ruled: set[tuple[str, Bottleneck]] = set()
        nearest: list[Rejection] = []
        for rejection in self.rejected:
            if rejection.node_type in shown or PREVIOUS_GENERATION in rejection.missing:
                continue
            if rejection.shortfall is None:
                rule = (rejection.node_type.split(".")[1], rejection.bottleneck)
                if rule in ruled:
                    continue
                ruled.add(rule)
            nearest.append(rejection)
        return tuple(nearest[:count])

    def fingerprint(self) -> str:
        """12 hex digits that change exactly when what gets deployed changes.

        Tagged on the replication group, so a running cluster says which plan made it.
        """
        deployed = {
            "engine": self.engine, "engine_version": self.engine_version, "regions": self.regions,
            "node_type": self.chosen.node_type, "cluster_mode": self.chosen.cluster_mode,
            "shards": self.chosen.shards, "replicas_per_shard": self.chosen.replicas_per_shard,
            "parameter_family": self.parameter_family, "parameters": self.parameters,
        }
        if self.deployment == "serverless" and self.serverless is not None:
            # Only a serverless plan carries these keys, so node plans keep their fingerprints.
            deployed = {"engine": self.engine, "major_engine_version": self.serverless.major_engine_version,
                        "regions": self.regions, "deployment": "serverless",
                        "data_storage_limit_gb": self.serverless.data_storage_limit_gb,
                        "ecpu_per_second_limit": self.serverless.ecpu_per_second_limit}
        return hashlib.sha256(json.dumps(deployed, sort_keys=True).encode()).hexdigest()[:12]


class _Offer(NamedTuple):
    """A node type the cluster may use, with what its evaluations share across a fleet."""

    node: NodeType
    prices: dict[str, float]
    """Hourly, per region."""
    ops_capacity: float
    """``planning_ops_per_sec`` on the cluster's engine version."""
    network_capacity: float
    """``planning_network_bytes_per_sec``."""
    plannable_bytes: int
    """Memory a plan may fill with the reserve AWS advises for the node's size."""
    hourly_usd: tuple[float, ...]
    """The prices' values, in the regions' order."""
    reserved_percent: int
    """That reserve (``capacity.reserved_memory_percent`` with none chosen)."""
    usable_bytes: int
    """maxmemory less that reserve."""


_Bounds = tuple[tuple[float, float, int, bool, NodeType, tuple[float, ...]], ...]
"""Per offer, in its order, what ``_least_monthly_usd`` reads of it: (ops capacity, network
capacity, plannable bytes, data tiering, node, hourly prices), unpacked in one step."""
_Offers = tuple[tuple[Rejection, ...], tuple[_Offer, ...], _Bounds]
OFFER_CACHE_SIZE = 1024
"""Distinct (engine, version, regions, node constraints) combinations remembered: a fleet
has a few dozen; the bound keeps a long-running caller's memory flat."""


def plan_workload(workload: Workload, catalog: Catalog | None = None) -> list[ClusterPlan]:
    """Plan every cluster of a workload."""
    return [plan_cluster(cluster, catalog) for cluster in workload.clusters]


def plan_cluster(cluster: Cluster, catalog: Catalog | None = None, advise: bool = True,
                 allocator: str = "upstream", detail: bool = True) -> ClusterPlan:
    """The cheapest layout for ``cluster``; raises NoViableNodeError if there is none.

    ``advise``: also compute recommendations (each re-plans a variant of the cluster).
    ``allocator``: the jemalloc build the data is sized for: ElastiCache's ('upstream'), or
    'debian' when a capacity check runs on Debian's server.
    ``detail=False``: the choice and what deploys it, found as ``cheapest_option`` finds it,
    without what is said of the layouts not chosen (``alternatives`` and ``rejected`` stay
    empty, ``layout_preference`` None): what ``diff`` compares. A cluster that cannot be
    planned raises as the full plan does, its rejections included.
    """
    full_catalog = catalog or load_catalog()
    setup = _setup(cluster, full_catalog, allocator)
    cluster, region_choice, catalog, profile, growth = (
        setup.cluster, setup.region_choice, setup.catalog, setup.profile, setup.growth)
    traffic = cluster.traffic
    penalized = burstable_at_risk(cluster.write_pattern, traffic.avg_ops_per_sec, traffic.peak_ops_per_sec)
    evaluated = _modes(setup, allocator)
    if detail:
        options, rejected = _outcomes(setup, evaluated, penalized)
    else:
        options, rejected = _cheapest_found(setup, evaluated), []
        if not options:  # say why, as the full plan does
            return plan_cluster(cluster, full_catalog, advise, allocator)
    if not options:
        raise NoViableNodeError(cluster.name, _nearest_first(rejected))
    bases = {mode.cluster_mode: mode.basis for mode in evaluated}
    datasets = {mode.cluster_mode: mode.dataset for mode in evaluated}
    ranked, preference = prefer_simpler(_rank(options), penalized)
    if not detail:
        preference = None
    chosen = ranked[0].build()
    chosen_node = next(n for n in catalog.node_types if n.name == chosen.node_type)
    # Serverless is weighed against the cheapest layout; the re-plans behind recommendations skip it.
    serverless = weigh(cluster, growth, chosen.monthly_usd, datasets.get(True)) if advise else None
    prices_as_of = max(catalog.price_date(region, chosen.node_type, cluster.engine) for region in cluster.regions)
    if serverless is not None and serverless.decision == "chosen" and serverless.prices_as_of:
        prices_as_of = serverless.prices_as_of
    return ClusterPlan(
        name=cluster.name, engine=cluster.engine, engine_version=cluster.version, regions=tuple(cluster.regions),
        multi_az=cluster.availability.multi_az and chosen.replicas_per_shard > 0, data_tiering=chosen_node.data_tiering,
        reserved_memory_percent=chosen.reserved_memory_percent, growth_factor=growth, horizon_months=cluster.growth.horizon_months,
        chosen=chosen, alternatives=_alternatives(ranked) if detail else (),
        rejected=tuple(sorted(rejected, key=_rejection_order)),
        parameter_family=parameter_family(profile),
        parameters=parameter_group(cluster, profile, chosen_node, chosen.reserved_memory_percent, chosen.cluster_mode),
        alarms=alarm_thresholds(cluster, chosen_node),
        fragmentation=bases[chosen.cluster_mode],
        shard_skew=round(shard_skew(datasets[chosen.cluster_mode], chosen.shards, growth), 4),
        recommendations=recommendations(
            cluster, chosen, lambda variant: cheapest_option(variant, full_catalog)) if advise else (),
        serverless=serverless, prices_as_of=prices_as_of,
        serverless_on_valkey=on_newest_valkey(cluster, growth) if advise else None,
        payment=payment_advice(cluster.engine, chosen.family, chosen_node.family_generation, dict(chosen.monthly_usd_reserved),
                               chosen.monthly_usd, serverless) if advise else None,
        region_choice=region_choice, **_transfer(cluster, region_choice), layout_preference=preference,
        extended_support=extended_support(cluster.engine, cluster.version, chosen.monthly_usd) if advise else None,
    )


def _region_choice(cluster: Cluster, catalog: Catalog, allocator: str) -> RegionChoice | None:
    """Where a cluster with a placement goes (``sizing.planning.regions``); None where ``regions`` says.
    Each set of regions is costed by the node plan there, so the Global Datastore rules apply."""
    placement = cluster.placement
    if placement is None or "regions" in cluster.model_fields_set:
        return None

    def plan_nodes(regions: tuple[str, ...]) -> NodeLayout | str:
        try:
            option = plan_cluster(cluster.variant(regions=list(regions)), catalog, advise=False,
                                  allocator=allocator).chosen
        except NoViableNodeError as failure:
            nearest = failure.rejections[0] if failure.rejections else None
            return f"nearest node type {nearest.node_type}: {nearest.bottleneck.value}" if nearest else "no node type"
        return NodeLayout(node_type=option.node_type, shards=option.shards, monthly_usd=option.monthly_usd)

    traffic = cluster.traffic
    choice = choose_regions(
        tuple((c.region, c.reads_percent, c.writes_percent) for c in placement.clients), placement.candidate_regions,
        placement.max_read_latency_ms, placement.max_write_latency_ms,
        cluster_traffic(traffic.average_ops_per_sec, traffic.read_ratio, traffic.avg_request_bytes,
                        traffic.avg_response_bytes),
        load_network(), {name: region.global_datastore for name, region in catalog.regions.items()}, plan_nodes)
    if is_infeasible(choice):
        raise NoViableRegionsError(cluster.name, choice)
    return choice


def _transfer(cluster: Cluster, choice: RegionChoice | None) -> dict[str, float | bool | None]:
    """Replication GB and the monthly transfer cost: the choice's, or the write stream to the
    secondaries that ``regions`` lists."""
    traffic = cluster.traffic
    stated = traffic.avg_ops_per_sec is not None
    if choice is not None:
        return {"replication_gb_per_month": choice.chosen.replication_gb_per_month, "average_ops_stated": stated,
                "transfer_monthly_usd": choice.chosen.transfer_monthly_usd}
    gb, usd = replication_transfer(load_network(), tuple(cluster.regions), cluster_traffic(
        traffic.average_ops_per_sec, traffic.read_ratio, traffic.avg_request_bytes, traffic.avg_response_bytes))
    return {"replication_gb_per_month": round(gb, 3), "average_ops_stated": stated,
            "transfer_monthly_usd": None if usd is None else round(usd, 2)}


def cheapest_option(cluster: Cluster, catalog: Catalog | None = None, allocator: str = "upstream") -> Option:
    """``plan_cluster(cluster, catalog, advise=False, allocator=allocator).chosen``, without
    the rest of the plan (rejections, alternatives, parameter group, alarms): what the
    re-plans behind recommendations read. Node types are evaluated cheapest first, and one
    whose fewest shards (by engine load and traffic alone) already cost more than the best
    option found by more than a chosen layout may (the tie band, or the simpler layout's
    threshold) is skipped: it could not be chosen."""
    # A variant of a planned cluster names its regions already; a cluster with a placement
    # has them chosen first, as plan_cluster does.
    setup = _setup(cluster, catalog or load_catalog(), allocator)
    cluster = setup.cluster
    found = _cheapest_found(setup, _modes(setup, allocator))
    if not found:
        raise NoViableNodeError(cluster.name, ())
    traffic = cluster.traffic
    ranked, _ = prefer_simpler(_rank(found), burstable_at_risk(cluster.write_pattern, traffic.avg_ops_per_sec,
                                                               traffic.peak_ops_per_sec))
    return ranked[0].build()


def _cheapest_found(setup: _Setup, modes: list[_Mode]) -> list[_Candidate]:
    """The options among the node types evaluated cheapest first until the next could not be
    chosen (see ``cheapest_option``), in ``plan_cluster``'s order (of the modes, then the catalog)."""
    found: list[tuple[int, int, _Candidate]] = []  # (mode, node index, option)
    best = math.inf
    for floor, mode_index, index in _floors(setup, modes):
        if floor > best * CHOSEN_BAND or floor == math.inf:
            break  # sorted: every later node type costs more still, or is rejected
        outcome = _evaluate(setup, modes[mode_index], setup.offers[1][index])
        if isinstance(outcome, _Candidate):
            found.append((mode_index, index, outcome))
            best = min(best, outcome.monthly_usd)
    return [option for _, _, option in sorted(found, key=lambda f: (f[0], f[1]))]


class _Mode(NamedTuple):
    """What the evaluations of every node type in one cluster mode share."""

    cluster_mode: bool
    cluster: Cluster
    """The cluster in this mode."""
    dataset: DatasetModel
    basis: FragmentationBasis
    fixed_bytes: float
    """What a node needs whatever its type and shard count (``capacity.fixed_bytes``)."""
    spread_bytes: float
    """The data at the horizon with no table and no unevenness (``DatasetModel.spread_bytes``):
    a shard holds at least this over the shard count."""
    memory_shards: dict[tuple[int, float, float], int | None]
    """The fewest shards memory allows, by (plannable bytes, bandwidth, SSD): node types alike
    in all three share one search."""
    loads: dict[float, NodeLoad]
    """A node's memory needs by its baseline bandwidth, the one figure of its type they read."""
    low_shards: int
    high_shards: int
    """The shard counts the mode allows (one with cluster mode disabled)."""
    wire_bytes_per_op: float
    """``_wire_bytes_per_op``."""


def _modes(setup: _Setup, allocator: str) -> list[_Mode]:
    modes = []
    cluster = setup.cluster
    replicated = len(cluster.regions) > 1 or cluster.availability.replicas_per_shard > 0
    replicas = cluster.availability.replicas_per_shard
    for cluster_mode in setup.modes:
        shaped = _in_mode(cluster, cluster_mode)
        dataset = planning_model(shaped, allocator)
        low = max(cluster.availability.min_shards if cluster_mode else 1, 1)
        high = (min(cluster.availability.max_shards, MAX_NODES_PER_CLUSTER // (1 + replicas)) if cluster_mode
                else 1)
        modes.append(_Mode(cluster_mode, shaped, dataset, fragmentation_basis(shaped, setup.profile, dataset),
                           fixed_bytes(shaped, setup.profile, cluster_mode, replicated),
                           dataset.spread_bytes(setup.growth), {}, {}, low, high, _wire_bytes_per_op(shaped)))
    return modes


def _outcomes(setup: _Setup, modes: list[_Mode], penalized: bool,
              prune: bool = True) -> tuple[list[_Candidate], list[Rejection]]:
    """Every node type's option (cheapest first among those a plan can show) and every
    rejection, each list in the order of the modes and the catalog.

    Node types are evaluated in full cheapest first, by the least each could cost. Once what a
    plan shows is settled by those (``_head_settled``), the rest are only classified: an
    option among them could not be shown, and a rejection is stated as a full evaluation
    states it. So are those the least cost already rejects. With a budget every node type is
    evaluated in full (its rejection names the cost of the layout), and ``prune=False`` does
    the same (the reference the tests compare with).
    """
    offered = setup.offers[1]
    floors = _floors(setup, modes)
    prune = prune and setup.cluster.nodes.monthly_budget_usd is None
    outcomes: dict[tuple[int, int], _Candidate | Rejection | None] = {}
    found: list[_Candidate] = []
    cheapest = math.inf
    for position, (floor, mode_index, index) in enumerate(floors):
        if prune and (floor == math.inf or floor > cheapest * CHOSEN_BAND and _head_settled(found, floor, penalized)):
            for _, rest_mode, rest_index in floors[position:]:
                outcomes[rest_mode, rest_index] = _evaluate(setup, modes[rest_mode], offered[rest_index],
                                                            search=False)
            break
        outcome = outcomes[mode_index, index] = _evaluate(setup, modes[mode_index], offered[index])
        if isinstance(outcome, _Candidate):
            found.append(outcome)
            cheapest = min(cheapest, outcome.monthly_usd)
    options: list[_Candidate] = []
    rejected: list[Rejection] = list(setup.offers[0])
    for mode_index in range(len(modes)):
        for index in range(len(offered)):
            outcome = outcomes[mode_index, index]
            if isinstance(outcome, _Candidate):
                options.append(outcome)
            elif outcome is not None:
                rejected.append(outcome)
    return options, rejected


def _floors(setup: _Setup, modes: list[_Mode]) -> list[tuple[float, int, int]]:
    """(least monthly cost, mode index, offer index) of every offered node type in every
    mode, cheapest first: the order node types are evaluated in."""
    return sorted((floor, mode_index, index) for mode_index, mode in enumerate(modes)
                  for index, floor in enumerate(_least_monthly_usd(setup, mode)))


def _head_settled(found: list[_Candidate], floor: float, penalized: bool) -> bool:
    """Whether options costing ``floor`` or more could no longer change what a plan shows: the
    choice (within ``CHOSEN_BAND`` of the cheapest), the ``SHOWN_ALTERNATIVES`` after it and
    the simpler layout a preference names (``layout.prefer_simpler``). Each option found so
    far that costs less than ``floor`` ranks before every option not yet found."""
    below = [option for option in found if option.monthly_usd < floor]
    if len({option.node_type for option in below}) <= SHOWN_ALTERNATIVES:
        return False  # the choice's type may be among them: one more is needed
    first = _rank(found)[0]

    def simplicity(option: _Candidate) -> tuple[int, int]:
        return (1 if penalized and option.family.startswith(BURSTABLE_FAMILY_PREFIX) else 0, option.shards)

    return simplicity(first) <= (0, 1) or any(simplicity(option) < simplicity(first) for option in below)


def _in_mode(cluster: Cluster, cluster_mode: bool) -> Cluster:
    """The cluster planned in one mode. Not validated again (only the mode changes, to one the
    definition allows), so its keyspaces stay the objects the memory model's memos know."""
    return cluster.model_copy(update={"cluster_mode": "enabled" if cluster_mode else "disabled"})


def _least_monthly_usd(setup: _Setup, mode: _Mode) -> list[float]:
    """Per offered node type, a lower bound of the option's ``monthly_usd`` that ``_evaluate``
    would give it: its cost at the fewest shards engine load, traffic and the evenly spread
    data allow (memory is not bounded on data-tiering nodes, whose values may sit on SSD);
    infinite where that is more shards than the cluster may have, or no shard count leaves
    memory for data: the node type is rejected."""
    cluster = mode.cluster
    traffic, replicas = cluster.traffic, cluster.availability.replicas_per_shard
    peak, wire = traffic.peak_ops_per_sec, traffic.peak_ops_per_sec * mode.wire_bytes_per_op
    low, high = mode.low_shards, mode.high_shards
    reserve = cluster.parameters.reserved_memory_percent
    # Fragmentation and replica buffers only add to the need; the margin covers rounding.
    need = mode.spread_bytes * mode.basis.peak_ratio * (1 - BOUND_MARGIN)
    floors = []
    fixed, ceil, inf = mode.fixed_bytes, math.ceil, math.inf
    for ops_capacity, network_capacity, plannable_bytes, data_tiering, node, prices in setup.offers[2]:
        shards = max(low, ceil(peak / ops_capacity), ceil(wire / network_capacity))
        if need > 0 and not data_tiering:
            plannable = plannable_bytes if reserve is None else plannable_memory_bytes(
                usable_memory_bytes(node, reserve))
            room = plannable - fixed
            if room <= 0:
                floors.append(inf)
                continue
            shards = max(shards, ceil(need / room))
        if shards > high:
            floors.append(inf)
            continue
        nodes = shards * (1 + replicas)
        # One region: the price alone, as the sum over regions gives it (0 + x is x).
        floors.append(round(nodes * prices[0] * HOURS_PER_MONTH if len(prices) == 1
                            else sum(nodes * price * HOURS_PER_MONTH for price in prices), 2))
    return floors


def _wire_bytes_per_op(cluster: Cluster) -> float:
    """Network bytes a primary moves per command: the request and response, and each write
    sent on to every replica."""
    traffic = cluster.traffic
    return (traffic.avg_request_bytes + traffic.avg_response_bytes
            + (1 - traffic.read_ratio) * traffic.avg_request_bytes * cluster.availability.replicas_per_shard)


class _Candidate(NamedTuple):
    """A feasible layout before its report model is built (only the top few ever are)."""

    node_type: str
    family: str
    shards: int
    monthly_usd: float
    build: Callable[[], Option]


def _rank(options: list[_Candidate]) -> list[_Candidate]:
    """Cheapest first; within TIE_BAND of the cheapest: fewer shards, newer family, name."""
    cheapest = min(o.monthly_usd for o in options)

    def key(option: _Candidate) -> tuple[int, float, int, int, str]:
        tied = option.monthly_usd <= cheapest * (1 + TIE_BAND)
        return (0 if tied else 1, 0.0 if tied else option.monthly_usd, option.shards,
                -_generation(option.family), option.node_type)

    return sorted(options, key=key)


def _alternatives(ranked: list[_Candidate]) -> tuple[Option, ...]:
    """The next cheapest node types after the choice, each once (its best layout): the same
    type in the other cluster mode is not an alternative to itself."""
    seen, shown = {ranked[0].node_type}, []
    for candidate in ranked[1:]:
        if candidate.node_type not in seen:
            seen.add(candidate.node_type)
            shown.append(candidate.build())
            if len(shown) == SHOWN_ALTERNATIVES:
                break
    return tuple(shown)


def _generation(family: str) -> int:
    return int("".join(ch for ch in family if ch.isdigit()) or 0)


_BOTTLENECK_ORDER = {bottleneck: index for index, bottleneck in enumerate(Bottleneck)}


def _nearest_first(rejected: list[Rejection]) -> tuple[Rejection, ...]:
    """Why nothing fits, nearest first; where layouts carried the data but cost more than
    the budget, the cheapest of those first: the budget is what excluded them."""
    over_budget = sorted((r for r in rejected if r.bottleneck is Bottleneck.budget), key=lambda r: r.needed or 0.0)
    return (*over_budget, *sorted((r for r in rejected if r.bottleneck is not Bottleneck.budget), key=_rejection_order))


def _rejection_order(rejection: Rejection) -> tuple[float, int, str]:
    """Nearest first: capacity rejections by how far they fall short, then the rest."""
    shortfall = float("inf") if rejection.shortfall is None else rejection.shortfall
    return (shortfall, _BOTTLENECK_ORDER[rejection.bottleneck], rejection.node_type)


class _Setup(NamedTuple):
    """What planning a cluster starts from, shared by ``plan_cluster`` and ``cheapest_option``."""

    cluster: Cluster
    """The cluster, in the regions a placement chose where it has one."""
    region_choice: RegionChoice | None
    catalog: Catalog
    """The catalog restricted to the cluster's node families."""
    profile: EngineProfile
    growth: float
    modes: tuple[bool, ...]
    """Cluster modes to plan, False (disabled) first."""
    offers: _Offers


def _setup(cluster: Cluster, full_catalog: Catalog, allocator: str) -> _Setup:
    region_choice = _region_choice(cluster, full_catalog, allocator)
    if region_choice is not None:
        cluster = cluster.variant(regions=list(region_choice.chosen.regions))
    catalog = full_catalog.restricted(tuple(cluster.nodes.families or ()))
    modes = {"enabled": (True,), "disabled": (False,), "auto": (False, True)}[cluster.cluster_mode]
    # Which node types are offered, and at what prices, depends on the engine, version,
    # regions and node constraints only: a fleet shares those answers (for the shipped catalog).
    offer_key = _OfferKey(cluster.engine, cluster.version, tuple(cluster.regions), cluster.nodes.data_tiering,
                          tuple(cluster.nodes.families or ()), modes[0])
    offers = _shared_offers(offer_key) if full_catalog is load_catalog() else _offers(offer_key, catalog)
    return _Setup(cluster, region_choice, catalog, engine_profile(cluster.engine, cluster.version, allocator),
                  (1 + cluster.growth.monthly_percent / 100) ** cluster.growth.horizon_months, modes, offers)


class _OfferKey(NamedTuple):
    engine: str
    version: str
    regions: tuple[str, ...]
    data_tiering: bool
    families: tuple[str, ...]
    cluster_mode: bool


@lru_cache(maxsize=OFFER_CACHE_SIZE)
def _shared_offers(key: _OfferKey) -> _Offers:
    return _offers(key, load_catalog().restricted(key.families))


def _offers(key: _OfferKey, catalog: Catalog) -> _Offers:
    """Node types offered (with their prices) and those rejected outright."""
    rejected, offered = [], []
    for node in catalog.node_types:
        availability = _offered(key, catalog, node)
        if isinstance(availability, Rejection):
            rejected.append(availability)
        else:
            reserved = reserved_memory_percent(node, None)
            usable = usable_memory_bytes(node, reserved)
            offered.append(_Offer(
                node, availability, planning_ops_per_sec(node, engine_profile(key.engine, key.version)),
                planning_network_bytes_per_sec(node), plannable_memory_bytes(usable), tuple(availability.values()),
                reserved, usable))
    bounds = tuple((offer.ops_capacity, offer.network_capacity, offer.plannable_bytes, offer.node.data_tiering,
                    offer.node, offer.hourly_usd) for offer in offered)
    return tuple(rejected), tuple(offered), bounds


def _offered(key: _OfferKey, catalog: Catalog, node: NodeType) -> dict[str, float] | Rejection:
    """The node type's hourly price per region, or why it cannot be used at all."""
    def reject(bottleneck: Bottleneck, *missing: str) -> Rejection:
        return Rejection(node_type=node.name, cluster_mode=key.cluster_mode, bottleneck=bottleneck, missing=missing)

    if node.family == "t2":
        return reject(Bottleneck.engine, PREVIOUS_GENERATION)
    if not node.supports(key.engine, key.version):
        return reject(Bottleneck.engine, engine_profile(key.engine, key.version).label)
    if node.data_tiering and not key.data_tiering:
        return reject(Bottleneck.data_tiering, "nodes.data_tiering: false")
    prices = {region: catalog.price(region, node.name, key.engine) for region in key.regions}
    missing = [region for region, price in prices.items() if price is None]
    if missing and all(catalog.unpriced(region, node.name) and node.supports(key.engine, key.version)
                       for region in missing):
        return reject(Bottleneck.unpriced, key.engine, *missing)
    if missing:
        return reject(Bottleneck.region, key.engine, *missing)
    if len(key.regions) > 1 and (node.family not in GLOBAL_DATASTORE_FAMILIES or node.name.endswith(
            (".micro", ".small", ".medium"))):
        return reject(Bottleneck.global_datastore, *GLOBAL_DATASTORE_FAMILIES)
    return {region: price for region, price in prices.items() if price is not None}


def _reserved_hourly(catalog: Catalog, cluster: Cluster, node: NodeType) -> dict[int, float]:
    """Term -> one node's effective hourly rate over all regions, for terms offered in every region."""
    result = {}
    for years in RESERVED_TERMS_YEARS:
        rates = [catalog.reserved_price(region, node.name, cluster.engine, years) for region in cluster.regions]
        if all(rate is not None for rate in rates):
            result[years] = sum(rate for rate in rates if rate is not None)
    return result


def _evaluate(setup: _Setup, mode: _Mode, offer: _Offer, search: bool = True) -> _Candidate | Rejection | None:
    """The smallest layout of the offered node type that carries the cluster in the mode, or why
    none does. ``search=False`` (for a cluster without a budget) states a rejection as the full
    evaluation does and gives None for an option, without finding its shard count: memory fits at some count exactly when it
    fits at the most shards, since more shards never need more per node (``_smallest_fitting``
    relies on it too). Peak RSS per byte of data is ``mode.basis.peak_ratio``."""
    cluster, cluster_mode, dataset, growth = mode.cluster, mode.cluster_mode, mode.dataset, setup.growth
    node, prices, profile, catalog = offer.node, offer.prices, setup.profile, setup.catalog
    chosen_reserve = cluster.parameters.reserved_memory_percent
    reserved = offer.reserved_percent if chosen_reserve is None else chosen_reserve

    def reject(bottleneck: Bottleneck, needed: float, offered: float, unit: Quantity, shortfall: float | None = None,
               at_shards: int | None = None, **memory: float | None) -> Rejection:
        return Rejection(node_type=node.name, cluster_mode=cluster_mode, bottleneck=bottleneck, needed=needed,
                         offered=offered, unit=unit, at_shards=at_shards, shortfall=shortfall, **memory)

    replicas = cluster.availability.replicas_per_shard
    if not cluster_mode and replicas > MAX_REPLICAS_DISABLED:
        return reject(Bottleneck.shard_limit, replicas, MAX_REPLICAS_DISABLED, Quantity.replicas, at_shards=1)
    if chosen_reserve is None:
        usable, plannable = offer.usable_bytes, offer.plannable_bytes
    else:
        usable = usable_memory_bytes(node, reserved)
        plannable = plannable_memory_bytes(usable)
    load = mode.loads.get(node.baseline_gbps)
    if load is None:
        load = mode.loads[node.baseline_gbps] = NodeLoad(cluster, profile, cluster_mode, node,
                                                         len(cluster.regions) > 1 or replicas > 0, mode.basis.peak_ratio)
    ops_capacity, net_capacity = offer.ops_capacity, offer.network_capacity
    traffic = cluster.traffic
    wire_per_op, low, high = mode.wire_bytes_per_op, mode.low_shards, mode.high_shards
    if low > high:
        return reject(Bottleneck.shard_limit, low * (1 + replicas), MAX_NODES_PER_CLUSTER, Quantity.nodes, at_shards=low)
    # Engine load and traffic per shard fall as 1/shards: their shard counts are a division.
    # Memory is searched once per (usable memory, bandwidth) and shared by node types alike in both.
    by_cpu = math.ceil(traffic.peak_ops_per_sec / ops_capacity)
    by_network = math.ceil(traffic.peak_ops_per_sec * wire_per_op / net_capacity)
    hot = traffic.hot_data_percent / 100 if node.data_tiering else 1.0
    ssd_plannable = node.data_tiering_ssd_gib * 2**30 * (1 - TARGET_HEADROOM_PERCENT / 100)

    def in_memory(n: int, scale: float = growth) -> float:
        return dataset.tiered_shard_bytes(n, scale, hot)[0]

    def fits(n: int) -> bool:
        memory, on_ssd = dataset.tiered_shard_bytes(n, growth, hot)
        return load.required_bytes(memory, n) <= plannable and on_ssd <= ssd_plannable

    memo_key = (plannable, node.baseline_gbps, node.data_tiering_ssd_gib)
    memory_shards = mode.memory_shards
    if memo_key in memory_shards:
        by_memory = memory_shards[memo_key]
    elif search:
        # Memory per shard falls roughly as 1/shards: start from that estimate.
        guess = math.ceil(load.required_bytes(in_memory(low), low) * low / plannable)
        by_memory = memory_shards[memo_key] = _smallest_fitting(low, high, fits, guess)
    else:
        by_memory = high if fits(high) else None  # some count fits, or none does
    if by_memory is None:
        needed = load.required_bytes(in_memory(high), high)
        if hot < 1 and needed <= plannable:
            on_ssd = dataset.tiered_shard_bytes(high, growth, hot)[1]
            return reject(Bottleneck.memory, on_ssd, ssd_plannable, Quantity.ssd_bytes, on_ssd / ssd_plannable, high,
                          headroom_percent=TARGET_HEADROOM_PERCENT)
        return reject(Bottleneck.memory, needed, plannable, Quantity.memory_bytes, needed / plannable, high,
                      reserved_percent=reserved, headroom_percent=TARGET_HEADROOM_PERCENT,
                      hot_data_percent=traffic.hot_data_percent if hot < 1 else None)
    if by_cpu > high:
        return reject(Bottleneck.cpu, traffic.peak_ops_per_sec / high, ops_capacity, Quantity.ops_per_sec,
                      by_cpu / high, high)
    if by_network > high:
        return reject(Bottleneck.network, traffic.peak_ops_per_sec / high * wire_per_op, net_capacity,
                      Quantity.network_bytes_per_sec, by_network / high, high)
    if not search:
        return None  # an option, not looked for further (no budget to judge it against)
    budget = cluster.nodes.monthly_budget_usd
    shards = max(low, by_memory, by_cpu, by_network)
    binding = Bottleneck.memory
    if by_cpu == shards and by_cpu > by_memory:
        binding = Bottleneck.cpu
    elif by_network == shards and by_network > by_memory:
        binding = Bottleneck.network
    nodes = shards * (1 + replicas)
    monthly = sum(nodes * price * HOURS_PER_MONTH for price in prices.values())
    if budget is not None and monthly > budget:
        return reject(Bottleneck.budget, monthly, budget, Quantity.monthly_usd, monthly / budget, shards)
    def build() -> Option:
        return Option(
            node_type=node.name, family=node.family, cluster_mode=cluster_mode, shards=shards,
            replicas_per_shard=replicas, nodes_per_region=nodes, binding=binding, reserved_memory_percent=reserved,
            usable_memory_bytes=usable,
            memory_today=load.breakdown(in_memory(shards, 1.0), shards),
            memory_horizon=load.breakdown(in_memory(shards), shards),
            ssd_bytes_per_node=round(dataset.tiered_shard_bytes(shards, growth, hot)[1]),
            ops_per_sec_per_shard=traffic.peak_ops_per_sec / shards, planning_ops_per_sec=ops_capacity,
            hourly_usd_by_region=dict(prices), monthly_usd=round(monthly, 2),
            monthly_usd_reserved={years: round(nodes * hourly * HOURS_PER_MONTH, 2)  # only built options need it
                                  for years, hourly in _reserved_hourly(catalog, cluster, node).items()},
        )

    return _Candidate(node.name, node.family, shards, round(monthly, 2), build)


def _smallest_fitting(low: int, high: int, fits: Callable[[int], bool], guess: int | None = None) -> int | None:
    """Smallest shard count in [low, high] that fits; more shards never need more per node.

    With a ``guess`` near the answer, the search checks it and its neighbour first and
    bisects only the side that is left, so it usually takes two evaluations.
    """
    if guess is not None:
        guess = min(max(guess, low), high)
        if fits(guess):
            if guess == low or not fits(guess - 1):
                return guess
            high = guess - 1
        elif guess == high:
            return None
        elif fits(guess + 1):
            return guess + 1
        else:
            low = guess + 2
    if not fits(high):
        return None
    while low < high:
        middle = (low + high) // 2
        if fits(middle):
            high = middle
        else:
            low = middle + 1
    return low
