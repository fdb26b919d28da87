"""How the spec words a validation failure: one owner for the loader's messages and for the
models that validate a nested part themselves (a key range, a numeric share), and for how
a file with several errors reports them (all of them, in file order, up to a limit).

Glossary
    field error     a failure a validator raises for one field (``field_error``): the
                    loader appends its ``field`` to the error's location.
    more            the (field, message) of every error of a nested model validated by
                    hand, carried by the one field error its caller may raise.
    causes          the errors worth a line: a misspelt field is not also "missing".
"""

from __future__ import annotations

import datetime
import difflib
import re

from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from sizing.errors import WorkloadSpecError


def field_error(field: str, text: str) -> PydanticCustomError:
    """A failure that belongs to ``field`` of the model being validated ('' for the value itself)."""
    return PydanticCustomError("field_error", "{message}", {"field": field, "message": text})


def nested(exc: ValidationError, skipped: frozenset[str] = frozenset(), under: str = "") -> PydanticCustomError:
    """Every error of a nested model validated by hand, as one field error its caller raises:
    the first is its field and message, the rest ride along in ``more`` for the loader to
    report each at its own line. ``skipped``: union tags in the location; ``under``: the
    field the nested model sits in, relative to the caller."""
    problems: list[tuple[str, str]] = []
    for error in causes(exc.errors()):
        ctx = error.get("ctx") or {}
        parts = [under] if under else []
        parts += [str(part) for part in error["loc"] if str(part) not in skipped]
        if error["type"] == "field_error" and ctx.get("field"):
            parts.append(str(ctx["field"]))
        problems.extend(ctx.get("more") or [(".".join(parts), message(error))])
    field, text = problems[0]
    return PydanticCustomError("field_error", "{message}", {"field": field, "message": text, "more": problems})


def causes(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """The errors to report, in pydantic's order: a misspelt name (``valu_bytes`` for
    ``value_bytes``) is one mistake, so its unknown field is reported with a did-you-mean
    and the required field it meant is not reported missing as well."""
    guesses: dict[tuple[str | int, ...], str] = {}
    """location of an unknown field -> the missing field beside it that it most likely meant"""
    meant: set[tuple[str | int, ...]] = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            parent = tuple(error["loc"][:-1])
            missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing"
                       and tuple(e["loc"][:-1]) == parent and (*parent, str(e["loc"][-1])) not in meant]
            close = difflib.get_close_matches(str(error["loc"][-1]), missing, n=1)
            if close:
                guesses[tuple(error["loc"])] = close[0]
                meant.add((*parent, close[0]))
    kept: list[ErrorDetails] = []
    for error in errors:
        location = tuple(error["loc"])
        if error["type"] == "missing" and (*location[:-1], str(location[-1])) in meant:
            continue
        if error["type"] == "extra_forbidden" and location in guesses:
            error = {**error, "ctx": {**(error.get("ctx") or {}), "did_you_mean": guesses[location]}}
        kept.append(error)
    return kept


SHOWN_CHARACTERS = 40
"""Longest input a message repeats whole: a 400-digit number is shortened, not echoed."""


def shown(value: object) -> str:
    """``value`` as a message repeats it: as the file wrote it, shortened where long."""
    # A date is how YAML reads 2024-01-31 unquoted; its repr would be Python's, not the file's.
    text = value.isoformat() if isinstance(value, datetime.date) else repr(value)
    if len(text) <= SHOWN_CHARACTERS:
        return text
    return f"{text[:SHOWN_CHARACTERS - 12]}... ({len(text):,} characters)"


LONG_WORD = re.compile(rf"\S{{{SHOWN_CHARACTERS + 20},}}")
"""A run of text too long to repeat: a value a validator echoed (``valkey aaaa...``)."""


def message(error: ErrorDetails) -> str:
    """One error in the words every stack-file message uses; no value in it is repeated
    at more than about ``SHOWN_CHARACTERS``."""
    return LONG_WORD.sub(lambda match: f"{match[0][:SHOWN_CHARACTERS - 12]}... ({len(match[0]):,} characters)",
                         _worded(error))


def _worded(error: ErrorDetails) -> str:
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
        return f"must be {op} {limit}, got {shown(error['input'])}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, got {shown(error['input'])}"
    if kind in ("string_type",):
        return f"must be a string (quote it, e.g. \"8.0\"), got {shown(error['input'])}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, got {shown(error['input'])}"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number, got {shown(error['input'])}"
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"must be a list ([a, b] or lines starting with '- '), got {shown(error['input'])}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping ('key: value' lines or {{key: value}}), got {shown(error['input'])}"
    if kind == "string_pattern_mismatch":
        return f"{shown(error['input'])} must match {ctx.get('pattern')}"
    if kind in ("too_short", "too_long"):
        return error["msg"].lower()
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {shown(error['input'])}"
    if kind == "union_tag_invalid":
        return f"type must be one of {ctx.get('expected_tags')}, got {shown(ctx.get('tag'))}"
    if kind == "union_tag_not_found":
        return "required field 'type' is missing (string, hash, list, set or zset)"
    return str(error["msg"])


MAX_REPORTED_ERRORS = 20
"""Errors a stack file reports at once; a file broken throughout (a wrong indentation that
moves every keyspace) says how many more there are rather than printing hundreds."""


class WorkloadSpecErrors(WorkloadSpecError):
    """Several problems in one stack file, in file order, one line each.

    Its file, line, field and message are the first problem's, for callers that read one;
    ``problems`` holds them all.
    """

    def __init__(self, problems: list[WorkloadSpecError]) -> None:
        first = problems[0]
        super().__init__(first.message, file=first.file, line=first.line, field=first.field)
        self.problems = tuple(problems)
        lines = [str(problem) for problem in problems[:MAX_REPORTED_ERRORS]]
        if len(problems) > MAX_REPORTED_ERRORS:
            lines.append(f"{first.file}: and {len(problems) - MAX_REPORTED_ERRORS} more errors")
        self.args = ("\n".join(lines),)


def reported(problems: list[WorkloadSpecError]) -> WorkloadSpecError:
    """The error to raise for ``problems`` (at least one): in file order, each once."""
    unique = list({str(problem): problem for problem in problems}.values())
    unique.sort(key=lambda problem: problem.line or 0)
    return unique[0] if len(unique) == 1 else WorkloadSpecErrors(unique)
