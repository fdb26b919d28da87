"""Regions in words: the layout chosen for a placement, the ones rejected with their numbers,
and what crossing regions costs."""

from __future__ import annotations

from sizing.catalog.network import LATENCY_AS_OF, TRANSFER_AS_OF
from sizing.planning.plan import ClusterPlan
from sizing.planning.regions import RegionChoice, RegionLayout, Verdict
from sizing.units import usd

LATENCY_SOURCE = f"cloudping.co inter-region P50 of the year to {LATENCY_AS_OF}"
TRANSFER_SOURCE = f"AWS inter-region transfer rates of {TRANSFER_AS_OF}"


def _members(regions: tuple[str, ...]) -> str:
    if len(regions) == 1:
        return f"{regions[0]} alone"
    return f"primary {regions[0]}, secondar{'y' if len(regions) == 2 else 'ies'} {', '.join(regions[1:])}"


def _average_basis(plan: ClusterPlan) -> str:
    return "" if plan.average_ops_stated else " (at the peak: the stack gives no avg_ops_per_sec)"


def _cost(layout: RegionLayout) -> str:
    return (f"{usd(layout.node_monthly_usd or 0.0)} nodes in {len(layout.regions)} region"
            f"{'s' if len(layout.regions) != 1 else ''} + {usd(layout.transfer_monthly_usd or 0.0)} transfer = "
            f"{usd(layout.monthly_usd or 0.0)}/month")


def chosen_text(plan: ClusterPlan) -> str:
    """The choice and why, or '' where ``regions`` chose."""
    choice = plan.region_choice
    if choice is None:
        return ""
    chosen = choice.chosen
    reads = ", ".join(f"{c.region} ({c.reads_percent:g}% of reads) {c.read_ms:g} ms from {c.served_by}"
                      for c in chosen.clients if c.reads_percent > 0 and c.read_ms is not None)
    writes = (f"; writes go to the primary, {chosen.write_latency_ms:g} ms on average"
              if chosen.write_latency_ms is not None else "")
    limit = f"reads within {choice.max_read_latency_ms:g} ms"
    if choice.max_write_latency_ms is not None:
        limit += f", writes within {choice.max_write_latency_ms:g} ms"
    store = " (Global Datastore)" if len(chosen.regions) > 1 else ""
    return (f"Regions chosen for {limit}, the cheapest of {choice.candidates} layouts weighed: "
            f"{_members(chosen.regions)}{store}. Reads: {reads}{writes}. Cost: {_cost(chosen)}; transfer is "
            f"{chosen.replication_gb_per_month:,.0f} GB/month of writes replicated and "
            f"{chosen.client_transfer_gb_per_month:,.0f} GB/month of client commands served outside their region"
            f"{_average_basis(plan)}. Latency: {LATENCY_SOURCE}; transfer: {TRANSFER_SOURCE}.")


def rejected_text(layout: RegionLayout, choice: RegionChoice, chosen_usd: float) -> str:
    """Why one layout was not chosen, with its numbers."""
    match layout.verdict:
        case Verdict.costlier:
            return f"{_cost(layout)}, {usd((layout.monthly_usd or 0.0) - chosen_usd)} more"
        case Verdict.read_latency:
            return (f"reads from {layout.worst_client} take {layout.worst_ms:g} ms, above the "
                    f"{choice.max_read_latency_ms:g} ms accepted")
        case Verdict.write_latency:
            return (f"writes from {layout.worst_client} take {layout.worst_ms:g} ms to the primary, above the "
                    f"{choice.max_write_latency_ms:g} ms accepted")
        case Verdict.latency_unsourced:
            return f"no sourced latency for {', '.join(layout.missing)} ({LATENCY_SOURCE} has no such pair)"
        case Verdict.transfer_unpriced:
            return f"no sourced transfer rate for {', '.join(layout.missing)}"
        case Verdict.no_global_datastore:
            lacking = f" ({', '.join(layout.missing)} does not offer it)" if layout.missing else " (across partitions)"
            return f"no Global Datastore{lacking}"
        case Verdict.no_node_type:
            return f"no node type carries the cluster in every region ({', '.join(layout.missing)})"
    return ""


def rejected_rows(plan: ClusterPlan) -> list[dict[str, str]]:
    """The layouts not chosen, nearest first: regions and why not."""
    choice = plan.region_choice
    if choice is None:
        return []
    chosen_usd = choice.chosen.monthly_usd or 0.0
    return [{"regions": _members(layout.regions), "reason": rejected_text(layout, choice, chosen_usd)}
            for layout in choice.rejected]


def transfer_text(plan: ClusterPlan) -> str:
    """Replication across a Global Datastore that ``regions`` lists; '' otherwise (a placement says it
    in ``chosen_text``)."""
    if plan.region_choice is not None or len(plan.regions) < 2 or plan.deployment != "nodes":
        return ""
    cost = ("no sourced rate prices it" if plan.transfer_monthly_usd is None
            else f"{usd(plan.transfer_monthly_usd)}/month at the {TRANSFER_SOURCE}")
    return (f"Global Datastore replication: {plan.replication_gb_per_month:,.0f} GB/month of writes from "
            f"{plan.regions[0]} to {', '.join(plan.regions[1:])}{_average_basis(plan)}: {cost}, included in the "
            f"monthly cost.")


def no_regions_message(cluster: str, choice: RegionChoice) -> str:
    """The one line for a placement nothing meets: the nearest layouts and why."""
    nearest = [choice.chosen, *choice.rejected][:3]
    reasons = "; ".join(f"{_members(layout.regions)}: {rejected_text(layout, choice, 0.0)}" for layout in nearest)
    return (f"no set of the allowed regions can serve cluster '{cluster}' ({choice.candidates} layouts weighed; "
            f"nearest: {reasons})")
