"""A non-editable install has what the code reads at run time: catalog data and templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_ships_data_templates_and_the_pulumi_side(tmp_path: Path) -> None:
    # pip builds in an isolated environment with the setuptools pyproject.toml asks for (from PyPI).
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    names = set(zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist())
    data = {f"sizing/catalog/data/{p.name}" for p in (ROOT / "sizing/catalog/data").iterdir() if p.is_file()}
    templates = {f"sizing/render/templates/{p.name}" for p in (ROOT / "sizing/render/templates").glob("*.j2")}
    infra = {f"sizing_infra/{p.name}" for p in (ROOT / "sizing_infra").glob("*.py")}
    assert data | templates | infra <= names
    assert len(templates) >= 2
