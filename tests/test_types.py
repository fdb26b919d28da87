"""The engine, the Pulumi side and the program type-check under mypy --strict (configured in
pyproject.toml), run over the project directory as ``pulumi preview`` runs it (Pulumi.yaml
typechecker: mypy)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

CACHE_UNUSED_DAYS = 14
"""Cache directories of other environments not used for this long are removed."""


def mypy_cache_dir() -> Path | None:
    """Where mypy keeps its incremental cache for this environment, across sessions and checkouts.

    Nearly all of a cold run (~90 s) is pulumi_aws, which the program imports: thousands of
    modules that change only when the package does. In the work tree's .mypy_cache a fresh
    clone (as CI makes, with a virtual environment of its own) starts cold every time; here,
    beside pip's cache, it does not. mypy checks each cached module against its source file
    (size and hash, whatever its path) and the options, and checks again whatever changed or
    depends on it, so a warm run reports exactly what a cold one does.

    One directory per Python, mypy and pydantic version (pydantic's mypy plugin is recorded in
    every entry): a change of any of them invalidates the whole cache, so environments that
    differ there each keep their own instead of invalidating each other's; environments alike
    share one, wherever they are. None where no such directory can be made, or MYPY_CACHE_DIR
    already says where (then mypy's choice).
    """
    if os.environ.get("MYPY_CACHE_DIR"):
        return None
    try:
        versions = [importlib.metadata.version(name) for name in ("mypy", "pydantic")]
    except importlib.metadata.PackageNotFoundError:
        return None
    key = hashlib.sha256("\n".join([sys.version, *versions]).encode()).hexdigest()[:12]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "elasticache-sizing"
    path = base / f"mypy-{sys.version_info.major}.{sys.version_info.minor}-{key}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        path.touch()  # its mtime says when it was last used
        for other in base.glob("mypy-*"):
            if other != path and time.time() - other.stat().st_mtime > CACHE_UNUSED_DAYS * 86_400:
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        return None
    return path


def test_engine_type_checks() -> None:
    if shutil.which("mypy") is None and subprocess.run([sys.executable, "-m", "mypy", "--version"], check=False,
                                                       capture_output=True).returncode != 0:
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    cache = mypy_cache_dir()
    env = {**os.environ, "MYPY_CACHE_DIR": str(cache)} if cache else None
    done = subprocess.run([sys.executable, "-m", "mypy", "."], cwd=ROOT, capture_output=True, text=True, check=False,
                          env=env)
    assert done.returncode == 0, done.stdout + done.stderr
