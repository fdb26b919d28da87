"""The server's own memory, measured per engine release and mode (``data/server_memory.csv``).

Measured by ``benchmarks/measure_startup.py`` on builds from upstream source with their
bundled jemalloc: ``used_memory`` at start-up, one idle client, and one command's latency
histogram (7.0+ allocate one per command on first use).
"""

from __future__ import annotations

import csv
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from sizing.catalog.nodes import DATA
from sizing.versions import minor_version


class ServerMemory(BaseModel):
    """Measured fixed costs of one engine version and mode."""

    model_config = ConfigDict(frozen=True)

    startup_bytes: int
    idle_client_bytes: int
    histogram_bytes: int
    """One command's latency histogram, allocated on its first call (7.0+; 0 before)."""


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, str, bool], ServerMemory]:
    table = {}
    with (DATA / "server_memory.csv").open() as handle:
        for row in csv.DictReader(handle):
            table[(row["engine"], minor_version(row["version"]), row["cluster_mode"] == "yes")] = ServerMemory(
                startup_bytes=int(row["startup_bytes"]), idle_client_bytes=int(row["idle_client_bytes"]),
                histogram_bytes=int(row["histogram_bytes"]))
    return table


def measured_server_memory(engine: str, release: str, cluster_mode: bool) -> ServerMemory:
    """The fixed costs measured on ``engine`` ``release`` (major.minor)."""
    return _table()[(engine, release, cluster_mode)]
