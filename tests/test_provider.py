"""Every resource the Pulumi program emits, checked by the real terraform-provider-aws 5.100.

Pulumi's mocks accept any input, so the program's other tests cannot tell a value AWS's
provider refuses. Here each stack runs under the mocks (``run_preview``), is written as
Terraform configuration (tests/terraform_config.py) and goes through ``terraform validate``
and ``terraform plan`` offline, with fake credentials and no state (tests/terraform_cli.py).
Any error diagnostic fails the stack's test and is quoted in the message.

The checks need the Terraform CLI on PATH and a filesystem mirror of hashicorp/aws 5.100.0
(found as tests/terraform_cli.py says); without them they skip, or fail when
SIZING_REQUIRE_TERRAFORM=1 (.ci/run sets it where terraform is installed). The converter's
own tests at the end, and the check that the stacks cover every branch, need neither.

Run alone: ``python -m pytest tests/test_provider.py`` (about 30 s: one ``init``, one
``validate`` and one ``plan`` for all stacks).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pulumi_aws
import pytest

from sizing.planning.plan import plan_workload
from sizing.spec.deployment import DeploymentOptions, options_from_dict, stack_config_from_file
from sizing.spec.workload import Workload
from sizing.workloads import load_workload, parse_workload, place
from sizing_infra.preview import PreviewResource, PreviewResult, run_preview
from tests import terraform_cli
from tests.conftest import ROOT
from tests.terraform_config import (
    ALLOWED_DIFFERENCES,
    PROPERTY_RENAMES,
    TERRAFORM_TYPES,
    ConversionError,
    TerraformConfig,
    password_placeholder,
    terraform_config,
)
from tests.terraform_schema import PROVIDER_SOURCE, PROVIDER_VERSION, ProviderSchema, camel_case, settable

RG = "aws:elasticache/replicationGroup:ReplicationGroup"


@dataclass(frozen=True)
class Stack:
    """A workload and deployment options to run the program with."""

    name: str
    """Also its module name in the combined Terraform configuration."""
    load: Callable[[], tuple[Workload, DeploymentOptions]]


def _stack_file(stack: str) -> Callable[[], tuple[Workload, DeploymentOptions]]:
    """An example stack, read as ``pulumi up`` and ``python -m sizing preview`` read it."""
    def load() -> tuple[Workload, DeploymentOptions]:
        path = ROOT / f"Pulumi.{stack}.yaml"
        config = stack_config_from_file(path.read_text(), path.name)
        return place(load_workload(ROOT / "stacks" / f"{stack}.yaml"), config), config.options
    return load


def _generated(workload: str, options: dict[str, Any]) -> Callable[[], tuple[Workload, DeploymentOptions]]:
    return lambda: (parse_workload(workload, "<generated>"), options_from_dict(options, "<generated>"))


THREE_REGIONS = """
clusters:
  - name: leaderboard
    cluster_mode: disabled
    regions: [us-east-1, eu-west-1, ap-southeast-1]
    availability: {replicas_per_shard: 1, multi_az: true}
    keyspaces:
      - {name: score, type: zset, keys: 20_000, key_bytes: 16, members: 500, member_bytes: 12, scores: unix_seconds}
"""
DATA_TIERING = """
clusters:
  - name: archive
    cluster_mode: enabled
    nodes: {families: [r6gd, r6g], data_tiering: true}
    traffic: {hot_data_percent: 10}
    keyspaces:
      - {name: blob, type: string, keys: 150_000_000, key_bytes: 20, value_bytes: 900}
  - name: scratch
    cluster_mode: disabled
    regions: [eu-west-1]
    availability: {replicas_per_shard: 0, multi_az: false}
    keyspaces:
      - {name: tmp, type: string, keys: 100_000, key_bytes: 12, value_bytes: 10}
"""
SERVERLESS = """
clusters:
  - name: flash-sale
    deployment: serverless
    traffic: {peak_ops_per_sec: 20000, avg_ops_per_sec: 200}
    keyspaces:
      - {name: session, type: string, keys: 200_000, key_bytes: 20, value_bytes: 100, ttl: true}
  - name: catalog
    engine: redis
    deployment: serverless
    traffic: {peak_ops_per_sec: 5000, avg_ops_per_sec: 500, avg_response_bytes: 4000}
    keyspaces:
      - {name: item, type: hash, keys: 1_000_000, key_bytes: 16, fields: 10, field_bytes: 8, value_bytes: 40}
