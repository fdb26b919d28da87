"""Extended Support exposure: what staying on a Redis OSS version past its standard support costs.

A cluster on a version with a dated end of standard support (``sizing.catalog.support``) pays,
from the next day, a premium on the on-demand rate of every node: the plan prices each premium
year on the layout it deploys. No date is compared with today, so the same input gives the same
plan whatever day it runs; the dates say when each figure starts.

Glossary
    premium_monthly_usd  premium_percent of the on-demand monthly node cost (every region).
    total_usd            the premiums from the start of year 1 to the end of Extended Support,
                         at this layout: 12 months for each of the three years.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sizing.catalog.support import load_support

MONTHS_PER_YEAR = 12


class PremiumCost(BaseModel):
    model_config = ConfigDict(frozen=True)

    year: int
    starts: str
    premium_percent: float
    premium_monthly_usd: float


class ExtendedSupportExposure(BaseModel):
    """A dated Extended Support schedule priced on the plan's nodes."""

    model_config = ConfigDict(frozen=True)

    engine: str
    major_version: str
    standard_support_ends: str
    extended_support_ends: str
    years: tuple[PremiumCost, ...]
    total_usd: float = Field(description="Every premium year at this layout, on demand.")


def extended_support(engine: str, version: str, on_demand_monthly_usd: float) -> ExtendedSupportExposure | None:
    """The exposure of ``engine`` ``version`` on nodes costing ``on_demand_monthly_usd``; None
    where AWS has announced no end of standard support (Valkey, Redis OSS 7.x)."""
    lifecycle = load_support().get((engine, version.split(".")[0]))
    if lifecycle is None:
        return None
    years = tuple(PremiumCost(year=y.year, starts=y.starts, premium_percent=y.premium_percent,
                              premium_monthly_usd=round(on_demand_monthly_usd * y.premium_percent / 100, 2))
                  for y in lifecycle.years)
    return ExtendedSupportExposure(
        engine=engine, major_version=lifecycle.major_version, standard_support_ends=lifecycle.standard_support_ends,
        extended_support_ends=lifecycle.extended_support_ends, years=years,
        total_usd=round(sum(y.premium_monthly_usd * MONTHS_PER_YEAR for y in years), 2))
