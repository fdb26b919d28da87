"""JSON text for the commands' ``--json``: the bytes of ``json.dumps(value, indent=2)``, faster.

With ``indent`` set, the standard library encodes in pure Python, one generator step per
value (a 1,000-cluster plan is about a million); without it the C encoder is used. Here
each scalar is written by the same routines ``json.dumps`` uses (its C string escaper,
``float.__repr__``, ``int.__repr__``) and each container is joined once, so the text is
the same byte for byte (``tests/test_speed_json.py`` compares them).

Only what the commands write is taken: dicts with string keys, lists and tuples, strings,
numbers, booleans and None; anything else is handed to ``json.dumps`` whole.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring_ascii
from typing import Any

INDENT = "  "
"""Two spaces per level, as ``indent=2``."""


def dumps(value: Any) -> str:
    """``json.dumps(value, indent=2)``."""
    try:
        return _encode(value, "\n")
    except _Unsupported:
        return json.dumps(value, indent=2)


def write_listing(key: str, items: Iterable[Any], write: Callable[[str], None]) -> None:
    """Write ``json.dumps({key: list(items)}, indent=2)``, each item encoded and written as it
    comes, so that a command need not hold every item (a fleet's plans) until the end."""
    write_encoded_listing(key, map(listing_item, items), write)


LISTING_NEWLINE = "\n" + INDENT * 2
"""Where an item of a listing starts: two levels in."""


def listing_item(value: Any) -> str:
    """``value`` encoded as an item of ``write_listing`` (a worker process encodes its own)."""
    return _item(value, LISTING_NEWLINE)


def write_encoded_listing(key: str, encoded: Iterable[str], write: Callable[[str], None]) -> None:
    """``write_listing`` of items already encoded by ``listing_item``."""
    opening = "{\n" + INDENT + _string(key) + ": ["
    written = False
    for text in encoded:
        write((opening if not written else ",") + LISTING_NEWLINE + text)
        written = True
    write((LISTING_NEWLINE[:-len(INDENT)] + "]" if written else opening + "]") + "\n}")


def _item(value: Any, newline: str) -> str:
    try:
        return _encode(value, newline)
    except _Unsupported:  # json.dumps escapes every newline inside a string: only its own are re-indented
        return json.dumps(value, indent=2).replace("\n", newline)


class _Unsupported(Exception):
    """A value this encoder leaves to ``json.dumps`` (non-string keys, other types)."""


def _encode(value: Any, newline: str) -> str:
    kind = type(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = newline + INDENT
        parts = []
        for key, item in value.items():
            if type(key) is not str:
                raise _Unsupported
            parts.append(_string(key) + ": " + (_string(item) if type(item) is str else _encode(item, inner)))
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = newline + INDENT
        return "[" + inner + ("," + inner).join(
            [_string(item) if type(item) is str else _encode(item, inner) for item in value]) + newline + "]"
    if kind is str:
        return _string(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if math.isfinite(value):
            return float.__repr__(value)
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    raise _Unsupported


_string = encode_basestring_ascii
