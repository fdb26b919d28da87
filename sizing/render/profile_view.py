"""A profile written as a workload file: YAML whose comments say where each number came from.

The text is written line by line rather than dumped, because PyYAML drops comments.
Scalars are safe by construction: names only hold ``[A-Za-z0-9_.:{}-]`` and are
double-quoted (JSON strings are YAML), everything else is a number, a boolean or a word.
``sizing.workloads.load_workload`` reads the result back to the same :class:`Cluster`.
"""

from __future__ import annotations

import json
from typing import Any

from sizing.live.profile import COUNT_FIELD, ITEM_FIELD, KeyspaceProfile, Profile
from sizing.live.sampling import LATENCY_HISTOGRAM_BYTES
from sizing.units import human_bytes

COMMENT_COLUMN = 34


def profile_yaml(profile: Profile, generated_at: str) -> str:
    """The workload file for ``profile``; ``generated_at`` is printed in the header."""
    lines = _header(profile, generated_at)
    cluster = profile.cluster
    servers = profile.servers
    first = servers[0].after
    mode = f"INFO cluster: cluster_enabled:{int(first.cluster_enabled)}"
    if len(servers) > 1:
        mode += f", {len(servers)} primaries"
    version_source = profile.version_note or f"the server runs {first.engine} {first.version}"
    lines += [
        "clusters:",
        _line(f"  - name: {cluster.name}", "rename freely: lowercase letters, digits and '-'"),
        _line(f"    engine: {cluster.engine}", "INFO server"),
        _line(f"    engine_version: \"{cluster.version}\"", version_source),
        _line(f"    cluster_mode: {cluster.cluster_mode}", mode),
    ]
    if cluster.parameters.maxmemory_policy:
        lines += [
            "    parameters:",
            _line(f"      maxmemory-policy: {cluster.parameters.maxmemory_policy}",
                  "INFO memory: it decides whether small integers are shared"),
        ]
    lines.append("    keyspaces:")
    for keyspace, predicted in zip(profile.keyspaces, profile.predicted_keyspace_bytes):
        lines += _keyspace_lines(keyspace, predicted, profile)
    return "\n".join(lines) + "\n"


def _header(profile: Profile, generated_at: str) -> list[str]:
    servers = profile.servers
    first = servers[0].after
    used = sum(s.after.used_memory_bytes for s in servers)
    histograms = sum(s.after.histograms for s in servers)
    share = profile.sampled_keys / profile.total_keys if profile.total_keys else 1.0
    how = "every key was read: counts are exact" if share >= 1.0 else \
        "key counts are extrapolated from the sample, with 95% intervals"
    fragmentation = ", ".join(f"{s.after.fragmentation_ratio:.2f}" for s in servers)
    return [
        f"# Profiled from {profile.url} by `python -m sizing profile` at {generated_at}.",
        f"# Server: {first.engine} {first.version}, {len(servers)} primar{'y' if len(servers) == 1 else 'ies'}, "
        f"{profile.total_keys:,} keys (DBSIZE).",
        f"#   used_memory {human_bytes(used)} ({used:,} bytes), mem_fragmentation_ratio {fragmentation}.",
        f"#   dataset {human_bytes(profile.measured_dataset_bytes)} ({profile.measured_dataset_bytes:,} bytes): "
        "used_memory less used_memory_startup, client,",
        f"#   replication, AOF, script and cluster-link memory and {histograms} latency histograms "
        f"of {LATENCY_HISTOGRAM_BYTES:,} bytes.",
        f"# Sample: {profile.sampled_keys:,} keys read with SCAN ({100 * share:.1f}%); {how}.",
        f"# Model ({profile.allocator} jemalloc): {human_bytes(profile.predicted_dataset_bytes)} "
        f"({profile.predicted_dataset_bytes:,} bytes) for this definition, "
        f"{profile.error_percent:+.2f}% against the dataset"
        + (f" (+-{100 * profile.predicted_margin_bytes / profile.measured_dataset_bytes:.1f}% from sampling, 95%)."
           if profile.predicted_margin_bytes and profile.measured_dataset_bytes > 0 else "."),
    ]


def _line(text: str, comment: str) -> str:
    return f"{text.ljust(COMMENT_COLUMN - 1)} # {comment}" if comment else text


def _scalar(field: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if field == "name":
        return json.dumps(value)
    return str(value)


def _keyspace_lines(keyspace: KeyspaceProfile, predicted_bytes: int, profile: Profile) -> list[str]:
    definition = keyspace.definition
    kind = definition["type"]
    keys = definition["keys"]
    lines = [
        f"      # {keyspace.pattern}: {kind}, OBJECT ENCODING {keyspace.encoding}, {keyspace.sampled_keys:,} keys sampled;"
        f" model {predicted_bytes / keys:,.1f} bytes/key, MEMORY USAGE {keyspace.memory_usage_bytes:,.1f}",
    ]
    comments = _comments(keyspace, profile)
    for index, (field, value) in enumerate(definition.items()):
        prefix = "      - " if index == 0 else "        "
        lines.append(_line(f"{prefix}{field}: {_scalar(field, value)}", comments.get(field, "")))
    return lines


def _comments(keyspace: KeyspaceProfile, profile: Profile) -> dict[str, str]:
    definition = keyspace.definition
    kind = definition["type"]
    if keyspace.exact:
        keys = "every key counted"
    else:
        keys = f"{keyspace.sampled_keys:,} of {profile.sampled_keys:,} sampled x {profile.total_keys:,} keys; " \
               f"95% interval {keyspace.keys_low:,}..{keyspace.keys_high:,}"
    if keyspace.split_share < 1.0:
        keys += f"; {100 * keyspace.split_share:.0f}% of the group"
    comments = {"keys": keys, "key_bytes": "mean key-name length"}
    if kind == "string":
        comments["value_bytes"] = f"mean STRLEN {keyspace.value_bytes_mean:.2f}"
        if definition.get("numeric"):
            comments["numeric"] = "OBJECT ENCODING int: stored as integers"
    else:
        count = COUNT_FIELD[kind]
        command = {"hash": "HLEN", "set": "SCARD", "zset": "ZCARD", "list": "LLEN"}[kind]
        reader = {"hash": "HRANDFIELD", "set": "SRANDMEMBER", "zset": "ZRANDMEMBER", "list": "LRANGE"}[kind]
        if keyspace.split_share < 1.0:
            comments[count] = f"mean {command} {keyspace.count_mean:.2f}: split into whole counts that keep it"
        else:
            comments[count] = f"mean {command} {keyspace.count_mean:.2f}"
        comments[ITEM_FIELD[kind]] = f"mean over elements read with {reader}: {keyspace.item_bytes_mean:.2f}"
        if kind == "hash":
            comments["value_bytes"] = f"mean: {keyspace.value_bytes_mean:.2f}"
        if "numeric" in definition:
            comments["numeric"] = "every sampled value is a decimal integer"
        if kind == "zset" and "scores" in definition:
            comments["scores"] = "every sampled score is a whole number"
    if definition.get("ttl"):
        comments["ttl"] = f"PTTL: {100 * keyspace.ttl_share:.0f}% of the pattern's sampled keys expire"
    return comments
