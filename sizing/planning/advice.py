"""Recommendations, each with a saving the model computed, never a rule-of-thumb percentage.

Three kinds are checked per cluster:
  encoding     raising a listpack or intset limit that a keyspace just misses keeps it in
               the compact encoding; the saving is the estimate with and without it;
  engine       the newest Valkey's memory layout and price, planned like the cluster itself
               (only for an older version or Redis OSS: an upgrade, never a downgrade);
  compression  client-side compression of large string values (3:1), re-planned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from sizing.errors import NoViableNodeError
from sizing.memory.distribution import distribution
from sizing.memory.limits import EncodingLimits
from sizing.planning.models import planning_model, same_data_variant
from sizing.spec.distribution import numeric_share, scaled_down, upper
from sizing.spec.workload import (
    SUPPORTED_VERSIONS,
    Cluster,
    HashKeyspace,
    Keyspace,
    SetKeyspace,
    StringKeyspace,
    ZsetKeyspace,
)
from sizing.units import gib, usd
from sizing.versions import version_key

COMPACT_LIMIT_CEILING = 1024
"""Largest listpack/intset a recommendation proposes: operations on compact encodings
scan the whole blob, so beyond about a thousand elements the CPU cost outweighs memory."""
COMPACT_VALUE_CEILING = 256
"""Largest element size a raised *-max-listpack-value may admit, for the same reason."""
COMPRESSIBLE_VALUE_BYTES = 256
"""Values shorter than this gain little from compression (headers, CPU per call)."""
COMPRESSION_RATIO = 3
"""A typical ratio for JSON or text values with a fast codec (zstd, lz4 at defaults)."""
WORTH_MENTIONING_SHARE = 0.02
"""Recommendations that save less than 2% of the cluster's data are not shown."""


