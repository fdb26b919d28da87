"""How the tool writes bytes and dollars, in every report, message and comment.

One owner for the formats, so a plan, its rejections and its diff always print a number
the same way.
"""

from __future__ import annotations

GIB = 1024**3


def human_bytes(value: float) -> str:
    """1536 -> '1.5 KiB': the largest binary unit the value reaches, one decimal."""
    for unit, size in (("GiB", GIB), ("MiB", 1024**2), ("KiB", 1024)):
        if abs(value) >= size:
            return f"{value / size:,.1f} {unit}"
    return f"{value:,.0f} B"


def gib(value: float) -> str:
    """Bytes as GiB with one decimal, whatever their size: '0.5 GiB', '1,234.0 GiB'."""
    return f"{value / GIB:,.1f} GiB"


def usd(value: float) -> str:
    """Whole dollars with thousands separators: '$1,234'."""
    return f"${value:,.0f}"
