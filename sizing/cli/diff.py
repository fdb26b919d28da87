"""``diff``: what a change to a stack file does to cost, headroom and the running clusters.

Exit status: 0, or 3 when a ``--fail-on`` condition holds (2 is bad input, as everywhere).
"""

from __future__ import annotations

from pathlib import Path

import click

from sizing.cli.workers import planner, workers_option
from sizing.errors import SizingError
from sizing.render import json_text, terminal
from sizing.render.diff_view import render_diff_markdown
from sizing.review.diff import Impact, WorkloadDiff, diff_workloads
from sizing.review.revisions import load_side, load_side_config, repository_path
from sizing.workloads import place

GATE_EXIT_STATUS = 3


@click.command()
@click.option("--base", required=True,
              help="Git revision (git:REV is always one, e.g. git:origin/main), file, or checkout directory.")
@click.option("--head", default=".", show_default=True, help="File, checkout directory, or git revision (git:REV).")
@click.option("--stack", help="Stack name: stacks/<stack>.yaml (default: the --head file's name).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--fail-on", default="", metavar="LIST",
              help="Comma-separated gates: replacement, reboot, underprovisioned, cost-increase:PCT.")
@workers_option
def diff(base: str, head: str, stack: str | None, fmt: str, fail_on: str, workers: int | None) -> None:
    """Plan both sides of a stack change and say what each change does to running clusters."""
    gates = _parse_gates(fail_on)
    if Path(head).is_file():
        stack_path = repository_path(head)
        stack = stack or Path(head).stem
    elif not stack and not head.startswith("git:") and Path(head).suffix in (".yaml", ".yml"):
        # a stack file's name, not a checkout or a revision: say what is wrong with it
        raise SizingError(f"diff: --head {head}: {'not a regular file' if Path(head).exists() else 'no such file'}")
    elif stack:
        stack_path = f"stacks/{stack}.yaml"
    else:
        raise SizingError("diff: --stack is needed when --head is a directory or a revision")
    before, base_label = load_side(base, stack_path)
    after, head_label = load_side(head, stack_path)
    if before is None and after is None:
        raise SizingError(f"diff: {stack_path} exists on neither side")
    base_config, head_config = load_side_config(base, stack), load_side_config(head, stack)
    # Clusters without regions of their own follow each side's aws:region.
    if before is not None and base_config is not None:
        before = place(before, base_config)
    if after is not None and head_config is not None:
        after = place(after, head_config)
    clusters = len(before.clusters if before else ()) + len(after.clusters if after else ())
    with planner(clusters, workers) as mapper:
        result = diff_workloads(before, after, base_label, head_label, base_config.options if base_config else None,
                                head_config.options if head_config else None, mapper)
    if fmt == "json":
        click.echo(json_text.dumps(terminal.diff_json(result)))
    elif fmt == "markdown":
        click.echo(render_diff_markdown(result, stack), nl=False)
    else:
        terminal.diff_text(result)
    tripped = _tripped(result, gates)
    if tripped:
        click.echo(f"diff: failing on {', '.join(tripped)}", err=True)
        raise SystemExit(GATE_EXIT_STATUS)


def _parse_gates(text: str) -> dict[str, float]:
    gates: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition(":")
        if name in ("replacement", "reboot", "underprovisioned") and not value:
            gates[name] = 0.0
        elif name == "cost-increase":
            try:
                gates[name] = float(value)
            except ValueError:
                raise SizingError(f"--fail-on: cost-increase needs a percentage, e.g. cost-increase:10, got {item!r}") from None
        else:
            raise SizingError(f"--fail-on: unknown gate {item!r} (replacement, reboot, underprovisioned, cost-increase:PCT)")
    return gates


def _tripped(result: WorkloadDiff, gates: dict[str, float]) -> list[str]:
    tripped = []
    impacts = {c.impact for c in result.changed}
    if "replacement" in gates and Impact.replacement in impacts:
        tripped.append("replacement: " + ", ".join(c.name for c in result.changed if c.impact is Impact.replacement))
    if "reboot" in gates and Impact.reboot in impacts:
        tripped.append("reboot: " + ", ".join(c.name for c in result.changed if c.impact is Impact.reboot))
    if "underprovisioned" in gates and any(c.underprovisioned for c in result.clusters):
        tripped.append("underprovisioned: " + ", ".join(c.name for c in result.clusters if c.underprovisioned))
    if "cost-increase" in gates and result.cost_change_percent > gates["cost-increase"]:
        tripped.append(f"cost-increase: {result.cost_change_percent:+.1f}% > {gates['cost-increase']:g}%")
    return tripped
