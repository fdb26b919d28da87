"""Rejections in words: the planner says what fell short, in numbers; this says it to people.

One line per rejection, "needs X per node at N shards; TYPE offers Y after ...", in the plan
view, the Markdown report, the JSON ``reason`` and the messages of the CLI and the program.
"""

from __future__ import annotations

from sizing.errors import NoViableNodeError, NoViableRegionsError, SizingError
from sizing.planning.plan import PREVIOUS_GENERATION, Bottleneck, Quantity, Rejection
from sizing.planning.serverless import ServerlessUnavailableError
from sizing.render.regions_text import no_regions_message
from sizing.render.serverless_text import unavailable_message
from sizing.units import gib, usd

NEAREST_IN_MESSAGES = 3
"""Rejections an error message names, nearest first."""


def reason(rejection: Rejection) -> str:
    """Why the node type cannot carry the cluster, with the numbers."""
    if rejection.unit is None:
        return _missing(rejection)
    node = rejection.node_type
    needed, offered = rejection.needed or 0.0, rejection.offered or 0.0
    at = "1 shard (cluster mode disabled)" if not rejection.cluster_mode else f"{rejection.at_shards} shards"
    match rejection.unit:
        case Quantity.memory_bytes:
            tiering = f" with {rejection.hot_data_percent:g}% of the data hot" if rejection.hot_data_percent else ""
            return (f"needs {gib(needed)} per node at {at}{tiering}; {node} offers {gib(offered)} after the "
                    f"{rejection.reserved_percent}% reserve and {rejection.headroom_percent}% headroom")
        case Quantity.ssd_bytes:
            return (f"needs {gib(needed)} of cold values on SSD per node at {at}; {node} offers {gib(offered)} of SSD "
                    f"after {rejection.headroom_percent}% headroom")
        case Quantity.ops_per_sec:
            return f"needs {needed:,.0f} ops/s per shard at {at}; {node} plans for {offered:,.0f}"
        case Quantity.network_bytes_per_sec:
            return f"needs {needed * 8 / 1e9:.2f} Gbps per node at {at}; {node} plans for {offered * 8 / 1e9:.2f}"
        case Quantity.monthly_usd:
            return f"costs {usd(needed)}/month for {rejection.at_shards} shard(s); budget {usd(offered)}"
        case Quantity.replicas:
            return f"cluster mode disabled allows {offered:.0f} replicas"
        case Quantity.nodes:
            shards = rejection.at_shards or 1
            return f"{shards} shards x {needed / shards:.0f} nodes exceeds {offered:.0f} nodes"
    raise AssertionError(f"no wording for {rejection.unit}")


def _missing(rejection: Rejection) -> str:
    match rejection.bottleneck:
        case Bottleneck.engine if rejection.missing == (PREVIOUS_GENERATION,):
            return "T2 nodes can no longer be created (previous generation)"
        case Bottleneck.engine:
            return f"not offered for {rejection.missing[0]}"
        case Bottleneck.data_tiering:
            return f"data tiering not allowed ({rejection.missing[0]})"
        case Bottleneck.region:
            engine, *regions = rejection.missing
            return f"not offered for {engine} in {', '.join(regions)}"
        case Bottleneck.unpriced:
            engine, *regions = rejection.missing
            return (f"AWS lists it in {', '.join(regions)}, but the catalog has no sourced {engine} price there "
                    f"(sizing/catalog/data/SOURCES.md)")
        case Bottleneck.global_datastore:
            return f"Global Datastore needs {'/'.join(rejection.missing)}, large or bigger"
    raise AssertionError(f"no wording for a {rejection.bottleneck.value} rejection without numbers")


def nearest(rejections: tuple[Rejection, ...], count: int = NEAREST_IN_MESSAGES) -> str:
    """'TYPE: reason; TYPE: reason' for the nearest ``count``."""
    return "; ".join(f"{r.node_type}: {reason(r)}" for r in rejections[:count])


def error_message(error: SizingError) -> str:
    """The one line the CLI and the Pulumi program print for an expected failure: a cluster
    nothing can carry names its nearest rejections, in words."""
    if isinstance(error, ServerlessUnavailableError):
        return unavailable_message(error)
    if isinstance(error, NoViableRegionsError):
        return no_regions_message(error.cluster, error.choice)
    if isinstance(error, NoViableNodeError) and error.rejections:
        return (f"no node type can carry cluster '{error.cluster}' ({len(error.rejections)} rejected; "
                f"nearest: {nearest(error.rejections)})")
    return str(error)
