"""How a stack deploys its clusters: network, access, backups, logs, alarms, protection.

The workload file says what the data is; these options say where and how it runs. They
come from the stack's Pulumi config (``Pulumi.<stack>.yaml``, keys declared with types in
``Pulumi.yaml``). The Pulumi program reads them with ``sizing_infra.load_options``; the
``preview`` and ``diff`` commands read the same file as text, with no Pulumi involved.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sizing.errors import ConfigError

PROJECT = "elasticache-sizing"
"""Config namespace: the ``name`` in Pulumi.yaml."""


class RegionNetwork(BaseModel):
    """Where a region's replication group lives. Empty means the region's default VPC."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    vpc_id: str | None = Field(default=None, alias="vpcId", pattern=r"^vpc-[0-9a-f]+$",
                               description="VPC of the security group; without it ElastiCache's default applies.")
    subnet_ids: tuple[str, ...] = Field(default=(), alias="subnetIds",
                                        description="Subnets of the cache subnet group (one per AZ used).")
    allowed_cidrs: tuple[str, ...] = Field(default=(), alias="allowedCidrs",
                                           description="CIDR blocks that may connect to the cache port.")
    allowed_security_group_ids: tuple[str, ...] = Field(default=(), alias="allowedSecurityGroupIds",
                                                        description="Security groups that may connect.")


class DeploymentOptions(BaseModel):
    """Everything about a deployment that is not sizing."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    production: bool = Field(default=False, description="Protect replication groups and retain them on delete.")
    networks: dict[str, RegionNetwork] = Field(
        default_factory=dict, description="Network per region; regions not listed use their default VPC.")
    user_group_ids: tuple[str, ...] = Field(
        default=(), alias="userGroupIds", description="RBAC user groups; when set, no AUTH token is generated.")
    alarm_topic_arn: str | None = Field(
        default=None, alias="alarmTopicArn", pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$",
        description="Existing SNS topic for the alarms in its region; other regions get a topic of their own.")
    alarm_email: str | None = Field(default=None, alias="alarmEmail", pattern=r"^[^@\s]+@[^@\s]+$",
                                    description="Subscribe this address to the alarm topic.")
    snapshot_retention_days: int = Field(default=1, ge=0, le=35, alias="snapshotRetentionDays",
                                         description="Daily snapshots kept (0 turns them off; ElastiCache allows 35).")
    snapshot_window: str = Field(default="03:00-05:00", alias="snapshotWindow", pattern=r"^\d\d:\d\d-\d\d:\d\d$",
                                 description="UTC; must not overlap the maintenance window.")
    maintenance_window: str = Field(
        default="sun:05:30-sun:07:00", alias="maintenanceWindow",
        pattern=r"^(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d-(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d$",
        description="Weekly, UTC.")
    log_retention_days: int = Field(default=30, alias="logRetentionDays",
                                    description="Retention of the slow-log and engine-log groups.")
    port: int = Field(default=6379, ge=1024, le=65535, description="Cache port (ElastiCache's default).")

    def network(self, region: str) -> RegionNetwork:
        return self.networks.get(region, RegionNetwork())


CONFIG_KEYS: dict[str, str] = {
    # config key -> the Pulumi config getter sizing_infra.load_options reads it with
    "production": "bool", "networks": "object", "userGroupIds": "object", "alarmTopicArn": "str",
    "alarmEmail": "str", "snapshotRetentionDays": "int", "snapshotWindow": "str", "maintenanceWindow": "str",
    "logRetentionDays": "int", "port": "int",
}


def options_from_dict(raw: dict[str, Any], source: str) -> DeploymentOptions:
    """Validate config values; an error names the source and the config key."""
    try:
        return DeploymentOptions.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        raise ConfigError(f"{source}: {PROJECT}:{key}: {error['msg']}") from None


def options_from_stack_file(text: str, source: str) -> DeploymentOptions:
    """The options in a ``Pulumi.<stack>.yaml``: this project's keys, without the namespace."""
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    config = document.get("config") or {}
    prefix = f"{PROJECT}:"
    raw = {key[len(prefix):]: value for key, value in config.items()
           if key.startswith(prefix) and key != f"{prefix}workload"}
    return options_from_dict(raw, source)
