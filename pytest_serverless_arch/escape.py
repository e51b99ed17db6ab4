"""Text taken from a repository, made safe to show on one line of a terminal or a report.

Logical ids, file names and parser messages come from untrusted files: an
ANSI escape in a logical id would recolour (or rewrite) a terminal, a newline
would forge a report line, a lone surrogate cannot be encoded at all.
:func:`printable` escapes all of them; :func:`excerpt` also shortens.

>>> printable("Queue\\x1b[31m\\nFAKE")
'Queue\\\\x1b[31m\\\\nFAKE'
>>> excerpt("x" * 100, limit=10)
'xxxxxxxxxx...'
"""

from __future__ import annotations

import re

__all__ = ["excerpt", "printable"]

# C0 and C1 controls, DEL, lone surrogates, and the line/paragraph separators some terminals honour.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character, separator and lone surrogate escaped (``\\n``, ``\\x1b``, ``\\udc80``)."""
    return _UNPRINTABLE.sub(_escape, text)


def excerpt(text: str, limit: int = 40) -> str:
    """At most ``limit`` characters of ``text``, escaped, with ``...`` when cut."""
    return printable(text[:limit]) + ("..." if len(text) > limit else "")
