"""Where a cluster's clients are, where its data may live, and the latency they accept.

With ``placement`` the planner chooses the regions (``sizing.planning.regions``): a primary,
and up to two Global Datastore secondaries where one region cannot serve every client's
reads within ``max_read_latency_ms``. Without it, ``regions`` is the choice.

Glossary
    client region      the AWS region the clients run in (or nearest them); latency is
                       measured between regions, so a client is placed at one.
    reads_percent,     that region's share of the cluster's reads and writes; each column
    writes_percent     sums to 100.
    allowed_regions    where the data may be stored (data residency). Default: the client
                       regions.
    read latency       round trip from a client region to the nearest region of the
                       cluster: reads are served by any member.
    write latency      round trip to the primary region: only the primary takes writes.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from sizing.spec.base import SpecModel
from sizing.spec.messages import field_error

MAX_CLIENT_REGIONS = 10
MAX_ALLOWED_REGIONS = 10
"""Bounds the sets of up to three regions the planner weighs (175 at most)."""
SHARE_TOLERANCE_PERCENT = 0.01
"""Shares may sum to 100 within rounding."""


class ClientRegion(SpecModel):
    """One region's clients and their share of the traffic."""

    region: str = Field(description="AWS region the clients run in, e.g. 'eu-west-1'.")
    reads_percent: float = Field(ge=0, le=100, description="Share of the cluster's reads from this region, percent.")
    writes_percent: float = Field(ge=0, le=100, description="Share of the cluster's writes from this region, percent.")


class Placement(SpecModel):
    """Clients by region and the constraints the regions are chosen under."""

    clients: list[ClientRegion] = Field(min_length=1, max_length=MAX_CLIENT_REGIONS)
    allowed_regions: list[str] | None = Field(
        default=None, min_length=1, max_length=MAX_ALLOWED_REGIONS,
        description="Regions the data may be stored in (data residency). Default: the client regions.")
    max_read_latency_ms: float = Field(
        gt=0, le=1000, description="Round trip a read may take from every client region to the nearest region "
                                   "of the cluster, ms (inter-region P50, cloudping.co).")
    max_write_latency_ms: float | None = Field(
        default=None, gt=0, le=1000,
        description="Round trip a write may take from every client region that writes to the primary region, ms. "
                    "Default: no limit.")

    @model_validator(mode="after")
    def _consistent(self) -> Placement:
        seen: set[str] = set()
        for index, client in enumerate(self.clients):
            if client.region in seen:
                raise field_error(f"clients[{index}].region", f"duplicate region '{client.region}'")
            seen.add(client.region)
        for column in ("reads_percent", "writes_percent"):
            total = sum(getattr(client, column) for client in self.clients)
            if abs(total - 100) > SHARE_TOLERANCE_PERCENT:
                raise field_error(f"clients[0].{column}", f"the clients' {column} must sum to 100, got {total:g}")
        for index, region in enumerate(self.allowed_regions or ()):
            if region in (self.allowed_regions or [])[:index]:
                raise field_error(f"allowed_regions[{index}]", f"duplicate region '{region}'")
        return self

    @property
    def candidate_regions(self) -> tuple[str, ...]:
        """Where the data may go, with the default applied."""
        return tuple(self.allowed_regions or (client.region for client in self.clients))
