"""YAML as stack and config files are read: nothing silently dropped or reinterpreted.

PyYAML follows YAML 1.1, which a hand-written file trips over without a word: a second
``clusters:`` key replaces the first (and ``pulumi up`` would then delete the clusters
it held), ``key_bytes: 020`` is octal 16 and ``1:30`` is base-60 90. This loader refuses
each, at its line, and otherwise reads what the safe loader reads (LibYAML's parser
where PyYAML has it).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError

_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OCTAL = re.compile(r"[-+]?0[0-7_]+")
"""YAML 1.1's octal integers (PyYAML's int resolver): a leading 0 and more digits."""
_MERGE_TAG = "tag:yaml.org,2002:merge"


class StrictLoader(_BASE):  # type: ignore[valid-type,misc]
    """The safe loader, refusing duplicate keys and YAML 1.1's octal and base-60 numbers."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_lines: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue  # '<<' merges are overridden on purpose
            line = key_node.start_mark.line + 1
            if key_node.value in first_lines:
                raise ConstructorError(None, None, f"duplicate key '{key_node.value}' (first on line "
                                                   f"{first_lines[key_node.value]}): a second one would replace it",
                                       key_node.start_mark)
            first_lines[key_node.value] = line
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]


def _integer(loader: StrictLoader, node: yaml.ScalarNode) -> int:
    text = str(node.value)
    if _OCTAL.fullmatch(text):
        raise ConstructorError(None, None, f"'{text}' is ambiguous: YAML 1.1 reads a leading 0 as octal "
                                           f"({loader.construct_yaml_int(node)}); write it without the 0, "
                                           "or quoted if it is text", node.start_mark)
    if ":" in text:
        raise ConstructorError(None, None, f"'{text}' is ambiguous: YAML 1.1 reads it as base 60 "
                                           f"({loader.construct_yaml_int(node)}); quote it if it is text",
                               node.start_mark)
    return int(loader.construct_yaml_int(node))


def _float(loader: StrictLoader, node: yaml.ScalarNode) -> float:
    if ":" in str(node.value):
        raise ConstructorError(None, None, f"'{node.value}' is ambiguous: YAML 1.1 reads it as base 60; "
                                           "quote it if it is text", node.start_mark)
    return float(loader.construct_yaml_float(node))


StrictLoader.add_constructor("tag:yaml.org,2002:int", _integer)
StrictLoader.add_constructor("tag:yaml.org,2002:float", _float)


def load_yaml(text: str) -> Any:
    """The document in ``text``, read strictly (raises ``yaml.YAMLError`` with a mark)."""
    return yaml.load(text, Loader=StrictLoader)  # a subclass of the safe loader
