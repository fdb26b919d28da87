"""``plan FILE``: the chosen ElastiCache layout per cluster, with why and what it costs.

Exit status: 0; 2 for bad input, as everywhere, and when a cluster cannot be planned (no
node type can carry it): each such cluster is named on stderr with its nearest rejections,
and the clusters that can be planned are still printed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import click

from sizing.errors import NoViableNodeError
from sizing.planning.plan import ClusterPlan, plan_cluster
from sizing.render import json_text
from sizing.render.plan_json import plan_dict
from sizing.render.rejections import error_message
from sizing.spec.workload import Workload
from sizing.workloads import load_workload

UNPLANNED_EXIT_STATUS = 2
"""A cluster that no node type can carry is a stack the catalog cannot deploy: bad input."""


@click.command(epilog="Exit status: 0, or 2 for bad input and when a cluster cannot be planned "
                      "(named on stderr; the other clusters are still printed).")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The full plan as JSON.")
@click.option("--markdown", is_flag=True, help="A Markdown report (sizing/render/templates/plan_report.md.j2).")
def plan(file: str, as_json: bool, markdown: bool) -> None:
    """Choose node type, shards and replicas for each cluster, cheapest first."""
    unplanned: list[NoViableNodeError] = []
    planned = _planned(load_workload(file), unplanned)
    # The views are imported where they are used: JSON of a large fleet needs neither rich nor jinja2.
    if as_json:
        # Each plan is encoded as it is made and then dropped, so a fleet's plans are never all
        # held; the text is printed at the end, so an error cannot leave half a document, part
        # by part, so that it is never copied whole (joined, then encoded: 35 MB each for 1,000).
        first = next(planned, None)
        if first is not None:
            text: list[str] = []
            json_text.write_listing("clusters", map(plan_dict, itertools.chain([first], planned)), text.append)
            for part in text:
                click.echo(part, nl=False)
            click.echo()
    else:
        plans = list(planned)
        if plans and markdown:
            from sizing.render.plan_view import render_plan_markdown
            click.echo(render_plan_markdown(plans), nl=False)
        elif plans:
            from sizing.render import terminal
            terminal.plan_tables(plans)
    for failure in unplanned:
        click.echo(f"error: {file}: {error_message(failure)}", err=True)
    if unplanned:
        raise SystemExit(UNPLANNED_EXIT_STATUS)


def _planned(workload: Workload, unplanned: list[NoViableNodeError]) -> Iterator[ClusterPlan]:
    """Every cluster that can be planned, as it is planned; why each of the others cannot is
    added to ``unplanned``."""
    for cluster in workload.clusters:
        try:
            yield plan_cluster(cluster)
        except NoViableNodeError as failure:
            unplanned.append(failure)
