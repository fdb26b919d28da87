"""Region choice: the primary region and any Global Datastore secondaries for a cluster's clients.

Every set of one to three of the allowed regions, with each member as primary, is a
candidate layout. A layout serves a client region's reads from its nearest member and its
writes from the primary; it is feasible when every client region that reads is within
``max_read_latency_ms`` of a member (and, if set, every one that writes within
``max_write_latency_ms`` of the primary), and when some node type can carry the cluster in
every member (the node plan of ``sizing.planning.plan``, with the Global Datastore rules).
The choice is the cheapest feasible layout, counting the nodes of every region and the
traffic that crosses regions. Layouts within ``TIE_BAND`` of the cheapest count as equal;
among those, fewer regions, then the lower read latency, then the lower write latency win:
so the primary goes where the writes come from when the price does not tell.

Glossary
    monthly_commands     traffic.avg_ops_per_sec (the peak where none is given) for 730 hours.
    replication_gb       what the primary sends each secondary: every write command
                         (``1 - read_ratio`` of the commands, ``avg_request_bytes`` each),
                         GB per month. ElastiCache replicates the write stream to every
                         secondary; the secondary pays nothing to receive.
    client_transfer_gb   commands of clients outside the region that serves them: request
                         and reply cross, each billed by the region that sends it.
    transfer_monthly_usd replication and client traffic at the sending region's rate.
    monthly_usd          nodes of every region + transfer_monthly_usd.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from sizing.catalog.network import BYTES_PER_GB, LATENCY_AS_OF, TRANSFER_AS_OF, Network

MAX_SECONDARY_REGIONS = 2
"""A Global Datastore has a primary and up to two secondary regions (Global Datastore prerequisites)."""
TIE_BAND = 0.01
"""Layouts within 1% of the cheapest count as equal, as node options do (``sizing.planning.plan``)."""
HOURS_PER_MONTH = 730
SECONDS_PER_HOUR = 3600
SHOWN_REJECTED = 5
PARTITION_PREFIXES = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"))
"""A Global Datastore stays inside one AWS partition (in China, only Beijing and Ningxia pair)."""


class Verdict(str, Enum):
    """Why a candidate layout was or was not chosen."""

    chosen = "chosen"
    costlier = "costlier"
    read_latency = "read_latency"
    """A client region's nearest member is farther than max_read_latency_ms."""
    write_latency = "write_latency"
    latency_unsourced = "latency_unsourced"
    """No source gives the latency between a client region and every member."""
    transfer_unpriced = "transfer_unpriced"
    """No source gives a transfer rate the layout needs."""
    no_global_datastore = "no_global_datastore"
    """A member does not offer Global Datastore, or the members span partitions."""
    no_node_type = "no_node_type"
    """No node type carries the cluster in every member (Global Datastore rules included)."""


class ClientLatency(BaseModel):
    """One client region's round trips in a layout."""

    model_config = ConfigDict(frozen=True)

    region: str
    reads_percent: float
    writes_percent: float
    served_by: str | None = Field(description="The member that serves its reads (the nearest); None if unsourced.")
    read_ms: float | None = Field(description="Round trip to served_by, ms.")
    write_ms: float | None = Field(description="Round trip to the primary, ms.")


class RegionLayout(BaseModel):
    """A primary and its secondaries, with what they cost and how far the clients are."""

    model_config = ConfigDict(frozen=True)

    regions: tuple[str, ...] = Field(description="Primary first.")
    verdict: Verdict
    clients: tuple[ClientLatency, ...] = ()
    read_latency_ms: float | None = Field(default=None, description="Reads-weighted mean round trip, ms.")
    write_latency_ms: float | None = Field(default=None, description="Writes-weighted mean round trip, ms.")
    worst_client: str | None = Field(default=None, description="The client region that breaks a latency target.")
    worst_ms: float | None = Field(default=None, description="Its round trip, ms.")
    missing: tuple[str, ...] = Field(default=(), description="Pairs or regions no source covers, or the reason "
                                                             "no node type fits.")
    node_type: str | None = None
    shards: int | None = None
    node_monthly_usd: float | None = Field(default=None, description="Nodes of every region, on demand.")
    replication_gb_per_month: float = 0.0
    client_transfer_gb_per_month: float = 0.0
    transfer_monthly_usd: float | None = None
    monthly_usd: float | None = None


class RegionChoice(BaseModel):
    """The chosen layout and the alternatives weighed, nearest first."""

    model_config = ConfigDict(frozen=True)

    chosen: RegionLayout
    rejected: tuple[RegionLayout, ...] = Field(description="The cheapest feasible others, then the nearest "
                                                           "infeasible ones.")
    max_read_latency_ms: float
    max_write_latency_ms: float | None
    candidates: int = Field(description="Layouts weighed (sets of regions x primaries).")
    latency_as_of: str = LATENCY_AS_OF
    transfer_as_of: str = TRANSFER_AS_OF


class CrossRegionTraffic(BaseModel):
    """What crosses regions, per month, before any layout: commands and their bytes."""

    model_config = ConfigDict(frozen=True)

    monthly_commands: float
    write_share: float
    request_bytes: int
    response_bytes: int

    @property
    def replication_gb(self) -> float:
        return self.monthly_commands * self.write_share * self.request_bytes / BYTES_PER_GB


