"""The simpler layout unless the cheaper one saves more than the stated threshold; burstable
nodes weighed against a sustained or write-heavy load."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from sizing.planning.layout import SIMPLER_LAYOUT_SHARE, burstable_at_risk, prefer_simpler
from sizing.planning.plan import plan_cluster
from sizing.render.plan_view import render_plan_markdown
from sizing.spec.workload import Cluster
from tests.conftest import cluster, strings


class Row(NamedTuple):
    node_type: str
    family: str
    shards: int
    monthly_usd: float


def counters_like(keys: int) -> Cluster:
    # Small numeric counters at a modest load: many small burstable shards compete with one node.
    return cluster(strings(keys=keys, key_bytes=28, value_bytes=7, numeric=True), cluster_mode="enabled",
                   deployment="nodes", traffic={"peak_ops_per_sec": 5_000})


def test_one_node_is_kept_over_many_small_shards_that_save_less_than_the_threshold() -> None:
    plan = plan_cluster(counters_like(72_000_000))
    preference = plan.layout_preference
    assert preference is not None and preference.simpler_chosen
    assert (plan.chosen.node_type, plan.chosen.shards) == ("cache.r6g.large", 1)
    assert preference.other_shards > 1 and preference.other_monthly_usd < plan.chosen.monthly_usd
    saving = plan.chosen.monthly_usd - preference.other_monthly_usd
    assert preference.saving_usd == pytest.approx(saving, abs=0.01)
    assert 0 < saving <= SIMPLER_LAYOUT_SHARE * plan.chosen.monthly_usd
    report = render_plan_markdown([plan])
    assert (f"Simpler layout kept: cache.r6g.large x 1 shard (${plan.chosen.monthly_usd:,.0f}/month) rather than "
            f"the cheapest, {preference.other_node_type} x {preference.other_shards} shards") in report
    assert "is within the 10% a more complex layout must save" in report


def test_a_saving_above_the_threshold_takes_the_cheaper_layout_and_says_so() -> None:
    plan = plan_cluster(counters_like(32_000_000))
    preference = plan.layout_preference
    assert preference is not None and not preference.simpler_chosen
    assert preference.other_shards < plan.chosen.shards
    assert preference.saving_percent > 100 * SIMPLER_LAYOUT_SHARE
    assert "Cheaper layout chosen:" in render_plan_markdown([plan])


def test_burstable_nodes_count_as_least_simple_under_a_write_heavy_or_sustained_load() -> None:
    ranked = [Row("cache.t4g.medium", "t4g", 1, 100.0), Row("cache.m6g.large", "m6g", 1, 105.0)]
    # An ordinary load: the cheaper burstable node is as simple as the other, so it stays.
    kept, none = prefer_simpler(ranked, burstable_penalized=False)
    assert kept[0].node_type == "cache.t4g.medium" and none is None
    # Write-heavy or sustained: 5% is not enough to take the burstable node.
    reordered, preference = prefer_simpler(ranked, burstable_penalized=True)
    assert reordered[0].node_type == "cache.m6g.large"
    assert preference is not None and preference.simpler_chosen and preference.burstable_penalized
    # Far cheaper, it is still chosen, with the comparison shown.
    cheap = [Row("cache.t4g.medium", "t4g", 1, 50.0), Row("cache.m6g.large", "m6g", 1, 105.0)]
    chosen, declined = prefer_simpler(cheap, burstable_penalized=True)
    assert chosen[0].node_type == "cache.t4g.medium"
    assert declined is not None and not declined.simpler_chosen and declined.saving_usd == 55.0


@pytest.mark.parametrize(("pattern", "average", "peak", "at_risk"), [
    ("write_heavy", None, 10_000, True),
    ("mixed", 6_000, 10_000, True),
    ("mixed", 2_000, 10_000, False),
    ("mixed", None, 10_000, False),
], ids=["write-heavy", "sustained", "spiky", "average-unknown"])
def test_which_loads_put_burstable_nodes_at_risk(pattern: str, average: int | None, peak: int,
                                                at_risk: bool) -> None:
    assert burstable_at_risk(pattern, average, peak) is at_risk
