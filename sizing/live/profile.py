"""A profile: what a sample of a live server says about its data, as a workload definition.

Sampled keys are grouped by pattern (:mod:`sizing.live.patterns`) and type: one keyspace
each (``.string``, ``.hash``, ... only where a pattern holds several types). Each keyspace
describes its data as the sample found it, and leaves the rest to the memory model, which
integrates over distributions (``sizing.memory.distribution``): which encoding a
collection gets from its longest element and its count, and the allocator classes over
the lengths. So keys are not split by encoding, expiry, element count or size class.

What each keyspace says
    keys            share x DBSIZE, summed over servers, with a 95% interval (binomial
                    standard error with the finite-population correction) in the
                    evidence. The point estimate is written, not ``{low, high}``: the
                    groups' shares add up to one, so their errors cancel in the total
                    (DBSIZE, known exactly), and the high end of every interval at once
                    would plan for more keys than the server holds.
    sizes, counts   quantiles of the sample, ``{min, p1, p5, p10, p25, p50, p75, p90, p95,
                    p99, p99_9, max}`` (a plain number where every sampled value is equal; a
                    histogram where the quantiles misstate the sample: ``described``): key-name
                    lengths and string values (STRLEN) per key; element counts (HLEN,
                    SCARD, ZCARD, LLEN) per key; field, value, member and element lengths
                    over the sampled elements of every key, each key's elements weighted
                    by its count / elements read from it, so big keys count fully.
    ttl             the share of the sampled keys that expire (true: all).
    numeric         the share of values, elements or members that are decimal integers
                    (true: all, with the length field counting their digits); for part of
                    them ``{share, digits}``, the digits as quantiles and the length field
                    describing the text ones. ``numeric_fields`` the same for hash fields.
    scores          ``floats`` unless every sampled score is an integer; then
                    ``small_integers`` (0..4095), ``unix_seconds`` (int32) or
                    ``unix_millis`` (wider).
    written         ``one_by_one`` where the sampled tables' MEMORY USAGE is explained by
                    tables grown one element at a time and not by tables pre-sized by a
                    command's count (``sizing.live.written``); otherwise left out.

Glossary
    group           keys of one pattern and type: one keyspace.
    share           a group's fraction of the sampled keys of one server.
    dataset_bytes   measured: see :attr:`sizing.live.sampling.ServerSnapshot.dataset_bytes`;
                    predicted: the model's growth of used_memory for the definition.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sizing.catalog.server_memory import startup_bytes_left_out
from sizing.errors import ServerError
from sizing.live.long_values import long_value_share, read_long_share, reweighted
from sizing.live.patterns import patterns
from sizing.live.sampling import KeySample, ServerSample
from sizing.live.written import WrittenEvidence, written_evidence
from sizing.memory.distribution import LENGTH_BREAKS, distribution
from sizing.memory.engines import engine_profile
from sizing.memory.limits import COMPILED_DEFAULTS, EncodingLimits
from sizing.planning.estimate import dataset_model
from sizing.planning.parameter_group import encoding_limits
from sizing.spec.distribution import MAX_NUMERIC_DIGITS, Quantiles
from sizing.spec.parameters import EngineParameters
from sizing.spec.workload import SUPPORTED_VERSIONS, Cluster
from sizing.versions import minor_version

Z_95 = 1.96
"""Two-sided 95% normal quantile, for the key-count intervals."""
QUANTILE_MEAN_TOLERANCE = 0.01
"""Largest gap between the mean the written quantiles imply and the sample's own before a
histogram is written instead: 1%, half the accuracy the model promises."""
QUANTILE_SHARE_TOLERANCE = 0.005
"""Largest gap between the share of items below a length that the written quantiles imply
and the sample's: half a point. Where 64 bytes (the hash listpack's value limit) falls
between p90 and p95, quantiles put 1.3 points too many values above it in the
production-shaped ``profiles-bio-field``, and with 12 fields that is 4% more bytes."""
COST_STEPS = tuple(sorted({*LENGTH_BREAKS, *(getattr(COMPILED_DEFAULTS, name) for name in (
    "hash_max_listpack_entries", "hash_max_listpack_value", "zset_max_listpack_entries", "zset_max_listpack_value",
    "set_max_intset_entries", "set_max_listpack_entries", "set_max_listpack_value")), *(2**k for k in range(2, 32))}))
"""Lengths and counts at which what an item or a collection costs steps: SDS headers and
listpack entry forms (``LENGTH_BREAKS``), the default encoding limits, table doublings."""
HISTOGRAM_BOUND_RATIO = 2**0.25
"""Growth of a written histogram's bucket bounds: four buckets per doubling, as fine as
jemalloc's size classes, so evenly spread values within one cost what the data does."""
HISTOGRAM_MEAN_TOLERANCE = 0.01
"""How far a bucket's values may lean from its middle (as a share of their mean)."""
QUANTILES = (("p1", 0.01), ("p5", 0.05), ("p10", 0.10), ("p25", 0.25), ("p50", 0.50), ("p75", 0.75),
             ("p90", 0.90), ("p95", 0.95), ("p99", 0.99), ("p99_9", 0.999))
