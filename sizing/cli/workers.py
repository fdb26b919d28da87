"""How ``plan`` and ``diff`` spread a fleet's clusters over the machine's cores.

Each cluster is planned on its own, from the workload alone, so a pool of forked worker
processes plans a fleet in the order given and the output is the same to the byte as one
process's: only the wall time changes. A small stack is planned in the command's own
process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import click

Mapper = Callable[[Callable[[Any], Any], list[Any]], Iterable[Any]]
"""``map``, or a pool's: results in the order of the items."""

PARALLEL_FROM_CLUSTERS = 16
"""Below this many clusters the command plans alone: starting two workers and shutting them
down takes about 20 ms, and each builds its own memos. The first 8 clusters of the benchmark
fleet took 0.45 s of wall time either way; 16 took 0.76 s alone and 0.66 s on two workers,
64 took 1.02 s and 0.77 s (``plan --json``, on a shared two-core machine)."""
MAX_WORKERS = 8
"""Beyond this a fleet's planning is not the slow part (reading the file and writing the
output are done by the command's own process)."""
CHUNKS_PER_WORKER = 8
"""Work is handed out in this many chunks per worker: few enough that sending a chunk costs
little beside planning it, enough that no worker is left with a long tail."""


def available_cpus() -> int:
    """The CPUs this process may run on (a container's share, where the system says it),
    not all the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    return min(available_cpus(), MAX_WORKERS)


workers_option = click.option(
    "--workers", type=click.IntRange(min=1), default=None, metavar="N",
    help=f"Processes that plan a fleet of {PARALLEL_FROM_CLUSTERS} clusters or more "
         f"[default: the CPUs available, at most {MAX_WORKERS}]. 1 plans in this process.")


@contextlib.contextmanager
def planner(clusters: int, workers: int | None = None) -> Iterator[Mapper]:
    """``map`` over ``workers`` processes (default ``default_workers``) for a fleet, plain
    ``map`` for a stack of a few clusters or with one worker."""
    workers = workers or default_workers()
    if clusters < PARALLEL_FROM_CLUSTERS or workers == 1:
        yield map
        return
    # Imported here: a stack of a few clusters does not pay for loading them (about 15 ms).
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Forked workers start with the workload and the catalog already loaded, and the
    # collector as the command set it.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        chunk = max(1, clusters // (workers * CHUNKS_PER_WORKER))
        yield lambda function, items: pool.map(function, items, chunksize=chunk)
