"""Where a YAML scalar's text starts, so a script inside it keeps its file's line numbers.

A block scalar (``run: |`` or ``script: >-``) starts on the line after its key;
any other scalar starts on the key's line. A folded scalar (``>``) joins its
lines with spaces, which would put every word of a long command on its first
line: :func:`script_source` gives the shell the written lines instead, joined
with ``\\`` continuations, so each word keeps its own line.

Example::

    >>> block_start(["steps:", "  - run: |", "      sam deploy"], 2)
    3
    >>> block_start(["  - run: sam deploy"], 1)
    1
"""

from __future__ import annotations

import re

__all__ = ["block_start", "script_source"]

_BLOCK_INDICATOR = re.compile(r"""(?::|^\s*-)\s*[|>][-+0-9]*\s*(?:#.*)?$""")


def block_start(lines: list[str], line: int) -> int:
    """The first line of the scalar whose key (or list item) is on 1-based ``line``."""
    if 1 <= line <= len(lines) and _BLOCK_INDICATOR.search(lines[line - 1]):
        return line + 1
    return line


_FOLDED = re.compile(r"""(?::|^\s*-)\s*>[-+0-9]*\s*(?:#.*)?$""")


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def script_source(lines: list[str], line: int, value: str) -> tuple[str, int]:
    r"""``(text, first line)`` of the script in the scalar whose key is on 1-based ``line``.

    >>> script_source(["- >", "  sam deploy", "  --stack-name shop"], 1, "sam deploy --stack-name shop")
    ('sam deploy \\\n--stack-name shop', 2)
    """
    first = block_start(lines, line)
    if not (1 <= line <= len(lines)) or not _FOLDED.search(lines[line - 1]):
        return value, first
    body: list[str] = []
    indent = None
    for raw in lines[first - 1 :]:
        if raw.strip():
            if indent is None:
                indent = _indent(raw)
            elif _indent(raw) < indent:
                break
        body.append(raw)
    while body and not body[-1].strip():
        body.pop()
    if indent is None:
        return value, first
    body = [raw[indent:] if raw.strip() else "" for raw in body]
    out = []
    for index, text in enumerate(body):
        following = body[index + 1] if index + 1 < len(body) else ""
        folds = text and following and not text[0].isspace() and not following[0].isspace()
        out.append(text + " \\" if folds else text)
    rebuilt = "\n".join(out)
    # only when the written lines say what YAML folded; anything unusual keeps YAML's own value
    if rebuilt.replace(" \\\n", " ").strip() != value.strip():
        return value, first
    return rebuilt, first
