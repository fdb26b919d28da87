"""``profile --url URL``: sample a live server into a workload definition and compare."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress

from sizing.errors import ServerError
from sizing.live.endpoint import check_options, parse_endpoint
from sizing.live.profile import build_profile
from sizing.live.sampling import DEFAULT_MAX_OPS_PER_SEC, DEFAULT_SAMPLE_KEYS, sample_servers
from sizing.render.console import console
from sizing.render.profile_view import profile_summary, profile_yaml
from sizing.spec.workload import NAME_PATTERN


@click.command()
@click.option("--url", required=True,
              help="redis[s]://[user:password@]host:port[/db] of the server, or of any node of a cluster.")
@click.option("--cluster", "cluster_mode", is_flag=True, help="Read every primary of the cluster the URL belongs to.")
@click.option("--sample", type=click.IntRange(min=1), default=DEFAULT_SAMPLE_KEYS, show_default=True,
              help="Keys to inspect in all; every key if the server holds fewer.")
@click.option("--max-ops-per-sec", type=click.FloatRange(min=1, min_open=False), default=DEFAULT_MAX_OPS_PER_SEC,
              show_default=True, help="Ceiling on the commands per second sent to the server.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the workload file here (default: stdout).")
@click.option("--name", help="Cluster name in the file (default: from the host name).")
@click.option("--allocator", type=click.Choice(["upstream", "debian"]), default="upstream", show_default=True,
              help="Allocator build to predict with: upstream (ElastiCache, builds from source) or Debian's.")
def profile(url: str, cluster_mode: bool, sample: int, max_ops_per_sec: float, output: str | None, name: str | None,
            allocator: str) -> None:
    """Read a live Redis or Valkey (read-only) and write a workload definition for it."""
    _check_url(url)
    err = Console(stderr=True)
    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:  # no blank line in a log
        task = bar.add_task("sampling keys", total=None)
        servers = sample_servers(url, cluster_mode, sample, max_ops_per_sec,
                                 lambda done, total: bar.update(task, completed=done, total=total))
    result = build_profile(_shown(url), name or _default_name(url), servers, allocator, sample)
    text = profile_yaml(result, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    if output:
        Path(output).write_text(text, encoding="utf-8")
        profile_summary(result, max_ops_per_sec, console(), output)
    else:
        click.echo(text, nl=False)
        profile_summary(result, max_ops_per_sec, err, None)


def _check_url(url: str) -> None:
    """Refuse a URL that names no server, or that redis-py would fail on once connecting, in
    one line that does not repeat it: it may hold a password."""
    if "://" not in url:
        raise ServerError("invalid --url: expected redis://[user:password@]host:port or rediss://... (the value "
                          "is not shown: it may hold a password)")
    check_options(parse_endpoint(url))


def _shown(url: str) -> str:
    """The URL without the password, as the file header shows it."""
    return parse_endpoint(url).shown


def _default_name(url: str) -> str:
    """A valid cluster name from the host: 'my-cache.abc.use1.cache.amazonaws.com' -> 'my-cache'."""
    host = parse_endpoint(url).host.split(".")[0].lower()
    name = re.sub(r"[^a-z0-9-]+", "-", host).strip("-")
    if not re.match(NAME_PATTERN, name):
        name = f"cache-{name}".rstrip("-")
    return name[:40].rstrip("-")
