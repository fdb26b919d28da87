"""YAML as stack and config files are read: nothing silently dropped or reinterpreted.

PyYAML follows YAML 1.1, which a hand-written file trips over without a word: a second
``clusters:`` key replaces the first (and ``pulumi up`` would then delete the clusters
it held), ``key_bytes: 020`` is octal 16 and ``1:30`` is base-60 90. This loader refuses
each, at its line, and otherwise reads what the safe loader reads (LibYAML's parser
where PyYAML has it).

It also refuses documents no stack or config file can be, before anything validates them:
one that aliases stand for billions of values in ("billion laughs"), one nested deeper than
any of these files is, and one where an alias refers to the value that contains it (a
cycle, which would never finish validating).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError

_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OCTAL = re.compile(r"[-+]?0[0-7_]+")
"""YAML 1.1's octal integers (PyYAML's int resolver): a leading 0 and more digits."""
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"

MAX_VALUES = 1_000_000
"""Most values a document may expand to through YAML aliases (a 1,000-cluster fleet has about
100,000): a few lines of nested aliases can stand for billions ("billion laughs")."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists read. A stack file nests 7 deep (clusters, a cluster,
keyspaces, a keyspace, a size, its histogram, a bucket), a config file 5 (config, networks, a
region, subnetIds); LibYAML itself stops at 1,000 and the pure-Python parser runs out of
stack sooner."""


_CONSTRUCTION_ERRORS = (ValueError, AttributeError, TypeError, OverflowError, KeyError, IndexError)
"""What PyYAML's constructors raise, instead of a YAML error, on a tagged value they cannot build."""


class _NotPlain(Exception):
    """A node the plain constructor leaves to the safe constructor."""


class TagError(yaml.YAMLError):
    """An explicit ``!!`` tag on a value of the wrong kind (``!!set 5``), found where PyYAML
    no longer knows the line."""


class LimitError(yaml.YAMLError):
    """A document refused for its shape rather than its syntax; it has no line of its own."""


class Refusals(yaml.YAMLError):
    """Every duplicate key and ambiguous number of a document, each with its mark; read as
    one error, it is the first of them."""

    def __init__(self, problems: list[ConstructorError]) -> None:
        super().__init__(str(problems[0].problem))
        self.problems = problems
        self.problem, self.problem_mark = problems[0].problem, problems[0].problem_mark


