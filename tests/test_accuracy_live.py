"""Live proof against a real redis-server 7.0 (Debian's, installed by .ci/run).

Every accuracy case, and a subset of the production-shaped cases (one per cause of
error they cover), is loaded into a fresh server on 127.0.0.1 and a free port; the model
(with the allocator the server is detected to use) must be within 2%.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from sizing import load_workload
from sizing.cli import cli
from sizing.live.client import describe
from sizing.live.server import binary_version, started_server
from sizing.live.verification import detect_allocator, verify_cluster, warm_up
from sizing.memory.engines import engine_profile
from sizing.planning.parameter_group import encoding_limits
from tests.conftest import ROOT, cluster, strings

pytestmark = pytest.mark.server
TOLERANCE_PERCENT = 2.0
CASES = load_workload(ROOT / "benchmarks" / "accuracy_cases.yaml").clusters
LIVE_PRODUCTION = (
    "sessions-lognormal",        # log-normal value lengths over allocator classes
    "page-cache-bimodal",        # two kinds of size, a gap between
    "hashes-straddle-512",       # collection counts straddling the listpack limit
    "profiles-bio-field",        # one field's length straddling the listpack value limit
    "carts-sku-fields",          # integer field names
    "counters-shared-integers",  # shared integers decided per value
    "partial-ttl-cluster",       # a TTL on part of the keys, in cluster mode
)
"""The production-shaped cases run live in CI; all of them are recorded on every build
(benchmarks/measurements/production/) and re-checked offline."""
PRODUCTION = [case for case in load_workload(ROOT / "benchmarks" / "production_cases.yaml").clusters
              if case.name in LIVE_PRODUCTION]


@pytest.fixture(scope="module")
def server_allocator(debian_redis_server: str) -> str:
    """The allocator profile of the installed server, detected once."""
    with started_server(debian_redis_server, engine_profile("redis", "7.0").defaults, False) as client:
        warm_up(client)
        return detect_allocator(client)


def _links_system_jemalloc(binary: str) -> bool:
    """Whether the binary loads jemalloc as a shared library (Debian's libjemalloc2) rather than
    having it linked in (a build from the release source bundles deps/jemalloc statically)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        pytest.fail("ldd is not on PATH: cannot tell which jemalloc the server links")
    done = subprocess.run([ldd, os.path.realpath(binary)], capture_output=True, text=True, check=False)
    return "libjemalloc.so" in done.stdout


def test_debian_build_detected(debian_redis_server: str, server_allocator: str) -> None:
    """detect_allocator reports the jemalloc the binary really uses: the system libjemalloc2
    (16-byte quantum) is 'debian', the bundled one (--with-lg-quantum=3) 'upstream'."""
    version = subprocess.run([debian_redis_server, "--version"], capture_output=True, text=True, check=True).stdout
    if "malloc=jemalloc" not in version:  # neither profile describes it
        reason = f"{debian_redis_server} is not a jemalloc build: {version.strip()}"
        if os.environ.get("SIZING_REQUIRE_SERVER"):
            pytest.fail(reason)
        pytest.skip(reason)
    expected = "debian" if _links_system_jemalloc(debian_redis_server) else "upstream"
    assert server_allocator == expected, f"{debian_redis_server}: {version.strip()}"
    if binary_version(debian_redis_server) == "7.0" and os.path.realpath(debian_redis_server).startswith("/usr/bin/"):
        assert expected == "debian"  # Debian's package links the system jemalloc


@pytest.mark.parametrize("case", CASES + PRODUCTION, ids=[c.name for c in CASES + PRODUCTION])
def test_case_within_tolerance(case, debian_redis_server: str, server_allocator: str) -> None:  # type: ignore[no-untyped-def]
    limits = encoding_limits(case, engine_profile("redis", "7.0"))
    with started_server(debian_redis_server, limits, case.cluster_mode_enabled) as client:
        info = describe(client)
        cluster = case.model_copy(update={"engine": info.engine, "engine_version": info.minor_version})
        result = verify_cluster(cluster, client, 1.0, lambda _: None, allocator=server_allocator)
    for measurement in (*result.keyspaces, result.total):
        assert abs(measurement.error_percent) <= TOLERANCE_PERCENT, measurement


def test_verify_command_end_to_end(debian_redis_server: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    stack = tmp_path / "small.yaml"
    stack.write_text(
        "clusters:\n  - name: small\n    engine: redis\n    engine_version: '7.0'\n    keyspaces:\n"
        "      - {name: s, type: string, keys: 200000, key_bytes: 16, value_bytes: 30, ttl: true}\n"
        "      - {name: h, type: hash, keys: 20000, key_bytes: 16, fields: 10, field_bytes: 8, value_bytes: 8}\n"
    )
    result = CliRunner().invoke(cli, ["verify", str(stack), "--sample", "0.25", "--server", debian_redis_server, "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    verification = json.loads(result.output)["clusters"][0]
    assert verification["sample"] == 0.25
    assert [k["keys"] for k in verification["keyspaces"]] == [50_000, 5_000]
    assert abs(verification["total"]["error_percent"]) <= TOLERANCE_PERCENT
    assert verification["full_size_predicted_bytes"] > 3 * verification["total"]["predicted_bytes"]


def test_emitted_parameters_are_accepted_by_a_real_server(debian_redis_server: str) -> None:
    """Every value the program puts in a redis7 parameter group that the engine itself has
    is accepted by CONFIG SET (or, where fixed at start-up, equals what the server runs)."""
    from sizing.live.client import command
    from sizing.planning.plan import plan_cluster, plan_workload
    from sizing_infra import DeploymentOptions
    from sizing_infra.preview import run_preview

    elasticache_only = {"reserved-memory-percent"}  # ElastiCache's own setting, not the engine's
    startup_only = {"cluster-enabled"}  # compared with CONFIG GET on a server started in that mode
    plans = [p for stack in ("social", "checkout")
             for p in plan_workload(load_workload(ROOT / "stacks" / f"{stack}.yaml")) if p.parameter_family == "redis7"]
    plans.append(plan_cluster(cluster(strings(), name="sharded", engine="redis", engine_version="7.1",
                                      cluster_mode="enabled")))
    assert {p.chosen.cluster_mode for p in plans} == {False, True}
    preview = run_preview(plans, DeploymentOptions())
    emitted = {
        plan.chosen.cluster_mode: {p["name"]: p["value"] for p in preview.named(f"{plan.name}-parameters").inputs["parameters"]}
        for plan in plans
    }
    assert emitted
    for cluster_mode, parameters in emitted.items():
        with started_server(debian_redis_server, engine_profile("redis", "7.0").defaults, cluster_mode) as client:
            for name, value in parameters.items():
                if name in elasticache_only:
                    continue
                if name in startup_only:
                    assert client.config_get(name)[name] == value, name
                    continue
                try:
                    command(client, "CONFIG", "SET", name, value)
                except Exception as exc:
                    # Debian's system jemalloc lacks the defrag hint, so this build refuses
                    # activedefrag; upstream builds (and ElastiCache) accept it.
                    if name == "activedefrag" and "cannot be enabled" in str(exc):
                        continue
                    raise AssertionError(f"{name} {value}: {exc}") from exc
                assert client.config_get(name)[name] == value, name

