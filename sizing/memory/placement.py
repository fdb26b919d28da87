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
RECURRENCE_MARGIN = 1e-7
"""How near the target a cumulative probability summed by the ratio of neighbouring terms
may come before the answer is summed term by term instead. The two sums differ by far less:
each log-gamma term carries a relative error of about 1e-10 (log-gammas near 2e5 to 16
digits), and the ratios about 4e-16 per step for at most a few thousand steps."""
NEGLIGIBLE_TERM = 1e-15
"""Terms below the mode smaller than this share of the sum so far are left out: together
they are many orders below ``RECURRENCE_MARGIN``. Each is less than the one above it by a
ratio that is at most about 0.9 that far below the mode (8 standard deviations; 20,000 keys
on 2 shards have the widest spread), so what is left out is under 1e-14 of the sum, and a
sum near enough to the target for it to matter is summed term by term."""


@lru_cache(maxsize=4096)
def fullest_shard_keys(keys: int, shards: int) -> int:
    """Keys on the fullest shard, at ``FULLEST_SHARD_QUANTILE``."""
    if shards <= 1 or keys <= 1:
        return keys
    target = FULLEST_SHARD_QUANTILE ** (1 / shards)  # P(one shard <= m) needed
    if keys > EXACT_BINOMIAL_KEYS:
        p = 1 / shards
        mean, sd = keys * p, math.sqrt(keys * p * (1 - p))
        return min(keys, math.ceil(mean + sd * NormalDist().inv_cdf(target) - 0.5))
    quick = _by_recurrence(keys, shards, target)
    return quick if quick is not None else _summed_term_by_term(keys, shards, target)


def _summed_term_by_term(keys: int, shards: int, target: float) -> int:
    """The smallest m with P(Binomial(keys, p) <= m) >= target, each term from its own
    log-gamma expression: the definition of the answer."""
    p = 1 / shards
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


def _by_recurrence(keys: int, shards: int, target: float) -> int | None:
    """``_summed_term_by_term``'s answer from one log-gamma term, the mode's, and the ratio of
    neighbouring terms, or None where that sum comes within ``RECURRENCE_MARGIN`` of the target
    at the answer or just below it: there the rounding of the two sums could decide, and the
    caller sums term by term."""
    p = 1 / shards
    mode = min(keys, int((keys + 1) * p))
    log_pmf = (math.lgamma(keys + 1) - math.lgamma(mode + 1) - math.lgamma(keys - mode + 1)
               + mode * math.log(p) + (keys - mode) * math.log1p(-p))
    at_mode = math.exp(log_pmf)
    odds = p / (1 - p)
    below, term, m = 0.0, at_mode, mode
    while m > 0:  # P(X = m - 1) = P(X = m) * m / ((keys - m + 1) * odds)
        term *= m / ((keys - m + 1) * odds)
        below += term
        m -= 1
        if term < NEGLIGIBLE_TERM * (below + at_mode):
            break
    cumulative, term, m = below + at_mode, at_mode, mode
    if cumulative >= target - RECURRENCE_MARGIN:
        return None
    while m < keys:
        term *= (keys - m) / (m + 1) * odds  # P(X = m + 1)
        previous, cumulative, m = cumulative, cumulative + term, m + 1
        if cumulative >= target:
            if cumulative < target + RECURRENCE_MARGIN or previous >= target - RECURRENCE_MARGIN:
                return None
            return max(m, math.ceil(keys / shards))
    return None


def fullest_shard_bytes(keys: float, shards: int, per_key: float, largest_key: float) -> float:
    """Bytes of one keyspace on the fullest shard: its keys there, one of them the largest,
    and never less than an even share."""
    even = keys / shards * per_key
    if shards <= 1:
        return even
    fullest = fullest_shard_keys(math.ceil(keys), shards)
    return max(even, (fullest - 1) * per_key + largest_key)
