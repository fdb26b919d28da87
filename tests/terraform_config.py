"""Terraform JSON configuration from what the Pulumi program registers under mocks.

The program's tests run it under Pulumi's mocks, which accept any input. pulumi-aws is
terraform-provider-aws bridged, so the real provider can judge the same inputs:
:func:`terraform_config` writes a ``sizing_infra.preview.PreviewResult`` as a
``main.tf.json`` for terraform-provider-aws 5.100 (tests/terraform_cli.py runs ``terraform
validate`` and ``plan`` on it).

Nothing here guesses. A type token or an input that does not map to the provider schema is a
:class:`ConversionError` unless a table below names it with its reason:

    TERRAFORM_TYPES        Pulumi type token -> Terraform resource type
    PROPERTY_RENAMES       Pulumi names that are not the camelCase of the Terraform name
    ALLOWED_DIFFERENCES    inputs pulumi-aws 7 (provider 6.x) takes that 5.100 does not

Input names are the camelCase of the schema's argument and block names; list and set
arguments and blocks may also be pluralised (Pulumi ``parameters`` is the block
``parameter``). A value taken from another resource's output (the registration's
``propertyDependencies``, matched against that resource's mock outputs) becomes a reference
``${<type>.<name>.<attribute>}``; a value that depends on a resource but equals none of its
outputs is an error, never a literal.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from pulumi.output import Unknown

from sizing_infra.preview import PreviewResource, PreviewResult, revealed
from tests.terraform_schema import PROVIDER_VERSION, ProviderSchema, schema_name, settable

TERRAFORM_TYPES: dict[str, str] = {
    # From pulumi-aws provider/cmd/pulumi-resource-aws/bridge-metadata.json, "renames" ->
    # "resources": every custom resource type the program registers.
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": "aws_elasticache_global_replication_group",
    "aws:elasticache/parameterGroup:ParameterGroup": "aws_elasticache_parameter_group",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:elasticache/serverlessCache:ServerlessCache": "aws_elasticache_serverless_cache",
    "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
}
AWS_PROVIDER = "pulumi:providers:aws"
COMPONENT_PREFIX = "elasticache-sizing:index:"
"""The program's own components (CacheCluster, CacheAlarms): no Terraform counterpart."""
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
"""hashicorp/random is not in the mirror: references to its ``result`` become a literal token."""
RANDOM_DEFAULT_SPECIALS = "!@#$%&*()-_=+[]{}<>:?"
"""random_password's special characters when ``override_special`` is not set (its documentation)."""

PROPERTY_RENAMES: dict[str, dict[str, str]] = {
    # Pulumi names that are not the camelCase of the Terraform name: pulumi-aws field overrides,
    # listed in bridge-metadata.json "renames" -> "renamedProperties" (there, for instance,
    # "aws:cloudwatch/metricAlarm:MetricAlarm": {"name": "alarm_name"}). tests/test_provider.py
    # checks each against pulumi_aws 7's Args class and the 5.100 schema.
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"name": "alarm_name"},
    "aws:sns/topicSubscription:TopicSubscription": {"topic": "topic_arn"},
}

ALLOWED_DIFFERENCES: dict[tuple[str, str], str] = {
    # (type token, Pulumi input) -> why 5.100 cannot take it; the input is left out of the
    # configuration. tests/test_provider.py checks each: pulumi_aws 7's Args class has the
    # input, and 5.100's schema has no settable argument for it.
    ("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup", "engine"):
        "provider 6.0 made `engine` settable (redis or valkey); in 5.100 it is computed only, inherited from "
        "the primary replication group, which already has the same engine",
}

FAKE_PROVIDER_SETTINGS: dict[str, Any] = {
    # Credentials and skips so `terraform plan` configures the provider without calling AWS:
    # no STS GetCallerIdentity (credentials, account id), no EC2 instance metadata, and no
    # check of the region name against the provider's built-in list.
    "access_key": "mock-access-key",
    "secret_key": "mock-secret-key",
    "skip_credentials_validation": True,
    "skip_requesting_account_id": True,
    "skip_metadata_api_check": "true",
    "skip_region_validation": True,
}

AUTONAME_SUFFIX_HEX = 7
"""pulumi-aws names a resource whose schema has a settable ``name`` and whose program gives
none as ``<logical name>-<7 random hex digits>`` (provider/autonaming.go, tfbridge.AutoName);
here the digits come from a hash of the name, so configurations are reproducible."""

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
"""Terraform identifiers: a letter or underscore, then letters, digits, underscores, dashes."""


