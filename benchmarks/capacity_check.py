"""Run ``verify --plan`` (``sizing.live.capacity``) for every write pattern on tight plans for
a small node, on one engine build, and record the results.

    python benchmarks/capacity_check.py --server /work/engines/valkey-8.1/src/valkey-server --build valkey-8.1
    python benchmarks/capacity_check.py --server /usr/bin/redis-server --build redis-7.0-debian \\
        --engine redis --version 7.0

    python benchmarks/capacity_check.py --server /work/engines/valkey-8.1/src/valkey-server --build valkey-8.1 \\
        --pattern mixed --data strings-400b-exact --out-dir benchmarks/measurements/capacity/exact-sizes
    python benchmarks/capacity_check.py --server /work/engines/valkey-8.0/src/valkey-server --build valkey-8.0 \
        --pattern mixed --data strings-120b --data strings-400b-exact --passes 14.4 \
        --out-dir benchmarks/measurements/capacity/month
    python benchmarks/capacity_check.py --table     # the README's table, from what is recorded

Writes ``benchmarks/measurements/capacity/<build>.json``; ``tests/test_capacity_recorded.py``
re-checks every record: no OOM, no eviction, and the headroom left at the peak of churn at
least the plan's claimed headroom less 2 points.

The stacks (``stack``): one cluster per write pattern in the spec's ``write_pattern``, on
the build's engine and version, cluster mode disabled, t4g nodes only and little traffic,
so memory decides. Its data varies in size: for read_heavy, mixed and write_heavy,
strings of 60-180 B values (median 120: the centre of the measurements the fragmentation
model was fitted to) and, apart, of 200-600 B values (median 400: also the model's 'small'
class, but a centre it was not fitted at); for analytical, hashes of 50-200 fields with
20-120 B values. The key count is the largest for which the plan still picks ``NODE_TYPE``
(bisected): the plan is as tight as the planner makes it, its headroom just above the
10% target. Churn is the write pattern's default (``DEFAULT_CHURN``), the passes
``verify --plan``'s default (the model's window, at most 5.1).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
import typing
from pathlib import Path
from typing import Any

from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.fragmentation import host
from sizing import parse_workload
from sizing.errors import NoViableNodeError
from sizing.live.capacity import CheckSettings, check_capacity, default_passes
from sizing.live.server import binary_version, started_server
from sizing.live.verification import detect_allocator
from sizing.memory.engines import engine_profile
from sizing.memory.limits import EncodingLimits
from sizing.planning.parameter_group import encoding_limits
from sizing.planning.plan import ClusterPlan, plan_cluster
from sizing.render.terminal import capacity_json
from sizing.spec.workload import Cluster

OUT_DIR = ROOT / "benchmarks" / "measurements" / "capacity"
NODE_TYPE = "cache.t4g.micro"
"""The smallest node (512 MiB maxmemory, 50% reserved): the plans issue 13 found failing."""
SCALE = 0.25
"""Keys and memory budget at a quarter: ~40 MB of data per check, ~10-30 s each."""
PATTERNS: tuple[str, ...] = typing.get_args(Cluster.model_fields["write_pattern"].annotation)
VALUES = {
    "strings-120b": {"type": "string", "key_bytes": 16, "value_bytes": {"min": 60, "p50": 120, "max": 180}},
    "strings-400b": {"type": "string", "key_bytes": 16, "value_bytes": {"min": 200, "p50": 400, "max": 600}},
    "strings-400b-exact": {"type": "string", "key_bytes": 16, "value_bytes": 400},
    "hashes": {"type": "hash", "key_bytes": 16, "fields": {"min": 50, "p50": 100, "max": 200}, "field_bytes": 10,
               "value_bytes": {"min": 20, "p50": 60, "max": 120}},
}
"""The data of each check, by name. ``strings-400b-exact`` (every value 400 B, as the sessions of
``stacks/social.yaml``) is not among the defaults, whose sizes vary: ``--data`` runs it."""


def data_of(pattern: str) -> tuple[str, ...]:
    return ("hashes",) if pattern == "analytical" else ("strings-120b", "strings-400b")


def stack(pattern: str, data: str, engine: str, version: str, keys: int) -> Cluster:
    keyspace = VALUES[data]
    spec = {"name": f"tight-{pattern.replace('_', '-')}-{data}", "engine": engine, "engine_version": version,
            "write_pattern": pattern,
            "cluster_mode": "disabled", "nodes": {"families": ["t4g"]},
            "traffic": {"peak_ops_per_sec": 1000, "peak_connections": 50},
            "keyspaces": [{"name": "data", "keys": keys, **keyspace}]}
    return parse_workload(json.dumps({"clusters": [spec]}), "<capacity_check>").clusters[0]


def default_limits(engine: str, version: str) -> EncodingLimits:
    """The encoding limits of a stack of this engine version (for the allocator probe)."""
    probe = stack("read_heavy", "strings-120b", engine, version, 1_000)
    return encoding_limits(probe, engine_profile(engine, version))


def tightest(pattern: str, data: str, engine: str, version: str, allocator: str) -> tuple[Cluster, ClusterPlan]:
    """The stack with the most keys whose plan still picks NODE_TYPE."""
    low, high = 1_000, 20_000_000
    while high - low > max(1, low // 2000):  # to 0.05% of the key count
        middle = (low + high) // 2
        try:
            plan = plan_cluster(stack(pattern, data, engine, version, middle), advise=False, allocator=allocator)
            fits = plan.chosen.node_type == NODE_TYPE
        except NoViableNodeError:  # too big for any t4g node
            fits = False
        low, high = (middle, high) if fits else (low, middle)
    cluster = stack(pattern, data, engine, version, low)
    plan = plan_cluster(cluster, advise=False, allocator=allocator)
    assert plan.chosen.node_type == NODE_TYPE, plan.chosen.node_type
    return cluster, plan


def one_line(r: dict[str, Any]) -> str:
    return (f"{r['write_pattern']:12s} {r['data']:13s} keys {r['keyspaces'][0]['keys_loaded']:>8,}  data {r['measured_dataset_bytes'] / 1e6:5.1f} MB"
            f"  peak ratio {r['peak_ratio_measured']:.3f} (budget {r['budget_peak_ratio']:.3f})"
            f"  headroom {r['headroom_left_percent']:6.2f}% (claimed {r['claimed_headroom_percent']:.2f}%)"
            f"  oom {r['oom_errors']}  evicted {r['evicted_keys']}  {'holds' if r['holds'] else 'DOES NOT HOLD'}")


def table(out_dir: Path) -> str:
    """Markdown: every recorded check, build by build."""
    header = ("| build | write pattern | data | loaded (scale 0.25) | peak RSS / data: budget | measured "
              "| headroom claimed | left at the peak | OOM | evicted | holds |")
    lines = [header, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for path in sorted(out_dir.glob("*.json")):
        for r in json.loads(path.read_text())["records"]:
            lines.append(
                f"| {path.stem} | {r['write_pattern']} | {r['data']} | {r['measured_dataset_bytes'] / 1e6:.1f} MB "
                f"| {r['budget_peak_ratio']:.3f} | {r['peak_ratio_measured']:.3f} | {r['claimed_headroom_percent']:.2f}% "
                f"| {r['headroom_left_percent']:.2f}% | {r['oom_errors']} | {r['evicted_keys']} "
                f"| {'yes' if r['holds'] else '**no**'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    if "--table" in sys.argv[1:]:
        print(table(OUT_DIR))
        for extra in ("exact-sizes", "month"):
            if (OUT_DIR / extra).is_dir():
                print("\n" + table(OUT_DIR / extra))
        return
    parser.add_argument("--table", action="store_true", help="print the recorded checks as a Markdown table")
    parser.add_argument("--server", required=True, metavar="PATH", help="redis-server or valkey-server binary")
    parser.add_argument("--build", required=True, help="name of the build: the output is <out-dir>/<build>.json")
    parser.add_argument("--engine", help="engine the stacks are planned for (default: from the build name)")
    parser.add_argument("--version", help="engine version the stacks are planned for (default: the binary's)")
    parser.add_argument("--scale", type=float, default=SCALE)
    parser.add_argument("--pattern", action="append", choices=PATTERNS, help="only these write patterns")
    parser.add_argument("--data", action="append", choices=list(VALUES), help="these data instead of the defaults")
    parser.add_argument("--passes", type=float, help="rewrites per key (default: verify --plan's, at most 5.1)")
    parser.add_argument("--out-dir", default=str(OUT_DIR))
    args = parser.parse_args()
    engine = args.engine or args.build.split("-")[0]
    version = args.version or binary_version(args.server)
    out = Path(args.out_dir) / f"{args.build}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    console = Console(width=220, highlight=False)
    records: list[dict[str, Any]] = []
    with started_server(args.server, default_limits(engine, version), False) as client:
        allocator = detect_allocator(client)  # plans are sized for the server's own jemalloc
    for pattern, data in [(p, d) for p in args.pattern or PATTERNS for d in args.data or data_of(p)]:
        started = time.monotonic()
        cluster, plan = tightest(pattern, data, engine, version, allocator)
        limits = encoding_limits(cluster, engine_profile(cluster.engine, cluster.version))
        with started_server(args.server, limits, plan.chosen.cluster_mode) as client:
            passes = args.passes if args.passes is not None else default_passes(plan)
            check = check_capacity(client, cluster, plan, CheckSettings(args.scale, passes, allocator))
        records.append({**capacity_json(check), "data": data,
                        "stack": json.loads(cluster.model_dump_json(exclude_unset=True)),
                        "seconds": round(time.monotonic() - started, 1)})
        console.print(one_line(records[-1]))
        # written after every pattern, so an interrupted run keeps what it measured
        out.write_text(json.dumps({
            "build": args.build, "binary": args.server, "method": __doc__,
            "command": shlex.join(["python", "benchmarks/capacity_check.py", *sys.argv[1:]]),
            "measured_on": time.strftime("%Y-%m-%d"), "host": host(), "node_type": NODE_TYPE, "scale": args.scale,
            "records": records,
        }, indent=1) + "\n")


if __name__ == "__main__":
    main()
