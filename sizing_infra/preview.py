"""Run the deployment under Pulumi's mocks and record every resource it registers.

This is what ``python -m sizing preview`` shows and what the tests assert on: the same
:func:`sizing_infra.program.provision` that ``pulumi up`` runs, with no cloud account and no
Pulumi CLI. The mocks answer as a provider would at preview time: a resource's outputs are
its inputs, plus the few computed values other resources read (ids, names, ARNs,
endpoints, generated passwords), which are placeholders.

Each registration keeps what the engine would receive, and also where its values came from
(``propertyDependencies``) and what the mocks answered: enough for tests/terraform_config.py
to write the same resources, references included, as Terraform configuration.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pulumi

from sizing.collector import collected_rarely
from sizing.planning.plan import ClusterPlan
from sizing_infra.options import PROJECT, DeploymentOptions
from sizing_infra.program import provision
from sizing_infra.sdk_internals import is_secret, recording_monitor, run_program

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
    id: str = ""
    """The id the mocks gave it."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """Its state as the mocks answered: the inputs plus the computed values in ``_COMPUTED``."""
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Input name -> URNs of the resources its value was computed from (the SDK's
    ``propertyDependencies``): how a reader tells a reference from a literal."""
    dependencies: tuple[str, ...] = ()
    """Every URN the registration waits for: the property dependencies and ``depends_on``."""

    @property
    def depends_on(self) -> tuple[str, ...]:
        """URNs waited for that no input came from, i.e. the explicit ``depends_on``. (An explicit
        dependency that an input also reads is indistinguishable, and implied anyway.)"""
        from_inputs = {urn for urns in self.property_dependencies.values() for urn in urns}
        return tuple(urn for urn in self.dependencies if urn not in from_inputs)

    @property
    def secret_inputs(self) -> set[str]:
        """Input names whose values the engine receives as secrets."""
        return {key for key, value in self.inputs.items() if is_secret(value)}

    @property
    def shown_inputs(self) -> dict[str, Any]:
        """Inputs with secret values replaced by ``[secret]``, safe to print."""
        return {key: "[secret]" if is_secret(value) else value for key, value in self.inputs.items()}


def revealed(value: Any) -> Any:
    """``value`` with every secret envelope (``{<sig>: <secret sig>, "value": ...}``) replaced by
    what it holds: what the provider receives."""
    if is_secret(value):
        return revealed(value["value"])
    if isinstance(value, dict):
        return {key: revealed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [revealed(item) for item in value]
    return value


@dataclass
class PreviewResult:
    resources: list[PreviewResource]
    """In the order the program constructed them, so the same input always lists the same way."""
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)
    """Output paths (``name`` or ``name.key``) that stay secret."""

    def of_type(self, type_: str) -> list[PreviewResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> PreviewResource:
        return next(r for r in self.resources if r.name == name)

    def by_urn(self, urn: str) -> PreviewResource:
        return next(r for r in self.resources if r.urn == urn)


_COMPUTED: dict[str, dict[str, Any]] = {
    # Values the provider computes that other resources or outputs read.
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        "primaryEndpointAddress": "master.{name}.preview.cache.amazonaws.com",
        "readerEndpointAddress": "replica.{name}.preview.cache.amazonaws.com",
        "configurationEndpointAddress": "clustercfg.{name}.preview.cache.amazonaws.com",
    },
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": {
        "globalReplicationGroupId": "preview-{name}",
    },
    "aws:elasticache/serverlessCache:ServerlessCache": {
        "endpoints": [{"address": "{name}.serverless.preview.cache.amazonaws.com", "port": 6379}],
        "readerEndpoints": [{"address": "{name}.serverless.preview.cache.amazonaws.com", "port": 6380}],
    },
    "aws:sns/topic:Topic": {"arn": "arn:aws:sns:preview:000000000000:{name}"},
    # Auto-named groups: pulumi-aws fills in the name when it checks the inputs, so a real
    # preview knows it (as the logical name plus a random suffix; here the logical name).
    "aws:elasticache/parameterGroup:ParameterGroup": {"name": "{name}"},
    "aws:elasticache/subnetGroup:SubnetGroup": {"name": "{name}"},
    "random:index/randomPassword:RandomPassword": {"result": PLACEHOLDER_SECRET},
}


