"""A profile written as a workload file, YAML whose comments say where each number came
from, and the summary ``profile`` prints beside it.

The text is written line by line rather than dumped, because PyYAML drops comments.
Scalars are safe by construction: names only hold ``[A-Za-z0-9_.:{}-]`` and are
double-quoted (JSON strings are YAML), everything else is a number, a boolean, a word or
a flow mapping of those (quantiles, ``{share, digits}``); shares are written in fixed
point (PyYAML reads ``1e-05`` as a string). ``sizing.workloads.load_workload`` reads the
result back to the same :class:`Cluster`.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from sizing.live.profile import (
    COUNT_FIELD,
    ITEM_FIELD,
    LENGTH_COMMAND,
    READ_COMMAND,
    KeyspaceProfile,
    Observed,
    Profile,
)
from sizing.live.sampling import LATENCY_HISTOGRAM_BYTES
from sizing.live.written import DECISIVE_Z
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
    used = sum(s.before.used_memory_bytes for s in servers)
    histograms = sum(s.before.histograms for s in servers)
    share = profile.sampled_keys / profile.total_keys if profile.total_keys else 1.0
    how = "every key was read: counts are exact" if share >= 1.0 else \
        "key counts are extrapolated from the sample, with 95% intervals"
    fragmentation = ", ".join(f"{s.before.fragmentation_ratio:.2f}" for s in servers)
    measured, after = profile.measured_dataset_bytes, profile.dataset_after_reads_bytes
    moved = [(f"#   After the profile's reads: dataset {human_bytes(after)} ({after:,} bytes); reads finish the "
             "rehashing"), "#   that writes leave half-done in nested tables, which frees their old bucket arrays."] \
        if measured > 0 and abs(after - measured) > 0.001 * measured else []
    return [
        f"# Profiled from {profile.url} by `python -m sizing profile` at {generated_at}.",
        (f"# Server: {first.engine} {first.version}, {len(servers)} primar{'y' if len(servers) == 1 else 'ies'}, "
        f"{profile.total_keys:,} keys (DBSIZE)."),
        f"#   used_memory {human_bytes(used)} ({used:,} bytes), mem_fragmentation_ratio {fragmentation}.",
        (f"#   dataset {human_bytes(measured)} ({measured:,} bytes) before the profile read any key: used_memory "
        "less"),
        f"#   used_memory_startup, client, replication, AOF, script and cluster-link memory and {histograms} latency",
        f"#   histograms of {LATENCY_HISTOGRAM_BYTES:,} bytes.",
        *moved,
        f"# Sample: {profile.sampled_keys:,} keys read with SCAN ({100 * share:.1f}%); {how}.",
        "# Sizes and counts are quantiles of the sample {min, p1, p5, p10, ..., p99, p99_9, max}, or a",
        "#   histogram where quantiles would misstate it (a gap, a tail, a share across an encoding limit),",
        "#   or one number where every sampled value is the same; shares are of the sampled keys or elements.",
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
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if value else "0.0"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{name}: {_scalar(name, item)}" for name, item in value.items()) + "}"
    if isinstance(value, list):  # a histogram's buckets
        return "[" + ", ".join(_scalar(field, item) for item in value) + "]"
    if field == "name":
        return json.dumps(value)
    return str(value)


def _encodings(keyspace: KeyspaceProfile) -> str:
    """'listpack' or 'listpack 97%, hashtable 3%'."""
    if len(keyspace.encodings) == 1:
        return keyspace.encoding
    return ", ".join(f"{name} {_percent(share)}" for name, share in keyspace.encodings.items())


def _percent(share: float) -> str:
    """A share in percent, never rounded to 0% or 100% when it is neither."""
    text = f"{100 * share:.1f}%"
    if text == "0.0%" and share > 0:
        return "<0.1%"
    if text == "100.0%" and share < 1:
        return ">99.9%"
    return text


def _keyspace_lines(keyspace: KeyspaceProfile, predicted_bytes: int, profile: Profile) -> list[str]:
    definition = keyspace.definition
    kind = definition["type"]
    keys = definition["keys"]
    lines = [
        (f"      # {keyspace.pattern}: {kind}, OBJECT ENCODING {_encodings(keyspace)}, "
        f"{keyspace.sampled_keys:,} keys sampled; model {predicted_bytes / keys:,.1f} bytes/key, "
        f"MEMORY USAGE {keyspace.memory_usage_bytes:,.1f}"),
    ]
    evidence = keyspace.written
    if evidence is not None and "written" not in definition:
        lines[0] += (f"; MEMORY USAGE of {evidence.keys_fitted:,} tables fits batch writes by {-evidence.z:,.1f} "
                     "standard errors" if evidence.written == "in_batches" else
                     f"; MEMORY USAGE of {evidence.keys_fitted:,} tables does not tell how they were written "
                     f"(z {evidence.z:+.2f}, under {DECISIVE_Z:g})")
    comments = _comments(keyspace, profile)
    for index, (field, value) in enumerate(definition.items()):
        prefix = "      - " if index == 0 else "        "
        lines.append(_line(f"{prefix}{field}: {_scalar(field, value)}", comments.get(field, "")))
    return lines


def _spread(observed: Observed | None, what: str, exact: bool) -> str:
    """'HLEN of 4,000 keys, mean 8.4' or 'all 4,000 key names read'."""
    if observed is None:
        return what
    if exact:
        return f"{what}: all {observed.samples:,} the same"
    return f"{what} ({observed.samples:,}): mean {observed.mean:,.1f}"


def _comments(keyspace: KeyspaceProfile, profile: Profile) -> dict[str, str]:
    definition = keyspace.definition
    observed = keyspace.observed
    kind = definition["type"]
    if keyspace.exact:
        keys = "every key counted"
    else:
        keys = f"{keyspace.sampled_keys:,} of {profile.sampled_keys:,} sampled x {profile.total_keys:,} keys; " \
               f"95% interval {keyspace.keys_low:,}..{keyspace.keys_high:,}"
    comments = {"keys": keys}

    def spread(field: str, what: str) -> None:
        comments[field] = _spread(observed.get(field), what, isinstance(definition.get(field), int))

    spread("key_bytes", "key-name lengths")
    numeric = definition.get("numeric")
    if kind == "string":
        spread("value_bytes", "digits (STRLEN) of the integers" if numeric is True else
               "STRLEN of the text values" if numeric else "STRLEN")
        if numeric is not None:
            comments["numeric"] = _numeric("OBJECT ENCODING int", keyspace.numeric_share, observed.get("digits"),
                                           "values")
    else:
        reader, weighting = READ_COMMAND[kind], f"weighted by {LENGTH_COMMAND[kind]} / read"
        spread(COUNT_FIELD[kind], f"{LENGTH_COMMAND[kind]}")
        item = ITEM_FIELD[kind]
        noun = {"hash": "field names", "set": "members", "zset": "members", "list": "elements"}[kind]
        length_of = "digits" if (definition.get("numeric_fields") if kind == "hash" else numeric) is True else "lengths"
        spread(item, f"{length_of} of the {noun} read with {reader}, {weighting}")
        if kind == "hash":
            spread("value_bytes", f"{'digits' if numeric is True else 'lengths'} of their values")
            if keyspace.long_value_share is not None and numeric is not True:
                read, encoded = keyspace.long_value_share
                comments["value_bytes"] += (f"; past the listpack value limit {_percent(read)} read, "
                                            f"{_percent(encoded)} as the keys' OBJECT ENCODING says (written)")
            if "numeric_fields" in definition:
                comments["numeric_fields"] = _numeric("decimal integers", keyspace.numeric_fields_share,
                                                      observed.get("field_digits"), "field names read")
        if numeric is not None:
            comments["numeric"] = _numeric("decimal integers", keyspace.numeric_share, observed.get("digits"),
                                           "values read" if kind == "hash" else f"{noun} read")
        if kind == "zset":
            comments["scores"] = _scores(keyspace)
    if "ttl" in definition:
        comments["ttl"] = f"PTTL: {_percent(keyspace.ttl_share)} of the {keyspace.sampled_keys:,} sampled keys expire"
    if "written" in definition and keyspace.written is not None:
        evidence = keyspace.written
        comments["written"] = (
            f"MEMORY USAGE of {evidence.keys_fitted:,} tables fits one element per command "
            f"(rms {evidence.residual_bytes['one_by_one']:,.0f} B) better than batches "
            f"({evidence.residual_bytes['in_batches']:,.0f} B) by {evidence.z:,.0f} standard errors")
    return comments


def _numeric(how: str, share: float, digits: Observed | None, what: str) -> str:
    text = f"{how}: {_percent(share)} of the {what}"
    if digits is not None:
        text += f"; digits ({digits.samples:,}): mean {digits.mean:,.1f}"
    return text


def _scores(keyspace: KeyspaceProfile) -> str:
    kind = keyspace.definition["scores"]
    read = keyspace.scores_read
    low, high = keyspace.score_range or (0.0, 0.0)
    if kind == "floats":
        return f"{_percent(keyspace.integer_score_share)} of {read:,} scores read are integers " \
               f"({low:,.6g}..{high:,.6g})"
    where = {"small_integers": "in 0..4095", "unix_seconds": "within int32",
             "unix_millis": "beyond int32"}[kind]
    return f"all {read:,} scores read are integers {where} ({low:,.0f}..{high:,.0f})"


# --- the summary printed beside the file ---------------------------------------------------

def _p50_max(value: Any) -> str:
    """'8' for an exact size, '8/30' (p50/max) for quantiles, '<=8/30' for a histogram
    (the bound of the bucket that holds the median)."""
    if isinstance(value, dict) and "histogram" in value:
        buckets, cumulative = value["histogram"], 0.0
        for bucket in buckets:
            cumulative += bucket["share"]
            if cumulative >= 0.5:
                return f"<={bucket['up_to']:,}/{buckets[-1]['up_to']:,}"
    if isinstance(value, dict):
        return f"{value['p50']:,}/{value['max']:,}"
    return f"{value:,}" if isinstance(value, int) else ""


def _share(value: Any) -> str:
    if value is True:
        return "all"
    if isinstance(value, dict):
        value = value["share"]
    if isinstance(value, float):
        return _percent(value)
    return ""


def profile_summary(profile: Profile, max_ops_per_sec: float, out: Console, written_to: str | None) -> None:
    """The keyspaces a profile found, the model against the server, and the load it put on it."""
    cluster = profile.cluster
    table = Table(title=f"{cluster.name}: {cluster.engine} {cluster.version}, "
                  f"{'cluster mode' if cluster.cluster_mode_enabled else 'cluster mode disabled'}, "
                  f"{profile.sampled_keys:,} of {profile.total_keys:,} keys sampled", title_justify="left")
    columns = ("keyspace", "type", "encoding", "keys", "95% interval", "count p50/max", "bytes p50/max", "ttl",
               "numeric", "model B/key", "MEMORY USAGE B/key", "model")
    for column in columns:
        table.add_column(column, justify="left" if column in ("keyspace", "type", "encoding") else "right",
                         overflow="fold")
    for keyspace, predicted in zip(profile.keyspaces, profile.predicted_keyspace_bytes):
        definition = keyspace.definition
        kind = definition["type"]
        keys = definition["keys"]
        interval = "exact" if keyspace.exact else f"{keyspace.keys_low:,}..{keyspace.keys_high:,}"
        count = _p50_max(definition.get(COUNT_FIELD.get(kind, "")))
        if kind == "hash":
            sizes = f"{_p50_max(definition['field_bytes'])} + {_p50_max(definition['value_bytes'])}"
        else:
            sizes = _p50_max(definition["value_bytes" if kind == "string" else ITEM_FIELD[kind]])
        numeric = _share(definition.get("numeric", False))
        if kind == "zset":
            numeric = ", ".join(part for part in (numeric, definition["scores"]) if part)
        table.add_row(definition["name"], kind, _encodings(keyspace), f"{keys:,}", interval, count, sizes,
                      _share(definition.get("ttl", False)), numeric, f"{predicted / keys:,.1f}",
                      f"{keyspace.memory_usage_bytes:,.1f}", human_bytes(predicted))
    out.print(table)
    measured = profile.measured_dataset_bytes
    margin = profile.predicted_margin_bytes
    sampling = f" +- {100 * margin / measured:.1f}% from sampling (95%)" if margin and measured > 0 else ""
    out.print(f"dataset: model {human_bytes(profile.predicted_dataset_bytes)} ({profile.predicted_dataset_bytes:,} B) "
              f"vs server {human_bytes(measured)} ({measured:,} B): {profile.error_percent:+.2f}%{sampling} "
              f"[dim](server: used_memory before the profile's reads, less startup, clients, replication, scripts and "
              f"latency histograms; "
              f"model: {profile.allocator} jemalloc)[/dim]")
    if profile.version_note:
        out.print(f"[yellow]note: {profile.version_note}[/yellow]")
    if measured > 0 and profile.measured_dataset_bytes - profile.predicted_dataset_bytes > 2 * margin + 0.02 * measured:
        out.print("[yellow]note: the server holds much more than the sampled keys explain: a few large keys may have "
                  "been missed or under-counted by the sample; a larger --sample reads more of them[/yellow]")
    elapsed = profile.elapsed_seconds
    out.print(f"load: {profile.commands_sent:,} commands in {elapsed:.1f} s "
              f"({profile.commands_sent / elapsed if elapsed else 0:,.0f} ops/s, limit {max_ops_per_sec:,.0f}); "
              f"server CPU {profile.server_cpu_seconds:.2f} s and {profile.server_commands:,} commands in that time "
              f"(all clients)")
    if written_to:
        out.print(f"wrote {written_to}")
