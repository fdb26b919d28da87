"""One planned cache: its replication group(s), parameter group, network, logs and alarms.

    CacheCluster (component)
    ├── <name>-parameters       ParameterGroup, auto-named so a family change creates the new
    │                           group before the old one is deleted
    ├── <name>-auth-token       RandomPassword (secret), unless RBAC user groups are given
    ├── <name>-slow-log[-rN]    LogGroup   } log delivery targets, in each member's region
    ├── <name>-engine-log[-rN]  LogGroup   }
    ├── <name>-subnets[-rN]     SubnetGroup, where the stack gives subnets for the region
    ├── <name>-security-group[-rN]   SecurityGroup, where the stack gives a VPC
    ├── <name>-replication-group     the primary ReplicationGroup
    ├── <name>-global           GlobalReplicationGroup, when the plan spans regions
    ├── <name>-replica-rN       secondary ReplicationGroups, one per extra region
    ├── <name>-alarms           CacheAlarms (component) on the primary's nodes
    └── <name>-alarms-rN        CacheAlarms on each secondary's nodes, in its region

Every region's resources are created with that region's explicit provider.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from sizing.planning.alarms import AlarmThresholds
from sizing_infra.cache_alarms import CacheAlarms, CacheAlarmsArgs, member_cluster_ids
from sizing_infra.options import RegionNetwork

AUTH_TOKEN_LENGTH = 64
"""ElastiCache accepts 16-128 printable characters."""
AUTH_TOKEN_SPECIALS = "!&#$^<>-"
"""Specials ElastiCache allows in an AUTH token (it refuses spaces, '/', '"' and '@')."""
LOG_TYPES = ("slow-log", "engine-log")
"""The two logs ElastiCache can deliver (log delivery, Redis OSS 6.2+ and Valkey)."""
GLOBAL_MEMBER_MANAGED = ["node_type", "num_node_groups", "engine", "engine_version", "parameter_group_name"]
"""What a Global Datastore's primary no longer sets itself: node type, shard count and version
change through the global group (ModifyReplicationGroup on a member is refused), and on
joining, ElastiCache moves every member to its own copy of the primary's parameter group
(``global-datastore-*``; the Global Datastore guide, "Modifying a global datastore")."""


@dataclass(frozen=True)
class CacheNetwork:
    """Where one region's replication group lives. Inputs, so a program can pass a VPC and
    subnets it creates itself; empty means the region's default VPC."""

    vpc_id: pulumi.Input[str] | None = None
    """VPC of the cluster's security group; given together with ``subnet_ids`` in it."""
    subnet_ids: Sequence[pulumi.Input[str]] = ()
    """Subnets of the cache subnet group (one per AZ used)."""
    allowed_cidrs: Sequence[pulumi.Input[str]] = ()
    """CIDR blocks that may connect to the cache port."""
    allowed_security_group_ids: Sequence[pulumi.Input[str]] = ()
    """Security groups whose members may connect."""

    @classmethod
    def from_config(cls, network: RegionNetwork) -> CacheNetwork:
        return cls(vpc_id=network.vpc_id, subnet_ids=network.subnet_ids, allowed_cidrs=network.allowed_cidrs,
                   allowed_security_group_ids=network.allowed_security_group_ids)


