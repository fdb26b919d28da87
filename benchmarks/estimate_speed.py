"""Time to estimate a definition with many keyspaces (target: 1,000 keyspaces well under 1 s).

    python benchmarks/estimate_speed.py

Builds clusters of 10, 100 and 1,000 keyspaces mixing every type, with key counts from
a thousand to 500 million, and prints the best of five wall-clock times per size.
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


def workload(keyspaces: int) -> Workload:
    spaces = []
    for i in range(keyspaces):
        spaces.append({"name": f"ks{i}", "keys": 1000 * (i % 500_000 + 1), "key_bytes": 12 + i % 40, **SHAPES[i % len(SHAPES)]})
    clusters = [{"name": f"c{m}", "engine": e, "engine_version": v, "cluster_mode": m, "keyspaces": spaces}
                for e, v, m in (("valkey", "8.1", "enabled"),)]
    return Workload.model_validate({"clusters": clusters})


def main() -> None:
    for size in (10, 100, 1000):
        definition = workload(size)
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            estimate_workload(definition)
            best = min(best, time.perf_counter() - started)
        print(f"{size:>5} keyspaces: {best * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
