"""The workload definition users write in ``stacks/<stack>.yaml``.

A workload is a list of clusters; a cluster is a list of keyspaces plus how it is run.
Every model is frozen, strict and forbids unknown keys, so a typo fails with the line
that has it instead of being dropped. Field names are the user-facing YAML names.

Glossary
    keyspace        a group of keys of one type and shape (``session:{id}``).
    keys            number of keys in the keyspace (or a range: the plan sizes for the high end).
    *_bytes         lengths in bytes of keys, values, fields, members: a plain number is
                    exact (every item has that length); quantiles or a histogram say how
                    they vary (``sizing.spec.distribution``).
    fields, members, elements
                    items per collection: exact, or varying the same way.
    numeric         the values (or elements, members, field names) that are decimal
                    integers: all, none or a share. Integers of d digits are spread evenly
                    over the digits' range (``value_bytes: 3`` means 100..999); the engines
                    store them as integers.
    ttl             the keys that carry an expiry: all, none or a share.
    written         how collections are written: ``in_batches`` (commands of up to 1,000
                    elements, as loaders and pipelines that write a whole collection do)
                    or ``one_by_one`` (an HSET, SADD, ZADD or RPUSH per element, as most
                    applications do). From Redis 7.2 a command's element count pre-sizes
                    a collection's table; one by one, a table is sized only when a
                    listpack or intset converts, and grows from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, WithJsonSchema, model_validator
from pydantic.json_schema import SkipJsonSchema

from sizing.spec.base import SpecModel
from sizing.spec.distribution import (
    MAX_NUMERIC_DIGITS,
    Numeric,
    NumericShare,
    Share,
    SizeField,
    bounded,
    upper,
)
from sizing.spec.messages import field_error, nested
from sizing.spec.parameters import EngineParameters
from sizing.spec.placement import Placement

DEFAULT_REGION = "us-east-1"
"""Where a cluster goes when neither its ``regions`` nor a stack's ``aws:region`` says."""

NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
"""Cluster names become ElastiCache replication-group ids: a letter first, then letters,
digits and single hyphens, not ending in one (CreateReplicationGroup's ReplicationGroupId
rules)."""
MAX_NAME_LENGTH = 37
"""ElastiCache allows 40 characters; a Global Datastore's secondaries are named
``<name>-r1`` and ``<name>-r2``, which takes 3 more."""

SUPPORTED_VERSIONS: dict[str, tuple[str, ...]] = {
    "redis": ("6.2", "7.0", "7.1"),
    "valkey": ("7.2", "8.0", "8.1", "8.2", "9.0", "9.1"),
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


MAX_KEYS = 10**13
"""More keys than the largest cluster holds: 500 shards of cache.r7g.16xlarge (about 420 GB
each) at the smallest cost of a key (about 16 bytes). A bound, so that an absurd count is
refused instead of overflowing the arithmetic."""


class KeyRange(_Spec):
    """A key count known only within bounds: the plan sizes for ``high`` and shows both."""

    low: int = Field(ge=1, le=MAX_KEYS)
    high: int = Field(ge=1, le=MAX_KEYS)

    @model_validator(mode="after")
    def _ordered(self) -> KeyRange:
        if self.high < self.low:
            raise field_error("high", f"must be >= low ({self.low}), got {self.high}")
        return self


KEY_RANGE_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["low", "high"],
    "properties": {"low": {"type": "integer", "minimum": 1, "maximum": MAX_KEYS},
                   "high": {"type": "integer", "minimum": 1, "maximum": MAX_KEYS}},
}
NameBytes = Annotated[SizeField, bounded(1, 65_536)]
"""Lengths of keys, field names and members: at most 64 KiB here (the engines allow 512 MB)."""
StringBytes = Annotated[SizeField, bounded(1, 512 * 1024 * 1024)]
"""Lengths of values and list elements: at most 512 MB (``proto-max-bulk-len``)."""
Count = Annotated[SizeField, bounded(1, 2**32 - 1)]
"""Elements per collection: at most 2^32 - 1."""
TTL = Field(default=False, description="Keys that carry an expiry: true (all), false (none) or a share (0.3).")


