"""Reading the stack's deployment options from Pulumi config (the model is sizing.deployment)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pulumi

from sizing.errors import ConfigError
from sizing.spec.deployment import (
    CONFIG_KEYS,
    PROJECT,
    DeploymentOptions,
    RegionNetwork,
    StackConfig,
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
    raw: dict[str, Any] = {}
    for key, kind in CONFIG_KEYS.items():
        value = getters[kind](key)
        if value is not None:
            raw[key] = value
    return options_from_dict(raw, f"Pulumi.{pulumi.get_stack()}.yaml")