"""The points written between ``min`` and ``max``."""
SHARE_DECIMALS = 4
"""Shares are written to 0.01%; one that is neither none nor all stays inside 0.0001..0.9999."""
COUNT_FIELD = {"hash": "fields", "set": "members", "zset": "members", "list": "elements"}
ITEM_FIELD = {"hash": "field_bytes", "set": "member_bytes", "zset": "member_bytes", "list": "element_bytes"}
LENGTH_COMMAND = {"hash": "HLEN", "set": "SCARD", "zset": "ZCARD", "list": "LLEN"}
READ_COMMAND = {"hash": "HRANDFIELD", "set": "SRANDMEMBER", "zset": "ZRANDMEMBER", "list": "LRANGE"}
NAME_BYTES = 65_536
STRING_BYTES = 512 * 1024 * 1024
MAX_COUNT = 2**32 - 1
"""The largest values the workload format takes (``sizing.spec.workload``)."""
SMALL_INTEGER_SCORES = (0, 4095)
INT32 = (-(2**31), 2**31 - 1)

Weighted = list[tuple[int, float]]
"""(value, weight) pairs."""


class Observed(BaseModel):
    """What one written size or count was computed from."""

    model_config = ConfigDict(frozen=True)

    samples: int = Field(description="Values read (keys, or elements over all keys).")
    weighted: bool = Field(description="Elements weighted by their key's count / elements read from it.")
    mean: float
    p50: int
    max: int


class KeyspaceProfile(BaseModel):
    """One keyspace of the produced definition and the evidence for each number."""

    model_config = ConfigDict(frozen=True)

    pattern: str
    definition: dict[str, Any] = Field(description="The keyspace as written to the workload file.")
    sampled_keys: int
    keys_low: int = Field(description="95% interval of the key count, low end.")
    keys_high: int
    keys_error: float = Field(description="Standard error of the key count (0 when exact).")
    exact: bool = Field(description="Every key was inspected: the count is a count, not an estimate.")
    encoding: str = Field(description="OBJECT ENCODING of most sampled keys.")
    encodings: dict[str, float] = Field(description="Each OBJECT ENCODING seen, with its share of the sampled keys.")
    ttl_share: float = Field(description="Share of the sampled keys that expire.")
    memory_usage_bytes: float = Field(description="Mean MEMORY USAGE per sampled key.")
    observed: dict[str, Observed] = Field(
        description="Written field -> what it came from; 'digits' and 'field_digits': the integers' digit counts.")
    numeric_share: float = Field(description="Share of the values, members or elements that are integers (weighted).")
    numeric_fields_share: float = Field(default=0.0, description="Hashes: share of the field names that are integers.")
    long_value_share: tuple[float, float] | None = Field(
        default=None, description="Hashes: the share of values read past hash-max-listpack-value, and the share "
                                  "the sampled keys' encodings say, which the written lengths carry (long_values).")
    scores_read: int = Field(default=0, description="Zsets: scores read with ZRANDMEMBER.")
    integer_score_share: float = 0.0
    score_range: tuple[float, float] | None = Field(default=None, description="Zsets: smallest and largest score read.")
    written: WrittenEvidence | None = Field(
        default=None, description="What MEMORY USAGE of the sampled tables says of how they were written.")


