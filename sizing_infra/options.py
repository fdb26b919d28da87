"""Reading the stack's deployment options from Pulumi config (the model is sizing.deployment)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi

from sizing.errors import ConfigError
from sizing.spec.deployment import (
    CONFIG_KEYS,
    PROJECT,
    ConfigPath,
    DeploymentOptions,
    RegionNetwork,
    StackConfig,
    config_lines,
    options_from_dict,
)

__all__ = ["PROJECT", "ConfigError", "DeploymentOptions", "RegionNetwork", "StackConfig", "load_options",
           "load_stack_config", "options_from_dict"]


def load_stack_config() -> StackConfig:
    """The stack's options and its AWS region: ``aws:region``, else the environment the AWS
    provider itself falls back to (AWS_REGION, AWS_DEFAULT_REGION)."""
    region = pulumi.Config("aws").get("region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return StackConfig(source=f"Pulumi.{pulumi.get_stack()}.yaml", options=load_options(), aws_region=region)


def load_options(config: pulumi.Config | None = None) -> DeploymentOptions:
    """The stack's deployment options from its Pulumi config, validated at once."""
    config = config or pulumi.Config(PROJECT)
    getters: dict[str, Callable[[str], Any]] = {
        "bool": config.get_bool, "int": config.get_int, "str": config.get, "object": config.get_object}
    source = f"Pulumi.{pulumi.get_stack()}.yaml"
    lines = _stack_file_lines(Path(source))
    raw: dict[str, Any] = {}
    for key, kind in CONFIG_KEYS.items():
        try:
            value = getters[kind](key)
        except (pulumi.ConfigTypeError, json.JSONDecodeError):  # 'port: abc', or networks that are not JSON
            line = lines.get((key,))
            raise ConfigError(f"{source}{f':{line}' if line else ''}: {PROJECT}:{key}: expected "
                              f"{_KINDS[kind]}") from None
        if value is not None:
            raw[key] = value
    return options_from_dict(raw, source, lines)


_KINDS = {"bool": "true or false", "int": "a whole number", "str": "a string", "object": "a mapping or list"}


def _stack_file_lines(path: Path) -> dict[ConfigPath, int]:
    """Lines of the config keys in the stack's file, where Pulumi reads it from (the project
    directory, the program's working directory); none where it is elsewhere or unreadable."""
    try:
        return config_lines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}
