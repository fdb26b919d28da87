"""The README's examples are what the commands print today, and piped output stays unbroken."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import ROOT


def test_readme_examples_are_current() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts/readme_examples.py"), "--check"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr + "\n(regenerate: python scripts/readme_examples.py)"


def test_piped_text_keeps_numbers_and_sentences_on_their_lines() -> None:
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    done = subprocess.run([sys.executable, "-m", "sizing", "plan", "stacks/social.yaml"], cwd=ROOT,
                          capture_output=True, text=True, check=True, env={**env, "PYTHONPATH": str(ROOT)})
    reasons = [line for line in done.stdout.splitlines() if "needs " in line and " per node at " in line]
    assert reasons, done.stdout
    # Each rejection is one line: "needs X per node at N shards ...; TYPE offers Y after ... headroom".
    assert all(re.search(r"offers [\d.,]+ GiB after the \d+% reserve and \d+% headroom", line) for line in reasons)