class Profile(BaseModel):
    """Everything ``profile`` found, and the definition it produced."""

    model_config = ConfigDict(frozen=True)

    url: str
    servers: tuple[ServerSample, ...]
    cluster: Cluster
    keyspaces: tuple[KeyspaceProfile, ...]
    allocator: str
    sampled_keys: int
    total_keys: int
    predicted_dataset_bytes: int
    predicted_keyspace_bytes: tuple[int, ...]
    version_note: str = Field(description="How the server's version maps to a version the model has.")

    @property
    def predicted_margin_bytes(self) -> int:
        """Half-width of the 95% interval of the prediction that comes from sampling the key
        counts (keyspaces taken as independent)."""
        return round(Z_95 * math.sqrt(sum(
            (predicted / keyspace.definition["keys"] * keyspace.keys_error) ** 2
            for keyspace, predicted in zip(self.keyspaces, self.predicted_keyspace_bytes))))

    @property
    def measured_dataset_bytes(self) -> int:
        """The servers' dataset when the profile began, before its reads touched the keys.

        Reads advance the incremental rehashing that writes leave half-done in hash, set
        and zset tables (every lookup moves a bucket), and a finished rehash frees the old
        bucket array: on sets and zsets just past their listpack limits, reading every key
        freed 4-6% of the dataset. The model predicts the data as written. Start-up memory
        that used_memory_startup leaves out (Valkey 9.1 in cluster mode) is not the dataset.
        """
        return sum(s.before.dataset_bytes - _startup_left_out(s) for s in self.servers)

    @property
    def dataset_after_reads_bytes(self) -> int:
        """The servers' dataset once the profile had read its sample."""
        return sum(s.after.dataset_bytes - _startup_left_out(s) for s in self.servers)

    @property
    def error_percent(self) -> float:
        measured = self.measured_dataset_bytes
        return 100.0 * (self.predicted_dataset_bytes - measured) / measured if measured > 0 else 0.0

    @property
    def commands_sent(self) -> int:
        return sum(s.commands_sent for s in self.servers)

    @property
    def elapsed_seconds(self) -> float:
        return sum(s.elapsed_seconds for s in self.servers)

    @property
    def server_cpu_seconds(self) -> float:
        return sum(s.after.cpu_seconds - s.before.cpu_seconds for s in self.servers)

    @property
    def server_commands(self) -> int:
        return sum(s.after.commands_processed - s.before.commands_processed for s in self.servers)


def model_version(engine: str, version: str) -> tuple[str, str]:
    """The ElastiCache version the model uses for a server version, and a note if it differs."""
    minor = minor_version(version)
    supported = SUPPORTED_VERSIONS[engine]
    if minor in supported:
        return minor, ""

    def key(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split(".") if p.isdigit())
    older = [v for v in supported if key(v) <= key(minor)]
    chosen = older[-1] if older else supported[0]
    return chosen, f"the server runs {engine} {version}; modelled as {chosen}, the nearest version ElastiCache runs"


