"""Prices in the catalog: pinned rows, per-row dates and sources, and what a missing price says."""

from __future__ import annotations

import csv

import pytest

from sizing import load_catalog
from sizing.catalog.nodes import DATA, PRICES_AS_OF
from sizing.catalog.serverless import serverless_prices
from sizing.planning.plan import Bottleneck, plan_cluster
from sizing.render.rejections import reason
from tests.conftest import cluster, strings

SOURCES = (DATA / "SOURCES.md").read_text()


@pytest.mark.parametrize(("node_type", "usd"), [("cache.r8g.large", 0.1756), ("cache.m8g.xlarge", 0.2531),
                                                ("cache.c8gn.16xlarge", 5.8784)], ids=["r8g", "m8g", "c8gn"])
def test_eighth_generation_valkey_prices_in_us_east_1(node_type: str, usd: float) -> None:
    catalog = load_catalog()
    assert catalog.price("us-east-1", node_type, "valkey") == usd
    assert catalog.price_date("us-east-1", node_type, "valkey") == "2026-10-02"
    assert catalog.price("us-east-1", node_type, "redis") is None  # Valkey only


def test_older_prices_keep_their_date() -> None:
    catalog = load_catalog()
    assert catalog.price("us-east-1", "cache.r7g.large", "valkey") == 0.1752
    assert catalog.price_date("us-east-1", "cache.r7g.large", "valkey") == PRICES_AS_OF


def test_every_added_row_names_a_documented_source_and_a_listed_type() -> None:
    catalog = load_catalog()
    with (DATA / "node_prices_2026.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert f"`{row['source']}`" in SOURCES, row
        assert catalog.unpriced(row["region"], row["node_type"]), f"{row['node_type']} is not listed in {row['region']}"
    for price in serverless_prices().values():
        assert f"`{price.source}`" in SOURCES, price


def test_serverless_prices_pinned() -> None:
    prices = serverless_prices()
    redis, valkey = prices[("us-east-1", "redis")], prices[("us-east-1", "valkey")]
    assert (redis.data_stored_usd_per_gb_hour, redis.ecpu_usd_per_million, redis.minimum_data_stored_gb) == (
        0.125, 0.0034, 1.0)
    assert (valkey.data_stored_usd_per_gb_hour, valkey.ecpu_usd_per_million, valkey.minimum_data_stored_gb) == (
        0.084, 0.0023, 0.1)


def _r8g_friendly(**overrides: object) -> object:
    """About 9.1 GiB per node: more than r6g/r7g.large offer after the reserve and headroom (8.8 GiB), less
    than r8g.large (9.6 GiB), so it takes r8g.large where r8g is priced, else an xlarge."""
    return cluster(strings(keys=78_000_000, key_bytes=20, value_bytes=60), cluster_mode="disabled",
                   churn={"sizes": "unchanged"}, **overrides)


def test_r8g_friendly_valkey_workload_chooses_r8g_where_it_is_cheapest() -> None:
    plan = plan_cluster(_r8g_friendly())  # type: ignore[arg-type]
    assert plan.chosen.node_type == "cache.r8g.large"
    assert plan.prices_as_of == "2026-10-02"
    r7g = next(r for r in plan.rejected if r.node_type == "cache.r7g.large")
    assert r7g.bottleneck is Bottleneck.memory


def test_a_listed_type_without_a_sourced_price_says_so() -> None:
    plan = plan_cluster(_r8g_friendly(regions=["eu-west-1"]))  # type: ignore[arg-type]
    assert plan.chosen.family != "r8g"
    unpriced = next(r for r in plan.rejected if r.node_type == "cache.r8g.large")
    assert unpriced.bottleneck is Bottleneck.unpriced
    assert reason(unpriced) == ("AWS lists it in eu-west-1, but the catalog has no sourced valkey price there "
                                "(sizing/catalog/data/SOURCES.md)")


def test_r8g_for_redis_stays_not_offered() -> None:
    plan = plan_cluster(_r8g_friendly(engine="redis"))  # type: ignore[arg-type]
    r8g = next(r for r in plan.rejected if r.node_type == "cache.r8g.large")
    assert r8g.bottleneck is Bottleneck.engine and reason(r8g).startswith("not offered for Redis OSS")
