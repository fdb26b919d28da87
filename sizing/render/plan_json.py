"""The ``plan --json`` document: every chosen option, alternative and rejection.

Apart from the terminal views so that ``plan --json`` of a large fleet loads neither rich nor
jinja2.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from sizing.planning.plan import ClusterPlan, Option, Rejection
from sizing.render import rejections
from sizing.render.serverless_text import serverless_line


def plan_json(plans: list[ClusterPlan]) -> dict[str, Any]:
    """The full plan: every chosen option, alternative and rejection, with computed fields."""
    return {"clusters": [plan_dict(p) for p in plans]}


def _option_dict(option: Option) -> dict[str, Any]:
    # The computed fields (headroom, required bytes) are the model's own; this only keeps the
    # contract's key order: inputs first, then headroom, then the breakdowns.
    derived = {"headroom_percent", "headroom_today_percent", "memory_today", "memory_horizon"}
    dumped = option.model_dump(mode="json")
    return {**{k: v for k, v in dumped.items() if k not in derived}, **{k: dumped[k] for k in
            ("headroom_percent", "headroom_today_percent", "memory_today", "memory_horizon")}}


_REJECTIONS = TypeAdapter(tuple[Rejection, ...])
"""A plan's rejections dumped in one call (each as ``Rejection.model_dump`` gives it): a
plan has about a hundred, and a call per rejection cost half as much again."""


def plan_dict(plan: ClusterPlan) -> dict[str, Any]:
    """One cluster of the document."""
    return {
        **plan.model_dump(mode="json", exclude={"chosen", "alternatives", "rejected"}),
        "rejected": [{**dumped, "reason": rejections.reason(r)}
                     for dumped, r in zip(_REJECTIONS.dump_python(plan.rejected, mode="json"), plan.rejected)],
        "serverless_reason": serverless_line(plan),
        "chosen": _option_dict(plan.chosen),
        "alternatives": [_option_dict(o) for o in plan.alternatives],
    }
