"""The network between AWS regions: round-trip latency and data-transfer prices, as data.

Loaded once from ``data/inter_region_latency.csv`` and ``data/inter_region_transfer.csv``
(sources in ``data/SOURCES.md``). A pair that neither file has is unknown, and callers say
so rather than guess: the latency table covers the 32 commercial regions that cloudping.co
measures (not China, GovCloud, Taipei or New Zealand), and the transfer table the
regions whose AWS rates its source tabulated (see SOURCES.md for those it lacks).

Glossary
    rtt_ms               median (P50) round trip over TCP from one region to another's
                         endpoint, measured every 6 hours over a year (cloudping.co). The
                         value for a region to itself is measured the same way, within it.
    transfer_usd_per_gb  what AWS bills per GB sent from one region to another ("Data
                         Transfer OUT to another AWS Region"); the receiving region pays
                         nothing. Billed by the sending region, so the table is directed.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from sizing.catalog.nodes import DATA

LATENCY_AS_OF = "2025-10-09"
"""Date of the cloudping.co one-year P50 snapshot the latency table copies (the commit that
added it to the public repository it comes from; the year ends about then)."""
TRANSFER_AS_OF = "2022-12-04"
"""Date of the AWS inter-region transfer rates the transfer table copies (the last update
of the grid it comes from). Its standard rates ($0.02/GB out of US and European regions,
$0.01 between N. Virginia and Ohio) are the ones third parties still quote in 2026."""
BYTES_PER_GB = 10**9
"""AWS data-transfer pricing counts decimal gigabytes."""


class Network(BaseModel):
    """Latency and transfer prices between regions; ``None`` where no source gives the pair."""

    model_config = ConfigDict(frozen=True)

    rtt_ms: dict[tuple[str, str], float] = Field(description="(from region, to region) -> P50 round trip, ms.")
    transfer_usd_per_gb: dict[tuple[str, str], float] = Field(
        description="(from region, to region) -> USD per GB sent; a region to itself is free and not listed.")

    def latency_ms(self, client: str, region: str) -> float | None:
        """Round trip from a client in ``client`` to a cache in ``region``."""
        return self.rtt_ms.get((client, region))

    def transfer_price(self, source: str, destination: str) -> float | None:
        """USD per GB sent from ``source`` to ``destination``: 0 within a region."""
        if source == destination:
            return 0.0
        return self.transfer_usd_per_gb.get((source, destination))


@lru_cache(maxsize=1)
def load_network() -> Network:
    """The latency and transfer tables shipped in ``sizing/catalog/data``."""
    with (DATA / "inter_region_latency.csv").open() as handle:
        rtt = {(row["from_region"], row["to_region"]): float(row["rtt_ms_p50"]) for row in csv.DictReader(handle)}
    with (DATA / "inter_region_transfer.csv").open() as handle:
        transfer = {(row["from_region"], row["to_region"]): float(row["usd_per_gb"])
                    for row in csv.DictReader(handle)}
    return Network(rtt_ms=rtt, transfer_usd_per_gb=transfer)
