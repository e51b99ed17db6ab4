"""Terraform's files as blocks and attributes that keep their line numbers: reading, caching, both syntaxes.

The native syntax (``.tf``, ``.tfvars``) is read by :mod:`.hcl_native`
(tree-sitter-hcl), the JSON syntax (``.tf.json``) here; both give the
:mod:`.hcl_model` shapes, with attribute values serialized the classic
python-hcl2 way (strings without quotes, expressions as ``"${...}"`` strings,
objects as dicts, tuples as lists).

>>> hcl = parse_hcl('resource "aws_sqs_queue" "jobs" {\\n  name = "jobs-${var.stage}"\\n}\\n', "main.tf")
>>> block = hcl.blocks[0]
>>> block.type, block.labels, block.line, block.attributes["name"].value, block.attributes["name"].line
('resource', ('aws_sqs_queue', 'jobs'), 1, 'jobs-${var.stage}', 2)
>>> parse_expression('{ queue = aws_sqs_queue.jobs.arn, batch = 10 }')
{'queue': '${aws_sqs_queue.jobs.arn}', 'batch': 10}
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ...files import UnreadableFile, confine, read_text
from .hcl_model import Attribute, Block, HclError, HclFile, dynamic_blocks, undynamic
from .hcl_native import parse_native

__all__ = [
    "Attribute",
    "Block",
    "dynamic_blocks",
    "undynamic",
    "HclError",
    "HclFile",
    "TERRAFORM_SUFFIXES",
    "is_terraform_file",
    "parse_expression",
    "parse_hcl",
    "parse_tf_json",
    "read_hcl_file",
]

MAX_HCL_BYTES = 2_000_000
TERRAFORM_SUFFIXES = (".tf", ".tf.json")


def is_terraform_file(name: str) -> bool:
    """A configuration file Terraform reads from a module directory (native or JSON syntax)."""
    return name.endswith(TERRAFORM_SUFFIXES)


def parse_hcl(text: str, path: str) -> HclFile:
    """Parse HCL native syntax; raises :class:`HclError` with the line of the first syntax error."""
    return parse_native(text, path)


@functools.lru_cache(maxsize=512)
def _cached_parse(real_path: str, root: str, mtime_ns: int, size: int, relpath: str) -> HclFile | HclError:
    try:
        text = read_text(real_path, root, limit=MAX_HCL_BYTES)
        return parse_tf_json(text, relpath) if relpath.endswith(".json") else parse_hcl(text, relpath)
    except HclError as exc:
        return exc
    except UnreadableFile as exc:
        return HclError(f"file {exc.reason}", exc.line)


def read_hcl_file(path: Path, relpath: str, root: Path) -> HclFile:
    """Read and parse one file (HCL, or JSON syntax for ``.json``), once per run (cached by path, size and mtime).

    The file is read through :func:`~pytest_serverless_arch.files.read_text`: a
    symlink out of ``root``, a FIFO or a device is an :class:`HclError`, never read.
    """
    try:
        real = confine(path, root)
        stat = real.stat()
    except UnreadableFile as exc:
        raise HclError(f"file {exc.reason}", 0) from None
    except OSError as exc:
        raise HclError(f"file cannot be read ({exc.strerror})", 0) from None
    result = _cached_parse(str(real), str(root), stat.st_mtime_ns, stat.st_size, relpath)
    if isinstance(result, HclError):
        raise HclError(result.message, result.line)
    return result


@functools.lru_cache(maxsize=1024)
def _parse_expression_cached(text: str) -> Any:
    return parse_native(f"value = {text}\n", "").attributes["value"].value


def parse_expression(text: str) -> Any:
    """An HCL expression (an object or tuple constructor, say) as a Python value, or None."""
    try:
        return _parse_expression_cached(text)
    except Exception:  # noqa: BLE001 - any parser failure means "not a literal we can read"
        return None


# --- Terraform's JSON syntax (``.tf.json``, what CDKTF synthesizes) -------------------

# Label counts of the top-level blocks; JSON nests one object level per label.
_TOP_LEVEL_LABELS = {
    "resource": 2,
    "data": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
    "check": 1,
}
# JSON cannot tell a nested block from an object-valued attribute without the provider schema:
# these names (the blocks this reader looks into, and Terraform's own) are read as blocks.
_NESTED_BLOCK_LABELS = {"backend": 1, "dynamic": 1, "provisioner": 1, "cloud": 0}
NESTED_BLOCK_NAMES = frozenset(
    {
        "lifecycle",
        "connection",
        "content",
        "statement",
        "principals",
        "not_principals",
        "condition",
        "environment",
        "dead_letter_config",
        "destination_config",
        "on_success",
        "on_failure",
        "self_managed_event_source",
        "lambda_function",
        "queue",
        "topic",
        "target",
        "lambda",
        "error_action",
        "lambda_action",
        "lambda_config",
        "custom_email_sender",
        "custom_sms_sender",
        "pre_token_generation_config",
        "inline_policy",
        "default_tags",
        "required_providers",
        "vpc_config",
        "tracing_config",
        "filter_criteria",
        "filter",
        "sqs_target",
        "retry_policy",
        "input_transformer",
        "logging_configuration",
        "timeouts",
        *_NESTED_BLOCK_LABELS,
    }
)


def _json_line(mapping: Any, key: str, default: int) -> int:
    lines = getattr(mapping, "key_lines", None) or {}
    return int(lines.get(key, default) or default)


def _json_bodies(value: Any, line: int) -> list[tuple[Any, int]]:
    """A block's JSON value: one object, or an array of objects (the block given several times)."""
    if isinstance(value, dict):
        return [(value, line)]
    if isinstance(value, list):
        item_lines = getattr(value, "item_lines", None) or []
        return [
            (item, item_lines[index] if index < len(item_lines) else line)
            for index, item in enumerate(value)
            if isinstance(item, dict)
        ]
    return []


