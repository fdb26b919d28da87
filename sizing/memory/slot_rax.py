"""Redis 6.2 cluster mode: the radix tree that maps slots to keys (``slots_to_keys``).

Every key is inserted as its 2-byte slot number followed by its name (``slotToKeyAdd``,
db.c), with no value (``isnull``). Its size follows from rax.c's node layout and from
how the names in one slot share characters.

Glossary
    raxNode         4-byte header, then ``size`` bytes (a compressed node's characters or a
                    branch node's edge bytes), padded to 8, then 8-byte child pointers: one
                    for a compressed node, ``size`` for a branch node (``raxNewNode``,
                    ``raxCompressNode``); a key with no children is an 8-byte leaf.
    slot level      a branch on the slot's first byte (64 values) and, under each, one on
                    its second (256 values) - or a compressed node where only one child exists.
    shared prefix   what the names of one keyspace have in common before their distinct
                    part (``user:`` in ``user:1234``): one compressed node per slot that holds
                    two or more of them.
    key_tail_chars  the distinct part: below the shared prefix the slot's names branch like
                    random strings, and each name ends in a compressed node of what is left.

Keys land in slots like Poisson(keys / 16,384) (``tables.expected_per_slot``); the tail trie
of n random names is summed depth by depth (a node where two or more names still share a
prefix branches), never key by key.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

from sizing.memory.allocator import Allocator
from sizing.memory.distribution import Distribution
from sizing.memory.memo import forgotten_on_clear
from sizing.memory.tables import CLUSTER_SLOTS, CountCosts, expected_per_slot

RAX_NODE_HEADER_BYTES = 4
"""``raxNode`` header: iskey/isnull/iscompr bits and a 29-bit size (rax.h, Redis 6.2)."""
RAX_POINTER_BYTES = 8
RAX_LEAF_BYTES = 8
"""A key node with no children: the header padded to 8 (``raxNewNode(0, 0)``)."""
KEY_ALPHABET = 62
"""Characters a name's distinct part is drawn from: letters and digits, as ``verify``'s
loader writes them (sizing/live/synthetic.py ``name``). Decimal ids branch over 10."""
KEY_TAIL_CHARS = 13.5
"""Characters of a key name that differ between keys; the rest is a prefix its keyspace
shares. ``verify``'s loader writes a name as a letter and a zero-padded base-62 number, the
key's ordinal times 0x9E3779B97F4A7C15 (a 64-bit scramble): log62(2^63.3 x ordinal) is 13 to
14 characters for 10^3 to 10^5 keys. Real names that share a prefix before an id of that
length compress the same way; a longer distinct part (a 36-character UUID) costs up to
24 bytes a key more. Between two whole lengths the cost is interpolated."""
GRID_STEPS_PER_DOUBLING = 8
"""Key counts the tree is evaluated at: 2^(i/8); between two, interpolated (within 0.1 bytes a key)."""
GAUSS_HERMITE_FROM_KEYS_PER_SLOT = 100
"""From this many keys per slot the count is near normal (sd/mean <= 1/10): within 0.05 bytes a
key of the full sum at 2 million keys, 0.2 at 1 million (60 a slot, left to the full sum)."""
GAUSS_HERMITE = tuple(zip(
    (-3.750439717725742, -2.366759410734541, -1.154405394739968, 0.0, 1.154405394739968, 2.366759410734541,
     3.750439717725742),
    (0.000548268855972, 0.030757123967586, 0.240123178605013, 0.457142857142857, 0.240123178605013,
     0.030757123967586, 0.000548268855972)))
"""Nodes and weights of 7-point Gauss-Hermite quadrature for a standard normal (probabilists')."""
SLOT_BYTE_VALUES = (64, 256)
"""The slot's first byte takes 64 values (16,384 slots), the second 256."""


def slot_rax_bytes_per_key(allocator: Allocator, key_bytes: float, key_survival: tuple[float, ...],
                           cluster_keys: float) -> float:
    """Expected bytes of the slot radix tree per key, for ``cluster_keys`` keys in the
    cluster (keys per slot do not depend on the shard count) of mean name length ``key_bytes``.

    ``key_survival[x]``: the share of names longer than x characters. The names in one slot
    share a prefix as long as the shortest of them has besides its distinct tail, so longer
    names have longer tails.
    """
    if cluster_keys <= 0:
        return 0.0
    # Smooth in the key count (a Poisson average): interpolated on a grid of GRID_STEPS_PER_DOUBLING
    # points per doubling, so that the planner's many key counts reuse a few evaluations.
    position = GRID_STEPS_PER_DOUBLING * math.log2(cluster_keys)
    low = math.floor(position)
    share_high = position - low
    at_low = _per_key(allocator, round(key_bytes, 2), key_survival, low)
    if share_high < 1e-9:
        return at_low
    return (1 - share_high) * at_low + share_high * _per_key(allocator, round(key_bytes, 2), key_survival, low + 1)


@lru_cache(maxsize=4096)
def _per_key(allocator: Allocator, key_bytes: float, key_survival: tuple[float, ...], grid_point: int) -> float:
    cluster_keys = round(2 ** (grid_point / GRID_STEPS_PER_DOUBLING))
    low = math.floor(KEY_TAIL_CHARS)
    share_high = KEY_TAIL_CHARS - low

    shortest = _shortest_names(key_survival)

    def below(tail_chars: int) -> float:
        def slot(n: int) -> float:
            return _slot_bytes(allocator, n, key_bytes, round(max(0.0, shortest[n] - tail_chars), 1))
        return _expected_per_slot(cluster_keys, slot)

    below_slots = below(low) if not share_high else (1 - share_high) * below(low) + share_high * below(low + 1)
    return (below_slots + _slot_level_bytes(allocator, cluster_keys)) / cluster_keys


def _shortest_names(key_survival: tuple[float, ...]) -> CountCosts:
    """E[the shortest of n names] by n, = sum over x of P(L > x)^n: the same for both tail
    lengths, every grid point and every key scale of a cluster's names."""
    costs = _SHORTEST.get(key_survival)
    if costs is None:
        if len(_SHORTEST) >= SHORTEST_SURVIVALS:
            _SHORTEST.clear()
        costs = _SHORTEST[key_survival] = CountCosts(lambda n: sum(share**n for share in key_survival))
    return costs


SHORTEST_SURVIVALS = 256
"""Name-length distributions ``_SHORTEST`` keeps: a cluster asks for one (a fleet's next
cluster for another); a full one starts afresh."""
_SHORTEST: dict[tuple[float, ...], CountCosts] = forgotten_on_clear({})


def _expected_per_slot(cluster_keys: int, cost: Callable[[int], float]) -> float:
    """``tables.expected_per_slot``; with many keys a slot (where the tree's cost per slot is
    smooth in its key count) by Gauss-Hermite quadrature on the normal limit of the Poisson
    count, 7 points instead of hundreds."""
    mean = cluster_keys / CLUSTER_SLOTS
    if mean < GAUSS_HERMITE_FROM_KEYS_PER_SLOT:
        return expected_per_slot(cluster_keys, cost)
    spread = math.sqrt(mean)
    return CLUSTER_SLOTS * sum(weight * cost(max(1, round(mean + spread * point))) for point, weight in GAUSS_HERMITE)


def _node(allocator: Allocator, size: float, pointers: float) -> float:
    """One raxNode of ``size`` edge bytes and ``pointers`` children (sizes may be averages)."""
    padded = math.ceil((RAX_NODE_HEADER_BYTES + size) / 8) * 8
    return allocator.mean_class_bytes(padded + RAX_POINTER_BYTES * pointers)


@lru_cache(maxsize=65536)
def _slot_bytes(allocator: Allocator, keys: int, key_bytes: float, prefix: float) -> float:
    """Nodes below one slot's 2-byte prefix holding ``keys`` names that share ``prefix`` characters."""
    if keys == 1:  # the whole name in one compressed node, then the key's leaf
        return _node(allocator, key_bytes, 1) + RAX_LEAF_BYTES
    shared = _node(allocator, prefix, 1) if prefix > 0 else 0.0
    return shared + _tail_trie_bytes(allocator, keys, key_bytes - prefix)


def _tail_trie_bytes(allocator: Allocator, keys: int, tail: float) -> float:
    """The trie of ``keys`` random names of ``tail`` characters: at depth d the names fall
    into 62^d cells; a cell of two or more is a branch node (on as many distinct next
    characters as its names have), and a name alone in its cell from depth d on ends in a
    compressed node of its last ``tail - d`` characters and a leaf."""
    total = 0.0
    unique_before = 0.0
    mean_class, ceil = allocator.mean_class_bytes, math.ceil  # _node, inlined: it runs per depth
    for depth in range(ceil(tail) + 1):
        cell = KEY_ALPHABET ** -depth
        unique = (1 - cell) ** (keys - 1)  # P(no other name shares this name's first `depth` characters)
        if depth:
            rest = max(0.0, tail - depth)
            ending = ((mean_class(ceil((RAX_NODE_HEADER_BYTES + rest) / 8) * 8 + RAX_POINTER_BYTES) if rest > 0
                       else 0.0) + RAX_LEAF_BYTES)
            total += keys * (unique - unique_before) * ending
        unique_before = unique
        shared_cells = (1 - (1 - cell) ** keys - keys * cell * unique) / cell
        if shared_cells < 1e-9 or depth >= tail:
            break
        names_in_shared = keys * (1 - unique)
        per_cell = names_in_shared / shared_cells
        children = KEY_ALPHABET * (1 - (1 - 1 / KEY_ALPHABET) ** per_cell)
        total += shared_cells * mean_class(ceil((RAX_NODE_HEADER_BYTES + children) / 8) * 8
                                           + RAX_POINTER_BYTES * children)
    return total


def _slot_level_bytes(allocator: Allocator, cluster_keys: int) -> float:
    """Branch nodes on the slot number: the root over its first byte, and under each value
    one over the second byte where two or more of its 256 slots hold keys."""
    first, second = SLOT_BYTE_VALUES
    occupied = -math.expm1(-cluster_keys / CLUSTER_SLOTS)  # P(a slot holds a key)
    per_group = 0.0
    mean, spread = second * occupied, 8 * math.sqrt(second * occupied * (1 - occupied)) + 8
    for slots in range(max(2, int(mean - spread)), min(second, int(mean + spread)) + 1):
        # Binomial(256, occupied) occupied slots under one first byte (the rest has < 1e-12 of it)
        per_group += _binomial(second, slots, occupied) * _node(allocator, slots, slots)
    groups = first * (1 - (1 - occupied) ** second)
    return first * per_group + _node(allocator, groups, groups)


def _binomial(n: int, k: int, p: float) -> float:
    if p >= 1:
        return 1.0 if k == n else 0.0
    return math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                    + k * math.log(p) + (n - k) * math.log1p(-p))


def key_survival(keyspaces: list[tuple[int, Distribution]]) -> tuple[float, ...]:
    """P(L > x) for x = 0, 1, ... over all the cluster's names (keyspaces weighted by key
    count): what ``slot_rax_bytes_per_key`` needs of the name lengths. A slot holds names of
    every keyspace, and the prefix they share is taken to be as long as the shortest allows:
    names of keyspaces that share no prefix (``user:`` beside ``session:``) are priced high."""
    total = sum(keys for keys, _ in keyspaces) or 1
    longest = max((lengths.high for _, lengths in keyspaces), default=0)
    rows = [[keys * (1 - below) for below in lengths.cdf_at_each(longest)] for keys, lengths in keyspaces]
    # Each length's sum over the keyspaces in their order, as a sum per length would add them.
    return tuple(round(sum(column) / total, 6) for column in zip(*rows))
