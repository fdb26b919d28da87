"""ElastiCache engine support lifecycle: which Redis OSS major versions leave standard support,
when, and what Extended Support adds to the node rate (``data/extended_support.csv``, sources
in ``data/SOURCES.md``).

Glossary
    standard_support_ends  the last day of standard support; the next day a cluster on the
                           version is enrolled in Extended Support and pays its premium.
    premium_percent        Extended Support's charge as a share of the on-demand node rate,
                           per year of Extended Support (year 1 starts the day after
                           standard support ends).
    extended_support_ends  end of life: after it the version is no longer run.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from sizing.catalog.nodes import DATA


class PremiumYear(BaseModel):
    model_config = ConfigDict(frozen=True)

    year: int
    starts: str = Field(description="ISO date the year's premium starts.")
    premium_percent: float = Field(description="Added to the on-demand node rate, percent.")


class SupportLifecycle(BaseModel):
    """One engine major version under (or heading for) Extended Support."""

    model_config = ConfigDict(frozen=True)

    engine: str
    major_version: str
    standard_support_ends: str
    extended_support_ends: str
    years: tuple[PremiumYear, ...]


@lru_cache(maxsize=1)
def load_support() -> dict[tuple[str, str], SupportLifecycle]:
    """(engine, major version) -> its lifecycle, for the versions AWS has dated."""
    with (DATA / "extended_support.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return {
        (row["engine"], row["major_version"]): SupportLifecycle(
            engine=row["engine"], major_version=row["major_version"],
            standard_support_ends=row["standard_support_ends"], extended_support_ends=row["extended_support_ends"],
            years=tuple(PremiumYear(year=year, starts=row[f"year_{year}_starts"],
                                    premium_percent=float(row[f"year_{year}_premium_percent"])) for year in (1, 2, 3)))
        for row in rows
    }
