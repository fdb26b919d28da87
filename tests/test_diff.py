"""The sizing diff: classification of every change, the comment, the gates, git revisions.

Golden comments: one scenario per change a reviewer must be told about, each applied to
tests/diff/base.yaml. To regenerate after an intended change:
    UPDATE_GOLDEN=1 python -m pytest tests/test_diff.py
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sizing import parse_workload
from sizing.cli import cli
from sizing.render.diff_view import GITHUB_COMMENT_LIMIT, marker, problem, render_diff_markdown
from sizing.review.diff import Impact, diff_workloads
from tests.conftest import ROOT

BASE = yaml.safe_load((ROOT / "tests/diff/base.yaml").read_text())
GOLDEN = ROOT / "tests/golden/diff"


def _sessions(spec: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in spec["clusters"] if c["name"] == "sessions")


def _catalog(spec: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in spec["clusters"] if c["name"] == "catalog")


def grow(spec: dict[str, Any]) -> None:
    _sessions(spec)["keyspaces"][0]["keys"] = 9_000_000  # past cache.m7g.large
    _catalog(spec)["keyspaces"][0]["keys"] = 45_000_000  # more shards


def shrink(spec: dict[str, Any]) -> None:
    _catalog(spec)["keyspaces"][0]["keys"] = 4_000_000
    _catalog(spec)["availability"] = {"min_shards": 1}


def switch_to_valkey(spec: dict[str, Any]) -> None:
    _sessions(spec).update(engine="valkey", engine_version="8.0")


def upgrade_to_valkey9(spec: dict[str, Any]) -> None:
    _catalog(spec)["engine_version"] = "9.1"  # valkey8 -> valkey9 parameter groups
    _sessions(spec).update(engine="valkey", engine_version="9.0")  # Redis OSS 7.1 -> Valkey 9


def toggle_cluster_mode(spec: dict[str, Any]) -> None:
    _sessions(spec)["cluster_mode"] = "enabled"


def add_region(spec: dict[str, Any]) -> None:
    _catalog(spec)["regions"] = ["us-east-1", "eu-west-1"]


def reboot_parameter(spec: dict[str, Any]) -> None:
    _sessions(spec)["parameters"] = {"acl-pubsub-default": "resetchannels"}


def no_change(spec: dict[str, Any]) -> None:
    pass


SCENARIOS: dict[str, Callable[[dict[str, Any]], None]] = {
    "grow": grow, "shrink": shrink, "switch-to-valkey": switch_to_valkey, "upgrade-to-valkey9": upgrade_to_valkey9,
    "cluster-mode-toggle": toggle_cluster_mode,
    "region-added": add_region, "reboot-parameter": reboot_parameter, "no-change": no_change,
}


def head(scenario: str) -> dict[str, Any]:
    spec = copy.deepcopy(BASE)
    SCENARIOS[scenario](spec)
    return spec


def diff_of(scenario: str) -> Any:
    return diff_workloads(parse_workload(yaml.safe_dump(BASE), "base.yaml"),
                          parse_workload(yaml.safe_dump(head(scenario)), "head.yaml"), "main", scenario)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_golden_comment(scenario: str) -> None:
    text = render_diff_markdown(diff_of(scenario), "shop")
    path = GOLDEN / f"{scenario}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


def impacts(scenario: str) -> dict[str, Impact]:
    return {c.name: c.impact for c in diff_of(scenario).clusters}


def test_growth_scales_online() -> None:
    result = diff_of("grow")
    sessions, catalog = (next(c for c in result.clusters if c.name == n) for n in ("sessions", "catalog"))
    assert sessions.impact is Impact.online_scaling
    assert [c.field for c in sessions.changes if c.impact is Impact.online_scaling] == ["node_type"]
    assert catalog.impact is Impact.online_resharding
    assert catalog.after and catalog.before
    assert (catalog.before.shards, catalog.after.shards) == (2, 5)
    # Before, by hand (docs/memory-model.md, Valkey 8.0, cluster mode; J() is jemalloc's class):
    # 20,000,000 hashes, per key entry J(17 + 3 + 20 + 1) = 48 + object J(16) = 16 + listpack of
    # 12 pairs J(7 + 12 * ((1 + 10 + 1) + (1 + 40 + 1)) = 655) = 768: 832 bytes; each of 2 shards
    # is sized for its fullest (90th percentile of Binomial(20M, 1/2), 10,000,000 + 1.6322 * 2,236.07
    # - 0.5 -> 10,003,650 keys), plus 16,384 slot tables of J(72) = 80 + 2,048 buckets * 8
    # (~1,221 keys per slot): 2 * 10,003,650 * 832 + 16,384 * 16,464 = 16,915,819,776.
    assert catalog.before.dataset_bytes == 16_915_819_776
    # 2 -> 5 shards: each shard ends with 16,384 / 5 = 3,276.8 slots; the 2 old shards keep
    # 3,277 each, so 16,384 - 2 * 3,277 = 9,830 slots move, with 9,830 / 16,384 of the data:
    # 16,915,819,776 * 9,830 / 16,384 = 10,149,078,882 (diff.py takes the even 3/5: 4e-5 more).
    assert catalog.data_moved_bytes == pytest.approx(10_149_078_882, rel=1e-4)
    assert result.monthly_usd_after > result.monthly_usd_before


def test_each_scenario_is_classified() -> None:
    assert impacts("shrink")["catalog"] is Impact.online_resharding
    assert diff_of("shrink").monthly_usd_after < diff_of("shrink").monthly_usd_before
    assert impacts("switch-to-valkey")["sessions"] is Impact.online_scaling
    assert impacts("upgrade-to-valkey9") == {"sessions": Impact.online_scaling, "catalog": Impact.online_scaling}
    assert impacts("cluster-mode-toggle")["sessions"] is Impact.replacement
    assert impacts("region-added")["catalog"] is Impact.in_place
    assert impacts("reboot-parameter")["sessions"] is Impact.reboot
    assert not diff_of("no-change").changed
    assert render_diff_markdown(diff_of("no-change"), "shop") == ""


def test_replacements_come_first() -> None:
    spec = head("cluster-mode-toggle")
    grow(spec)
    result = diff_workloads(parse_workload(yaml.safe_dump(BASE), "b"), parse_workload(yaml.safe_dump(spec), "h"))
    assert [c.name for c in result.clusters] == ["sessions", "catalog"]
    assert result.clusters[0].impact is Impact.replacement


def test_downgrades_and_removals_are_replacements() -> None:
    spec = copy.deepcopy(BASE)
    _catalog(spec)["engine_version"] = "7.2"
    spec["clusters"] = [_catalog(spec)]
    result = diff_workloads(parse_workload(yaml.safe_dump(BASE), "b"), parse_workload(yaml.safe_dump(spec), "h"))
    by_name = {c.name: c for c in result.clusters}
    assert by_name["sessions"].status == "removed" and by_name["sessions"].impact is Impact.replacement
    assert by_name["catalog"].impact is Impact.replacement


def test_unplannable_head_is_underprovisioned() -> None:
    spec = copy.deepcopy(BASE)
    _sessions(spec)["availability"] = {"max_shards": 1}
    _sessions(spec)["nodes"] = {"families": ["t4g"]}
    result = diff_workloads(parse_workload(yaml.safe_dump(BASE), "b"), parse_workload(yaml.safe_dump(spec), "h"))
    sessions = result.clusters[0]
    assert sessions.name == "sessions" and sessions.underprovisioned and sessions.after is None
    assert sessions.unplannable and sessions.nearest_rejection is not None
    assert sessions.nearest_rejection.node_type.startswith("cache.t4g.")
    assert problem(sessions).startswith("no node type can carry it; nearest: needs ")
    assert "UNDERPROVISIONED" in render_diff_markdown(result, "shop")


def test_comment_stays_under_githubs_limit() -> None:
    spec = {"clusters": [{**copy.deepcopy(_sessions(BASE)), "name": f"s{i}"} for i in range(300)]}
    grown = copy.deepcopy(spec)
    for cluster in grown["clusters"]:
        cluster["keyspaces"][0]["keys"] = 9_000_000
        cluster["parameters"] = {"acl-pubsub-default": "resetchannels"}
    result = diff_workloads(parse_workload(yaml.safe_dump(spec), "b"), parse_workload(yaml.safe_dump(grown), "h"))
    text = render_diff_markdown(result, "big")
    assert len(text) <= GITHUB_COMMENT_LIMIT
    assert text.startswith(marker("big"))
    assert "left out to stay under GitHub's 65,536-character limit" in text
    assert text.count("**s") == 300  # every headline kept


def test_cli_gates_and_formats(tmp_path: Path) -> None:
    base, changed = tmp_path / "base.yaml", tmp_path / "shop.yaml"
    base.write_text(yaml.safe_dump(BASE))
    changed.write_text(yaml.safe_dump(head("cluster-mode-toggle")))
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", "--base", str(base), "--head", str(changed), "--format", "json",
                                 "--fail-on", "replacement"])
    assert result.exit_code == 3
    document = json.loads(result.stdout)
    assert document["clusters"][0]["impact"] == "replacement" and "cost_delta_usd" in document["clusters"][0]
    assert "failing on replacement: sessions" in result.stderr
    ok = runner.invoke(cli, ["diff", "--base", str(base), "--head", str(changed), "--fail-on", "reboot,cost-increase:50"])
    assert ok.exit_code == 0, ok.output
    assert "sessions:" in ok.stdout and "[replacement]" in ok.stdout
    grown = tmp_path / "grown.yaml"
    grown.write_text(yaml.safe_dump(head("grow")))
    costly = runner.invoke(cli, ["diff", "--base", str(base), "--head", str(grown), "--fail-on", "cost-increase:5"])
    assert costly.exit_code == 3 and "cost-increase: +" in costly.stderr
    markdown = runner.invoke(cli, ["diff", "--base", str(base), "--head", str(base), "--format", "markdown"])
    assert markdown.exit_code == 0 and markdown.stdout == ""


@pytest.mark.parametrize("gate", ["explode", "cost-increase:lots", "replacement:1"])
def test_bad_gates_are_refused(gate: str, tmp_path: Path) -> None:
    file = tmp_path / "shop.yaml"
    file.write_text(yaml.safe_dump(BASE))
    done = subprocess.run([sys.executable, "-m", "sizing", "diff", "--base", str(file), "--head", str(file), "--fail-on", gate],
                          capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2 and done.stderr.startswith("error: --fail-on:"), done.stderr


def _repository(folder: Path) -> Callable[..., None]:
    """A new git repository on branch main in ``folder``, and a function that runs git there."""
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "ci@example.com")
    git("config", "user.name", "ci")
    return git


def _grown_stack(folder: Path) -> Path:
    """A repository whose one commit has stacks/shop.yaml as the base, grown in the work tree."""
    git = _repository(folder)
    stack = folder / "stacks" / "shop.yaml"
    stack.parent.mkdir()
    stack.write_text(yaml.safe_dump(BASE))
    git("add", ".")
    git("commit", "-q", "-m", "base")
    stack.write_text(yaml.safe_dump(head("grow")))
    return stack


def test_base_from_a_git_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _grown_stack(tmp_path)
    monkeypatch.chdir(tmp_path / "stacks")  # a revision's file is found from anywhere in the repository
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", "--base", "main", "--head", "shop.yaml", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["base_label"] == "main"
    assert {c["name"]: c["impact"] for c in document["clusters"]} == {
        "catalog": "online_resharding", "sessions": "online_scaling"}
    new_stack = tmp_path / "stacks" / "new.yaml"
    new_stack.write_text(yaml.safe_dump(BASE))
    added = runner.invoke(cli, ["diff", "--base", "main", "--head", "new.yaml", "--format", "json"])
    assert added.exit_code == 0 and {c["status"] for c in json.loads(added.stdout)["clusters"]} == {"added"}
    unknown = runner.invoke(cli, ["diff", "--base", "no-such-branch", "--head", "shop.yaml"])
    assert unknown.exit_code != 0 and "no such file, directory or git revision" in str(unknown.exception)


def test_workflow_file_is_valid() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/sizing-diff.yml").read_text())
    # A stack's deployment options change its clusters too (a VPC or port move is a replacement).
    assert workflow[True]["pull_request"]["paths"] == ["stacks/**", "Pulumi.*.yaml"]  # YAML 1.1 reads `on` as True
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = {s.get("name"): s for s in workflow["jobs"]["sizing-diff"]["steps"]}
    script = steps["Diff each changed stack"]["run"]
    assert "--format markdown" in script and "'Pulumi.*.yaml'" in script and "GITHUB_STEP_SUMMARY" in script
    # The base comes from git's objects, never from a path of the same name in the checkout.
    assert script.count('--base "git:$BASE_SHA"') == 1 and "--base \"$BASE_SHA\"" not in script
    # Forks get a read-only token: the comment is skipped there, the summary and the gate are not.
    comment = steps["Comment the diffs"]
    assert comment["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert "elasticache-sizing-diff:" in comment["run"] and "if" not in steps["Fail on replacements and underprovisioned clusters"]
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(ROOT / ".github/workflows/sizing-diff.yml")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr  # GitHub's workflow schema, vendored by check-jsonschema


def test_stack_config_changes_are_classified_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git = _repository(tmp_path)
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "shop.yaml").write_text(yaml.safe_dump(BASE))
    config = tmp_path / "Pulumi.shop.yaml"
    config.write_text("config:\n  elasticache-sizing:port: 6379\n"
                      "  elasticache-sizing:networks:\n    us-east-1:\n      vpcId: vpc-0a1\n"
                      "      subnetIds: [subnet-1, subnet-2]\n      allowedCidrs: [10.0.0.0/16]\n")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    config.write_text("config:\n  elasticache-sizing:production: true\n"
                      "  elasticache-sizing:userGroupIds: [app-users]\n"
                      "  elasticache-sizing:networks:\n    us-east-1:\n      vpcId: vpc-0a1\n"
                      "      subnetIds: [subnet-1, subnet-3]\n      allowedCidrs: [10.0.0.0/8]\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["diff", "--base", "main", "--head", "stacks/shop.yaml", "--format", "json"])
    assert result.exit_code == 0, result.output
    clusters = json.loads(result.stdout)["clusters"]
    assert {c["status"] for c in clusters} == {"changed"}
    changes = {c["field"]: c for c in clusters[0]["changes"]}
    assert set(changes) == {"subnets us-east-1", "allowed sources us-east-1", "access", "production"}
    assert changes["access"]["before"] == "AUTH token" and changes["access"]["after"] == "user groups app-users"
    assert {c["impact"] for c in changes.values()} == {"in_place"}
    # Leaving the configured VPC for the default one recreates every replication group.
    config.write_text("config:\n  elasticache-sizing:port: 6380\n")
    moved = CliRunner().invoke(cli, ["diff", "--base", "main", "--head", "stacks/shop.yaml", "--format", "json",
                                     "--fail-on", "replacement"])
    assert moved.exit_code == 3
    fields = {c["field"]: c["impact"] for c in json.loads(moved.stdout)["clusters"][0]["changes"]}
    assert fields == {"port": "replacement", "network us-east-1": "replacement"}


def test_base_revision_is_read_from_git_even_where_a_path_has_its_name(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    stack = _grown_stack(tmp_path)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout.strip()
    # A pull request that adds a directory named like the base commit, holding the head's stack.
    decoy = tmp_path / sha / "stacks"
    decoy.mkdir(parents=True)
    (decoy / "shop.yaml").write_text(stack.read_text())
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", "--base", f"git:{sha}", "--head", ".", "--stack", "shop", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert {c["name"]: c["status"] for c in json.loads(result.stdout)["clusters"]} == {
        "catalog": "changed", "sessions": "changed"}
    ambiguous = runner.invoke(cli, ["diff", "--base", sha, "--head", ".", "--stack", "shop"])
    assert ambiguous.exit_code != 0 and "both a path and a git revision" in str(ambiguous.exception)
    missing = runner.invoke(cli, ["diff", "--base", "git:no-such-branch", "--head", ".", "--stack", "shop"])
    assert missing.exit_code != 0 and "no such git revision" in str(missing.exception)


def test_head_file_outside_git_is_found_in_the_base_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "old" / "stacks").mkdir(parents=True)
    (tmp_path / "old" / "stacks" / "shop.yaml").write_text(yaml.safe_dump(BASE))
    (tmp_path / "new").mkdir()
    new = tmp_path / "new" / "shop.yaml"
    new.write_text(yaml.safe_dump(head("grow")))
    monkeypatch.chdir(tmp_path / "old")
    # An absolute head path outside any repository: the base directory's stacks/shop.yaml, not the head again.
    result = CliRunner().invoke(cli, ["diff", "--base", str(tmp_path / "old"), "--head", str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert {c["status"] for c in json.loads(result.stdout)["clusters"]} == {"changed"}


def test_clusters_without_regions_follow_each_sides_aws_region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git = _repository(tmp_path)
    (tmp_path / "stacks").mkdir()
    spec = copy.deepcopy(BASE)
    for cluster in spec["clusters"]:
        del cluster["regions"]
    (tmp_path / "stacks" / "shop.yaml").write_text(yaml.safe_dump(spec))
    config = tmp_path / "Pulumi.shop.yaml"
    config.write_text("config:\n  aws:region: us-east-1\n")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    config.write_text("config:\n  aws:region: eu-west-1\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["diff", "--base", "git:main", "--head", "stacks/shop.yaml", "--format", "json"])
    assert result.exit_code == 0, result.output
    for cluster in json.loads(result.stdout)["clusters"]:
        assert cluster["impact"] == "replacement", cluster  # a new primary region is a new cluster
        assert cluster["before"]["regions"] == ["us-east-1"] and cluster["after"]["regions"] == ["eu-west-1"]


def test_an_upgrade_to_valkey9_replaces_the_parameter_group_first() -> None:
    """8.x -> 9.x and Redis OSS -> Valkey 9 change the family (valkey9 groups take neither);
    the program's group is auto-named, so Pulumi creates the new one before deleting the old."""
    changes = {c.name: c for c in diff_of("upgrade-to-valkey9").clusters}
    catalog = next(ch for ch in changes["catalog"].changes if ch.field == "engine")
    assert (catalog.before, catalog.after) == ("valkey 8.0", "valkey 9.1")
    assert catalog.note.endswith("a new valkey9 parameter group is created before the old valkey8 one is deleted")
    sessions = next(ch for ch in changes["sessions"].changes if ch.field == "engine")
    assert sessions.note.startswith("in-place cross-engine upgrade from Redis OSS to Valkey, node by node: reads continue")
    assert "before the old redis7 one is deleted" in sessions.note
