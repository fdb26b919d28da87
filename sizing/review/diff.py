"""What a change to a workload file does: both sides planned, compared, and classified.

Each difference between the base and the head plan of a cluster is a ``Change`` with the
``Impact`` it has on a running cluster when the Pulumi program applies it. The rules are
ElastiCache's (ModifyReplicationGroup, ModifyReplicationGroupShardConfiguration, Global
Datastore and parameter-group docs), as the program in ``sizing_infra`` applies them:

    in_place            applied without moving data or restarting nodes
    online_scaling      nodes replaced or added one at a time; a failover per shard
    online_resharding   slots move between shards while the cluster serves traffic
    reboot              takes effect only after the nodes restart
    replacement         a new replication group (or serverless cache): the data is not carried over

Glossary
    dataset_bytes       today's data over all shards (the memory model, per-shard tables).
    data_moved_bytes    the share of the dataset that resharding moves: |new - old| / the
                        larger shard count, as slots are spread evenly; all of it for a move
                        between nodes and serverless (a new cache the data must migrate to).
    underprovisioned    the head cannot be planned (no node type carries it) or its plan
                        keeps less than the target headroom free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sizing.catalog.parameters import family_parameters
from sizing.errors import NoViableNodeError
from sizing.planning.capacity import TARGET_HEADROOM_PERCENT
from sizing.planning.plan import ClusterPlan, Rejection, plan_cluster
from sizing.planning.serverless import weigh
from sizing.spec.deployment import DeploymentOptions, RegionNetwork
from sizing.spec.workload import Cluster, Workload
from sizing.versions import version_key

GLOBAL_PARAMETERS_NOTE = (
    "a Global Datastore's members run on copies of the parameter group made when they joined "
    "(global-datastore-*), so `pulumi up` does not reach them: apply it to one member's group with "
    "`aws elasticache modify-cache-parameter-group` and ElastiCache applies it to every member")
"""Where ElastiCache keeps a Global Datastore's parameters (the Global Datastore guide,
"Modifying a global datastore"; the provider's ``parameter_group_name`` docs)."""


class Impact(str, Enum):
    """What applying a change does to a running cluster, least disruptive first."""

    none = "none"
    in_place = "in_place"
    online_scaling = "online_scaling"
    online_resharding = "online_resharding"
    reboot = "reboot"
    replacement = "replacement"

    @property
    def rank(self) -> int:
        return list(Impact).index(self)


