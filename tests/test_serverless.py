"""Serverless as an option of every plan: what it meters and costs, what rules it out, when it wins."""

from __future__ import annotations

from typing import Any

import pytest

from sizing.catalog.serverless import GB, serverless_prices
from sizing.errors import WorkloadSpecError
from sizing.planning.plan import HOURS_PER_MONTH, plan_cluster
from sizing.planning.serverless import Obstacle, ServerlessUnavailableError, serverless_option
from sizing.render.plan_view import render_plan_markdown
from sizing.render.rejections import error_message
from sizing.render.serverless_text import serverless_line
from tests.conftest import cluster, strings

SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


def _small_spiky(**overrides: Any) -> Any:
    """200,000 small sessions; 20,000 ops/s at peak but 200 on average."""
    traffic = {"peak_ops_per_sec": 20_000, "avg_ops_per_sec": 200, "avg_request_bytes": 60, "avg_response_bytes": 200}
    return cluster(strings(keys=200_000, key_bytes=20, value_bytes=100, ttl=True), traffic=traffic, **overrides)


def _large_steady(**overrides: Any) -> Any:
    """About 60 GB of data and 50,000 ops/s around the clock."""
    traffic = {"peak_ops_per_sec": 50_000, "avg_ops_per_sec": 50_000}
    return cluster(strings(keys=150_000_000, key_bytes=24, value_bytes=300), traffic=traffic, **overrides)


def test_small_spiky_workload_chooses_serverless() -> None:
    plan = plan_cluster(_small_spiky(cluster_mode="enabled"))
    option = plan.serverless
    assert option is not None and option.decision == "chosen" and plan.deployment == "serverless"
    assert option.monthly_usd is not None and option.monthly_usd < plan.chosen.monthly_usd
    assert plan.monthly_usd == option.monthly_usd
    assert option.compared_monthly_usd == plan.chosen.monthly_usd
    report = render_plan_markdown([plan])
    assert f"| c | Valkey 9.1 | ElastiCache Serverless | ${option.monthly_usd:,.0f} | serverless | n/a |" in report
    assert "The node layout it was compared with" in report and "reservations," not in report.split("\n## ")[0]


def test_large_steady_workload_keeps_nodes() -> None:
    plan = plan_cluster(_large_steady(cluster_mode="enabled"))
    option = plan.serverless
    assert option is not None and option.allowed and option.decision == "costlier" and plan.deployment == "nodes"
    assert option.monthly_usd is not None and option.monthly_usd > 1.2 * plan.chosen.monthly_usd
    assert serverless_line(plan).startswith("not chosen, costs more than the node layout")


def test_cost_is_data_stored_plus_average_ecpus() -> None:
    """Valkey in us-east-1: GB-hours of the horizon data plus a month of average ECPUs."""
    option = serverless_option(_large_steady(), growth=1.0)
    price = serverless_prices()[("us-east-1", "valkey")]
    data_gb = option.data_stored_bytes / GB
    assert option.billed_data_stored_gb == pytest.approx(data_gb, abs=1e-3)
    assert option.data_stored_monthly_usd == pytest.approx(data_gb * price.data_stored_usd_per_gb_hour * 730, abs=0.01)
    # 100 + 500 bytes a command (the defaults) is under 1 KB: 1 ECPU each.
    assert option.ecpu_per_command == 1.0 and option.average_ecpu_per_sec == 50_000
    assert option.ecpu_monthly_usd == pytest.approx(50_000 * SECONDS_PER_MONTH / 1e6 * price.ecpu_usd_per_million,
                                                    abs=0.01)


def test_ecpus_follow_the_bytes_transferred_and_the_average_defaults_to_the_peak() -> None:
    big_replies = cluster(strings(), traffic={"peak_ops_per_sec": 1_000, "avg_request_bytes": 100,
                                              "avg_response_bytes": 3_000})
    option = serverless_option(big_replies, growth=1.0)
    assert option.ecpu_per_command == pytest.approx(3_100 / 1024, abs=1e-3)
    assert option.average_ops_per_sec == 1_000 and not option.average_stated
    assert option.peak_ecpu_per_sec == pytest.approx(1_000 * 3_100 / 1024, abs=0.1)
    stated = cluster(strings(), traffic={"peak_ops_per_sec": 1_000, "ecpu_per_command": 4})
    assert serverless_option(stated, growth=1.0).ecpu_per_command == 4


@pytest.mark.parametrize(("engine", "minimum_gb"), [("redis", 1.0), ("valkey", 0.1)], ids=["redis-1GB", "valkey-100MB"])
def test_tiny_caches_bill_the_engine_minimum(engine: str, minimum_gb: float) -> None:
    tiny = cluster(strings(keys=100), engine=engine)
    option = serverless_option(tiny, growth=1.0)
    assert option.data_stored_bytes < 0.01 * GB and option.billed_data_stored_gb == minimum_gb


def test_usage_limits_and_alarms_sit_above_the_plan() -> None:
    option = serverless_option(_large_steady(), growth=1.0)
    assert option.data_storage_limit_gb >= 2 * option.data_stored_bytes / GB
    assert option.ecpu_per_second_limit >= 2 * option.peak_ecpu_per_sec
    assert option.alarm_data_stored_bytes == round(option.data_storage_limit_gb * GB * 0.75)
    assert option.alarm_ecpu_per_second == round(option.ecpu_per_second_limit * 0.75)


