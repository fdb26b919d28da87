"""What the benchmarks that time fresh processes set up, so they time what a user runs.

The measured checkout's bytecode is compiled before any command is timed.

An installed package runs from the bytecode pip compiled, and a checkout from the bytecode
its first run wrote. Where ``PYTHONDONTWRITEBYTECODE`` is set (as on the machines these
benchmarks ran on), nothing is ever written, so every timed process would compile the
engine's sources again: about 40 ms of each start-up there, 13% of ``estimate``'s. The
benchmarks that time fresh processes call ``compiled`` first, so that they time what a
user's second run does.

A floor process (all a command does before its work: start-up, the command's imports and
reading its files) sets the garbage collector as the commands do (``sizing.collector``: what
is loaded frozen, young collections rarely): at Python's default, reading a 1,000-cluster
file twice took 1.5-1.6 s of CPU here instead of 0.92 s, which put each floor above what the
command itself spends before its work.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

_FLOOR = """import gc
import {command}
from sizing import cli
from sizing.workloads import load_workload
gc.freeze()
gc.set_threshold(cli.YOUNG_COLLECTION_OBJECTS, *cli.OLDER_COLLECTIONS)
"""
"""A floor process's start: the collector set as ``sizing.cli.main`` sets it, spelled out
from the constants ``sizing.cli`` has named in every checkout (a before checkout may predate
``sizing.collector``)."""
PACKAGES = ("sizing", "sizing_infra")
"""The checkout's packages a command imports."""
MACHINE_LOOP = "import time\nstarted = time.process_time()\ntotal = 0\nfor i in range(10**7):\n    total += i\nprint(time.process_time() - started)\n"
"""A pure-Python loop of 10^7 additions: how fast the machine runs Python when a benchmark
runs (the machines these ran on took 0.58 s to 1.74 s), so that records made on different
machines, or on one machine as its neighbours load it, can be compared."""


def floor_code(command: str, *files: Path) -> str:
    """``python -c`` code that imports the ``command`` module (``sizing.cli.plan``), sets the
    collector as the commands do and reads each workload file, and does nothing else."""
    return _FLOOR.format(command=command) + "".join(f"load_workload({str(file)!r})\n" for file in files)


def compiled(checkout: Path) -> None:
    """Write the bytecode of ``checkout``'s packages where it is missing or stale."""
    for package in PACKAGES:
        if (checkout / package).is_dir():
            compileall.compile_dir(checkout / package, quiet=1)


def machine_loop_seconds() -> float:
    """CPU seconds of ``MACHINE_LOOP`` in a fresh process."""
    return float(subprocess.run([sys.executable, "-c", MACHINE_LOOP], capture_output=True, text=True,
                                check=True).stdout)


def worker_args(checkout: Path, workers: int) -> list[str]:
    """``--workers N`` for a checkout whose ``plan`` and ``diff`` take it (a before checkout
    may predate it: its ``plan`` is one process, its ``diff`` every core)."""
    return ["--workers", str(workers)] if (checkout / "sizing" / "cli" / "workers.py").is_file() else []


class Usage(NamedTuple):
    """What one process spent, read from its own rusage."""

    cpu_seconds: float
    wall_seconds: float
    peak_rss_mb: float
    exit_status: int


def child_usage(argv: list[str], checkout: Path) -> Usage:
    """Run ``argv`` in ``checkout`` (its packages first on the path), output discarded."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return Usage(usage.ru_utime + usage.ru_stime, time.perf_counter() - started, usage.ru_maxrss / 1024,
                 child.returncode)
