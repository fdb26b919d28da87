"""How a keyspace's keys land on the shards of a cluster: whole keys, unevenly.

A key lives on exactly one shard (the one that owns its hash slot), and keys fall into
slots at random, so shards hold unequal numbers of keys. Dividing a keyspace's bytes by
the shard count plans a 1.2 GB list as 0.6 GB on each of two shards; three keys of
512 MiB on three shards put two on one shard 7 times in 9. The model sizes each shard
for the fullest one instead: the key count the fullest shard reaches with 90%
probability, with its largest key among them.

Glossary
    fullest_keys    keys on the fullest of ``shards`` shards, 90th percentile: the smallest
                    m with P(Binomial(keys, 1/shards) <= m) ** shards >= 0.9 (shards taken
                    as independent: within one key of simulated placements, e.g. 17
                    against 18 for 100 keys on 10 shards, 167 against 168 for 1,000 on 7).
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

FULLEST_SHARD_QUANTILE = 0.9
"""Plans hold for the fullest shard in 9 key placements out of 10."""
EXACT_BINOMIAL_KEYS = 20_000
"""Up to this many keys per keyspace the binomial is summed exactly; above, its normal
approximation (with continuity correction) is within a key of it."""


UNDERFLOW_EXPONENT = -800.0
"""exp() of anything below about -745 is 0.0 in IEEE doubles (the least subnormal is 2^-1074)."""


@lru_cache(maxsize=4096)
def fullest_shard_keys(keys: int, shards: int) -> int:
    """Keys on the fullest shard, at ``FULLEST_SHARD_QUANTILE``."""
    if shards <= 1 or keys <= 1:
        return keys
    target = FULLEST_SHARD_QUANTILE ** (1 / shards)  # P(one shard <= m) needed
    p = 1 / shards
    if keys > EXACT_BINOMIAL_KEYS:
        mean, sd = keys * p, math.sqrt(keys * p * (1 - p))
        return min(keys, math.ceil(mean + sd * NormalDist().inv_cdf(target) - 0.5))
    log_p, log_q = math.log(p), math.log1p(-p)
    log_keys = math.lgamma(keys + 1)

    def log_pmf(m: int) -> float:
        return log_keys - math.lgamma(m + 1) - math.lgamma(keys - m + 1) + m * log_p + (keys - m) * log_q

    # The terms below the mode rise; those under UNDERFLOW_EXPONENT are 0.0 as doubles and add
    # nothing, so the sum starts at the first one above it (found by bisection): the same
    # answer, bit for bit, without summing thousands of zeros.
    low, high = 0, int(keys * p)
    while low < high:
        middle = (low + high) // 2
        if log_pmf(middle) < UNDERFLOW_EXPONENT:
            low = middle + 1
        else:
            high = middle
    cumulative, m = 0.0, low
    while m <= keys:
        cumulative += math.exp(log_pmf(m))
        if cumulative >= target:
            return max(m, math.ceil(keys / shards))
        m += 1
    return keys


def fullest_shard_bytes(keys: float, shards: int, per_key: float, largest_key: float) -> float:
    """Bytes of one keyspace on the fullest shard: its keys there, one of them the largest,
    and never less than an even share."""
    even = keys / shards * per_key
    if shards <= 1:
        return even
    fullest = fullest_shard_keys(math.ceil(keys), shards)
    return max(even, (fullest - 1) * per_key + largest_key)
