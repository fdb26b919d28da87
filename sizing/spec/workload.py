"""The workload definition users write in ``stacks/<stack>.yaml``.

A workload is a list of clusters; a cluster is a list of keyspaces plus how it is run.
Every model is frozen, strict and forbids unknown keys, so a typo fails with the line
that has it instead of being dropped. Field names are the user-facing YAML names.

Glossary
    keyspace        a group of keys of one type and shape (``session:{id}``).
    keys            number of keys in the keyspace.
    *_bytes         exact average lengths in bytes of keys, values, fields, members.
    numeric         the values (or elements, members) are decimal integers of that many
                    digits, spread evenly over the digits' range (``value_bytes: 3`` means
                    100..999); the engines store such values as integers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from sizing.spec.base import SpecModel
from sizing.spec.parameters import EngineParameters

DEFAULT_REGION = "us-east-1"
"""Where a cluster goes when neither its ``regions`` nor a stack's ``aws:region`` says."""

NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
"""Cluster names become ElastiCache replication-group ids: a letter first, then letters,
digits and single hyphens, not ending in one (CreateReplicationGroup's ReplicationGroupId
rules)."""
MAX_NAME_LENGTH = 37
"""ElastiCache allows 40 characters; a Global Datastore's secondaries are named
``<name>-r1`` and ``<name>-r2``, which takes 3 more."""

MAX_NUMERIC_DIGITS = 18
"""Longest decimal integer whose every value fits a signed 64-bit ``long``; longer "numbers"
are stored as strings by every engine (``string2l`` in ``util.c``)."""

SUPPORTED_VERSIONS: dict[str, tuple[str, ...]] = {
    "redis": ("6.2", "7.0", "7.1"),
    "valkey": ("7.2", "8.0", "8.1"),
}
"""Engine versions ElastiCache runs that this model has a profile for (newest last)."""


class Known(BaseModel):
    """Names the catalog knows, which a stack file may use: the spec checks against them, but
    does not read the catalog itself (``sizing.workloads`` passes them in as validation context)."""

    model_config = ConfigDict(frozen=True)

    regions: frozenset[str]
    global_datastore_regions: frozenset[str]
    families: frozenset[str]
    parameter_families: Mapping[str, str]
    """'<engine> <version>' -> its parameter-group family."""
    deployable_parameters: Mapping[str, frozenset[str]]
    """'<engine> <version>' -> the ``parameters:`` names its parameter group can set."""


def _known(info: ValidationInfo) -> Known | None:
    """The catalog's names where the caller gave them; models built in code (profiles,
    variants) are checked by the planner, which refuses unknown regions and families too."""
    context = info.context
    return context.get("known") if isinstance(context, dict) else None


class _Spec(SpecModel):
    """A part of the workload file."""


