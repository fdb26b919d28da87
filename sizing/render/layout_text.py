"""The layout preference in words: both layouts, the saving, and the threshold that decided."""

from __future__ import annotations

from sizing.planning.layout import LayoutPreference
from sizing.units import usd


def _layout(node_type: str, shards: int, monthly_usd: float) -> str:
    return f"{node_type} x {shards} shard{'s' if shards != 1 else ''} ({usd(monthly_usd)}/month)"


def preference_text(preference: LayoutPreference | None) -> str:
    """'' where the cheapest layout is also the simplest."""
    if preference is None:
        return ""
    chosen = _layout(preference.chosen_node_type, preference.chosen_shards, preference.chosen_monthly_usd)
    other = _layout(preference.other_node_type, preference.other_shards, preference.other_monthly_usd)
    burstable = (" (burstable nodes count as the least simple: the load is write-heavy or sustained, and CPU "
                 "credits build only below baseline)" if preference.burstable_penalized else "")
    saving = f"{usd(preference.saving_usd)}/month ({preference.saving_percent:g}%)"
    threshold = f"{preference.threshold_percent:g}%"
    if preference.simpler_chosen:
        return (f"Simpler layout kept: {chosen} rather than the cheapest, {other}{burstable}; the saving of {saving} "
                f"is within the {threshold} a more complex layout must save.")
    return (f"Cheaper layout chosen: {chosen} saves {saving} over the simpler {other}{burstable}, more than the "
            f"{threshold} a more complex layout must save.")
