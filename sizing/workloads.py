"""Stack files read the way every command and the Pulumi program read them: validated, and
checked against the names the catalog knows (regions, node families), with line numbers.

The spec layer (``sizing.spec``) defines the format and never reads the catalog; this
module joins the two, so callers need not.
"""

from __future__ import annotations

from pathlib import Path

from sizing.catalog.nodes import load_catalog
from sizing.spec import loader
from sizing.spec.deployment import StackConfig
from sizing.spec.workload import Workload


def load_workload(path: str | Path) -> Workload:
    """Read and validate one stack file; raise WorkloadSpecError on any problem."""
    return loader.load_workload(path, load_catalog().known())


def parse_workload(text: str, file: str) -> Workload:
    """Validate a stack file's text; ``file`` names it in errors."""
    return loader.parse_workload(text, file, load_catalog().known())


def place(workload: Workload, stack: StackConfig) -> Workload:
    """``workload`` with the stack's ``aws:region`` for clusters that name no regions."""
    return stack.place(workload, load_catalog().known())
