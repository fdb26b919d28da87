"""ElastiCache Serverless prices and limits per region and engine (``data/serverless_prices.csv``).

Serverless bills two meters (AWS Database Blog, "Unlock on-demand, cost-optimized performance
with Amazon ElastiCache Serverless"; ElastiCache pricing page, Serverless section):

Glossary
    data_stored_usd_per_gb_hour   price of one GB of data stored for one hour. ElastiCache samples
                                  the data stored several times a minute and bills each hour's
                                  average, never less than ``minimum_data_stored_gb``.
    ecpu_usd_per_million          price of a million ElastiCache Processing Units. A simple read
                                  or write uses 1 ECPU per KB transferred (a GET of 3.2 KB: 3.2
                                  ECPUs); commands that need more vCPU time use more.
    minimum_data_stored_gb        the least data stored billed per cache: 1 GB for Redis OSS,
                                  100 MB for Valkey.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from sizing.catalog.nodes import DATA

MAX_DATA_STORED_GB = 5_000
"""Largest data-storage maximum a serverless cache accepts (CreateServerlessCache
CacheUsageLimits; AWS CDK ``CacheUsageLimitsProperty`` docs; ElastiCache "Scaling" page)."""
MAX_ECPU_PER_SECOND = 15_000_000
"""Largest ECPU-per-second maximum a serverless cache accepts (same sources)."""
GB = 10**9
"""Serverless limits are set in "GB" (CacheUsageLimits DataStorage.Unit); the planner counts
decimal gigabytes, which bills a little more than GiB would: the estimate errs high."""
BYTES_PER_ECPU = 1024
"""1 ECPU per KB transferred for simple reads and writes (ElastiCache pricing page)."""
MAJOR_VERSIONS: dict[str, tuple[str, ...]] = {"redis": ("7",), "valkey": ("7", "8", "9")}
"""Major engine versions a serverless cache runs (CreateServerlessCache MajorEngineVersion;
ElastiCache engine-versions page: Redis OSS serverless is 7.1, Valkey 7.2 onwards)."""


class ServerlessPrice(BaseModel):
    """What serverless costs in one region for one engine."""

    model_config = ConfigDict(frozen=True)

    region: str
    engine: str
    data_stored_usd_per_gb_hour: float
    ecpu_usd_per_million: float
    minimum_data_stored_gb: float
    as_of: str = Field(description="Date of the price (day or month).")
    source: str = Field(description="Key of the source in data/SOURCES.md.")


@lru_cache(maxsize=1)
def serverless_prices() -> dict[tuple[str, str], ServerlessPrice]:
    """(region, engine) -> price, for the regions whose price has a source."""
    with (DATA / "serverless_prices.csv").open() as handle:
        rows = [ServerlessPrice(
            region=row["region"], engine=row["engine"],
            data_stored_usd_per_gb_hour=float(row["data_stored_usd_per_gb_hour"]),
            ecpu_usd_per_million=float(row["ecpu_usd_per_million"]),
            minimum_data_stored_gb=float(row["minimum_data_stored_gb"]), as_of=row["as_of"], source=row["source"],
        ) for row in csv.DictReader(handle)]
    return {(row.region, row.engine): row for row in rows}
