"""How to pay for the deployed choice: on demand against reservations and Database Savings Plans.

Glossary
    upfront_usd          an All Upfront reservation's fee for the whole term: the effective
                         monthly rate (``Option.monthly_usd_reserved``) times the term's months.
    break_even_month     the month in which on-demand spending reaches the upfront fee; after
                         it, the reservation is cheaper. upfront_usd / on-demand monthly cost.
    size flexibility     reserved nodes apply to every size of their family in their region
                         (normalized units, since 2024-10-01: AWS Database Blog, "New - Size
                         flexibility for Amazon ElastiCache reserved nodes"), so resizing within
                         the family keeps the discount; Redis OSS reservations also cover Valkey
                         nodes (ElastiCache reserved nodes docs).
    Database Savings Plans  a 1-year, no-upfront $/hour commitment (announced 2025-12-02) that
                         covers ElastiCache for Valkey only, serverless and 7th-generation and
                         newer nodes. No AWS rate for ElastiCache was found: the saving shown is
                         the most third parties quote ("up to 35%" serverless, "up to 20%"
                         instances: cloudcombinator.ai, nops.io, prosperops.com), an upper bound.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sizing.planning.serverless import ServerlessOption

SAVINGS_PLAN_MAX_SHARE = {"serverless": 0.35, "nodes": 0.20}
"""The largest Database Savings Plans discounts third parties quote (see the glossary)."""
SAVINGS_PLAN_MIN_GENERATION = 7
"""Database Savings Plans cover Generation 7 and newer instances (same sources)."""
MONTHS_PER_YEAR = 12


class ReservationTerm(BaseModel):
    """One All Upfront reservation term for every node of the layout."""

    model_config = ConfigDict(frozen=True)

    years: int
    monthly_usd: float = Field(description="Effective: the upfront fee spread over the term.")
    upfront_usd: float
    saving_usd_per_month: float
    break_even_month: float


class PaymentAdvice(BaseModel):
    """The ways to pay for what the plan deploys, each with its computed saving."""

    model_config = ConfigDict(frozen=True)

    deployment: Literal["nodes", "serverless"]
    on_demand_monthly_usd: float
    reservations: tuple[ReservationTerm, ...] = Field(description="Empty for serverless or where AWS offers none.")
    size_flexible_family: str | None = Field(description="The family a reservation stays valid across (nodes).")
    savings_plan: Literal["eligible", "redis_oss", "older_generation"]
    savings_plan_max_saving_usd_per_month: float | None = Field(
        description="Upper bound at the highest third-party rate; None where not eligible.")
    savings_plan_max_percent: int | None


def payment_advice(engine: str, family: str, generation: int, reserved_monthly: dict[int, float],
                   nodes_monthly_usd: float, serverless: ServerlessOption | None) -> PaymentAdvice:
    """On demand, reservations (nodes) and Database Savings Plans for the deployed choice."""
    is_serverless = serverless is not None and serverless.decision == "chosen" and serverless.monthly_usd is not None
    monthly = serverless.monthly_usd if is_serverless and serverless and serverless.monthly_usd else nodes_monthly_usd
    terms = () if is_serverless else tuple(
        ReservationTerm(years=years, monthly_usd=reserved,
                        upfront_usd=round(reserved * MONTHS_PER_YEAR * years, 2),
                        saving_usd_per_month=round(monthly - reserved, 2),
                        break_even_month=round(reserved * MONTHS_PER_YEAR * years / monthly, 1))
        for years, reserved in sorted(reserved_monthly.items()) if monthly > 0)
    kind = "serverless" if is_serverless else "nodes"
    status: Literal["eligible", "redis_oss", "older_generation"] = "eligible"
    if engine != "valkey":
        status = "redis_oss"
    elif kind == "nodes" and generation < SAVINGS_PLAN_MIN_GENERATION:
        status = "older_generation"
    share = SAVINGS_PLAN_MAX_SHARE[kind]
    return PaymentAdvice(
        deployment=kind, on_demand_monthly_usd=monthly, reservations=terms,
        size_flexible_family=None if is_serverless else family, savings_plan=status,
        savings_plan_max_saving_usd_per_month=round(monthly * share, 2) if status == "eligible" else None,
        savings_plan_max_percent=round(share * 100) if status == "eligible" else None,
    )
