"""Load a stack file into a :class:`Workload`, keeping line numbers for errors.

YAML is composed into nodes first so every mapping key and list item keeps its line;
a pydantic error's location is then walked through those nodes to find the line of the
field it names. Errors come out as ``stacks/prod.yaml:14: clusters[0].keyspaces[2].fields: must be >= 1``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from sizing.errors import WorkloadSpecError
from sizing.spec.distribution import SIZE_TAGS
from sizing.spec.files import UnreadableFile, read_file
from sizing.spec.messages import causes, message, reported
from sizing.spec.strict_yaml import LimitError, Refusals, load_yaml, problem
from sizing.spec.workload import Known, Workload

Location = tuple[str | int, ...]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_workload(path: str | Path, known: Known) -> Workload:
    """Read and validate one stack file; raise :class:`WorkloadSpecError` on any problem."""
    shown = str(path)
    try:
        raw = read_file(path, "a stack file")
    except UnreadableFile as exc:
        raise WorkloadSpecError(str(exc), file=shown) from None
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
    except LimitError as exc:
        raise WorkloadSpecError(str(exc), file=file, line=1) from None
    except Refusals as exc:
        raise reported([WorkloadSpecError(f"invalid YAML: {words}", file=file, line=line)
                        for line, words in (problem(refusal, text) for refusal in exc.problems)]) from None
    except yaml.YAMLError as exc:
        line, words = problem(exc, text)
        raise WorkloadSpecError(f"invalid YAML: {words}", file=file, line=line) from None
    if not isinstance(data, dict):
        raise WorkloadSpecError("expected a mapping with a 'clusters' list", file=file, line=1)
    try:
        return Workload.model_validate(data, context={"known": known})
    except ValidationError as exc:
        node = yaml.compose(text, Loader=_LOADER)
        lines = _line_index(node) if node is not None else {}
        problems = []
        for error in _each_field(causes(exc.errors())):
            location = _data_location(error, data)
            problems.append(WorkloadSpecError(message(error), file=file, line=_nearest_line(location, lines),
                                              field=_field_path(location)))
        raise reported(problems) from None


def _each_field(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """One error per field: a nested model validated by hand (``messages.nested``) raises
    all its errors as one, with the rest in ``more``."""
    flat: list[ErrorDetails] = []
    for error in errors:
        ctx = error.get("ctx") or {}
        if error["type"] == "field_error" and ctx.get("more"):
            flat.extend({**error, "ctx": {"field": field, "message": text}} for field, text in ctx["more"])
        else:
            flat.append(error)
    return flat


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
