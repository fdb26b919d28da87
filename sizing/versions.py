"""Engine version strings, read one way everywhere: '7.0.15' -> (7, 0, 15), minor '7.0'."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=256)
def version_key(version: str) -> tuple[int, ...]:
    """Numeric parts for comparing versions: '8.1' < '8.10'; non-numeric parts are skipped."""
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def minor_version(version: str) -> str:
    """The major.minor release a full version belongs to: '7.0.15' -> '7.0'."""
    return ".".join(version.split(".")[:2])
