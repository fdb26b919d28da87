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


class _Dumps:
    """Each model's JSON, by the object's identity: a memo's key for a field's shape, dumped
    once however often it is looked up (dumping is most of what a lookup costs). A workload's
    models are frozen, so an object's JSON never changes; the entry holds the object, so its
    id is not reused while the entry lives."""

    def __init__(self) -> None:
        self._texts: dict[tuple[int, str], tuple[object, str]] = {}
        _CLEARS.append(self._texts.clear)

    def json(self, model: BaseModel, include: frozenset[str] | None = None) -> str:
        key = (id(model), "" if include is None else ",".join(sorted(include)))
        try:
            return self._texts[key][1]
        except KeyError:
            if len(self._texts) >= MEMO_ENTRIES:
                self._texts.clear()
            text = model.model_dump_json(include=set(include) if include is not None else None)
            self._texts[key] = (model, text)
            return text


_DUMPS = _Dumps()


def shape_json(model: BaseModel, include: frozenset[str] | None = None) -> str:
    """``model.model_dump_json(include=include)`` of a frozen model, dumped once per object."""
    return _DUMPS.json(model, include)


def forgotten_on_clear(cache: Cached) -> Cached:
    """Register an ``lru_cache``-wrapped function so that ``clear_memos`` empties it too."""
    _CLEARS.append(cache.cache_clear)  # type: ignore[attr-defined]
    return cache


def clear_memos() -> None:
    """Forget every shape (a cold start, for benchmarks and tests)."""
    for clear in _CLEARS:
        clear()
