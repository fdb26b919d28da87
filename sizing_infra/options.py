"""Reading the stack's deployment options from Pulumi config (the model is sizing.deployment)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi

from sizing.deployment import CONFIG_KEYS, PROJECT, DeploymentOptions, RegionNetwork, options_from_dict
from sizing.errors import ConfigError

__all__ = ["PROJECT", "ConfigError", "DeploymentOptions", "RegionNetwork", "load_options", "options_from_dict"]


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
