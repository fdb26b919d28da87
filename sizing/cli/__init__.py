"""Command-line interface: one module per command, one rendering layer (``sizing.render``).

Commands are named here and imported only when run, so ``plan`` does not load redis-py or
Pulumi, and the engine never imports the Pulumi side: ``preview`` lives in
``sizing_infra.preview_command``.

Expected failures (:class:`sizing.errors.SizingError`) print one line per problem on stderr
and exit with status 2; anything else is a bug and shows a traceback.
"""

from __future__ import annotations

import gc
import importlib
import sys

import click

from sizing.errors import SizingError

COMMANDS: dict[str, str] = {
    "diff": "sizing.cli.diff:diff",
    "estimate": "sizing.cli.estimate:estimate",
    "plan": "sizing.cli.plan:plan",
    "preview": "sizing_infra.preview_command:preview",
    "profile": "sizing.cli.profile:profile",
    "schema": "sizing.cli.schema:schema",
    "verify": "sizing.cli.verify:verify",
}
"""Command name -> ``module:attribute`` of its click command."""
YOUNG_COLLECTION_OBJECTS = 100_000
"""Objects allocated between two young-generation collections while a command runs (Python's
default is 700). A plan allocates millions of small objects that live until it is printed and
builds few cycles: at the default the collector took 25-30% of ``plan`` of a 1,000-cluster
fleet and freed nothing; at this threshold ``plan`` of 300 clusters took 10.4 s of CPU
instead of 15.3, with the same peak RSS (150 MB)."""
OLDER_COLLECTIONS = (50, 100)
"""Young (then middle) collections between two of the next generation: full ones stay rare."""


class _LazyGroup(click.Group):
    """A group whose commands are imported when they are run (or their help is shown)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Size Redis and Valkey clusters on AWS ElastiCache from a description of the data."""


def main(args: list[str] | None = None) -> None:
    """Run the command in ``args`` (default: the command line) and exit with its status."""
    _collect_rarely()
    try:
        cli.main(args, standalone_mode=False)
    except SizingError as exc:
        for line in _message(exc).splitlines():  # a file with several errors: one line each
            click.echo(f"error: {line}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


def _collect_rarely() -> None:
    """What is loaded so far (modules, the catalog) lives as long as the process: freeze it
    out of every collection, and collect the rest rarely."""
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_OBJECTS, *OLDER_COLLECTIONS)


def _message(error: SizingError) -> str:
    from sizing.render.rejections import error_message  # the planner's imports, only when one fails

    return error_message(error)
