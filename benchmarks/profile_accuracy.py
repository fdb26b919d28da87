"""How far the model's estimate of a profiled definition is from the server it came from.

    python benchmarks/profile_accuracy.py redis:7.0:/usr/bin/redis-server:debian \\
        valkey:8.1:/path/to/valkey-server:upstream ...

For each ENGINE:VERSION:BINARY:ALLOCATOR it starts the server on 127.0.0.1 (standalone,
then as a single-node cluster), writes the mixed data of the profile tests
(``tests/profile_data.py``), runs ``python -m sizing profile`` reading every key, and
prints the model's estimate for the written definition against the server's dataset
memory, as a Markdown table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizing.live.server import started_server
from sizing.memory.engines import engine_profile
from tests.profile_data import load_mixed


def main(servers: list[str]) -> None:
    print("| server | allocator | mode | model vs server dataset |")
    print("|---|---|---|---|")
    for spec in servers:
        engine, version, binary, allocator = spec.split(":")
        for cluster in (False, True):
            with started_server(binary, engine_profile(engine, version).defaults, cluster) as client:
                load_mixed(client)
                port = client.connection_pool.connection_kwargs["port"]
                done = subprocess.run(
                    [sys.executable, "-m", "sizing", "profile", "--url", f"redis://127.0.0.1:{port}", "--sample",
                     "1000000", "--max-ops-per-sec", "200000", "--allocator", allocator, "-o", os.devnull,
                     *(["--cluster"] if cluster else [])],
                    capture_output=True, text=True, cwd=ROOT, env={**os.environ, "COLUMNS": "200"}, check=False)
                found = re.search(r"dataset: .*?: ([-+\d.]+%)", done.stdout + done.stderr)
                result = found.group(1) if found else f"failed: {done.stderr.strip()[-200:]}"
                print(f"| {engine} {version} | {allocator} | {'cluster mode' if cluster else 'standalone'} | {result} |")


if __name__ == "__main__":
    main(sys.argv[1:])
