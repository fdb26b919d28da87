"""How the Pulumi program reports the engine's expected failures.

Under ``pulumi preview`` or ``pulumi up`` a Python exception prints with its traceback. A
malformed stack file or a cluster no node type can carry is not a bug, so it is raised as
``pulumi.RunError``, which the SDK prints as its message alone: the same one line the CLI
prints.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pulumi

from sizing.errors import SizingError
from sizing.render.rejections import error_message


@contextlib.contextmanager
def reported_as_run_errors() -> Iterator[None]:
    """Expected failures inside become ``pulumi.RunError`` with their one-line message."""
    try:
        yield
    except SizingError as exc:
        raise pulumi.RunError(error_message(exc)) from None
