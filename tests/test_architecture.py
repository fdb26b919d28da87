"""The engine's layers, as pyproject.toml's import contracts state them, checked on every run.

import-linter reads every import (in functions too), so a module that reaches up a layer,
or an engine module that imports Pulumi or the Pulumi side, fails here with the chain.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert f"{len(contracts)} kept, 0 broken" in done.stdout


def test_plan_and_estimate_load_neither_pulumi_nor_redis() -> None:
    # Commands are imported by name when run: planning never pays for the SDKs it does not use.
    code = ("import sys; from sizing.cli import cli; cli.get_command(None, 'plan'); cli.get_command(None, 'estimate'); "
            "print(sorted(m for m in ('pulumi', 'pulumi_aws', 'redis', 'sizing_infra') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_estimate_json_loads_no_planner_and_no_terminal_library() -> None:
    # ``import sizing`` names its public values lazily, so the estimate command loads the memory
    # model and the spec only: no planner, no rich, no jinja2, no stack-config model.
    code = ("import sys; from sizing.cli import cli; cli.get_command(None, 'estimate'); "
            "print(sorted(m for m in ('rich', 'jinja2', 'sizing.planning.plan', 'sizing.spec.deployment', "
            "'sizing.catalog.network') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