@dataclass
class CacheClusterArgs:
    """What the component creates, from the sizing plan and the deployment options."""

    replication_group_id: str
    """ElastiCache id: the cluster's name in the workload file (at most 37 characters, so
    secondary ids ``<id>-rN`` stay within ElastiCache's 40)."""
    description: str
    engine: str
    engine_version: str
    node_type: str
    cluster_mode: bool
    shards: int
    replicas_per_shard: int
    multi_az: bool
    data_tiering: bool
    parameter_family: str
    parameters: dict[str, str]
    alarm_thresholds: AlarmThresholds
    regions: list[str]
    """Primary first; more than one means a Global Datastore."""
    providers: dict[str, pulumi.ProviderResource]
    """An explicit AWS provider per region."""
    networks: dict[str, CacheNetwork]
    """Per region; a region not listed uses its default VPC."""
    alarm_topic_arns: dict[str, pulumi.Input[str]]
    """SNS topic per region: CloudWatch alarms notify topics in their own region."""
    # The deployment options, with no defaults of their own: those are DeploymentOptions'.
    port: int
    user_group_ids: Sequence[pulumi.Input[str]]
    """At most one RBAC user group; empty means an AUTH token is generated."""
    snapshot_retention_days: int
    snapshot_window: str
    maintenance_window: str
    log_retention_days: int
    production: bool
    """Protect the replication groups (and the global group) and keep them if removed from the program."""
    tags: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


