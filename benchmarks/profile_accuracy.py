"""How far the model's estimate of a profiled definition is from the server it came from.

    python benchmarks/profile_accuracy.py redis:7.0:/usr/bin/redis-server:debian \\
        valkey:8.1:/path/to/valkey-server:upstream ...
    python benchmarks/profile_accuracy.py --production [--cases FILE] [--only CASE]... [--out DIR] SERVER ...
    python benchmarks/profile_accuracy.py --summary [DIR]
    python benchmarks/profile_accuracy.py --repredict [DIR]

Each SERVER is ENGINE:VERSION:BINARY:ALLOCATOR. The server is started on 127.0.0.1, data
is written, ``python -m sizing profile`` reads every key, and the model's estimate for
the written definition is printed against the server's dataset memory (as ``profile``
measures it), as a Markdown table.

Modes
    mixed (default)   the mixed data of the profile tests (``tests/profile_data.py``),
                      standalone and then as a single-node cluster.
    --production      every case of ``benchmarks/production_cases.yaml`` (or ``--cases``):
                      data drawn from the case's distributions, loaded and settled as
                      ``verify`` does (``sizing.live.verification``), on a server with the
                      case's encoding limits and policy, in the case's cluster mode. Beside
                      the profiled file's error, the table gives the model's error for the
                      case's own definition against the same dataset: where the two agree,
                      the model is what misses; where only the profiled file misses, its
                      description of the data is (``--keep DIR`` keeps the written files).
                      ``--out DIR`` records each server's cases as ``DIR/<engine>-<minor>[-debian].json``
                      (``benchmarks/measurements/production_profiled``), replacing
                      the cases run and keeping the others: the profiled definition, the
                      dataset it was profiled from and both estimates, for
                      ``tests/test_profile_recorded.py`` to re-check without a server.
    --summary         the recorded files as the README's table: per build, cases within
                      2%, median, p95 and max of |error| and the signed mean.
    --repredict       the recorded files' two estimates (profiled definition, case
                      definition) made again by the current model, as
                      ``benchmarks/measure.py --repredict`` does for the other sets: the
                      definitions and measurements stay as recorded.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizing.live.client import describe
from sizing.live.profile import model_version
from sizing.live.server import started_server
from sizing.live.verification import load, settle, warm_up
from sizing.memory.engines import engine_profile
from sizing.planning.estimate import estimate_cluster
from sizing.planning.parameter_group import encoding_limits
from sizing.spec.workload import Workload
from sizing.workloads import load_workload
from tests.profile_data import load_mixed

CASES = ROOT / "benchmarks" / "production_cases.yaml"
RECORDED = ROOT / "benchmarks" / "measurements" / "production_profiled"
_DATASET = re.compile(r"dataset: model .*?\(([\d,]+) B\) vs server .*?\(([\d,]+) B\): ([-+\d.]+%)")


def profiled(port: int, allocator: str, cluster: bool, output: str) -> tuple[int, int, str] | str:
    """(model bytes, server dataset bytes, error) of ``profile`` reading every key, or why it failed."""
    done = subprocess.run(
        [sys.executable, "-m", "sizing", "profile", "--url", f"redis://127.0.0.1:{port}", "--sample",
         "100000000", "--max-ops-per-sec", "200000", "--allocator", allocator, "-o", output,
         *(["--cluster"] if cluster else [])],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "COLUMNS": "200"}, check=False)
    found = _DATASET.search(done.stdout + done.stderr)
    if not found:
        return f"failed: {done.stderr.strip()[-200:]}"
    return int(found.group(1).replace(",", "")), int(found.group(2).replace(",", "")), found.group(3)


def mixed(servers: list[str]) -> None:
    print("| server | allocator | mode | model vs server dataset |")
    print("|---|---|---|---|")
    for spec in servers:
        engine, version, binary, allocator = spec.split(":")
        for cluster in (False, True):
            with started_server(binary, engine_profile(engine, version).defaults, cluster) as client:
                load_mixed(client)
                settle(client)
                result = profiled(client.connection_pool.connection_kwargs["port"], allocator, cluster, os.devnull)
                shown = result if isinstance(result, str) else result[2]
                print(f"| {engine} {version} | {allocator} | {'cluster mode' if cluster else 'standalone'} | {shown} |",
                      flush=True)


def production(servers: list[str], cases_file: Path, only: list[str] | None, keep: Path | None,
               out: Path | None) -> None:
    cases = [c for c in load_workload(cases_file).clusters if not only or c.name in only]
    print("| case | server | allocator | keys | server dataset | profiled file vs server | case definition vs server |")
    print("|---|---|---|---|---|---|---|")
    for spec in servers:
        engine, version, binary, allocator = spec.split(":")
        records, server = [], ""
        for case in cases:
            limits = encoding_limits(case, engine_profile(engine, version))
            with started_server(binary, limits, case.cluster_mode_enabled) as client:
                info = describe(client)
                server = f"{info.engine} {info.version}"
                cluster = case.variant(engine=info.engine, engine_version=model_version(info.engine, info.version)[0])
                warm_up(client)
                load(client, enumerate(cluster.keyspaces), len(cluster.keyspaces), lambda _: None)
                settle(client)
                with tempfile.TemporaryDirectory() as scratch:
                    output = (keep or Path(scratch)) / f"{case.name}.{engine}-{version}-{allocator}.yaml"
                    result = profiled(client.connection_pool.connection_kwargs["port"], allocator,
                                      case.cluster_mode_enabled, str(output))
                    written = None if isinstance(result, str) else load_workload(output).clusters[0]
            keys = sum(k.keys for k in cluster.keyspaces)
            if isinstance(result, str) or written is None:
                print(f"| {case.name} | {engine} {version} | {allocator} | {keys:,} | | {result} | |", flush=True)
                continue
            predicted, measured, error = result
            own = estimate_cluster(cluster, allocator).dataset_bytes
            print(f"| {case.name} | {server} | {allocator} | {keys:,} | {measured:,} | {error} | "
                  f"{100 * (own - measured) / measured:+.2f}% |", flush=True)
            records.append({
                "case": case.name, "allocator": allocator, "keys": keys, "measured_bytes": measured,
                "predicted_bytes": predicted, "case_predicted_bytes": own,
                "profiled": written.model_dump(mode="json", by_alias=True, exclude_none=True),
            })
        if out is not None and records:
            record(out / f"{engine}-{version}{'-debian' if allocator == 'debian' else ''}.json", server, allocator,
                   cases_file, records)


def record(path: Path, server: str, allocator: str, cases_file: Path, records: list[dict[str, Any]]) -> None:
    """Write one server's cases to ``path``, keeping the cases recorded before that did not run now."""
    order = [c.name for c in load_workload(cases_file).clusters]
    ran = {r["case"] for r in records}
    if path.exists():
        records = [c for c in json.loads(path.read_text())["cases"] if c["case"] not in ran] + records
    records.sort(key=lambda r: order.index(r["case"]) if r["case"] in order else len(order))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "server": server,
        "allocator": allocator,
        "command": "python benchmarks/profile_accuracy.py --production "
                   f"--out {_shown(path.parent)} {server.split()[0]}:<minor>:<binary>:{allocator}",
        "cases_file": _shown(cases_file),
        "measured_on": time.strftime("%Y-%m-%d"),
        "cases": records,
    }, indent=1) + "\n")
    print(f"recorded {len(ran)} cases in {_shown(path)}", flush=True)