"""
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:oncall"

STACKS = [
    # Cluster mode on and off, AUTH tokens, default VPCs, a created topic.
    Stack("social", _stack_file("social")),
    # Production, a two-region Global Datastore, VPCs with CIDRs or security groups, alarm e-mail.
    Stack("checkout", _stack_file("checkout")),
    # Three regions without cluster mode, an RBAC user group, the configured topic in the primary
    # region and created ones with e-mail elsewhere, both kinds of allowed source, a VPC with no
    # allowed source, snapshots off, another port.
    Stack("three-regions", _generated(THREE_REGIONS, {
        "userGroupIds": ["app-users"], "alarmTopicArn": TOPIC_ARN, "alarmEmail": "oncall@example.com",
        "snapshotRetentionDays": 0, "port": 6380, "logRetentionDays": 7,
        "networks": {
            "us-east-1": {"vpcId": "vpc-0a1", "subnetIds": ["subnet-0a1", "subnet-0a2"],
                          "allowedCidrs": ["10.0.0.0/16"], "allowedSecurityGroupIds": ["sg-0a1"]},
            "eu-west-1": {"vpcId": "vpc-0b2", "subnetIds": ["subnet-0b1"]},
        }})),
    # Data tiering (r6gd), and a single node without replica or failover in another region.
    Stack("data-tiering", _generated(DATA_TIERING, {"alarmTopicArn": TOPIC_ARN})),
    # ElastiCache Serverless, Valkey and Redis OSS: usage limits, subnets, a security group on the
    # serverless ports, an RBAC user group, protection, and the two limit alarms.
    Stack("serverless", _generated(SERVERLESS, {
        "production": True, "userGroupIds": ["app-users"], "alarmTopicArn": TOPIC_ARN,
        "networks": {"us-east-1": {"vpcId": "vpc-0a1", "subnetIds": ["subnet-0a1", "subnet-0a2"],
                                   "allowedCidrs": ["10.0.0.0/16"]}}})),
]


@cache
def preview(stack: Stack) -> PreviewResult:
    workload, options = stack.load()
    return run_preview(plan_workload(workload), options, stack=stack.name)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> terraform_cli.Workspace:
    """Terraform initialised from the mirror, with the provider schema; skipped where absent."""
    binary = terraform_cli.terraform_binary()
    mirror = terraform_cli.find_mirror(terraform_cli.platform(binary)) if binary else None
    if binary is None or mirror is None:
        override = os.environ.get(terraform_cli.MIRROR_ENV)
        missing = "terraform is not on PATH" if binary is None else (
            f"{terraform_cli.MIRROR_ENV}={override} holds no hashicorp/aws {PROVIDER_VERSION}"
            if override else f"no mirror of hashicorp/aws {PROVIDER_VERSION} (set {terraform_cli.MIRROR_ENV})")
        if os.environ.get("SIZING_REQUIRE_TERRAFORM"):
            pytest.fail(f"{missing} but SIZING_REQUIRE_TERRAFORM is set")
        pytest.skip(missing)
    return terraform_cli.Workspace(binary, mirror, tmp_path_factory.mktemp("terraform"))


@pytest.fixture(scope="session")
def schema(workspace: terraform_cli.Workspace) -> ProviderSchema:
    return ProviderSchema.from_schemas_json(workspace.schemas)


@dataclass(frozen=True)
class Verdict:
    """A stack's conversion problems, and Terraform's checks of what did convert."""

    conversion: list[str]
    check: terraform_cli.Check | None


@pytest.fixture(scope="session")
def verdicts(workspace: terraform_cli.Workspace, schema: ProviderSchema) -> Iterator[dict[str, Verdict]]:
    """Every stack converted, validated and planned: one validate and one plan for all."""
    started = time.perf_counter()
    configs: dict[str, TerraformConfig] = {}
    problems: dict[str, list[str]] = {}
    for stack in STACKS:
        try:
            configs[stack.name] = terraform_config(preview(stack), schema)
        except ConversionError as error:
            problems[stack.name] = error.problems
    checks = workspace.check({name: config.document for name, config in configs.items()})
    yield {stack.name: Verdict(problems.get(stack.name, []), checks.get(stack.name)) for stack in STACKS}
    print(f"\nprovider check: {len(STACKS)} stacks run, converted, validated and planned in "
          f"{time.perf_counter() - started:.1f} s")


@pytest.mark.parametrize("stack", STACKS, ids=[s.name for s in STACKS])
def test_provider_accepts_every_resource(stack: Stack, verdicts: dict[str, Verdict]) -> None:
    verdict = verdicts[stack.name]
    assert verdict.conversion == [], "cannot write as provider configuration:\n" + "\n".join(verdict.conversion)
    assert verdict.check is not None
    errors = verdict.check.errors
    assert errors == [], f"{len(errors)} error(s) from terraform-provider-aws {PROVIDER_VERSION}:\n" + \
        "\n".join(map(str, errors))
    assert verdict.check.plan_ran


def test_stacks_cover_every_branch_of_the_program() -> None:
    """The stacks above exercise each way the program builds a resource."""
    resources = [r for stack in STACKS for r in preview(stack).resources]
    groups = [r.inputs for r in resources if r.type == RG]
    global_ids = [r.outputs["globalReplicationGroupId"] for r in resources
                  if r.type == "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"]
    regions = [1 + sum(1 for g in groups if g.get("globalReplicationGroupId") == id_) for id_ in global_ids]
    ingress = [rule for r in resources if r.type == "aws:ec2/securityGroup:SecurityGroup"
               for rule in r.inputs.get("ingress") or [{}]]
    actions = {action for r in resources if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"
               for action in r.inputs["alarmActions"]}
    branches = {
        "cluster mode enabled": any(g.get("clusterMode") == "enabled" for g in groups),
        "cluster mode disabled": any(g.get("clusterMode") == "disabled" for g in groups),
        "Global Datastore, 2 regions": 2 in regions,
        "Global Datastore, 3 regions": 3 in regions,
        "RBAC user groups": any("userGroupIds" in g for g in groups),
        "AUTH token": any("authToken" in g for g in groups),
        "subnet group": any("subnetGroupName" in g for g in groups),
        "allowed CIDRs": any("cidrBlocks" in rule for rule in ingress),
        "allowed security groups": any("securityGroups" in rule for rule in ingress),
        "VPC without allowed sources": {} in ingress,
        "production": any(r.protect and r.retain_on_delete for r in resources if r.type == RG),
        "data tiering": any(g.get("dataTieringEnabled") for g in groups),
        "no replica": any(g.get("numCacheClusters") == 1 for g in groups),
        "alarm e-mail": any(r.type == "aws:sns/topicSubscription:TopicSubscription" for r in resources),
        "alarmTopicArn": TOPIC_ARN in actions,
        "snapshots off": any(g.get("snapshotRetentionLimit") == 0 for g in groups),
        "serverless, both engines": {r.inputs["engine"] for r in resources
                                     if r.type == "aws:elasticache/serverlessCache:ServerlessCache"} == {"redis", "valkey"},
    }
    assert [branch for branch, covered in branches.items() if not covered] == []


def test_type_table_names_provider_resources(schema: ProviderSchema) -> None:
    assert [t for t in TERRAFORM_TYPES.values() if not schema.has_resource(t)] == []


def _pulumi_inputs(token: str) -> set[str]:
    """The input names pulumi_aws 7's ``<Resource>Args`` class declares for a type token."""
    module, name = token.split(":")[1].split("/")[0], token.split(":")[2]
    args = getattr(getattr(pulumi_aws, module), f"{name}Args")
    return {prop.fget._pulumi_name for prop in vars(args).values()
            if isinstance(prop, property) and hasattr(prop.fget, "_pulumi_name")}


