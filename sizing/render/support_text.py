"""Extended Support in words: the dates and what each premium year costs on the plan's nodes."""

from __future__ import annotations

from sizing.planning.extended_support import ExtendedSupportExposure
from sizing.units import usd


def extended_support_text(exposure: ExtendedSupportExposure | None) -> str:
    """One sentence with every date and dollar figure; '' where no end of support is announced."""
    if exposure is None:
        return ""
    years = ", ".join(f"+{y.premium_percent:g}% from {y.starts} ({usd(y.premium_monthly_usd)}/month)"
                      for y in exposure.years)
    return (f"Redis OSS {exposure.major_version} leaves standard support on {exposure.standard_support_ends}; "
            f"from the next day ElastiCache Extended Support adds to the on-demand rate of these nodes: {years}, "
            f"{usd(exposure.total_usd)} in all until its end of life on {exposure.extended_support_ends}. Upgrading "
            f"to Valkey (in place, no endpoint change) or Redis OSS 7 avoids it.")
