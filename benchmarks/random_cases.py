"""The out-of-sample set: random workloads across the whole input space, made once.

    python benchmarks/random_cases.py > benchmarks/random_cases.yaml
    python benchmarks/random_cases.py --development > benchmarks/random_development_cases.yaml

Seeded, so the file can be checked against this script, but it is generated and measured
once and never used for tuning: the model is developed on the accuracy matrix and the
production-shaped cases; this set only reports how it does on data nobody chose
(README, "Accuracy on real data"). Each case is one or two keyspaces of random type and
shape: every size and count is exact, quantiles or a histogram; shares of TTLs and
integers, score kinds, cluster mode and eviction policies vary. Key counts are scaled so
each case's dataset is a few MiB (quick to load, large against measurement noise).

``--development`` draws the same generator with another seed: a random set the model may be
tuned on, so that gaps random data exposes are found without looking at the proof set.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizing.planning.estimate import estimate_cluster
from sizing.workloads import parse_workload

SEED = 20261201
DEVELOPMENT_SEED = 20261202
"""The development draw's seed: the next one after the proof set's."""
CASES = 120
TARGET_DATASET_BYTES = 6 * 2**20
"""Each case's dataset on Valkey 8.1, before key counts are rounded."""
MAX_KEYS = 80_000


def size(rng: random.Random, low: int, high: int) -> Any:
    """A size between low and high: exact, quantiles or a histogram (a third each)."""
    kind = rng.choice(["exact", "quantiles", "histogram"])
    if kind == "exact" or high <= low + 2:
        return rng.randint(low, high)
    if kind == "quantiles":
        points = sorted(rng.randint(low, high) for _ in range(4))
        names = rng.choice([("min", "p50", "p90", "max"), ("min", "p50", "p99", "max"), ("min", "p25", "p75", "max")])
        return dict(zip(names, points))
    bounds = sorted({rng.randint(low, high) for _ in range(rng.randint(1, 4))} | {high})
    shares = [rng.random() + 0.05 for _ in bounds]
    total = sum(shares)
    rounded = [round(share / total, 3) for share in shares]
    rounded[-1] = round(1 - sum(rounded[:-1]), 3)
    if rounded[-1] <= 0:
        return rng.randint(low, high)
    return {"histogram": [{"up_to": bound, "share": share} for bound, share in zip(bounds, rounded)]}


def share(rng: random.Random) -> Any:
    return rng.choice([False, True, round(rng.random(), 2)])


def numeric(rng: random.Random, length_high: int) -> Any:
    """A numeric flag that fits the length field (integers have at most 18 digits)."""
    choice = rng.random()
    if choice < 0.5:
        return False
    if length_high <= 18 and choice < 0.75:
        return True if rng.random() < 0.5 else round(rng.random(), 2)
    return {"share": round(rng.random(), 2), "digits": size(rng, 1, 18)}


def keyspace(rng: random.Random, index: int) -> dict[str, Any]:
    kind = rng.choice(["string", "string", "hash", "set", "zset", "list"])
    spec: dict[str, Any] = {"name": f"k{index}", "type": kind, "keys": 1000, "key_bytes": size(rng, 8, 60),
                            "ttl": share(rng)}
    if kind == "string":
        high = rng.choice([18, 60, 300, 4000, 40_000])
        spec.update(value_bytes=size(rng, 1, high), numeric=numeric(rng, high))
    elif kind == "hash":
        value_high = rng.choice([18, 70, 300])
        spec.update(fields=size(rng, 1, rng.choice([20, 200, 1200])), field_bytes=size(rng, 2, 24),
                    value_bytes=size(rng, 1, value_high), numeric=numeric(rng, value_high))
        if rng.random() < 0.2:
            spec["numeric_fields"] = {"share": round(rng.random(), 2), "digits": size(rng, 4, 14)}
    elif kind in ("set", "zset"):
        member_high = rng.choice([18, 40, 90])
        spec.update(members=size(rng, 1, rng.choice([60, 300, 1500])), member_bytes=size(rng, 2, member_high),
                    numeric=numeric(rng, member_high))
        if kind == "zset":
            spec["scores"] = rng.choice(["floats", "unix_seconds", "unix_millis", "small_integers"])
    else:
        element_high = rng.choice([60, 600, 12_000])
        spec.update(elements=size(rng, 1, rng.choice([30, 300, 3000])), element_bytes=size(rng, 1, element_high),
                    numeric=numeric(rng, element_high))
    return spec


def case(rng: random.Random, number: int) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": f"random-{number:03d}",
                            "keyspaces": [keyspace(rng, i) for i in range(rng.choice([1, 1, 2]))]}
    if rng.random() < 0.25:
        spec["cluster_mode"] = "enabled"
    if rng.random() < 0.2:
        spec["parameters"] = {"maxmemory-policy": "noeviction"}
    return _scaled(spec)


def _scaled(spec: dict[str, Any]) -> dict[str, Any]:
    """Key counts that bring the dataset near the target (the model only picks the scale)."""
    probe = parse_workload(yaml.safe_dump({"clusters": [spec]}), "<random>").clusters[0]
    estimate = estimate_cluster(probe, "upstream")
    for keyspace_spec, memory in zip(spec["keyspaces"], estimate.keyspaces):
        share_of_target = TARGET_DATASET_BYTES / len(spec["keyspaces"])
        keyspace_spec["keys"] = max(50, min(MAX_KEYS, round(share_of_target / max(memory.bytes_per_key, 1))))
    return spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--development", action="store_true", help="the development draw (another seed)")
    args = parser.parse_args()
    seed = DEVELOPMENT_SEED if args.development else SEED
    rng = random.Random(seed)
    cases = [case(rng, number) for number in range(CASES)]
    print("# yaml-language-server: $schema=../workload.schema.json")
    if args.development:
        print(f"# A development set, generated by benchmarks/random_cases.py --development (seed {seed}): the "
              "model may be tuned on it.")
    else:
        print("# The out-of-sample set, generated once by benchmarks/random_cases.py (seed "
              f"{seed}); never used for tuning.")
    print(yaml.safe_dump({"clusters": cases}, sort_keys=False, width=120), end="")


if __name__ == "__main__":
    main()
