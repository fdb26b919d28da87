"""The share of a hash keyspace's values too long for a listpack, from the keys' encodings.

A hash of at most ``hash-max-listpack-entries`` fields is a listpack (a ziplist before
7.0) unless one of its fields or values is longer than ``hash-max-listpack-value``; the
model prices that chance as ``fits ** n`` for ``n`` fields (``sizing.memory.values``).
The profile reads 8 values of a key (1 in 32 of a big one), so where few values are long
the share it reads is off by several standard errors of the whole keyspace's: for Redis 6.2
``profiles-one-by-one``, 0.72% of the values read were over 64 bytes where 0.93% of all
are, and the written file held 35% of the hashes as ziplists where the server held 28%
(-4.2% of the dataset). OBJECT ENCODING of every sampled key is exact, though: a hash under
the count limit held as a table holds a long item. So the values' long share is taken as the
one under which the model's chance, over the sampled keys' own field counts, gives the
share of those keys the server holds compact; the lengths read keep their shape on each
side of the limit.

Glossary
    long            a text value longer than ``hash-max-listpack-value`` (integers of at
                    most 20 digits never are).
    compact         OBJECT ENCODING listpack or ziplist.
"""

from __future__ import annotations

from collections.abc import Sequence

from sizing.live.sampling import KeySample
from sizing.memory.limits import EncodingLimits

COMPACT_ENCODINGS = frozenset({"listpack", "ziplist"})
SOLVE_STEPS = 60
"""Bisection steps for the long share: 2^-60 of its range, far below any sample's precision."""


def long_value_share(keys: Sequence[KeySample], field_fits: float, limits: EncodingLimits) -> float | None:
    """The share of values (over all of them, integers too) that are long, as the
    encodings of ``keys`` say, with ``field_fits`` the share of field names that fit;
    None where the encodings tell nothing: no key under the count limit, none compact,
    or as many compact as with no long value at all."""
    under = [k for k in keys if k.length <= limits.hash_max_listpack_entries]
    if not under or field_fits <= 0:
        return None
    compact = sum(k.encoding in COMPACT_ENCODINGS for k in under) / len(under)
    counts = [k.length for k in under]

    def compact_share(long: float) -> float:
        fits = field_fits * (1 - long)
        return sum(fits**n for n in counts) / len(counts)

    if compact >= compact_share(0.0) or compact <= 0:
        # As compact as short values allow (long values may still be in hashes over the
        # limit), or none compact: the share is unbounded.
        return None
    low, high = 0.0, 1.0
    for _ in range(SOLVE_STEPS):  # compact_share falls as the long share grows
        middle = (low + high) / 2
        if compact_share(middle) > compact:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def read_long_share(values: Sequence[tuple[int, int, float]], value_limit: int) -> float:
    """The weighted share of (length, digits or 0, weight) items read that are long (0 where
    none were read)."""
    total = sum(w for _, _, w in values)
    return sum(w for length, digits, w in values if not digits and length > value_limit) / total if total else 0.0


def reweighted(values: Sequence[tuple[int, int, float]], long_share: float,
               value_limit: int) -> list[tuple[int, int, float]]:
    """Values read as (length, digits or 0, weight), their long ones weighted to
    ``long_share`` of the total and the rest to the remainder, each side's shape kept.
    Unchanged where nothing long or nothing short was read (there is no shape to scale)."""
    total = sum(w for _, _, w in values)
    long_weight = sum(w for length, digits, w in values if not digits and length > value_limit)
    if total <= 0 or long_weight <= 0 or long_weight >= total:
        return list(values)
    long_scale = long_share * total / long_weight
    short_scale = (1 - long_share) * total / (total - long_weight)
    return [(length, digits, w * (long_scale if not digits and length > value_limit else short_scale))
            for length, digits, w in values]