@dataclass(frozen=True)
class _Created:
    """What the mocks were asked for and answered, read back by the monitor (saves a second decoding)."""

    inputs: dict[str, Any]
    id: str
    state: dict[str, Any]


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.created: dict[tuple[str, str], _Created] = {}
        """By (type, name)."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        for key, template in _COMPUTED.get(args.typ, {}).items():
            state.setdefault(key, _filled(template, args.inputs.get("replicationGroupId", args.name)))
        self.created[(args.typ, args.name)] = _Created(args.inputs, f"{args.name}-id", state)
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def _filled(template: Any, name: str) -> Any:
    """A computed-value template with ``{name}`` filled in, in strings at any depth."""
    if isinstance(template, str):
        return template.format(name=name)
    if isinstance(template, list):
        return [_filled(item, name) for item in template]
    if isinstance(template, dict):
        return {key: _filled(value, name) for key, value in template.items()}
    return template


class _Recorder:
    """Keeps what each registration asked for, in the program's construction order."""

    def __init__(self, mocks: _Mocks) -> None:
        self.created = mocks.created
        self.recorded: list[PreviewResource] = []
        self.constructed: dict[tuple[str, str], int] = {}
        """(type, name) -> position in the program's construction order."""

    def note_construction(self, args: pulumi.ResourceTransformationArgs) -> None:
        """A stack transformation: the SDK calls it synchronously in every resource's
        constructor, so this is the program's own order. Registrations reach the monitor from
        a thread pool, in an order that varies from run to run."""
        self.constructed.setdefault((args.type_, args.name), len(self.constructed))

    def register(self, request: Any, response: Any) -> None:
        if request.type == "pulumi:pulumi:Stack":
            return
        created = self.created.pop((request.type, request.name))
        self.recorded.append(PreviewResource(
            urn=response.urn, type=request.type, name=request.name, parent=request.parent,
            custom=bool(request.custom), inputs=created.inputs,
            protect=bool(request.protect), retain_on_delete=bool(request.retainOnDelete),
            ignore_changes=tuple(request.ignoreChanges), provider=request.provider,
            id=created.id, outputs=created.state,
            property_dependencies={key: tuple(deps.urns) for key, deps in request.propertyDependencies.items()},
            dependencies=tuple(request.dependencies)))

    def in_construction_order(self) -> list[PreviewResource]:
        return sorted(self.recorded, key=lambda r: self.constructed.get((r.type, r.name), len(self.constructed)))


class _WorkerLoops:
    """The executor the SDK sends monitor calls to, with an event loop per thread that is closed
    when the threads are done.

    The mock monitor needs an event loop on the thread it runs on and makes one where there is
    none (``pulumi.runtime.sync_await._ensure_event_loop``). With the event loop's default
    executor those loops were never closed and its threads outlived ``run_preview``: at
    interpreter exit the garbage collector finalised each loop and its self-pipe socket in no
    particular order, and when the socket went first, ``BaseEventLoop.__del__`` -> ``close()``
    printed ``Exception ignored ... ValueError: Invalid file descriptor: -1``.
    """

    def __init__(self) -> None:
        self.loops: list[asyncio.AbstractEventLoop] = []
        self._lock = threading.Lock()
        self.executor = ThreadPoolExecutor(thread_name_prefix="preview-monitor", initializer=self._start)

    def _start(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        with self._lock:
            self.loops.append(loop)

    def close(self) -> None:
        """Join the threads, then close their loops (no longer running, so any thread may)."""
        self.executor.shutdown(wait=True)
        for loop in self.loops:
            loop.close()
        self.loops.clear()


def run_preview(plans: list[ClusterPlan], options: DeploymentOptions, stack: str = "preview") -> PreviewResult:
    """Provision ``plans`` under mocks; returns what was registered and the stack outputs."""
    mocks = _Mocks()
    recorder = _Recorder(mocks)
    workers = _WorkerLoops()
    loop = asyncio.new_event_loop()
    loop.set_default_executor(workers.executor)
    asyncio.set_event_loop(loop)
    outputs: dict[str, Any] = {}
    secret_outputs: set[str] = set()
    try:
        pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=True,
                                 monitor=recording_monitor(mocks, recorder.register))
        pulumi.runtime.register_stack_transformation(recorder.note_construction)

        async def program() -> None:
            for name, value in provision(plans, options).items():
                resolved, secret = await _resolve(value)
                outputs[name] = resolved
                secret_outputs.update(name if key == "" else f"{name}.{key}" for key in secret)

        with collected_rarely():  # the SDK's objects live until the run ends: 8.0 s of CPU -> 4.1 s here
            loop.run_until_complete(run_program(program))
    finally:
        # Threads first (they may still hold a call), then their loops, then ours.
        workers.close()
        loop.close()
        asyncio.set_event_loop(None)
    return PreviewResult(resources=recorder.in_construction_order(), outputs=outputs, secret_outputs=secret_outputs)


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
        dimensions = inputs["dimensions"]  # a node's CacheClusterId, or a serverless cache's clusterId
        nodes[dimensions.get("CacheClusterId") or dimensions["clusterId"]] = None
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
    elif kind == "ServerlessCache":
        limits = i["cacheUsageLimits"]
        parts = [f"name {i['name']}", f"{i['engine']} {i['majorEngineVersion']}",
                 f"at most {limits['dataStorage']['maximum']:g} GB",
                 f"at most {limits['ecpuPerSeconds'][0]['maximum']:,.0f} ECPU/s", "TLS (always)",
                 f"user group {i['userGroupId']}" if "userGroupId" in i else "no user group"]
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
