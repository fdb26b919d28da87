"""Run the deployment under Pulumi's mocks and record every resource it registers.

This is what ``python -m sizing preview`` shows and what the tests assert on: the same
:func:`sizing_infra.program.provision` that ``pulumi up`` runs, with no cloud account and no
Pulumi CLI. The mocks answer as a provider would at preview time: a resource's outputs are
its inputs, plus the few computed values other resources read (ids, names, ARNs,
endpoints, generated passwords), which are placeholders.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.stack import run_pulumi_func

from sizing.planning.plan import ClusterPlan
from sizing_infra.options import PROJECT, DeploymentOptions
from sizing_infra.program import provision

PLACEHOLDER_SECRET = "preview-placeholder-token-not-a-secret"


@dataclass(frozen=True)
class PreviewResource:
    """One registered resource, as the engine would receive it."""

    urn: str
    type: str
    name: str
    parent: str
    """URN of the parent ('' for the stack itself)."""
    custom: bool
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    ignore_changes: tuple[str, ...]
    provider: str
    """Provider reference (``<provider urn>::<id>``) or ''."""


    @property
    def secret_inputs(self) -> set[str]:
        """Input names whose values the engine receives as secrets."""
        return {key for key, value in self.inputs.items() if _is_secret(value)}

    @property
    def shown_inputs(self) -> dict[str, Any]:
        """Inputs with secret values replaced by ``[secret]``, safe to print."""
        return {key: "[secret]" if _is_secret(value) else value for key, value in self.inputs.items()}


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(pulumi.runtime.rpc._special_sig_key) == pulumi.runtime.rpc._special_secret_sig


@dataclass
class PreviewResult:
    resources: list[PreviewResource]
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)
    """Output paths (``name`` or ``name.key``) that stay secret."""

    def of_type(self, type_: str) -> list[PreviewResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> PreviewResource:
        return next(r for r in self.resources if r.name == name)


_COMPUTED: dict[str, dict[str, str]] = {
    # Values the provider computes that other resources or outputs read.
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        "primaryEndpointAddress": "master.{name}.preview.cache.amazonaws.com",
        "readerEndpointAddress": "replica.{name}.preview.cache.amazonaws.com",
        "configurationEndpointAddress": "clustercfg.{name}.preview.cache.amazonaws.com",
    },
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": {
        "globalReplicationGroupId": "preview-{name}",
    },
    "aws:sns/topic:Topic": {"arn": "arn:aws:sns:preview:000000000000:{name}"},
    "aws:elasticache/parameterGroup:ParameterGroup": {"name": "{name}"},
    "random:index/randomPassword:RandomPassword": {"result": PLACEHOLDER_SECRET},
}


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.inputs: dict[tuple[str, str], dict[str, Any]] = {}
        """Deserialized inputs by (type, name), read back by the monitor (saves a second decoding)."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.inputs[(args.typ, args.name)] = args.inputs
        state = dict(args.inputs)
        for key, template in _COMPUTED.get(args.typ, {}).items():
            state.setdefault(key, template.format(name=args.inputs.get("replicationGroupId", args.name)))
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also keeping what each registration asked for."""

    def __init__(self, mocks: _Mocks) -> None:
        super().__init__(mocks)
        self.inputs = mocks.inputs
        self.recorded: list[PreviewResource] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method's name)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            self.recorded.append(PreviewResource(
                urn=response.urn, type=request.type, name=request.name, parent=request.parent,
                custom=bool(request.custom), inputs=self.inputs.pop((request.type, request.name)),
                protect=bool(request.protect), retain_on_delete=bool(request.retainOnDelete),
                ignore_changes=tuple(request.ignoreChanges), provider=request.provider))
        return response


def run_preview(plans: list[ClusterPlan], options: DeploymentOptions, stack: str = "preview") -> PreviewResult:
    """Provision ``plans`` under mocks; returns what was registered and the stack outputs."""
    mocks = _Mocks()
    monitor = _RecordingMonitor(mocks)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    result = PreviewResult(resources=monitor.recorded)
    try:
        pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=True, monitor=monitor)
        outputs: dict[str, Any] = {}

        async def program() -> None:
            outputs.update(provision(plans, options))
            for name, value in outputs.items():
                resolved, secret = await _resolve(value)
                result.outputs[name] = resolved
                result.secret_outputs |= {name if key == "" else f"{name}.{key}" for key in secret}

        loop.run_until_complete(run_pulumi_func(program))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return result


async def _resolve(value: Any) -> tuple[Any, set[str]]:
    """A plain value for an output, and which of its keys ('' for itself) are secret."""
    if isinstance(value, pulumi.Output):
        return await value.future(), ({""} if await value.is_secret() else set())
    if isinstance(value, dict):
        resolved: dict[str, Any] = {}
        secret: set[str] = set()
        for key, item in value.items():
            resolved[key], inner = await _resolve(item)
            secret |= {key for _ in inner}
        return resolved, secret
    return value, set()


@dataclass(frozen=True)
class TreeNode:
    """One line of the printed preview: a resource (or a group of alarms) and its key inputs."""

    label: str
    detail: str
    children: tuple[TreeNode, ...] = ()


def resource_tree(result: PreviewResult) -> list[TreeNode]:
    """The registered resources nested under their parents, alarms grouped per component."""
    children: dict[str, list[PreviewResource]] = {}
    for resource in result.resources:
        children.setdefault(resource.parent, []).append(resource)

    def node(resource: PreviewResource) -> TreeNode:
        kids = children.get(resource.urn, [])
        alarms = [kid for kid in kids if kid.type == "aws:cloudwatch/metricAlarm:MetricAlarm"]
        nested = [node(kid) for kid in kids if kid not in alarms]
        if alarms:
            nested.append(_alarm_group(alarms))
        return TreeNode(f"{_short_type(resource.type)} {resource.name}", _detail(resource), tuple(nested))

    recorded = {r.urn for r in result.resources}
    top = [r for r in result.resources if r.parent not in recorded]
    # Providers first, then shared resources, then the clusters, each in registration order.
    return [node(r) for r in sorted(top, key=lambda r: (not r.type.startswith("pulumi:providers:"), not r.custom))]


def _short_type(type_: str) -> str:
    return type_.rsplit(":", 1)[-1]


def _alarm_group(alarms: list[PreviewResource]) -> TreeNode:
    rules: dict[str, str] = {}
    nodes: dict[str, None] = {}
    for alarm in alarms:
        inputs = alarm.inputs
        threshold = inputs["threshold"]
        shown = f"{threshold:,.0f}" if threshold == int(threshold) else f"{threshold:g}"
        rules[inputs["metricName"]] = f"{inputs['metricName']} {inputs['statistic']} > {shown}"
        nodes[inputs["dimensions"]["CacheClusterId"]] = None
    return TreeNode(f"MetricAlarm x {len(alarms)}", f"on {', '.join(nodes)}",
                    tuple(TreeNode(rule, "") for rule in rules.values()))


def _detail(resource: PreviewResource) -> str:
    """The inputs a reviewer looks at first, per resource type."""
    i = resource.shown_inputs
    kind = _short_type(resource.type)
    flags = ["protected"] if resource.protect else []
    flags += ["retained on delete"] if resource.retain_on_delete else []
    if kind == "ReplicationGroup" and "globalReplicationGroupId" in i:
        nodes = (f"{i['replicasPerNodeGroup']:g} replicas per shard" if "replicasPerNodeGroup" in i
                 else f"{i['numCacheClusters']:g} nodes")
        parts = [f"id {i['replicationGroupId']}", "secondary of the global group", nodes]
    elif kind == "ReplicationGroup":
        layout = (f"{i['numNodeGroups']:g} shards x {1 + i['replicasPerNodeGroup']:g} nodes" if i["clusterMode"] == "enabled"
                  else f"{i['numCacheClusters']:g} nodes")
        parts = [f"id {i['replicationGroupId']}", f"{i['engine']} {i['engineVersion']}", i["nodeType"],
                 f"cluster mode {i['clusterMode']}", layout, "Multi-AZ" if i.get("multiAzEnabled") else "single AZ",
                 "encrypted at rest" if i.get("atRestEncryptionEnabled") else "NOT encrypted at rest",
                 "TLS" if i.get("transitEncryptionEnabled") else "NO TLS",
                 "AUTH token [secret]" if "authToken" in i else f"user groups {i.get('userGroupIds')}"]
        parts += ["data tiering"] if i.get("dataTieringEnabled") else []
    elif kind == "GlobalReplicationGroup":
        parts = [f"suffix {i['globalReplicationGroupIdSuffix']}", i["cacheNodeType"], f"{i['engine']} {i['engineVersion']}"]
    elif kind == "ParameterGroup":
        parts = [f"family {i['family']}"] + [f"{p['name']}={p['value']}" for p in i.get("parameters", [])]
    elif kind == "LogGroup":
        parts = [i["name"], f"kept {i['retentionInDays']:g} days"]
    elif kind == "SubnetGroup":
        parts = list(i["subnetIds"])
    elif kind == "SecurityGroup":
        sources = [s for rule in i.get("ingress", []) for s in rule.get("cidrBlocks", []) + rule.get("securityGroups", [])]
        parts = [i["vpcId"], f"port {i['ingress'][0]['fromPort']:g} from {', '.join(sources)}" if sources else "no ingress"]
    elif kind == "RandomPassword":
        parts = [f"{i['length']:g} characters, secret"]
    elif kind == "aws":
        parts = [f"region {i['region']}"]
    elif kind == "TopicSubscription":
        parts = [f"{i['protocol']} {i['endpoint']}"]
    else:
        parts = []
    return ", ".join(str(p) for p in parts + flags)
