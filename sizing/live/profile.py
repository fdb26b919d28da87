"""A profile: what a sample of a live server says about its data, as a workload definition.

Sampled keys are grouped by pattern (:mod:`sizing.live.patterns`), then split by type, by
``OBJECT ENCODING`` and by whether they expire, because the model prices each of those
differently and an average across them is wrong for every key (a hash of 100 fields in
a listpack and one of 1,000 in a hashtable do not average to 550 fields in either).

Glossary
    group           keys of one pattern, type, encoding and expiry; one keyspace or two.
    share           a group's fraction of the sampled keys of one server.
    keys            share x DBSIZE, summed over servers, with a 95% interval from the
                    binomial standard error with the finite-population correction.
    per-element     field, member and element sizes are means over every sampled element,
                    weighted by each key's element count (so big keys count fully).
    whole-count split  the file holds whole numbers of fields, members and elements; a
                    group whose mean is fractional becomes two keyspaces, one with the
                    count below and one with the count above, with key counts that keep
                    the mean (``cart:{id}.n3``, ``cart:{id}.n4``).
    dataset_bytes   measured: see :attr:`sizing.live.sampling.ServerSnapshot.dataset_bytes`;
                    predicted: the model's growth of used_memory for the definition.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sizing.errors import ServerError
from sizing.live.patterns import patterns
from sizing.live.sampling import KeySample, ServerSample
from sizing.memory.dataset import per_key_bytes, value_object_bytes
from sizing.memory.engines import engine_profile
from sizing.planning.estimate import dataset_model
from sizing.spec.parameters import EngineParameters
from sizing.spec.distribution import MAX_NUMERIC_DIGITS
from sizing.spec.workload import SUPPORTED_VERSIONS, Cluster, StringKeyspace
from sizing.versions import minor_version

Z_95 = 1.96
"""Two-sided 95% normal quantile, for the key-count intervals."""
SPLIT_ROUNDING_PERCENT = 1.0
"""A mean element count that rounding would move by more than this is split in two."""
COUNT_FIELD = {"hash": "fields", "set": "members", "zset": "members", "list": "elements"}
ITEM_FIELD = {"hash": "field_bytes", "set": "member_bytes", "zset": "member_bytes", "list": "element_bytes"}


class KeyspaceProfile(BaseModel):
    """One keyspace of the produced definition and the evidence for each number."""

    model_config = ConfigDict(frozen=True)

    pattern: str
    definition: dict[str, Any] = Field(description="The keyspace as written to the workload file.")
    sampled_keys: int
    keys_low: int = Field(description="95% interval of the key count, low end.")
    keys_high: int
    exact: bool = Field(description="Every key was inspected: the count is a count, not an estimate.")
    encoding: str = Field(description="OBJECT ENCODING of the sampled keys.")
    ttl_share: float = Field(description="Share of the pattern's sampled keys (all groups) that expire.")
    count_mean: float = Field(description="Mean element count (0 for strings).")
    item_bytes_mean: float
    value_bytes_mean: float
    numeric_share: float = Field(description="Share of sampled values/members/elements that are integers.")
    integer_score_share: float
    memory_usage_bytes: float = Field(description="Mean MEMORY USAGE per sampled key.")
    split_share: float = Field(default=1.0, description="Share of the group's keys in this keyspace (whole-count split).")
    group: str = Field(description="The group's name; the keyspaces of a whole-count split share it.")
    keys_error: float = Field(description="Standard error of the group's key count (0 when exact).")


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
        counts (groups independent; the keyspaces of one group move together)."""
        by_group: dict[str, float] = defaultdict(float)
        for keyspace, predicted in zip(self.keyspaces, self.predicted_keyspace_bytes):
            by_group[keyspace.group] += predicted / keyspace.definition["keys"] * keyspace.split_share
        errors = {k.group: k.keys_error for k in self.keyspaces}
        return round(Z_95 * math.sqrt(sum((per_key * errors[g]) ** 2 for g, per_key in by_group.items())))

    @property
    def measured_dataset_bytes(self) -> int:
        return sum(s.after.dataset_bytes for s in self.servers)

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


