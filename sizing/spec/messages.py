"""How the spec words a validation failure: one owner for the loader's messages and for the
models that validate a nested part themselves (a key range, a numeric share).

Glossary
    field error     a failure a validator raises for one field (``field_error``): the
                    loader appends its ``field`` to the error's location.
"""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError


def field_error(field: str, text: str) -> PydanticCustomError:
    """A failure that belongs to ``field`` of the model being validated ('' for the value itself)."""
    return PydanticCustomError("field_error", "{message}", {"field": field, "message": text})


def nested(exc: ValidationError, skipped: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(field path, message) of the first error of a nested model validated by hand, so its
    caller can raise it as a field error of its own; ``skipped``: union tags in the location."""
    first = exc.errors()[0]
    ctx = first.get("ctx") or {}
    parts = [str(part) for part in first["loc"] if str(part) not in skipped]
    if first["type"] == "field_error" and ctx.get("field"):
        parts.append(str(ctx["field"]))
    return ".".join(parts), message(first)


SHOWN_CHARACTERS = 40
"""Longest input a message repeats whole: a 400-digit number is shortened, not echoed."""


def _shown(value: object) -> str:
    text = repr(value)
    if len(text) <= SHOWN_CHARACTERS:
        return text
    return f"{text[:SHOWN_CHARACTERS - 12]}... ({len(text):,} characters)"


def message(error: ErrorDetails) -> str:
    """One error in the words every stack-file message uses."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "field_error":
        return str(ctx["message"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        if ctx.get("did_you_mean"):
            return f"unknown field; did you mean '{ctx['did_you_mean']}'?"
        return "unknown field (check the spelling; see workload.schema.json)"
    if kind == "string_too_long" and error["loc"][-1:] == ("name",) and len(error["loc"]) == 3:
        return (f"must be at most {ctx.get('max_length')} characters: ElastiCache allows 40, and a Global "
                f"Datastore's secondaries add '-r1' and '-r2'; got {len(str(error['input']))}")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        limit = next(iter(v for k, v in ctx.items() if k in ("ge", "gt", "le", "lt")))
        return f"must be {op} {limit}, got {_shown(error['input'])}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, got {error['input']!r}"
    if kind in ("string_type",):
        return f"must be a string (quote it, e.g. \"8.0\"), got {error['input']!r}"
    if kind == "bool_type":
        return f"must be true or false, got {error['input']!r}"
    if kind == "string_pattern_mismatch":
        return f"{error['input']!r} must match {ctx.get('pattern')}"
    if kind in ("too_short", "too_long"):
        return error["msg"].lower()
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {error['input']!r}"
    if kind == "union_tag_invalid":
        return f"type must be one of {ctx.get('expected_tags')}, got {ctx.get('tag')!r}"
    if kind == "union_tag_not_found":
        return "required field 'type' is missing (string, hash, list, set or zset)"
    return str(error["msg"])
