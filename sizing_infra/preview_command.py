"""``python -m sizing preview FILE``: what ``pulumi preview`` would create, without a cloud
account or the Pulumi CLI. It lives on the Pulumi side; ``sizing.cli`` names it, and loads
it (and so Pulumi) only when this command runs.

It plans FILE and runs the project's deployment (sizing_infra.provision) under Pulumi's
mocks. Deployment options come from the stack's Pulumi config file: ``--stack-config``,
else ``Pulumi.<stack>.yaml`` in the current directory when it exists (the stack name is
``--stack``, else FILE's name without its suffix).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from sizing.errors import SizingError
from sizing.planning.plan import plan_workload
from sizing.render import terminal
from sizing.spec.deployment import DeploymentOptions, StackConfig, stack_config_from_path
from sizing.spec.workload import DEFAULT_REGION
from sizing.workloads import load_workload, place
from sizing_infra.preview import resource_tree, run_preview


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--stack", help="Stack name (default: FILE's name, e.g. 'social' for stacks/social.yaml).")
@click.option("--stack-config", type=click.Path(dir_okay=False),
              help="Pulumi stack config to read deployment options from (default: Pulumi.<stack>.yaml if present).")
@click.option("--json", "as_json", is_flag=True, help="Every resource with its inputs (secrets masked), as JSON.")
def preview(file: str, stack: str | None, stack_config: str | None, as_json: bool) -> None:
    """Show the resources the Pulumi program creates for FILE (run under Pulumi's mocks)."""
    stack = stack or Path(file).stem
    config_path = Path(stack_config) if stack_config else Path(f"Pulumi.{stack}.yaml")
    if stack_config and not config_path.exists():
        raise SizingError(f"{config_path}: no such file")
    if stack_config or config_path.is_file():  # a device or pipe given by name is refused in one line
        config = stack_config_from_path(config_path)
    else:
        # Say so: without the stack's config there is no VPC, no protection and no region of its own.
        config = StackConfig(source="defaults", options=DeploymentOptions())
        click.echo(f"preview: no {config_path} here, so default options: {_summary(config.options)}; clusters "
                   f"without regions in {DEFAULT_REGION} (--stack-config PATH reads a stack's)", err=True)
    workload = place(load_workload(file), config)
    result = run_preview(plan_workload(workload), config.options, stack=stack)
    outputs = {name: "[secret]" if name in result.secret_outputs else value for name, value in result.outputs.items()}
    if as_json:
        document = {
            "stack": stack,
            "options_from": str(config_path) if config_path.is_file() else None,
            "options": config.options.model_dump(mode="json", by_alias=True),
            "resources": [{"type": r.type, "name": r.name, "protect": r.protect, "inputs": r.shown_inputs}
                          for r in result.resources],
            "outputs": outputs,
        }
        click.echo(json.dumps(document, indent=2, default=str))
    else:
        source = f", options from {config_path}" if config_path.is_file() else ", default options"
        terminal.preview_tree(f"stack {stack} ({len(result.resources)} resources{source})", resource_tree(result), outputs)



def _summary(options: DeploymentOptions) -> str:
    """The options as ``key=value`` pairs, as they would be written in the stack config."""
    values = options.model_dump(mode="json", by_alias=True)
    shown = [f"{key}={json.dumps(value)}" for key, value in values.items() if key != "networks"]
    return ", ".join(shown + ["networks: each region's default VPC" if not options.networks else "networks set"])