class _KeyspaceBase(_Spec):
    numeric_length_fields: ClassVar[dict[str, str]] = {}
    """numeric flag -> the length field that counts digits when it is set."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.:{}-]+$", description="Name used in reports, e.g. 'session'.")
    keys: Annotated[int, WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_KEYS},
                                                   KEY_RANGE_SCHEMA]})] = Field(
        ge=1, le=MAX_KEYS, description="Number of keys, or {low: ..., high: ...}: the plan sizes for high.")
    keys_low: SkipJsonSchema[int | None] = Field(default=None, ge=1, le=MAX_KEYS, description="Low end of a keys range.")
    key_bytes: NameBytes = Field(description="Key length in bytes: a number, quantiles or a histogram.")
    ttl: Share = TTL

    @model_validator(mode="before")
    @classmethod
    def _key_range(cls, data: Any) -> Any:
        """``keys: {low, high}`` is kept as keys=high (what is planned for) and keys_low."""
        if isinstance(data, dict) and isinstance(data.get("keys"), dict):
            if "keys_low" in data:
                raise field_error("keys_low", "give the range as keys: {low: ..., high: ...} only")
            try:
                span = KeyRange.model_validate(data["keys"])
            except ValidationError as exc:
                raise nested(exc, under="keys") from None
            return {**data, "keys": span.high, "keys_low": span.low}
        return data

    @model_validator(mode="after")
    def _numeric_fits(self) -> _KeyspaceBase:
        for flag, field in self.numeric_length_fields.items():
            numeric = getattr(self, flag)
            if numeric is False or numeric == 0 or (isinstance(numeric, NumericShare) and numeric.digits is not None):
                continue
            if upper(getattr(self, field)) > MAX_NUMERIC_DIGITS:
                raise field_error(field, f"numeric values have at most {MAX_NUMERIC_DIGITS} digits, got "
                                         f"{upper(getattr(self, field))} (give {flag}: {{share: ..., digits: ...}} "
                                         f"when only some values are integers)")
        return self

    @property
    def ttl_share(self) -> float:
        """true is every key, 0.3 is 30% of them."""
        return float(self.ttl)


Written = Literal["in_batches", "one_by_one"]


class _CollectionBase(_KeyspaceBase):
    written: Written = Field(
        default="in_batches",
        description="How collections are written: in_batches (commands of up to 1,000 elements) or one_by_one "
                    "(one HSET/SADD/ZADD/RPUSH per element).")


class StringKeyspace(_KeyspaceBase):
    """Plain string values (SET/GET)."""

    type: Literal["string"]
    numeric_length_fields: ClassVar[dict[str, str]] = {"numeric": "value_bytes"}
    value_bytes: StringBytes = Field(description="Value length in bytes: a number, quantiles or a histogram.")
    numeric: Numeric = Field(default=False, description="Values that are decimal integers (of value_bytes digits).")


class HashKeyspace(_CollectionBase):
    """Hashes of ``fields`` field/value pairs (HSET/HGET)."""

    type: Literal["hash"]
    numeric_length_fields: ClassVar[dict[str, str]] = {"numeric": "value_bytes", "numeric_fields": "field_bytes"}
    fields: Count = Field(description="Fields per hash: a number, quantiles or a histogram.")
    field_bytes: NameBytes = Field(description="Field-name length in bytes.")
    value_bytes: StringBytes = Field(description="Value length in bytes: a number, quantiles or a histogram.")
    numeric: Numeric = Field(default=False, description="Field values that are decimal integers.")
    numeric_fields: Numeric = Field(default=False, description="Field names that are decimal integers (ids, SKUs).")


class ListKeyspace(_CollectionBase):
    """Lists of ``elements`` elements (LPUSH/RPUSH)."""

    type: Literal["list"]
    numeric_length_fields: ClassVar[dict[str, str]] = {"numeric": "element_bytes"}
    elements: Count = Field(description="Elements per list: a number, quantiles or a histogram.")
    element_bytes: StringBytes = Field(description="Element length in bytes.")
    numeric: Numeric = Field(default=False, description="Elements that are decimal integers.")


class SetKeyspace(_CollectionBase):
    """Sets of ``members`` members (SADD)."""

    type: Literal["set"]
    numeric_length_fields: ClassVar[dict[str, str]] = {"numeric": "member_bytes"}
    members: Count = Field(description="Members per set: a number, quantiles or a histogram.")
    member_bytes: NameBytes = Field(description="Member length in bytes.")
    numeric: Numeric = Field(default=False, description="Members that are decimal integers.")


ScoreKind = Literal["floats", "unix_seconds", "unix_millis", "small_integers"]


class ZsetKeyspace(_CollectionBase):
    """Sorted sets of ``members`` members with scores (ZADD)."""

    type: Literal["zset"]
    numeric_length_fields: ClassVar[dict[str, str]] = {"numeric": "member_bytes"}
    members: Count = Field(description="Members per sorted set: a number, quantiles or a histogram.")
    member_bytes: NameBytes = Field(description="Member length in bytes.")
    numeric: Numeric = Field(default=False, description="Members that are decimal integers (user or post ids).")
    scores: ScoreKind = Field(
        default="floats",
        description="floats (17 significant digits), unix_seconds (10 digits), unix_millis (13 digits) or "
                    "small_integers (0..4095: ranks, counts).")


Keyspace = Annotated[
    StringKeyspace | HashKeyspace | ListKeyspace | SetKeyspace | ZsetKeyspace,
    Field(discriminator="type"),
]


class Traffic(_Spec):
    """Request load of the cluster: nodes are sized for the peak, serverless bills the average."""

    peak_ops_per_sec: int = Field(default=10_000, ge=0, description="Commands per second at peak, all clients.")
    avg_ops_per_sec: int | None = Field(
        default=None, ge=0,
        description="Commands per second averaged over a month (what serverless ECPUs are billed on). Default: "
                    "peak_ops_per_sec, so a serverless estimate without it is an upper bound.")
    ecpu_per_command: float | None = Field(
        default=None, gt=0, le=1_000_000,
        description="ElastiCache Processing Units an average command uses on serverless. Default: 1 per KB of "
                    "avg_request_bytes + avg_response_bytes, at least 1 (AWS: simple reads and writes); set it "
                    "higher for commands that use more CPU (sorted-set ranges, Lua).")
    read_ratio: float = Field(default=0.8, ge=0, le=1, description="Share of commands that read.")
    peak_connections: int = Field(default=500, ge=0, le=65_000, description="Client connections at peak.")
    pipeline_depth: int = Field(default=1, ge=1, le=10_000, description="Commands a client sends before reading replies.")
    avg_request_bytes: int = Field(default=100, ge=1, description="Average command size on the wire.")
    avg_response_bytes: int = Field(default=500, ge=1, description="Average reply size on the wire.")
    hot_data_percent: float = Field(
        default=100.0, gt=0, le=100,
        description="Share of the keys read or written regularly. On data-tiering nodes (r6gd) only these keys' "
                    "values must stay in memory; the rest move to SSD (AWS: ideal up to 20%).")

    @model_validator(mode="after")
    def _average_below_peak(self) -> Traffic:
        if self.avg_ops_per_sec is not None and self.avg_ops_per_sec > self.peak_ops_per_sec:
            raise field_error("avg_ops_per_sec",
                              f"must be <= peak_ops_per_sec ({self.peak_ops_per_sec}), got {self.avg_ops_per_sec}")
        return self

    @property
    def average_ops_per_sec(self) -> int:
        """The monthly average, with the default (the peak) applied."""
        return self.peak_ops_per_sec if self.avg_ops_per_sec is None else self.avg_ops_per_sec


class Availability(_Spec):
    """Replication and sharding limits."""

    replicas_per_shard: int = Field(default=1, ge=0, le=5, description="Read replicas per shard (0-5).")
    multi_az: bool = Field(default=True, description="Spread each shard's nodes over availability zones.")
    min_shards: int = Field(default=1, ge=1, le=500)
    max_shards: int = Field(default=500, ge=1, le=500)

    @model_validator(mode="after")
    def _consistent(self) -> Availability:
        if self.multi_az and self.replicas_per_shard == 0:
            raise field_error("multi_az", "Multi-AZ needs at least one replica per shard (replicas_per_shard >= 1)")
        if self.min_shards > self.max_shards:
            raise field_error("min_shards", f"must be <= max_shards ({self.max_shards}), got {self.min_shards}")
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


class Churn(_Spec):
    """How keys are rewritten: what fragments a node's memory (``sizing.planning.fragmentation``).
    Unset fields take the write pattern's defaults (``DEFAULT_CHURN``)."""

    rewritten_per_hour: float | None = Field(
        default=None, ge=0, le=100, description="Keys rewritten per hour, as a share of all keys (0.05: 5% an hour).")
    sizes: Literal["unchanged", "vary", "reshaped"] | None = Field(
        default=None, description="What a rewrite does to a value's size: 'unchanged' (or new sizes from the same "
                                  "population, or collection elements replaced), 'vary' (each rewrite changes it) or "
                                  "'reshaped' (written at one size, rewritten at others).")
    size_change_percent: float = Field(
        default=50, gt=0, lt=100, description="How much a rewrite under 'vary' changes a value's size, at most (a "
                                              "factor uniform in 1 - p/100 .. 1 + p/100), and the spread around the "
                                              "mean a 'reshaped' rewrite draws from.")