class CacheCluster(pulumi.ComponentResource):
    """A sized ElastiCache replication group with everything it needs to run and be watched."""

    replication_group: aws.elasticache.ReplicationGroup
    endpoint: pulumi.Output[str]
    """Configuration endpoint with cluster mode, primary endpoint without."""
    reader_endpoint: pulumi.Output[str]
    auth_token: pulumi.Output[str] | None
    """Secret; None when RBAC user groups control access."""
    member_cluster_ids: list[str]

    def __init__(self, name: str, args: CacheClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elasticache-sizing:index:CacheCluster", name, None, opts)
        primary_region = args.regions[0]

        def child(region: str, **extra: object) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, provider=args.providers[region], **extra)  # type: ignore[arg-type]

        parameter_group = aws.elasticache.ParameterGroup(
            f"{name}-parameters",
            family=args.parameter_family,
            description=f"{args.replication_group_id}: settings from the sizing plan",
            parameters=[aws.elasticache.ParameterGroupParameterArgs(name=key, value=value)
                        for key, value in args.parameters.items()],
            tags=args.tags,
            opts=child(primary_region),
        )
        token = None
        if not args.user_group_ids:
            token = random.RandomPassword(
                f"{name}-auth-token", length=AUTH_TOKEN_LENGTH, special=True, override_special=AUTH_TOKEN_SPECIALS,
                opts=pulumi.ResourceOptions(parent=self))
        logs = self._log_delivery(name, args, args.replication_group_id, "", child(primary_region))
        subnet_group, security_groups = self._network(name, args, primary_region, "", child(primary_region))
        protection = {"protect": args.production, "retain_on_delete": args.production}
        is_global = len(args.regions) > 1
        self.replication_group = aws.elasticache.ReplicationGroup(
            f"{name}-replication-group",
            replication_group_id=args.replication_group_id,
            description=args.description,
            engine=args.engine,
            engine_version=args.engine_version,
            node_type=args.node_type,
            parameter_group_name=parameter_group.name,
            port=args.port,
            cluster_mode="enabled" if args.cluster_mode else "disabled",
            num_node_groups=args.shards if args.cluster_mode else None,
            replicas_per_node_group=args.replicas_per_shard if args.cluster_mode else None,
            num_cache_clusters=None if args.cluster_mode else 1 + args.replicas_per_shard,
            # Cluster mode needs automatic failover on; without replicas there is nothing to fail over to.
            automatic_failover_enabled=args.cluster_mode or args.replicas_per_shard > 0,
            multi_az_enabled=args.multi_az,
            data_tiering_enabled=args.data_tiering or None,
            at_rest_encryption_enabled=True,
            transit_encryption_enabled=True,
            auth_token=token.result if token else None,
            # The provider accepts SET, ROTATE or DELETE (upper case); AWS ignores it on create.
            # ROTATE on a later token change keeps the old token valid beside the new one, so
            # running clients are not cut off.
            auth_token_update_strategy="ROTATE" if token else None,
            user_group_ids=list(args.user_group_ids) or None,
            subnet_group_name=subnet_group,
            security_group_ids=security_groups,
            snapshot_retention_limit=args.snapshot_retention_days,
            snapshot_window=args.snapshot_window if args.snapshot_retention_days else None,
            maintenance_window=args.maintenance_window,
            log_delivery_configurations=logs,
            # ElastiCache turns minor auto-upgrades off for Global Datastore members; asking for
            # them would show as drift on every run.
            auto_minor_version_upgrade=not is_global,
            apply_immediately=not args.production,
            tags=args.tags,
            opts=child(primary_region, ignore_changes=GLOBAL_MEMBER_MANAGED if is_global else None, **protection),
        )
        if is_global:
            self._global_datastore(name, args, parameter_group, protection)
        if args.cluster_mode:
            self.endpoint = self.replication_group.configuration_endpoint_address
            self.reader_endpoint = self.replication_group.configuration_endpoint_address
        else:
            self.endpoint = self.replication_group.primary_endpoint_address
            self.reader_endpoint = self.replication_group.reader_endpoint_address
        self.auth_token = pulumi.Output.secret(token.result) if token else None
        self.member_cluster_ids = member_cluster_ids(
            args.replication_group_id, args.cluster_mode, args.shards, args.replicas_per_shard)
        self._alarms(f"{name}-alarms", args, self.member_cluster_ids, primary_region, self.replication_group)
        self.register_outputs({"endpoint": self.endpoint, "reader_endpoint": self.reader_endpoint,
                               "member_cluster_ids": self.member_cluster_ids})

    def _alarms(self, name: str, args: CacheClusterArgs, nodes: list[str], region: str,
                group: aws.elasticache.ReplicationGroup, global_secondary: bool = False) -> None:
        CacheAlarms(
            name,
            CacheAlarmsArgs(member_cluster_ids=nodes, thresholds=args.alarm_thresholds,
                            topic_arn=args.alarm_topic_arns[region], tags=args.tags, global_secondary=global_secondary),
            opts=pulumi.ResourceOptions(parent=self, providers=[args.providers[region]], depends_on=[group]),
        )

    def _log_delivery(self, name: str, args: CacheClusterArgs, group_id: str, suffix: str,
                      opts: pulumi.ResourceOptions) -> list[aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs]:
        """A log group per log type in the replication group's region, and the delivery to it."""
        deliveries = []
        for log_type in LOG_TYPES:
            group = aws.cloudwatch.LogGroup(
                f"{name}-{log_type}{suffix}", name=f"/elasticache/{group_id}/{log_type}",
                retention_in_days=args.log_retention_days, tags=args.tags, opts=opts)
            deliveries.append(aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                destination=group.name, destination_type="cloudwatch-logs", log_format="json", log_type=log_type))
        return deliveries

    def _network(self, name: str, args: CacheClusterArgs, region: str, suffix: str,
                 opts: pulumi.ResourceOptions) -> tuple[pulumi.Output[str] | None, list[pulumi.Output[str]] | None]:
        """Subnet group and security group for a region, where the stack configures them."""
        network = args.networks.get(region, CacheNetwork())
        subnet_group = None
        if network.subnet_ids:
            subnet_group = aws.elasticache.SubnetGroup(
                f"{name}-subnets{suffix}", subnet_ids=list(network.subnet_ids),
                description=f"{args.replication_group_id} in {region}", tags=args.tags, opts=opts).name
        security_groups = client_security_groups(name, suffix, args.replication_group_id, network,
                                                 (args.port, args.port), args.tags, opts)
        return subnet_group, security_groups


    def _global_datastore(self, name: str, args: CacheClusterArgs, parameter_group: aws.elasticache.ParameterGroup,
                          protection: dict[str, bool]) -> None:
        primary_provider = args.providers[args.regions[0]]
        global_group = aws.elasticache.GlobalReplicationGroup(
            f"{name}-global",
            global_replication_group_id_suffix=args.replication_group_id,
            global_replication_group_description=args.description,
            primary_replication_group_id=self.replication_group.id,
            cache_node_type=args.node_type,
            engine=args.engine,
            engine_version=args.engine_version,
            num_node_groups=args.shards if args.cluster_mode else None,
            # Ignored at creation, where the members' copies are made from the primary's group
            # (the planned parameters); required with a major version upgrade, which is exactly
            # when this name changes (the group is auto-named and replaced with a new family).
            parameter_group_name=parameter_group.name,
            automatic_failover_enabled=args.cluster_mode or args.replicas_per_shard > 0,
            # Deleting the global group detaches and deletes its secondaries' data path: it is
            # protected exactly like its members.
            opts=pulumi.ResourceOptions(parent=self, provider=primary_provider, **protection),  # type: ignore[arg-type]
        )
        for index, region in enumerate(args.regions[1:], start=1):
            opts = pulumi.ResourceOptions(parent=self, provider=args.providers[region])
            subnet_group, security_groups = self._network(name, args, region, f"-r{index}", opts)
            secondary_id = f"{args.replication_group_id}-r{index}"
            logs = self._log_delivery(name, args, secondary_id, f"-r{index}", opts)
            # A secondary takes engine, version, node type, shards, parameters and encryption
            # from the global group; it sets only its own replicas and placement.
            secondary = aws.elasticache.ReplicationGroup(
                f"{name}-replica-r{index}",
                replication_group_id=secondary_id,
                description=f"{args.description} (secondary in {region})",
                global_replication_group_id=global_group.global_replication_group_id,
                replicas_per_node_group=args.replicas_per_shard if args.cluster_mode else None,
                num_cache_clusters=None if args.cluster_mode else 1 + args.replicas_per_shard,
                automatic_failover_enabled=args.cluster_mode or args.replicas_per_shard > 0,
                multi_az_enabled=args.multi_az,
                data_tiering_enabled=args.data_tiering or None,  # r6gd nodes need it on every member
                port=args.port,  # the security group opens this port; AWS does not document it as inherited
                subnet_group_name=subnet_group,
                security_group_ids=security_groups,
                snapshot_retention_limit=args.snapshot_retention_days,
                snapshot_window=args.snapshot_window if args.snapshot_retention_days else None,
                maintenance_window=args.maintenance_window,
                log_delivery_configurations=logs,
                auto_minor_version_upgrade=False,
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self, provider=args.providers[region], **protection),  # type: ignore[arg-type]
            )
            nodes = member_cluster_ids(secondary_id, args.cluster_mode, args.shards,
                                       args.replicas_per_shard)
            self._alarms(f"{name}-alarms-r{index}", args, nodes, region, secondary, global_secondary=True)


