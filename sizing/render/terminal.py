"""The one place that turns engine results into terminal output or JSON documents."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from sizing.planning.plan import ClusterPlan, Option
from sizing.render import rejections
from sizing.render.console import console
from sizing.render.diff_view import headline, problem, summary
from sizing.render.layout_text import preference_text
from sizing.render.payment_text import payment_text
from sizing.render.plan_view import (
    SHOWN_REJECTIONS,
    cost_delta,
    fragmentation_text,
    placement_text,
    quota_text,
    reserved_text,
)
from sizing.render.regions_text import chosen_text, rejected_rows, transfer_text
from sizing.render.serverless_text import serverless_line, valkey_line
from sizing.render.support_text import extended_support_text
from sizing.review.diff import WorkloadDiff
from sizing.units import human_bytes

if TYPE_CHECKING:  # only the commands that talk to servers load redis-py
    from sizing.live.capacity import CapacityCheck
    from sizing.live.verification import Verification


def verification_json(result: Verification) -> dict[str, Any]:
    return {
        **result.model_dump(exclude={"keyspaces", "total"}),
        "server_matches": result.server_matches,
        "keyspaces": [_measurement_json(m) for m in result.keyspaces],
        "total": _measurement_json(result.total),
    }


def _measurement_json(m: Any) -> dict[str, Any]:
    return {**m.model_dump(), "error_percent": round(m.error_percent, 3)}


def verification_table(result: Verification) -> None:
    mode = "cluster mode" if result.cluster_mode else "cluster mode disabled"
    table = Table(
        title=f"{result.cluster}: model {result.engine} {result.engine_version} vs server {result.server_version} "
        f"({mode}, {result.allocator} allocator, sample {result.sample:g})",
        title_justify="left",
    )
    for column in ("keyspace", "keys loaded", "predicted", "measured", "error"):
        table.add_column(column, justify="left" if column == "keyspace" else "right", overflow="fold")
    rows = list(result.keyspaces) + ([result.total] if len(result.keyspaces) != 1 else [])
    for m in rows:
        table.add_row(m.name, f"{m.keys:,}", f"{m.predicted_bytes:,}", f"{m.measured_bytes:,}",
                      f"{m.error_percent:+.2f}%", style="bold" if m is result.total else None)
    console().print(table)
    if not result.server_matches:
        console().print(f"[yellow]warning: the server runs {result.server_version}, but {result.cluster} is modelled "
                        f"as {result.engine} {result.engine_version}[/yellow]")
    console().print(f"Full size predicted: {human_bytes(result.full_size_predicted_bytes)} "
                  f"({result.full_size_predicted_bytes:,} bytes).")


def capacity_json(check: CapacityCheck) -> dict[str, Any]:
    """``verify --plan --json``: the check's inputs and measurements, then what they mean."""
    return {
        **check.model_dump(mode="json"),
        "peak_rss_net_bytes": check.peak_rss_net_bytes,
        "peak_ratio_measured": round(check.peak_ratio_measured, 4),
        "peak_need_bytes": round(check.peak_need_bytes),
        "headroom_left_percent": check.headroom_left_percent,
        "server_matches": check.server_matches,
        "holds": check.holds,
    }


