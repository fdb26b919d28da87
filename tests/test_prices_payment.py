"""How to pay: reservations with their break-even month, Database Savings Plans, serverless Valkey."""

from __future__ import annotations

import pytest

from sizing.planning.plan import plan_cluster
from sizing.render.payment_text import payment_text
from sizing.render.serverless_text import valkey_line
from tests.conftest import cluster, strings


def _cache(**overrides: object) -> object:
    return cluster(strings(keys=30_000_000, key_bytes=20, value_bytes=100), cluster_mode="enabled", **overrides)


def test_reservations_break_even_when_on_demand_reaches_the_upfront_fee() -> None:
    plan = plan_cluster(_cache(nodes={"families": ["r7g"]}, deployment="nodes"))  # type: ignore[arg-type]
    advice = plan.payment
    assert advice is not None and advice.deployment == "nodes" and advice.size_flexible_family == "r7g"
    on_demand = plan.chosen.monthly_usd
    assert [t.years for t in advice.reservations] == [1, 3]
    for term in advice.reservations:
        assert term.monthly_usd == plan.chosen.monthly_usd_reserved[term.years]
        assert term.upfront_usd == pytest.approx(term.monthly_usd * 12 * term.years, abs=0.01)
        assert term.break_even_month == pytest.approx(term.upfront_usd / on_demand, abs=0.05)
        assert term.break_even_month < 12 * term.years
    assert "cheaper than on demand from month" in payment_text(advice)


@pytest.mark.parametrize(("overrides", "status", "percent"), [
    ({"nodes": {"families": ["r7g"]}}, "eligible", 20),
    ({"nodes": {"families": ["r6g"]}}, "older_generation", None),
    ({"engine": "redis", "nodes": {"families": ["r7g"]}}, "redis_oss", None),
], ids=["valkey-r7g", "valkey-r6g", "redis"])
def test_database_savings_plans_cover_valkey_on_7th_generation_and_newer(
        overrides: dict[str, object], status: str, percent: int | None) -> None:
    advice = plan_cluster(_cache(deployment="nodes", **overrides)).payment  # type: ignore[arg-type]
    assert advice is not None and advice.savings_plan == status and advice.savings_plan_max_percent == percent
    if percent:
        assert advice.savings_plan_max_saving_usd_per_month == pytest.approx(
            advice.on_demand_monthly_usd * percent / 100, abs=0.01)


def test_serverless_payment_has_no_reservation_and_the_serverless_savings_plan_rate() -> None:
    spiky = cluster(strings(keys=200_000, key_bytes=20, value_bytes=100), cluster_mode="enabled",
                    traffic={"peak_ops_per_sec": 20_000, "avg_ops_per_sec": 200})
    plan = plan_cluster(spiky)
    advice = plan.payment
    assert plan.deployment == "serverless" and advice is not None
    assert advice.reservations == () and advice.size_flexible_family is None
    assert (advice.savings_plan, advice.savings_plan_max_percent) == ("eligible", 35)
    assert advice.on_demand_monthly_usd == plan.monthly_usd


def test_redis_oss_clusters_see_serverless_valkey() -> None:
    plan = plan_cluster(_cache(engine="redis"))  # type: ignore[arg-type]
    valkey, redis = plan.serverless_on_valkey, plan.serverless
    assert valkey is not None and redis is not None and valkey.engine == "valkey"
    assert valkey.monthly_usd is not None and redis.monthly_usd is not None
    # The Valkey rates are a third lower; the newest Valkey's memory model stores the same data in less.
    assert valkey.monthly_usd < 0.7 * redis.monthly_usd
    assert valkey_line(plan).startswith("Serverless on Valkey 9.1 would be $")
    assert plan_cluster(_cache()).serverless_on_valkey is None  # type: ignore[arg-type]