class _KeyspaceBase(_Spec):
    numeric_length_field: ClassVar[str | None] = None
    """The field whose length is a digit count when ``numeric`` is set."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.:{}-]+$", description="Name used in reports, e.g. 'session'.")
    keys: int = Field(ge=1, description="Number of keys in the keyspace.")
    key_bytes: int = Field(ge=1, le=65_536, description="Average key length in bytes.")
    ttl: bool = Field(default=False, description="Every key carries an expiry.")

    @model_validator(mode="after")
    def _numeric_fits(self) -> _KeyspaceBase:
        field = self.numeric_length_field
        if field and getattr(self, "numeric", False) and getattr(self, field) > MAX_NUMERIC_DIGITS:
            raise _FieldError(field, f"numeric values have at most {MAX_NUMERIC_DIGITS} digits, got {getattr(self, field)}")
        return self


class StringKeyspace(_KeyspaceBase):
    """Plain string values (SET/GET)."""

    type: Literal["string"]
    numeric_length_field: ClassVar[str | None] = "value_bytes"
    value_bytes: int = Field(ge=1, le=512 * 1024 * 1024, description="Average value length in bytes.")
    numeric: bool = Field(default=False, description="Values are decimal integers of value_bytes digits.")



class HashKeyspace(_KeyspaceBase):
    """Hashes of ``fields`` field/value pairs (HSET/HGET)."""

    type: Literal["hash"]
    numeric_length_field: ClassVar[str | None] = "value_bytes"
    fields: int = Field(ge=1, description="Average number of fields per hash.")
    field_bytes: int = Field(ge=1, le=65_536, description="Average field-name length in bytes.")
    value_bytes: int = Field(ge=1, le=512 * 1024 * 1024, description="Average field-value length in bytes.")
    numeric: bool = Field(default=False, description="Field values are decimal integers of value_bytes digits.")



class ListKeyspace(_KeyspaceBase):
    """Lists of ``elements`` elements (LPUSH/RPUSH)."""

    type: Literal["list"]
    numeric_length_field: ClassVar[str | None] = "element_bytes"
    elements: int = Field(ge=1, description="Average number of elements per list.")
    element_bytes: int = Field(ge=1, le=512 * 1024 * 1024, description="Average element length in bytes.")
    numeric: bool = Field(default=False, description="Elements are decimal integers of element_bytes digits.")



class SetKeyspace(_KeyspaceBase):
    """Sets of ``members`` members (SADD)."""

    type: Literal["set"]
    numeric_length_field: ClassVar[str | None] = "member_bytes"
    members: int = Field(ge=1, description="Average number of members per set.")
    member_bytes: int = Field(ge=1, le=65_536, description="Average member length in bytes.")
    numeric: bool = Field(default=False, description="Members are decimal integers of member_bytes digits.")



class ZsetKeyspace(_KeyspaceBase):
    """Sorted sets of ``members`` members with scores (ZADD)."""

    type: Literal["zset"]
    members: int = Field(ge=1, description="Average number of members per sorted set.")
    member_bytes: int = Field(ge=1, le=65_536, description="Average member length in bytes.")
    integer_scores: bool = Field(
        default=False,
        description="Scores are integers (10-digit, like Unix seconds); otherwise doubles that need 17 digits.",
    )


Keyspace = Annotated[
    StringKeyspace | HashKeyspace | ListKeyspace | SetKeyspace | ZsetKeyspace,
    Field(discriminator="type"),
]


class Traffic(_Spec):
    """Peak request load of the cluster."""

    peak_ops_per_sec: int = Field(default=10_000, ge=0, description="Commands per second at peak, all clients.")
    read_ratio: float = Field(default=0.8, ge=0, le=1, description="Share of commands that read.")
    peak_connections: int = Field(default=500, ge=0, le=65_000, description="Client connections at peak.")
    pipeline_depth: int = Field(default=1, ge=1, le=10_000, description="Commands a client sends before reading replies.")
    avg_request_bytes: int = Field(default=100, ge=1, description="Average command size on the wire.")
    avg_response_bytes: int = Field(default=500, ge=1, description="Average reply size on the wire.")
    hot_data_percent: float = Field(
        default=100.0, gt=0, le=100,
        description="Share of the keys read or written regularly. On data-tiering nodes (r6gd) only these keys' "
                    "values must stay in memory; the rest move to SSD (AWS: ideal up to 20%).")


class Availability(_Spec):
    """Replication and sharding limits."""

    replicas_per_shard: int = Field(default=1, ge=0, le=5, description="Read replicas per shard (0-5).")
    multi_az: bool = Field(default=True, description="Spread each shard's nodes over availability zones.")
    min_shards: int = Field(default=1, ge=1, le=500)
    max_shards: int = Field(default=500, ge=1, le=500)

    @model_validator(mode="after")
    def _consistent(self) -> Availability:
        if self.multi_az and self.replicas_per_shard == 0:
            raise _FieldError("multi_az", "Multi-AZ needs at least one replica per shard (replicas_per_shard >= 1)")
        if self.min_shards > self.max_shards:
            raise _FieldError("min_shards", f"must be <= max_shards ({self.max_shards}), got {self.min_shards}")
        return self


class Growth(_Spec):
    """Expected growth of the data; the plan is sized for the horizon."""

    monthly_percent: float = Field(default=0.0, ge=0, le=100, description="Growth of key counts per month, in percent.")
    horizon_months: int = Field(default=12, ge=0, le=60, description="Months ahead the plan must still fit.")


class NodeConstraints(_Spec):
    """Which node types the planner may choose."""

    families: list[str] | None = Field(default=None, min_length=1, description="Allowed families, e.g. [r7g, m7g].")
    data_tiering: bool = Field(default=False, description="Allow r6gd data-tiering nodes.")
    monthly_budget_usd: float | None = Field(default=None, gt=0, description="Reject plans that cost more per month.")


class Cluster(_Spec):
    """One ElastiCache replication group and the data it holds."""

    name: str = Field(pattern=NAME_PATTERN, max_length=MAX_NAME_LENGTH, description="Replication-group id.")
    engine: Literal["valkey", "redis"] = Field(default="valkey", description="Engine.")
    engine_version: str | None = Field(
        default=None, description="Engine version; default: the newest this tool supports for the engine."
    )
    cluster_mode: Literal["enabled", "disabled", "auto"] = Field(
        default="auto", description="Cluster mode; 'auto' lets the planner decide (estimated as disabled)."
    )
    use_case: Literal["cache", "session_store", "analytics", "queue"] = Field(default="cache")
    write_pattern: Literal["read_heavy", "write_heavy", "mixed", "analytical"] = Field(default="mixed")
    keyspaces: list[Keyspace] = Field(min_length=1)
    parameters: EngineParameters = Field(
        default_factory=EngineParameters, description="Engine parameter overrides (parameter-group names)."
    )
    traffic: Traffic = Field(default_factory=Traffic)
    availability: Availability = Field(default_factory=Availability)
    regions: list[str] = Field(
        default_factory=lambda: [DEFAULT_REGION], min_length=1, max_length=3,
        description="AWS regions; the first is the primary, more make a Global Datastore (at most 2 secondaries). "
                    "Default: the stack's aws:region (us-east-1 where there is no stack config).",
    )
    growth: Growth = Field(default_factory=Growth)
    nodes: NodeConstraints = Field(default_factory=NodeConstraints)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Cluster:
        supported = SUPPORTED_VERSIONS[self.engine]
        if self.engine_version is not None and self.engine_version not in supported:
            raise _FieldError(
                "engine_version",
                f"{self.engine} {self.engine_version} is not supported (supported: {', '.join(supported)})",
            )
        _check_unique([k.name for k in self.keyspaces], "keyspaces", "keyspace")
        _check_unique_values(self.regions, "regions", "region")
        known = _known(info)
        if known is not None:
            _check_regions(self.regions, known)
            _check_deployable(self, known)
            for index, family in enumerate(self.nodes.families or ()):
                if family not in known.families:
                    raise _FieldError(f"nodes.families[{index}]",
                                      f"unknown family '{family}' (known: {', '.join(sorted(known.families))})")
        return self

    @property
    def version(self) -> str:
        """The engine version, with the default applied."""
        return self.engine_version or SUPPORTED_VERSIONS[self.engine][-1]

    @property
    def cluster_mode_enabled(self) -> bool:
        """Whether the estimate assumes cluster mode ('auto' estimates as disabled)."""
        return self.cluster_mode == "enabled"


class Workload(_Spec):
    """Everything one stack file describes."""

    clusters: list[Cluster] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Workload:
        _check_unique([c.name for c in self.clusters], "clusters", "cluster")
        return self

    def with_default_region(self, region: str | None, known: Known) -> Workload:
        """The workload with ``region`` for every cluster that names no ``regions`` of its own.

        A Pulumi stack deploys to its ``aws:region``; a cluster written without ``regions``
        follows it rather than the file's built-in default.
        """
        if region is None or all("regions" in cluster.model_fields_set for cluster in self.clusters):
            return self
        if region not in known.regions:
            raise ValueError(f"unknown region '{region}'")
        context = {"known": known}
        clusters = [cluster if "regions" in cluster.model_fields_set
                    else Cluster.model_validate({**cluster.model_dump(by_alias=True, exclude_unset=True),
                                                 "regions": [region]}, context=context)
                    for cluster in self.clusters]
        return Workload.model_validate({"clusters": clusters}, context=context)


def _FieldError(field: str, message: str) -> PydanticCustomError:
    """A failure found by a model validator that belongs to one of the model's fields;
    the loader appends ``field`` to the error's location."""
    return PydanticCustomError("field_error", "{message}", {"field": field, "message": message})


