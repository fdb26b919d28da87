"""The terminal every command prints to."""

from __future__ import annotations

import os

from rich.console import Console

PIPED_WIDTH = 400
"""Width of output that goes to a file or a CI log: wide enough that no line the tool
prints is broken."""


def console() -> Console:
    """A console for the current output (created per call, so COLUMNS and redirection apply).

    Piped to a file or a CI log, lines are never broken to fit a width nobody sees: a
    number or a sentence stays on its line, so logs can be searched and diffed. COLUMNS,
    where set, still asks for that width.
    """
    terminal = Console()
    if terminal.is_terminal or "COLUMNS" in os.environ:
        return terminal
    return Console(soft_wrap=True, width=PIPED_WIDTH)
