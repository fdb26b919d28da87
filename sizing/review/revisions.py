"""Workload files from the working tree or from a git revision, for ``diff``.

``--base``/``--head`` take a file, a directory (a checkout: its ``stacks/<stack>.yaml``),
or a git revision (the stack file as committed there). ``git:REV`` is always a revision,
read from git's objects: CI passes the base that way, so a pull request that adds a
directory named like the base commit cannot make the diff read its own files instead. A
name that is both a path and a revision is refused as ambiguous. A file that does not
exist at a revision means the stack is new: it has no clusters there.

Each side's deployment options come from ``Pulumi.<stack>.yaml`` beside it: at the root of
the checkout or revision, or of the repository a plain file is in.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from sizing.errors import SizingError
from sizing.spec.deployment import StackConfig, stack_config_from_file, stack_config_from_path
from sizing.spec.workload import Workload
from sizing.workloads import load_workload, parse_workload


class RevisionError(SizingError):
    """A --base or --head that is neither a path nor a git revision."""


REVISION_PREFIX = "git:"


def load_side(spec: str, stack_path: str) -> tuple[Workload | None, str]:
    """The workload ``spec`` names for the stack file ``stack_path``, and a label for reports.

    ``stack_path`` is the stack file relative to the repository root (``stacks/x.yaml``).
    """
    revision = _revision(spec)
    if revision is not None:
        text = _git("show", f"{revision}:{stack_path}")
        return (None if text is None else parse_workload(text, f"{revision}:{stack_path}")), revision
    path = Path(spec)
    if path.is_file():
        return load_workload(path), spec
    file = path / stack_path
    return (load_workload(file) if file.is_file() else None), spec


def _revision(spec: str) -> str | None:
    """The git revision ``spec`` names, or None where it names a file or directory."""
    if spec.startswith(REVISION_PREFIX):
        revision = spec[len(REVISION_PREFIX):]
        if not _is_commit(revision):
            raise RevisionError(f"--base/--head {spec!r}: no such git revision")
        return revision
    is_path = Path(spec).exists()
    if is_path and _is_commit(spec):
        raise RevisionError(f"--base/--head {spec!r} is both a path and a git revision: "
                            f"write {REVISION_PREFIX}{spec} for the revision or ./{spec} for the path")
    if is_path:
        return None
    if not _is_commit(spec):
        raise RevisionError(f"--base/--head {spec!r}: no such file, directory or git revision")
    return spec


def _is_commit(revision: str) -> bool:
    return bool(revision) and not revision.startswith("-") and \
        _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}") is not None


def load_side_config(spec: str, stack: str) -> StackConfig | None:
    """The stack config of the side ``spec`` names, or None where it has none."""
    name = f"Pulumi.{stack}.yaml"
    revision = _revision(spec)
    if revision is not None:
        text = _git("show", f"{revision}:{name}")
        return None if text is None else stack_config_from_file(text, f"{revision}:{name}")
    path = Path(spec)
    folder = path if path.is_dir() else _repository_root(path.resolve().parent) or path.resolve().parent
    config = folder / name
    return stack_config_from_path(config) if config.is_file() else None


def _repository_root(folder: Path) -> Path | None:
    root = _git("-C", str(folder), "rev-parse", "--show-toplevel")
    return Path(root.strip()) if root else None


def repository_path(file: str) -> str:
    """``file`` relative to the root of the git repository it is in; outside one, relative to
    the current directory, else ``stacks/<name>``. Always relative, so a directory given as
    the other side is searched for it rather than the path leading back to ``file`` itself."""
    resolved = Path(file).resolve()
    root = _git("-C", str(resolved.parent), "rev-parse", "--show-toplevel")
    for base in ([Path(root.strip()).resolve()] if root else []) + [Path.cwd().resolve()]:
        try:
            return resolved.relative_to(base).as_posix()
        except ValueError:
            continue
    return f"stacks/{resolved.name}"


def _git(*args: str) -> str | None:
    """git's output, or None where git fails (no repository, unknown revision, missing file)."""
    try:
        done = subprocess.run(["git", *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed; give --base and --head as files") from None
    if done.returncode != 0:
        return None
    try:
        return done.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = done.stdout[:exc.start].count(b"\n") + 1
        raise RevisionError(f"git {' '.join(args[1:])}: line {line}: not UTF-8 text; save the file as UTF-8") from None