def build_profile(url: str, name: str, servers: list[ServerSample], allocator: str) -> Profile:
    """Group the samples of every server into keyspaces and predict their memory."""
    first = servers[0].after
    if not any(s.keys for s in servers):
        raise ServerError(f"{url}: the server holds no keys to profile")
    version, note = model_version(first.engine, first.version)
    every = [k for s in servers for k in s.keys]
    pattern_of = patterns(k.name for k in every)
    key_class, value_class = _size_classes(first.engine, version, allocator)
    groups: dict[_Group, list[list[KeySample]]] = defaultdict(lambda: [[] for _ in servers])
    for index, server in enumerate(servers):
        for key in server.keys:
            value = value_class(key.length) if key.type == "string" and key.encoding != "int" else 0
            groups[(pattern_of[key.name], key.type, key.encoding, key.ttl, key_class(key.key_bytes), value)][index].append(key)
    ttl_by_pattern: dict[str, list[bool]] = defaultdict(list)
    for key in every:
        ttl_by_pattern[pattern_of[key.name]].append(key.ttl)
    names = _group_names(list(groups))
    keyspaces: list[KeyspaceProfile] = []
    for group, per_server in sorted(groups.items(), key=lambda g: -sum(len(s) for s in g[1])):
        ttl_flags = ttl_by_pattern[group[0]]
        keyspaces.extend(_keyspaces(names[group], group[0], per_server, servers, sum(ttl_flags) / len(ttl_flags)))
    parameters = EngineParameters.model_validate({"maxmemory-policy": first.maxmemory_policy}) \
        if first.maxmemory_policy in _POLICIES else EngineParameters()
    cluster = Cluster.model_validate({
        "name": name, "engine": first.engine, "engine_version": version,
        "cluster_mode": "enabled" if first.cluster_enabled else "disabled",
        "parameters": parameters.model_dump(by_alias=True, exclude_none=True),
        "keyspaces": [k.definition for k in keyspaces],
    })
    model = dataset_model(cluster, allocator)
    shards = len(servers)
    per_keyspace = [round(b * shards) for b in model.keyspace_bytes(shards)]
    return Profile(
        url=url, servers=tuple(servers), cluster=cluster, keyspaces=tuple(keyspaces), allocator=allocator,
        sampled_keys=len(every), total_keys=sum(max(s.before.keys, len(s.keys)) for s in servers),
        predicted_dataset_bytes=sum(per_keyspace), predicted_keyspace_bytes=tuple(per_keyspace),
        version_note=note,
    )


_POLICIES = ("volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random",
             "volatile-ttl", "noeviction")


_Group = tuple[str, str, str, bool, int, int]
"""(pattern, type, encoding, expires, bytes the model allocates for the key's name, for a
string's value or 0)."""


def _size_classes(engine: str, version: str, allocator: str) -> tuple[Callable[[int], int], Callable[[int], int]]:
    """Bytes the model allocates per key for a key name, and for a string value, by length.

    Key names and string values of one pattern often vary in length (user names, JSON
    documents). The model prices one length per keyspace, and allocator classes are
    steps, so a mean length priced once is not the mean of the lengths priced one by one:
    names of 5 to 12 letters come out 6% high and values of 50 to 500 bytes 4% high.
    Splitting a pattern's keys by these two costs keeps every keyspace inside one step of
    each, where its mean lengths price exactly. (Collections are not split: the model
    prices their mean size between neighbouring classes already, and splitting them
    gained a quarter of a percent for five times as many keyspaces.)
    """
    profile = engine_profile(engine, version, allocator)
    limits = profile.defaults

    @lru_cache(maxsize=None)
    def key_cost(length: int) -> int:
        keyspace = StringKeyspace(name="k", type="string", keys=1, key_bytes=max(1, length), value_bytes=1)
        return round(per_key_bytes(keyspace, profile, limits))

    @lru_cache(maxsize=None)
    def value_cost(length: int) -> int:
        keyspace = StringKeyspace(name="v", type="string", keys=1, key_bytes=1, value_bytes=max(1, length))
        return round(value_object_bytes(keyspace, profile, limits))

    return key_cost, value_cost


def _group_names(groups: list[_Group]) -> dict[_Group, str]:
    """Keyspace names: the pattern, with what sets a group apart when a pattern has several."""
    by_pattern: dict[str, list[_Group]] = defaultdict(list)
    for group in groups:
        by_pattern[group[0]].append(group)
    names = {}
    for pattern, members in by_pattern.items():
        types = {g[1] for g in members}
        for group in members:
            suffix = ""
            if len(types) > 1:
                suffix += f".{group[1]}"
            if len({g[2] for g in members if g[1] == group[1]}) > 1:
                suffix += f".{group[2]}"
            if len({g[3] for g in members if g[1:3] == group[1:3]}) > 1:
                suffix += ".ttl" if group[3] else ".no-ttl"
            if len({g[4] for g in members if g[1:4] == group[1:4]}) > 1:
                suffix += f".k{group[4]}"  # the bytes a key with a 1-byte value takes: one step
            if len({g[5] for g in members if g[1:5] == group[1:5]}) > 1:
                suffix += f".v{group[5]}"  # the bytes its value takes: one allocation class
            names[group] = pattern + suffix
    return names


def _count(per_server: list[list[KeySample]], servers: list[ServerSample]) -> tuple[float, float, bool]:
    """Estimated keys of a group, its standard error, and whether it is exact."""
    estimate = variance = 0.0
    exact = True
    for members, server in zip(per_server, servers):
        n = len(server.keys)
        if n == 0:
            continue
        population = max(server.before.keys, n)
        share = len(members) / n
        estimate += share * population
        variance += population**2 * share * (1 - share) / n * (1 - n / population)
        exact = exact and n >= population
    return estimate, math.sqrt(variance), exact


