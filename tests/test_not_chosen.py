"""The "not chosen" list: the nearest real alternatives, each node type once, never the choice."""

from __future__ import annotations

import pytest

from sizing import load_workload
from sizing.planning.plan import PREVIOUS_GENERATION, ClusterPlan, plan_cluster
from sizing.render.plan_view import SHOWN_REJECTIONS, cluster_view
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def social_plans() -> dict[str, ClusterPlan]:
    return {c.name: plan_cluster(c, advise=False) for c in load_workload(ROOT / "stacks/social.yaml").clusters}


@pytest.mark.parametrize("name", ["sessions", "profiles", "feeds", "notifications", "counters"])
def test_alternatives_never_repeat_a_type_or_show_the_choice(social_plans: dict[str, ClusterPlan], name: str) -> None:
    plan = social_plans[name]
    types = [option.node_type for option in plan.alternatives]
    assert plan.chosen.node_type not in types and len(types) == len(set(types))
    nearest = plan.nearest_rejections(SHOWN_REJECTIONS)
    assert all(PREVIOUS_GENERATION not in r.missing for r in nearest)
    assert not {r.node_type for r in nearest} & {plan.chosen.node_type, *types}
    view = cluster_view(plan)
    shown = [row["node_type"] for row in view["alternatives"] + view["rejected"]]
    assert plan.chosen.node_type not in shown


def test_counters_lists_the_chosen_type_once_although_both_modes_fit(social_plans: dict[str, ClusterPlan]) -> None:
    # counters is cluster_mode: auto: its node type fits in both modes, and the other mode is
    # the same node type, not an alternative to it.
    plan = social_plans["counters"]
    both_modes = [r for r in plan.rejected if r.node_type == plan.chosen.node_type]
    assert plan.chosen.node_type not in {o.node_type for o in plan.alternatives}
    assert all(r.node_type != plan.chosen.node_type for r in plan.nearest_rejections(10))
    assert len(both_modes) <= 1


def test_rules_that_are_not_capacity_show_once_per_family(social_plans: dict[str, ClusterPlan]) -> None:
    nearest = social_plans["profiles"].nearest_rejections(10)
    ruled = [(r.node_type.split(".")[1], r.bottleneck) for r in nearest if r.shortfall is None]
    assert ruled and len(ruled) == len(set(ruled))
