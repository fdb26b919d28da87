"""ElastiCache's parameters per parameter-group family: allowed values, whether they can
be modified, and when a change takes effect (``data/parameters.csv``, see SOURCES.md)."""

from __future__ import annotations

import csv
import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from sizing.catalog.nodes import DATA


class ParameterSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    allowed: str
    default: str
    modifiable: bool
    change: str


@lru_cache(maxsize=8)
def family_parameters(family: str) -> dict[str, ParameterSpec]:
    with (DATA / "parameters.csv").open() as handle:
        return {
            row["name"]: ParameterSpec(name=row["name"], allowed=row["allowed"], default=row["default"],
                                       modifiable=row["modifiable"] == "yes", change=row["change"])
            for row in csv.DictReader(handle)
            if row["family"] == family
        }


def allowed_range(spec: ParameterSpec) -> tuple[int, int] | None:
    """(low, high) for a numeric range like '1-75' or '10485760-104857600'."""
    match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", spec.allowed)
    return (int(match.group(1)), int(match.group(2))) if match else None
