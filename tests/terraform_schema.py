"""What terraform-provider-aws's schema says, and how Pulumi names what it says.

The schema is ``terraform providers schema -json``. pulumi-aws derives each input's name from
the schema's: the camelCase of an argument or block name (``replication_group_id`` ->
``replicationGroupId``), pluralised for lists and sets that are not single blocks
(``parameter`` -> ``parameters``, ``log_delivery_configuration`` ->
``logDeliveryConfigurations``); a few names are overridden (terraform_config.PROPERTY_RENAMES).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PROVIDER_SOURCE = "registry.terraform.io/hashicorp/aws"
PROVIDER_VERSION = "5.100.0"
"""The provider release checked against. pulumi-aws 7 bridges the 6.x provider; 5.100 is
the release the local mirror holds (terraform_config.ALLOWED_DIFFERENCES: what differs)."""


@dataclass(frozen=True)
class ProviderSchema:
    """The ``hashicorp/aws`` part of ``terraform providers schema -json``."""

    document: dict[str, Any]

    @classmethod
    def from_schemas_json(cls, schemas: dict[str, Any]) -> ProviderSchema:
        return cls(schemas["provider_schemas"][PROVIDER_SOURCE])

    @property
    def provider(self) -> dict[str, Any]:
        return dict(self.document["provider"]["block"])

    def has_resource(self, tf_type: str) -> bool:
        return tf_type in self.document["resource_schemas"]

    def resource(self, tf_type: str) -> dict[str, Any]:
        return dict(self.document["resource_schemas"][tf_type]["block"])


def camel_case(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def plural(snake: str) -> str:
    """English plural of a name's last word, as the bridge pluralises list and set names."""
    if re.search(r"(s|x|z|ch|sh)$", snake):
        return snake + "es"
    if re.search(r"[^aeiou]y$", snake):
        return snake[:-1] + "ies"
    return snake + "s"


def schema_names(block: dict[str, Any]) -> dict[str, set[str]]:
    """Pulumi name -> the schema names (arguments, attributes and blocks) it can stand for.

    More than one is an ambiguity that :func:`schema_name` reports rather than resolves.
    """
    names: dict[str, set[str]] = {}
    for name, spec in block.get("attributes", {}).items():
        collection = isinstance(spec["type"], list) and spec["type"][0] in ("list", "set")
        for candidate in {camel_case(name)} | ({camel_case(plural(name))} if collection else set()):
            names.setdefault(candidate, set()).add(name)
    for name, spec in block.get("block_types", {}).items():
        collection = spec["nesting_mode"] in ("list", "set") and spec.get("max_items") != 1
        for candidate in {camel_case(name)} | ({camel_case(plural(name))} if collection else set()):
            names.setdefault(candidate, set()).add(name)
    return names


def schema_name(block: dict[str, Any], pulumi_name: str, renames: dict[str, str] | None = None) -> str | None:
    """The one schema name a Pulumi name maps to, or None."""
    if renames and pulumi_name in renames:
        return renames[pulumi_name]
    candidates = schema_names(block).get(pulumi_name, set())
    return next(iter(candidates)) if len(candidates) == 1 else None


def settable(block: dict[str, Any], name: str) -> bool:
    """Whether configuration may set ``name``: a block, or an optional or required attribute
    (not one the provider only computes)."""
    spec = block.get("attributes", {}).get(name)
    return name in block.get("block_types", {}) or bool(spec and (spec.get("optional") or spec.get("required")))