@pytest.mark.parametrize(("token", "key"), list(ALLOWED_DIFFERENCES),
                         ids=[f"{token.split(':')[2]}.{key}" for token, key in ALLOWED_DIFFERENCES])
def test_allowed_differences_are_real(token: str, key: str, schema: ProviderSchema) -> None:
    """Each entry is an input pulumi-aws 7 takes and 5.100 cannot: not a mapping slip."""
    assert key in _pulumi_inputs(token)
    block = schema.resource(TERRAFORM_TYPES[token])
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in key)
    assert not settable(block, snake), f"{TERRAFORM_TYPES[token]}.{snake} is settable in 5.100; drop the entry"


@pytest.mark.parametrize("token", list(PROPERTY_RENAMES))
def test_renames_are_real(token: str, schema: ProviderSchema) -> None:
    block = schema.resource(TERRAFORM_TYPES[token])
    for pulumi_name, tf_name in PROPERTY_RENAMES[token].items():
        # Pulumi has the one name, Terraform the other, and neither has both.
        assert pulumi_name in _pulumi_inputs(token) and camel_case(tf_name) not in _pulumi_inputs(token)
        assert settable(block, tf_name), f"{tf_name} is not an argument of {TERRAFORM_TYPES[token]}"
        assert pulumi_name not in block["attributes"]


