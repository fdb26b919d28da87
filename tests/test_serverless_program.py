"""The Pulumi program for a plan that chose ElastiCache Serverless, under Pulumi's mocks."""

from __future__ import annotations

from functools import cache

from sizing.catalog.serverless import GB
from sizing.planning.plan import ClusterPlan, plan_workload
from sizing.workloads import parse_workload
from sizing_infra import options_from_dict
from sizing_infra.preview import PreviewResult, run_preview

SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPONENT = "elasticache-sizing:index:PlannedServerlessCache"
WORKLOAD = """
clusters:
  - name: flash-sale
    traffic: {peak_ops_per_sec: 20000, avg_ops_per_sec: 200, avg_request_bytes: 60, avg_response_bytes: 200}
    keyspaces:
      - {name: session, type: string, keys: 200_000, key_bytes: 20, value_bytes: 100, ttl: true}
  - name: orders
    traffic: {peak_ops_per_sec: 50000, avg_ops_per_sec: 50000}
    keyspaces:
      - {name: order, type: string, keys: 20_000_000, key_bytes: 24, value_bytes: 300}
"""
OPTIONS = {"production": True, "userGroupIds": ["app-users"],
           "networks": {"us-east-1": {"vpcId": "vpc-1", "subnetIds": ["subnet-1", "subnet-2"],
                                      "allowedCidrs": ["10.0.0.0/16"]}}}


@cache
def plans() -> tuple[ClusterPlan, ...]:
    return tuple(plan_workload(parse_workload(WORKLOAD, "<test>")))


@cache
def result() -> PreviewResult:
    return run_preview(list(plans()), options_from_dict(OPTIONS, "<test>"), stack="serverless")


def test_the_plans_differ_as_intended() -> None:
    assert [p.deployment for p in plans()] == ["serverless", "nodes"]


def test_serverless_cache_takes_its_limits_and_network_from_the_plan() -> None:
    plan = plans()[0]
    option = plan.serverless
    assert option is not None
    cache_ = result().named("flash-sale-serverless")
    assert cache_.type == SERVERLESS and cache_.parent == result().named("flash-sale").urn
    inputs = cache_.inputs
    assert (inputs["name"], inputs["engine"], inputs["majorEngineVersion"]) == ("flash-sale", "valkey", "9")
    assert inputs["cacheUsageLimits"] == {"dataStorage": {"maximum": option.data_storage_limit_gb, "unit": "GB"},
                                          "ecpuPerSeconds": [{"maximum": option.ecpu_per_second_limit}]}
    assert inputs["subnetIds"] == ["subnet-1", "subnet-2"] and inputs["userGroupId"] == "app-users"
    group = result().named("flash-sale-security-group")
    assert cache_.property_dependencies["securityGroupIds"] == (group.urn,)
    assert [(rule["fromPort"], rule["toPort"]) for rule in group.inputs["ingress"]] == [(6379, 6380)]
    assert cache_.protect and cache_.retain_on_delete
    assert inputs["tags"]["elasticache-sizing:plan-fingerprint"] == plan.fingerprint()


def test_alarms_at_75_percent_of_each_limit() -> None:
    option = plans()[0].serverless
    assert option is not None
    alarms = {r.inputs["metricName"]: r.inputs for r in result().of_type(ALARM)
              if r.inputs["dimensions"] == {"clusterId": "flash-sale"}}
    assert set(alarms) == {"BytesUsedForCache", "ElastiCacheProcessingUnits"}
    assert alarms["BytesUsedForCache"]["threshold"] == 0.75 * option.data_storage_limit_gb * GB
    # A Sum over 60 s: 75% of the per-second limit, for 60 seconds.
    ecpu = alarms["ElastiCacheProcessingUnits"]
    assert (ecpu["statistic"], ecpu["period"]) == ("Sum", 60)
    assert ecpu["threshold"] == 0.75 * option.ecpu_per_second_limit * 60


def test_a_serverless_plan_creates_no_node_resources_and_the_other_does() -> None:
    created = result().resources
    serverless_children = [r for r in created if r.parent == result().named("flash-sale").urn]
    assert sorted(r.type for r in serverless_children) == sorted(
        ["aws:ec2/securityGroup:SecurityGroup", SERVERLESS, ALARM, ALARM])
    assert not any(r.name.startswith("flash-sale-replication") or r.name == "flash-sale-parameters" for r in created)
    assert result().named("orders-replication-group").inputs["replicationGroupId"] == "orders"
    assert len(result().of_type(COMPONENT)) == 1


def test_outputs_say_what_was_deployed() -> None:
    outputs = result().outputs
    flash = outputs["flash-sale"]
    assert flash["deployment"] == "serverless" and flash["endpoint"].endswith(".serverless.preview.cache.amazonaws.com")
    assert flash["data_storage_limit_gb"] == plans()[0].serverless.data_storage_limit_gb  # type: ignore[union-attr]
    assert outputs["orders"]["deployment"] == "nodes"
    assert "flash-sale_auth_token" not in outputs