DEFAULT_CHURN: dict[str, tuple[float, str]] = {
    "read_heavy": (0.001, "vary"),
    "mixed": (0.02, "vary"),
    "write_heavy": (0.10, "vary"),
    "analytical": (0.02, "unchanged"),
}
"""(share of keys rewritten per hour, sizes) assumed when the stack does not say: a read-heavy
cache rewrites about a thousandth of its keys an hour, a mixed one 2%, a write-heavy one
10%; analytical collections gain and lose elements rather than resizing values. These are
this project's assumptions, not measurements: state ``churn`` to plan for your own."""


class Cluster(_Spec):
    """One ElastiCache replication group and the data it holds."""

    name: str = Field(pattern=NAME_PATTERN, max_length=MAX_NAME_LENGTH, description="Replication-group id.")
    engine: Literal["valkey", "redis"] = Field(default="valkey", description="Engine.")
    engine_version: str | None = Field(
        default=None, description="Engine version; default: the newest this tool supports for the engine."
    )
    deployment: Literal["nodes", "serverless", "auto"] = Field(
        default="auto",
        description="ElastiCache deployment: 'nodes' (a replication group of chosen node types), 'serverless' "
                    "(ElastiCache Serverless) or 'auto': serverless where it is allowed and costs less than the "
                    "cheapest node layout, else nodes.")
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
    placement: Placement | None = Field(
        default=None, description="Where the clients are and the latency they accept: the planner chooses the "
                                  "regions (instead of `regions`).")
    growth: Growth = Field(default_factory=Growth)
    churn: Churn = Field(default_factory=Churn)
    nodes: NodeConstraints = Field(default_factory=NodeConstraints)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Cluster:
        supported = SUPPORTED_VERSIONS[self.engine]
        if self.engine_version is not None and self.engine_version not in supported:
            raise field_error(
                "engine_version",
                f"{self.engine} {self.engine_version} is not supported (supported: {', '.join(supported)})",
            )
        _check_unique([k.name for k in self.keyspaces], "keyspaces", "keyspace")
        _check_unique_values(self.regions, "regions", "region")
        known = _known(info)
        if known is not None:  # a file as written (the planner's own variants shape node layouts)
            _check_serverless(self)
            _check_regions(self.regions, known)
            _check_placement(self, known)
            _check_deployable(self, known)
            for index, family in enumerate(self.nodes.families or ()):
                if family not in known.families:
                    raise field_error(f"nodes.families[{index}]",
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
        def placed(cluster: Cluster) -> bool:
            return "regions" in cluster.model_fields_set or cluster.placement is not None

        if region is None or all(placed(cluster) for cluster in self.clusters):
            return self
        if region not in known.regions:
            raise ValueError(f"unknown region '{region}'")
        context = {"known": known}
        clusters = [cluster if placed(cluster)
                    else Cluster.model_validate({**cluster.model_dump(by_alias=True, exclude_unset=True),
                                                 "regions": [region]}, context=context)
                    for cluster in self.clusters]
        return Workload.model_validate({"clusters": clusters}, context=context)


def _check_serverless(cluster: Cluster) -> None:
    """What rules serverless out is the planner's (sizing.planning.serverless); these two the
    file alone shows, so they are refused where they are written."""
    if cluster.deployment == "serverless" and cluster.cluster_mode == "disabled":
        raise field_error("deployment", "serverless always runs cluster mode, and cluster_mode is disabled "
                                        "(set cluster_mode: enabled or auto, or deployment: nodes)")
    if cluster.deployment == "serverless" and len(cluster.regions) > 1:
        raise field_error("deployment", f"serverless has no Global Datastore, and regions lists "
                                        f"{len(cluster.regions)} (give one region, or deployment: nodes)")


def _check_regions(regions: list[str], known: Known) -> None:
    for index, region in enumerate(regions):
        if region not in known.regions:
            raise field_error(f"regions[{index}]", f"unknown region '{region}'")
        if len(regions) > 1 and region not in known.global_datastore_regions:
            raise field_error(f"regions[{index}]", f"{region} does not support Global Datastore")


def _check_placement(cluster: Cluster, known: Known) -> None:
    """The regions a placement names must exist; which of them can hold a Global Datastore,
    and what latency each pair has, is the planner's to weigh."""
    placement = cluster.placement
    if placement is None:
        return
    if "regions" in cluster.model_fields_set:
        raise field_error("placement", "give regions (an explicit choice) or placement (the planner chooses the "
                                       "regions), not both")
    if cluster.deployment == "serverless":
        raise field_error("placement", "serverless runs in one region, with no Global Datastore: give regions "
                                       "[one region], or deployment: nodes or auto")
    for index, client in enumerate(placement.clients):
        if client.region not in known.regions:
            raise field_error(f"placement.clients[{index}].region", f"unknown region '{client.region}'")
    for index, region in enumerate(placement.allowed_regions or ()):
        if region not in known.regions:
            raise field_error(f"placement.allowed_regions[{index}]", f"unknown region '{region}'")


def _check_deployable(cluster: Cluster, known: Known) -> None:
    """Every parameter the estimate uses must reach the deployed cluster's parameter group."""
    version = f"{cluster.engine} {cluster.version}"
    deployable = known.deployable_parameters.get(version)
    if deployable is None:
        return
    for name in cluster.parameters.model_dump(by_alias=True, exclude_none=True):
        if name not in deployable:
            family = known.parameter_families[version]
            raise field_error(f"parameters.{name}",
                              f"ElastiCache does not let a {family} parameter group ({version}) set {name}, so the "
                              f"deployed cluster would run the default while the plan assumed your value; remove it")


def _check_unique_values(values: list[str], field: str, what: str) -> None:
    for index, value in enumerate(values):
        if value in values[:index]:
            raise field_error(f"{field}[{index}]", f"duplicate {what} '{value}'")


def _check_unique(names: list[str], field: str, what: str) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise field_error(f"{field}[{index}].name", f"duplicate {what} name '{name}'")
        seen.add(name)


def workload_json_schema() -> dict[str, object]:
    """JSON Schema of the stack file, as users write it (parameter names hyphenated)."""
    schema = Workload.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ElastiCache sizing workload (stacks/<stack>.yaml)"
    return schema
