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

CLUSTER_SLOTS = 16_384
SLOT_SIZE_INDEX_BYTES = 2 * (CLUSTER_SLOTS + 1) * 8
"""What Valkey 9.1's ``used_memory_startup`` leaves out in cluster mode: the binary indexed
tree of per-slot key counts (``hashtable_size_index``, 16,385 8-byte counters) of the main and
the expires kvstore, allocated at start-up. ``InitServerLast`` (server.c 9.1) subtracts the
memory overhead from the start-up figure, and ``kvstoreMemUsage`` (kvstore.c) counts the tree
as database overhead; 8.0 and 8.1 record ``zmalloc_used_memory()`` as it is. Measured: a fresh
9.1.2 cluster node holds 262,352 bytes more than used_memory_startup and its clients and
histograms explain (standalone: none)."""


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


def startup_bytes_left_out(engine: str, release: str, cluster_mode: bool) -> int:
    """Start-up memory that ``used_memory_startup`` does not report (``SLOT_SIZE_INDEX_BYTES``
    on Valkey 9.1+ in cluster mode), so that a dataset read as used_memory less
    used_memory_startup does not count it."""
    major, minor = (int(part) for part in release.split(".")[:2])
    return SLOT_SIZE_INDEX_BYTES if cluster_mode and engine == "valkey" and (major, minor) >= (9, 1) else 0
