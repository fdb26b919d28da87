"""The sizing diff as a pull-request comment: a flat view rendered from sizing/render/templates/.

Headlines come first (replacements and underprovisioned clusters at the top), details are
collapsed, and a hidden marker lets CI update its earlier comment instead of adding one.
GitHub refuses comments over 65,536 characters, so details are dropped from the least
disruptive clusters first until the comment fits, with a note saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sizing.planning.capacity import TARGET_HEADROOM_PERCENT
from sizing.render import rejections
from sizing.render.plan_view import environment
from sizing.review.diff import ClusterDiff, Impact, PlanSummary, WorkloadDiff
from sizing.units import human_bytes, usd

GITHUB_COMMENT_LIMIT = 65_536
"""Characters GitHub accepts in an issue or pull-request comment body."""
IMPACT_LABELS = {
    Impact.none: "sizing only, nothing changes on the running cluster",
    Impact.in_place: "in place",
    Impact.online_scaling: "online scaling",
    Impact.online_resharding: "online resharding",
    Impact.reboot: "REBOOT required",
    Impact.replacement: "REPLACEMENT (data loss)",
}


def marker(stack: str) -> str:
    """The hidden line CI looks for to update its own comment."""
    return f"<!-- elasticache-sizing-diff:{stack} -->"


def _layout(summary: PlanSummary | None) -> str:
    if summary is None:
        return "(none)"
    if summary.deployment == "serverless":
        return "ElastiCache Serverless"
    shards = f"{summary.shards} shard{'s' if summary.shards != 1 else ''}"
    return f"{summary.node_type} x {shards}, {summary.replicas_per_shard} replica{'s' if summary.replicas_per_shard != 1 else ''}"


def _signed_usd(value: float) -> str:
    return f"{'+' if value >= 0 else '-'}{usd(abs(value))}/mo"


def _impact(diff: ClusterDiff) -> str:
    if diff.status == "added":
        return "new cluster"
    if diff.status == "removed":
        return IMPACT_LABELS[Impact.replacement].replace("REPLACEMENT", "REMOVED")
    label = IMPACT_LABELS[diff.impact]
    if diff.impact is Impact.online_resharding:
        label += f" (~{human_bytes(diff.data_moved_bytes)} moved)"
    elif diff.impact is Impact.replacement and diff.before and diff.after and diff.before.deployment != diff.after.deployment:
        label = f"NEW CACHE (~{human_bytes(diff.data_moved_bytes)} to migrate)"
    return label


def headline(diff: ClusterDiff) -> str:
    """e.g. 'sessions: cache.r7g.large x 3 shards, ... -> cache.r7g.xlarge x 3 shards, ..., +$412/mo, headroom 14% -> 38%'."""
    before, after = diff.before, diff.after
    parts = [f"{_layout(before)} -> {_layout(after)}" if _layout(before) != _layout(after) else _layout(after),
             _signed_usd(diff.cost_delta_usd)]
    if before and after:
        parts.append(f"headroom {_headroom(before, '.0f')} -> {_headroom(after, '.0f')}")
    elif after:
        parts.append(f"headroom {_headroom(after, '.0f')}")
    text = f"**{diff.name}**: {', '.join(parts)}: **{_impact(diff)}**"
    if diff.underprovisioned:
        text += f"; **UNDERPROVISIONED**: {problem(diff)}"
    return text


def _headroom(summary: PlanSummary, spec: str) -> str:
    """Free memory at the horizon; a serverless cache has no nodes to keep it on."""
    return "n/a (serverless)" if summary.deployment == "serverless" else f"{summary.headroom_percent:{spec}}%"


def _node_memory(summary: PlanSummary) -> str:
    return "n/a (serverless)" if summary.deployment == "serverless" else human_bytes(summary.required_bytes_per_node)


def problem(diff: ClusterDiff) -> str:
    """Why the head is underprovisioned, in numbers ('' when it is not)."""
    if diff.unplannable:
        nearest = f"; nearest: {rejections.reason(diff.nearest_rejection)}" if diff.nearest_rejection else ""
        return "no node type can carry it" + nearest
    if diff.underprovisioned and diff.after:
        return f"headroom {diff.after.headroom_percent:.0f}% is below the {TARGET_HEADROOM_PERCENT:.0f}% target"
    return ""


def _numbers(diff: ClusterDiff) -> list[dict[str, str]]:
    def side(summary: PlanSummary | None, pick: Any) -> str:
        return "-" if summary is None else str(pick(summary))

    rows = [
        ("engine", lambda s: f"{s.engine} {s.engine_version}"),
        ("layout", lambda s: _layout(s) + (", cluster mode" if s.cluster_mode and s.deployment == "nodes" else "")),
        ("regions", lambda s: ", ".join(s.regions)),
        ("dataset today", lambda s: human_bytes(s.dataset_bytes)),
        ("memory per node at the horizon", _node_memory),
        ("headroom at the horizon", lambda s: _headroom(s, ".1f")),
        ("monthly (on demand)", lambda s: usd(s.monthly_usd)),
    ]
    return [{"label": label, "before": side(diff.before, pick), "after": side(diff.after, pick)} for label, pick in rows]


def cluster_detail(diff: ClusterDiff) -> dict[str, Any]:
    return {
        "summary": f"{diff.name}: {_impact(diff)}",
        "numbers": _numbers(diff),
        "changes": [{"field": c.field, "before": c.before, "after": c.after, "impact": IMPACT_LABELS[c.impact],
                     "note": c.note} for c in diff.changes],
    }


def summary(diff: WorkloadDiff) -> str:
    """'1 of 2 clusters changed; monthly cost $742 -> $1,599 (+$856/mo, +115.4%)'."""
    return (f"{len(diff.changed)} of {len(diff.clusters)} cluster{'s' if len(diff.clusters) != 1 else ''} changed; "
            f"monthly cost {usd(diff.monthly_usd_before)} -> {usd(diff.monthly_usd_after)} "
            f"({_signed_usd(diff.monthly_usd_after - diff.monthly_usd_before)}"
            + (f", {diff.cost_change_percent:+.1f}%)" if diff.monthly_usd_before else ")"))


def diff_view(diff: WorkloadDiff, stack: str) -> dict[str, Any]:
    changed = diff.changed
    return {
        "marker": marker(stack),
        "title": f"Sizing diff: `{stack}` ({diff.base_label} -> {diff.head_label})",
        "summary": summary(diff),
        "headlines": [headline(c) for c in changed],
        "details": [cluster_detail(c) for c in changed],
        "note": "",
    }


def render_diff_markdown(diff: WorkloadDiff, stack: str, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The comment body, or '' when nothing changed (no comment is posted then)."""
    if not diff.changed:
        return ""
    template = environment().get_template("diff_report.md.j2")
    view = diff_view(diff, stack)
    text = template.render(**view)
    if len(text) <= limit:
        return text
    details, headlines = view["details"], view["headlines"]

    def render(kept_details: int, kept_headlines: int) -> str:
        view.update(details=details[:kept_details], headlines=headlines[:kept_headlines])
        view["note"] = (f"Details of {len(details) - kept_details} cluster(s) were left out to stay under GitHub's "
                        f"{limit:,}-character limit; `python -m sizing diff` prints all of them.")
        if kept_headlines < len(headlines):
            view["note"] = (f"Only {kept_headlines} of {len(headlines)} changed clusters are listed, without details, "
                            f"to stay under GitHub's {limit:,}-character limit; `python -m sizing diff` prints all.")
        return str(template.render(**view))

    # Keep as many details as fit (the least disruptive clusters lose theirs first), then headlines.
    kept = _most_that_fit(len(details), lambda n: len(render(n, len(headlines))) <= limit)
    if kept is not None:
        return render(kept, len(headlines))
    kept = _most_that_fit(len(headlines), lambda n: len(render(0, n)) <= limit) or 0
    return render(0, kept)


def _most_that_fit(count: int, fits: Callable[[int], bool]) -> int | None:
    """The largest n in 0..count with fits(n) (fits shrinks as n grows), or None if not even 0 fits."""
    if not fits(0):
        return None
    low, high = 0, count
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low