class Change(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    before: str
    after: str
    impact: Impact
    note: str = Field(description="Why the change has this impact, or what to watch for.")


class PlanSummary(BaseModel):
    """The deployed shape and the sizing numbers of one side of a cluster."""

    model_config = ConfigDict(frozen=True)

    engine: str
    engine_version: str
    node_type: str
    data_tiering: bool
    cluster_mode: bool
    shards: int
    replicas_per_shard: int
    multi_az: bool
    regions: tuple[str, ...]
    parameter_family: str
    parameters: Mapping[str, str]
    alarms: Mapping[str, float | int | None]
    dataset_bytes: int
    required_bytes_per_node: int
    headroom_percent: float
    monthly_usd: float = Field(description="On-demand monthly cost of what is deployed (nodes or serverless).")
    deployment: Literal["nodes", "serverless"] = "nodes"
    serverless_limits: tuple[int, int] | None = Field(
        default=None, description="Serverless usage limits (data stored GB, ECPU/s) where deployment is serverless.")
    serverless_major_version: str | None = None

    @classmethod
    def of(cls, plan: ClusterPlan) -> PlanSummary:
        chosen = plan.chosen
        serverless = plan.serverless if plan.deployment == "serverless" else None
        return cls(
            engine=plan.engine, engine_version=plan.engine_version, node_type=chosen.node_type,
            data_tiering=plan.data_tiering, cluster_mode=chosen.cluster_mode, shards=chosen.shards,
            replicas_per_shard=chosen.replicas_per_shard, multi_az=plan.multi_az, regions=plan.regions,
            parameter_family=plan.parameter_family, parameters=plan.parameters, alarms=plan.alarms.model_dump(),
            dataset_bytes=chosen.memory_today.dataset_bytes * chosen.shards,
            required_bytes_per_node=chosen.memory_horizon.required_bytes,
            headroom_percent=chosen.headroom_percent, monthly_usd=plan.monthly_usd,
            deployment="serverless" if serverless else "nodes",
            serverless_limits=(serverless.data_storage_limit_gb, serverless.ecpu_per_second_limit) if serverless else None,
            serverless_major_version=serverless.major_engine_version if serverless else None,
        )


class ClusterDiff(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    status: Literal["added", "removed", "changed", "unchanged"]
    before: PlanSummary | None
    after: PlanSummary | None
    changes: tuple[Change, ...] = ()
    impact: Impact = Impact.none
    data_moved_bytes: int = 0
    underprovisioned: bool = False
    unplannable: bool = Field(default=False, description="No node type can carry the head.")
    nearest_rejection: Rejection | None = Field(
        default=None, description="When the head is unplannable: the node type that came nearest, and why not.")

    @property
    def cost_delta_usd(self) -> float:
        return (self.after.monthly_usd if self.after else 0.0) - (self.before.monthly_usd if self.before else 0.0)


class WorkloadDiff(BaseModel):
    model_config = ConfigDict(frozen=True)

    base_label: str
    head_label: str
    clusters: tuple[ClusterDiff, ...] = Field(description="Replacements and underprovisioned first, then by impact.")
    monthly_usd_before: float
    monthly_usd_after: float

    @property
    def changed(self) -> tuple[ClusterDiff, ...]:
        return tuple(c for c in self.clusters if c.status != "unchanged")

    @property
    def cost_change_percent(self) -> float:
        if self.monthly_usd_before == 0:
            return 0.0 if self.monthly_usd_after == 0 else float("inf")
        return 100.0 * (self.monthly_usd_after - self.monthly_usd_before) / self.monthly_usd_before


class Unplannable(BaseModel):
    """A cluster no node type can carry, and the rejection that came nearest (None if none did)."""

    model_config = ConfigDict(frozen=True)

    nearest: Rejection | None


Mapper = Callable[[Callable[[Cluster], "PlanSummary | Unplannable"], list[Cluster]],
                  Iterable["PlanSummary | Unplannable"]]
"""How the distinct clusters get planned: ``map`` here; the CLI may pass a process pool's."""


def summarize(cluster: Cluster) -> PlanSummary | Unplannable:
    """The plan's summary, or why there is none (small, so it is cheap to send back from a worker)."""
    try:
        # Without the recommendations and the layouts not chosen (not compared), but with the
        # serverless decision: it is deployed.
        plan = plan_cluster(cluster, advise=False, detail=False)
        serverless = weigh(cluster, plan.growth_factor, plan.chosen.monthly_usd)
        return PlanSummary.of(plan.model_copy(update={"serverless": serverless}))
    except NoViableNodeError as exc:
        return Unplannable(nearest=exc.rejections[0] if exc.rejections else None)


def _summaries(clusters: list[Cluster], mapper: Mapper) -> dict[str, PlanSummary | Unplannable]:
    """Each distinct cluster planned once: a pull request changes few clusters, so both sides
    share most plans."""
    unique = {c.model_dump_json(): c for c in clusters}
    return dict(zip(unique, mapper(summarize, list(unique.values()))))


def diff_workloads(base: Workload | None, head: Workload | None, base_label: str = "base",
                   head_label: str = "head", base_options: DeploymentOptions | None = None,
                   head_options: DeploymentOptions | None = None, mapper: Mapper = map) -> WorkloadDiff:
    """Compare every cluster of ``base`` with the cluster of the same name in ``head``.

    With the stack's deployment options of either side (``Pulumi.<stack>.yaml``; a side
    without one has the defaults), their changes are classified too, for every cluster.
    """
    options = None
    if base_options is not None or head_options is not None:
        options = (base_options or DeploymentOptions(), head_options or DeploymentOptions())
    before = {c.name: c for c in (base.clusters if base else [])}
    after = {c.name: c for c in (head.clusters if head else [])}
    plans = _summaries(list(before.values()) + list(after.values()), mapper)
    diffs = [_diff_cluster(name, before.get(name), after.get(name), plans, options)
             for name in list(before) + [n for n in after if n not in before]]
    diffs.sort(key=lambda d: (not (d.impact is Impact.replacement or d.underprovisioned), -d.impact.rank,
                              d.status == "unchanged", d.name))
    return WorkloadDiff(
        base_label=base_label, head_label=head_label, clusters=tuple(diffs),
        monthly_usd_before=sum(d.before.monthly_usd for d in diffs if d.before),
        monthly_usd_after=sum(d.after.monthly_usd for d in diffs if d.after),
    )


def _diff_cluster(name: str, base: Cluster | None, head: Cluster | None, plans: dict[str, PlanSummary | Unplannable],
                  options: tuple[DeploymentOptions, DeploymentOptions] | None = None) -> ClusterDiff:
    old = plans[base.model_dump_json()] if base else None
    new = plans[head.model_dump_json()] if head else None
    before = old if isinstance(old, PlanSummary) else None
    after = new if isinstance(new, PlanSummary) else None
    unplannable = new if isinstance(new, Unplannable) else None
    short: dict[str, Any] = {"underprovisioned": bool(unplannable) or bool(after and after.headroom_percent < TARGET_HEADROOM_PERCENT),
             "unplannable": unplannable is not None, "nearest_rejection": unplannable.nearest if unplannable else None}
    if head is None:
        return ClusterDiff(name=name, status="removed", before=before, after=None, impact=Impact.replacement,
                           changes=(Change(field="cluster", before=name, after="(removed)", impact=Impact.replacement,
                                           note="the replication group and its data are deleted"),))
    if base is None:
        return ClusterDiff(name=name, status="added", before=None, after=after, **short)
    if before is None or after is None:  # one side cannot be planned: nothing to classify against
        return ClusterDiff(name=name, status="unchanged" if base == head else "changed", before=before, after=after,
                           **short)
    changes = tuple(classify(before, after))
    if options is not None:
        changes += tuple(classify_options(*options, after.regions))
    sized_alike = before == after and not changes
    impact = max((c.impact for c in changes), key=lambda i: i.rank, default=Impact.none)
    moved = 0
    if before.deployment != after.deployment:
        moved = before.dataset_bytes
    elif before.deployment == "nodes" and before.cluster_mode and after.cluster_mode and before.shards != after.shards:
        moved = round(before.dataset_bytes * abs(after.shards - before.shards) / max(after.shards, before.shards))
    return ClusterDiff(name=name, status="unchanged" if sized_alike else "changed", before=before, after=after,
                       changes=changes, impact=impact, data_moved_bytes=moved, **short)


def classify(before: PlanSummary, after: PlanSummary) -> Iterable[Change]:
    """Every deployed difference, with the impact of applying it."""

    def change(field: str, old: object, new: object, impact: Impact, note: str) -> Change:
        return Change(field=field, before=str(old), after=str(new), impact=impact, note=note)

    if before.deployment != after.deployment or before.deployment == "serverless":
        yield from _serverless_changes(before, after)
        return
    if before.cluster_mode != after.cluster_mode:
        yield change("cluster_mode", _mode(before.cluster_mode), _mode(after.cluster_mode), Impact.replacement,
                     "the replication group is recreated with the other mode; the data is not carried over")
    if before.regions[0] != after.regions[0]:
        yield change("primary region", before.regions[0], after.regions[0], Impact.replacement,
                     "a replication group cannot move between regions")
    yield from _engine_changes(before, after)
    if before.node_type != after.node_type:
        if before.data_tiering != after.data_tiering:
            yield change("node_type", before.node_type, after.node_type, Impact.replacement,
                         "ElastiCache cannot scale between data-tiering (r6gd) and other node types")
        else:
            yield change("node_type", before.node_type, after.node_type, Impact.online_scaling,
                         "online vertical scaling: each node is replaced in turn, one failover per shard")
    if before.cluster_mode == after.cluster_mode and before.shards != after.shards:
        yield change("shards", before.shards, after.shards, Impact.online_resharding,
                     "online resharding: slots migrate while the cluster serves traffic")
    if before.replicas_per_shard != after.replicas_per_shard:
        note = "replicas are added or removed online"
        if after.replicas_per_shard == 0 and before.multi_az:
            note += ("; Multi-AZ and automatic failover need a replica and go off in the same update, which can "
                     "fail mid-way: turn them off in an update of their own first")
        yield change("replicas_per_shard", before.replicas_per_shard, after.replicas_per_shard, Impact.online_scaling,
                     note)
    if before.multi_az != after.multi_az:
        yield change("multi_az", before.multi_az, after.multi_az, Impact.in_place, "applied online")
    for region in after.regions[1:]:
        if region not in before.regions:
            yield change("regions", "-", f"+{region}", Impact.in_place,
                         f"a secondary replication group is created in {region}; the primary joins a Global Datastore "
                         "and keeps serving")
    for region in before.regions[1:]:
        if region not in after.regions:
            yield change("regions", region, "-", Impact.in_place,
                         f"the secondary in {region} is deleted (it holds a copy; the primary keeps the data)")
    yield from _parameter_changes(before, after)
    for key, old in before.alarms.items():
        new = after.alarms.get(key)
        if new != old:
            what = "added" if old is None else "removed" if new is None else "updated"
            yield change(f"alarm {key}", "-" if old is None else old, "-" if new is None else new, Impact.in_place,
                         f"the alarms are {what}")


def classify_options(before: DeploymentOptions, after: DeploymentOptions, regions: tuple[str, ...]) -> Iterable[Change]:
    """Changes of the stack's deployment options, as the program in ``sizing_infra`` applies them."""

    def change(field: str, old: object, new: object, impact: Impact, note: str) -> Change:
        return Change(field=field, before=str(old), after=str(new), impact=impact, note=note)

    if before.port != after.port:
        yield change("port", before.port, after.port, Impact.replacement,
                     "a replication group's port is fixed at creation")
    for region in regions:
        old, new = before.network(region), after.network(region)
        if old.vpc_id != new.vpc_id or bool(old.subnet_ids) != bool(new.subnet_ids):
            yield change(f"network {region}", _network(old), _network(new), Impact.replacement,
                         "a replication group cannot move to another VPC or subnet group")
            continue  # its access rules go with it
        if old.subnet_ids != new.subnet_ids:
            yield change(f"subnets {region}", ", ".join(old.subnet_ids), ", ".join(new.subnet_ids), Impact.in_place,
                         "the subnet group is modified; ElastiCache refuses to drop a subnet a node is in")
        if (old.allowed_cidrs, old.allowed_security_group_ids) != (new.allowed_cidrs, new.allowed_security_group_ids):
            yield change(f"allowed sources {region}", _sources(old), _sources(new), Impact.in_place,
                         "the security group's rules are updated")
    if bool(before.user_group_ids) != bool(after.user_group_ids):
        yield change("access", _access(before), _access(after), Impact.in_place,
                     "applied online, but every client must switch credentials at the same time")
    elif before.user_group_ids != after.user_group_ids:
        yield change("user groups", _access(before), _access(after), Impact.in_place, "applied online")
    if before.production != after.production:
        note = ("the replication groups become protected and changes wait for the maintenance window"
                if after.production else "protection is removed: a later removal from the program deletes the data")
        yield change("production", before.production, after.production, Impact.in_place, note)
    for field, label in (("snapshot_retention_days", "snapshot retention"), ("snapshot_window", "snapshot window"),
                         ("maintenance_window", "maintenance window"), ("log_retention_days", "log retention"),
                         ("alarm_topic_arn", "alarm topic"), ("alarm_email", "alarm e-mail")):
        if getattr(before, field) != getattr(after, field):
            yield change(label, getattr(before, field), getattr(after, field), Impact.in_place, "applied online")


def _network(network: RegionNetwork) -> str:
    return f"{network.vpc_id or 'default VPC'}, {len(network.subnet_ids)} subnet(s)"


def _sources(network: RegionNetwork) -> str:
    return ", ".join(network.allowed_cidrs + network.allowed_security_group_ids) or "none"


def _access(options: DeploymentOptions) -> str:
    return f"user groups {', '.join(options.user_group_ids)}" if options.user_group_ids else "AUTH token"


def _engine_changes(before: PlanSummary, after: PlanSummary) -> Iterable[Change]:
    old = f"{before.engine} {before.engine_version}"
    new = f"{after.engine} {after.engine_version}"
    if old == new:
        return
    downgrade = version_key(after.engine_version) < version_key(before.engine_version) and before.engine == after.engine
    if before.engine == "valkey" and after.engine == "redis" or downgrade:
        yield Change(field="engine", before=old, after=new, impact=Impact.replacement,
                     note="ElastiCache cannot downgrade an engine or move from Valkey back to Redis OSS in place")
        return
    # An upgrade is online: ElastiCache upgrades the nodes in place, reads are served
    # throughout and writes pause only for the few-second failover, but client connections
    # are dropped (AWS "Upgrade considerations when working with node-based clusters", for
    # Redis OSS 5.0.6+ and every Valkey). Redis OSS 5.0.6+ moves to any Valkey version the
    # same way, without downtime ("How to upgrade from Redis OSS to Valkey"); a custom
    # parameter group must be passed in the same request, which the new group is.
    note = ("in-place cross-engine upgrade from Redis OSS to Valkey, node by node"
            if before.engine != after.engine else "in-place engine upgrade, node by node")
    note += ": reads continue, writes pause during each few-second failover, clients reconnect"
    if before.parameter_family != after.parameter_family:
        # Pulumi replaces the auto-named ParameterGroup (family is create-only) creating the
        # new one first, and the replication group switches to it in the same update.
        note += (f"; a new {after.parameter_family} parameter group is created before the old "
                 f"{before.parameter_family} one is deleted")
    yield Change(field="engine", before=old, after=new, impact=Impact.online_scaling, note=note)


def _parameter_changes(before: PlanSummary, after: PlanSummary) -> Iterable[Change]:
    specs = family_parameters(after.parameter_family)
    for name in sorted(set(before.parameters) | set(after.parameters)):
        old, new = before.parameters.get(name, "(default)"), after.parameters.get(name, "(default)")
        if old == new or name == "cluster-enabled":  # cluster-enabled follows the cluster mode, reported above
            continue
        when = specs[name].change if name in specs else ""
        if "reboot" in when:
            impact, note = Impact.reboot, f"takes full effect after a reboot ({when})"
        elif "creation" in when:
            impact, note = Impact.replacement, "can be set only when the parameter group is created"
        else:
            impact, note = Impact.in_place, "applies immediately"
        if len(before.regions) > 1 and len(after.regions) > 1:
            note += f"; {GLOBAL_PARAMETERS_NOTE}"
        yield Change(field=f"parameter {name}", before=old, after=new, impact=impact, note=note)


SERVERLESS_MIGRATION_NOTE = (
    "a new cache: a replication group and a serverless cache are different resources, so Pulumi creates "
    "the new one and deletes the old, with a new endpoint; the data is migrated only by restoring a backup "
    "of the old cache into the new one (ElastiCache restores node-based backups into serverless caches and "
    "back) or by the application refilling it")
"""What a move between nodes and serverless means (CreateServerlessCache SnapshotArnsToRestore;
CreateReplicationGroup SnapshotArns)."""


def _deployed(summary: PlanSummary) -> str:
    if summary.deployment == "serverless":
        return f"serverless ({summary.engine} {summary.serverless_major_version})"
    return f"nodes ({summary.node_type} x {summary.shards} shard{'s' if summary.shards != 1 else ''})"


def _serverless_changes(before: PlanSummary, after: PlanSummary) -> Iterable[Change]:
    """A move between nodes and serverless, or the changes of a serverless cache."""
    if before.deployment != after.deployment:
        yield Change(field="deployment", before=_deployed(before), after=_deployed(after), impact=Impact.replacement,
                     note=SERVERLESS_MIGRATION_NOTE)
        return
    if before.regions[0] != after.regions[0]:
        yield Change(field="primary region", before=before.regions[0], after=after.regions[0],
                     impact=Impact.replacement, note="a serverless cache cannot move between regions")
    if (before.engine, before.serverless_major_version) != (after.engine, after.serverless_major_version):
        backwards = before.engine == "valkey" and after.engine == "redis" or (
            before.engine == after.engine
            and version_key(after.serverless_major_version or "0") < version_key(before.serverless_major_version or "0"))
        yield Change(field="engine", before=_deployed(before), after=_deployed(after),
                     impact=Impact.replacement if backwards else Impact.online_scaling,
                     note="ElastiCache cannot downgrade an engine or move from Valkey back to Redis OSS in place"
                     if backwards else "in-place upgrade of the serverless cache; clients reconnect")
    if before.serverless_limits != after.serverless_limits and before.serverless_limits and after.serverless_limits:
        (old_gb, old_ecpu), (new_gb, new_ecpu) = before.serverless_limits, after.serverless_limits
        yield Change(field="usage limits", before=f"{old_gb:,} GB, {old_ecpu:,} ECPU/s",
                     after=f"{new_gb:,} GB, {new_ecpu:,} ECPU/s", impact=Impact.in_place,
                     note="the serverless cache's limits and their alarms are modified online")


def _mode(cluster_mode: bool) -> str:
    return "enabled" if cluster_mode else "disabled"
