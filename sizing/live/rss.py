"""The resident memory of a local server process, read while it works.

A node must hold the highest RSS *during* churn, not what is left after it, so RSS is
sampled while the writes run: ``/proc/<pid>/statm`` every ``PROC_SAMPLE_SECONDS`` and
INFO memory every ``INFO_SAMPLE_SECONDS``, on a thread and a connection of their own (a
slow batch cannot hide a peak, and sampling does not change the writer's buffers). The
server itself refreshes ``used_memory_rss`` only every 100 ms (cronUpdateMemoryStats),
which is why /proc is read directly. The kernel's high-water mark (VmHWM), reset right
before the writes by writing ``5`` to ``/proc/<pid>/clear_refs``, gives the exact peak
however busy the machine leaves the sampler. Linux only; the server must be local.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

import redis

PROC_SAMPLE_SECONDS = 0.02
INFO_SAMPLE_SECONDS = 0.1
"""The server refreshes INFO's RSS and allocator fields every 100 ms (cronUpdateMemoryStats)."""
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def proc_rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES


def reset_hwm(pid: int) -> bool:
    """Reset the kernel's peak RSS of ``pid`` to its current RSS (Linux 4.0+)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def proc_hwm(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _memory_section(client: redis.Redis) -> dict[str, Any]:
    info: dict[str, Any] = client.info("memory")
    return info


@dataclass
class Sampler:
    """Peaks of RSS (/proc) and of INFO memory's fields, read on a thread of their own."""

    pid: int
    port: int
    read_info: Callable[[redis.Redis], dict[str, Any]] = _memory_section
    """What is kept of INFO memory at the peak of RSS (all of it by default)."""
    peak_rss: int = 0
    peak_rss_at_seconds: float = 0.0
    peak_used: int = 0
    info_at_peak_rss: dict[str, Any] = field(default_factory=dict)
    peak_info_rss: int = 0
    samples: int = 0
    max_gap_seconds: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=60)
        started = last = last_info = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic()
            self.max_gap_seconds = max(self.max_gap_seconds, now - last)
            last = now
            rss = proc_rss(self.pid)
            self.samples += 1
            if rss > self.peak_rss:
                self.peak_rss, self.peak_rss_at_seconds = rss, round(now - started, 2)
            if now - last_info >= INFO_SAMPLE_SECONDS:
                last_info = now
                info = self.read_info(client)
                self.peak_used = max(self.peak_used, int(info["used_memory"]))
                if int(info["used_memory_rss"]) > self.peak_info_rss:
                    self.peak_info_rss, self.info_at_peak_rss = int(info["used_memory_rss"]), info
            self._stop.wait(PROC_SAMPLE_SECONDS)
        client.close()

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
