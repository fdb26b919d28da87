"""Inputs that used to be misread: every error of a stack or config file at once, at its line;
a plan of a fleet with a cluster nothing can carry; signed cost deltas; and a profile of a
server whose keys expire while it is read."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sizing import WorkloadSpecError, parse_workload
from sizing.errors import ConfigError
from sizing.live.profile import build_profile
from sizing.live.sampling import sample_servers
from sizing.live.server import started_server
from sizing.memory.engines import engine_profile
from sizing.planning.plan import plan_workload
from sizing.render.plan_view import cost_delta
from sizing.spec.deployment import stack_config_from_file
from sizing.spec.messages import MAX_REPORTED_ERRORS, WorkloadSpecErrors
from tests.conftest import ROOT

SEVERAL = """\
clusters:
  - name: Sessions
    keyspaces:
      - {name: s, type: string, keys: 0, key_bytes: 32, valu_bytes: 500}
      - {name: t, type: string, keys: {low: 0, high: -1}, key_bytes: 32, value_bytes: 5}
      - {name: u, type: string, keys: 5, key_bytes: 32, value_bytes: 5, numeric: {share: 2, digits: 40}}
    traffic: {read_ratio: 2}
  - name: b
    keyspaces: []
"""


def test_every_error_of_a_stack_file_is_reported_in_file_order() -> None:
    with pytest.raises(WorkloadSpecErrors) as caught:
        parse_workload(SEVERAL, "stacks/x.yaml")
    assert str(caught.value).splitlines() == [
        "stacks/x.yaml:2: clusters[0].name: 'Sessions' must match ^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
        "stacks/x.yaml:4: clusters[0].keyspaces[0].keys: must be >= 1, got 0",
        "stacks/x.yaml:4: clusters[0].keyspaces[0].valu_bytes: unknown field; did you mean 'value_bytes'?",
        "stacks/x.yaml:5: clusters[0].keyspaces[1].keys.low: must be >= 1, got 0",
        "stacks/x.yaml:5: clusters[0].keyspaces[1].keys.high: must be >= 1, got -1",
        "stacks/x.yaml:6: clusters[0].keyspaces[2].numeric.share: must be <= 1.0, got 2",
        "stacks/x.yaml:6: clusters[0].keyspaces[2].numeric.digits: must be <= 18, got 40",
        "stacks/x.yaml:7: clusters[0].traffic.read_ratio: must be <= 1.0, got 2",
        "stacks/x.yaml:9: clusters[1].keyspaces: list should have at least 1 item after validation, not 0",
    ]
    first = caught.value
    assert (first.line, first.field, len(first.problems)) == (2, "clusters[0].name", 9)


def test_a_file_broken_throughout_reports_the_first_errors_and_how_many_more() -> None:
    keyspaces = "".join(f"      - {{name: k{i}, type: string, keys: 0, key_bytes: 1, value_bytes: 1}}\n"
                        for i in range(MAX_REPORTED_ERRORS + 5))
    with pytest.raises(WorkloadSpecError) as caught:
        parse_workload(f"clusters:\n  - name: a\n    keyspaces:\n{keyspaces}", "x.yaml")
    lines = str(caught.value).splitlines()
    assert len(lines) == MAX_REPORTED_ERRORS + 1
    assert lines[0] == "x.yaml:4: clusters[0].keyspaces[0].keys: must be >= 1, got 0"
    assert lines[-1] == "x.yaml: and 5 more errors"


def test_the_cli_prints_each_error_on_its_own_line(tmp_path: Path) -> None:
    from sizing.cli import main

    path = tmp_path / "x.yaml"
    path.write_text(SEVERAL)
    with CliRunner().isolation() as (out, err, _), pytest.raises(SystemExit) as exited:
        main(["plan", str(path)])
    lines = err.getvalue().decode().splitlines()
    assert exited.value.code == 2 and out.getvalue() == b""
    assert len(lines) == 9 and all(line.startswith(f"error: {path}:") for line in lines)


CONFIG = """\
config:
  aws:region: us-east-1
  elasticache-sizing:snapshotRetentionDays: 99
  elasticache-sizing:port: 80
  elasticache-sizing:maintenanceWindow: "sun:05:30-sun:05:45"
  elasticache-sizing:networks:
    us-east-1:
      vpcid: vpc-0a1b
      subnetIds: [subnet-01, nope]
      allowedCidrs: [10.10.0.0/33]
  elasticache-sizing:snapshotWindw: "01:00-02:00"
