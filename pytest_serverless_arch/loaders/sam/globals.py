"""SAM ``Globals``: merged into each resource the way the SAM transform merges them.

SAM's rules: a mapping in both places is merged key by key (recursively), a
list in both places is the global items followed by the local ones, and in
every other case (scalars, mismatched types, intrinsic functions such as
``!Ref``) the resource's own value wins.

>>> merged = merge_globals({"Timeout": 3, "Environment": {"Variables": {"A": "1"}}},
...                        {"Environment": {"Variables": {"B": "2"}}})
>>> dict(merged["Environment"]["Variables"]), merged["Timeout"]
({'A': '1', 'B': '2'}, 3)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...parse import LineDict, LineList, line_of

__all__ = ["GLOBALS_SECTION_BY_TYPE", "globals_for", "globals_tags", "merge_globals"]

# Which ``Globals`` section applies to which SAM resource type.
GLOBALS_SECTION_BY_TYPE: dict[str, str] = {
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::Api": "Api",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::WebSocketApi": "WebSocketApi",
    "AWS::Serverless::SimpleTable": "SimpleTable",
    "AWS::Serverless::StateMachine": "StateMachine",
    "AWS::Serverless::LayerVersion": "LayerVersion",
    "AWS::Serverless::CapacityProvider": "CapacityProvider",
}


def globals_for(document: Mapping[str, Any], type_name: str, ignore: Any = None) -> Mapping[str, Any]:
    """The ``Globals`` section that applies to ``type_name`` (empty when there is none).

    ``ignore`` is the resource's ``IgnoreGlobals`` attribute: ``"*"`` or a list of property names.
    """
    section = GLOBALS_SECTION_BY_TYPE.get(type_name)
    all_globals = document.get("Globals")
    if section is None or not isinstance(all_globals, Mapping) or ignore == "*":
        return LineDict()
    found = all_globals.get(section)
    if not isinstance(found, Mapping):
        return LineDict()
    if isinstance(ignore, list):
        kept = LineDict((key, value) for key, value in found.items() if key not in ignore)
        kept.line = line_of(found)
        kept.key_lines = {key: line for key, line in getattr(found, "key_lines", {}).items() if key in kept}
        return kept
    return found


def _is_intrinsic(value: Any) -> bool:
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::") or key == "Condition")


def merge_globals(global_value: Any, local_value: Any) -> Any:
    """``local_value`` with ``global_value`` merged in; lines of both are kept."""
    if (
        isinstance(global_value, Mapping)
        and isinstance(local_value, Mapping)
        and not _is_intrinsic(global_value)
        and not _is_intrinsic(local_value)
    ):
        merged = LineDict()
        merged.line = line_of(local_value) or line_of(global_value)
        global_lines = getattr(global_value, "key_lines", {})
        local_lines = getattr(local_value, "key_lines", {})
        for key, value in global_value.items():
            merged[key] = value
            if key in global_lines:
                merged.key_lines[key] = global_lines[key]
        for key, value in local_value.items():
            merged[key] = merge_globals(merged[key], value) if key in merged else value
            if key in local_lines:
                merged.key_lines[key] = local_lines[key]
        return merged
    if isinstance(global_value, list) and isinstance(local_value, list):
        combined = LineList(list(global_value) + list(local_value))
        combined.line = line_of(local_value) or line_of(global_value)
        combined.item_lines = _item_lines(global_value) + _item_lines(local_value)
        return combined
    return local_value


def _item_lines(items: list[Any]) -> list[int]:
    lines = list(getattr(items, "item_lines", []))
    return lines + [line_of(items)] * (len(items) - len(lines))


def globals_tags(document: Any) -> dict[str, str]:
    """Literal ``Globals`` tags of a SAM template (``Function``, ``Api``, ``HttpApi``, ...), merged.

    >>> globals_tags({"Globals": {"Function": {"Tags": {"domain": "orders"}}}})
    {'domain': 'orders'}
    """
    found: dict[str, str] = {}
    sections = document.get("Globals") if isinstance(document, Mapping) else None
    if not isinstance(sections, Mapping):
        return found
    for section in sections.values():
        tags = section.get("Tags") if isinstance(section, Mapping) else None
        if isinstance(tags, Mapping):
            for key, value in tags.items():
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    found.setdefault(str(key), str(value))
    return found
