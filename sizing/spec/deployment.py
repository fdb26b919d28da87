"""How a stack deploys its clusters: network, access, backups, logs, alarms, protection.

The workload file says what the data is; these options say where and how it runs. They
come from the stack's Pulumi config (``Pulumi.<stack>.yaml``, keys declared with types in
``Pulumi.yaml``). The Pulumi program reads them with ``sizing_infra.load_options``; the
``preview`` and ``diff`` commands read the same file as text, with no Pulumi involved.
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from sizing.errors import ConfigError
from sizing.spec.files import UnreadableFile, read_file
from sizing.spec.messages import causes, field_error, message, shown
from sizing.spec.strict_yaml import LimitError, Refusals, load_yaml, problem
from sizing.spec.windows import DailyWindow, WeeklyWindow
from sizing.spec.workload import Known, Workload

PROJECT = "elasticache-sizing"
"""Config namespace: the ``name`` in Pulumi.yaml."""

LOG_RETENTION_DAYS = (0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)
"""Retentions CloudWatch Logs accepts (PutRetentionPolicy ``retentionInDays``; the provider's
``retention_in_days`` validator has the same list). 0 is the provider's "never expire"."""
MIN_WINDOW_MINUTES = 60
"""ElastiCache refuses snapshot and maintenance windows shorter than 60 minutes
(CreateReplicationGroup ``SnapshotWindow``/``PreferredMaintenanceWindow``)."""
MAX_MAINTENANCE_WINDOW_MINUTES = 24 * 60
"""The longest maintenance window ElastiCache takes ("Managing maintenance": up to 24 hours)."""
_COMPOSER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_USER_GROUPS = 1
"""A replication group belongs to at most one RBAC user group (CreateReplicationGroup ``UserGroupIds``)."""


