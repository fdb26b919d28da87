"""The Pulumi program under Pulumi's mocks: what it creates, from which plan, and how safely.

Most tests run ``sizing_infra.provision`` through ``run_preview`` (a fresh event loop and
fresh mocks per call) and assert on the recorded registrations: type, name, parent,
provider, protection and inputs, as the Pulumi engine would receive them. The last class
runs ``__main__.py`` itself, the way ``pulumi up`` does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import runpy
import subprocess
import sys
import unittest
from functools import cache
from typing import Any
from unittest import mock

import pulumi
import pytest
from click.testing import CliRunner

from sizing import load_workload
from sizing.catalog.parameters import allowed_range, family_parameters
from sizing.cli import cli
from sizing.planning.plan import ClusterPlan, plan_cluster, plan_workload
from sizing_infra import ConfigError, DeploymentOptions, load_options, member_cluster_ids, options_from_dict
from sizing_infra.preview import PreviewResult, run_preview
from tests.conftest import ROOT, cluster, strings

RG = "aws:elasticache/replicationGroup:ReplicationGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
CHECKOUT_OPTIONS = {
    "production": True,
    "alarmEmail": "oncall@example.com",
    "networks": {
        "us-east-1": {"vpcId": "vpc-0a1", "subnetIds": ["subnet-1", "subnet-2"], "allowedCidrs": ["10.10.0.0/16"]},
        "eu-west-1": {"vpcId": "vpc-0b2", "subnetIds": ["subnet-3"], "allowedSecurityGroupIds": ["sg-9"]},
    },
}


@cache
def plans(stack: str) -> tuple[ClusterPlan, ...]:
    return tuple(plan_workload(load_workload(ROOT / "stacks" / f"{stack}.yaml")))


def preview(stack: str, **options: Any) -> PreviewResult:
    return run_preview(list(plans(stack)), options_from_dict(options, "<test>"), stack=stack)


@cache
def social() -> PreviewResult:
    return preview("social")


@cache
def checkout() -> PreviewResult:
    return preview("checkout", **CHECKOUT_OPTIONS)


def primary_group(result: PreviewResult, name: str) -> dict[str, Any]:
    return result.named(f"{name}-replication-group").inputs


def test_one_component_per_cluster_with_its_resources() -> None:
    result = social()
    counts: dict[str, int] = {}
    for resource in result.resources:
        counts[resource.type] = counts.get(resource.type, 0) + 1
    clusters = len(plans("social"))
    nodes = sum(p.chosen.shards * (1 + p.chosen.replicas_per_shard) for p in plans("social"))
    small = sum(p.chosen.shards * (1 + p.chosen.replicas_per_shard) for p in plans("social") if p.alarms.host_cpu_percent)
    assert counts == {
        "pulumi:providers:aws": 1,
        "aws:sns/topic:Topic": 1,
        "elasticache-sizing:index:CacheCluster": clusters,
        "elasticache-sizing:index:CacheAlarms": clusters,
        RG: clusters,
        "aws:elasticache/parameterGroup:ParameterGroup": clusters,
        "random:index/randomPassword:RandomPassword": clusters,
        "aws:cloudwatch/logGroup:LogGroup": 2 * clusters,
        ALARM: 6 * nodes + small,
    }
    component_urns = {r.urn for r in result.of_type("elasticache-sizing:index:CacheCluster")}
    assert all(r.parent in component_urns for r in result.of_type(RG))


@pytest.mark.parametrize("stack", ["social", "checkout"])
def test_layout_comes_from_the_plan(stack: str) -> None:
    result = social() if stack == "social" else checkout()
    for plan in plans(stack):
        inputs, chosen = primary_group(result, plan.name), plan.chosen
        assert inputs["replicationGroupId"] == plan.name
        assert (inputs["engine"], inputs["engineVersion"], inputs["nodeType"]) == (
            plan.engine, plan.engine_version, chosen.node_type)
        if chosen.cluster_mode:
            assert inputs["clusterMode"] == "enabled"
            assert (inputs["numNodeGroups"], inputs["replicasPerNodeGroup"]) == (chosen.shards, chosen.replicas_per_shard)
            assert "numCacheClusters" not in inputs
        else:
            assert inputs["clusterMode"] == "disabled"
            assert inputs["numCacheClusters"] == 1 + chosen.replicas_per_shard
            assert "numNodeGroups" not in inputs
        assert inputs["automaticFailoverEnabled"] is (chosen.cluster_mode or chosen.replicas_per_shard > 0)
        assert inputs["multiAzEnabled"] is plan.multi_az
        assert inputs["tags"]["elasticache-sizing:plan-fingerprint"] == plan.fingerprint()
        assert inputs["tags"]["elasticache-sizing:predicted-memory-per-node-bytes"] == str(
            chosen.memory_horizon.required_bytes)
        assert inputs["parameterGroupName"] == f"{plan.name}-parameters"


def test_parameters_exist_in_the_family_and_are_in_range() -> None:
    for result, stack in ((social(), "social"), (checkout(), "checkout")):
        for plan in plans(stack):
            group = result.named(f"{plan.name}-parameters").inputs
            assert group["family"] == plan.parameter_family
            specs = family_parameters(plan.parameter_family)
            emitted = {p["name"]: p["value"] for p in group["parameters"]}
            assert emitted == plan.parameters
            assert emitted["cluster-enabled"] == ("yes" if plan.chosen.cluster_mode else "no")
            for name, value in emitted.items():
                assert name in specs, f"{plan.parameter_family} has no {name}"
                bounds = allowed_range(specs[name])
                if bounds:
                    assert bounds[0] <= int(value) <= bounds[1], (name, value)
                elif choices := re.match(r"[a-z0-9-]+(\|[a-z0-9-]+)+", specs[name].allowed):
                    assert value in choices.group(0).split("|"), (name, value)
                else:  # reserved-memory-percent: a percentage whose bounds AWS does not publish
                    assert 0 <= int(value) <= 100, (name, value)
            assert "name" not in group  # auto-named: a family change creates the new group first


def test_encryption_and_auth_are_on_by_default() -> None:
    for resource in social().of_type(RG):
        inputs = resource.inputs
        assert inputs["atRestEncryptionEnabled"] is True and inputs["transitEncryptionEnabled"] is True
        assert resource.secret_inputs == {"authToken"}
        assert [c["logType"] for c in inputs["logDeliveryConfigurations"]] == ["slow-log", "engine-log"]


def test_user_groups_replace_the_auth_token() -> None:
    result = preview("social", userGroupIds=["app-users"])
    assert not result.of_type("random:index/randomPassword:RandomPassword")
    for resource in result.of_type(RG):
        assert "authToken" not in resource.inputs and resource.inputs["userGroupIds"] == ["app-users"]
    assert not any(name.endswith("_auth_token") for name in result.outputs)


def test_auth_tokens_are_secret_outputs_only() -> None:
    result = social()
    tokens = {name for name in result.outputs if name.endswith("_auth_token")}
    assert tokens == {f"{p.name}_auth_token" for p in plans("social")}
    assert result.secret_outputs == tokens
    for name, value in result.outputs.items():
        if name not in tokens:
            assert "preview-placeholder-token" not in json.dumps(value)


def test_alarms_watch_every_member_node() -> None:
    # The examples and a sharded cluster (the examples' plans are single-shard today).
    sharded = plan_cluster(cluster(strings(keys=2_000_000, value_bytes=200), name="sharded", cluster_mode="enabled",
                                   availability={"min_shards": 3}, churn={"sizes": "unchanged"}), advise=False)
    assert sharded.chosen.cluster_mode and sharded.chosen.shards >= 3
    for result, stack_plans in ((social(), plans("social")),
                                (run_preview([sharded], options_from_dict({}, "<test>"), stack="social"), (sharded,))):
        for plan in stack_plans:
            chosen = plan.chosen
            nodes = member_cluster_ids(plan.name, chosen.cluster_mode, chosen.shards, chosen.replicas_per_shard)
            alarms = [r.inputs for r in result.of_type(ALARM) if r.name.startswith(f"{plan.name}-alarms-")]
            watched = {(a["dimensions"]["CacheClusterId"], a["metricName"]) for a in alarms}
            metrics = {"DatabaseMemoryUsagePercentage", "EngineCPUUtilization", "Evictions", "CurrConnections",
                       "ReplicationLag", "SwapUsage"} | ({"CPUUtilization"} if plan.alarms.host_cpu_percent else set())
            assert watched == {(node, metric) for node in nodes for metric in metrics}
            for alarm in alarms:
                assert alarm["namespace"] == "AWS/ElastiCache" and alarm["treatMissingData"]
                assert alarm["alarmActions"] == alarm["okActions"] == [
                    "arn:aws:sns:preview:000000000000:cache-alarms-us-east-1"]
                expected = {"DatabaseMemoryUsagePercentage": plan.alarms.database_memory_usage_percent,
                            "Evictions": plan.alarms.evictions_per_minute,
                            "CPUUtilization": plan.alarms.host_cpu_percent}.get(alarm["metricName"])
                if expected is not None:
                    assert alarm["threshold"] == expected
    assert member_cluster_ids("counters", True, 2, 1) == [
        "counters-0001-001", "counters-0001-002", "counters-0002-001", "counters-0002-002"]


def test_global_datastore_spans_providers() -> None:
    result = checkout()
    providers = {r.inputs["region"]: f"{r.urn}::{r.name}-id" for r in result.of_type("pulumi:providers:aws")}
    assert set(providers) == {"us-east-1", "eu-west-1"}
    primary = result.named("carts-replication-group")
    global_group = result.named("carts-global")
    secondary = result.named("carts-replica-r1")
    assert primary.provider == global_group.provider == providers["us-east-1"]
    assert secondary.provider == providers["eu-west-1"]
    assert global_group.inputs["primaryReplicationGroupId"] == "carts-replication-group-id"
    assert global_group.inputs["cacheNodeType"] == primary.inputs["nodeType"]
    assert secondary.inputs["globalReplicationGroupId"] == "preview-carts-global"
    assert "nodeType" not in secondary.inputs and "engine" not in secondary.inputs
    assert "parameterGroupName" not in secondary.inputs  # the provider refuses it beside globalReplicationGroupId
    # Changed through the global group, or (parameters) on the members' own copies of the group.
    assert set(primary.ignore_changes) == {"nodeType", "numNodeGroups", "engine", "engineVersion", "parameterGroupName"}
    assert primary.inputs["autoMinorVersionUpgrade"] is False and secondary.inputs["autoMinorVersionUpgrade"] is False
    assert global_group.protect and global_group.retain_on_delete  # a production stack protects the global group too
    # The secondary serves clients in its region: the same port as its security group, its own logs there.
    assert secondary.inputs["port"] == result.named("carts-security-group-r1").inputs["ingress"][0]["fromPort"]
    assert secondary.inputs["snapshotWindow"] == primary.inputs["snapshotWindow"]
    logs = {r.inputs["name"]: r.provider for r in result.of_type("aws:cloudwatch/logGroup:LogGroup")
            if r.name.startswith("carts-")}
    assert logs["/elasticache/carts-r1/slow-log"] == logs["/elasticache/carts-r1/engine-log"] == providers["eu-west-1"]
    assert logs["/elasticache/carts/slow-log"] == providers["us-east-1"]
    assert [d["logType"] for d in secondary.inputs["logDeliveryConfigurations"]] == ["slow-log", "engine-log"]
    assert result.named("carts-security-group-r1").provider == providers["eu-west-1"]
    assert result.named("carts-subnets-r1").inputs["subnetIds"] == ["subnet-3"]
    locks = result.named("inventory-locks-replication-group")
    assert locks.provider == providers["us-east-1"] and not locks.ignore_changes
    # The secondary's nodes are watched in their own region, notifying that region's topic.
    secondary_alarms = [r for r in result.of_type(ALARM) if r.name.startswith("carts-alarms-r1-")]
    nodes = {a.inputs["dimensions"]["CacheClusterId"] for a in secondary_alarms}
    assert nodes == {"carts-r1-0001-001", "carts-r1-0001-002", "carts-r1-0001-003"}
    # Cross-region lag is watched on every secondary node (whichever is its primary emits it), not on the primary's.
    lag = [a for a in result.of_type(ALARM)
           if a.inputs["metricName"] == "GlobalDatastoreReplicationLag" and a.name.startswith("carts-")]
    assert {a.inputs["dimensions"]["CacheClusterId"] for a in lag} == nodes
    assert {a.inputs["treatMissingData"] for a in lag} == {"notBreaching"}
    assert {a.inputs["alarmActions"][0] for a in secondary_alarms} == {
        "arn:aws:sns:preview:000000000000:cache-alarms-eu-west-1"}
    alarms_component = result.named("carts-alarms-r1")
    assert alarms_component.provider == "" and secondary_alarms[0].parent == alarms_component.urn
    # `catalog` names no regions: the planner put its primary in eu-west-1, where most writes come
    # from, and a secondary in us-east-1, and the program deploys exactly that.
    assert result.named("catalog-replication-group").provider == providers["eu-west-1"]
    assert result.named("catalog-replica-r1").provider == providers["us-east-1"]


def test_configured_topic_serves_its_own_region() -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:oncall"
    result = preview("checkout", alarmTopicArn=arn)
    topics = result.of_type("aws:sns/topic:Topic")
    assert [t.name for t in topics] == ["cache-alarms-eu-west-1"]
    actions = {a.name.split("-alarms")[0] + ("-r1" if "-alarms-r1-" in a.name else ""): a.inputs["alarmActions"][0]
               for a in result.of_type(ALARM)}
    assert actions["carts"] == actions["inventory-locks"] == arn
    assert actions["carts-r1"] == "arn:aws:sns:preview:000000000000:cache-alarms-eu-west-1"


def test_production_stacks_protect_their_data() -> None:
    for resource in checkout().of_type(RG):
        assert resource.protect and resource.retain_on_delete, resource.name
        assert resource.inputs.get("applyImmediately") is not True
    for resource in social().of_type(RG):
        assert not resource.protect and not resource.retain_on_delete


def test_network_from_the_stack_config() -> None:
    result = checkout()
    group = result.named("carts-security-group").inputs
    assert group["vpcId"] == "vpc-0a1"
    assert group["ingress"] == [{"protocol": "tcp", "fromPort": 6379, "toPort": 6379, "description": "cache clients",
                                 "cidrBlocks": ["10.10.0.0/16"]}]
    primary = primary_group(result, "carts")
    # The group's name output (what the provider fills in for an auto-named group), not its id.
    assert primary["subnetGroupName"] == result.named("carts-subnets").outputs["name"] == "carts-subnets"
    assert primary["securityGroupIds"] == ["carts-security-group-id"]
    assert result.named("cache-alarms-us-east-1-email").inputs["endpoint"] == "oncall@example.com"


@pytest.mark.parametrize(("raw", "key"), [
    ({"snapshotRetentionDays": 90}, "snapshotRetentionDays"),
    ({"networks": {"us-east-1": {"vpcId": "not-a-vpc"}}}, "networks.us-east-1.vpcId"),
    ({"networks": {"us-east-1": {"subnets": ["a"]}}}, "networks.us-east-1.subnets"),
    ({"alarmTopicArn": "topic"}, "alarmTopicArn"),
    ({"alarmTopicArn": "arn:aws:sns:us-east-1:oncall"}, "alarmTopicArn"),
    ({"maintenanceWindow": "sunday"}, "maintenanceWindow"),
    # What AWS refuses beyond the provider's own checks:
    ({"logRetentionDays": 31}, "logRetentionDays"),  # CloudWatch Logs keeps 1, 3, 5, 7, 14, 30, 60, ... days
    ({"snapshotWindow": "05:00-05:30"}, "snapshotWindow"),  # shorter than 60 minutes
    ({"maintenanceWindow": "sun:23:30-mon:00:15"}, "maintenanceWindow"),
    ({"maintenanceWindow": "sun:01:00-mon:02:00"}, "maintenanceWindow"),  # longer than 24 hours
    ({"snapshotWindow": "05:00-06:30"}, "snapshotWindow"),  # overlaps the default sun:05:30-sun:07:00
    ({"maintenanceWindow": "sat:23:00-sun:01:00", "snapshotWindow": "00:30-02:00"}, "snapshotWindow"),
    ({"userGroupIds": ["app-users", "admin-users"]}, "userGroupIds"),  # a replication group takes one
    ({"networks": {"us-east-1": {"vpcId": "vpc-0a1"}}}, "networks.us-east-1"),  # would land in the default VPC
    ({"networks": {"us-east-1": {"subnetIds": ["subnet-1"]}}}, "networks.us-east-1"),
    ({"networks": {"us-east-1": {"allowedCidrs": ["10.0.0.0/16"]}}}, "networks.us-east-1"),
    ({"networks": {"us-east-1": {"vpcId": "vpc-0a1", "subnetIds": ["subnet-1"], "allowedCidrs": ["10.0.0.0/33"]}}},
     "networks.us-east-1.allowedCidrs"),
    ({"port": 80}, "port"),
])
def test_bad_stack_config_names_the_key(raw: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match=f"Pulumi.dev.yaml: elasticache-sizing:{re.escape(key)}: "):
        options_from_dict(raw, "Pulumi.dev.yaml")


def test_windows_apart_are_accepted_and_off_snapshots_need_no_window() -> None:
    apart = options_from_dict({"maintenanceWindow": "sat:23:00-sun:01:00", "snapshotWindow": "01:00-02:00"}, "<t>")
    assert (apart.maintenance_window, apart.snapshot_window) == ("sat:23:00-sun:01:00", "01:00-02:00")
    # Accepted though it overlaps the default maintenance window: with snapshots off no window is sent.
    off = options_from_dict({"snapshotRetentionDays": 0, "snapshotWindow": "05:00-06:30"}, "<t>")
    assert (off.snapshot_retention_days, off.snapshot_window, off.maintenance_window) == (
        0, "05:00-06:30", "sun:05:30-sun:07:00")
    assert options_from_dict({"logRetentionDays": 0}, "<t>").log_retention_days == 0  # kept forever


def test_preview_command_reads_the_stack_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["preview", "stacks/checkout.yaml", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert "preview-placeholder-token" not in result.output
    assert document["outputs"]["carts_auth_token"] == "[secret]"
    primary = next(r for r in document["resources"] if r["name"] == "carts-replication-group")
    assert primary["protect"] is True and primary["inputs"]["authToken"] == "[secret]"
    text = CliRunner().invoke(cli, ["preview", "stacks/social.yaml"], catch_exceptions=False, env={"COLUMNS": "200"})
    assert text.exit_code == 0
    assert "ReplicationGroup sessions-replication-group" in text.output and "AUTH token [secret]" in text.output


@pytest.mark.parametrize(("line", "key"), [
    ("elasticache-sizing:snapshotRetentionDays: 99", "elasticache-sizing:snapshotRetentionDays"),
    ("elasticache-sizing:logRetentionDays: 10", "elasticache-sizing:logRetentionDays"),
    ("elasticache-sizing:snapshotWindow: 05:00-06:30", "elasticache-sizing:snapshotWindow"),
    ("elasticache-sizing:userGroupIds: [a, b]", "elasticache-sizing:userGroupIds"),
    ("aws:region: 7", "aws:region"),
])
def test_preview_command_rejects_bad_config(tmp_path: Any, line: str, key: str) -> None:
    bad = tmp_path / "Pulumi.social.yaml"
    bad.write_text(f"config:\n  {line}\n")
    done = subprocess.run([sys.executable, "-m", "sizing", "preview", str(ROOT / "stacks/social.yaml")],
                          cwd=tmp_path, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2, done.stderr
    assert re.match(rf"error: Pulumi.social.yaml:2: {key}: ", done.stderr) and done.stderr.count("\n") == 1
    assert done.stdout == ""


def test_preview_without_stack_config_says_which_options_it_used(tmp_path: Any) -> None:
    done = subprocess.run([sys.executable, "-m", "sizing", "preview", str(ROOT / "stacks/social.yaml")],
                          cwd=tmp_path, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("preview: no Pulumi.social.yaml here, so default options: production=false")
    assert "networks: each region's default VPC" in done.stderr and "default options)" in done.stdout


def test_clusters_without_regions_follow_the_stacks_aws_region(tmp_path: Any) -> None:
    config = tmp_path / "Pulumi.social.yaml"
    config.write_text("config:\n  aws:region: eu-west-1\n")
    done = subprocess.run([sys.executable, "-m", "sizing", "preview", str(ROOT / "stacks/social.yaml"), "--json"],
                          cwd=tmp_path, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert {r["inputs"]["region"] for r in document["resources"] if r["type"] == "pulumi:providers:aws"} == {"eu-west-1"}
    assert {v["regions"][0] for k, v in document["outputs"].items() if not k.endswith("_auth_token")} == {"eu-west-1"}


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = dict(args.inputs)
        if args.typ == "random:index/randomPassword:RandomPassword":
            outputs["result"] = "t" * 64
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class MainProgramTest(unittest.IsolatedAsyncioTestCase):
    """``__main__.py`` as ``pulumi up`` runs it: config -> workload -> plan -> resources -> exports."""

    def setUp(self) -> None:
        # IsolatedAsyncioTestCase runs its loop in debug mode, where every future and task
        # records the stack that made it: the program's tens of thousands of futures then
        # took most of a minute. Debug mode only adds warnings; nothing here relies on it.
        asyncio.get_event_loop().set_debug(False)
        pulumi.runtime.set_mocks(_Mocks(), project="elasticache-sizing", stack="social", preview=True)
        self.exports: dict[str, Any] = {}
        self.cwd = os.getcwd()
        os.chdir(ROOT)

    def tearDown(self) -> None:
        pulumi.runtime.set_all_config({})
        os.chdir(self.cwd)

    def _run(self) -> None:
        with mock.patch.object(pulumi, "export", side_effect=lambda name, value: self.exports.__setitem__(name, value)):
            runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")

    @pulumi.runtime.test
    def test_stack_file_follows_the_stack_name(self) -> pulumi.Output[Any]:
        self._run()
        names = {p.name for p in plans("social")}
        self.assertEqual(set(self.exports), names | {f"{name}_auth_token" for name in names})
        for plan in plans("social"):
            exported = self.exports[plan.name]
            self.assertEqual((exported["node_type"], exported["shards"]), (plan.chosen.node_type, plan.chosen.shards))
        token = self.exports["sessions_auth_token"]
        endpoint = self.exports["sessions"]["endpoint"]

        def check(args: list[Any]) -> None:
            is_secret, address = args
            self.assertTrue(is_secret)
            self.assertIsNone(address)  # the mock provider computes no endpoint

        return pulumi.Output.all(pulumi.Output.from_input(token.is_secret()), endpoint).apply(check)

    @pulumi.runtime.test
    def test_stack_config_is_read_once_and_validated(self) -> None:
        pulumi.runtime.set_all_config({"elasticache-sizing:workload": "stacks/checkout.yaml",
                                       "elasticache-sizing:production": "true",
                                       "elasticache-sizing:networks": json.dumps(CHECKOUT_OPTIONS["networks"])})
        self._run()
        self.assertEqual({name for name in self.exports if not name.endswith("_auth_token")}, {"carts", "inventory-locks", "catalog"})
        options = load_options()
        self.assertIsInstance(options, DeploymentOptions)
        self.assertTrue(options.production)
        self.assertEqual(options.network("eu-west-1").allowed_security_group_ids, ("sg-9",))
        pulumi.runtime.set_all_config({"elasticache-sizing:snapshotRetentionDays": "99"})
        with self.assertRaisesRegex(ConfigError, "Pulumi.social.yaml: elasticache-sizing:snapshotRetentionDays"):
            load_options()


def test_project_file_declares_every_option_with_the_same_default() -> None:
    import yaml

    from sizing.spec.deployment import CONFIG_KEYS as _KEYS

    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    assert set(declared) == set(_KEYS) - {"networks"} | {"workload"}
    defaults = DeploymentOptions().model_dump(by_alias=True)
    for key, spec in declared.items():
        if "default" in spec:
            assert spec["default"] == defaults[key], key
    for stack_file in ROOT.glob("Pulumi.*.yaml"):
        if stack_file.name != "Pulumi.yaml":
            config = yaml.safe_load(stack_file.read_text())["config"]
            raw = {k.split(":", 1)[1]: v for k, v in config.items()
                   if k.startswith("elasticache-sizing:") and k != "elasticache-sizing:workload"}
            options_from_dict(raw, stack_file.name)
            assert (ROOT / config["elasticache-sizing:workload"]).is_file()


def test_auth_token_rotates_and_sg_names_stay_legal(tmp_path: Any) -> None:
    # The provider accepts SET, ROTATE or DELETE, in capitals.
    assert {r.inputs.get("authTokenUpdateStrategy") for r in social().of_type(RG)} == {"ROTATE"}
    stack = tmp_path / "sg.yaml"
    stack.write_text("clusters:\n  - name: sg-cache\n    keyspaces:\n"
                     "      - {name: k, type: string, keys: 1000, key_bytes: 10, value_bytes: 10}\n")
    network = {"us-east-1": {"vpcId": "vpc-0a1", "subnetIds": ["subnet-1"], "allowedCidrs": ["10.0.0.0/16"]}}
    result = run_preview(plan_workload(load_workload(stack)), options_from_dict({"networks": network}, "<t>"))
    # EC2 refuses security group names that begin with sg-, which the auto-name would.
    assert result.named("sg-cache-security-group").inputs["namePrefix"] == "cache-sg-cache-"
    assert "namePrefix" not in checkout().named("carts-security-group").inputs


class ComponentInputsTest(unittest.IsolatedAsyncioTestCase):
    """The component on its own, fed Outputs of resources created in the same program."""

    class _NamingMocks(_Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            resource_id, outputs = super().new_resource(args)
            return resource_id, {"name": args.name, **outputs}  # the provider names auto-named resources

    def setUp(self) -> None:
        pulumi.runtime.set_mocks(self._NamingMocks(), project="elasticache-sizing", stack="inputs", preview=False)

    @pulumi.runtime.test
    def test_network_from_resources_of_the_same_program(self) -> pulumi.Output[Any]:
        import pulumi_aws as aws

        from sizing_infra import CacheCluster, CacheNetwork, cluster_args

        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        subnet = aws.ec2.Subnet("subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
        plan = plans("social")[0]
        region = plan.regions[0]
        provider = aws.Provider("provider", region=region)
        args = cluster_args(plan, DeploymentOptions(), {region: provider}, {region: "arn:aws:sns:us-east-1:1:t"})
        network = CacheNetwork(vpc_id=vpc.id, subnet_ids=[subnet.id], allowed_cidrs=["10.0.0.0/16"])
        cluster = CacheCluster(plan.name, dataclasses.replace(args, networks={region: network}))

        def check(values: list[Any]) -> None:
            security_groups, subnet_group = values
            self.assertEqual(security_groups, [f"{plan.name}-security-group-id"])
            self.assertEqual(subnet_group, f"{plan.name}-subnets")

        group = cluster.replication_group
        return pulumi.Output.all(group.security_group_ids, group.subnet_group_name).apply(check)
