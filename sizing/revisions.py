"""Workload files from the working tree or from a git revision, for ``diff``.

``--base``/``--head`` take a file, a directory (a checkout: its ``stacks/<stack>.yaml``),
or a git revision (the stack file as committed there). A file that does not exist at a
revision means the stack is new: it has no clusters there.

Each side's deployment options come from ``Pulumi.<stack>.yaml`` beside it: at the root of
the checkout or revision, or of the repository a plain file is in.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from sizing.deployment import DeploymentOptions, options_from_stack_file
from sizing.errors import SizingError
from sizing.loader import load_workload, parse_workload
from sizing.workload import Workload


class RevisionError(SizingError):
    """A --base or --head that is neither a path nor a git revision."""


def load_side(spec: str, stack_path: str) -> tuple[Workload | None, str]:
    """The workload ``spec`` names for the stack file ``stack_path``, and a label for reports.

    ``stack_path`` is the stack file relative to the repository root (``stacks/x.yaml``).
    """
    path = Path(spec)
    if path.is_file():
        return load_workload(path), spec
    if path.is_dir():
        file = path / stack_path
        return (load_workload(file) if file.is_file() else None), spec
    return _at_revision(spec, stack_path), spec


def _at_revision(revision: str, stack_path: str) -> Workload | None:
    if _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}") is None:
        raise RevisionError(f"--base/--head {revision!r}: no such file, directory or git revision")
    text = _git("show", f"{revision}:{stack_path}")
    return None if text is None else parse_workload(text, f"{revision}:{stack_path}")


def load_side_options(spec: str, stack: str) -> DeploymentOptions | None:
    """The deployment options of the side ``spec`` names, or None where it has no stack config."""
    name = f"Pulumi.{stack}.yaml"
    path = Path(spec)
    if path.is_dir() or path.is_file():
        folder = path if path.is_dir() else _repository_root(path.resolve().parent) or path.resolve().parent
        config = folder / name
        return options_from_stack_file(config.read_text(), str(config)) if config.is_file() else None
    text = _git("show", f"{spec}:{name}")
    return None if text is None else options_from_stack_file(text, f"{spec}:{name}")


def _repository_root(folder: Path) -> Path | None:
    root = _git("-C", str(folder), "rev-parse", "--show-toplevel")
    return Path(root.strip()) if root else None


def repository_path(file: str) -> str:
    """``file`` relative to the root of the git repository it is in (or as given outside one)."""
    root = _git("rev-parse", "--show-toplevel")
    if root is None:
        return file
    try:
        return Path(file).resolve().relative_to(Path(root.strip()).resolve()).as_posix()
    except ValueError:
        return file


def _git(*args: str) -> str | None:
    """git's output, or None where git fails (no repository, unknown revision, missing file)."""
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed; give --base and --head as files") from None
    return done.stdout if done.returncode == 0 else None
