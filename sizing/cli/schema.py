"""``schema``: the JSON Schema of the workload file, for editors and validation."""

from __future__ import annotations

import json

import click

from sizing.spec.workload import workload_json_schema


@click.command()
def schema() -> None:
    """Print the JSON Schema of stacks/*.yaml (committed as workload.schema.json)."""
    click.echo(json.dumps(workload_json_schema(), indent=2))
