"""How a keyspace's collections were written, told from MEMORY USAGE.

From Valkey 7.2 a write command's element count pre-sizes a collection's table; written one
element per command (HSET, SADD, ZADD per item), a table is sized only where a listpack or
an intset converts, and grows from there, and its last growth keeps the old bucket array
until enough later writes have moved it (``sizing.memory.values``). The same data then costs
more: Valkey 8.0 sets of 40 to 400 members written one by one hold 7% more than written in
batches. Nothing a profile may run names the way: OBJECT ENCODING is the same, and DEBUG,
which shows a table's size, is blocked on ElastiCache.

MEMORY USAGE counts a nested table's bucket arrays exactly, the old one too while its rehash
is unfinished (object.c: ``dictBuckets``; from 8.1 ``hashtableMemUsage``, with the child
buckets), and the profile reads it before any read of the key moves a bucket. Its elements
it estimates from the first five, each counted its own way. So over the sampled keys held
as tables, with ``n`` their element count,

    MEMORY USAGE = a + b n + price(n, written) + noise

where ``price`` is the model's value structure for ``n`` elements written that way: the two
ways differ only in the tables. ``a`` and ``b`` take up how MEMORY USAGE counts a key and an
element apart from the model (the key's entry, sampled element sizes); they are fitted by
least squares under each way, and the way whose fit leaves the smaller residual is taken
when the difference is ``DECISIVE_Z`` standard errors of the noise or more.

Glossary
    difference      price(n, one_by_one) - price(n, in_batches) of one key.
    residual        what the fit leaves of a key's MEMORY USAGE.
    z               (residual sum of squares in batches - one by one) / its standard error:
                    2 sigma |M d|, with M the residual maker of (1, n), d the differences and
                    sigma the residual standard deviation of the better fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from sizing.live.sampling import KeySample
from sizing.memory.engines import EngineProfile
from sizing.memory.limits import EncodingLimits
from sizing.memory.values import value_structure
from sizing.spec.workload import HashKeyspace, Keyspace, SetKeyspace, Written, ZsetKeyspace

TABLE_ENCODING = {"hash": "hashtable", "set": "hashtable", "zset": "skiplist"}
"""OBJECT ENCODING of a collection held as a table (the only form ``written`` changes)."""
COUNT_FIELD = {"hash": "fields", "set": "members", "zset": "members"}
MAX_FITTED_KEYS = 2_000
"""Keys fitted at most, the first the sample holds (a random sample: SCAN order). At 2,000
keys a one-slot-per-element difference on a tenth of them is hundreds of standard errors."""
TABLE_SHARE = 0.99
"""A count is fitted only where the model holds at least this share of its keys as tables
both ways, so that its price is a table's, as the fitted key's is."""
MIN_DIFFERENCE_SHARE = 0.002
"""Below this mean |difference| per fitted key, as a share of its price, the two ways cost
the same here (0.2%, a tenth of the 2% the model promises): nothing is decided."""
MIN_KEYS = 20
"""Fewer fitted keys than this decide nothing."""
DECISIVE_Z = 4.0
"""Standard errors by which one way must fit better: 4, so that among a few hundred
keyspaces chance decides none (a one-sided tail of 3e-5)."""


class WrittenEvidence(BaseModel):
    """What MEMORY USAGE of the sampled tables says about how they were written."""

    model_config = ConfigDict(frozen=True)

    written: Written | None = Field(description="The way that explains MEMORY USAGE; None: undecided.")
    keys_fitted: int = Field(description="Sampled keys held as tables whose count the model prices as tables.")
    difference_bytes: float = Field(description="Mean |difference| per fitted key between the two ways.")
    residual_bytes: dict[str, float] = Field(description="Root-mean-square residual of each way's fit.")
    z: float = Field(description="Standard errors by which one by one fits better (negative: in batches).")


def written_evidence(keyspace: Keyspace, keys: Sequence[KeySample], profile: EngineProfile,
                     limits: EncodingLimits) -> WrittenEvidence | None:
    """How ``keyspace``'s sampled ``keys`` were written, or None where the way does not
    change what the model prices (strings, lists, engines before 7.2, all-listpack data)."""
    if not profile.write_size_hints or not isinstance(keyspace, (HashKeyspace, SetKeyspace, ZsetKeyspace)):
        return None
    kind = keyspace.type
    tables = [k for k in keys if k.encoding == TABLE_ENCODING[kind] and k.length > 0][:MAX_FITTED_KEYS]
    prices: dict[int, tuple[float, float] | None] = {}
    for n in sorted({k.length for k in tables}):
        exact = keyspace.model_copy(update={COUNT_FIELD[kind]: n})
        priced = [value_structure(exact, profile, limits, arrival) for arrival in ("commands", "one_by_one")]
        held = min(shares.get(TABLE_ENCODING[kind], 0.0) for shares, _ in priced)
        prices[n] = (priced[0][1], priced[1][1]) if held >= TABLE_SHARE else None
    fitted = [(k.length, k.memory_usage_bytes, prices[k.length]) for k in tables if prices[k.length] is not None]
    if not fitted:
        return None
    difference = sum(abs(p[1] - p[0]) for _, _, p in fitted if p) / len(fitted)
    mean_price = sum(p[0] for _, _, p in fitted if p) / len(fitted)
    if difference < MIN_DIFFERENCE_SHARE * mean_price:
        return None
    counts = [float(n) for n, _, _ in fitted]
    batches = _residuals(counts, [usage - p[0] for _, usage, p in fitted if p])
    one_by_one = _residuals(counts, [usage - p[1] for _, usage, p in fitted if p])
    separation = _residuals(counts, [p[1] - p[0] for _, _, p in fitted if p])
    rss = {"in_batches": sum(r * r for r in batches), "one_by_one": sum(r * r for r in one_by_one)}
    degrees = max(1, len(fitted) - 2)
    sigma = math.sqrt(min(rss.values()) / degrees)
    spread = 2 * sigma * math.sqrt(sum(d * d for d in separation))
    z = (rss["in_batches"] - rss["one_by_one"]) / spread if spread > 0 else 0.0
    decided: Written | None = None
    if len(fitted) >= MIN_KEYS and abs(z) >= DECISIVE_Z:
        decided = "one_by_one" if z > 0 else "in_batches"
    return WrittenEvidence(written=decided, keys_fitted=len(fitted), difference_bytes=difference,
                           residual_bytes={way: math.sqrt(value / len(fitted)) for way, value in rss.items()},
                           z=z)


def _residuals(x: Sequence[float], y: Sequence[float]) -> list[float]:
    """What a least-squares line a + b x leaves of y (y itself less its mean where x is constant)."""
    count = len(x)
    mean_x, mean_y = sum(x) / count, sum(y) / count
    sxx = sum((xi - mean_x) ** 2 for xi in x)
    slope = sum((xi - mean_x) * (yi - mean_y) for xi, yi in zip(x, y)) / sxx if sxx > 0 else 0.0
    return [yi - mean_y - slope * (xi - mean_x) for xi, yi in zip(x, y)]