def capacity_table(check: CapacityCheck) -> None:
    """``verify --plan``: the plan against the server, per part, and whether it holds."""
    from sizing.live.capacity import HEADROOM_TOLERANCE_POINTS, PASS_CAP

    out = console()
    mode = "cluster mode" if check.cluster_mode else "cluster mode disabled"
    out.print(f"[bold]{escape(check.cluster)}[/bold]: {check.node_type} x {check.shards} shard"
              f"{'s' if check.shards != 1 else ''} ({mode}), checked on {escape(check.server_version)}")
    out.print(f"  node maxmemory {human_bytes(check.node_maxmemory_bytes)}, reserve {check.reserved_memory_percent}%, "
              f"usable {human_bytes(check.usable_memory_bytes)}; server maxmemory "
              f"{human_bytes(check.server_maxmemory_bytes)} ({check.maxmemory_policy})")
    if check.scale < 1:
        out.print(f"  scaled to {check.scale:g}: keys and the data's memory budget together (fragmentation is per "
                  "byte); not preserved: a single large key (loaded whole at --scale 1 only), the main table's "
                  "power-of-two steps")
    if not check.server_matches:
        out.print(f"  [yellow]warning: the server runs {escape(check.server_version)}, but the plan is for "
                  f"{escape(check.planned_for)}[/yellow]")
    if check.allocator != "upstream":
        out.print(f"  planned for this server's allocator ({escape(check.allocator)} jemalloc), not ElastiCache's")
    if check.parameters_refused:
        out.print(f"  [yellow]parameters this server refused: {', '.join(check.parameters_refused)}[/yellow]")
    for part in check.keyspaces:
        largest = ", the largest key among them" if part.largest_key_loaded else ""
        out.print(f"  {escape(part.name)}: {part.keys_on_shard:,} keys on the fullest shard, "
                  f"{part.keys_loaded:,} loaded{largest}")
    out.print(f"  shards uneven by {check.skew:.2f}x (fullest shard's keys over the mean shard's)")
    capped = " (capped: where the model stops adding)" if check.passes == PASS_CAP < check.window_passes else ""
    out.print(f"  churn: {check.write_pattern}, sizes {check.churn_sizes}, {check.passes:g} passes{capped}; the "
              f"plan's window is {check.window_passes:.1f} passes; {check.rewrites:,} rewrites in "
              f"{check.churn_seconds:.1f} s")
    table = Table(title_justify="left")
    for column in ("part", "plan", "measured"):
        table.add_column(column, justify="left" if column == "part" else "right")
    error = 100 * (check.predicted_dataset_bytes - check.measured_dataset_bytes) / max(1, check.measured_dataset_bytes)
    table.add_row("dataset", f"{check.predicted_dataset_bytes:,}", f"{check.measured_dataset_bytes:,} ({error:+.2f}%)")
    table.add_row("peak used_memory", f"{check.server_maxmemory_bytes:,} max", f"{check.peak_used_bytes:,}")
    table.add_row("peak RSS", "", f"{check.peak_rss_bytes:,} (empty server {check.baseline_rss_bytes:,})")
    table.add_row("peak RSS / dataset", f"{check.budget_peak_ratio:.3f} (model at {check.passes:g} passes: "
                  f"{check.model_peak_ratio_at_passes:.3f})", f"{check.peak_ratio_measured:.3f}")
    table.add_row("memory at the peak", f"{human_bytes(check.usable_memory_bytes)} usable",
                  f"{human_bytes(check.peak_need_bytes)} (full size, with the plan's buffers)")
    table.add_row("headroom at the peak", f"{check.claimed_headroom_percent:.2f}%", f"{check.headroom_left_percent:.2f}%")
    table.add_row("OOM replies", "0", f"{check.oom_errors:,}")
    table.add_row("evicted keys", "0", f"{check.evicted_keys:,}")
    out.print(table)
    if check.holds:
        out.print(f"[green]holds[/green]: no OOM, no eviction, {check.headroom_left_percent:.2f}% headroom left at the "
                  f"peak against {check.claimed_headroom_percent:.2f}% claimed")
        return
    reasons = []
    if check.oom_errors:
        reasons.append(f"{check.oom_errors:,} writes refused with OOM")
    if check.evicted_keys:
        reasons.append(f"{check.evicted_keys:,} keys evicted")
    if check.headroom_left_percent < check.claimed_headroom_percent - HEADROOM_TOLERANCE_POINTS:
        reasons.append(f"{check.headroom_left_percent:.2f}% headroom left at the peak, below the "
                       f"{check.claimed_headroom_percent:.2f}% claimed less {HEADROOM_TOLERANCE_POINTS:g} points")
    out.print(f"[red]does not hold[/red]: {'; '.join(reasons)}")


BAR_WIDTH = 40


def memory_bar(option: Option) -> str:
    """The horizon memory breakdown of one node as a bar of usable memory."""
    colours = ("green", "cyan", "magenta", "yellow", "blue", "red")
    bar = ""
    for colour, value in zip(colours, option.memory_horizon.parts().values()):
        bar += f"[{colour}]" + "█" * round(BAR_WIDTH * value / option.usable_memory_bytes) + f"[/{colour}]"
    free = BAR_WIDTH - sum(round(BAR_WIDTH * v / option.usable_memory_bytes) for v in option.memory_horizon.parts().values())
    return bar + "[dim]" + "░" * max(free, 0) + "[/dim]"