def test_same_stack_same_configuration(schema: ProviderSchema) -> None:
    stack = next(s for s in STACKS if s.name == "three-regions")
    workload, options = stack.load()
    runs = [json.dumps(terraform_config(run_preview(plan_workload(workload), options), schema).document, sort_keys=True)
            for _ in range(2)]
    assert runs[0] == runs[1]


# The converter on a synthetic schema and registrations: no Terraform needed.

TINY_SCHEMA = ProviderSchema({
    "provider": {"block": {"attributes": {"region": {"type": "string", "optional": True}}}},
    "resource_schemas": {
        "aws_elasticache_parameter_group": {"block": {
            "attributes": {"name": {"type": "string", "required": True},
                           "family": {"type": "string", "required": True},
                           "id": {"type": "string", "optional": True, "computed": True}},
            "block_types": {"parameter": {"nesting_mode": "set", "block": {"attributes": {
                "name": {"type": "string", "required": True}, "value": {"type": "string", "required": True}}}}}}},
        "aws_elasticache_replication_group": {"block": {"attributes": {
            "replication_group_id": {"type": "string", "required": True},
            "parameter_group_name": {"type": "string", "optional": True, "computed": True},
            "auth_token": {"type": "string", "optional": True},
            "num_cache_clusters": {"type": "number", "optional": True},
            "security_group_ids": {"type": ["set", "string"], "optional": True}}}},
        "aws_security_group": {"block": {"attributes": {
            "ingress": {"type": ["set", ["object", {"from_port": "number", "cidr_blocks": ["list", "string"],
                                                    "self": "bool"}]], "optional": True, "computed": True}}}},
    },
})
URN = "urn:pulumi:t::elasticache-sizing::"
PARAMETERS_URN = f"{URN}aws:elasticache/parameterGroup:ParameterGroup::p"
TOKEN_URN = f"{URN}random:index/randomPassword:RandomPassword::t"


def _resource(type_: str, name: str, inputs: dict[str, Any], outputs: dict[str, Any] | None = None,
              **extra: Any) -> PreviewResource:
    provider = "" if type_.startswith(("pulumi:", "random:")) else f"{URN}pulumi:providers:aws::aws-1::aws-1-id"
    return PreviewResource(urn=f"{URN}{type_}::{name}", type=type_, name=name, parent="", custom=True, inputs=inputs,
                           protect=False, retain_on_delete=False, ignore_changes=(), provider=provider,
                           id=f"{name}-id", outputs={**inputs, **(outputs or {})}, **extra)


def _tiny(*resources: PreviewResource) -> PreviewResult:
    """A provider, a parameter group (mock output ``name``), a password (``result``) and ``resources``."""
    return PreviewResult([
        _resource("pulumi:providers:aws", "aws-1", {"region": "eu-west-1"}),
        _resource("aws:elasticache/parameterGroup:ParameterGroup", "p",
                  {"family": "valkey8", "parameters": [{"name": "maxmemory-policy", "value": "noeviction"}]},
                  {"name": "p"}),
        _resource("random:index/randomPassword:RandomPassword", "t", {"length": 20.0, "overrideSpecial": "!&"},
                  {"result": "generated"}),
        *resources])


