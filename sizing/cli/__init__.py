"""Command-line interface: one module per command, one rendering layer (``sizing.render``).

Commands are named here and imported only when run, so ``plan`` does not load redis-py or
Pulumi, and the engine never imports the Pulumi side: ``preview`` lives in
``sizing_infra.preview_command``.

Expected failures (:class:`sizing.errors.SizingError`) print one line per problem on stderr
and exit with status 2; anything else is a bug and shows a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from sizing.collector import OLDER_COLLECTIONS, YOUNG_COLLECTION_OBJECTS, collect_rarely
from sizing.errors import SizingError

__all__ = ["COMMANDS", "OLDER_COLLECTIONS", "YOUNG_COLLECTION_OBJECTS", "cli", "main", "run"]

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
    collect_rarely()
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


def run() -> None:
    """The process's entry (``python -m sizing``, ``elasticache-sizing``): ``main``, then the
    output flushed and the process ended without freeing the heap object by object. A large
    plan, diff or preview holds hundreds of MB of small objects that the interpreter would
    free one by one at exit, for nothing: 0.8 s of CPU of a 100-cluster preview's 5.5 s here.
    Every command has closed its files and stopped its servers by then; a bug still ends in
    a traceback, as Python ends it."""
    try:
        main()
        status = 0
    except SystemExit as done:
        status = _exit_status(done.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe (``| head``): what was written is all that can be
            status = status or 1
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status Python gives ``SystemExit(code)``, printing a message code as it does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _message(error: SizingError) -> str:
    from sizing.render.rejections import error_message  # the planner's imports, only when one fails

    return error_message(error)
