"""Errors the sizing engine raises on purpose.

    SizingError                 base of everything below
    ├── WorkloadSpecError       a stacks/*.yaml file is malformed; carries file, line, field
    ├── NoViableNodeError       no node type can carry a cluster; carries the rejections
    │   └── NoViableRegionsError    no set of allowed regions meets the placement; carries the choice
    ├── ConfigError             a stack config (Pulumi.<stack>.yaml) value that cannot be used
    └── ServerError             a server for ``verify`` could not be started or reached

Anything else escaping the engine is a bug.
"""

from __future__ import annotations

from typing import Any


class SizingError(Exception):
    """Base class for expected failures; the CLI turns these into one line and exit 2."""


class WorkloadSpecError(SizingError):
    """A workload file that cannot be used, located to the line and field."""

    def __init__(self, message: str, *, file: str, line: int | None = None, field: str = "") -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


class NoViableNodeError(SizingError):
    """Every node type was rejected for a cluster."""

    def __init__(self, cluster: str, rejections: tuple[Any, ...]) -> None:
        self.cluster = cluster
        self.rejections = rejections
        # The nearest rejections are worded by the render layer (sizing/render/rejections.py).
        super().__init__(f"no node type can carry cluster '{cluster}' ({len(rejections)} rejected)")


class NoViableRegionsError(NoViableNodeError):
    """No layout of the allowed regions meets a cluster's placement (latency, Global Datastore,
    sourced prices); ``choice`` holds the layouts weighed, nearest first."""

    def __init__(self, cluster: str, choice: Any) -> None:
        super().__init__(cluster, ())
        self.choice = choice
        message = f"no set of the allowed regions can serve cluster '{cluster}' ({choice.candidates} layouts weighed)"
        self.args = (message,)


class ConfigError(SizingError):
    """A stack config value that cannot be used; the message names the file and the key."""


class ServerError(SizingError):
    """A real server needed for measurement could not be started, reached or used."""