def _keyspaces(
    name: str, pattern: str, per_server: list[list[KeySample]], servers: list[ServerSample], ttl_share: float
) -> list[KeyspaceProfile]:
    """One group as one keyspace, or two when its mean element count is fractional."""
    keys = [k for members in per_server for k in members]
    kind, encoding, ttl = keys[0].type, keys[0].encoding, keys[0].ttl
    estimate, error, exact = _count(per_server, servers)
    key_bytes = sum(k.key_bytes for k in keys) / len(keys)
    items = sum(k.items_sampled for k in keys)
    numeric_share = sum(k.numeric_items for k in keys) / items if items else 0.0
    evidence: dict[str, Any] = {
        "pattern": pattern, "group": name, "keys_error": error, "sampled_keys": len(keys), "exact": exact, "encoding": encoding, "ttl_share": ttl_share,
        "keys_low": max(len(keys), math.floor(estimate - Z_95 * error)), "keys_high": math.ceil(estimate + Z_95 * error),
        "numeric_share": numeric_share, "memory_usage_bytes": sum(k.memory_usage_bytes for k in keys) / len(keys),
        "integer_score_share": (sum(k.integer_scores for k in keys) / items) if kind == "zset" and items else 0.0,
    }
    base: dict[str, Any] = {"name": name, "type": kind, "key_bytes": max(1, round(key_bytes))}
    if ttl:
        base["ttl"] = True
    if kind == "string":
        numeric = encoding == "int"
        mean = sum(k.length for k in keys) / len(keys)
        base["value_bytes"] = max(1, round(mean))
        if numeric:
            base["value_bytes"] = min(base["value_bytes"], MAX_NUMERIC_DIGITS)
            base["numeric"] = True
        definition = {**base, "keys": max(1, round(estimate))}
        return [KeyspaceProfile(definition=_ordered(definition), count_mean=0.0, item_bytes_mean=0.0,
                                value_bytes_mean=mean, **evidence)]
    elements = sum(k.length for k in keys)
    count_mean = elements / len(keys)
    weight = [k.length / k.items_sampled if k.items_sampled else 0.0 for k in keys]
    weighted = sum(weight) or 1.0
    item_mean = sum(w * k.item_bytes for w, k in zip(weight, keys)) / weighted
    value_mean = sum(w * k.value_bytes for w, k in zip(weight, keys)) / weighted
    base[ITEM_FIELD[kind]] = max(1, round(item_mean))
    if kind == "hash":
        base["value_bytes"] = max(1, round(value_mean))
    numeric = kind != "zset" and numeric_share == 1.0
    if numeric:
        field = "value_bytes" if kind == "hash" else ITEM_FIELD[kind]
        base[field] = min(base[field], MAX_NUMERIC_DIGITS)
        base["numeric"] = True
    if kind == "zset" and evidence["integer_score_share"] == 1.0:
        base["scores"] = "unix_seconds"
    evidence.update(count_mean=count_mean, item_bytes_mean=item_mean, value_bytes_mean=value_mean)
    low, high = math.floor(count_mean), math.ceil(count_mean)
    rounded = max(1, round(count_mean))
    if low == high or low < 1 or abs(rounded - count_mean) / count_mean * 100 <= SPLIT_ROUNDING_PERCENT:
        definition = {**base, COUNT_FIELD[kind]: rounded, "keys": max(1, round(estimate))}
        return [KeyspaceProfile(definition=_ordered(definition), **evidence)]
    share_high = count_mean - low  # keeps the mean: low x (1 - s) + high x s = mean
    split = []
    for count, share in ((low, 1 - share_high), (high, share_high)):
        definition = {**base, "name": f"{name}.n{count}", COUNT_FIELD[kind]: count,
                      "keys": max(1, round(estimate * share))}
        interval = {"keys_low": math.floor(evidence["keys_low"] * share), "keys_high": math.ceil(evidence["keys_high"] * share)}
        split.append(KeyspaceProfile(definition=_ordered(definition), split_share=share, **{**evidence, **interval}))
    return split


_ORDER = ("name", "type", "keys", "key_bytes", "value_bytes", "fields", "field_bytes", "members", "member_bytes",
          "elements", "element_bytes", "numeric", "scores", "ttl")


def _ordered(definition: dict[str, Any]) -> dict[str, Any]:
    """The keyspace's fields in the order the README writes them."""
    order = list(_ORDER)
    if definition["type"] == "hash":
        order.remove("value_bytes")
        order.insert(order.index("field_bytes") + 1, "value_bytes")
    return {key: definition[key] for key in order if key in definition}

