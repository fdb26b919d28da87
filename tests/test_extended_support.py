"""Extended Support exposure: Redis OSS versions past standard support, priced on the plan's nodes."""

from __future__ import annotations

import pytest

from sizing.catalog.support import load_support
from sizing.planning.plan import plan_cluster
from sizing.render.plan_view import render_plan_markdown
from tests.conftest import cluster, strings


def test_lifecycle_rows_are_pinned() -> None:
    redis6 = load_support()[("redis", "6")]
    assert (redis6.standard_support_ends, redis6.extended_support_ends) == ("2027-01-31", "2030-01-31")
    assert [(y.starts, y.premium_percent) for y in redis6.years] == [
        ("2027-02-01", 80), ("2028-02-01", 80), ("2029-02-01", 160)]
    assert load_support()[("redis", "5")].standard_support_ends == "2026-01-31"
    assert ("redis", "7") not in load_support() and not any(engine == "valkey" for engine, _ in load_support())


def test_a_redis_6_plan_prices_each_premium_year_on_its_nodes() -> None:
    plan = plan_cluster(cluster(strings(keys=2_000_000, value_bytes=300), engine="redis", engine_version="6.2",
                                cluster_mode="disabled"))
    exposure = plan.extended_support
    assert exposure is not None and exposure.major_version == "6"
    nodes = plan.chosen.monthly_usd
    assert [y.premium_monthly_usd for y in exposure.years] == pytest.approx([0.8 * nodes, 0.8 * nodes, 1.6 * nodes],
                                                                          abs=0.01)
    assert exposure.total_usd == pytest.approx(12 * (0.8 + 0.8 + 1.6) * nodes, abs=0.1)
    report = render_plan_markdown([plan])
    assert (f"Extended Support: Redis OSS 6 leaves standard support on 2027-01-31; from the next day ElastiCache "
            f"Extended Support adds to the on-demand rate of these nodes: +80% from 2027-02-01 "
            f"(${0.8 * nodes:,.0f}/month)") in report


@pytest.mark.parametrize(("engine", "version"), [("redis", "7.1"), ("valkey", "8.1")])
def test_versions_with_no_announced_date_carry_none(engine: str, version: str) -> None:
    plan = plan_cluster(cluster(strings(), engine=engine, engine_version=version, cluster_mode="disabled"),
                        advise=True)
    assert plan.extended_support is None
    assert "Extended Support:" not in render_plan_markdown([plan])
