"""Measure a set of cases on a real server and record the numbers.

    python benchmarks/measure.py --server /path/to/valkey-server --out benchmarks/measurements/valkey-8.1.json
    python benchmarks/measure.py --server ... --cases benchmarks/production_cases.yaml \
        --out benchmarks/measurements/production/valkey-8.1.json

Starts the given binary once per case (127.0.0.1, a free port), loads each case of the
cases file (default ``benchmarks/accuracy_cases.yaml``, the development matrix) with
``sizing``'s verify procedure, and writes what the server reported, with the case
definitions, so tests can re-check the model offline. The engine and version of each
case are set to what the server reports. Sets: ``accuracy_cases.yaml`` (the matrix the
model is developed on), ``production_cases.yaml`` (production-shaped data) and
``random_cases.yaml`` (the out-of-sample set, measured once, never tuned on).

    python benchmarks/measure.py --repredict benchmarks/measurements/random/valkey-8.1.json

re-records only the predictions, with the current model, next to the measured bytes it
leaves as they were: after a deliberate model change, so that the recorded-accuracy test
guards the new errors (it fails any case that gets worse than recorded).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizing.errors import SizingError
from sizing.live.client import describe
from sizing.live.server import started_server
from sizing.live.verification import detect_allocator, verify_cluster, warm_up
from sizing.memory.engines import engine_profile
from sizing.planning.estimate import estimate_cluster
from sizing.planning.parameter_group import encoding_limits
from sizing.spec.workload import Cluster, Workload
from sizing.workloads import load_workload

CASES = ROOT / "benchmarks" / "accuracy_cases.yaml"


def for_server(cluster: Cluster, engine: str, version: str) -> Cluster:
    return cluster.variant(engine=engine, engine_version=version)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", help="redis-server or valkey-server binary")
    parser.add_argument("--out", help="JSON file to write")
    parser.add_argument("--repredict", metavar="FILE", help="re-record FILE's predictions with the current model")
    parser.add_argument("--cases", default=str(CASES), help="cases file (default: the accuracy matrix)")
    parser.add_argument("--only", nargs="*", help="case names to run (default: all)")
    parser.add_argument("--merge", action="store_true",
                        help="keep the other cases already recorded in --out, replacing only those run now")
    args = parser.parse_args()
    if args.repredict:
        repredict(Path(args.repredict))
        return
    if not (args.server and args.out):
        parser.error("--server and --out are needed to measure")
    cases_file = Path(args.cases)
    cases = [c for c in load_workload(cases_file).clusters if not args.only or c.name in args.only]
    records = []
    unwritable: list[dict[str, str]] = []
    server_version = ""
    with started_server(args.server, engine_profile("redis", "7.0").defaults, False) as client:
        warm_up(client)
        allocator = detect_allocator(client)
    for case in cases:
        started = time.monotonic()
        limits = encoding_limits(case, engine_profile("redis", "7.0"))
        with started_server(args.server, limits, case.cluster_mode_enabled) as client:
            info = describe(client)
            server_version = f"{info.engine} {info.version}"
            cluster = for_server(case, info.engine, info.minor_version)
            try:
                result = verify_cluster(cluster, client, 1.0, lambda _: None, allocator=allocator)
            except SizingError as error:  # data the loader cannot write, e.g. more distinct 1-digit members than 10
                unwritable.append({"case": case.name, "reason": str(error)})
                print(f"{case.name:22s} not measured: {error}", flush=True)
                continue
        records.append({
            "case": case.name,
            "definition": cluster.model_dump(mode="json", by_alias=True, exclude_none=True),
            "allocator": result.allocator,
            "keyspaces": [m.model_dump() for m in result.keyspaces],
            "total": result.total.model_dump(),
        })
        print(f"{case.name:22s} predicted {result.total.predicted_bytes:>11,} measured {result.total.measured_bytes:>11,} "
              f"error {result.total.error_percent:+.3f}%  ({time.monotonic() - started:.1f}s)", flush=True)
    if args.merge and Path(args.out).exists():
        previous = json.loads(Path(args.out).read_text())
        ran = {record["case"] for record in records}
        order = [c.name for c in load_workload(cases_file).clusters]
        records = sorted([c for c in previous["cases"] if c["case"] not in ran] + records,
                         key=lambda record: order.index(record["case"]) if record["case"] in order else len(order))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({
        "server": server_version,
        "allocator": allocator,
        "command": "python benchmarks/measure.py --server <binary built from the release source> "
                   f"--cases {cases_file.relative_to(ROOT) if cases_file.is_absolute() else cases_file} --out {args.out}",
        "cases_file": str(cases_file.resolve().relative_to(ROOT)),
        "measured_on": time.strftime("%Y-%m-%d"),
        "cases": records,
        **({"not_measured": unwritable} if unwritable else {}),
    }, indent=1) + "\n")


def repredict(path: Path) -> None:
    """The model's predictions in a recording, made again by the current model."""
    document = json.loads(path.read_text())
    for case in document["cases"]:
        cluster = Workload.model_validate({"clusters": [case["definition"]]}).clusters[0]
        case["total"]["predicted_bytes"] = estimate_cluster(cluster, case["allocator"]).dataset_bytes
        if len(case["keyspaces"]) > 1:
            for keyspace in case["keyspaces"]:
                alone = cluster.variant(keyspaces=[k for k in cluster.keyspaces if k.name == keyspace["name"]])
                keyspace["predicted_bytes"] = estimate_cluster(alone, case["allocator"]).dataset_bytes
        elif case["keyspaces"]:
            case["keyspaces"][0]["predicted_bytes"] = case["total"]["predicted_bytes"]
    document["predicted_on"] = time.strftime("%Y-%m-%d")
    path.write_text(json.dumps(document, indent=1) + "\n")
    print(f"{path}: {len(document['cases'])} predictions re-recorded")


if __name__ == "__main__":
    main()
