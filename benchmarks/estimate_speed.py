"""Time to estimate a definition with many keyspaces (target: 1,000 keyspaces well under 1 s).

    python benchmarks/estimate_speed.py

Builds clusters of 10, 100 and 1,000 keyspaces mixing every type, with key counts from
a thousand to 500 million, and prints the best of five wall-clock times per size: once
with exact sizes, once with sizes that vary (quantiles, histograms, shares), each
keyspace's distributions different from the others' (no shape is priced twice).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizing import Workload, estimate_workload

SHAPES = [
    {"type": "string", "value_bytes": 300, "ttl": True},
    {"type": "string", "value_bytes": 7, "numeric": True},
    {"type": "hash", "fields": 15, "field_bytes": 12, "value_bytes": 25},
    {"type": "hash", "fields": 2000, "field_bytes": 12, "value_bytes": 25},
    {"type": "zset", "members": 500, "member_bytes": 20, "scores": "unix_seconds"},
    {"type": "list", "elements": 50, "element_bytes": 120},
    {"type": "set", "members": 40, "member_bytes": 9, "numeric": True},
]


def varying(i: int) -> dict[str, object]:
    """The i-th keyspace's shape with sizes that vary, its quantiles its own."""
    k = i // 7 + 1
    shapes: list[dict[str, object]] = [
        {"type": "string", "value_bytes": {"p50": 300 + k, "p90": 1200, "max": 20000}, "ttl": 0.3},
        {"type": "string", "value_bytes": {"min": 10, "max": 40 + k}, "numeric": {"share": 0.6, "digits": {"max": 7}}},
        {"type": "hash", "fields": {"p50": 15, "max": 60 + k}, "field_bytes": {"min": 4, "max": 14},
         "value_bytes": {"histogram": [{"up_to": 40 + k % 20, "share": 0.9}, {"up_to": 300, "share": 0.1}]}},
        {"type": "hash", "fields": {"p50": 400, "max": 2000 + k}, "field_bytes": 12, "value_bytes": {"max": 30 + k}},
        {"type": "zset", "members": {"p50": 100, "p90": 300, "max": 2000 + k}, "member_bytes": {"min": 8, "max": 24},
         "scores": "unix_seconds"},
        {"type": "list", "elements": {"p50": 50, "max": 500 + k}, "element_bytes": {"p50": 120, "max": 2000}},
        {"type": "set", "members": {"p50": 40, "p99": 400, "max": 2000 + k}, "member_bytes": {"min": 6, "max": 12},
         "numeric": True},
    ]
    return shapes[i % len(shapes)]


def workload(keyspaces: int, distributions: bool = False) -> Workload:
    spaces = []
    for i in range(keyspaces):
        shape = varying(i) if distributions else SHAPES[i % len(SHAPES)]
        spaces.append({"name": f"ks{i}", "keys": 1000 * (i % 500_000 + 1), "key_bytes": 12 + i % 40, **shape})
    clusters = [{"name": f"c{m}", "engine": e, "engine_version": v, "cluster_mode": m, "keyspaces": spaces}
                for e, v, m in (("valkey", "8.1", "enabled"),)]
    return Workload.model_validate({"clusters": clusters})


def main() -> None:
    for distributions in (False, True):
        for size in (10, 100, 1000):
            best = float("inf")
            for _ in range(5):
                definition = workload(size, distributions)  # a fresh definition: nothing cached
                clear_caches()
                started = time.perf_counter()
                estimate_workload(definition)
                best = min(best, time.perf_counter() - started)
            label = "sizes that vary" if distributions else "exact sizes"
            print(f"{size:>5} keyspaces, {label:15s}: {best * 1000:8.1f} ms")


def clear_caches() -> None:
    """A cold model: no distribution or priced shape kept from an earlier run."""
    from sizing.memory.memo import clear_memos
    clear_memos()


if __name__ == "__main__":
    main()
