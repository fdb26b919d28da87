"""Time to profile a 1,000,000-key server with the default sample, and the load it puts on it.

    python benchmarks/profile_speed.py [--server /usr/bin/redis-server] [--keys 1000000]

Starts a server on 127.0.0.1 on a free port, writes the mixed data of the profile tests
(``tests/profile_data.py``: eleven patterns of every type) scaled to about ``--keys`` keys,
profiles it with the command's defaults (sample, rate limit) and prints the elapsed time,
the commands sent and their rate, and the server's CPU seconds and commands processed
during the profile (from INFO cpu and INFO stats, before and after).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizing.live.profile import build_profile
from sizing.live.sampling import DEFAULT_MAX_OPS_PER_SEC, DEFAULT_SAMPLE_KEYS, sample_servers
from sizing.live.server import default_server_binary, started_server
from sizing.memory.engines import engine_profile
from sizing.render.plan_view import human_bytes
from tests.profile_data import EXPECTED, load_mixed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=None, help="redis-server or valkey-server binary (default: from PATH)")
    parser.add_argument("--keys", type=int, default=1_000_000)
    args = parser.parse_args()
    scale = args.keys / sum(keys for _, keys in EXPECTED.values())
    binary = args.server or default_server_binary()
    with started_server(binary, engine_profile("redis", "7.0").defaults, False) as client:
        started = time.monotonic()
        load_mixed(client, scale)
        print(f"loaded {client.dbsize():,} keys in {time.monotonic() - started:.0f} s")
        url = f"redis://127.0.0.1:{client.connection_pool.connection_kwargs['port']}"
        started = time.monotonic()
        servers = sample_servers(url, False, DEFAULT_SAMPLE_KEYS, DEFAULT_MAX_OPS_PER_SEC, lambda done, total: None)
        profile = build_profile(url, "bench", servers, "debian" if "/usr/bin/" in binary else "upstream")
        elapsed = time.monotonic() - started
    print(f"profiled {profile.sampled_keys:,} of {profile.total_keys:,} keys in {elapsed:.1f} s "
          f"(sample {DEFAULT_SAMPLE_KEYS:,}, limit {DEFAULT_MAX_OPS_PER_SEC:,} commands/s)")
    print(f"load: {profile.commands_sent:,} commands sent, {profile.commands_sent / elapsed:,.0f} ops/s; "
          f"server CPU {profile.server_cpu_seconds:.2f} s ({100 * profile.server_cpu_seconds / elapsed:.1f}% of one core), "
          f"{profile.server_commands:,} commands processed by the server during the profile")
    print(f"dataset: model {human_bytes(profile.predicted_dataset_bytes)} vs server "
          f"{human_bytes(profile.measured_dataset_bytes)} ({profile.error_percent:+.2f}%, "
          f"+-{100 * profile.predicted_margin_bytes / profile.measured_dataset_bytes:.1f}% from sampling), "
          f"{len(profile.keyspaces)} keyspaces")


if __name__ == "__main__":
    main()
