"""The CLI contracts: estimate --json shape, schema up to date, public API."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from click.testing import CliRunner

import sizing
from sizing.cli import cli
from sizing.spec.workload import workload_json_schema
from sizing_infra import DeploymentOptions
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
    import inspect
    import pkgutil
    import sys

    public = {name for name in dir(sizing) if not name.startswith("_")}
    modules = {module.name for module in pkgutil.iter_modules(sizing.__path__)}
    assert public - modules == set(sizing.__all__)
    for name in sizing.__all__:
        value = getattr(sizing, name)
        if isinstance(value, type) or inspect.isfunction(inspect.unwrap(value)):  # defined in the package
            assert value.__module__.startswith("sizing."), (name, value.__module__)
        else:  # constants and type aliases: bound in one of the package's modules
            assert any(getattr(module, name, None) is value for module_name, module in list(sys.modules.items())
                       if module_name.startswith("sizing.")), name


def test_readme_python_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's snippet for other Pulumi programs, run under the preview's mocks."""
    from sizing_infra import preview

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("Any Pulumi program can use the component"):]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, "README.md: no python example after 'Any Pulumi program can use the component'"
    snippet = found.group(1)
    assert '"caches.yaml"' in snippet
    snippet = snippet.replace('"caches.yaml"', repr(str(ROOT / "stacks/checkout.yaml")))

    def readme_program(_plans: Any, _options: Any) -> dict[str, Any]:
        namespace: dict[str, Any] = {}
        exec(compile(snippet, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
        outputs: dict[str, Any] = namespace["outputs"]
        return outputs

    # run_preview sets up the mocks and runs provision(plans, options) inside a Pulumi program:
    # here the README's code stands in for that call.
    monkeypatch.setattr(preview, "provision", readme_program)
    result = preview.run_preview([], DeploymentOptions(), stack="readme")
    assert set(result.outputs) == {"carts", "inventory-locks", "catalog", "carts_auth_token",
                                   "inventory-locks_auth_token", "catalog_auth_token"}
    groups = result.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert {g.inputs["replicationGroupId"] for g in groups} >= {"carts", "inventory-locks"}
    assert all(g.protect for g in groups)  # DeploymentOptions(production=True) in the snippet