def client_security_groups(name: str, suffix: str, cache_id: str, network: CacheNetwork, ports: tuple[int, int],
                           tags: Mapping[str, pulumi.Input[str]],
                           opts: pulumi.ResourceOptions) -> list[pulumi.Output[str]] | None:
    """``<name>-security-group<suffix>``, letting the allowed sources reach ``ports`` (first,
    last), where the stack gives a VPC; None (the VPC's default group) where it does not."""
    if not network.vpc_id:
        return None
    sources = [aws.ec2.SecurityGroupIngressArgs(
        protocol="tcp", from_port=ports[0], to_port=ports[1], description="cache clients",
        cidr_blocks=list(network.allowed_cidrs) or None,
        security_groups=list(network.allowed_security_group_ids) or None)]
    # EC2 refuses group names that begin with "sg-", which the auto-name of a cluster
    # called sg-... would; other clusters keep the auto-name they were created with.
    return [aws.ec2.SecurityGroup(
        f"{name}-security-group{suffix}", vpc_id=network.vpc_id,
        name_prefix=f"cache-{name}-" if name.startswith("sg-") else None,
        description=f"{cache_id}: clients allowed to reach the cache",
        ingress=sources if network.allowed_cidrs or network.allowed_security_group_ids else [],
        tags=tags, opts=opts).id]
