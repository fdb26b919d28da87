"""The CLI contracts: estimate --json shape, schema up to date, public API."""

from __future__ import annotations

import json

from click.testing import CliRunner

import sizing
from sizing.cli import cli
from sizing.spec.workload import workload_json_schema
from tests.conftest import ROOT


def test_estimate_json_contract() -> None:
    result = CliRunner().invoke(cli, ["estimate", str(ROOT / "stacks/social.yaml"), "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    document = json.loads(result.output)
    for c in document["clusters"]:
        assert {"name", "engine", "engine_version", "cluster_mode", "dataset_bytes", "keyspaces"} <= set(c)
        assert isinstance(c["cluster_mode"], bool) and isinstance(c["dataset_bytes"], int)
        assert c["dataset_bytes"] == sum(k["bytes"] for k in c["keyspaces"])
        assert all({"name", "bytes"} <= set(k) for k in c["keyspaces"])
    by_name = {c["name"]: c for c in document["clusters"]}
    assert by_name["counters"]["cluster_mode"] is False  # auto estimates as disabled
    assert by_name["profiles"]["cluster_mode"] is True


def test_estimate_table_mentions_every_keyspace() -> None:
    result = CliRunner().invoke(cli, ["estimate", str(ROOT / "stacks/social.yaml")], catch_exceptions=False,
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name in ("session", "profile", "home-feed", "inbox", "page-views"):
        assert name in result.output


def test_committed_schema_is_current() -> None:
    """Regenerate with: python -m sizing schema > workload.schema.json"""
    committed = json.loads((ROOT / "workload.schema.json").read_text())
    assert committed == workload_json_schema()


def test_schema_command_prints_it() -> None:
    result = CliRunner().invoke(cli, ["schema"], catch_exceptions=False)
    assert json.loads(result.output) == workload_json_schema()


def test_example_stacks_reference_the_schema() -> None:
    for path in (ROOT / "stacks").glob("*.yaml"):
        assert path.read_text().startswith("# yaml-language-server: $schema=../workload.schema.json"), path


def test_public_api_is_explicit() -> None:
    import pkgutil

    public = {name for name in dir(sizing) if not name.startswith("_")}
    modules = {module.name for module in pkgutil.iter_modules(sizing.__path__)}
    assert public - modules == set(sizing.__all__)
    for name in sizing.__all__:
        assert getattr(sizing, name) is not None


def test_readme_python_example_runs() -> None:
    # The README's snippet for other Pulumi programs imports what it names.
    from sizing import load_workload
    from sizing.planning.plan import plan_workload
    from sizing_infra import DeploymentOptions, provision

    assert callable(provision) and DeploymentOptions(production=True).production
    assert plan_workload(load_workload(ROOT / "stacks/checkout.yaml"))
