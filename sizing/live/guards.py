"""What ``verify`` checks before it writes anywhere: that the server may be emptied, and
that the load fits in the memory this machine has free.

``verify`` FLUSHALLs the server it measures on. A URL pasted into the wrong command must
not destroy data, so a server that holds keys is refused unless the user said ``--flush``,
and a server that is not on this machine is refused unless the user confirmed it
(checked on the URL alone, before anything connects).
"""

from __future__ import annotations

import ipaddress
import math
from pathlib import Path

import redis

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
"""Host names that are this machine without asking DNS (RFC 6761 reserves localhost)."""
MEMINFO = Path("/proc/meminfo")
LOAD_MEMORY_MARGIN = 1.5
"""Memory a started server needs per byte of the estimated data: RSS after a load is
1.0-1.15x used_memory (benchmarks/fragmentation.py), plus the empty server, the
measuring client and slack for the model's own error; a load is refused above it."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: a loopback address or a name reserved for it. Any
    other name counts as remote: resolving it would already reach out."""
    if host.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def keys_by_database(client: redis.Redis) -> dict[int, int]:
    """Keys per database the server holds (INFO keyspace), databases with keys only."""
    found: dict[int, int] = {}
    for name, stats in client.info("keyspace").items():
        if str(name).startswith("db") and isinstance(stats, dict) and int(stats.get("keys", 0)) > 0:
            found[int(str(name)[2:])] = int(stats["keys"])
    return found


def available_memory_bytes(meminfo: Path = MEMINFO) -> int | None:
    """The kernel's estimate of memory available to new work (MemAvailable), None if unknown."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def largest_fitting_share(needed_at_full_bytes: float, available_bytes: float) -> float:
    """The largest share (two significant digits, rounded down) of a load needing
    ``needed_at_full_bytes`` at share 1 that fits in ``available_bytes``; 0 if none does."""
    if needed_at_full_bytes <= 0:
        return 1.0
    share = min(1.0, available_bytes / needed_at_full_bytes)
    if share <= 0:
        return 0.0
    step = 10.0 ** (1 - math.floor(math.log10(share)))
    return math.floor(share * step) / step