REFUSED = [
    ({"regions": ["us-east-1", "eu-west-1"], "cluster_mode": "enabled"}, Obstacle.global_datastore,
     "needs a Global Datastore (us-east-1, eu-west-1), which serverless does not offer"),
    ({"parameters": {"hash-max-listpack-entries": 1024}}, Obstacle.fixed_parameter,
     "needs `hash-max-listpack-entries: 1024`, and serverless parameters are fixed"),
    ({"parameters": {"maxmemory-policy": "allkeys-lru"}}, Obstacle.fixed_parameter,
     "needs `maxmemory-policy: allkeys-lru`, and serverless parameters are fixed"),
    ({"cluster_mode": "disabled"}, Obstacle.cluster_mode_disabled,
     "needs cluster mode disabled (cluster_mode: disabled), and serverless always runs cluster mode"),
    ({"engine": "redis", "engine_version": "6.2"}, Obstacle.engine_version,
     "runs 6.2; serverless offers major version 7 only"),
    ({"regions": ["eu-west-1"]}, Obstacle.unpriced,
     "the catalog has no sourced serverless price for Valkey in eu-west-1"),
    ({"nodes": {"monthly_budget_usd": 1}}, Obstacle.budget, "budget $1"),
]


@pytest.mark.parametrize(("overrides", "obstacle", "words"), REFUSED, ids=[o.value for _, o, _ in REFUSED])
def test_refusals_state_why(overrides: dict[str, Any], obstacle: Obstacle, words: str) -> None:
    plan = plan_cluster(_small_spiky(**overrides)) if obstacle is not Obstacle.budget else None
    option = plan.serverless if plan else serverless_option(_small_spiky(**overrides), growth=1.0)
    assert option is not None
    assert [r.obstacle for r in option.refusals] == [obstacle]
    if plan is not None:
        assert option.decision == "refused" and plan.deployment == "nodes"
        assert serverless_line(plan).startswith("rejected: ") and words in serverless_line(plan)


def test_the_serverless_eviction_policy_and_node_reserves_are_no_obstacle() -> None:
    fine = _small_spiky(parameters={"maxmemory-policy": "volatile-lru", "reserved-memory-percent": 30})
    assert serverless_option(fine, growth=1.0).allowed


def test_limits_refuse_with_the_numbers() -> None:
    huge = cluster(strings(keys=20_000_000_000 // 1000, value_bytes=300_000))
    option = serverless_option(huge, growth=1.0)
    data = next(r for r in option.refusals if r.obstacle is Obstacle.data_limit)
    assert data.limit == 5_000 and data.needed is not None and data.needed > 5_000
    busy = cluster(strings(), traffic={"peak_ops_per_sec": 20_000_000})
    ecpu = next(r for r in serverless_option(busy, growth=1.0).refusals if r.obstacle is Obstacle.ecpu_limit)
    assert (ecpu.needed, ecpu.limit) == (20_000_000, 15_000_000)


def test_deployment_serverless_that_cannot_be_is_one_line() -> None:
    with pytest.raises(ServerlessUnavailableError) as caught:
        plan_cluster(_small_spiky(deployment="serverless", parameters={"hash-max-listpack-entries": 1024}))
    assert error_message(caught.value) == (
        "cluster 'c' asks for deployment: serverless, which cannot carry it: needs `hash-max-listpack-entries: "
        "1024`, and serverless parameters are fixed")


def test_deployment_nodes_shows_serverless_for_comparison_and_serverless_forces_it() -> None:
    nodes = plan_cluster(_small_spiky(deployment="nodes"))
    assert nodes.serverless is not None and nodes.serverless.decision == "not_asked" and nodes.deployment == "nodes"
    assert serverless_line(nodes).startswith("not considered (deployment: nodes)")
    forced = plan_cluster(_large_steady(deployment="serverless"))
    assert forced.deployment == "serverless" and forced.monthly_usd == forced.serverless.monthly_usd  # type: ignore[union-attr]


def test_a_serverless_plan_has_its_own_fingerprint() -> None:
    spiky = _small_spiky(cluster_mode="enabled")
    assert plan_cluster(spiky).fingerprint() != plan_cluster(spiky.variant(deployment="nodes")).fingerprint()


def test_average_above_the_peak_is_refused() -> None:
    with pytest.raises(WorkloadSpecError, match="avg_ops_per_sec: must be <= peak_ops_per_sec"):
        cluster(strings(), traffic={"peak_ops_per_sec": 100, "avg_ops_per_sec": 200})


def test_deployment_serverless_against_the_file_itself_names_the_field() -> None:
    with pytest.raises(WorkloadSpecError, match=r"deployment: serverless always runs cluster mode"):
        cluster(strings(), deployment="serverless", cluster_mode="disabled")
    with pytest.raises(WorkloadSpecError, match=r"deployment: serverless has no Global Datastore"):
        cluster(strings(), deployment="serverless", regions=["us-east-1", "eu-west-1"])
