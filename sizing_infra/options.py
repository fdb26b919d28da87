"""How a stack deploys its clusters: network, access, backups, logs, alarms, protection.

The workload file says what the data is; these options say where and how it runs. They
come from the stack's Pulumi config (declared with types in ``Pulumi.yaml``) and are read
once, by :func:`load_options`, into one frozen model. ``python -m sizing preview`` builds
the same model without Pulumi config.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sizing.errors import SizingError

PROJECT = "elasticache-sizing"
"""Config namespace: the ``name`` in Pulumi.yaml."""


class ConfigError(SizingError):
    """A stack config value that cannot be used; names the config key."""


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


_KEYS: dict[str, str] = {
    # config key -> getter kind; read here and nowhere else
    "production": "bool", "networks": "object", "userGroupIds": "object", "alarmTopicArn": "str",
    "alarmEmail": "str", "snapshotRetentionDays": "int", "snapshotWindow": "str", "maintenanceWindow": "str",
    "logRetentionDays": "int", "port": "int",
}


def load_options(config: pulumi.Config | None = None) -> DeploymentOptions:
    """The stack's deployment options from its Pulumi config, validated at once."""
    config = config or pulumi.Config(PROJECT)
    getters: dict[str, Callable[[str], Any]] = {
        "bool": config.get_bool, "int": config.get_int, "str": config.get, "object": config.get_object}
    raw: dict[str, Any] = {}
    for key, kind in _KEYS.items():
        value = getters[kind](key)
        if value is not None:
            raw[key] = value
    return options_from_dict(raw, f"Pulumi.{pulumi.get_stack()}.yaml")


def options_from_dict(raw: dict[str, Any], source: str) -> DeploymentOptions:
    """Validate config values; an error names the source and the config key."""
    try:
        return DeploymentOptions.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        raise ConfigError(f"{source}: {PROJECT}:{key}: {error['msg']}") from None
