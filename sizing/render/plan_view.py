"""Reports: plans turned into a flat view of formatted strings, rendered from sizing/render/templates/.

The templates only loop and print; every number is formatted here (StrictUndefined makes
a missing field fail instead of printing nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from sizing.planning.plan import DEFAULT_NODE_QUOTA, TIE_BAND, ClusterPlan, Option
from sizing.render import rejections
from sizing.render.layout_text import preference_text
from sizing.render.payment_text import payment_text
from sizing.render.regions_text import chosen_text, rejected_rows, transfer_text
from sizing.render.serverless_text import serverless_line, valkey_line
from sizing.render.support_text import extended_support_text
from sizing.units import human_bytes, usd

TEMPLATES = Path(__file__).resolve().parent / "templates"
"""The report templates, beside this module in a checkout and in the wheel."""
SHOWN_REJECTIONS = 3


def _layout(option: Option) -> str:
    return f"{option.node_type} x {option.shards} shard{'s' if option.shards != 1 else ''}"


def deployed_layout(plan: ClusterPlan) -> str:
    """What is deployed, in a few words: the node layout, or ElastiCache Serverless."""
    if plan.deployment == "serverless":
        return "ElastiCache Serverless"
    return _layout(plan.chosen)


def cluster_view(plan: ClusterPlan) -> dict[str, Any]:
    chosen = plan.chosen
    parts = chosen.memory_horizon.parts()
    free = max(0, chosen.usable_memory_bytes - chosen.memory_horizon.required_bytes)
    return {
        "name": plan.name,
        "engine": f"{'Redis OSS' if plan.engine == 'redis' else 'Valkey'} {plan.engine_version}",
        "mode": "cluster mode enabled" if chosen.cluster_mode else "cluster mode disabled",
        "regions": ", ".join(plan.regions) + (" (Global Datastore)" if len(plan.regions) > 1 else ""),
        "layout": deployed_layout(plan),
        "node_layout": _layout(chosen),
        "serverless_chosen": plan.deployment == "serverless",
        "serverless": serverless_line(plan),
        "serverless_valkey": valkey_line(plan),
        "payment": payment_text(plan.payment),
        "extended_support": extended_support_text(plan.extended_support),
        "preference": preference_text(plan.layout_preference),
        "regions_chosen": chosen_text(plan),
        "regions_rejected": rejected_rows(plan),
        "transfer": transfer_text(plan),
        "monthly_deployed": usd(plan.monthly_usd),
        "nodes": f"{chosen.shards} x {1 + chosen.replicas_per_shard} nodes = {chosen.nodes_per_region} per region",
        "monthly": usd(chosen.monthly_usd),
        "reserved": reserved_text(chosen.monthly_usd_reserved),
        "binding": chosen.binding.value,
        "binding_deployed": "serverless" if plan.deployment == "serverless" else chosen.binding.value,
        "headroom_today": f"{chosen.headroom_today_percent:.0f}%",
        "headroom_horizon": f"{chosen.headroom_percent:.0f}%",
        "headroom_deployed": ("n/a" if plan.deployment == "serverless"
                              else f"{chosen.headroom_today_percent:.0f}% / {chosen.headroom_percent:.0f}%"),
        "horizon": f"{plan.horizon_months} months (keys x{plan.growth_factor:.2f})",
        "required": human_bytes(chosen.memory_horizon.required_bytes),
        "ssd": (f" Data tiering keeps {human_bytes(chosen.ssd_bytes_per_node)} of cold values per node on SSD."
                if chosen.ssd_bytes_per_node else ""),
        "usable": human_bytes(chosen.usable_memory_bytes),
        "reserve": f"maxmemory less the {plan.reserved_memory_percent}% reserve",
        "fragmentation": fragmentation_text(plan),
        "placement": placement_text(plan),
        "quota": quota_text(plan),
        "parts": [{"label": label, "value": human_bytes(value)} for label, value in parts.items()],
        "chart": [{"label": label, "mib": f"{value / 1024**2:.1f}"} for label, value in parts.items() if value > 0],
        "free_mib": f"{free / 1024**2:.1f}",
        "cost_by_region": ", ".join(
            f"{region} {usd(price * chosen.nodes_per_region * 730)}/month" for region, price in chosen.hourly_usd_by_region.items()),
        "alternatives": [
            {"node_type": o.node_type, "shards": str(o.shards), "monthly": usd(o.monthly_usd),
             "delta": cost_delta(o, chosen)}
            for o in plan.alternatives
        ],
        "rejected": [{"node_type": r.node_type, "reason": rejections.reason(r)} for r in plan.nearest_rejections(SHOWN_REJECTIONS)],
        "recommendations": [r.text for r in plan.recommendations],
        "parameter_family": plan.parameter_family,
        "parameters": ", ".join(f"`{name} {value}`" for name, value in plan.parameters.items()),
        "alarms": _alarms_text(plan),
    }


SIZES_TEXT = {"unchanged": "sizes that stay the same", "vary": "sizes that change with each rewrite",
              "reshaped": "data written at one size and rewritten at others"}
CLASS_TEXT = {"small": "values under 1 KiB", "large": "values of 1-8 KiB", "crossing": "values over 8 KiB"}


def cost_delta(option: Option, chosen: Option) -> str:
    """What an alternative costs against the choice, signed: '+$120/month', or for one a
    little cheaper that the tie band let a simpler layout beat, '-$6/month (within the 1%
    tie band)'. The sign goes before the dollar sign, never inside it ('+$-6')."""
    difference = option.monthly_usd - chosen.monthly_usd
    if difference >= 0:
        return f"+{usd(difference)}/month"
    return f"-{usd(-difference)}/month (within the {TIE_BAND:.0%} tie band)"


