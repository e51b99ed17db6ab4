"""Where a YAML scalar's text starts, so a script inside it keeps its file's line numbers.

A block scalar (``run: |`` or ``script: >-``) starts on the line after its key;
any other scalar starts on the key's line.

Example::

    >>> block_start(["steps:", "  - run: |", "      sam deploy"], 2)
    3
    >>> block_start(["  - run: sam deploy"], 1)
    1
"""

from __future__ import annotations

import re

__all__ = ["block_start"]

_BLOCK_INDICATOR = re.compile(r"""(?::|^\s*-)\s*[|>][-+0-9]*\s*(?:#.*)?$""")


def block_start(lines: list[str], line: int) -> int:
    """The first line of the scalar whose key (or list item) is on 1-based ``line``."""
    if 1 <= line <= len(lines) and _BLOCK_INDICATOR.search(lines[line - 1]):
        return line + 1
    return line
