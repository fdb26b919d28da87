"""Key names grouped into patterns: ``user:1234:profile`` and ``user:98:profile`` -> ``user:{id}:profile``.

A key name is split into tokens at delimiters (``:``, ``/``, ``|``, ``#``, ``.``, ``,``,
``;``, ``=``, ``@``, space and the braces of cluster hash tags). A token is variable, and
becomes ``{id}``, when it looks like an identifier on its own (digits, hex digests, UUIDs,
long random strings), or when keys that agree everywhere else carry so many distinct
values in its place that it cannot be a fixed word (``user:alice:profile``,
``user:bob:profile``, ... once more than ``MAX_LITERALS`` names appear).

Glossary
    token       a run of characters between two delimiters.
    skeleton    a key's delimiters and the classification of each token (fixed word or
                ``{id}``): keys with one skeleton differ only in their tokens.
    pattern     the key name with every variable token replaced by ``{id}``; it is the
                keyspace name in the workload file, so characters the file does not allow
                are replaced by ``_``.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable

ID = "{id}"
DELIMITERS = re.compile(r"([:/|#.,;=@ {}])")
MAX_LITERALS = 16
"""More distinct words than this in one position, among keys that agree everywhere else,
make the position variable. Real fixed words in one position (field names, kinds such as
``profile``/``settings``/``feed``) rarely exceed a dozen; user names and slugs do."""
MIN_RANDOM_LENGTH = 16
"""A letters-only token at least this long with upper and lower case is taken for a
random identifier (base62/base64 tokens); shorter mixed-case words (``userId``) are not."""
MIN_ALNUM_ID_LENGTH = 6
"""A token of letters and digits this long is an identifier (``u12345``, ``a1b2c3``);
shorter ones are version tags and the like (``v2``, ``s3``, ``l10n``)."""
_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_.:{}-]")
"""Keyspace names may only hold these characters (sizing.spec.workload, ``_KeyspaceBase.name``)."""
MAX_NAME_LENGTH = 120
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_identifier(token: str) -> bool:
    """Whether a token is variable by its own look."""
    if not token:
        return False
    if token.isdigit() or _UUID.match(token):
        return True
    digits = sum(c.isdigit() for c in token)
    if digits and len(token) >= MIN_ALNUM_ID_LENGTH:
        return True  # u12345, 2024-01-05, a hex digest, order-7f3a9c
    if len(token) >= 8 and _HEX.match(token) and digits:
        return True
    if len(token) >= MIN_RANDOM_LENGTH and token.isalpha() and not token.islower() and not token.isupper():
        # Random letters switch case several times; camelCase words do once or twice.
        switches = sum(1 for a, b in itertools.pairwise(token) if a.islower() != b.islower())
        return switches >= len(token) // 4
    return False


def _tokens(key: str) -> list[str]:
    """``user:{42}:cart`` -> ['user', ':', '', '{', '42', '}', '', ':', 'cart'] (delimiters kept)."""
    return DELIMITERS.split(key)


def patterns(keys: Iterable[str]) -> dict[str, str]:
    """Every key name mapped to its pattern."""
    parts: dict[str, list[str]] = {}
    for key in keys:
        tokens = _tokens(key)
        parts[key] = [ID if index % 2 == 0 and is_identifier(token) else token for index, token in enumerate(tokens)]
    _collapse_many_words(parts)
    return {key: pattern_name("".join(tokens)) for key, tokens in parts.items()}


def _collapse_many_words(parts: dict[str, list[str]]) -> None:
    """Make a word position variable when keys agreeing elsewhere carry many words there.

    Positions are taken one at a time, the one with the most distinct words first, so a
    second variable position (``tenant:acme:user:alice``) is found once the first is gone.
    """
    while True:
        # For each (token count, position) and each "rest of the key" with that position
        # blanked, the words seen there.
        words: dict[tuple[int, int], dict[tuple[str, ...], set[str]]] = defaultdict(lambda: defaultdict(set))
        for tokens in parts.values():
            for position in range(0, len(tokens), 2):
                if tokens[position] != ID:
                    rest = tuple(tokens[:position] + tokens[position + 1:])
                    words[(len(tokens), position)][rest].add(tokens[position])
        best: tuple[int, tuple[int, int], tuple[str, ...]] | None = None
        for place, by_rest in words.items():
            for rest, seen in by_rest.items():
                if len(seen) > MAX_LITERALS and (best is None or len(seen) > best[0]):
                    best = (len(seen), place, rest)
        if best is None:
            return
        _, (length, position), rest = best
        for tokens in parts.values():
            if len(tokens) == length and tokens[position] != ID and tuple(tokens[:position] + tokens[position + 1:]) == rest:
                tokens[position] = ID


def pattern_name(pattern: str) -> str:
    """The pattern as a keyspace name: a hash tag around an identifier (``{{id}}``) reads as
    ``{id}``, other characters the workload file does not allow become ``_``."""
    name = pattern.replace("{" + ID + "}", ID)
    name = _NAME_CHARACTERS.sub("_", name)
    if len(name) > MAX_NAME_LENGTH:
        name = name[:MAX_NAME_LENGTH]
    return name or "_"