def build_profile(url: str, name: str, servers: list[ServerSample], allocator: str,
                  sample_keys: int | None = None) -> Profile:
    """Group the samples of every server into keyspaces and predict their memory;
    ``sample_keys``: the sample asked for, which tells a read of every key from a part."""
    first = servers[0].after
    if not any(s.keys for s in servers):
        raise ServerError(f"{url}: the server holds no keys to profile")
    version, note = model_version(first.engine, first.version)
    every = [k for s in servers for k in s.keys]
    pattern_of = patterns(k.name for k in every)
    groups: dict[tuple[str, str], list[list[KeySample]]] = defaultdict(lambda: [[] for _ in servers])
    for index, server in enumerate(servers):
        for key in server.keys:
            groups[(pattern_of[key.name], key.type)][index].append(key)
    whole = read_whole(servers, sample_keys)
    types: dict[str, set[str]] = defaultdict(set)
    for pattern, kind in groups:
        types[pattern].add(kind)
    ordered = sorted(groups.items(), key=lambda g: (-sum(len(s) for s in g[1]), g[0]))
    keyspaces = [
        _keyspace(pattern + (f".{kind}" if len(types[pattern]) > 1 else ""), pattern, per_server, servers, whole,
                  engine_profile(first.engine, version).defaults)
        for (pattern, kind), per_server in ordered
    ]
    parameters = EngineParameters.model_validate({"maxmemory-policy": first.maxmemory_policy}) \
        if first.maxmemory_policy in _POLICIES else EngineParameters()
    described_cluster = {
        "name": name, "engine": first.engine, "engine_version": version,
        "cluster_mode": "enabled" if first.cluster_enabled else "disabled",
        "parameters": parameters.model_dump(by_alias=True, exclude_none=True),
    }
    cluster = Cluster.model_validate({**described_cluster, "keyspaces": [k.definition for k in keyspaces]})
    keyspaces = _with_written(cluster, keyspaces, [[k for s in per_server for k in s] for _, per_server in ordered],
                              allocator)
    cluster = Cluster.model_validate({**described_cluster, "keyspaces": [k.definition for k in keyspaces]})
    model = dataset_model(cluster, allocator)
    shards = len(servers)
    per_keyspace = [round(b * shards) for b in model.keyspace_bytes(shards)]
    return Profile(
        url=url, servers=tuple(servers), cluster=cluster, keyspaces=tuple(keyspaces), allocator=allocator,
        sampled_keys=len(every), total_keys=sum(max(s.before.keys, len(s.keys)) for s in servers),
        predicted_dataset_bytes=sum(per_keyspace), predicted_keyspace_bytes=tuple(per_keyspace),
        version_note=note,
    )


def _with_written(cluster: Cluster, keyspaces: list[KeyspaceProfile], keys: list[list[KeySample]],
                  allocator: str) -> list[KeyspaceProfile]:
    """The keyspaces with ``written`` where their sampled MEMORY USAGE tells the way
    (``sizing.live.written``); the evidence is kept either way."""
    profile = engine_profile(cluster.engine, cluster.version, allocator)
    limits = encoding_limits(cluster, profile)
    result = []
    for keyspace, described, sampled in zip(keyspaces, cluster.keyspaces, keys):
        evidence = written_evidence(described, sampled, profile, limits)
        definition = keyspace.definition
        if evidence is not None and evidence.written == "one_by_one":
            definition = _ordered({**definition, "written": "one_by_one"})
        result.append(keyspace.model_copy(update={"definition": definition, "written": evidence}))
    return result


_POLICIES = ("volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random",
             "volatile-ttl", "noeviction")


def present_keys(server: ServerSample, complete: bool) -> float:
    """Keys present on a server while it was read. Where SCAN went through every key
    (``complete``), the keys inspected are all there are: SCAN skips a key whose expiry has
    passed, and one gone by its inspection is gone. Otherwise DBSIZE when the read began,
    less the share of the keys SCAN returned that were gone when inspected (expired or
    deleted since; a type the model does not know is left out the same way). Without this,
    keys that expired during the read were counted in DBSIZE and priced as the keys that
    stayed.

    On a read of part of the keys, DBSIZE still counts keys whose expiry has passed but that
    the server has not reclaimed yet (at most about 10% of those with an expiry, at the
    default active-expire effort)."""
    inspected = len(server.keys)
    if complete or server.scanned_keys == 0:
        return float(inspected) if complete else float(max(server.before.keys, inspected))
    return max(float(inspected), server.before.keys * inspected / server.scanned_keys)


