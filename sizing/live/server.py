"""Real Redis or Valkey servers for measurement: start one on 127.0.0.1, or attach to a URL.

A started server gets a free loopback port, no persistence, a raised ``hz`` so that
incremental rehashing finishes quickly, ``maxmemory`` far above the data (so growth is
never refused) with the cluster's eviction policy (it decides whether small integers are
shared), no slow log (each entry is ~0.3-1.7 kB of used_memory that is not data, and how
many a load leaves depends on how busy the machine is), and the cluster's encoding
parameters. It is stopped when the context exits.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from sizing.errors import ServerError
from sizing.live.client import command
from sizing.memory.limits import EncodingLimits
from sizing.versions import minor_version

MEASUREMENT_HZ = 100
"""Server ticks per second while measuring (default 10): rehashing and Valkey 8's per-slot
table resizing run from the tick, so the data settles in seconds instead of minutes."""
MEASUREMENT_MAXMEMORY = "64gb"
"""Far above any sample, so table growth near the limit is never refused (dictExpandAllowed)."""
POLL_SECONDS = 0.01
"""Pause between checks while waiting for a server to answer, reach cluster_state:ok or exit."""


def default_server_binary() -> str:
    """The first of valkey-server / redis-server on PATH."""
    for candidate in ("valkey-server", "redis-server"):
        found = shutil.which(candidate)
        if found:
            return found
    raise ServerError("no redis-server or valkey-server on PATH; install one or pass --server PATH")


CLUSTER_BUS_OFFSET = 10_000
"""The cluster bus listens on port + 10000, so a cluster node's port must be <= 55535."""


def free_port(cluster_mode: bool = False) -> int:
    """A loopback port nobody listens on (and, in cluster mode, whose bus port is free too)."""
    for _ in range(200):
        if not cluster_mode:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.bind(("127.0.0.1", 0))
                return int(probe.getsockname()[1])
        port = random.randint(20_000, 55_535)
        if _bindable(port) and _bindable(port + CLUSTER_BUS_OFFSET):
            return port
    raise ServerError("no free loopback port found")


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def server_args(limits: EncodingLimits, version: str, cluster_mode: bool, workdir: str) -> list[str]:
    """Command-line configuration for a measurement server of ``version`` (e.g. '7.0')."""
    legacy = version.startswith("6.")
    pack = "ziplist" if legacy else "listpack"
    args = [
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
        "--dir", workdir, "--hz", str(MEASUREMENT_HZ), "--slowlog-log-slower-than", "-1",
        "--maxmemory", MEASUREMENT_MAXMEMORY, "--maxmemory-policy", limits.maxmemory_policy,
        f"--hash-max-{pack}-entries", str(limits.hash_max_listpack_entries),
        f"--hash-max-{pack}-value", str(limits.hash_max_listpack_value),
        f"--zset-max-{pack}-entries", str(limits.zset_max_listpack_entries),
        f"--zset-max-{pack}-value", str(limits.zset_max_listpack_value),
        f"--list-max-{pack}-size", str(limits.list_max_listpack_size),
        "--set-max-intset-entries", str(limits.set_max_intset_entries),
    ]
    if not legacy:
        args += ["--enable-debug-command", "local"]
    if not legacy and version != "7.0":
        args += [
            "--set-max-listpack-entries", str(limits.set_max_listpack_entries),
            "--set-max-listpack-value", str(limits.set_max_listpack_value),
        ]
    if cluster_mode:
        args += ["--cluster-enabled", "yes", "--cluster-config-file", os.path.join(workdir, "nodes.conf")]
    return args


def binary_version(binary: str) -> str:
    """'7.0' for a redis-server/valkey-server binary, from ``--version``."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise ServerError(f"cannot run {binary}: {exc}") from None
    for word in out.split():
        if word.startswith("v="):
            return minor_version(word[2:])
    raise ServerError(f"cannot read the version of {binary}: {out.strip()!r}")


@contextlib.contextmanager
def started_server(binary: str, limits: EncodingLimits, cluster_mode: bool) -> Iterator[redis.Redis]:
    """Start a server on a free loopback port; yield a client; stop it afterwards."""
    version = binary_version(binary)
    with tempfile.TemporaryDirectory(prefix="sizing-verify-") as workdir:
        port = free_port(cluster_mode)
        log_path = os.path.join(workdir, "server.log")
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [binary, "--port", str(port), *server_args(limits, version, cluster_mode, workdir)],
                stdout=log, stderr=subprocess.STDOUT,
            )
        try:
            client = _wait_for(process, port, log_path)
            if cluster_mode:
                _own_all_slots(client, version)
            yield client
        finally:
            # One attempt: the server closing the connection is SHUTDOWN's success, and
            # redis-py's default retries would back off for seconds reconnecting to it.
            with contextlib.suppress(Exception):
                _single_attempt_client(port, socket_timeout=5).shutdown(nosave=True)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _single_attempt_client(port: int, socket_timeout: float) -> redis.Redis:
    """A client that reports a refused or closed connection at once instead of retrying."""
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=socket_timeout, retry=Retry(NoBackoff(), 0))


def _wait_for(process: subprocess.Popen[bytes], port: int, log_path: str) -> redis.Redis:
    """The measuring client, once the server answers PING (checked every POLL_SECONDS)."""
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=60)
    probe = _single_attempt_client(port, socket_timeout=60)  # refused while starting: no backoff
    deadline = time.monotonic() + 15
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                with open(log_path) as log:
                    tail = log.read()[-600:]
                raise ServerError(f"server exited at start (code {process.returncode}): {tail.strip()}")
            try:
                probe.ping()
            except redis.ConnectionError:
                time.sleep(POLL_SECONDS)
                continue
            client.ping()
            return client
    finally:
        probe.close()
    process.kill()
    raise ServerError("server did not answer within 15 s")


def _own_all_slots(client: redis.Redis, version: str) -> None:
    """Make a single cluster-mode node own every slot, as the measurement assumes."""
    if version.startswith("6."):
        for start in range(0, 16_384, 1024):
            command(client, "CLUSTER", "ADDSLOTS", *range(start, start + 1024))
    else:
        command(client, "CLUSTER", "ADDSLOTSRANGE", 0, 16_383)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        info = command(client, "CLUSTER", "INFO")
        text = info.decode() if isinstance(info, bytes) else str(info)
        if "cluster_state:ok" in text:
            return
        time.sleep(POLL_SECONDS)  # a new master turns ok 2 s after its first state update (CLUSTER_WRITABLE_DELAY)
    raise ServerError("single-node cluster did not reach cluster_state:ok")
