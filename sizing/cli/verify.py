"""``verify FILE``: load matching synthetic data into a real server and compare."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator

import click
import redis
from rich.progress import Progress

from sizing.errors import SizingError
from sizing.live.sampling import connect
from sizing.live.server import default_server_binary, started_server
from sizing.live.verification import command_count, sampled, verify_cluster
from sizing.memory.engines import engine_profile
from sizing.planning.parameter_group import encoding_limits
from sizing.render import terminal
from sizing.spec.workload import Cluster
from sizing.workloads import load_workload


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--cluster", "cluster_name", help="Only this cluster (default: every cluster in the file).")
@click.option("--sample", type=click.FloatRange(0.0, 1.0, min_open=True), default=1.0, show_default=True,
              help="Fraction of each keyspace's keys to load.")
@click.option("--server", "server_binary", help="redis-server or valkey-server binary to start (default: from PATH).")
@click.option("--url", help="Use this running server instead (redis://host:port); it is FLUSHALLed.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def verify(file: str, cluster_name: str | None, sample: float, server_binary: str | None, url: str | None,
           as_json: bool) -> None:
    """Measure the model against a real server for the data FILE describes."""
    workload = load_workload(file)
    clusters = [c for c in workload.clusters if cluster_name in (None, c.name)]
    if not clusters:
        raise SizingError(f"{file}: no cluster named {cluster_name!r}")
    results = []
    for cluster in clusters:
        loaded = sampled(cluster, sample)
        with _server(url, server_binary, cluster) as client, Progress(transient=True, disable=as_json) as bar:
            task = bar.add_task(f"loading {cluster.name}", total=command_count(loaded) * (2 if len(loaded.keyspaces) > 1 else 1))
            results.append(verify_cluster(cluster, client, sample, functools.partial(bar.advance, task)))
    if as_json:
        click.echo(json.dumps({"clusters": [terminal.verification_json(r) for r in results]}, indent=2))
    else:
        for result in results:
            terminal.verification_table(result)


@contextlib.contextmanager
def _server(url: str | None, binary: str | None, cluster: Cluster) -> Iterator[redis.Redis]:
    """The server to measure on: the one at ``url``, or one started for ``cluster``."""
    if url:
        yield connect(url, socket_timeout=60)  # errors name the server, never its password
        return
    limits = encoding_limits(cluster, engine_profile(cluster.engine, cluster.version))
    with started_server(binary or default_server_binary(), limits, cluster.cluster_mode_enabled) as client:
        yield client
