"""Record each engine's fixed memory: used_memory_startup, per idle client, per command histogram.

    python benchmarks/measure_startup.py --server BINARY [--server BINARY ...] --out sizing/data/server_memory.csv

For every binary, standalone and in cluster mode, on 127.0.0.1 and a free port:
  startup_bytes        INFO used_memory_startup (server structures before any data),
  idle_client_bytes    used_memory growth per connected client after 3.5 s idle, 50 clients,
  histogram_bytes      used_memory growth from running one new command (7.0+ latency histogram).
The capacity plan adds these to the dataset (sizing/planning/capacity.py).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sizing.live.client import describe
from sizing.live.server import started_server
from sizing.live.verification import settle, warm_up
from sizing.memory.engines import engine_profile

IDLE_CLIENTS = 50


def measure(binary: str, cluster_mode: bool) -> dict[str, object]:
    with started_server(binary, engine_profile("redis", "7.0").defaults, cluster_mode) as client:
        info = describe(client)
        startup = int(client.info("memory")["used_memory_startup"])
        warm_up(client)
        before = settle(client)
        client.execute_command("ECHO", "x")  # a command not run before: allocates its histogram
        histogram = settle(client) - before
        kwargs = client.connection_pool.connection_kwargs
        others = [redis.Redis(host=kwargs["host"], port=kwargs["port"]) for _ in range(IDLE_CLIENTS)]
        before = settle(client)
        for other in others:
            other.execute_command("PING")
        time.sleep(3.5)
        idle = (settle(client) - before) / IDLE_CLIENTS
        for other in others:
            other.close()
    return {"engine": info.engine, "version": info.version, "cluster_mode": "yes" if cluster_mode else "no",
            "startup_bytes": startup, "idle_client_bytes": round(idle), "histogram_bytes": histogram}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", action="append", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rows = [measure(binary, mode) for binary in args.server for mode in (False, True)]
    with open(args.out, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