def read_whole(servers: Sequence[ServerSample], sample_keys: int | None) -> list[bool]:
    """Per server, whether SCAN went through all its keys: its share of ``sample_keys``
    (shared by DBSIZE, as ``sampling.sample_servers`` does) was all of them, or it returned
    fewer keys than that share, or at least DBSIZE. Without ``sample_keys``, only the last
    is known."""
    total = sum(server.before.keys for server in servers)
    whole = []
    for server in servers:
        share = math.ceil(sample_keys * server.before.keys / total) if sample_keys and total else None
        asked_all = share is not None and share >= server.before.keys  # then SCAN ran to its end
        short = share is not None and server.scanned_keys < share * WHOLE_READ_MARGIN
        whole.append(server.scanned_keys >= server.before.keys or asked_all or short)
    return whole


WHOLE_READ_MARGIN = 0.99
"""A read that returned under 99% of its share of the sample ran out of keys: DBSIZE moves a
little between the share being set and the read, and a partial read returns its share exactly."""


EXPIRY_WITHIN_READ_SHARE = 0.05
"""Share of the keys with an expiry gone between SCAN and their inspection above which their
TTLs are taken to be as short as the read itself, so any of them may be gone by its end.
Below it, TTLs are long against the read (an hour's TTL over a 12 s read loses 0.3%)."""


def expiring_share(servers: Sequence[ServerSample]) -> float:
    """Share of the keys with an expiry that were read alive but may be gone when the read
    ends. Those gone before their inspection were SCANned at its start and inspected
    throughout it, so as many again are expected to go between inspection and its end:
    twice the observed odds, as a margin; all of them once expiry is on the read's own
    time scale (``EXPIRY_WITHIN_READ_SHARE``)."""
    gone = sum(server.scanned_keys - len(server.keys) for server in servers)
    read = sum(key.ttl for server in servers for key in server.keys)
    if gone == 0:
        return 0.0
    share = gone / (gone + read)
    return 1.0 if share >= EXPIRY_WITHIN_READ_SHARE else min(1.0, 2 * share / (1 - share))


def _count(per_server: list[list[KeySample]], servers: list[ServerSample],
           whole: list[bool]) -> tuple[float, float, bool]:
    """Estimated keys of a group, its standard error, and whether it is exact."""
    estimate = variance = 0.0
    exact = True
    for members, server, complete in zip(per_server, servers, whole):
        n = len(server.keys)
        if n == 0:
            continue
        population = present_keys(server, complete)
        share = len(members) / n
        estimate += share * population
        variance += population**2 * share * (1 - share) / n * (1 - n / population)
        exact = exact and n >= population
    return estimate, math.sqrt(variance), exact


def quantiles(values: Sequence[tuple[int, float]], high: int) -> int | dict[str, int]:
    """``{min, p1, ..., p99_9, max}`` of weighted integers, each within 1..high; a plain
    number when every value is the same.

    A point is the smallest value whose cumulative weight reaches its share (the lower
    quantile of the sample), so each written value is one that was read.
    """
    ordered = sorted((min(high, max(1, value)), weight) for value, weight in values if weight > 0)
    if not ordered:
        raise ValueError("no values")
    if ordered[0][0] == ordered[-1][0]:
        return ordered[0][0]
    total = sum(weight for _, weight in ordered)
    result = {"min": ordered[0][0]}
    cumulative, index = 0.0, -1
    for name, share in QUANTILES:
        target = share * total * (1 - 1e-12)
        while cumulative < target and index + 1 < len(ordered):
            index += 1
            cumulative += ordered[index][1]
        result[name] = ordered[max(index, 0)][0]
    result["max"] = ordered[-1][0]
    return result