def test_converter_maps_names_blocks_and_references() -> None:
    inputs = {"replicationGroupId": "g", "parameterGroupName": "p", "numCacheClusters": 2.0, "authToken": "generated",
              "securityGroupIds": ["sg-1"]}
    dependencies = {"parameterGroupName": (PARAMETERS_URN,), "authToken": (TOKEN_URN,)}
    result = _tiny(_resource(RG, "g", inputs, property_dependencies=dependencies))
    config = terraform_config(result, TINY_SCHEMA)
    resources = config.document["resource"]
    parameters = resources["aws_elasticache_parameter_group"]["p"]
    assert parameters["parameter"] == [{"name": "maxmemory-policy", "value": "noeviction"}]  # `parameters` -> block
    assert parameters["name"].startswith("p-") and len(parameters["name"]) == 2 + 7  # Pulumi's auto-name
    group = resources["aws_elasticache_replication_group"]["g"]
    assert group["parameter_group_name"] == "${aws_elasticache_parameter_group.p.name}"
    assert group["num_cache_clusters"] == 2 and group["security_group_ids"] == ["sg-1"]
    assert group["auth_token"] == password_placeholder(result.named("t").inputs) == "PREVIEWtoken0!&PREVI"
    assert group["provider"] == "aws.aws-1"
    assert config.document["provider"]["aws"][0]["region"] == "eu-west-1"
    assert config.addresses[result.named("g").urn] == "aws_elasticache_replication_group.g"


def test_converter_refuses_an_input_the_schema_lacks() -> None:
    with pytest.raises(ConversionError) as error:
        terraform_config(_tiny(_resource(RG, "g", {"replicationGroupId": "g", "nodeTipe": "cache.r7g.large"})),
                         TINY_SCHEMA)
    assert error.value.problems == ["g: input nodeTipe is no argument of aws_elasticache_replication_group"]


def test_converter_refuses_a_dependency_it_cannot_name() -> None:
    # The value depends on the parameter group but is none of its outputs (derived, or unknown).
    result = _tiny(_resource(RG, "g", {"replicationGroupId": "g", "parameterGroupName": "p-copy"},
                             property_dependencies={"parameterGroupName": (PARAMETERS_URN,)}))
    with pytest.raises(ConversionError, match="g.parameterGroupName depends on p, but no part of its value"):
        terraform_config(result, TINY_SCHEMA)


def test_converter_refuses_an_unknown_type() -> None:
    result = _tiny(_resource("aws:memorydb/cluster:Cluster", "m", {}))
    with pytest.raises(ConversionError, match="m: no Terraform resource type for aws:memorydb/cluster:Cluster"):
        terraform_config(result, TINY_SCHEMA)


def test_converter_writes_every_attribute_of_an_object() -> None:
    # Terraform's JSON syntax takes an object-typed attribute only with all its attributes.
    group = _resource("aws:ec2/securityGroup:SecurityGroup", "sg", {"ingress": [{"fromPort": 6379.0}]})
    config = terraform_config(_tiny(group), TINY_SCHEMA)
    assert config.document["resource"]["aws_security_group"]["sg"]["ingress"] == [
        {"from_port": 6379, "cidr_blocks": None, "self": None}]


def _fake_mirror(root: Path) -> Path:
    (root / PROVIDER_SOURCE / PROVIDER_VERSION / "linux_amd64").mkdir(parents=True)
    return root


def test_mirror_override_is_taken_or_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(terraform_cli.MIRROR_ENV, str(_fake_mirror(tmp_path / "mirror")))
    assert terraform_cli.find_mirror("linux_amd64") == tmp_path / "mirror"
    monkeypatch.setenv(terraform_cli.MIRROR_ENV, str(tmp_path))  # holds no provider: not second-guessed
    assert terraform_cli.find_mirror("linux_amd64") is None


def test_implied_mirror_comes_before_the_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(terraform_cli.MIRROR_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    implied = _fake_mirror(tmp_path / ".terraform.d/plugins")
    assert terraform_cli.find_mirror("linux_amd64") == implied
