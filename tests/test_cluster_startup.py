"""Start-up memory that INFO's used_memory_startup leaves out, by engine version and mode."""

from __future__ import annotations

from sizing.catalog.server_memory import SLOT_SIZE_INDEX_BYTES, startup_bytes_left_out


def test_valkey_91_cluster_mode_leaves_out_the_slot_size_index() -> None:
    # Two binary indexed trees (main and expires kvstore) of 16,385 8-byte counters.
    assert SLOT_SIZE_INDEX_BYTES == 262_160
    assert startup_bytes_left_out("valkey", "9.1", True) == SLOT_SIZE_INDEX_BYTES


def test_earlier_versions_and_standalone_report_all_of_it() -> None:
    for engine, release in (("redis", "6.2"), ("redis", "7.0"), ("valkey", "7.2"), ("valkey", "8.0"), ("valkey", "8.1")):
        assert startup_bytes_left_out(engine, release, True) == 0
    assert startup_bytes_left_out("valkey", "9.1", False) == 0
