"""``verify FILE``: load matching synthetic data into a real server and compare; with
``--plan``, check the plan on a server with the planned node's memory, under churn."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Iterator

import click
import redis
from rich.progress import Progress

from sizing.errors import SizingError
from sizing.live.endpoint import parse_endpoint
from sizing.live.guards import (
    LOAD_MEMORY_MARGIN,
    available_memory_bytes,
    is_loopback,
    keys_by_database,
    largest_fitting_share,
)
from sizing.live.sampling import connect
from sizing.live.server import default_server_binary, started_server
from sizing.live.verification import command_count, sampled, verify_cluster
from sizing.memory.engines import engine_profile
from sizing.planning.estimate import estimate_cluster
from sizing.planning.parameter_group import encoding_limits
from sizing.render import terminal
from sizing.spec.workload import Cluster
from sizing.units import human_bytes
from sizing.workloads import load_workload

PLAN_NOT_HELD_EXIT_STATUS = 1
"""``verify --plan``: the plan does not hold on the node it picks (2 stays bad input)."""


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--cluster", "cluster_name", help="Only this cluster (default: every cluster in the file).")
@click.option("--sample", type=click.FloatRange(0.0, 1.0, min_open=True), default=None,
              help="Fraction of each keyspace's keys to load [default: 1].")
@click.option("--server", "server_binary", help="redis-server or valkey-server binary to start (default: from PATH).")
@click.option("--url", help="Use this running server instead (redis://host:port). verify empties it (FLUSHALL): "
                            "one that holds keys needs --flush, one not on this machine --yes-flush-remote.")
@click.option("--flush", is_flag=True, help="Allow emptying a --url server that holds keys.")
@click.option("--yes-flush-remote", is_flag=True, help="Allow emptying a --url server that is not on this machine.")
@click.option("--plan", "check_plan", is_flag=True,
              help="Check the plan: the fullest shard's data in a started server with the planned node's usable "
                   "memory and parameters, churned as the workload says; exit 1 if it does not hold.")
@click.option("--scale", type=click.FloatRange(0.0, 1.0, min_open=True), default=None,
              help="With --plan: share of the shard's keys and memory budget to use [default: 1].")
@click.option("--passes", type=click.FloatRange(0.0, 100.0), default=None,
              help="With --plan: rewrites per key [default: the plan's churn window, at most 5.1].")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def verify(file: str, cluster_name: str | None, sample: float | None, server_binary: str | None, url: str | None,
           flush: bool, yes_flush_remote: bool, check_plan: bool, scale: float | None, passes: float | None,
           as_json: bool) -> None:
    """Measure the model against a real server for the data FILE describes."""
    if check_plan:
        if url or sample is not None:
            raise SizingError("--plan starts its own server and loads the fullest shard: "
                              f"{'--url' if url else '--sample'} does not apply (use --scale)")
    elif scale is not None or passes is not None:
        raise SizingError(f"{'--scale' if scale is not None else '--passes'} applies only with --plan")
    workload = load_workload(file)
    clusters = [c for c in workload.clusters if cluster_name in (None, c.name)]
    if not clusters:
        raise SizingError(f"{file}: no cluster named {cluster_name!r}")
    if check_plan:
        _check_plans(clusters, server_binary, scale, passes, as_json)
        return
    sample = 1.0 if sample is None else sample
    remote = url is not None and not is_loopback(parse_endpoint(url).host)
    if url and remote:
        _confirm_remote(url, yes_flush_remote)
    if not remote:  # a remote server's memory is its own: it refuses what it cannot hold
        for cluster in clusters:
            _fits_this_machine(cluster, sample)
    results = []
    for cluster in clusters:
        loaded = sampled(cluster, sample)
        with _server(url, server_binary, cluster, flush) as client, Progress(transient=True, disable=as_json) as bar:
            task = bar.add_task(f"loading {cluster.name}", total=command_count(loaded) * (2 if len(loaded.keyspaces) > 1 else 1))
            results.append(verify_cluster(cluster, client, sample, functools.partial(bar.advance, task)))
    if as_json:
        click.echo(json.dumps({"clusters": [terminal.verification_json(r) for r in results]}, indent=2))
    else:
        for result in results:
            terminal.verification_table(result)


def _confirm_remote(url: str, confirmed: bool) -> None:
    """Refuse a server that is not on this machine unless the user confirms, before connecting."""
    shown = parse_endpoint(url).shown
    if confirmed:
        return
    if sys.stdin.isatty() and sys.stdout.isatty() and click.confirm(
            f"{shown} is not on this machine, and verify empties it (FLUSHALL). Continue?", default=False, err=True):
        return
    raise SizingError(f"{shown} is not on this machine, and verify empties the server it measures (FLUSHALL): "
                      "pass --yes-flush-remote to confirm")


def _fits_this_machine(cluster: Cluster, sample: float) -> None:
    """Refuse a load that needs more memory than this machine has available."""
    available = available_memory_bytes()
    if available is None:
        return
    full = estimate_cluster(cluster).dataset_bytes * LOAD_MEMORY_MARGIN
    needed = estimate_cluster(sampled(cluster, sample)).dataset_bytes * LOAD_MEMORY_MARGIN
    if needed <= available:
        return
    fits = largest_fitting_share(full, available)
    hint = f"try --sample {fits:g}" if fits > 0 else "no sample fits"
    raise SizingError(f"{cluster.name}: loading it at --sample {sample:g} needs about {human_bytes(needed)} "
                      f"(the estimate x {LOAD_MEMORY_MARGIN:g}), but this machine has {human_bytes(available)} "
                      f"available; {hint}")


@contextlib.contextmanager
def _server(url: str | None, binary: str | None, cluster: Cluster, flush: bool) -> Iterator[redis.Redis]:
    """The server to measure on: the one at ``url`` (empty, or ``flush`` given), or one started for ``cluster``."""
    if url:
        client = connect(url, socket_timeout=60)  # errors name the server, never its password
        shown = parse_endpoint(url).shown
        held = keys_by_database(client)
        if held and not flush:
            client.close()
            raise SizingError(f"{shown} holds {_keys_text(held)}, and verify empties the server it measures "
                              "(FLUSHALL): pass --flush to allow it")
        if held:
            click.echo(f"flushing {_keys_text(held)} on {shown} (--flush)", err=True)
        yield client
        return
    limits = encoding_limits(cluster, engine_profile(cluster.engine, cluster.version))
    with started_server(binary or default_server_binary(), limits, cluster.cluster_mode_enabled) as client:
        yield client


def _keys_text(held: dict[int, int]) -> str:
    total = sum(held.values())
    return f"{total:,} key{'s' if total != 1 else ''} ({', '.join(f'db{db}: {n:,}' for db, n in sorted(held.items()))})"


def _server_allocator(binary: str, cluster: Cluster) -> str:
    """The jemalloc build of the server binary (a short probe of an empty server): a check
    plans for it, since a server that rounds differently holds the same data in more memory."""
    from sizing.live.verification import detect_allocator

    with started_server(binary, encoding_limits(cluster, engine_profile(cluster.engine, cluster.version)),
                        False) as client:
        return detect_allocator(client)


def _check_plans(clusters: list[Cluster], binary: str | None, scale: float | None, passes: float | None,
                 as_json: bool) -> None:
    from sizing.live.capacity import CheckSettings, check_capacity, local_memory_needed_bytes
    from sizing.planning.plan import plan_cluster

    plans = [(cluster, plan_cluster(cluster, advise=False)) for cluster in clusters]
    available = available_memory_bytes()
    for cluster, plan in plans:
        if plan.data_tiering:
            raise SizingError(f"{cluster.name}: the plan tiers data to SSD ({plan.chosen.node_type}); "
                              "verify --plan checks in-memory nodes only")
        needed = local_memory_needed_bytes(plan, scale or 1.0)
        if available is not None and needed > available:
            fits = largest_fitting_share(local_memory_needed_bytes(plan, 1.0), available)
            raise SizingError(
                f"{cluster.name}: checking {plan.chosen.node_type} at --scale {scale or 1:g} needs about "
                f"{human_bytes(needed)} of memory, but this machine has {human_bytes(available)} "
                f"available; {'try --scale ' + format(fits, 'g') if fits > 0 else 'no scale fits'}")
    # Nothing starts before the checks above; then plans follow the server's own allocator.
    allocator = _server_allocator(binary or default_server_binary(), clusters[0])
    if allocator != "upstream":
        plans = [(cluster, plan_cluster(cluster, advise=False, allocator=allocator)) for cluster in clusters]
    results = []
    for cluster, plan in plans:
        limits = encoding_limits(cluster, engine_profile(cluster.engine, cluster.version))
        with started_server(binary or default_server_binary(), limits, plan.chosen.cluster_mode) as client:
            results.append(check_capacity(client, cluster, plan, CheckSettings(scale or 1.0, passes, allocator)))
    if as_json:
        click.echo(json.dumps({"clusters": [terminal.capacity_json(r) for r in results]}, indent=2))
    else:
        for result in results:
            terminal.capacity_table(result)
    if not all(r.holds for r in results):
        raise SystemExit(PLAN_NOT_HELD_EXIT_STATUS)
