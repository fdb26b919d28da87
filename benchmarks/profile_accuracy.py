"""How far the model's estimate of a profiled definition is from the server it came from.

    python benchmarks/profile_accuracy.py redis:7.0:/usr/bin/redis-server:debian \\
        valkey:8.1:/path/to/valkey-server:upstream ...
    python benchmarks/profile_accuracy.py --production [--cases FILE] [--only CASE]... SERVER ...

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
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizing.live.client import describe
from sizing.live.profile import model_version
from sizing.live.server import started_server
from sizing.live.verification import load, settle, warm_up
from sizing.memory.engines import engine_profile
from sizing.planning.estimate import estimate_cluster
from sizing.planning.parameter_group import encoding_limits
from sizing.workloads import load_workload
from tests.profile_data import load_mixed

CASES = ROOT / "benchmarks" / "production_cases.yaml"
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


def production(servers: list[str], cases_file: Path, only: list[str] | None, keep: Path | None) -> None:
    cases = [c for c in load_workload(cases_file).clusters if not only or c.name in only]
    print("| case | server | allocator | keys | server dataset | profiled file vs server | case definition vs server |")
    print("|---|---|---|---|---|---|---|")
    for spec in servers:
        engine, version, binary, allocator = spec.split(":")
        for case in cases:
            limits = encoding_limits(case, engine_profile(engine, version))
            with started_server(binary, limits, case.cluster_mode_enabled) as client:
                info = describe(client)
                cluster = case.variant(engine=info.engine, engine_version=model_version(info.engine, info.version)[0])
                warm_up(client)
                load(client, enumerate(cluster.keyspaces), len(cluster.keyspaces), lambda _: None)
                settle(client)
                with tempfile.TemporaryDirectory() as scratch:
                    output = str((keep or Path(scratch)) / f"{case.name}.{engine}-{version}-{allocator}.yaml")
                    result = profiled(client.connection_pool.connection_kwargs["port"], allocator,
                                      case.cluster_mode_enabled, output)
            keys = sum(k.keys for k in cluster.keyspaces)
            if isinstance(result, str):
                print(f"| {case.name} | {engine} {version} | {allocator} | {keys:,} | | {result} | |", flush=True)
                continue
            _, measured, error = result
            own = estimate_cluster(cluster, allocator).dataset_bytes
            print(f"| {case.name} | {info.engine} {info.version} | {allocator} | {keys:,} | {measured:,} | {error} | "
                  f"{100 * (own - measured) / measured:+.2f}% |", flush=True)


def main() -> None:
    # Cluster.variant re-validates a dump of the case; pydantic warns about the union of
    # ``numeric: {share, digits}`` on the way, and the result is the same definition.
    warnings.filterwarnings("ignore", message="Pydantic serializer warnings")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("servers", nargs="+", metavar="ENGINE:VERSION:BINARY:ALLOCATOR")
    parser.add_argument("--production", action="store_true", help="profile the production-shaped cases")
    parser.add_argument("--cases", type=Path, help="cases file for --production (default: production_cases.yaml)")
    parser.add_argument("--only", action="append", metavar="CASE", help="a case to run (repeat; default: all)")
    parser.add_argument("--keep", type=Path, help="keep the profiled files in this directory")
    args = parser.parse_args()
    if args.production or args.cases:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        production(args.servers, args.cases or CASES, args.only, args.keep)
    else:
        mixed(args.servers)


if __name__ == "__main__":
    main()