class Recommendation(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    text: str
    saving_bytes: int
    saving_usd_per_month: float


def recommendations(
    cluster: Cluster, chosen: Layout, plan: Callable[[Cluster], Layout],
) -> tuple[Recommendation, ...]:
    """What would make the cluster smaller or cheaper, biggest saving first.

    ``plan`` re-plans a variant of the cluster and returns its chosen layout (raising
    NoViableNodeError if it cannot be planned).
    """
    base = planning_model(cluster)
    dataset = base.shard_bytes()
    found = [*_encoding_advice(cluster, dataset, base.limits, chosen, plan),
             *_engine_advice(cluster, dataset, chosen, plan),
             *_compression_advice(cluster, dataset, chosen, plan)]
    worth = [r for r in found if r.saving_bytes >= WORTH_MENTIONING_SHARE * dataset or r.saving_usd_per_month > 0]
    return tuple(sorted(worth, key=lambda r: (-r.saving_usd_per_month, -r.saving_bytes, r.text)))


def _encoding_advice(cluster: Cluster, dataset: float, limits: EncodingLimits, chosen: Layout,
                     plan: Callable[[Cluster], Layout]) -> list[Recommendation]:
    """``limits``: the cluster's deployed encoding limits (its memory model's)."""
    advice = []
    # Keyspaces alike in shape ask for the same change: one variant, planned once.
    planned: dict[tuple[tuple[str, int], ...], tuple[float, Layout | None]] = {}
    for keyspace in cluster.keyspaces:
        change = _compact_limits(keyspace, limits)
        if not change:
            continue
        same = tuple(change.items())
        if same not in planned:
            planned[same] = _encoding_variant(cluster, change, dataset, plan)
        saving, other = planned[same]
        if saving <= 0:
            continue
        settings = ", ".join(f"{name.replace('_', '-')} {value}" for name, value in change.items())
        cheaper = chosen.monthly_usd - other.monthly_usd if other is not None else 0.0
        advice.append(Recommendation(
            kind="encoding", saving_bytes=round(saving), saving_usd_per_month=round(cheaper, 2),
            text=f"{settings} would keep `{keyspace.name}` compact and save {gib(saving)} "
                 f"({100 * saving / dataset:.0f}% of the data)" + (_cost_change(chosen, other) if other else ""),
        ))
    return advice


def _encoding_variant(cluster: Cluster, change: dict[str, int], dataset: float,
                      plan: Callable[[Cluster], Layout]) -> tuple[float, Layout | None]:
    """(bytes saved, the layout chosen) with the limits changed; no layout where none can
    carry the variant, and none looked for where nothing is saved."""
    # Only the (validated) parameters change: the keyspaces stay the objects the memory
    # model's memos know, so the variant is priced from what the cluster's own estimate built.
    variant = cluster.model_copy(update={"parameters": cluster.parameters.variant(**change)})
    saving = dataset - planning_model(variant).shard_bytes()
    if saving <= 0:
        return saving, None
    try:
        return saving, plan(variant)
    except NoViableNodeError:
        return saving, None


def _compact_limits(keyspace: Keyspace, limits: EncodingLimits) -> dict[str, int]:
    """Parameter changes that would keep a keyspace in its compact encoding, if modest."""
    # Sizes that vary are judged by their largest value: a limit below it leaves the
    # longest collections in the big encoding (the model prices what the change saves).
    if isinstance(keyspace, HashKeyspace):
        longest, fields = max(upper(keyspace.field_bytes), upper(keyspace.value_bytes)), upper(keyspace.fields)
        if (limits.hash_max_listpack_entries < fields <= COMPACT_LIMIT_CEILING
                and longest <= limits.hash_max_listpack_value):
            return {"hash_max_listpack_entries": _round_up(fields)}
        if fields <= limits.hash_max_listpack_entries and (
                limits.hash_max_listpack_value < longest <= COMPACT_VALUE_CEILING):
            return {"hash_max_listpack_value": longest}
    if (isinstance(keyspace, ZsetKeyspace) and upper(keyspace.member_bytes) <= limits.zset_max_listpack_value
            and limits.zset_max_listpack_entries < upper(keyspace.members) <= COMPACT_LIMIT_CEILING):
        return {"zset_max_listpack_entries": _round_up(upper(keyspace.members))}
    if (isinstance(keyspace, SetKeyspace) and numeric_share(keyspace.numeric) >= 1
            and limits.set_max_intset_entries < upper(keyspace.members) <= COMPACT_LIMIT_CEILING):
        return {"set_max_intset_entries": _round_up(upper(keyspace.members))}
    return {}


def _round_up(count: int) -> int:
    """The next round limit at or above ``count`` (multiples of 128)."""
    return -(-count // 128) * 128


def _engine_advice(
    cluster: Cluster, dataset: float, chosen: Layout, plan: Callable[[Cluster], Layout],
) -> list[Recommendation]:
    newest = SUPPORTED_VERSIONS["valkey"][-1]
    if cluster.engine == "valkey" and version_key(cluster.version) >= version_key(newest):
        return []
    variant = same_data_variant(cluster, engine="valkey", engine_version=newest)
    saving = dataset - planning_model(variant).shard_bytes()
    try:
        other = plan(variant)
    except NoViableNodeError:
        return []
    cheaper = chosen.monthly_usd - other.monthly_usd
    if saving <= 0 and cheaper <= 0:
        return []
    return [Recommendation(
        kind="engine", saving_bytes=round(saving), saving_usd_per_month=round(cheaper, 2),
        text=f"Valkey {newest} would need {100 * saving / dataset:.0f}% less memory for this data"
             f"{_cost_change(chosen, other)}",
    )]


def _compression_advice(
    cluster: Cluster, dataset: float, chosen: Layout, plan: Callable[[Cluster], Layout],
) -> list[Recommendation]:
    advice = []
    for index, keyspace in enumerate(cluster.keyspaces):
        if (not isinstance(keyspace, StringKeyspace) or numeric_share(keyspace.numeric) > 0
                or distribution(keyspace.value_bytes).mean() < COMPRESSIBLE_VALUE_BYTES):
            continue
        smaller = keyspace.variant(value_bytes=scaled_down(keyspace.value_bytes, COMPRESSION_RATIO))
        spaces = list(cluster.keyspaces)
        spaces[index] = smaller
        variant = cluster.model_copy(update={"keyspaces": spaces})  # one keyspace changed, validated
        saving = dataset - planning_model(variant).shard_bytes()
        try:
            other = plan(variant)
        except NoViableNodeError:
            continue
        cheaper = chosen.monthly_usd - other.monthly_usd
        advice.append(Recommendation(
            kind="compression", saving_bytes=round(saving), saving_usd_per_month=round(cheaper, 2),
            text=f"compressing `{keyspace.name}` values {COMPRESSION_RATIO}:1 client-side would save "
                 f"{gib(saving)}{_cost_change(chosen, other)}",
        ))
    return advice


class Layout(Protocol):
    """What advice needs of a chosen option (sizing.planning.plan.Option)."""

    @property
    def node_type(self) -> str: ...
    @property
    def shards(self) -> int: ...
    @property
    def monthly_usd(self) -> float: ...


def _cost_change(before: Layout, after: Layout) -> str:
    """', $120/month less (12%; r7g.xlarge x 3 -> r7g.large x 3)' or ', at the same cost'."""
    cheaper = before.monthly_usd - after.monthly_usd
    if cheaper <= 0:
        return ", at the same cost"
    layout = ("same layout" if (before.node_type, before.shards) == (after.node_type, after.shards)
              else f"{before.node_type} x {before.shards} -> {after.node_type} x {after.shards}")
    return f", {usd(cheaper)}/month less ({100 * cheaper / before.monthly_usd:.0f}%; {layout})"
