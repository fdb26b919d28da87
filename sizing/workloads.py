"""Stack files read the way every command and the Pulumi program read them: validated, and
checked, with line numbers, against what the rest of the engine knows: the catalog's
regions and node families, and which parameters each version's parameter group can set.

The spec layer (``sizing.spec``) defines the format and reads neither the catalog nor the
planner; this module joins them, so callers need not.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sizing.catalog.nodes import load_catalog
from sizing.memory.engines import engine_profile
from sizing.planning.parameter_group import deployable_parameters, parameter_family
from sizing.spec import loader
from sizing.spec.workload import SUPPORTED_VERSIONS, Known, Workload

if TYPE_CHECKING:  # only the commands that read a stack's config load its model
    from sizing.spec.deployment import StackConfig


@lru_cache(maxsize=1)
def known() -> Known:
    """The names a stack file may use, from the shipped catalog and engine profiles."""
    catalog = load_catalog()
    profiles = {f"{engine} {version}": engine_profile(engine, version)
                for engine, versions in SUPPORTED_VERSIONS.items() for version in versions}
    return Known(
        regions=frozenset(catalog.regions),
        global_datastore_regions=frozenset(r.name for r in catalog.regions.values() if r.global_datastore),
        families=frozenset(node.family for node in catalog.node_types),
        parameter_families={name: parameter_family(profile) for name, profile in profiles.items()},
        deployable_parameters={name: deployable_parameters(profile) for name, profile in profiles.items()},
    )


def load_workload(path: str | Path) -> Workload:
    """Read and validate one stack file; raise WorkloadSpecError on any problem."""
    return loader.load_workload(path, known())


def parse_workload(text: str, file: str) -> Workload:
    """Validate a stack file's text; ``file`` names it in errors."""
    return loader.parse_workload(text, file, known())


def place(workload: Workload, stack: StackConfig) -> Workload:
    """``workload`` with the stack's ``aws:region`` for clusters that name no regions."""
    return stack.place(workload, known())
