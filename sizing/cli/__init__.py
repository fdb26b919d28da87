"""Command-line interface: one module per command, one rendering module.

Expected failures (:class:`sizing.errors.SizingError`) print one line on stderr and exit
with status 2; anything else is a bug and shows a traceback.
"""

from __future__ import annotations

import sys

import click

from sizing.cli.diff import diff
from sizing.cli.estimate import estimate
from sizing.cli.plan import plan
from sizing.cli.profile import profile
from sizing.cli.preview import preview
from sizing.cli.schema import schema
from sizing.cli.verify import verify
from sizing.errors import SizingError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Size Redis and Valkey clusters on AWS ElastiCache from a description of the data."""


cli.add_command(diff)
cli.add_command(estimate)
cli.add_command(plan)
cli.add_command(profile)
cli.add_command(preview)
cli.add_command(schema)
cli.add_command(verify)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except SizingError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