"""


def test_every_config_error_is_reported_at_its_key_line() -> None:
    with pytest.raises(ConfigError) as caught:
        stack_config_from_file(CONFIG, "Pulumi.prod.yaml")
    assert str(caught.value).splitlines() == [
        "Pulumi.prod.yaml:3: elasticache-sizing:snapshotRetentionDays: must be <= 35, got 99",
        "Pulumi.prod.yaml:4: elasticache-sizing:port: must be >= 1024, got 80",
        ("Pulumi.prod.yaml:5: elasticache-sizing:maintenanceWindow: the window is 15 minutes long; ElastiCache needs "
         "at least 60"),
        "Pulumi.prod.yaml:8: elasticache-sizing:networks.us-east-1.vpcid: unknown config key; did you mean 'vpcId'?",
        "Pulumi.prod.yaml:9: elasticache-sizing:networks.us-east-1.subnetIds[1]: 'nope' must match ^subnet-[0-9a-f]+$",
        ("Pulumi.prod.yaml:10: elasticache-sizing:networks.us-east-1.allowedCidrs: '10.10.0.0/33' is not a CIDR "
         "block ('10.10.0.0/33' does not appear to be an IPv4 or IPv6 network)"),
        "Pulumi.prod.yaml:11: elasticache-sizing:snapshotWindw: unknown config key; did you mean 'snapshotWindow'?",
    ]


@pytest.mark.parametrize(("text", "says"), [
    ("clusters: &a [*a]\n", "x.yaml:1: a YAML alias refers to a value that contains it (a cycle)"),
    ("a: &a {b: *a}\nclusters: [*a]\n", "x.yaml:1: a YAML alias refers to a value that contains it (a cycle)"),
    ("clusters: " + "[" * 40 + "]" * 40 + "\n", "x.yaml:1: nested more than 32 levels deep (a stack file needs 7)"),
], ids=["list-cycle", "mapping-cycle", "deep"])
def test_shapes_no_stack_file_has_are_refused_in_one_line(text: str, says: str) -> None:
    with pytest.raises(WorkloadSpecError) as caught:
        parse_workload(text, "x.yaml")
    assert str(caught.value).startswith(says) and "\n" not in str(caught.value)


def test_a_cyclic_config_is_refused_in_one_line() -> None:
    with pytest.raises(ConfigError, match=r"^P.yaml:1: a YAML alias refers to a value that contains it"):
        stack_config_from_file("config:\n  elasticache-sizing:networks: &n {a: *n}\n", "P.yaml")


def test_a_fleet_with_a_cluster_nothing_can_carry_still_plans_the_others(tmp_path: Path) -> None:
    from sizing.cli import main

    document = yaml.safe_load((ROOT / "stacks/social.yaml").read_text())
    impossible = {**document["clusters"][0], "name": "too-cheap", "nodes": {"monthly_budget_usd": 1}}
    document["clusters"].insert(1, impossible)
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(document))
    with CliRunner().isolation() as (out, err, _), pytest.raises(SystemExit) as exited:
        main(["plan", str(path), "--json"])
    planned = json.loads(out.getvalue(), parse_constant=lambda name: pytest.fail(f"not strict JSON: {name}"))
    assert exited.value.code == 2
    assert [c["name"] for c in planned["clusters"]] == [c["name"] for c in document["clusters"] if c is not impossible]
    lines = err.getvalue().decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: no node type can carry cluster 'too-cheap'")
    assert "budget $1" in lines[0]


def test_an_alternative_cheaper_than_the_choice_has_a_minus_sign() -> None:
    chosen = plan_workload(parse_workload((ROOT / "stacks/social.yaml").read_text(), "social.yaml"))[0].chosen
    cheaper = chosen.model_copy(update={"monthly_usd": chosen.monthly_usd - 6})
    dearer = chosen.model_copy(update={"monthly_usd": chosen.monthly_usd + 120})
    assert cost_delta(cheaper, chosen) == "-$6/month (within the 1% tie band)"
    assert cost_delta(dearer, chosen) == "+$120/month"
    assert cost_delta(chosen, chosen) == "+$0/month"


PERSISTENT_KEYS = 2_000
EXPIRING_KEYS = 2_000
SAMPLE = 10_000


def test_keys_that_expire_during_a_profile_are_not_counted_as_present(debian_redis_server: str) -> None:
    """Half the keys expire 100-500 ms after they are written, while the profile reads them:
    the key count must not be DBSIZE at the start, and its interval must hold the keys there
    are when the read ends."""
    rng = random.Random(7)
    with started_server(debian_redis_server, engine_profile("redis", "7.0").defaults, False) as client:
        pipe = client.pipeline(transaction=False)
        for i in range(PERSISTENT_KEYS + EXPIRING_KEYS):
            pipe.set(f"item:{i}", "v" * 20)
            if i % 2:
                pipe.pexpire(f"item:{i}", rng.randint(100, 500))
        pipe.execute()
        port = client.connection_pool.connection_kwargs["port"]
        servers = sample_servers(f"redis://127.0.0.1:{port}", False, SAMPLE, 40_000, lambda done, total: None)
        present = sum(1 for _ in client.scan_iter(count=1000))  # SCAN drops the keys that have expired
        profile = build_profile("redis://127.0.0.1", "c", servers, "debian", SAMPLE)
        (keyspace,) = profile.keyspaces
        counted = keyspace.definition["keys"]
        time.sleep(0.5)
        assert client.dbsize() == PERSISTENT_KEYS or sum(1 for _ in client.scan_iter()) == PERSISTENT_KEYS
    assert servers[0].before.keys > counted, "keys gone before they were read were counted"
    assert counted <= len(servers[0].keys)
    assert keyspace.keys_low <= present <= keyspace.keys_high, (keyspace.keys_low, present, keyspace.keys_high)
    assert not keyspace.exact


def test_the_program_reads_config_errors_with_their_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pulumi up`` reads the options through Pulumi's config; the stack file beside the
    program gives the lines, and a value of the wrong type is one line too."""
    import pulumi

    from sizing_infra import load_options

    (tmp_path / "Pulumi.lined.yaml").write_text("config:\n  aws:region: us-east-1\n  elasticache-sizing:port: 80\n"
                                                "  elasticache-sizing:snapshotRetentionDays: 99\n")
    monkeypatch.chdir(tmp_path)
    # Only the stack's name and its config are read: no mocked engine, so no Pulumi
    # runtime state (futures on some event loop) is left for the tests after this one.
    monkeypatch.setattr(pulumi, "get_stack", lambda: "lined")
    try:
        pulumi.runtime.set_all_config({"elasticache-sizing:port": "80", "elasticache-sizing:snapshotRetentionDays": "99"})
        with pytest.raises(ConfigError) as caught:
            load_options()
        assert str(caught.value).splitlines() == [
            "Pulumi.lined.yaml:3: elasticache-sizing:port: must be >= 1024, got 80",
            "Pulumi.lined.yaml:4: elasticache-sizing:snapshotRetentionDays: must be <= 35, got 99",
        ]
        pulumi.runtime.set_all_config({"elasticache-sizing:port": "abc"})
        with pytest.raises(ConfigError, match=r"^Pulumi.lined.yaml:3: elasticache-sizing:port: expected a whole number$"):
            load_options()
    finally:
        pulumi.runtime.set_all_config({})


def test_every_duplicate_key_and_ambiguous_number_is_reported() -> None:
    text = ("clusters:\n  - name: a\n    name: b\n    keyspaces:\n"
            "      - {name: k, type: string, keys: 010, key_bytes: 1:30, value_bytes: 1}\nclusters: []\n")
    with pytest.raises(WorkloadSpecErrors) as caught:
        parse_workload(text, "x.yaml")
    assert [line.split(": ", 2)[:2] for line in str(caught.value).splitlines()] == [
        ["x.yaml:3", "invalid YAML"], ["x.yaml:5", "invalid YAML"], ["x.yaml:5", "invalid YAML"],
        ["x.yaml:6", "invalid YAML"]]
    assert "duplicate key 'clusters' (first on line 1)" in str(caught.value)
    with pytest.raises(ConfigError) as config:
        stack_config_from_file("config:\n  a: 1\n  a: 2\n  b: 020\n", "P.yaml")
    assert [line[:9] for line in str(config.value).splitlines()] == ["P.yaml:3:", "P.yaml:4:"]
