"""Layout preference: the simpler layout unless the cheaper one saves more than a stated share.

The node plan ranks options by cost (``sizing.planning.plan``). A cheaper layout is not always
the better one: more shards mean more nodes to patch, watch and reshard, keys that must share
a slot to be used together, and a fuller node quota; burstable nodes serve above their
baseline only on CPU credits, which a sustained or write-heavy load does not leave them time
to earn. So the plan keeps the simplest layout whose cost is within ``SIMPLER_LAYOUT_SHARE`` of
the cheapest, and shows both with the saving that was declined (or taken).

Glossary
    simplicity     the order layouts are preferred in, cost aside: fewer shards first; under
                   a sustained or write-heavy load, burstable (t-family) nodes after every
                   other layout.
    saving         simpler layout's monthly cost - the cheapest's.
    saving_share   saving / the simpler layout's monthly cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

SIMPLER_LAYOUT_SHARE = 0.10
"""A more complex layout is chosen only when it saves more than 10% of the simpler one's cost.
This project's judgment, not a measurement: it is half of the smallest saving the plan's
advice offers for the same layout (a Valkey upgrade's 20% per node, and reservations' 36-55%),
so a saving that a change of layout buys for less is better bought those ways first."""
SUSTAINED_SHARE = 0.5
"""A load is sustained when its stated average is at least half its peak: a burstable node
earns CPU credits only while it runs below its baseline, and such a load leaves it little of
that time. Without avg_ops_per_sec the average is unknown, and only the write pattern counts."""
BURSTABLE_FAMILY_PREFIX = "t"


class Layout(Protocol):
    @property
    def node_type(self) -> str: ...
    @property
    def family(self) -> str: ...
    @property
    def shards(self) -> int: ...
    @property
    def monthly_usd(self) -> float: ...


L = TypeVar("L", bound=Layout)


class LayoutPreference(BaseModel):
    """The cheapest layout and the simplest within the threshold, when they differ."""

    model_config = ConfigDict(frozen=True)

    chosen_node_type: str
    chosen_shards: int
    chosen_monthly_usd: float
    other_node_type: str
    other_shards: int
    other_monthly_usd: float
    simpler_chosen: bool = Field(description="True: the simpler layout was kept (the saving is below the "
                                             "threshold); False: the cheaper one saves more than it.")
    saving_usd: float = Field(description="What the cheaper layout saves per month over the simpler one.")
    saving_percent: float
    threshold_percent: float = SIMPLER_LAYOUT_SHARE * 100
    burstable_penalized: bool = Field(description="Burstable nodes counted as the least simple: the load is "
                                                  "sustained or write-heavy.")


def burstable_at_risk(write_pattern: str, average_ops_per_sec: int | None, peak_ops_per_sec: int) -> bool:
    """Whether the load leaves burstable nodes too little time below baseline to earn credits."""
    sustained = average_ops_per_sec is not None and average_ops_per_sec >= SUSTAINED_SHARE * peak_ops_per_sec > 0
    return write_pattern == "write_heavy" or sustained


def prefer_simpler(ranked: Sequence[L], burstable_penalized: bool) -> tuple[list[L], LayoutPreference | None]:
    """``ranked`` (cheapest first) with the preferred layout first, and the comparison when
    the preference and the cheapest differ (else None)."""
    cheapest = ranked[0]

    def simplicity(layout: L) -> tuple[int, int]:
        return (1 if burstable_penalized and _burstable(layout) else 0, layout.shards)

    within = [(simplicity(layout), position) for position, layout in enumerate(ranked)
              if layout.monthly_usd - cheapest.monthly_usd <= SIMPLER_LAYOUT_SHARE * layout.monthly_usd]
    simplest = ranked[min(within)[1]]
    if simplicity(simplest) == simplicity(cheapest):
        # Nothing simpler within the threshold: say whether a simpler layout was declined.
        simpler = [layout for layout in ranked if simplicity(layout) < simplicity(cheapest)]
        if not simpler:
            return list(ranked), None
        other = simpler[0]
        return list(ranked), _preference(cheapest, other, simpler_chosen=False, penalized=burstable_penalized)
    reordered = [simplest, *(layout for layout in ranked if layout is not simplest)]
    return reordered, _preference(simplest, cheapest, simpler_chosen=True, penalized=burstable_penalized)


def _preference(chosen: Layout, other: Layout, *, simpler_chosen: bool, penalized: bool) -> LayoutPreference:
    simpler, cheaper = (chosen, other) if simpler_chosen else (other, chosen)
    saving = simpler.monthly_usd - cheaper.monthly_usd
    return LayoutPreference(
        chosen_node_type=chosen.node_type, chosen_shards=chosen.shards, chosen_monthly_usd=chosen.monthly_usd,
        other_node_type=other.node_type, other_shards=other.shards, other_monthly_usd=other.monthly_usd,
        simpler_chosen=simpler_chosen, saving_usd=round(saving, 2),
        saving_percent=round(100 * saving / simpler.monthly_usd, 1) if simpler.monthly_usd else 0.0,
        burstable_penalized=penalized and (_burstable(chosen) != _burstable(other)))


def _burstable(layout: Layout) -> bool:
    return layout.family.startswith(BURSTABLE_FAMILY_PREFIX)