def described(values: Sequence[tuple[int, float]], high: int) -> int | dict[str, Any]:
    """Weighted integers as the file writes them: their quantiles, or, where those misstate
    the sample (a gap, as in sizes of two kinds, which quantiles fill with a log-linear
    spread), a histogram with empty buckets where nothing was read.

    The quantiles are kept while the mean they imply is within ``QUANTILE_MEAN_TOLERANCE``
    of the sample's and the share they put at or below each of ``COST_STEPS`` within
    ``QUANTILE_SHARE_TOLERANCE`` of the sample's, as for smooth shapes whose limits fall
    near a written point (tests/test_profile.py).
    """
    written = quantiles(values, high)
    if isinstance(written, int):
        return written
    clipped = sorted((min(high, max(1, value)), weight) for value, weight in values if weight > 0)
    total = sum(w for _, w in clipped)
    mean = sum(v * w for v, w in clipped) / total
    implied = distribution(Quantiles.model_validate(written))
    if abs(implied.mean() - mean) > QUANTILE_MEAN_TOLERANCE * mean:
        return histogram(clipped)
    # The share at or below each length where a cost steps: an encoding limit, an SDS
    # header or a table doubling.
    lengths = [value for value, _ in clipped]
    at_or_below = list(itertools.accumulate(weight / total for _, weight in clipped))
    for step in COST_STEPS:
        if clipped[0][0] <= step < clipped[-1][0]:
            sample = at_or_below[bisect.bisect_right(lengths, step) - 1] if step >= lengths[0] else 0.0
            if abs(implied.cdf(step) - sample) > QUANTILE_SHARE_TOLERANCE:
                return histogram(clipped)
    return written


def histogram(values: Sequence[tuple[int, float]]) -> dict[str, Any]:
    """``{histogram: [...]}`` of weighted integers: the values are binned by bounds that grow
    by ``HISTOGRAM_BOUND_RATIO``, each bin becomes a bucket from its smallest value to its
    largest, and an empty bucket (share 0) fills the range before it where nothing was read,
    so sizes of two kinds keep the gap between them. The model spreads a bucket's values
    evenly, so a bin whose values lean to one side (mean off its bucket's middle by more
    than ``HISTOGRAM_MEAN_TOLERANCE``: 9 in 10 at 15 and the rest at 14) is split in two
    until they do not."""
    ordered = sorted(values)
    total = sum(weight for _, weight in ordered)
    buckets: list[list[float]] = []
    index = 0
    while index < len(ordered):
        low = ordered[index][0]
        bound = max(low, math.floor(low * HISTOGRAM_BOUND_RATIO) - 1)
        step = bisect.bisect_left(COST_STEPS, low)  # a bin never straddles a step
        if step < len(COST_STEPS):
            bound = min(bound, COST_STEPS[step])
        end = index
        while end < len(ordered) and ordered[end][0] <= bound:
            end += 1
        for first, last, weight in _even_bins(ordered[index:end]):
            if first - 1 > (buckets[-1][0] if buckets else 0):
                buckets.append([first - 1, 0.0])  # nothing was read between the last bucket and this one
            buckets.append([last, weight / total])
        index = end
    rounded = [[int(up_to), float(f"{share:.4g}")] for up_to, share in buckets]
    largest = max(rounded, key=lambda bucket: bucket[1])
    largest[1] = round(largest[1] + 1 - sum(share for _, share in rounded), 6)  # shares sum to 1
    return {"histogram": [{"up_to": up_to, "share": share} for up_to, share in rounded]}


def _even_bins(values: Sequence[tuple[int, float]]) -> list[tuple[int, int, float]]:
    """(smallest, largest, weight) of sorted values, split at the middle until each part's
    mean is within ``HISTOGRAM_MEAN_TOLERANCE`` of its range's middle."""
    low, high = values[0][0], values[-1][0]
    weight = sum(w for _, w in values)
    mean = sum(v * w for v, w in values) / weight
    if low == high or abs(mean - (low + high) / 2) <= HISTOGRAM_MEAN_TOLERANCE * mean:
        return [(low, high, weight)]
    middle = (low + high) / 2
    split = next(i for i, (value, _) in enumerate(values) if value > middle)
    return _even_bins(values[:split]) + _even_bins(values[split:])


def _observed(values: Sequence[tuple[int, float]], weighted: bool, high: int) -> Observed:
    total = sum(w for _, w in values)
    clipped = [(min(high, max(1, v)), w) for v, w in values]
    written = quantiles(clipped, high)
    p50 = written if isinstance(written, int) else written["p50"]
    return Observed(samples=len(values), weighted=weighted, mean=sum(v * w for v, w in clipped) / total,
                    p50=p50, max=max(v for v, _ in clipped))