class RegionNetwork(BaseModel):
    """Where a region's replication group lives. Empty means the region's default VPC."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    vpc_id: str | None = Field(default=None, alias="vpcId", pattern=r"^vpc-[0-9a-f]+$",
                               description="VPC of the security group; without it ElastiCache's default applies.")
    subnet_ids: tuple[Annotated[str, Field(pattern=r"^subnet-[0-9a-f]+$")], ...] = Field(
        default=(), alias="subnetIds", description="Subnets of the cache subnet group (one per AZ used).")
    allowed_cidrs: tuple[str, ...] = Field(default=(), alias="allowedCidrs",
                                           description="CIDR blocks that may connect to the cache port.")
    allowed_security_group_ids: tuple[Annotated[str, Field(pattern=r"^sg-[0-9a-f]+$")], ...] = Field(
        default=(), alias="allowedSecurityGroupIds", description="Security groups that may connect.")

    @field_validator("allowed_cidrs")
    @classmethod
    def _cidrs(cls, cidrs: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in cidrs:
            try:
                ipaddress.ip_network(cidr, strict=True)
            except ValueError as exc:
                raise ValueError(f"{cidr!r} is not a CIDR block ({exc})") from None
        return cidrs

    @model_validator(mode="after")
    def _one_vpc(self) -> RegionNetwork:
        # The security group is created in vpcId and the cluster in the subnets' group; with
        # only one of them the cluster would land in the default VPC, or its security group in
        # another VPC than its subnets.
        if self.vpc_id and not self.subnet_ids:
            raise ValueError("vpcId needs subnetIds (subnets of that VPC); without them the cluster goes into "
                             "the default VPC")
        if self.subnet_ids and not self.vpc_id:
            raise ValueError("subnetIds needs vpcId (the VPC of those subnets), for the cluster's security group")
        if (self.allowed_cidrs or self.allowed_security_group_ids) and not self.vpc_id:
            raise ValueError("allowedCidrs and allowedSecurityGroupIds need vpcId and subnetIds")
        return self


class DeploymentOptions(BaseModel):
    """Everything about a deployment that is not sizing."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    production: bool = Field(default=False, description="Protect replication groups and retain them on delete.")
    networks: dict[str, RegionNetwork] = Field(
        default_factory=dict, description="Network per region; regions not listed use their default VPC.")
    user_group_ids: tuple[str, ...] = Field(
        default=(), alias="userGroupIds",
        description="RBAC user group (at most one); when set, no AUTH token is generated.")
    alarm_topic_arn: str | None = Field(
        default=None, alias="alarmTopicArn", pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$",
        description="Existing SNS topic for the alarms in its region; other regions get a topic of their own.")
    alarm_email: str | None = Field(default=None, alias="alarmEmail", pattern=r"^[^@\s]+@[^@\s]+$",
                                    description="Subscribe this address to the alarm topic.")
    snapshot_retention_days: int = Field(default=1, ge=0, le=35, alias="snapshotRetentionDays",
                                         description="Daily snapshots kept (0 turns them off; ElastiCache allows 35).")
    snapshot_window: str = Field(default="03:00-05:00", alias="snapshotWindow",
                                 description="Daily, UTC, hh:mm-hh:mm; at least 60 minutes, clear of the maintenance window.")
    maintenance_window: str = Field(
        default="sun:05:30-sun:07:00", alias="maintenanceWindow",
        description="Weekly, UTC, ddd:hh:mm-ddd:hh:mm; 60 minutes to 24 hours.")
    log_retention_days: int = Field(default=30, alias="logRetentionDays",
                                    description="Retention of the slow-log and engine-log groups, in days "
                                                "(one of CloudWatch's values; 0 keeps them forever).")
    port: int = Field(default=6379, ge=1024, le=65535, description="Cache port (ElastiCache's default).")

    @field_validator("snapshot_window")
    @classmethod
    def _snapshot_window(cls, text: str) -> str:
        DailyWindow.parse(text).check_length(MIN_WINDOW_MINUTES)
        return text

    @field_validator("maintenance_window")
    @classmethod
    def _maintenance_window(cls, text: str) -> str:
        WeeklyWindow.parse(text).check_length(MIN_WINDOW_MINUTES, MAX_MAINTENANCE_WINDOW_MINUTES)
        return text

    @field_validator("user_group_ids")
    @classmethod
    def _one_user_group(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        if len(ids) > MAX_USER_GROUPS:
            raise ValueError(f"a replication group takes at most {MAX_USER_GROUPS} RBAC user group, got {len(ids)}")
        return ids

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(f"CloudWatch Logs keeps logs for one of {', '.join(map(str, LOG_RETENTION_DAYS))} "
                             f"days (0: forever), got {days}")
        return days

    @model_validator(mode="after")
    def _windows_apart(self) -> DeploymentOptions:
        # ElastiCache refuses a snapshot window that overlaps the maintenance window; with
        # snapshots off the program sends no snapshot window.
        if self.snapshot_retention_days and WeeklyWindow.parse(self.maintenance_window).overlaps(
                DailyWindow.parse(self.snapshot_window)):
            raise field_error("snapshotWindow", f"{self.snapshot_window} overlaps maintenanceWindow "
                                                f"{self.maintenance_window}; ElastiCache refuses that")
        return self

    def network(self, region: str) -> RegionNetwork:
        return self.networks.get(region, RegionNetwork())


CONFIG_KEYS: dict[str, str] = {
    # config key -> the Pulumi config getter sizing_infra.load_options reads it with
    "production": "bool", "networks": "object", "userGroupIds": "object", "alarmTopicArn": "str",
    "alarmEmail": "str", "snapshotRetentionDays": "int", "snapshotWindow": "str", "maintenanceWindow": "str",
    "logRetentionDays": "int", "port": "int",
}


ConfigPath = tuple[str | int, ...]


def options_from_dict(raw: dict[str, Any], source: str, lines: Mapping[ConfigPath, int] | None = None) -> DeploymentOptions:
    """Validate config values; each error is a line naming the source, the key's line where
    ``lines`` has it (``config_lines``) and the config key, all of them at once, in file order."""
    try:
        return DeploymentOptions.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in causes(exc.errors()):
            location: list[str | int] = list(error["loc"])
            if error["type"] == "field_error" and error["ctx"]["field"]:
                location.append(error["ctx"]["field"])
            line = _nearest_line(tuple(location), lines or {})
            where = f"{source}:{line}" if line else source
            key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location).lstrip(".")
            problems.append((line or 0, f"{where}: {PROJECT}:{key}: {_config_message(error, location)}"))
        raise ConfigError("\n".join(text for _, text in sorted(problems, key=lambda problem: problem[0]))) from None


def _config_message(error: ErrorDetails, location: list[str | int]) -> str:
    if "secure" in location or isinstance(error.get("input"), dict) and "secure" in error["input"]:
        # Pulumi's encrypted values are {secure: ...}: never echo one, even where it does not belong
        return ("a secret value (secure:), which a command that reads the file as text cannot decrypt; only "
                "`pulumi` reads it")
    if error["type"] != "extra_forbidden":
        return message(error).removeprefix("Value error, ")
    if len(location) == 1:
        known = list(CONFIG_KEYS)
    else:
        fields = RegionNetwork.model_fields.values()
        known = [field.alias or "" for field in fields] if len(location) == 3 and location[0] == "networks" else []
    close = difflib.get_close_matches(str(location[-1]), known, n=1)
    return f"unknown config key; did you mean '{close[0]}'?" if close else (
        f"unknown config key (known: {', '.join(known)})" if known else "unknown config key")


