"""``plan FILE``: the chosen ElastiCache layout per cluster, with why and what it costs.

Exit status: 0; 2 for bad input, as everywhere, and when a cluster cannot be planned (no
node type can carry it): each such cluster is named on stderr with its nearest rejections,
and the clusters that can be planned are still printed. A fleet is planned on every core
(``sizing.cli.workers``), with the same output.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import NamedTuple, TypeVar

import click

from sizing.cli.workers import planner, workers_option
from sizing.errors import NoViableNodeError
from sizing.planning.plan import ClusterPlan, plan_cluster
from sizing.render import json_text
from sizing.render.plan_json import plan_dict
from sizing.render.rejections import error_message
from sizing.spec.workload import Cluster
from sizing.workloads import load_workload

UNPLANNED_EXIT_STATUS = 2
"""A cluster that no node type can carry is a stack the catalog cannot deploy: bad input."""


@click.command(epilog="Exit status: 0, or 2 for bad input and when a cluster cannot be planned "
                      "(named on stderr; the other clusters are still printed).")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The full plan as JSON.")
@click.option("--markdown", is_flag=True, help="A Markdown report (sizing/render/templates/plan_report.md.j2).")
@workers_option
def plan(file: str, as_json: bool, markdown: bool, workers: int | None) -> None:
    """Choose node type, shards and replicas for each cluster, cheapest first."""
    workload = load_workload(file)
    unplanned: list[str] = []
    plans: list[ClusterPlan] = []
    with planner(len(workload.clusters), workers) as mapper:
        # The views are imported where they are used: JSON of a large fleet needs neither rich nor jinja2.
        if as_json:
            # Each plan is encoded where it is made (a worker, for a fleet) and then dropped, so
            # a fleet's plans are never all held; the text is printed at the end, so an error
            # cannot leave half a document, part by part, so that it is never copied whole
            # (joined, then encoded: 35 MB each for 1,000).
            encoded = _kept(mapper(_encoded_plan, workload.clusters), unplanned)
            first = next(encoded, None)
            if first is not None:
                text: list[str] = []
                json_text.write_encoded_listing("clusters", itertools.chain([first], encoded), text.append)
                for part in text:
                    click.echo(part, nl=False)
                click.echo()
        else:
            plans = list(_kept(mapper(_plan, workload.clusters), unplanned))
    if plans and markdown:
        from sizing.render.plan_view import render_plan_markdown
        click.echo(render_plan_markdown(plans), nl=False)
    elif plans:
        from sizing.render import terminal
        terminal.plan_tables(plans)
    for message in unplanned:
        click.echo(f"error: {file}: {message}", err=True)
    if unplanned:
        raise SystemExit(UNPLANNED_EXIT_STATUS)


class Unplanned(NamedTuple):
    """Why a cluster cannot be planned (``sizing.render.rejections.error_message``): what a
    worker sends back in its place."""

    message: str


Planned = TypeVar("Planned")


def _plan(cluster: Cluster) -> ClusterPlan | Unplanned:
    try:
        return plan_cluster(cluster)
    except NoViableNodeError as failure:
        return Unplanned(error_message(failure))


def _encoded_plan(cluster: Cluster) -> str | Unplanned:
    """The plan's JSON text (a worker's, for a fleet: text is quicker to send back than a plan)."""
    planned = _plan(cluster)
    return planned if isinstance(planned, Unplanned) else json_text.listing_item(plan_dict(planned))


def _kept(outcomes: Iterable[Planned | Unplanned], unplanned: list[str]) -> Iterator[Planned]:
    """Every cluster's plan that could be made, as it comes; why each of the others cannot
    be planned is added to ``unplanned``."""
    for outcome in outcomes:
        if isinstance(outcome, Unplanned):
            unplanned.append(outcome.message)
        else:
            yield outcome