def _json_blocks(type_name: str, labels_left: int, value: Any, line: int, path: str, labels: tuple[str, ...] = ()) -> list[Block]:
    """The blocks a JSON property stands for, peeling one object level per label."""
    if labels_left == 0:
        found = []
        for body, body_line in _json_bodies(value, line):
            attributes, blocks, duplicates = _json_body(body, path)
            found.extend(undynamic(Block(type_name, labels, body_line, path, attributes, blocks, duplicates)))
        return found
    found = []
    for body, _ in _json_bodies(value, line):
        for label, inner in body.items():
            if label == "//":
                continue
            found += _json_blocks(type_name, labels_left - 1, inner, _json_line(body, label, line), path, (*labels, str(label)))
    return found


def _json_body(body: dict[str, Any], path: str) -> tuple[dict[str, Attribute], tuple[Block, ...], tuple[tuple[str, int], ...]]:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for name, value in body.items():
        if name == "//":  # Terraform's JSON comment property
            continue
        line = _json_line(body, name, 0)
        if name in NESTED_BLOCK_NAMES and isinstance(value, (dict, list)) and _json_bodies(value, line):
            blocks += _json_blocks(name, _NESTED_BLOCK_LABELS.get(name, 0), value, line, path)
        else:
            attributes[name] = Attribute(name, value, line)
    return attributes, tuple(blocks), ()


def parse_tf_json(text: str, path: str) -> HclFile:
    """Parse a ``.tf.json`` file into the same blocks and attributes the HCL syntax gives.

    String values are templates in this syntax, so ``"${aws_sqs_queue.q.arn}"`` is the
    expression the HCL path serializes the same way.

    >>> text = '{\\n "resource": {\\n  "aws_sqs_queue": {\\n   "q": {\\n    "name": "jobs"\\n   }\\n  }\\n }\\n}'
    >>> tf = parse_tf_json(text, "main.tf.json")
    >>> block = tf.blocks[0]
    >>> block.type, block.labels, block.line, block.attributes["name"].line
    ('resource', ('aws_sqs_queue', 'q'), 4, 5)
    """
    from ...parse import ParseError, parse_json

    try:
        document = parse_json(text)
    except ParseError as exc:
        raise HclError(f"JSON syntax error: {exc.message}", exc.line) from None
    if not isinstance(document, dict):
        raise HclError("a Terraform JSON file must hold an object", 1)
    blocks: list[Block] = []
    for name, value in document.items():
        if name == "//":
            continue
        line = _json_line(document, name, 1)
        if name not in _TOP_LEVEL_LABELS:
            blocks.append(Block(str(name), (), line, path))  # reported as an unknown block by the module reader
            continue
        blocks += _json_blocks(name, _TOP_LEVEL_LABELS[name], value, line, path)
    return HclFile(path, tuple(blocks), {})
