"""The README's example outputs, made by running the commands they show.

    python scripts/readme_examples.py           # rewrite the example blocks in README.md
    python scripts/readme_examples.py --check   # exit 1 if a block is out of date (tests/test_readme.py)

Each example in README.md is a fenced block right after a marker line
``<!-- example: NAME -->``. The block is ``$ python -m sizing ARGS`` followed by what the
command prints at 120 columns, cut to the line ranges EXAMPLES keeps (a gap shows as
``...``). Trailing spaces of table cells are dropped.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
COLUMNS = "120"


@dataclass(frozen=True)
class Example:
    name: str
    args: tuple[str, ...]
    """What follows ``python -m sizing``, run from the repository root."""
    keep: tuple[tuple[int, int | None], ...]
    """Line ranges ``[start, stop)`` to show, as Python slices (negative counts from the end)."""


EXAMPLES = (
    Example("plan", ("plan", "stacks/social.yaml"), ((0, 16), (18, 22), (24, 25))),
    Example("preview", ("preview", "stacks/social.yaml"), ((0, 25),)),
    Example("diff", ("diff", "--base", "tests/diff/base.yaml", "--head", "tests/diff/grow.yaml"), ((0, None),)),
    Example("estimate", ("estimate", "stacks/social.yaml"), ((0, 7),)),
    Example("estimate-json", ("estimate", "stacks/social.yaml", "--json"), ((0, 9),)),
)
MARKER = re.compile(r"^<!-- example: (?P<name>[a-z-]+) -->\n```[a-z]*\n.*?^```\n", re.MULTILINE | re.DOTALL)


def output(example: Example) -> str:
    """The fenced block for one example, from a real run."""
    done = subprocess.run([sys.executable, "-m", "sizing", *example.args], cwd=ROOT, capture_output=True, text=True,
                          check=True, env={**os.environ, "COLUMNS": COLUMNS, "PYTHONPATH": str(ROOT)})
    lines = [line.rstrip() for line in done.stdout.rstrip("\n").split("\n")]
    shown: list[str] = []
    end = 0
    for start, stop in example.keep:
        first, last, _ = slice(start, stop).indices(len(lines))
        if first > end:
            shown.append("...")
        shown.extend(lines[first:last])
        end = last
    if end < len(lines):
        shown.append("...")
    return f"```\n$ python -m sizing {' '.join(example.args)}\n" + "\n".join(shown) + "\n```\n"


def rendered(text: str) -> str:
    """README text with every example block made anew."""
    examples = {example.name: example for example in EXAMPLES}
    seen: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in examples:
            raise SystemExit(f"README.md: unknown example {name!r} (known: {', '.join(examples)})")
        seen.add(name)
        return f"<!-- example: {name} -->\n{output(examples[name])}"

    new = MARKER.sub(replace, text)
    missing = set(examples) - seen
    if missing:
        raise SystemExit(f"README.md: no marker for {', '.join(sorted(missing))}")
    return new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is out of date")
    args = parser.parse_args()
    text = README.read_text()
    new = rendered(text)
    if args.check:
        if new != text:
            print("README.md examples are out of date: run python scripts/readme_examples.py", file=sys.stderr)
            sys.exit(1)
        return
    README.write_text(new)


if __name__ == "__main__":
    main()