def _shown(path: Path) -> str:
    """A path relative to the repository where it is inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def recorded_errors(path: Path) -> tuple[dict[str, Any], list[tuple[str, float]]]:
    """A recorded file and each case's error (percent) of its profiled definition, estimated
    by the current model against the dataset it was profiled from."""
    document = json.loads(path.read_text())
    errors = []
    for case in document["cases"]:
        cluster = Workload.model_validate({"clusters": [case["profiled"]]}).clusters[0]
        predicted = estimate_cluster(cluster, case["allocator"]).dataset_bytes
        errors.append((case["case"], 100 * (predicted - case["measured_bytes"]) / case["measured_bytes"]))
    return document, errors


def summary(folder: Path) -> None:
    """Each case's error per build (its own definition's in brackets, as recorded), then
    per build: cases within 2%, median, p95 and max of |error| and the signed mean."""
    recorded = [(path, *recorded_errors(path)) for path in sorted(folder.glob("*.json"))]
    print("| case | " + " | ".join(f"{d['server']}{', debian' if d['allocator'] == 'debian' else ''}"
                                   for _, d, _ in recorded) + " |")
    print("|---|" + "---|" * len(recorded))
    own = [{c["case"]: 100 * (c["case_predicted_bytes"] - c["measured_bytes"]) / c["measured_bytes"]
            for c in d["cases"]} for _, d, _ in recorded]
    names = list(dict.fromkeys(name for _, _, errors in recorded for name, _ in errors))
    for name in names:
        cells = [f"{dict(errors)[name]:+.2f}% ({mine[name]:+.2f}%)" if name in mine else ""
                 for (_, _, errors), mine in zip(recorded, own)]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    print("| build | cases | within 2% | median | p95 | max | mean (signed) | worst case |")
    print("|---|---|---|---|---|---|---|---|")
    for _, document, errors in recorded:
        sizes = sorted(abs(e) for _, e in errors)
        worst = max(errors, key=lambda pair: abs(pair[1]))
        p95 = sizes[min(len(sizes) - 1, math.ceil(0.95 * len(sizes)) - 1)]
        print(f"| {document['server']} ({document['allocator']}) | {len(errors)} | "
              f"{sum(s <= 2.0 for s in sizes)} | {statistics.median(sizes):.2f}% | {p95:.2f}% | {sizes[-1]:.2f}% | "
              f"{statistics.fmean(e for _, e in errors):+.2f}% | {worst[0]} {worst[1]:+.2f}% |")


def repredict(folder: Path) -> None:
    """Each recorded case's estimates, by the current model."""
    cases = {c.name: c for c in load_workload(CASES).clusters}
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text())
        engine, version = document["server"].split()
        for case in document["cases"]:
            cluster = Workload.model_validate({"clusters": [case["profiled"]]}).clusters[0]
            case["predicted_bytes"] = estimate_cluster(cluster, case["allocator"]).dataset_bytes
            own = cases[case["case"]].variant(engine=engine, engine_version=model_version(engine, version)[0])
            case["case_predicted_bytes"] = estimate_cluster(own, case["allocator"]).dataset_bytes
        document["predicted_on"] = time.strftime("%Y-%m-%d")
        path.write_text(json.dumps(document, indent=1) + "\n")
        print(f"{_shown(path)}: {len(document['cases'])} predictions re-recorded", flush=True)