def fragmentation_text(plan: ClusterPlan) -> str:
    basis = plan.fragmentation
    source = "as the stack states" if basis.stated else "this write pattern's default; set `churn` to change it"
    moved = (f"; {basis.stranded_ratio:.2f} of it is the slabs value sizes leave as they move, over "
             f"{basis.passes:g} passes" if basis.stranded_ratio >= 0.005 else "")
    return (f"Fragmentation is planned at the peak of churn: {basis.peak_ratio:.2f}x the data for "
            f"{100 * basis.rewritten_per_hour:g}% of the keys rewritten an hour with {SIZES_TEXT[basis.sizes]}, "
            f"{CLASS_TEXT[basis.size_class]} ({source}){moved}.")


def quota_text(plan: ClusterPlan) -> str:
    """A layout above AWS's default node quota needs an increase before ``pulumi up``."""
    nodes = plan.chosen.nodes_per_region
    if plan.deployment != "nodes" or nodes <= DEFAULT_NODE_QUOTA:
        return ""
    return (f"{nodes} nodes per cluster is above AWS's default quota of {DEFAULT_NODE_QUOTA}: request an increase "
            f"(Service Quotas, ElastiCache \"Nodes per cluster\") before deploying.")


def placement_text(plan: ClusterPlan) -> str:
    """How uneven the shards are expected to be, where there is more than one."""
    if plan.chosen.shards <= 1:
        return ""
    return (f"Keys land on shards at random and are never split: the fullest of the {plan.chosen.shards} shards "
            f"is expected to hold {plan.shard_skew:.2f}x the mean shard's data, and every shard is sized for it.")


def _alarms_text(plan: ClusterPlan) -> str:
    alarms = plan.alarms
    evictions = "any eviction" if alarms.evictions_per_minute == 0 else f"evictions > {alarms.evictions_per_minute:,}/min"
    host_cpu = "" if alarms.host_cpu_percent is None else f", host CPU > {alarms.host_cpu_percent:g}%"
    return (f"memory > {alarms.database_memory_usage_percent:.0f}% of maxmemory, engine CPU > "
            f"{alarms.engine_cpu_percent:.0f}%{host_cpu}, {evictions}, connections > {alarms.curr_connections:,}, "
            f"replication lag > {alarms.replication_lag_seconds:g} s, swap > {human_bytes(alarms.swap_usage_bytes)}")


def reserved_text(monthly_by_term: Mapping[int, float]) -> str:
    """'1-year reserved $742/month, 3-year $522/month', or '' where AWS offers no reservation."""
    parts = [f"{years}-year{' reserved' if index == 0 else ''} {usd(value)}/month"
             for index, (years, value) in enumerate(sorted(monthly_by_term.items()))]
    return ", ".join(parts)


def _summed_reserved(plans: list[ClusterPlan]) -> dict[int, float]:
    """Fleet totals per term, for terms every node cluster has; serverless caches, which take no
    reservation, count at their on-demand cost."""
    nodes = [p for p in plans if p.deployment == "nodes"]
    if not nodes:
        return {}
    terms = set.intersection(*(set(p.chosen.monthly_usd_reserved) for p in nodes))
    serverless = sum(p.monthly_usd for p in plans if p.deployment == "serverless")
    return {years: sum(p.chosen.monthly_usd_reserved[years] for p in nodes) + serverless for years in terms}


def plan_view(plans: list[ClusterPlan]) -> dict[str, Any]:
    total = sum(p.monthly_usd for p in plans)
    return {
        "summary": f"{len(plans)} cluster{'s' if len(plans) != 1 else ''} planned.",
        "clusters": [cluster_view(p) for p in plans],
        "total_monthly": usd(total),
        "total_reserved": reserved_text(_summed_reserved(plans)),
        "reserved_as_of": plans[0].reserved_prices_as_of if plans else "",
        "prices_as_of": " and ".join(sorted({p.prices_as_of for p in plans})),
    }


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
        trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True, autoescape=False,
    )


def render_plan_markdown(plans: list[ClusterPlan]) -> str:
    return environment().get_template("plan_report.md.j2").render(**plan_view(plans))
