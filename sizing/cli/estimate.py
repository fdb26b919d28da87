"""``estimate FILE``: predicted memory per cluster and keyspace."""

from __future__ import annotations

import click

from sizing.planning.estimate import estimate_workload
from sizing.render import estimate_view, json_text
from sizing.workloads import load_workload


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (the stable contract).")
@click.option(
    "--allocator", type=click.Choice(["upstream", "debian"]), default="upstream", show_default=True,
    help="Allocator build: upstream (bundled jemalloc, 8-byte quantum) or Debian's system jemalloc.",
)
def estimate(file: str, as_json: bool, allocator: str) -> None:
    """Predict how much memory each cluster's data takes on one node."""
    clusters = estimate_workload(load_workload(file), allocator)
    if as_json:
        click.echo(json_text.dumps(estimate_view.estimate_json(clusters)))
    else:
        estimate_view.estimate_tables(clusters)
