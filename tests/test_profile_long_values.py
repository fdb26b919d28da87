"""The long-value share a hash keyspace's encodings say (``sizing.live.long_values``), no server."""

from __future__ import annotations

import random

import pytest

from sizing.live.long_values import long_value_share, reweighted
from sizing.live.sampling import KeySample
from sizing.memory.limits import COMPILED_DEFAULTS

LIMIT = COMPILED_DEFAULTS.hash_max_listpack_value


def _hashes(counts: list[int], long_share: float, seed: int = 7) -> list[KeySample]:
    """Hashes whose values are long independently with ``long_share``, encoded as a server would."""
    rng = random.Random(seed)
    keys = []
    for index, n in enumerate(counts):
        long = rng.random() >= (1 - long_share) ** n  # one of its n values is long
        table = long or n > COMPILED_DEFAULTS.hash_max_listpack_entries
        keys.append(KeySample(name=f"h{index}", key_bytes=8, type="hash", encoding="hashtable" if table else "listpack",
                              ttl=False, memory_usage_bytes=0, length=n))
    return keys


def test_the_encodings_give_back_the_share_that_made_them() -> None:
    counts = [60 + (i * 37) % 540 for i in range(20_000)]  # 60..599 fields, some over the count limit
    found = long_value_share(_hashes(counts, 0.0093), 1.0, COMPILED_DEFAULTS)
    assert found == pytest.approx(0.0093, rel=0.03)


def test_long_field_names_take_their_part() -> None:
    """Where 1% of the field names are long too, the values need fewer long ones."""
    counts = [100] * 5_000
    keys = _hashes(counts, 0.005 + 0.01 - 0.005 * 0.01)  # a pair fits when both do
    assert long_value_share(keys, 0.99, COMPILED_DEFAULTS) == pytest.approx(0.005, abs=0.0006)


@pytest.mark.parametrize("encoding", ["listpack", "hashtable"])
def test_nothing_to_say(encoding: str) -> None:
    """All compact (no long value under the limit: any are in big hashes), or none compact
    (the share is unbounded): the lengths read are kept."""
    keys = [KeySample(name=f"h{i}", key_bytes=8, type="hash", encoding=encoding, ttl=False, memory_usage_bytes=0,
                      length=50) for i in range(100)]
    assert long_value_share(keys, 1.0, COMPILED_DEFAULTS) is None
    assert long_value_share([], 1.0, COMPILED_DEFAULTS) is None


def test_reweighted_keeps_each_side_shape() -> None:
    values = [(10, 0, 3.0), (20, 0, 1.0), (5, 5, 4.0), (100, 0, 1.0), (200, 0, 1.0)]  # 20% long
    result = reweighted(values, 0.1, LIMIT)
    total = sum(w for *_, w in result)
    assert total == pytest.approx(10.0)
    long = [w for n, d, w in result if not d and n > LIMIT]
    assert sum(long) / total == pytest.approx(0.1)
    assert long[0] == pytest.approx(long[1])  # 100 and 200 bytes stay equal
    short = [w for n, d, w in result if d or n <= LIMIT]
    assert [w / short[1] for w in short] == pytest.approx([3.0, 1.0, 4.0])  # and 10, 20 and the integers 3:1:4
    assert reweighted([(10, 0, 1.0)], 0.2, LIMIT) == [(10, 0, 1.0)]  # nothing long read: no shape to scale
