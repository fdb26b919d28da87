"""The measured checkout's bytecode, compiled before any command is timed.

An installed package runs from the bytecode pip compiled, and a checkout from the bytecode
its first run wrote. Where ``PYTHONDONTWRITEBYTECODE`` is set (as on the machines these
benchmarks ran on), nothing is ever written, so every timed process would compile the
engine's sources again: about 40 ms of each start-up there, 13% of ``estimate``'s. The
benchmarks that time fresh processes call ``compiled`` first, so that they time what a
user's second run does.
"""

from __future__ import annotations

import compileall
from pathlib import Path

PACKAGES = ("sizing", "sizing_infra")
"""The checkout's packages a command imports."""


def compiled(checkout: Path) -> None:
    """Write the bytecode of ``checkout``'s packages where it is missing or stale."""
    for package in PACKAGES:
        if (checkout / package).is_dir():
            compileall.compile_dir(checkout / package, quiet=1)
