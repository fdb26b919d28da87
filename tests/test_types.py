"""The engine, the Pulumi side and the program type-check under mypy --strict (configured in
pyproject.toml), run over the project directory as ``pulumi preview`` runs it (Pulumi.yaml
typechecker: mypy)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def mypy_cache_dir() -> Path | None:
    """Where mypy keeps its incremental cache for this interpreter, across sessions and checkouts.

    Nearly all of a cold run (~90 s) is pulumi_aws, which the program imports: thousands of
    modules that change only when the package does. In the work tree's .mypy_cache a fresh
    clone (as in CI) starts cold every time; here, beside pip's cache, it does not. mypy
    checks each cached module against its source file (size, mtime, hash) and the options,
    and checks again whatever changed or depends on it, so a warm run reports exactly what a
    cold one does. One directory per interpreter prefix, since the cache records where each
    installed module was found. None where no such directory can be made, or MYPY_CACHE_DIR
    already says where (then mypy's choice).
    """
    if os.environ.get("MYPY_CACHE_DIR"):
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    prefix = hashlib.sha256(sys.prefix.encode()).hexdigest()[:12]
    path = base / "elasticache-sizing" / f"mypy-{sys.version_info.major}.{sys.version_info.minor}-{prefix}"
    try:
        path.mkdir(parents=True, exist_ok=True)
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
