"""What ``estimate`` prints: predicted memory per cluster and keyspace, as tables or JSON.

Apart from the other views so that ``estimate --json`` loads neither rich nor the planner.
"""

from __future__ import annotations

from typing import Any

from sizing.memory.dataset import ClusterMemory
from sizing.units import human_bytes


def estimate_json(clusters: list[ClusterMemory]) -> dict[str, Any]:
    """The ``estimate --json`` contract; extra fields may be added, none removed."""
    return {
        "clusters": [
            {
                "name": c.name,
                "engine": c.engine,
                "engine_version": c.engine_version,
                "cluster_mode": c.cluster_mode,
                "allocator": c.allocator,
                "dataset_bytes": c.dataset_bytes,
                "restored_dataset_bytes": c.restored_dataset_bytes,
                "keyspaces": [
                    {"name": k.name, "type": k.type, "encoding": k.encoding, "keys": k.keys,
                     "bytes": k.bytes, "restored_bytes": k.restored_bytes}
                    for k in c.keyspaces
                ],
            }
            for c in clusters
        ]
    }


def estimate_tables(clusters: list[ClusterMemory]) -> None:
    from rich.table import Table  # only the tables need rich: ``--json`` does without it

    from sizing.render.console import console

    for c in clusters:
        mode = "cluster mode" if c.cluster_mode else "cluster mode disabled"
        table = Table(title=f"{c.name}: {c.engine} {c.engine_version}, {mode}", title_justify="left")
        for column in ("keyspace", "type", "encoding", "keys", "bytes/key", "memory", "after restore"):
            table.add_column(column, justify="left" if column in ("keyspace", "type", "encoding") else "right",
                             overflow="fold")
        for k in c.keyspaces:
            restored = "same" if k.restored_bytes == k.bytes else human_bytes(k.restored_bytes)
            table.add_row(k.name, k.type, k.encoding, f"{k.keys:,}", f"{k.bytes_per_key:,.1f}",
                          human_bytes(k.bytes), restored)
        restored_total = "same" if c.restored_dataset_bytes == c.dataset_bytes else human_bytes(c.restored_dataset_bytes)
        table.add_row("total", "", "", f"{sum(k.keys for k in c.keyspaces):,}", "",
                      human_bytes(c.dataset_bytes), restored_total, style="bold")
        console().print(table)
    console().print(f"[dim]Allocator: {clusters[0].allocator}. 'memory' is used_memory growth on one node "
                  "for data written by commands.[/dim]")
