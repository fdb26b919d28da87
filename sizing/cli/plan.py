"""``plan FILE``: the chosen ElastiCache layout per cluster, with why and what it costs."""

from __future__ import annotations

import json

import click

from sizing.planning.plan import plan_workload
from sizing.render import terminal
from sizing.render.plan_view import render_plan_markdown
from sizing.workloads import load_workload


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The full plan as JSON.")
@click.option("--markdown", is_flag=True, help="A Markdown report (sizing/render/templates/plan_report.md.j2).")
def plan(file: str, as_json: bool, markdown: bool) -> None:
    """Choose node type, shards and replicas for each cluster, cheapest first."""
    plans = plan_workload(load_workload(file))
    if as_json:
        click.echo(json.dumps(terminal.plan_json(plans), indent=2))
    elif markdown:
        click.echo(render_plan_markdown(plans), nl=False)
    else:
        terminal.plan_tables(plans)