def main() -> None:
    # Cluster.variant re-validates a dump of the case; pydantic warns about the union of
    # ``numeric: {share, digits}`` on the way, and the result is the same definition.
    warnings.filterwarnings("ignore", message="Pydantic serializer warnings")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("servers", nargs="*", metavar="ENGINE:VERSION:BINARY:ALLOCATOR")
    parser.add_argument("--production", action="store_true", help="profile the production-shaped cases")
    parser.add_argument("--cases", type=Path, help="cases file for --production (default: production_cases.yaml)")
    parser.add_argument("--only", action="append", metavar="CASE", help="a case to run (repeat; default: all)")
    parser.add_argument("--keep", type=Path, help="keep the profiled files in this directory")
    parser.add_argument("--out", type=Path, help="record the production cases per server in this directory "
                                                 f"(benchmarks/measurements/{RECORDED.name})")
    parser.add_argument("--summary", type=Path, nargs="?", const=RECORDED, help="summarise the recorded files")
    parser.add_argument("--repredict", type=Path, nargs="?", const=RECORDED,
                        help="re-make the recorded files' estimates with the current model")
    args = parser.parse_args()
    if args.summary:
        summary(args.summary)
        return
    if args.repredict:
        repredict(args.repredict)
        return
    if args.production or args.cases:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        production(args.servers, args.cases or CASES, args.only, args.keep, args.out)
    else:
        mixed(args.servers)


if __name__ == "__main__":
    main()
