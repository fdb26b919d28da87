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


def forgotten_on_clear(cache: Cached) -> Cached:
    """Register an ``lru_cache``-wrapped function so that ``clear_memos`` empties it too."""
    _CLEARS.append(cache.cache_clear)  # type: ignore[attr-defined]
    return cache


def clear_memos() -> None:
    """Forget every shape (a cold start, for benchmarks and tests)."""
    for clear in _CLEARS:
        clear()
