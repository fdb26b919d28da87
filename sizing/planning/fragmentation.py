"""Fragmentation at the peak of churn: the RSS a node holds beyond its data while keys are
rewritten, as measured on real servers (``benchmarks/churn_peak.py``).

What drives it is the population of value sizes moving, not the rewrites themselves:
jemalloc keeps a slab's page as long as one value in it lives, so when rewrites move
values to other size classes the old slabs stay partly used. Rewrites that keep the
population of sizes (fixed sizes, or new sizes drawn from the same population, or
collection elements replaced) barely fragment at all. And what builds up does not fade
when churn stops: RSS at the end of churn equalled the peak in every run without
activedefrag, and defrag with the plan's settings lowered the peak only on Valkey 8.1.

Model (``benchmarks/churn_peak_fit.py``, fitted on Valkey 8.1.1 and Redis 7.0.15, held out
on five other builds, other spreads and churn amounts; 180 cases):

    peak_ratio = 1 + base[size_class] + engine
                   + moves x shift x pattern x grow[size_class] x (1 - exp(-passes / tau))
                   + PLANNING_MARGIN

Glossary
    passes        rewrites over the keyspace before a restart or before defrag catches
                  up: the share of keys rewritten per hour x ``CHURN_WINDOW_HOURS``.
    sizes         ``unchanged``: a rewrite keeps the population of sizes (moves = 0);
                  ``vary``: each rewrite changes a key's size (shift 1); ``reshaped``:
                  data written at one size and rewritten at others (shift 1.41, faster).
    size_class    the dataset's mean bytes per key: ``small`` below 1 KiB, ``large`` to
                  8 KiB, ``crossing`` above (values around jemalloc's 14 KiB small/large
                  boundary).
    engine        +0.012 where the keyspace is Valkey's hashtable (8.1+); +0.17 for values
                  of 14 KiB and more on builds whose jemalloc pads large allocations
                  (Redis OSS: its deps/Makefile keeps jemalloc's cache-oblivious default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sizing.memory.engines import EngineProfile
from sizing.spec.workload import DEFAULT_CHURN, Cluster

SizeClass = Literal["small", "large", "crossing"]
Sizes = Literal["unchanged", "vary", "reshaped"]

# Coefficients of benchmarks/measurements/churn_peak_fit.json (Nelder-Mead least squares).
BASE = {"small": 0.0144, "large": 0.0118, "crossing": 0.0076}
"""RSS beyond used_memory right after the load, per byte of data: slabs, metadata."""
GROW = {"small": 0.4153, "large": 0.4653, "crossing": 0.1488}
"""What sustained churn that moves sizes adds, at its asymptote."""
TAU_PASSES = {"vary": 2.2097, "reshaped": 0.8386}
"""Passes for the churn term to reach 63% of its asymptote."""
SHIFT = {"vary": 1.0, "reshaped": 1.4081}
"""How far the population of sizes moves: 'vary' is 1 by definition."""
PATTERN_FACTOR = {"write_heavy": 0.9071}
"""write_heavy's short-lived keys of fresh sizes do not move the population; read_heavy
and mixed measured the same (1)."""
HASHTABLE_KEYSPACE = 0.0123
"""Valkey 8.1+ ran 0.01-0.03 above the other builds in every case."""
PADDING = 0.1700
"""Per share of values of 14 KiB or more, on jemalloc builds that pad large allocations."""
LARGE_VALUE_BYTES = 14_336
"""jemalloc's largest small class: a bigger value is a 'large' allocation."""
PLANNING_MARGIN = 0.0955
"""The fit's worst shortfall on the cases it was fitted to (0.096); with it, every one of
the 180 measured cases, the held-out ones included, is covered (churn_peak_fit.py)."""
SMALL_CLASS_BYTES, LARGE_CLASS_BYTES = 1024, 8192
"""Mean bytes per key below which the data is 'small', then 'large', then 'crossing'
(rough: the measured classes were values of 50-200 B, 1-4 KiB and about 14 KiB)."""
CHURN_WINDOW_HOURS = 30 * 24
"""Hours of churn a plan holds for: fragmentation does not fade once churn stops, and a
node runs for weeks between restarts, so a month of the stated rewrite rate."""


@dataclass(frozen=True)
class ChurnShape:
    """How a cluster's data is rewritten, in the model's terms."""

    pattern: str
    passes: float
    sizes: Sizes
    size_class: SizeClass


def size_class(mean_key_bytes: float) -> SizeClass:
    if mean_key_bytes < SMALL_CLASS_BYTES:
        return "small"
    return "large" if mean_key_bytes < LARGE_CLASS_BYTES else "crossing"


def peak_ratio(shape: ChurnShape, hashtable_keyspace: bool, padded_large_values: bool,
               large_value_share: float) -> float:
    """Peak RSS over the dataset during churn, both net of the empty server, with the
    planning margin: what a node must hold per byte of data."""
    churn = 0.0
    if shape.sizes != "unchanged" and shape.pattern != "analytical":
        churn = (SHIFT[shape.sizes] * PATTERN_FACTOR.get(shape.pattern, 1.0) * GROW[shape.size_class]
                 * (1 - math.exp(-shape.passes / TAU_PASSES[shape.sizes])))
    engine = HASHTABLE_KEYSPACE if hashtable_keyspace else 0.0
    if padded_large_values:
        engine += PADDING * large_value_share
    return 1 + BASE[shape.size_class] + engine + churn + PLANNING_MARGIN


class FragmentationBasis(BaseModel):
    """What a plan's fragmentation budget assumes, so the plan can say it."""

    model_config = ConfigDict(frozen=True)

    peak_ratio: float = Field(description="Peak RSS per byte of data during churn, margin included.")
    rewritten_per_hour: float = Field(description="Share of the keys rewritten per hour.")
    sizes: Sizes
    size_class: SizeClass
    stated: bool = Field(description="The stack states the churn (else the write pattern's defaults).")


def fragmentation_basis(cluster: Cluster, profile: EngineProfile, mean_key_bytes: float) -> FragmentationBasis:
    """The peak ratio for a cluster's data: its churn (or the write pattern's defaults), the
    size class of its mean key, and the engine build the profile describes."""
    default_rate, default_sizes = DEFAULT_CHURN[cluster.write_pattern]
    rate = cluster.churn.rewritten_per_hour if cluster.churn.rewritten_per_hour is not None else default_rate
    sizes: Sizes = cluster.churn.sizes or default_sizes  # type: ignore[assignment]
    shape = ChurnShape(cluster.write_pattern, rate * CHURN_WINDOW_HOURS, sizes, size_class(mean_key_bytes))
    large = 1.0 if mean_key_bytes >= LARGE_VALUE_BYTES else 0.0
    ratio = peak_ratio(shape, profile.keyspace_layout == "hashtable", profile.engine == "redis", large)
    stated = cluster.churn.rewritten_per_hour is not None or cluster.churn.sizes is not None
    return FragmentationBasis(peak_ratio=ratio, rewritten_per_hour=rate, sizes=sizes, size_class=shape.size_class,
                              stated=stated)