def written_share(share: float) -> bool | float:
    """A share as the file writes it: true for all, false for none, else 0.0001..0.9999."""
    if share >= 1:
        return True
    if share <= 0:
        return False
    step = 10.0**-SHARE_DECIMALS
    return min(1 - step, max(step, round(share, SHARE_DECIMALS)))


class _Fields:
    """The fields one length and its integer flag write, with the evidence."""

    def __init__(self) -> None:
        self.definition: dict[str, Any] = {}
        self.observed: dict[str, Observed] = {}

    def items(self, length_field: str, numeric_field: str, digits_name: str, high: int,
              read: Iterable[tuple[int, int, float]], weighted: bool) -> float:
        """Describe items read as (length, digits or 0, weight); return the integer share."""
        text: Weighted = []
        digits: Weighted = []
        for length, digit_count, weight in read:
            if digit_count:
                digits.append((min(MAX_NUMERIC_DIGITS, digit_count), weight))
            else:
                text.append((length, weight))
        integer_weight = sum(w for _, w in digits)
        total = integer_weight + sum(w for _, w in text)
        if total <= 0:  # nothing read (the key emptied meanwhile): one byte, as small as it gets
            self.definition[length_field] = 1
            return 0.0
        share = integer_weight / total
        numeric = written_share(share)
        if numeric is True:
            self.definition[length_field] = described(digits, MAX_NUMERIC_DIGITS)
            self.observed[length_field] = _observed(digits, weighted, MAX_NUMERIC_DIGITS)
            self.definition[numeric_field] = True
            return share
        self.definition[length_field] = described(text, high)
        self.observed[length_field] = _observed(text, weighted, high)
        if numeric is not False:
            self.definition[numeric_field] = {"share": numeric, "digits": described(digits, MAX_NUMERIC_DIGITS)}
            self.observed[digits_name] = _observed(digits, weighted, MAX_NUMERIC_DIGITS)
        return share


def _keyspace(name: str, pattern: str, per_server: list[list[KeySample]], servers: list[ServerSample],
              whole: list[bool], limits: EncodingLimits) -> KeyspaceProfile:
    """One group (a pattern's keys of one type) as one keyspace; ``limits``: the server's
    encoding limits (its compiled defaults: ElastiCache lets no command read them)."""
    keys = [k for members in per_server for k in members]
    kind = keys[0].type
    estimate, error, exact = _count(per_server, servers, whole)
    fields = _Fields()
    fields.definition.update(name=name, type=kind, keys=max(1, round(estimate)),
                             key_bytes=described([(k.key_bytes, 1.0) for k in keys], NAME_BYTES))
    fields.observed["key_bytes"] = _observed([(k.key_bytes, 1.0) for k in keys], False, NAME_BYTES)
    ttl_share = sum(k.ttl for k in keys) / len(keys)
    ttl = written_share(ttl_share)
    if ttl is not False:
        fields.definition["ttl"] = ttl
    encodings = Counter(k.encoding for k in keys)
    # Keys with an expiry that were read may be gone by the end of the read, as others were
    # gone before it: the low end of the interval leaves them out.
    may_go = ttl_share * expiring_share(servers)
    evidence: dict[str, Any] = {
        "pattern": pattern, "sampled_keys": len(keys), "exact": exact and may_go == 0, "keys_error": error,
        "keys_low": max(math.floor(len(keys) * (1 - may_go)), math.floor(estimate * (1 - may_go) - Z_95 * error)),
        "keys_high": math.ceil(estimate + Z_95 * error),
        "encoding": encodings.most_common(1)[0][0],
        "encodings": {e: n / len(keys) for e, n in encodings.most_common()},
        "ttl_share": ttl_share, "memory_usage_bytes": sum(k.memory_usage_bytes for k in keys) / len(keys),
    }
    if kind == "string":
        share = fields.items("value_bytes", "numeric", "digits", STRING_BYTES,
                             ((k.length, k.length if k.integer else 0, 1.0) for k in keys), False)
        return KeyspaceProfile(definition=_ordered(fields.definition), observed=fields.observed,
                               numeric_share=share, **evidence)
    fields.definition[COUNT_FIELD[kind]] = described([(k.length, 1.0) for k in keys], MAX_COUNT)
    fields.observed[COUNT_FIELD[kind]] = _observed([(k.length, 1.0) for k in keys], False, MAX_COUNT)
    read = [k for k in keys if k.items_sampled]
    weights = [k.length / k.items_sampled for k in read]
    item_high = STRING_BYTES if kind == "list" else NAME_BYTES
    if kind == "hash":
        names = [(n, d, w) for k, w in zip(read, weights) for n, d in zip(k.item_bytes, k.item_digits)]
        fields_share = fields.items("field_bytes", "numeric_fields", "field_digits", NAME_BYTES, names, True)
        values = [(n, d, w) for k, w in zip(read, weights) for n, d in zip(k.value_bytes, k.value_digits)]
        value_limit = limits.hash_max_listpack_value
        named = sum(w for _, _, w in names)
        field_fits = sum(w for n, d, w in names if d or n <= value_limit) / named if named else 1.0
        long_share = long_value_share(keys, field_fits, limits)
        if long_share is not None:
            evidence["long_value_share"] = (read_long_share(values, value_limit), long_share)
            values = reweighted(values, long_share, value_limit)
        share = fields.items("value_bytes", "numeric", "digits", STRING_BYTES, values, True)
        evidence["numeric_fields_share"] = fields_share
    else:
        share = fields.items(
            ITEM_FIELD[kind], "numeric", "digits", item_high,
            ((n, d, w) for k, w in zip(read, weights) for n, d in zip(k.item_bytes, k.item_digits)), True)
    if kind == "zset":
        scores = [s for k in read for s in k.scores]
        integers = [s for s in scores if math.isfinite(s) and s.is_integer()]
        fields.definition["scores"] = score_kind(scores)
        evidence.update(scores_read=len(scores), integer_score_share=len(integers) / len(scores) if scores else 0.0,
                        score_range=(min(scores), max(scores)) if scores else None)
    return KeyspaceProfile(definition=_ordered(fields.definition), observed=fields.observed, numeric_share=share,
                           **evidence)


