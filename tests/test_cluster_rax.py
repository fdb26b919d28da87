"""Redis 6.2's slot radix tree: the arithmetic model against the tree rax.c builds.

The reference below lays out the radix tree of a set of names node by node as rax.c does
(a branch node per position where names part, a compressed node for a run of characters
with one child, an 8-byte leaf per key), with the 2-byte slot number in front of each name
(db.c ``slotToKeyAdd``). On ``verify``'s key names it reproduces what Redis 6.2.16 adds in
cluster mode over the model's other costs (the random development set: within 0.01% of the
dataset on string keyspaces).
"""

from __future__ import annotations

import random

import pytest

from sizing.memory.distribution import exactly
from sizing.memory.engines import engine_profile
from sizing.memory.slot_rax import KEY_TAIL_CHARS, key_survival, slot_rax_bytes_per_key

ALLOCATOR = engine_profile("redis", "6.2").allocator


def per_key(length: int, keys: int) -> float:
    return slot_rax_bytes_per_key(ALLOCATOR, length, key_survival([(keys, exactly(length))]), keys)


ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _padded(size: int) -> int:
    return (4 + size + 7) // 8 * 8


def rax_bytes(keys: list[bytes]) -> int:
    """Bytes of the rax holding ``keys`` (no values), summed node by node."""
    keys = sorted(set(keys))
    total = 0
    ranges = [(0, len(keys), 0)]
    while ranges:
        low, high, depth = ranges.pop()
        start = low + 1 if len(keys[low]) == depth else low  # a key ends at this node
        if start >= high:
            total += ALLOCATOR.class_bytes(_padded(0))
            continue
        groups, index = [], start
        while index < high:
            end = index
            while end < high and keys[end][depth] == keys[index][depth]:
                end += 1
            groups.append((index, end))
            index = end
        if len(groups) > 1:
            total += ALLOCATOR.class_bytes(_padded(len(groups)) + 8 * len(groups))
            ranges += [(a, b, depth + 1) for a, b in groups]
            continue
        a, b = groups[0]
        end = depth + 1
        while len(keys[a]) > end and keys[a][end] == keys[b - 1][end]:
            end += 1  # sorted: the first and last share a character only if all do
        total += ALLOCATOR.class_bytes(_padded(end - depth) + 8)
        ranges.append((a, b, end))
    return total


def _names(count: int, length: int, tail: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    prefix = "k" * (length - tail)
    return [(prefix + "".join(rng.choice(ALPHABET) for _ in range(tail))).encode() for _ in range(count)]


def _with_slots(names: list[bytes], seed: int) -> list[bytes]:
    rng = random.Random(seed)  # CRC16 spreads distinct names over slots like random draws
    return [rng.randrange(16_384).to_bytes(2, "big") + name for name in names]


@pytest.mark.parametrize(("count", "length"), [(500, 12), (3_000, 16), (3_000, 40), (10_000, 24)])
def test_model_matches_the_tree_for_names_with_a_shared_prefix(count: int, length: int) -> None:
    # The model's tail is 13.5 characters: half the names' distinct part is 13 long, half 14.
    tails = [min(length, int(KEY_TAIL_CHARS)), min(length, int(KEY_TAIL_CHARS) + 1)]
    exact = sum(rax_bytes(_with_slots(_names(count, length, tail, seed), seed)) for seed, tail in enumerate(tails))
    assert per_key(length, count) == pytest.approx(exact / len(tails) / count, rel=0.02)


def test_one_key_per_slot_holds_the_whole_name_in_one_node() -> None:
    # 20 keys in 16,384 slots: nearly every slot holds one, in a compressed node of the name
    # J(align8(4 + 30) + 8) 48 and a leaf 8, under slot-level branch nodes.
    one_each = per_key(30, 20)
    assert 56 < one_each < 56 + 40


def test_longer_names_cost_more_only_in_their_tail() -> None:
    many = 200_000  # 12 per slot: the shared prefix is paid once per slot
    assert per_key(60, many) - per_key(20, many) < 8
