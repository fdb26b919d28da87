"""Time and peak memory to plan a fleet (target: 1,000 clusters in under 2 s here).

    python benchmarks/plan_speed.py

Builds fleets of 100, 250, 500 and 1,000 clusters (every engine version and mode, 1-6
keyspaces each, key counts from a thousand to a billion), plans each once, and prints
CPU time (``time.process_time``: the machine is shared), time per cluster and the peak
Python heap (tracemalloc, in a separate pass: it slows Python down several times), so that
linear growth is visible. "with advice" is the same fleet with recommendations, each of
which re-plans a variant of the cluster; "floor" is validating the fleet's definition, and
"ratio" the planning with advice over it. The memory model's memos are cleared before each
pass (the planner's own caches of node offers and placements stay warm); for fresh
processes of the command, start-up and YAML included, see benchmarks/scaling.py.
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sizing import Workload
from sizing.errors import NoViableNodeError
from sizing.memory.memo import clear_memos
from sizing.planning.plan import plan_cluster

VERSIONS = [("redis", "6.2"), ("redis", "7.0"), ("redis", "7.1"), ("valkey", "7.2"), ("valkey", "8.0"), ("valkey", "8.1")]
SHAPES = [
    {"type": "string", "value_bytes": 300, "ttl": True},
    {"type": "string", "value_bytes": 7, "numeric": True},
    {"type": "hash", "fields": 15, "field_bytes": 12, "value_bytes": 25},
    {"type": "zset", "members": 200, "member_bytes": 20, "scores": "unix_seconds"},
    {"type": "list", "elements": 50, "element_bytes": 120},
    {"type": "set", "members": 40, "member_bytes": 9, "numeric": True},
]


def fleet(size: int, seed: int = 7) -> Workload:
    rng = random.Random(seed)
    clusters = []
    for index in range(size):
        engine, version = rng.choice(VERSIONS)
        keyspaces = [
            {"name": f"ks{k}", "keys": int(10 ** rng.uniform(3, 8.5)), "key_bytes": rng.randint(10, 60),
             **rng.choice(SHAPES)}
            for k in range(rng.randint(1, 6))
        ]
        clusters.append({
            "name": f"c{index}", "engine": engine, "engine_version": version,
            "cluster_mode": rng.choice(["enabled", "disabled", "auto"]), "keyspaces": keyspaces,
            "growth": {"monthly_percent": rng.choice([0, 2, 5]), "horizon_months": 12},
            "traffic": {"peak_ops_per_sec": int(10 ** rng.uniform(3, 6))},
        })
    return Workload.model_validate({"clusters": clusters})


def plan_all(workload: Workload, advise: bool = False) -> int:
    """Plan every cluster; return how many have a plan (the rest exceed every node type)."""
    planned = 0
    for cluster in workload.clusters:
        try:
            plan_cluster(cluster, advise=advise)
            planned += 1
        except NoViableNodeError:
            pass
    return planned


def main() -> None:
    print(f"{'clusters':>8}  {'CPU s':>8}  {'ms/cluster':>10}  {'peak heap':>10}  {'planned':>9}  "
          f"{'with advice':>11}  {'floor':>6}  {'ratio':>6}")
    for size in (100, 250, 500, 1000):
        started = time.process_time()
        workload = fleet(size)
        floor = time.process_time() - started  # the definition validated: what reading the file costs besides YAML
        clear_memos()
        started = time.process_time()
        planned = plan_all(workload)
        elapsed = time.process_time() - started
        clear_memos()
        started = time.process_time()
        plan_all(workload, advise=True)
        advised = time.process_time() - started
        clear_memos()
        tracemalloc.start()
        plan_all(workload)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{size:>8}  {elapsed:>8.2f}  {1000 * elapsed / size:>10.2f}  {peak / 1024**2:>8.1f} MB  "
              f"{planned:>4}/{size:<4}  {advised:>9.2f} s  {floor:>6.2f}  {advised / floor:>6.1f}")


if __name__ == "__main__":
    main()