def score_kind(scores: Sequence[float]) -> str:
    """How the file names the sampled scores: ``floats`` unless all are integers; then the
    narrowest integer kind that holds them all."""
    if not scores or not all(math.isfinite(s) and s.is_integer() for s in scores):
        return "floats"
    low, high = min(scores), max(scores)
    if SMALL_INTEGER_SCORES[0] <= low and high <= SMALL_INTEGER_SCORES[1]:
        return "small_integers"
    if INT32[0] <= low and high <= INT32[1]:
        return "unix_seconds"
    return "unix_millis"


_ORDER = ("name", "type", "keys", "key_bytes", "value_bytes", "fields", "field_bytes", "numeric_fields", "members",
          "member_bytes", "elements", "element_bytes", "numeric", "scores", "ttl", "written")


def _ordered(definition: dict[str, Any]) -> dict[str, Any]:
    """The keyspace's fields in the order the README writes them (a hash's value after its fields)."""
    order = list(_ORDER)
    if definition["type"] == "hash":
        order.remove("value_bytes")
        order.insert(order.index("numeric_fields") + 1, "value_bytes")
    return {key: definition[key] for key in order if key in definition}


UNREPORTED_STARTUP_BYTES = {("redis", "6.2"): 41_512}
"""Memory a fresh server holds beyond used_memory_startup, its clients and histograms, by
release: a Redis 6.2.16 node holds 41,512-41,520 bytes more before any key is written,
standalone and in cluster mode alike, allocated after ``InitServerLast`` records the
start-up figure; not a client's (it stays the same as more connect). 7.0 to 9.1 hold none
(measured on every build of the README's "Which build the model assumes"). Counted as data,
it put 6.2's smallest production-shaped case (3.1 MB) 1.3% low."""


def _startup_left_out(sample: ServerSample) -> int:
    snapshot = sample.before
    release = minor_version(snapshot.version)
    return (startup_bytes_left_out(snapshot.engine, release, snapshot.cluster_enabled)
            + UNREPORTED_STARTUP_BYTES.get((snapshot.engine, release), 0))