class StrictLoader(_BASE):  # type: ignore[valid-type,misc]
    """The safe loader, refusing duplicate keys and YAML 1.1's octal and base-60 numbers: it
    reads on past each, so that ``load_yaml`` can report them all."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.refusals: list[ConstructorError] = []
        self._scalar_tags: dict[tuple[str, tuple[bool, bool]], str] = {}
        self.plain_shape: tuple[int, int] | None = None
        """``shape`` of the document where ``_plain`` built it (a tree: no alias, no cycle),
        counted as it was built (of a document without refusals: a repeated key's first value
        is counted too); None where the safe constructor built it."""
        self._values, self._depth = 1, 0

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        """The safe loader's tag for a node, each distinct plain scalar matched against the
        implicit resolvers' patterns once per document: a fleet file repeats the same few
        hundred values tens of thousands of times, and matching was a quarter of reading it.
        Exact, because with no path resolvers (the safe loader has none) a scalar's tag
        depends only on its text and on whether it was quoted."""
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]
        key = (value, implicit)
        tag = self._scalar_tags.get(key)
        if tag is None:
            tag = self._scalar_tags[key] = super().resolve(kind, value, implicit)
        return tag

    def refuse(self, text: str, node: yaml.Node) -> None:
        self.refusals.append(ConstructorError(None, None, text, node.start_mark))

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self._refuse_repeated_keys(node)
        keys = [(key_node, self.construct_object(key_node, deep=deep)) for key_node, _ in node.value
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG]
        self._refuse_equal_keys([(key_node, key) for key_node, key in keys if _hashable(key)])
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]

    def _refuse_equal_keys(self, keys: list[tuple[yaml.ScalarNode, Any]]) -> None:
        """Keys written differently that read as one (``1`` and ``true``, ``100`` and ``100.0``,
        ``null`` and ``~``): Python's dict keeps the last value under the first, silently."""
        first: dict[Any, yaml.ScalarNode] = {}
        for key_node, key in keys:
            was = first.setdefault(key, key_node)
            if was is not key_node and was.value != key_node.value:  # the same text is refused already
                self.refuse(f"key '{key_node.value}' reads as the same key as '{was.value}' (line "
                            f"{was.start_mark.line + 1}): a second one would replace it", key_node)

    def _refuse_repeated_keys(self, node: yaml.MappingNode) -> None:
        first_lines: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue  # '<<' merges are overridden on purpose
            line = key_node.start_mark.line + 1
            if key_node.value in first_lines:
                self.refuse(f"duplicate key '{key_node.value}' (first on line {first_lines[key_node.value]}): a "
                            "second one would replace it", key_node)
                continue
            first_lines[key_node.value] = line

    def construct_document(self, node: yaml.Node) -> Any:
        """The document, built by ``_plain`` where it holds only mappings, lists, strings,
        numbers, booleans and nulls (every stack and config file), and otherwise by the safe
        constructor: aliases, merges, explicit tags of other kinds and values that fail to
        build (which it reports at their line). Both give the same values and refusals, found
        in different orders, which ``load_yaml`` puts in the file's. ``_plain`` makes no
        generator per collection and keeps no record of nodes for aliases that are not there:
        a 1,000-cluster fleet's values took 0.32 s of CPU to build, against 0.47 s (and 0.52 s
        to parse, which this does not change)."""
        try:
            data = self._plain(node, set(), 1)
        except (_NotPlain, RecursionError, *_CONSTRUCTION_ERRORS):
            self.refusals.clear()
            return super().construct_document(node)
        self.plain_shape = (self._values, self._depth)
        return data

    def _plain(self, node: yaml.Node, seen: set[int], level: int) -> Any:
        """The value of ``node``, nested ``level`` deep: what ``shape`` would count of it is
        counted here (each mapping's values and list's items, and the deepest level)."""
        if id(node) in seen:  # an alias: the safe constructor keeps it one object
            raise _NotPlain
        seen.add(id(node))
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _MAP and type(node) is yaml.MappingNode:
            for key_node, _ in node.value:
                if type(key_node) is not yaml.ScalarNode or key_node.tag == _MERGE_TAG:
                    raise _NotPlain
            self._refuse_repeated_keys(node)  # before the values, as construct_mapping does
            self._depth = max(self._depth, level)
            keys = [self._plain(key_node, seen, level) for key_node, _ in node.value]
            if len(set(keys)) < len(keys):  # a repeated key, refused already if written the same
                self._refuse_equal_keys([(key_node, key) for (key_node, _), key in zip(node.value, keys)])
            mapping = {key: self._plain(value_node, seen, level + 1) for key, (_, value_node) in zip(keys, node.value)}
            self._values += len(mapping)
            return mapping
        if tag == _SEQ and type(node) is yaml.SequenceNode:
            self._values += len(node.value)
            self._depth = max(self._depth, level)
            return [self._plain(item, seen, level + 1) for item in node.value]
        if tag == _INT and type(node) is yaml.ScalarNode:
            return _integer(self, node)
        if tag == _FLOAT and type(node) is yaml.ScalarNode:
            return _float(self, node)
        if tag == _BOOL and type(node) is yaml.ScalarNode:
            return self.bool_values[node.value.lower()]
        if tag == _NULL and type(node) is yaml.ScalarNode:
            return None
        raise _NotPlain

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except _CONSTRUCTION_ERRORS:
            # PyYAML's own constructors fail this way on an explicit tag with a value it cannot
            # hold ('!!timestamp soon', '!!int abc'): the same one line as any other YAML error
            raise ConstructorError(None, None, f"{str(getattr(node, 'value', ''))[:40]!r} cannot be read as "
                                               f"{node.tag.rpartition(':')[2]} (remove the !! tag)",
                                   node.start_mark) from None


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:  # a tagged key of a kind a dict cannot hold: the safe constructor says so
        return False
    return True


def _integer(loader: StrictLoader, node: yaml.ScalarNode) -> int:
    text = str(node.value)
    if text.isascii() and text.isdigit() and (text[0] != "0" or len(text) == 1):
        return int(text)  # plain decimal, as construct_yaml_int reads it (most of a fleet file's numbers)
    value = int(loader.construct_yaml_int(node))
    if _OCTAL.fullmatch(text):
        loader.refuse(f"'{text}' is ambiguous: YAML 1.1 reads a leading 0 as octal ({value}); write it without "
                      "the 0, or quoted if it is text", node)
    elif ":" in text:
        loader.refuse(f"'{text}' is ambiguous: YAML 1.1 reads it as base 60 ({value}); quote it if it is text", node)
    return value


