"""Load a stack file into a :class:`Workload`, keeping line numbers for errors.

YAML is composed into nodes first so every mapping key and list item keeps its line;
a pydantic error's location is then walked through those nodes to find the line of the
field it names. Errors come out as ``stacks/prod.yaml:14: clusters[0].keyspaces[2].fields: must be >= 1``.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from sizing.errors import WorkloadSpecError
from sizing.spec.distribution import SIZE_TAGS
from sizing.spec.messages import message
from sizing.spec.strict_yaml import load_yaml
from sizing.spec.workload import Known, Workload

Location = tuple[str | int, ...]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest stack file read: a 1,000-cluster fleet of 100 keyspaces each is about 20 MB, and
``/dev/zero`` or a wrong path must not be read until memory runs out."""
MAX_VALUES = 1_000_000
"""Most values a file may expand to through YAML aliases (a 1,000-cluster fleet has about
100,000): a few lines of nested aliases can stand for billions ("billion laughs")."""


def load_workload(path: str | Path, known: Known) -> Workload:
    """Read and validate one stack file; raise :class:`WorkloadSpecError` on any problem."""
    shown = str(path)
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise WorkloadSpecError(f"cannot read file: {exc.strerror}", file=shown) from None
    if len(raw) > MAX_FILE_BYTES:
        raise WorkloadSpecError(f"larger than {MAX_FILE_BYTES // 2**20} MiB: not a stack file", file=shown)
    return parse_workload(decoded(raw, shown), shown, known)


def decoded(raw: bytes, file: str) -> str:
    """The file's text; a byte that is not UTF-8 is named with its line."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise WorkloadSpecError(f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be read; save the file as UTF-8",
                                file=file, line=line) from None


def parse_workload(text: str, file: str, known: Known) -> Workload:
    """Validate YAML text; ``file`` is only used in error messages.

    The text is parsed with LibYAML where PyYAML has it (ten times faster on fleet files),
    strictly (``sizing.spec.strict_yaml``: no duplicate keys, no octal or base-60 numbers);
    the node tree that maps fields to lines is built only when there is an error to locate.
    """
    try:
        data = load_yaml(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as NUL
        raise WorkloadSpecError(f"invalid YAML: character #x{exc.character:04x} is not allowed in YAML text",
                                file=file, line=text[:exc.position].count("\n") + 1) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise WorkloadSpecError(
            f"invalid YAML: {problem}", file=file, line=mark.line + 1 if mark else None
        ) from None
    if not isinstance(data, dict):
        raise WorkloadSpecError("expected a mapping with a 'clusters' list", file=file, line=1)
    if "&" in text and expanded_values(data) > MAX_VALUES:  # an alias needs an anchor ('&'): fleets rarely have one
        raise WorkloadSpecError(f"the file expands to more than {MAX_VALUES:,} values through YAML aliases",
                                file=file, line=1)
    try:
        return Workload.model_validate(data, context={"known": known})
    except ValidationError as exc:
        first = _first_cause(exc.errors())
        location = _data_location(first, data)
        node = yaml.compose(text, Loader=_LOADER)
        lines = _line_index(node) if node is not None else {}
        raise WorkloadSpecError(
            message(first), file=file, line=_nearest_line(location, lines), field=_field_path(location)
        ) from None


def _first_cause(errors: list[ErrorDetails]) -> ErrorDetails:
    """The error to report: an unknown field before the rest, since a misspelt name also
    makes the field it meant "missing" (``valu_bytes`` for ``value_bytes``), with the
    missing names of the same object offered as what it may have meant."""
    for error in errors:
        if error["type"] == "extra_forbidden":
            parent = error["loc"][:-1]
            missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == parent]
            close = difflib.get_close_matches(str(error["loc"][-1]), missing, n=1)
            if close:
                return {**error, "ctx": {**(error.get("ctx") or {}), "did_you_mean": close[0]}}
            return error
    return errors[0]


def expanded_values(data: Any) -> int:
    """How many values ``data`` holds once every alias is expanded, counted without
    expanding them: an aliased list or mapping is the same object each time it appears."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        value, children_done = stack.pop()
        if not isinstance(value, (dict, list)) or id(value) in sizes:
            continue
        children = list(value.values()) if isinstance(value, dict) else value
        if children_done:
            sizes[id(value)] = 1 + sum(sizes.get(id(child), 1) for child in children)
            if sizes[id(value)] > MAX_VALUES:
                return sizes[id(value)]
            continue
        stack.append((value, True))
        stack.extend((child, False) for child in children if isinstance(child, (dict, list)))
    return sizes.get(id(data), 1)


def _line_index(node: yaml.Node) -> dict[Location, int]:
    """Line (1-based) of every mapping key and sequence item, by its path."""
    lines: dict[Location, int] = {(): node.start_mark.line + 1}
    stack: list[tuple[Location, yaml.Node]] = [((), node)]
    while stack:
        path, current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                child = path + (str(key_node.value),)
                lines[child] = key_node.start_mark.line + 1
                stack.append((child, value_node))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                child = path + (index,)
                lines[child] = item.start_mark.line + 1
                stack.append((child, item))
    return lines


def _data_location(error: ErrorDetails, data: Any) -> Location:
    """The error's location as a path into the YAML data.

    Drops the tags pydantic inserts for discriminated unions (``keyspaces.2.hash.fields``)
    and appends the field a model validator blamed.
    """
    path: list[str | int] = []
    current = data
    loc = list(error["loc"])
    for index, part in enumerate(loc):
        following = loc[index + 1] if index + 1 < len(loc) else None
        tag_last = following is None and error["type"] == "field_error"  # a validator of the tagged model
        if isinstance(current, dict) and isinstance(part, str) and (
                part not in current or following == part or tag_last) and (
                current.get("type") == part or part in SIZE_TAGS):
            continue  # union tag, not a key in the file ("histogram" is both: the tag comes first)
        if part in SIZE_TAGS and not isinstance(current, dict):
            continue  # an exact size: the tag of the plain-number branch
        path.append(part)
        current = current.get(part) if isinstance(current, dict) else (
            current[part] if isinstance(current, list) and isinstance(part, int) and part < len(current) else None
        )
    ctx = error.get("ctx") or {}
    if error["type"] == "field_error":
        path.extend(_split_field(str(ctx["field"])))
    elif error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        path.append("type")
    return tuple(path)


def _split_field(field: str) -> list[str | int]:
    """``keyspaces[1].name`` -> ``['keyspaces', 1, 'name']``."""
    parts: list[str | int] = []
    for piece in field.split("."):
        if not piece:
            continue  # a validator that blames the field it runs on names no sub-field
        name, _, rest = piece.partition("[")
        parts.append(name)
        if rest:
            parts.append(int(rest.rstrip("]")))
    return parts


def _nearest_line(location: Location, lines: dict[Location, int]) -> int:
    for end in range(len(location), -1, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return 1


def _field_path(location: Location) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"
