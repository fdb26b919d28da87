"""Talking to a running server: raw commands and what the server says it is.

Shared by everything that reads a live server (sampling, verification, the measurement
benchmarks), so none of them needs the local test-server harness in ``server.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from sizing.versions import minor_version


@dataclass(frozen=True)
class ServerInfo:
    """What a running server says about itself."""

    engine: str
    version: str
    allocator: str

    @property
    def minor_version(self) -> str:
        return minor_version(self.version)


def command(client: redis.Redis, *args: str | int) -> Any:
    """A raw command (redis-py leaves ``execute_command`` untyped)."""
    return client.execute_command(*args)  # type: ignore[no-untyped-call]


def engine_and_version(server_section: dict[str, Any]) -> tuple[str, str]:
    """('valkey', '8.1.1') from ``INFO server``: Valkey reports valkey_version beside redis_version."""
    if "valkey_version" in server_section:
        return "valkey", str(server_section["valkey_version"])
    return "redis", str(server_section["redis_version"])


def describe(client: redis.Redis) -> ServerInfo:
    """Engine, version and allocator a server reports."""
    engine, version = engine_and_version(client.info("server"))
    return ServerInfo(engine, version, str(client.info("memory").get("mem_allocator", "")))
