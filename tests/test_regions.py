"""Regions chosen from where the clients are: primary, Global Datastore secondaries, the
latency they give and what crossing regions costs."""

from __future__ import annotations

from typing import Any

import pytest

from sizing import WorkloadSpecError, parse_workload
from sizing.catalog.network import BYTES_PER_GB, load_network
from sizing.errors import NoViableRegionsError
from sizing.planning.plan import HOURS_PER_MONTH, plan_cluster
from sizing.planning.regions import Verdict
from sizing.render.regions_text import chosen_text, rejected_rows
from sizing.render.rejections import error_message
from tests.conftest import cluster, strings

TWO_CONTINENTS = {
    "clients": [{"region": "eu-west-1", "reads_percent": 60, "writes_percent": 80},
                {"region": "us-east-1", "reads_percent": 40, "writes_percent": 20}],
    "allowed_regions": ["eu-west-1", "us-east-1", "eu-central-1"],
    "max_read_latency_ms": 20,
}
TRAFFIC = {"peak_ops_per_sec": 20_000, "avg_ops_per_sec": 8_000, "read_ratio": 0.9, "avg_request_bytes": 200,
           "avg_response_bytes": 300}


def placed(placement: dict[str, Any], **overrides: Any) -> Any:
    return cluster(strings(keys=2_000_000, value_bytes=300), cluster_mode="enabled", deployment="nodes",
                   traffic=TRAFFIC, placement=placement, **overrides)


def test_clients_on_two_continents_get_a_primary_and_a_secondary() -> None:
    plan = plan_cluster(placed(TWO_CONTINENTS))
    choice = plan.region_choice
    assert choice is not None and plan.regions == ("eu-west-1", "us-east-1") == choice.chosen.regions
    # Each region's reads stay in it; the primary is where 80% of the writes come from.
    served = {c.region: c.served_by for c in choice.chosen.clients}
    assert served == {"eu-west-1": "eu-west-1", "us-east-1": "us-east-1"}
    # One region alone is refused with the latency that rules it out, from the catalog's table.
    network = load_network()
    alone = {layout.regions: layout for layout in choice.rejected if len(layout.regions) == 1}
    assert alone[("eu-west-1",)].verdict is Verdict.read_latency
    assert alone[("eu-west-1",)].worst_ms == network.latency_ms("us-east-1", "eu-west-1") > 20
    # Transfer: every write replicated once, at eu-west-1's rate; the us-east-1 clients' writes
    # cross to the primary and their replies come back.
    commands = TRAFFIC["avg_ops_per_sec"] * 3600 * HOURS_PER_MONTH
    writes = commands * (1 - TRAFFIC["read_ratio"])
    replication_gb = writes * TRAFFIC["avg_request_bytes"] / BYTES_PER_GB
    remote_writes = writes * 0.20
    client_usd = remote_writes * (TRAFFIC["avg_request_bytes"] * network.transfer_price("us-east-1", "eu-west-1")
                                  + TRAFFIC["avg_response_bytes"] * network.transfer_price("eu-west-1", "us-east-1")
                                  ) / BYTES_PER_GB
    expected = replication_gb * network.transfer_price("eu-west-1", "us-east-1") + client_usd
    assert choice.chosen.replication_gb_per_month == pytest.approx(replication_gb, abs=0.001)
    assert plan.transfer_monthly_usd == pytest.approx(expected, abs=0.01)
    assert plan.monthly_usd == pytest.approx(plan.chosen.monthly_usd + expected, abs=0.01)
    # The same pair with the primary in us-east-1 costs more: 80% of the writes would cross.
    swapped = next(layout for layout in choice.rejected if layout.regions == ("us-east-1", "eu-west-1"))
    assert swapped.verdict is Verdict.costlier and swapped.monthly_usd > choice.chosen.monthly_usd
    text = chosen_text(plan)
    assert "primary eu-west-1, secondary us-east-1 (Global Datastore)" in text and "transfer" in text
    reasons = {row["regions"]: row["reason"] for row in rejected_rows(plan)}
    assert reasons["eu-west-1 alone"] == (f"reads from us-east-1 take {alone[('eu-west-1',)].worst_ms:g} ms, above "
                                          f"the 20 ms accepted")


def test_one_region_where_the_latency_allows() -> None:
    plan = plan_cluster(placed({**TWO_CONTINENTS, "max_read_latency_ms": 100}))
    assert len(plan.regions) == 1 and plan.region_choice is not None
    # The single region takes the writes' side, and no node pays for a second region.
    assert plan.regions == ("eu-west-1",)
    assert plan.replication_gb_per_month == 0