class ConversionError(Exception):
    """The registrations cannot be written as provider configuration; lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class TerraformConfig:
    """``main.tf.json`` and what the conversion left out, with the reasons."""

    document: dict[str, Any]
    addresses: dict[str, str]
    """Resource URN -> Terraform address (``type.name``)."""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Reference:
    """A leaf value that is another resource's output."""

    resource: PreviewResource
    attribute: str
    """Pulumi output name (``id`` for the id)."""


class _Converter:
    """One conversion: addresses first, then every resource, collecting all problems."""

    def __init__(self, result: PreviewResult, schema: ProviderSchema) -> None:
        self.result = result
        self.schema = schema
        self.by_urn = {r.urn: r for r in result.resources}
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.addresses = self._addresses()
        self.aliases = {r.urn: _identifier(r.name) for r in result.resources if r.type == AWS_PROVIDER}

    def _addresses(self) -> dict[str, str]:
        addresses: dict[str, str] = {}
        for resource in self.result.resources:
            if resource.type in (AWS_PROVIDER, RANDOM_PASSWORD) or resource.type.startswith(COMPONENT_PREFIX):
                continue
            tf_type = TERRAFORM_TYPES.get(resource.type)
            if tf_type is None:
                self.problems.append(f"{resource.name}: no Terraform resource type for {resource.type}")
            elif not self.schema.has_resource(tf_type):
                self.problems.append(f"{resource.name}: {tf_type} ({resource.type}) is not in provider "
                                     f"{PROVIDER_VERSION}")
            else:
                address = f"{tf_type}.{_identifier(resource.name)}"
                if address in addresses.values():
                    self.problems.append(f"{resource.name}: two resources would both be {address}")
                addresses[resource.urn] = address
        return addresses

    def convert(self) -> TerraformConfig:
        resources: dict[str, dict[str, Any]] = {}
        providers = [self._provider(r) for r in self.result.resources if r.type == AWS_PROVIDER]
        for resource in self.result.resources:
            if resource.urn in self.addresses:
                tf_type, name = self.addresses[resource.urn].split(".", 1)
                resources.setdefault(tf_type, {})[name] = self._resource(resource, tf_type)
        if self.problems:
            raise ConversionError(self.problems)
        document = {
            "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": PROVIDER_VERSION}}},
            "provider": {"aws": providers},
            "resource": resources,
        }
        return TerraformConfig(document, dict(self.addresses), self.notes)

    def _provider(self, resource: PreviewResource) -> dict[str, Any]:
        block = self.schema.provider
        body = self._arguments(resource, block, {}, {})
        body.update(FAKE_PROVIDER_SETTINGS)
        body["alias"] = self.aliases[resource.urn]
        return body

    def _resource(self, resource: PreviewResource, tf_type: str) -> dict[str, Any]:
        block = self.schema.resource(tf_type)
        body = self._arguments(resource, block, PROPERTY_RENAMES.get(resource.type, {}), resource.property_dependencies)
        _autoname(resource, block, body)
        provider_urn = resource.provider.rsplit("::", 1)[0]
        if provider_urn not in self.aliases:
            self.problems.append(f"{resource.name}: no explicit AWS provider (Pulumi's default provider would take "
                                 f"its region from stack config, which this check does not read)")
        else:
            body["provider"] = f"aws.{self.aliases[provider_urn]}"
        depends_on = self._depends_on(resource)
        if depends_on:
            body["depends_on"] = depends_on
        lifecycle = self._lifecycle(resource, block)
        if lifecycle:
            body["lifecycle"] = lifecycle
        return body

    def _arguments(self, resource: PreviewResource, block: dict[str, Any], renames: dict[str, str],
                   dependencies: dict[str, tuple[str, ...]]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for key, raw in resource.inputs.items():
            reason = ALLOWED_DIFFERENCES.get((resource.type, key))
            if reason is not None:
                self.notes.append(f"{resource.name}: input {key} left out: {reason}")
                continue
            name = schema_name(block, key, renames)
            if name is None:
                self.problems.append(f"{resource.name}: input {key} is no argument of {_block_label(resource)}")
                continue
            value = self._references(resource, key, revealed(raw), dependencies.get(key, ()))
            body[name] = self._value(value, block, name, f"{resource.name}.{key}")
        return body

    def _references(self, resource: PreviewResource, key: str, value: Any, urns: tuple[str, ...]) -> Any:
        """``value`` with each leaf that is one of ``urns``' outputs replaced by a :class:`_Reference`."""
        sources = [self.by_urn[urn] for urn in urns if urn in self.by_urn]
        matched: set[str] = set()

        def walk(item: Any) -> Any:
            if isinstance(item, dict):
                return {k: walk(v) for k, v in item.items()}
            if isinstance(item, list):
                return [walk(v) for v in item]
            if not isinstance(item, str):
                return item
            found = [_Reference(source, attribute) for source in sources
                     for attribute, output in [("id", source.id), *source.outputs.items()] if output == item]
            if len(found) > 1:
                options = ", ".join(f"{f.resource.name}.{f.attribute}" for f in found)
                self.problems.append(f"{resource.name}.{key}: {item!r} could be any of {options}")
            elif found:
                matched.add(found[0].resource.urn)
                return found[0]
            return item

        converted = walk(value)
        for source in sources:
            if source.urn not in matched:
                self.problems.append(f"{resource.name}.{key} depends on {source.name}, but no part of its value "
                                     f"{_short(value)} is one of {source.name}'s outputs (an unknown or derived value)")
        return converted

    def _value(self, value: Any, block: dict[str, Any], name: str, path: str) -> Any:
        if name in block.get("block_types", {}):
            spec = block["block_types"][name]
            items = value if isinstance(value, list) else [value]
            blocks = [self._nested_block(item, spec["block"], path) for item in items]
            if spec["nesting_mode"] == "single":
                return blocks[0] if blocks else None
            return blocks
        return self._typed(value, block["attributes"][name]["type"], path)

    def _nested_block(self, value: Any, block: dict[str, Any], path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problems.append(f"{path}: a block needs an object, got {_short(value)}")
            return {}
        body: dict[str, Any] = {}
        for key, item in value.items():
            name = schema_name(block, key)
            if name is None:
                self.problems.append(f"{path}: {key} is no argument of the block")
                continue
            body[name] = self._value(item, block, name, f"{path}.{key}")
        return body

    def _typed(self, value: Any, tf_type: Any, path: str) -> Any:
        """A JSON value of the attribute's type; objects get every attribute (null where unset),
        as Terraform's JSON syntax requires."""
        if value is None:
            return None
        if isinstance(value, Unknown):
            self.problems.append(f"{path}: unknown at preview (the mocks compute no value for it)")
            return None
        if isinstance(value, _Reference):
            return self._expression(value, path)
        if isinstance(tf_type, list) and tf_type[0] in ("list", "set"):
            return [self._typed(item, tf_type[1], path) for item in _as_list(value)]
        if isinstance(tf_type, list) and tf_type[0] == "map":
            return {key: self._typed(item, tf_type[1], path) for key, item in value.items()}
        if isinstance(tf_type, list) and tf_type[0] == "object":
            return self._object(value, tf_type[1], path)
        return _scalar(value, tf_type, path, self.problems)

    def _object(self, value: Any, attributes: dict[str, Any], path: str) -> dict[str, Any]:
        block = {"attributes": {name: {"type": type_} for name, type_ in attributes.items()}}
        body: dict[str, Any] = dict.fromkeys(attributes)
        for key, item in value.items():
            name = schema_name(block, key)
            if name is None:
                self.problems.append(f"{path}: {key} is no attribute of the object")
                continue
            body[name] = self._typed(item, attributes[name], f"{path}.{key}")
        return body

    def _expression(self, reference: _Reference, path: str) -> str:
        source = reference.resource
        if source.type == RANDOM_PASSWORD:
            # hashicorp/random is not in the mirror. AWS never sees the generated password at plan
            # time either; what the provider can check is a token of the length and character set
            # the program asks random for (ElastiCache: 16-128 printable characters, no " / @).
            self.notes.append(f"{path}: {source.name}.result replaced by a literal token of its length and characters")
            return _escape(password_placeholder(source.inputs))
        if source.urn not in self.addresses:
            self.problems.append(f"{path}: refers to {source.name} ({source.type}), which has no Terraform resource")
            return ""
        tf_type = self.addresses[source.urn].split(".", 1)[0]
        attribute = "id" if reference.attribute == "id" else schema_name(
            self.schema.resource(tf_type), reference.attribute, PROPERTY_RENAMES.get(source.type, {}))
        if attribute is None:
            self.problems.append(f"{path}: {source.name}.{reference.attribute} is no attribute of {tf_type}")
            return ""
        return f"${{{self.addresses[source.urn]}.{attribute}}}"

    def _depends_on(self, resource: PreviewResource) -> list[str]:
        """Explicit dependencies, the resource's own and its components' (a component has no
        Terraform counterpart, so what it waits for, its resources wait for)."""
        urns: list[str] = []
        current: PreviewResource | None = resource
        while current is not None:
            urns += current.depends_on
            parent = self.by_urn.get(current.parent)
            current = parent if parent is not None and parent.type.startswith(COMPONENT_PREFIX) else None
        addresses: list[str] = []
        for urn in urns:
            for address in self._custom_addresses(urn):
                if address not in addresses:
                    addresses.append(address)
        return addresses

    def _custom_addresses(self, urn: str) -> list[str]:
        if urn in self.addresses:
            return [self.addresses[urn]]
        return [address for child in self.result.resources if child.parent == urn
                for address in self._custom_addresses(child.urn)]

    def _lifecycle(self, resource: PreviewResource, block: dict[str, Any]) -> dict[str, Any]:
        lifecycle: dict[str, Any] = {}
        ignored = []
        for path in resource.ignore_changes:
            name = schema_name(block, path.split(".")[0], PROPERTY_RENAMES.get(resource.type, {}))
            if name is None or "." in path:
                self.problems.append(f"{resource.name}: ignoreChanges {path} is no top-level argument")
            else:
                ignored.append(name)
        if ignored:
            lifecycle["ignore_changes"] = ignored
        if resource.protect:
            lifecycle["prevent_destroy"] = True  # Pulumi's protect: the engine refuses to delete it
        if resource.retain_on_delete:
            # Pulumi's retainOnDelete (delete from the state, keep the resource) has no lifecycle
            # argument in Terraform; it changes nothing a provider checks, so it is left out.
            self.notes.append(f"{resource.name}: retainOnDelete left out (no Terraform lifecycle equivalent)")
        return lifecycle


def terraform_config(result: PreviewResult, schema: ProviderSchema) -> TerraformConfig:
    """``result`` as provider configuration; :class:`ConversionError` lists what cannot be."""
    return _Converter(result, schema).convert()


def password_placeholder(inputs: dict[str, Any]) -> str:
    """A stand-in for a RandomPassword's result: its length, cycling through every character
    class it enables (``upper``, ``lower``, ``numeric``, ``special`` with ``overrideSpecial``),
    so the provider's checks see each character random may produce."""
    classes = [chars for key, chars in (("upper", "PREVIEW"), ("lower", "token"), ("numeric", "0"))
               if inputs.get(key, True)]
    if inputs.get("special", True):
        classes.append(inputs.get("overrideSpecial", RANDOM_DEFAULT_SPECIALS))
    pattern = "".join(classes)
    if not pattern:
        raise ValueError(f"a RandomPassword with no character class: {inputs}")
    length = int(inputs.get("length", 16))
    return (pattern * (length // len(pattern) + 1))[:length]


def _autoname(resource: PreviewResource, block: dict[str, Any], body: dict[str, Any]) -> None:
    """The name pulumi-aws would give a resource the program leaves unnamed (AUTONAME_SUFFIX_HEX)."""
    if "name" in block.get("attributes", {}) and settable(block, "name") and not {"name", "name_prefix"} & set(body):
        digest = hashlib.sha256(resource.name.encode()).hexdigest()[:AUTONAME_SUFFIX_HEX]
        body["name"] = f"{resource.name}-{digest}"


def _scalar(value: Any, tf_type: Any, path: str, problems: list[str]) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if tf_type == "bool" and isinstance(value, str) and value in ("true", "false"):
        return value == "true"  # provider inputs arrive JSON-encoded as strings
    if tf_type == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if tf_type == "string" and isinstance(value, str):
        return _escape(value)
    if isinstance(value, (dict, list)):
        problems.append(f"{path}: expected a {tf_type}, got {_short(value)}")
    return value


def _escape(text: str) -> str:
    """A literal string: ``${`` and ``%{`` would start a template in Terraform's JSON syntax."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _identifier(name: str) -> str:
    if _IDENTIFIER.match(name):
        return name
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return cleaned if _IDENTIFIER.match(cleaned) else f"_{cleaned}"


def _block_label(resource: PreviewResource) -> str:
    return TERRAFORM_TYPES.get(resource.type, "the aws provider" if resource.type == AWS_PROVIDER else resource.type)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
