"""Fragmentation at the peak of churn: the RSS a node holds beyond its data while keys are
rewritten, as measured on real servers (``benchmarks/churn_peak.py``).

What drives it is the population of value sizes moving, not the rewrites themselves:
jemalloc keeps a slab's pages as long as one value in them lives, so when rewrites move
values to other size classes the classes they leave keep their slabs
(``sizing/planning/slabs.py`` works out what they keep from the keyspaces' own value
lengths). Rewrites that keep the population of sizes (fixed sizes, new sizes drawn from the
same population, collection elements replaced) barely fragment at all. Values loaded at
one size and rewritten at many strand most of that size's slabs; values loaded with a
spread strand only what the spread moves beyond. And what builds up does not fade when
churn stops: RSS at the end of churn equalled the peak in every run without activedefrag.

Model (``benchmarks/churn_peak_model.py`` prints it against every recorded case):

    peak_ratio = 1 + base[size_class] + engine + stranded / dataset + PLANNING_MARGIN

Glossary
    passes        rewrites over the keyspace before a restart or before defrag catches
                  up: the share of keys rewritten per hour x ``CHURN_WINDOW_HOURS``, at
                  most ``SATURATION_PASSES``, after which the measured peak stopped growing.
    sizes         ``unchanged``: a rewrite keeps the population of sizes; ``vary``: each
                  rewrite multiplies a value's size by a factor uniform in 1 -+ the
                  churn's ``size_change_percent`` (default 50%); ``reshaped``: each rewrite
                  draws a new size from that spread around the mean, whatever the data was
                  loaded with.
    stranded      what the value slabs hold at the peak beyond the values loaded
                  (``slabs.stranded_bytes``): string values only, since a collection key
                  is rebuilt from the same population of elements.
    size_class    the dataset's mean bytes per key: ``small`` below 1 KiB, ``large`` to
                  8 KiB, ``crossing`` above; it decides ``base``.
    engine        +0.012 where the keyspace is Valkey's hashtable (8.1+); +0.17 per share
                  of values of 16 KiB and more on builds whose jemalloc pads large
                  allocations (Redis OSS: its deps/Makefile keeps jemalloc's
                  cache-oblivious default).
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sizing.memory.dataset import EMBSTR_LIMIT_BYTES, OBJECT_HEADER_BYTES, DatasetModel
from sizing.memory.distribution import distribution
from sizing.memory.encodings import sds8_bytes, sds_bytes
from sizing.memory.engines import EngineProfile
from sizing.memory.items import items
from sizing.memory.memo import Memo, forgotten_on_clear, shape_key
from sizing.planning.slabs import (
    SMALL_MAX_BYTES,
    Population,
    ValueKeyspace,
    bin_lengths,
    factor_kernel,
    population,
    stranded_bytes,
    uniform_population,
)
from sizing.spec.workload import DEFAULT_CHURN, Cluster, StringKeyspace

SizeClass = Literal["small", "large", "crossing"]
Sizes = Literal["unchanged", "vary", "reshaped"]

# Measured without churn (benchmarks/measurements/churn_peak_model.json, the cases of fixed
# sizes and of 'fresh' resizing, which keep the population).
BASE = {"small": 0.0144, "large": 0.0118, "crossing": 0.0076}
"""RSS beyond used_memory right after the load, per byte of data: slabs, metadata."""
HASHTABLE_KEYSPACE = 0.0123
"""Valkey 8.1+ ran 0.01-0.03 above the other builds in every case."""
PADDING = 0.1700
"""Per share of value bytes in page runs, on jemalloc builds that pad large allocations."""
PLANNING_MARGIN = 0.0700
"""The model's worst shortfall on the recorded churn-peak cases, rounded up: with it, every
measured peak is covered (``benchmarks/churn_peak_model.py`` prints each case's error)."""
SMALL_CLASS_BYTES, LARGE_CLASS_BYTES = 1024, 8192
"""Mean bytes per key below which the data is 'small', then 'large', then 'crossing'
(rough: the measured classes were values of 50-200 B, 1-4 KiB and about 14 KiB)."""
CHURN_WINDOW_HOURS = 30 * 24
"""Hours of churn a plan holds for: fragmentation does not fade once churn stops, and a
node runs for weeks between restarts, so a month of the stated rate."""
SATURATION_PASSES = 5.1
"""Passes after which the model stops adding: the high-water arithmetic keeps adding the
classes a random walk of sizes reaches, but jemalloc refills the oldest slab with room
first, so a class that keeps some traffic empties its younger slabs in time. Run for a
month of mixed churn (14.4 passes; ``benchmarks/measurements/capacity/month``) on Valkey
8.0, Redis 7.0 and Valkey 9.1, values loaded at 60-180 B peaked at 1.32-1.36x the data and
values loaded at 400 B at 1.66-1.75x, against budgets at 5.1 passes of 1.45-1.54x and
2.18-2.26x; on Debian's build the model at 5.1 passes matched every string capacity check
within 0.01 (``benchmarks/churn_peak_model.py``)."""
LOAD_POINTS = 48
"""Points of a keyspace's value lengths the slab arithmetic starts from."""


def size_class(mean_key_bytes: float) -> SizeClass:
    if mean_key_bytes < SMALL_CLASS_BYTES:
        return "small"
    return "large" if mean_key_bytes < LARGE_CLASS_BYTES else "crossing"


def peak_ratio(data_class: SizeClass, stranded_ratio: float, hashtable_keyspace: bool, padded_large_values: bool,
               large_value_share: float) -> float:
    """Peak RSS over the dataset during churn, both net of the empty server, with the
    planning margin: what a node must hold per byte of data."""
    engine = HASHTABLE_KEYSPACE if hashtable_keyspace else 0.0
    if padded_large_values:
        engine += PADDING * large_value_share
    return 1 + BASE[data_class] + engine + stranded_ratio + PLANNING_MARGIN


def value_allocation_bytes(length: int, profile: EngineProfile) -> int:
    """Bytes a string value of ``length`` occupies as allocated: an embstr object up to 44
    bytes, else its own SDS (the object header beside it does not change class)."""
    if length <= EMBSTR_LIMIT_BYTES:
        return profile.allocator.class_bytes(OBJECT_HEADER_BYTES + sds8_bytes(length))
    return profile.allocator.class_bytes(sds_bytes(length, profile.sds_rule))


def string_values(cluster: Cluster, dataset: DatasetModel, profile: EngineProfile) -> list[ValueKeyspace]:
    """The cluster's text string values, as the slab arithmetic takes them."""
    result = []
    for ks, keys in zip(cluster.keyspaces, dataset.keys):
        if not isinstance(ks, StringKeyspace):
            continue
        # A cluster's variants (recommendations) and a fleet's clusters repeat value shapes.
        value = _VALUES_MEMO.get((shape_key(ks, _VALUE_FIELDS), keys, shape_key(profile)),
                                 partial(_value_keyspace, ks, keys, profile))
        if value is not None:
            result.append(value)
    return result


_VALUE_FIELDS = frozenset({"value_bytes", "numeric"})
_VALUES_MEMO: Memo[ValueKeyspace | None] = Memo()


def _value_keyspace(ks: StringKeyspace, keys: int, profile: EngineProfile) -> ValueKeyspace | None:
    """A string keyspace's text values as the slab arithmetic takes them (None: no text)."""
    text = items(ks.value_bytes, ks.numeric)
    if text.text is None or text.numeric_share >= 1:
        return None
    lengths = distribution(ks.value_bytes).coarser(LOAD_POINTS)
    mean = lengths.mean()
    points = [(value, weight) for value, weight, _, _ in lengths.points]
    load = population(points, mean)
    return ValueKeyspace(keys * (1 - text.numeric_share), load, _classes(mean, load, profile))


@lru_cache(maxsize=4096)
def _classes(mean: float, load: Population, profile: EngineProfile) -> tuple[int, ...]:
    """Allocated bytes per grid bin (a fleet repeats value shapes)."""
    return tuple(value_allocation_bytes(n, profile) for n in bin_lengths(mean, load))


def large_value_share(values: list[ValueKeyspace]) -> float:
    """Share of the value bytes in page runs (above jemalloc's largest small class)."""
    total = large = 0.0
    for ks in values:
        for w, allocated in zip(ks.load.weights, ks.classes):
            total += w * ks.keys * allocated
            large += w * ks.keys * allocated if allocated > SMALL_MAX_BYTES else 0.0
    return large / total if total else 0.0


class FragmentationBasis(BaseModel):
    """What a plan's fragmentation budget assumes, so the plan can say it."""

    model_config = ConfigDict(frozen=True)

    peak_ratio: float = Field(description="Peak RSS per byte of data during churn, margin included.")
    rewritten_per_hour: float = Field(description="Share of the keys rewritten per hour.")
    sizes: Sizes
    size_class: SizeClass
    stated: bool = Field(description="The stack states the churn (else the write pattern's defaults).")
    passes: float = Field(default=0.0, description="Rewrites per key the budget counts (the window, at most "
                                                   "SATURATION_PASSES).")
    stranded_ratio: float = Field(default=0.0, description="Of the peak ratio: what value slabs keep as sizes move.")


def churn_of(cluster: Cluster) -> tuple[float, Sizes, bool]:
    """(share of keys rewritten per hour, sizes, stated): the cluster's churn or its write
    pattern's defaults."""
    default_rate, default_sizes = DEFAULT_CHURN[cluster.write_pattern]
    rate = cluster.churn.rewritten_per_hour if cluster.churn.rewritten_per_hour is not None else default_rate
    sizes: Sizes = cluster.churn.sizes or default_sizes  # type: ignore[assignment]
    stated = cluster.churn.rewritten_per_hour is not None or cluster.churn.sizes is not None
    return rate, sizes, stated


def peak_ratio_at(cluster: Cluster, profile: EngineProfile, dataset: DatasetModel, passes: float) -> float:
    """The peak ratio after ``passes`` rewrites over the keys (the capacity check runs fewer
    than a plan's window)."""
    return _peak(cluster, profile, dataset, passes)[0]


def _peak(cluster: Cluster, profile: EngineProfile, dataset: DatasetModel,
          passes: float) -> tuple[float, float, SizeClass]:
    """(peak ratio, stranded ratio, size class of the data) after ``passes``."""
    _, sizes, _ = churn_of(cluster)
    data_bytes = dataset.shard_bytes()
    values = string_values(cluster, dataset, profile)
    change = cluster.churn.size_change_percent / 100
    factors = (1 - change, 1 + change)
    stranded = _stranded(tuple(values), sizes, passes, factors) / data_bytes if data_bytes else 0.0
    data_class = size_class(data_bytes / max(1, sum(dataset.keys)))
    padded = profile.engine == "redis"
    return peak_ratio(data_class, stranded, profile.keyspace_layout == "hashtable", padded,
                      _large_value_share(tuple(values)) if padded else 0.0), stranded, data_class


@forgotten_on_clear
@lru_cache(maxsize=4096)
def _large_value_share(values: tuple[ValueKeyspace, ...]) -> float:
    """``large_value_share`` once per string-value population, as ``_stranded``."""
    return large_value_share(list(values))


@forgotten_on_clear
@lru_cache(maxsize=4096)
def _stranded(values: tuple[ValueKeyspace, ...], sizes: Sizes, passes: float, factors: tuple[float, float]) -> float:
    """``stranded_bytes`` once per string-value population and churn: a cluster's modes and the
    variants behind its recommendations share them (only the data they are a share of differs)."""
    return stranded_bytes(values, sizes, passes, factor_kernel(*factors), uniform_population(*factors))


def fragmentation_basis(cluster: Cluster, profile: EngineProfile, dataset: DatasetModel) -> FragmentationBasis:
    """The peak ratio for a cluster's data: its churn (or the write pattern's defaults) over
    ``CHURN_WINDOW_HOURS``, its keyspaces' value lengths, and the engine build."""
    rate, sizes, stated = churn_of(cluster)
    passes = min(rate * CHURN_WINDOW_HOURS, SATURATION_PASSES)
    ratio, stranded, data_class = _peak(cluster, profile, dataset, passes)
    return FragmentationBasis(peak_ratio=ratio, passes=round(passes, 4), stranded_ratio=round(stranded, 4),
                              rewritten_per_hour=rate, sizes=sizes, size_class=data_class, stated=stated)