def config_lines(text: str) -> dict[ConfigPath, int]:
    """Line (1-based) of each of this project's config keys and of everything under them, by
    the path a validation error names (``('networks', 'us-east-1', 'subnetIds', 0)``), and
    of every config key by its full name after an empty part (``('', 'aws:region')``).
    Empty where the text is not a YAML mapping with a ``config`` mapping."""
    try:
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.YAMLError:
        return {}
    config = next((value for key, value in root.value if key.value == "config"),
                  None) if isinstance(root, yaml.MappingNode) else None
    if not isinstance(config, yaml.MappingNode):
        return {}
    lines: dict[ConfigPath, int] = {}
    stack: list[tuple[ConfigPath, yaml.Node]] = []
    for key, value in config.value:
        name = str(key.value)
        lines[("", name)] = key.start_mark.line + 1  # every key by its full name ('' is no config key)
        if name.startswith(f"{PROJECT}:"):
            path: ConfigPath = (name.removeprefix(f"{PROJECT}:"),)
            lines[path] = key.start_mark.line + 1
            stack.append((path, value))
    while stack:
        path, node = stack.pop()
        children = [(str(k.value), k, v) for k, v in node.value] if isinstance(node, yaml.MappingNode) else (
            [(index, item, item) for index, item in enumerate(node.value)] if isinstance(node, yaml.SequenceNode) else [])
        for part, marked, child in children:
            lines[(*path, part)] = marked.start_mark.line + 1
            stack.append(((*path, part), child))
    return lines


def _nearest_line(location: ConfigPath, lines: Mapping[ConfigPath, int]) -> int | None:
    for end in range(len(location), 0, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return None


class StackConfig(BaseModel):
    """What a ``Pulumi.<stack>.yaml`` says that the sizing needs: this project's options and
    the stack's ``aws:region``, where clusters without ``regions`` go."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(description="Where it was read, for errors.")
    options: DeploymentOptions
    aws_region: str | None = None
    aws_region_line: int | None = Field(default=None, description="Line of aws:region in the file, for errors.")

    def place(self, workload: Workload, known: Known) -> Workload:
        """``workload`` with the stack's region for clusters that name none."""
        try:
            return workload.with_default_region(self.aws_region, known)
        except ValueError as exc:
            where = f"{self.source}:{self.aws_region_line}" if self.aws_region_line else self.source
            raise ConfigError(f"{where}: aws:region: {exc}") from None


def stack_config_from_path(path: Path) -> StackConfig:
    """``stack_config_from_file`` of the file at ``path``, unreadable files in one line."""
    try:
        raw = read_file(path, "a stack config file")
    except UnreadableFile as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return stack_config_from_file(raw, str(path))


def stack_config_from_file(text: str | bytes, source: str) -> StackConfig:
    """The options in a ``Pulumi.<stack>.yaml`` (this project's keys, without the namespace)
    and the stack's AWS region."""
    if isinstance(text, bytes):
        content = text
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = content[:exc.start].count(b"\n") + 1
            raise ConfigError(f"{source}:{line}: not UTF-8 text: byte 0x{content[exc.start]:02x} cannot be read; "
                              "save the file as UTF-8") from None
    try:
        document = load_yaml(text) or {}
    except LimitError as exc:
        raise ConfigError(f"{source}:1: {exc}") from None
    except Refusals as exc:
        found = sorted((problem(refusal, text) for refusal in exc.problems), key=lambda found: found[0] or 0)
        raise ConfigError("\n".join(f"{source}:{line}: not valid YAML: {words}" for line, words in found)) from None
    except yaml.YAMLError as exc:
        mark, words = problem(exc, text)
        raise ConfigError(f"{source}{f':{mark}' if mark else ''}: not valid YAML: {words}") from None
    if not isinstance(document, dict):
        raise ConfigError(f"{source}: expected a mapping with a 'config' section, got {type(document).__name__}")
    config = document.get("config") or {}
    if not isinstance(config, dict) or not all(isinstance(key, str) for key in config):
        raise ConfigError(f"{source}: config: expected a mapping of 'namespace:key' names to values")
    lines = config_lines(text)

    def where(key: str) -> str:
        return f"{source}:{lines[('', key)]}" if ("", key) in lines else source

    for key in config:
        namespace = str(key).partition(":")[0]
        if namespace != PROJECT and difflib.get_close_matches(namespace, [PROJECT], n=1, cutoff=0.8):
            raise ConfigError(f"{where(key)}: config.{key}: unknown namespace '{namespace}'; did you mean '{PROJECT}'? "
                              "(a misspelt namespace is otherwise ignored)")
    prefix = f"{PROJECT}:"
    raw = {key[len(prefix):]: value for key, value in config.items()
           if key.startswith(prefix) and key != f"{prefix}workload"}
    region = config.get("aws:region")
    if region is not None and not isinstance(region, str):
        raise ConfigError(f"{where('aws:region')}: aws:region: expected a region name such as us-east-1, got "
                          f"{shown(region)}")
    return StackConfig(source=source, options=options_from_dict(raw, source, lines), aws_region=region,
                       aws_region_line=lines.get(("", "aws:region")))
