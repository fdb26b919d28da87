"""Per-shape memos: one estimate prices the same element shape several times.

A cluster's data is priced as written by commands and as restored from a snapshot, and
each keyspace's largest key again; fleets repeat shapes across clusters. What is priced
per shape (the element costs of a collection, a key's object) does not depend on the
key count or on how the keys arrived, so it is built once and looked up by the fields it
reads. Every memo is bounded and can be cleared (benchmarks time a cold model).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from pydantic import BaseModel

Value = TypeVar("Value")
Cached = TypeVar("Cached")

MEMO_ENTRIES = 4096
"""Shapes kept per memo: more than a 1,000-cluster fleet's distinct keyspaces, and a few
MB at most; a full memo starts afresh rather than tracking recency."""

_CLEARS: list[Callable[[], None]] = []
"""How to empty each memo and each ``lru_cache`` of shapes (``forgotten_on_clear``)."""


class Memo(Generic[Value]):
    """A bounded map from a shape's key to what was built for it."""

    def __init__(self) -> None:
        self._values: dict[Hashable, Value] = {}
        _CLEARS.append(self.clear)

    def get(self, key: Hashable, build: Callable[[], Value]) -> Value:
        try:
            return self._values[key]
        except KeyError:
            if len(self._values) >= MEMO_ENTRIES:
                self._values.clear()
            value = self._values[key] = build()
            return value

    def clear(self) -> None:
        self._values.clear()


class _ShapeKeys:
    """Each model's memo key, by the object's identity: built once however often it is looked
    up (building is most of what a lookup costs). A workload's models are frozen, so an
    object's key never changes; the entry holds the object, so its id is not reused while
    the entry lives. Keys hold only strings, numbers and tuples of them, which Python's
    garbage collector stops tracking: a fleet's thousands of keys cost its full collections
    nothing."""

    def __init__(self) -> None:
        self._keys: dict[tuple[int, int], tuple[object, Hashable]] = {}
        self._includes: dict[frozenset[str] | None, int] = {None: 0}
        """Each field set asked for, numbered (the set is kept, so its number is never reused)."""
        self._names: dict[tuple[type, frozenset[str]], tuple[str, ...]] = {}
        """A model class's fields among ``include``, in order."""
        self._type_names: dict[type, str] = {}
        self._every: dict[int, tuple[object, dict[str, tuple[str, str, object]]]] = {}
        """Each model's fields as key parts, by the model's identity (the entry holds it)."""
        _CLEARS.append(self._keys.clear)
        _CLEARS.append(self._every.clear)

    def key(self, model: BaseModel, include: frozenset[str] | None = None) -> Hashable:
        number = self._includes.get(include)
        if number is None:
            number = self._includes[include] = len(self._includes)
        cache_key = (id(model), number)
        try:
            return self._keys[cache_key][1]
        except KeyError:
            if len(self._keys) >= MEMO_ENTRIES:
                self._keys.clear()
            built = model.model_dump_json() if include is None else self._fields(model, include)
            self._keys[cache_key] = (model, built)
            return built

    def _fields(self, model: BaseModel, include: frozenset[str]) -> Hashable:
        """The named fields, each as its type and value (a float by its ``repr``, which is
        exact and tells -0.0 from 0.0) or, for a model, as that model's own JSON (dumped
        once per object, so a keyspace's sizes are dumped once for all the field sets asked
        of it and of its variants). What ``model_dump_json(include=...)`` would tell apart,
        this does: it also tells 1 from 1.0 and True from 1, which costs a miss at most."""
        cls = type(model)
        names = self._names.get((cls, include))
        if names is None:
            names = self._names[(cls, include)] = tuple(sorted(name for name in include if name in cls.model_fields))
        every = self._every.get(id(model))  # each field's part, made once per object
        if every is None:
            if len(self._every) >= MEMO_ENTRIES:
                self._every.clear()
            every = self._every[id(model)] = (model, self._parts(model))
        parts = every[1]
        return (self._type_name(cls), tuple([parts[name] for name in names]))

    def _parts(self, model: BaseModel) -> dict[str, tuple[str, str, object]]:
        parts = {}
        for name, value in model.__dict__.items():
            kind = type(value)
            if kind is int or kind is str or kind is bool or value is None:
                parts[name] = (name, self._type_name(kind), value)
            elif kind is float:
                parts[name] = (name, "float", repr(value))
            elif isinstance(value, BaseModel):
                parts[name] = (name, self._type_name(kind), self.key(value))
            else:  # anything else (none in the workload models today) as pydantic dumps it
                parts[name] = (name, self._type_name(kind), model.model_dump_json(include={name}))
        return parts

    def _type_name(self, kind: type) -> str:
        try:
            return self._type_names[kind]
        except KeyError:
            name = self._type_names[kind] = f"{kind.__module__}.{kind.__qualname__}"
            return name


_SHAPE_KEYS = _ShapeKeys()


_BUILT, _INCLUDED = _SHAPE_KEYS._keys, _SHAPE_KEYS._includes


def shape_key(model: BaseModel, include: frozenset[str] | None = None) -> Hashable:
    """A frozen model's memo key, built once per object: its JSON
    (``model.model_dump_json()``) or, with ``include``, the type and value of each field it
    names (``_ShapeKeys._fields``: cheaper than dumping, and no less distinct)."""
    try:  # ``_ShapeKeys.key`` of a key built before, without the call: asked for tens of thousands of times
        return _BUILT[(id(model), _INCLUDED[include])][1]
    except KeyError:
        return _SHAPE_KEYS.key(model, include)


def forgotten_on_clear(cache: Cached) -> Cached:
    """Register an ``lru_cache``-wrapped function (or a plain dict or list) so that
    ``clear_memos`` empties it too."""
    _CLEARS.append(cache.clear if isinstance(cache, (dict, list)) else cache.cache_clear)  # type: ignore[attr-defined]
    return cache


def clear_memos() -> None:
    """Forget every shape (a cold start, for benchmarks and tests)."""
    for clear in _CLEARS:
        clear()
