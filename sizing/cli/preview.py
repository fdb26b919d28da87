"""``preview FILE``: what ``pulumi preview`` would create, without a cloud account or the CLI.

It plans FILE and runs the project's deployment (sizing_infra.provision) under Pulumi's
mocks. Deployment options come from the stack's Pulumi config file: ``--stack-config``,
else ``Pulumi.<stack>.yaml`` in the current directory when it exists (the stack name is
``--stack``, else FILE's name without its suffix).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import yaml

from sizing.cli import render
from sizing.errors import SizingError
from sizing.loader import load_workload
from sizing.plan import plan_workload


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--stack", help="Stack name (default: FILE's name, e.g. 'social' for stacks/social.yaml).")
@click.option("--stack-config", type=click.Path(dir_okay=False),
              help="Pulumi stack config to read deployment options from (default: Pulumi.<stack>.yaml if present).")
@click.option("--json", "as_json", is_flag=True, help="Every resource with its inputs (secrets masked), as JSON.")
def preview(file: str, stack: str | None, stack_config: str | None, as_json: bool) -> None:
    """Show the resources the Pulumi program creates for FILE (run under Pulumi's mocks)."""
    from sizing_infra.options import options_from_dict  # Pulumi is imported only by this command
    from sizing_infra.preview import resource_tree, run_preview

    stack = stack or Path(file).stem
    config_path = Path(stack_config) if stack_config else Path(f"Pulumi.{stack}.yaml")
    if stack_config and not config_path.is_file():
        raise SizingError(f"{config_path}: no such file")
    raw = _project_config(config_path) if config_path.is_file() else {}
    options = options_from_dict(raw, str(config_path))
    result = run_preview(plan_workload(load_workload(file)), options, stack=stack)
    outputs = {name: "[secret]" if name in result.secret_outputs else value for name, value in result.outputs.items()}
    if as_json:
        document = {
            "stack": stack,
            "resources": [{"type": r.type, "name": r.name, "protect": r.protect, "inputs": r.shown_inputs}
                          for r in result.resources],
            "outputs": outputs,
        }
        click.echo(json.dumps(document, indent=2, default=str))
    else:
        source = f", options from {config_path}" if raw else ""
        render.preview_tree(f"stack {stack} ({len(result.resources)} resources{source})", resource_tree(result), outputs)


def _project_config(path: Path) -> dict[str, Any]:
    """This project's keys from a Pulumi.<stack>.yaml, without the namespace."""
    from sizing_infra.options import PROJECT

    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise SizingError(f"{path}: not valid YAML: {exc}") from None
    config = document.get("config") or {}
    prefix = f"{PROJECT}:"
    return {key[len(prefix):]: value for key, value in config.items()
            if key.startswith(prefix) and key != f"{prefix}workload"}
