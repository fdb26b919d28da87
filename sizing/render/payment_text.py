"""How to pay, in words: reservations with their break-even month, and Database Savings Plans."""

from __future__ import annotations

from sizing.catalog.nodes import RESERVED_PRICES_AS_OF
from sizing.planning.payment import PaymentAdvice
from sizing.units import usd


def payment_text(advice: PaymentAdvice | None) -> str:
    """One sentence per way to pay, each with its dollar figure; '' without advice."""
    if advice is None:
        return ""
    parts = [f"On demand {usd(advice.on_demand_monthly_usd)}/month."]
    for term in advice.reservations:
        parts.append(f"{term.years}-year All Upfront reservation: {usd(term.upfront_usd)} upfront "
                     f"({usd(term.monthly_usd)}/month effective, {usd(term.saving_usd_per_month)}/month less), "
                     f"cheaper than on demand from month {term.break_even_month:g}.")
    if not advice.reservations and advice.deployment == "nodes":
        parts.append(f"The catalog has no reserved-node offer for {advice.size_flexible_family} in every region of "
                     f"the cluster (AWS's offers of {RESERVED_PRICES_AS_OF}).")
    if advice.reservations and advice.size_flexible_family:
        parts.append(f"Reservations are size-flexible: one bought for {advice.size_flexible_family} in the region "
                     f"keeps applying after a resize within the family.")
    match advice.savings_plan:
        case "eligible":
            parts.append(f"A Database Savings Plan (1 year, no upfront) covers it: at most "
                         f"{usd(advice.savings_plan_max_saving_usd_per_month or 0.0)}/month less, at the "
                         f"{advice.savings_plan_max_percent}% third parties quote as the highest rate for "
                         f"{advice.deployment} (no AWS rate for ElastiCache was found).")
        case "redis_oss":
            parts.append("Database Savings Plans do not cover Redis OSS (Valkey only).")
        case "older_generation":
            parts.append("Database Savings Plans do not cover this node family (7th generation and newer only).")
    return " ".join(parts)
