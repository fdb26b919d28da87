"""The process entry (``python -m sizing``): it ends without freeing the heap, so what a
command printed must be flushed whole and its exit status kept."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sizing.cli import _exit_status
from tests.conftest import ROOT


def _sizing(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sizing", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def test_a_large_output_is_flushed_whole_before_the_process_ends() -> None:
    done = _sizing("plan", "stacks/social.yaml", "--json")
    assert done.returncode == 0, done.stderr
    plans = json.loads(done.stdout)["clusters"]  # a cut document would not parse
    assert [p["name"] for p in plans] == ["sessions", "profiles", "feeds", "notifications", "counters"]


def test_bad_input_keeps_its_one_line_and_status_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = _sizing("plan", str(tmp_path / "missing.yaml"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "missing.yaml" in done.stderr


def test_a_bug_still_ends_in_a_traceback() -> None:
    code = ("import sizing.cli\n"
            "def broken(*args, **kwargs):\n    raise RuntimeError('a bug')\n"
            "sizing.cli.main = broken\nsizing.cli.run()\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "Traceback" in done.stderr and "RuntimeError: a bug" in done.stderr


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (130, 130), ("a message", 1)])
def test_exit_codes_are_read_as_python_reads_them(code: object, status: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_status(code) == status
    assert capsys.readouterr().err == ("a message\n" if isinstance(code, str) else "")
