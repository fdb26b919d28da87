"""The list model against random lists packed by the engine's rule, count by count.

    python benchmarks/list_packing.py                 # print the table (about 10 minutes on one core)
    python benchmarks/list_packing.py --out FILE      # and record it (JSON)
    python benchmarks/list_packing.py --recorded FILE # the recorded table, re-priced now

A list's memory is its elements (known exactly) plus what packing adds: quicklist nodes,
allocation classes, and on 7.2+ whether the list is still one listpack. ``sizing.memory.values``
prices what packing adds from simulated lists and, for small elements, from the normal total
of a list's lengths. This judges that expectation against lists drawn at random, each packed
exactly by the engine's rule (the rule matches ``MEMORY USAGE`` on real servers list by list:
Valkey 8.0, 736 lists of 65 elements, every one within the object's own 48-64 bytes).

The distributions are drawn at random from a seed (development data, not the recorded
accuracy cases), and the counts are those where packing changes: around the count whose
lists just fill one 8 KiB node, and around 64, where the simulation changes from short to
long lists. Each row: model - random lists, as a share of the random lists' mean.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizing import Workload
from sizing.memory import values
from sizing.memory.engines import EngineProfile, engine_profile

SEEDS = (7, 8)
DISTRIBUTIONS_PER_SEED = 8
LISTS_PER_COUNT, LISTS_PER_LONG_COUNT = 2000, 200
"""Random lists per count: the mean of 2,000 is within about 0.25% (lists' costs vary by
about 10%); 200 beyond 200 elements, whose costs vary far less."""


def keyspace(spec: dict[str, Any], version: tuple[str, str]) -> values.ListKeyspace:
    cluster = {"name": "c", "engine": version[0], "engine_version": version[1], "keyspaces": [spec]}
    found = Workload.model_validate({"clusters": [cluster]}).clusters[0].keyspaces[0]
    assert isinstance(found, values.ListKeyspace)
    return found


def exact_bytes(lists: values._List, profile: EngineProfile, drawn: list[tuple[bool, int]]) -> float:
    """One list as the engine stores it: one listpack while its lengths fit (7.2+), else a quicklist."""
    raw = sum(length for _, length in drawn)
    n = len(drawn)
    if (profile.small_lists_as_listpack and values.LISTPACK_HEADER_BYTES + raw <= lists.byte_limit
            and n <= lists.count_limit and n <= lists.batch):
        entries = sum(values._entry(profile, length, numeric) for numeric, length in drawn)
        return profile.allocator.class_bytes(math.ceil(values.LISTPACK_HEADER_BYTES + entries))
    return lists.quicklist_bytes(drawn)


def random_spec(rng: random.Random) -> dict[str, Any]:
    low = rng.choice([1, 2, 5, 10, 20, 50, 100, 200, 400, 1000, 3000])
    high = low * rng.choice([1.5, 2, 4, 8, 20])
    middle = int(math.sqrt(low * high))
    lengths: Any = {"min": low, "p50": max(low, middle), "max": int(high) + 1} if rng.random() < 0.8 else middle
    spec: dict[str, Any] = {"name": "k", "type": "list", "keys": 1000, "key_bytes": 16, "elements": 5,
                            "element_bytes": lengths}
    if rng.random() < 0.5:
        spec["numeric"] = {"share": round(rng.uniform(0.1, 0.9), 2),
                           "digits": rng.choice([1, 3, 5, {"min": 1, "max": 12}])}
    return spec


def counts(lists: values._List) -> list[int]:
    one_node = max(1, int((lists.byte_limit - values.LISTPACK_HEADER_BYTES) / max(lists.elements.mean_length(), 1)))
    around = {max(1, one_node // 2), max(1, one_node - 2), one_node, one_node + 2, int(one_node * 1.3) + 1}
    return sorted(n for n in around | {3, 60, 64, 65, 70, 100, 130} if n <= 2000)


def model_bytes(lists: values._List, n: int) -> float:
    return sum(share * size for _, share, size in lists.priced(n))


def measure(spec: dict[str, Any], version: tuple[str, str], seed: int) -> list[dict[str, Any]]:
    profile = engine_profile(*version)
    lists = values._List(keyspace(spec, version), profile, profile.defaults)
    rng = random.Random(seed)
    rows = []
    for n in counts(lists):
        trials = LISTS_PER_COUNT if n < 200 else LISTS_PER_LONG_COUNT
        drawn = [[lists.elements.draw(rng.random(), rng.random()) for _ in range(n)] for _ in range(trials)]
        random_mean = statistics.mean(exact_bytes(lists, profile, d) for d in drawn)
        rows.append({"elements": n, "random_lists": trials, "random_mean_bytes": random_mean,
                     "model_bytes": model_bytes(lists, n)})
    return rows


def error_percent(row: dict[str, Any]) -> float:
    return 100 * (row["model_bytes"] - row["random_mean_bytes"]) / row["random_mean_bytes"]


def summary(distributions: list[dict[str, Any]]) -> str:
    worst = [max(abs(error_percent(r)) for r in d["counts"]) for d in distributions]
    every = [abs(error_percent(r)) for d in distributions for r in d["counts"]]
    return (f"{len(distributions)} distributions, {len(every)} counts: |error| median {statistics.median(every):.2f}%, "
            f"p95 {sorted(every)[round(0.95 * (len(every) - 1))]:.2f}%, max {max(every):.2f}%; "
            f"worst count per distribution: median {statistics.median(worst):.2f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="JSON file to record the table in")
    parser.add_argument("--recorded", help="a recorded table: re-price its counts with the current model")
    parser.add_argument("--version", default="valkey:8.0", help="engine:version (default valkey:8.0)")
    args = parser.parse_args()
    if args.recorded:
        document = json.loads(Path(args.recorded).read_text())
        for d in document["distributions"]:
            version = tuple(document["version"])
            profile = engine_profile(*version)
            lists = values._List(keyspace(d["spec"], version), profile, profile.defaults)  # type: ignore[arg-type]
            for row in d["counts"]:
                row["model_bytes"] = model_bytes(lists, row["elements"])
        print(summary(document["distributions"]))
        return
    engine, version = args.version.split(":")
    distributions = []
    for seed in SEEDS:
        rng = random.Random(seed)
        for i in range(DISTRIBUTIONS_PER_SEED):
            spec = random_spec(rng)
            rows = measure(spec, (engine, version), seed)
            distributions.append({"seed": seed, "index": i, "spec": spec, "counts": rows})
            print(f"{seed}/{i:2d} {json.dumps(spec['element_bytes'])} {json.dumps(spec.get('numeric'))}: "
                  + " ".join(f"{r['elements']}:{error_percent(r):+.2f}" for r in rows), flush=True)
    print(summary(distributions))
    if args.out:
        Path(args.out).write_text(json.dumps({"version": [engine, version], "command": " ".join(sys.argv),
                                              "distributions": distributions}, indent=1) + "\n")


if __name__ == "__main__":
    main()