def _float(loader: StrictLoader, node: yaml.ScalarNode) -> float:
    if ":" in str(node.value):
        loader.refuse(f"'{node.value}' is ambiguous: YAML 1.1 reads it as base 60; quote it if it is text", node)
    return float(loader.construct_yaml_float(node))


StrictLoader.add_constructor("tag:yaml.org,2002:int", _integer)
StrictLoader.add_constructor("tag:yaml.org,2002:float", _float)


def load_yaml(text: str) -> Any:
    """The document in ``text``, read strictly: raises ``yaml.YAMLError`` with a mark,
    :class:`Refusals` with several, or :class:`LimitError`."""
    loader = StrictLoader(text)  # a subclass of the safe loader
    try:
        data = loader.get_single_data()
    except RecursionError:  # the pure-Python parser, where PyYAML was built without LibYAML
        raise LimitError(f"nested more than {MAX_DEPTH} levels deep (a stack file needs 7)") from None
    except _CONSTRUCTION_ERRORS:  # in a collection's constructor, after construct_object returned
        raise TagError("a value with an explicit tag (!!set, !!map, !!omap...) is not of that kind; "
                       "remove the tag") from None
    finally:
        loader.dispose()
    if loader.refusals:  # in file order: the constructors find them in orders of their own
        raise Refusals(sorted(loader.refusals, key=_position))
    values, depth = loader.plain_shape or shape(data)
    if depth > MAX_DEPTH:
        raise LimitError(f"nested more than {MAX_DEPTH} levels deep (a stack file needs 7)")
    if values > MAX_VALUES:
        raise LimitError(f"the file expands to more than {MAX_VALUES:,} values through YAML aliases")
    return data


def _position(refusal: ConstructorError) -> tuple[int, int]:
    mark = refusal.problem_mark  # every refusal has the mark of the node refused
    return (mark.line, mark.column) if mark else (0, 0)


def shape(data: Any) -> tuple[int, int]:
    """(values, depth): how many values ``data`` holds once every alias is expanded, and how
    deeply its lists and mappings nest, found without expanding an alias (an aliased list or
    mapping is the same object each time it appears). Stops early past the limits; raises
    :class:`LimitError` where a value contains itself."""
    done: dict[int, tuple[int, int]] = {}
    open_: set[int] = set()
    """lists and mappings whose contents are being walked: meeting one again is a cycle"""
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        value, children_walked = stack.pop()
        if not isinstance(value, (dict, list)) or id(value) in done:
            continue
        children = [child for child in (value.values() if isinstance(value, dict) else value)
                    if isinstance(child, (dict, list))]
        if children_walked:
            open_.discard(id(value))
            values = 1 + len(value) - len(children) + sum(done[id(child)][0] for child in children)
            depth = 1 + max((done[id(child)][1] for child in children), default=0)
            done[id(value)] = (values, depth)
            if values > MAX_VALUES or depth > MAX_DEPTH:
                return values, depth
            continue
        if id(value) in open_:
            raise LimitError("a YAML alias refers to a value that contains it (a cycle); no stack or config "
                             "file can mean that")
        open_.add(id(value))
        stack.append((value, True))
        stack.extend((child, False) for child in children)
    return done.get(id(data), (1, 0))


def problem(exc: yaml.YAMLError, text: str) -> tuple[int | None, str]:
    """(line, words) of a YAML error, for a one-line message: the line of its mark, the
    problem without the offending line's text and caret that PyYAML appends."""
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow, such as NUL
        return (text[:exc.position].count("\n") + 1,
                f"character #x{exc.character:04x} is not allowed in YAML text")
    mark = getattr(exc, "problem_mark", None)
    words = str(getattr(exc, "problem", None) or exc)
    context = getattr(exc, "context", None)
    if context and words == "second occurrence":  # LibYAML's duplicate anchor: the context says which
        words = f"{context}; this is the second"
    return (mark.line + 1 if mark else None), " ".join(words.split())