def plan_tables(plans: list[ClusterPlan]) -> None:
    out = console()
    for plan in plans:
        chosen = plan.chosen
        mode = "cluster mode" if chosen.cluster_mode else "cluster mode disabled"
        out.print(f"[bold]{plan.name}[/bold]: {plan.engine} {plan.engine_version}, {mode}, {', '.join(plan.regions)}")
        serverless = plan.deployment == "serverless"
        if serverless:
            out.print(f"  deploys [bold]ElastiCache Serverless[/bold], ${plan.monthly_usd:,.0f}/month on demand "
                      f"(prices of {plan.prices_as_of})")
        out.print(f"  {'node layout compared: ' if serverless else ''}{chosen.node_type} x {chosen.shards} shard(s) x "
                  f"{1 + chosen.replicas_per_shard} node(s) = {chosen.nodes_per_region} nodes per region, "
                  f"${chosen.monthly_usd:,.0f}/month on demand" + ("" if serverless else f" (prices of {plan.prices_as_of})"))
        if preference := preference_text(plan.layout_preference):
            out.print(f"  {preference}", highlight=False)
        if regions := chosen_text(plan) or transfer_text(plan):
            out.print(f"  regions: {regions}", highlight=False)
        for row in rejected_rows(plan):
            out.print(f"    not {row['regions']}: {row['reason']}", highlight=False)
        if plan.serverless is not None:
            out.print(f"  serverless {serverless_line(plan)}", highlight=False)
        if valkey_line(plan):
            out.print(f"  {valkey_line(plan)}", highlight=False)
        if plan.payment is not None:  # reservations included
            out.print(f"  paying: {payment_text(plan.payment)}", highlight=False)
        elif chosen.monthly_usd_reserved:
            out.print(f"  with All Upfront reservations: {reserved_text(chosen.monthly_usd_reserved)} "
                      f"(offers of {plan.reserved_prices_as_of})", highlight=False)
        if support := extended_support_text(plan.extended_support):
            out.print(f"  extended support: {support}", highlight=False)
        out.print(f"  binding constraint: {chosen.binding.value}; headroom {chosen.headroom_today_percent:.0f}% today, "
                  f"{chosen.headroom_percent:.0f}% at {plan.horizon_months} months (keys x{plan.growth_factor:.2f})")
        out.print(f"  per node at the horizon {memory_bar(chosen)} {human_bytes(chosen.memory_horizon.required_bytes)} "
                  f"of {human_bytes(chosen.usable_memory_bytes)} usable")
        if chosen.ssd_bytes_per_node:
            out.print(f"  data tiering: {human_bytes(chosen.ssd_bytes_per_node)} of cold values per node on SSD")
        table = Table(show_header=True, header_style="dim", box=None, padding=(0, 2))
        table.add_column("memory per node")
        table.add_column("bytes", justify="right")
        for name, value in chosen.memory_horizon.parts().items():
            table.add_row(name, human_bytes(value))
        out.print(table)
        out.print(f"  {fragmentation_text(plan)}", highlight=False)
        if placement := placement_text(plan):
            out.print(f"  {placement}", highlight=False)
        if quota := quota_text(plan):
            out.print(f"  [yellow]{escape(quota)}[/yellow]", highlight=False)
        alternatives = Table(title="not chosen", title_justify="left", box=None, padding=(0, 2))
        for column in ("node type", "shards", "monthly", "why not"):
            alternatives.add_column(column)
        for option in plan.alternatives:
            alternatives.add_row(option.node_type, str(option.shards), f"${option.monthly_usd:,.0f}",
                                 cost_delta(option, chosen))
        for rejection in plan.nearest_rejections(SHOWN_REJECTIONS):
            alternatives.add_row(rejection.node_type, "", "", rejections.reason(rejection))
        out.print(alternatives)
        for recommendation in plan.recommendations:
            out.print(f"  [bold]tip[/bold]: {recommendation.text}")
        out.print()


def preview_tree(title: str, nodes: list[Any], outputs: dict[str, Any]) -> None:
    """The resource tree of a preview (nodes: sizing_infra.preview.TreeNode) and the stack outputs."""
    tree = Tree(f"[bold]{escape(title)}[/bold]")

    def add(branch: Tree, node: Any) -> None:
        sub = branch.add(f"[cyan]{escape(node.label)}[/cyan]" + (f"  {escape(node.detail)}" if node.detail else ""))
        for child in node.children:
            add(sub, child)

    for node in nodes:
        add(tree, node)
    console().print(tree)
    console().print("[bold]outputs[/bold]")
    for name, value in outputs.items():
        if isinstance(value, dict):
            console().print(f"  {escape(name)}", highlight=False)
            for key, item in value.items():
                console().print(f"    {key}: {escape(str(item))}", highlight=False)
        else:
            console().print(f"  {escape(name)}: {escape(str(value))}", highlight=False)


def diff_json(result: WorkloadDiff) -> dict[str, Any]:
    document = result.model_dump(mode="json")
    change = result.cost_change_percent
    # From nothing to something has no percentage; strict JSON has no Infinity.
    document["cost_change_percent"] = round(change, 2) if math.isfinite(change) else None
    for cluster, model in zip(document["clusters"], result.clusters):
        cluster["cost_delta_usd"] = round(model.cost_delta_usd, 2)
        cluster["problem"] = problem(model)
    return document


def diff_text(result: WorkloadDiff) -> None:
    """Headlines, then each change with its impact; nothing but a line when nothing changed."""
    out = console()
    if not result.changed:
        out.print(f"no changes ({result.base_label} -> {result.head_label})", highlight=False)
        return
    out.print(escape(summary(result)), highlight=False)
    for cluster in result.changed:
        out.print(escape(headline(cluster).replace("**", "")), highlight=False)
        for change in cluster.changes:
            out.print(escape(f"    {change.field}: {change.before} -> {change.after} [{change.impact.value}] "
                             f"{change.note}"), highlight=False)