class NodeLayout(BaseModel):
    """What the node plan gives for a set of regions: the chosen node type and its cost."""

    model_config = ConfigDict(frozen=True)

    node_type: str
    shards: int
    monthly_usd: float


NodePlanner = Callable[[tuple[str, ...]], "NodeLayout | str"]
"""Regions (primary first) -> the cheapest node layout there, or why there is none."""


def replication_transfer(network: Network, regions: tuple[str, ...],
                         traffic: CrossRegionTraffic) -> tuple[float, float | None]:
    """(GB per month, USD per month) the primary sends its secondaries; USD None where unpriced."""
    primary, secondaries = regions[0], regions[1:]
    rates = [network.transfer_price(primary, secondary) for secondary in secondaries]
    gb = traffic.replication_gb * len(secondaries)
    if any(rate is None for rate in rates):
        return gb, None
    return gb, sum(traffic.replication_gb * (rate or 0.0) for rate in rates)


def choose_regions(clients: tuple[tuple[str, float, float], ...], candidates: tuple[str, ...],
                   max_read_ms: float, max_write_ms: float | None, traffic: CrossRegionTraffic, network: Network,
                   global_datastore: Mapping[str, bool], plan_nodes: NodePlanner) -> RegionChoice:
    """The layout for ``clients`` ((region, reads %, writes %)) among ``candidates``.

    ``global_datastore``: region -> whether it offers Global Datastore. ``plan_nodes`` is
    called once per set of regions that passes the latency targets.
    """
    node_layouts: dict[frozenset[str], NodeLayout | str] = {}
    layouts: list[RegionLayout] = []
    for size in range(1, MAX_SECONDARY_REGIONS + 2):
        for members in itertools.combinations(candidates, size):
            for primary in members:
                regions = (primary, *(m for m in members if m != primary))
                layouts.append(_weigh(regions, clients, max_read_ms, max_write_ms, traffic, network,
                                      global_datastore, plan_nodes, node_layouts))
    feasible = [layout for layout in layouts if layout.verdict is Verdict.costlier]
    if not feasible:
        ordered = sorted(layouts, key=_nearest)
        return RegionChoice(chosen=ordered[0], rejected=tuple(ordered[1:1 + SHOWN_REJECTED]),
                            max_read_latency_ms=max_read_ms, max_write_latency_ms=max_write_ms,
                            candidates=len(layouts))
    cheapest = min(layout.monthly_usd or 0.0 for layout in feasible)

    def rank(layout: RegionLayout) -> tuple[int, float, int, float, float, tuple[str, ...]]:
        tied = (layout.monthly_usd or 0.0) <= cheapest * (1 + TIE_BAND)
        return (0 if tied else 1, 0.0 if tied else layout.monthly_usd or 0.0, len(layout.regions),
                layout.read_latency_ms or 0.0, layout.write_latency_ms or 0.0, layout.regions)

    ranked = sorted(feasible, key=rank)
    chosen = ranked[0].model_copy(update={"verdict": Verdict.chosen})
    infeasible = sorted((layout for layout in layouts if layout.verdict is not Verdict.costlier), key=_nearest)
    shown = [*ranked[1:1 + SHOWN_REJECTED // 2 + 1], *infeasible]
    return RegionChoice(chosen=chosen, rejected=tuple(shown[:SHOWN_REJECTED]), max_read_latency_ms=max_read_ms,
                        max_write_latency_ms=max_write_ms, candidates=len(layouts))


def is_infeasible(choice: RegionChoice) -> bool:
    """No layout passed: the chosen one carries the nearest failure's verdict."""
    return choice.chosen.verdict is not Verdict.chosen


_VERDICT_ORDER = {verdict: index for index, verdict in enumerate(Verdict)}


def _nearest(layout: RegionLayout) -> tuple[int, int, float, tuple[str, ...]]:
    """Infeasible layouts nearest first: latency misses by how far, fewer regions first."""
    return (len(layout.regions), _VERDICT_ORDER[layout.verdict], layout.worst_ms or 0.0, layout.regions)


def _weigh(regions: tuple[str, ...], clients: tuple[tuple[str, float, float], ...], max_read_ms: float,
           max_write_ms: float | None, traffic: CrossRegionTraffic, network: Network,
           global_datastore: Mapping[str, bool], plan_nodes: NodePlanner,
           node_layouts: dict[frozenset[str], NodeLayout | str]) -> RegionLayout:
    if len(regions) > 1:
        lacking = tuple(region for region in regions if not global_datastore.get(region, False))
        if lacking or len({_partition(region) for region in regions}) > 1:
            return RegionLayout(regions=regions, verdict=Verdict.no_global_datastore, missing=lacking)
    latencies: list[ClientLatency] = []
    unsourced: list[str] = []
    for region, reads, writes in clients:
        reachable = [(ms, member) for member in regions if (ms := network.latency_ms(region, member)) is not None]
        nearest = min(reachable) if reachable else None
        write_ms = network.latency_ms(region, regions[0])
        if (reads > 0 and len(reachable) < len(regions)) or (writes > 0 and write_ms is None):
            unsourced.extend(f"{region} -> {member}" for member in regions
                             if network.latency_ms(region, member) is None)
        latencies.append(ClientLatency(region=region, reads_percent=reads, writes_percent=writes,
                                       served_by=nearest[1] if nearest else None,
                                       read_ms=nearest[0] if nearest else None, write_ms=write_ms))
    weighted = {
        "read_latency_ms": _weighted([(c.read_ms, c.reads_percent) for c in latencies]),
        "write_latency_ms": _weighted([(c.write_ms, c.writes_percent) for c in latencies]),
    }
    base = {"regions": regions, "clients": tuple(latencies), **weighted}
    if unsourced:
        return RegionLayout(**base, verdict=Verdict.latency_unsourced, missing=tuple(dict.fromkeys(unsourced)))
    slow_reads = [(c.read_ms or 0.0, c.region) for c in latencies
                  if c.reads_percent > 0 and (c.read_ms or 0.0) > max_read_ms]
    if slow_reads:
        worst_ms, worst = max(slow_reads)
        return RegionLayout(**base, verdict=Verdict.read_latency, worst_client=worst, worst_ms=worst_ms)
    slow_writes = [(c.write_ms or 0.0, c.region) for c in latencies
                   if max_write_ms is not None and c.writes_percent > 0 and (c.write_ms or 0.0) > max_write_ms]
    if slow_writes:
        worst_ms, worst = max(slow_writes)
        return RegionLayout(**base, verdict=Verdict.write_latency, worst_client=worst, worst_ms=worst_ms)
    key = frozenset(regions)
    if key not in node_layouts:
        node_layouts[key] = plan_nodes(regions)
    nodes = node_layouts[key]
    if isinstance(nodes, str):
        return RegionLayout(**base, verdict=Verdict.no_node_type, missing=(nodes,))
    replication_gb, replication_usd = replication_transfer(network, regions, traffic)
    client_gb, client_usd, unpriced = _client_transfer(latencies, regions[0], traffic, network)
    priced = {"node_type": nodes.node_type, "shards": nodes.shards, "node_monthly_usd": nodes.monthly_usd,
              "replication_gb_per_month": round(replication_gb, 3), "client_transfer_gb_per_month": round(client_gb, 3)}
    if replication_usd is None:
        unpriced = (*unpriced, *(f"{regions[0]} -> {s}" for s in regions[1:]
                                 if network.transfer_price(regions[0], s) is None))
    if unpriced:
        return RegionLayout(**base, **priced, verdict=Verdict.transfer_unpriced, missing=tuple(dict.fromkeys(unpriced)))
    transfer = round((replication_usd or 0.0) + client_usd, 2)
    return RegionLayout(**base, **priced, verdict=Verdict.costlier, transfer_monthly_usd=transfer,
                        monthly_usd=round(nodes.monthly_usd + transfer, 2))


def _client_transfer(latencies: list[ClientLatency], primary: str, traffic: CrossRegionTraffic,
                     network: Network) -> tuple[float, float, tuple[str, ...]]:
    """GB and USD per month of clients' commands served outside their region, and the pairs unpriced."""
    per_command_gb = (traffic.request_bytes + traffic.response_bytes) / BYTES_PER_GB
    gb = usd = 0.0
    unpriced: list[str] = []
    for client in latencies:
        flows = ((client.served_by, traffic.monthly_commands * (1 - traffic.write_share) * client.reads_percent / 100),
                 (primary, traffic.monthly_commands * traffic.write_share * client.writes_percent / 100))
        for server, commands in flows:
            if server is None or server == client.region or commands == 0:
                continue
            out, back = network.transfer_price(client.region, server), network.transfer_price(server, client.region)
            gb += commands * per_command_gb
            if out is None or back is None:
                unpriced.extend(f"{a} -> {b}" for a, b, rate in ((client.region, server, out),
                                                                 (server, client.region, back)) if rate is None)
                continue
            usd += commands * (traffic.request_bytes * out + traffic.response_bytes * back) / BYTES_PER_GB
    return gb, usd, tuple(unpriced)


def _weighted(pairs: list[tuple[float | None, float]]) -> float | None:
    total = sum(share for ms, share in pairs if ms is not None)
    if total == 0:
        return None
    return round(sum((ms or 0.0) * share for ms, share in pairs if ms is not None) / total, 1)


def _partition(region: str) -> str:
    return next((name for prefix, name in PARTITION_PREFIXES if region.startswith(prefix)), "aws")


def cluster_traffic(average_ops_per_sec: float, read_ratio: float, request_bytes: int,
                    response_bytes: int) -> CrossRegionTraffic:
    """A cluster's monthly commands and their sizes, as they cross regions."""
    return CrossRegionTraffic(monthly_commands=average_ops_per_sec * SECONDS_PER_HOUR * HOURS_PER_MONTH,
                   write_share=1 - read_ratio, request_bytes=request_bytes, response_bytes=response_bytes)