def test_data_residency_limits_the_regions_and_nothing_fits_says_why() -> None:
    europe_only = {**TWO_CONTINENTS, "allowed_regions": ["eu-west-1", "eu-central-1"]}
    with pytest.raises(NoViableRegionsError) as caught:
        plan_cluster(placed(europe_only))
    message = error_message(caught.value)
    assert "no set of the allowed regions can serve cluster 'c'" in message
    assert "reads from us-east-1 take" in message and "us-east-1 ->" not in message


def test_a_pair_without_a_sourced_latency_is_said_not_guessed() -> None:
    # ap-east-2 (Taipei) has an ElastiCache endpoint, but cloudping.co has no measurement for it.
    placement = {"clients": [{"region": "ap-east-2", "reads_percent": 100, "writes_percent": 100}],
                 "allowed_regions": ["ap-east-2", "ap-northeast-1"], "max_read_latency_ms": 50}
    with pytest.raises(NoViableRegionsError) as caught:
        plan_cluster(placed(placement))
    verdicts = {layout.verdict for layout in (caught.value.choice.chosen, *caught.value.choice.rejected)}
    assert Verdict.latency_unsourced in verdicts
    assert "no sourced latency for ap-east-2 -> ap-northeast-1" in error_message(caught.value)


def test_explicit_regions_still_choose_and_pay_for_replication() -> None:
    explicit = cluster(strings(keys=2_000_000, value_bytes=300), cluster_mode="enabled", deployment="nodes",
                       traffic=TRAFFIC, regions=["us-east-1", "us-east-2"])
    plan = plan_cluster(explicit)
    assert plan.region_choice is None and plan.regions == ("us-east-1", "us-east-2")
    # N. Virginia to Ohio is the cheaper rate of the table ($0.01/GB).
    assert load_network().transfer_price("us-east-1", "us-east-2") == 0.01
    assert plan.transfer_monthly_usd == pytest.approx(plan.replication_gb_per_month * 0.01, abs=0.01)


@pytest.mark.parametrize(("placement", "extra", "says"), [
    ({**TWO_CONTINENTS, "clients": [{"region": "eu-west-1", "reads_percent": 60, "writes_percent": 100}]}, {},
     "clusters[0].placement.clients[0].reads_percent: the clients' reads_percent must sum to 100, got 60"),
    ({**TWO_CONTINENTS, "allowed_regions": ["eu-west-9"]}, {},
     "clusters[0].placement.allowed_regions[0]: unknown region 'eu-west-9'"),
    (TWO_CONTINENTS, {"regions": ["us-east-1"]},
     ("clusters[0].placement: give regions (an explicit choice) or placement (the planner chooses the regions), "
      "not both")),
    ({**TWO_CONTINENTS, "max_read_latency_ms": 0}, {}, "clusters[0].placement.max_read_latency_ms: must be > 0.0"),
], ids=["shares", "unknown-region", "both", "latency"])
def test_bad_placements_are_refused_at_their_field(placement: dict[str, Any], extra: dict[str, Any],
                                                   says: str) -> None:
    with pytest.raises(WorkloadSpecError) as caught:
        placed(placement, **extra)
    assert str(caught.value).startswith("<test>:") and says in str(caught.value)


def test_a_placement_error_names_the_file_and_line() -> None:
    text = """\
clusters:
  - name: c
    keyspaces: [{name: k, type: string, keys: 10, key_bytes: 5, value_bytes: 5}]
    placement:
      clients:
        - {region: eu-west-1, reads_percent: 50, writes_percent: 50}
        - {region: us-east-1, reads_percent: 40, writes_percent: 50}
      max_read_latency_ms: 30
"""
    with pytest.raises(WorkloadSpecError) as caught:
        parse_workload(text, "stacks/x.yaml")
    assert str(caught.value).startswith("stacks/x.yaml:")
    assert "reads_percent must sum to 100, got 90" in str(caught.value)


def test_network_rows_are_pinned() -> None:
    network = load_network()
    assert network.latency_ms("us-east-1", "eu-west-1") == 69.6
    assert network.latency_ms("ap-northeast-1", "ap-northeast-3") == 10.0
    assert network.transfer_price("eu-west-1", "us-east-1") == 0.02
    assert network.transfer_price("sa-east-1", "us-east-1") == 0.138
    assert network.latency_ms("cn-north-1", "cn-northwest-1") is None
    assert network.transfer_price("ca-west-1", "us-east-1") is None