def _check_regions(regions: list[str], known: Known) -> None:
    for index, region in enumerate(regions):
        if region not in known.regions:
            raise _FieldError(f"regions[{index}]", f"unknown region '{region}'")
        if len(regions) > 1 and region not in known.global_datastore_regions:
            raise _FieldError(f"regions[{index}]", f"{region} does not support Global Datastore")


def _check_deployable(cluster: Cluster, known: Known) -> None:
    """Every parameter the estimate uses must reach the deployed cluster's parameter group."""
    version = f"{cluster.engine} {cluster.version}"
    deployable = known.deployable_parameters.get(version)
    if deployable is None:
        return
    for name in cluster.parameters.model_dump(by_alias=True, exclude_none=True):
        if name not in deployable:
            family = known.parameter_families[version]
            raise _FieldError(f"parameters.{name}",
                              f"ElastiCache does not let a {family} parameter group ({version}) set {name}, so the "
                              f"deployed cluster would run the default while the plan assumed your value; remove it")


def _check_unique_values(values: list[str], field: str, what: str) -> None:
    for index, value in enumerate(values):
        if value in values[:index]:
            raise _FieldError(f"{field}[{index}]", f"duplicate {what} '{value}'")


def _check_unique(names: list[str], field: str, what: str) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise _FieldError(f"{field}[{index}].name", f"duplicate {what} name '{name}'")
        seen.add(name)


def workload_json_schema() -> dict[str, object]:
    """JSON Schema of the stack file, as users write it (parameter names hyphenated)."""
    schema = Workload.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ElastiCache sizing workload (stacks/<stack>.yaml)"
    return schema
