"""The ElastiCache node-type catalog: capacity, network and price per region and engine.

Loaded once from ``sizing/catalog/data/`` (see ``sizing/catalog/data/SOURCES.md``) into frozen models.

Glossary
    maxmemory_bytes     what ElastiCache sets ``maxmemory`` to for the node type, before
                        the reserved-memory-percent reserve is taken off.
    usable_memory_bytes maxmemory minus the reserve: what data, buffers and fragmentation
                        may use (see :mod:`sizing.planning.capacity`).
    hourly_usd          on-demand price of one node-hour in a region for an engine.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from sizing.versions import version_key

DATA = Path(__file__).resolve().parent / "data"
PRICES_AS_OF = "2025-03-14"
"""Date of the AWS on-demand price data in ``prices.csv``; rows of ``node_prices_2026.csv``
carry their own date (``Catalog.price_as_of``)."""
RESERVED_PRICES_AS_OF = "2024-10-07"
"""Publication date of the AWS reserved-node offers in ``reserved_prices.csv``."""
RESERVED_TERMS_YEARS = (1, 3)


class NodeType(BaseModel):
    """One ElastiCache node type."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="e.g. 'cache.r7g.xlarge'.")
    family: str = Field(description="e.g. 'r7g'.")
    vcpu: int
    vcpu_sourced: bool = Field(description="False where AWS does not publish vCPU (m8g, r8g, c8gn).")
    memory_gib: float
    maxmemory_bytes: int
    baseline_gbps: float
    burst_gbps: float
    data_tiering_ssd_gib: float
    engines: tuple[str, ...]
    min_valkey_version: str
    min_redis_version: str

    @property
    def size_rank(self) -> int:
        """Position of the size within its family (for readable sorting)."""
        return int(self.maxmemory_bytes)

    @property
    def family_generation(self) -> int:
        """The digit of the family (r7g -> 7), used to prefer newer families on ties."""
        return int("".join(ch for ch in self.family if ch.isdigit()) or 0)

    @property
    def data_tiering(self) -> bool:
        return self.data_tiering_ssd_gib > 0

    def supports(self, engine: str, version: str) -> bool:
        """Whether ElastiCache offers this type for the engine version."""
        if engine not in self.engines:
            return False
        minimum = self.min_valkey_version if engine == "valkey" else self.min_redis_version
        return version_key(version) >= version_key(minimum)


class Region(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    global_datastore: bool


class Catalog(BaseModel):
    """Node types, regions and prices."""

    model_config = ConfigDict(frozen=True)

    node_types: tuple[NodeType, ...]
    regions: dict[str, Region]
    hourly_usd: dict[tuple[str, str, str], float] = Field(description="(region, node type, engine) -> USD per hour.")
    price_as_of: dict[tuple[str, str, str], str] = Field(
        default_factory=dict, description="(region, node type, engine) -> date of a price newer than PRICES_AS_OF.")
    listed: frozenset[tuple[str, str]] = Field(
        default=frozenset(), description="(region, node type) pairs the AWS Price List (2026-10) lists, priced or not.")
    reserved_share: dict[tuple[str, str, int], float] = Field(
        default_factory=dict,
        description="(region, node type, term years) -> All Upfront effective hourly rate / on-demand rate.")

    def price(self, region: str, node_type: str, engine: str) -> float | None:
        return self.hourly_usd.get((region, node_type, engine))

    def price_date(self, region: str, node_type: str, engine: str) -> str:
        """Date of the on-demand price (PRICES_AS_OF unless the row says otherwise)."""
        return self.price_as_of.get((region, node_type, engine), PRICES_AS_OF)

    def unpriced(self, region: str, node_type: str) -> bool:
        """AWS lists the type in the region, but the catalog has no sourced price for it there."""
        return (region, node_type) in self.listed

    def reserved_price(self, region: str, node_type: str, engine: str, years: int) -> float | None:
        """Effective hourly rate of an All Upfront reservation, where AWS offers one.

        The offers predate Valkey and quote Redis OSS rates; a Valkey node is estimated at
        its own on-demand rate times the same reserved share.
        """
        share = self.reserved_share.get((region, node_type, years))
        on_demand = self.price(region, node_type, engine)
        return None if share is None or on_demand is None else on_demand * share

    def restricted(self, families: tuple[str, ...] | None) -> Catalog:
        """The catalog limited to some families (None: all)."""
        if not families:
            return self
        return self.model_copy(update={"node_types": tuple(n for n in self.node_types if n.family in families)})


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The catalog shipped in ``sizing/catalog/data``."""
    with (DATA / "node_types.csv").open() as handle:
        nodes = tuple(
            NodeType(
                name=row["node_type"], family=row["family"], vcpu=int(row["vcpu"]),
                vcpu_sourced=row["vcpu_sourced"] == "yes", memory_gib=float(row["memory_gib"]),
                maxmemory_bytes=int(row["maxmemory_bytes"]), baseline_gbps=float(row["baseline_gbps"]),
                burst_gbps=float(row["burst_gbps"]), data_tiering_ssd_gib=float(row["data_tiering_ssd_gib"]),
                engines=tuple(row["engines"].split(";")), min_valkey_version=row["min_valkey_version"],
                min_redis_version=row["min_redis_version"],
            )
            for row in csv.DictReader(handle)
        )
    with (DATA / "regions.csv").open() as handle:
        regions = {
            row["region"]: Region(name=row["region"], description=row["description"],
                                  global_datastore=row["global_datastore_supported"] == "yes")
            for row in csv.DictReader(handle)
        }
    prices: dict[tuple[str, str, str], float] = {}
    listed: set[tuple[str, str]] = set()
    with (DATA / "prices.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["listed_2026_10"] != "yes":
                continue
            listed.add((row["region"], row["node_type"]))
            for engine in ("redis", "valkey"):
                value = row[f"{engine}_usd_per_hour"]
                if value:
                    prices[(row["region"], row["node_type"], engine)] = float(value)
    # Newer prices, each row with its date and source (data/SOURCES.md), for listed types only.
    dates: dict[tuple[str, str, str], str] = {}
    with (DATA / "node_prices_2026.csv").open() as handle:
        for row in csv.DictReader(handle):
            key = (row["region"], row["node_type"], row["engine"])
            if (key[0], key[1]) in listed:
                prices[key], dates[key] = float(row["usd_per_hour"]), row["as_of"]
    reserved: dict[tuple[str, str, int], float] = {}
    with (DATA / "reserved_prices.csv").open() as handle:
        for row in csv.DictReader(handle):
            reserved[(row["region"], row["node_type"], int(row["term_years"]))] = (
                float(row["reserved_usd_per_hour"]) / float(row["on_demand_usd_per_hour"]))
    return Catalog(node_types=nodes, regions=regions, hourly_usd=prices, price_as_of=dates, listed=frozenset(listed),
                   reserved_share=reserved)
