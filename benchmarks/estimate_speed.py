"""Time to estimate a definition with many keyspaces (target: 1,000 keyspaces well under 1 s).

    python benchmarks/estimate_speed.py [--out benchmarks/measurements/speed/estimate.json]

Builds clusters of 10, 100 and 1,000 keyspaces mixing every type, with key counts from
a thousand to 500 million, and prints the least and the median of five CPU times
(``time.process_time``: the machine is shared, so wall time is noisy) per size: once
with exact sizes, once with sizes that vary (quantiles, histograms, shares), each
keyspace's distributions different from the others' (no shape is priced twice).

The 1,000 keyspaces with sizes that vary are timed once more with the garbage collector as
the commands set it (``sizing.cli``: what is loaded frozen, young collections rarely).

Then ``python -m sizing estimate FILE --json`` of the 1,000 keyspaces with exact sizes as a
command, start-up included (target: under 0.3 s), five times in fresh processes, beside
its floor: a process that imports the command, sets the collector as the command does and
reads the file, and estimates nothing.
"""

from __future__ import annotations

import contextlib
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.fresh_process import child_usage, compiled, floor_code, machine_loop_seconds
from sizing import Workload, estimate_workload

SHAPES = [
    {"type": "string", "value_bytes": 300, "ttl": True},
    {"type": "string", "value_bytes": 7, "numeric": True},
    {"type": "hash", "fields": 15, "field_bytes": 12, "value_bytes": 25},
    {"type": "hash", "fields": 2000, "field_bytes": 12, "value_bytes": 25},
    {"type": "zset", "members": 500, "member_bytes": 20, "scores": "unix_seconds"},
    {"type": "list", "elements": 50, "element_bytes": 120},
    {"type": "set", "members": 40, "member_bytes": 9, "numeric": True},
]


def varying(i: int) -> dict[str, object]:
    """The i-th keyspace's shape with sizes that vary, its quantiles its own."""
    k = i // 7 + 1
    shapes: list[dict[str, object]] = [
        {"type": "string", "value_bytes": {"p50": 300 + k, "p90": 1200, "max": 20000}, "ttl": 0.3},
        {"type": "string", "value_bytes": {"min": 10, "max": 40 + k}, "numeric": {"share": 0.6, "digits": {"max": 7}}},
        {"type": "hash", "fields": {"p50": 15, "max": 60 + k}, "field_bytes": {"min": 4, "max": 14},
         "value_bytes": {"histogram": [{"up_to": 40 + k % 20, "share": 0.9}, {"up_to": 300, "share": 0.1}]}},
        {"type": "hash", "fields": {"p50": 400, "max": 2000 + k}, "field_bytes": 12, "value_bytes": {"max": 30 + k}},
        {"type": "zset", "members": {"p50": 100, "p90": 300, "max": 2000 + k}, "member_bytes": {"min": 8, "max": 24},
         "scores": "unix_seconds"},
        {"type": "list", "elements": {"p50": 50, "max": 500 + k}, "element_bytes": {"p50": 120, "max": 2000}},
        {"type": "set", "members": {"p50": 40, "p99": 400, "max": 2000 + k}, "member_bytes": {"min": 6, "max": 12},
         "numeric": True},
    ]
    return shapes[i % len(shapes)]


def workload(keyspaces: int, distributions: bool = False) -> Workload:
    spaces = []
    for i in range(keyspaces):
        shape = varying(i) if distributions else SHAPES[i % len(SHAPES)]
        spaces.append({"name": f"ks{i}", "keys": 1000 * (i % 500_000 + 1), "key_bytes": 12 + i % 40, **shape})
    clusters = [{"name": f"c{m}", "engine": e, "engine_version": v, "cluster_mode": m, "keyspaces": spaces}
                for e, v, m in (("valkey", "8.1", "enabled"),)]
    return Workload.model_validate({"clusters": clusters})


RUNS = 5


def main() -> None:
    out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else None
    recorded: dict[str, object] = {"command": "python benchmarks/estimate_speed.py", "date": time.strftime("%Y-%m-%d"),
                                   "unit": "CPU seconds (time.process_time)",
                                   "machine_loop_seconds": machine_loop_seconds(), "model": []}
    print(f"machine: 10^7 Python additions in {recorded['machine_loop_seconds']:.2f} s of CPU")
    for distributions in (False, True):
        for size in (10, 100, 1000):
            times = []
            for _ in range(RUNS):
                definition = workload(size, distributions)  # a fresh definition: nothing cached
                clear_caches()
                started = time.process_time()
                estimate_workload(definition)
                times.append(time.process_time() - started)
            label = "sizes that vary" if distributions else "exact sizes"
            print(f"{size:>5} keyspaces, {label:15s}: min {min(times) * 1000:8.1f} ms, "
                  f"median {statistics.median(times) * 1000:8.1f} ms")
            recorded["model"].append({"keyspaces": size, "sizes": label, "seconds": times})  # type: ignore[attr-defined]
    times = []
    for _ in range(RUNS):
        definition = workload(1000, True)
        clear_caches()
        with command_collector():
            started = time.process_time()
            estimate_workload(definition)
            times.append(time.process_time() - started)
    print(f" 1000 keyspaces, sizes that vary, the collector as the commands set it: min {min(times) * 1000:8.1f} ms, "
          f"median {statistics.median(times) * 1000:8.1f} ms")
    recorded["model_with_command_collector"] = {"keyspaces": 1000, "sizes": "sizes that vary", "seconds": times}
    recorded["command_with_start_up"] = command_with_start_up()
    if out:
        Path(out).write_text(json.dumps(recorded, indent=2) + "\n")


def command_with_start_up() -> dict[str, list[float]]:
    """The ``estimate`` command of 1,000 keyspaces, each run a fresh process (CPU seconds)."""
    import yaml

    compiled(ROOT)
    definition = workload(1000).model_dump(mode="json", by_alias=True, exclude_none=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "keyspaces.yaml"
        path.write_text(yaml.safe_dump(definition, sort_keys=False))
        reading = floor_code("sizing.cli.estimate", path)
        floors = [child_usage([sys.executable, "-c", reading], ROOT) for _ in range(RUNS)]
        commands = [child_usage([sys.executable, "-m", "sizing", "estimate", str(path), "--json"], ROOT)
                    for _ in range(RUNS)]
    if any(run.exit_status for run in floors + commands):
        raise SystemExit("a timed estimate process failed")
    floor, command = [run.cpu_seconds for run in floors], [run.cpu_seconds for run in commands]
    print(f"estimate command, 1000 keyspaces, start-up included: min {min(command):.3f} s, "
          f"median {statistics.median(command):.3f} s; floor (start-up and reading the file) "
          f"min {min(floor):.3f} s; ratio {min(command) / min(floor):.2f}")
    return {"seconds": command, "floor_seconds": floor}


@contextlib.contextmanager
def command_collector() -> Iterator[None]:
    """Python's garbage collector as ``sizing.collector.collect_rarely`` sets it for a
    command (what is loaded frozen, young collections rarely), undone afterwards."""
    from sizing.collector import collected_rarely

    gc.freeze()
    try:
        with collected_rarely():
            yield
    finally:
        gc.unfreeze()


def clear_caches() -> None:
    """A cold model: no distribution or priced shape kept from an earlier run."""
    from sizing.memory.memo import clear_memos
    clear_memos()


if __name__ == "__main__":
    main()
