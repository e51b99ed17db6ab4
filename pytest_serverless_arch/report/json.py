"""The JSON report: a stable interface for CI systems.

The text is exactly ``json.dumps(report, indent=2)``: the standard library
writes an indented document with its pure-Python encoder (its C encoder only
writes without indentation), a chain of generators per value; :func:`indented_json`
writes the same characters with one recursive function and the C string
escaper, about twice as fast on a big report. A list of strings, and a list of
records (objects of scalars: the report's functions, triggers, errors...), are
written in one go by the C escaper and the C encoder, whose checks of the
items' types run in C too.

>>> indented_json({"units": [{"name": "orders", "domain": None}], "ok": True, "waves": []})
'{\\n  "units": [\\n    {\\n      "name": "orders",\\n      "domain": null\\n    }\\n  ],\\n  "ok": true,\\n  "waves": []\\n}'
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from itertools import chain
from json.encoder import encode_basestring_ascii
from typing import Any

__all__ = ["indented_json", "render_json"]

_INFINITY = float("inf")
_STRINGS = frozenset((str,))
_DICTS = frozenset((dict,))
_SCALARS = frozenset((str, int, float, bool, type(None)))  # exact types: a subclass takes the general way
# The C encoder of a list of records at each indentation (see _write_records), by that indentation
_RECORDS: dict[str, Callable[[Any, int], Any]] = {}
# the standard library's C encoder (json.dumps without indentation), None where it is not built
_c_make_encoder: Callable[..., Callable[[Any, int], Any]] | None = getattr(json.encoder, "c_make_encoder", None)


def render_json(report: dict[str, Any]) -> str:
    return indented_json(report) + "\n"


def indented_json(value: Any) -> str:
    """``json.dumps(value, indent=2)``, character for character (anything it cannot write raises as it does)."""
    pieces: list[str] = []
    try:
        _write(value, "\n", pieces)
    except (TypeError, ValueError, RecursionError):
        return json.dumps(value, indent=2)  # the standard library's own error (or a cycle) for what is not JSON
    return "".join(pieces)


def _scalar(value: Any) -> str | None:
    """The JSON text of a string, number, boolean or null; None for a container (or what JSON cannot hold)."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value == _INFINITY:
            return "Infinity"
        if value == -_INFINITY:
            return "-Infinity"
        return float.__repr__(value)
    return None


def _key(key: Any) -> str:
    """A dict key as ``json.dumps`` writes it (strings, numbers, booleans and None; anything else raises)."""
    if isinstance(key, str):
        return encode_basestring_ascii(key)
    if isinstance(key, (int, float)) or key is None:  # bool is an int
        text = _scalar(key)
        assert text is not None
        return encode_basestring_ascii(text)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _write(value: Any, newline: str, pieces: list[str]) -> None:
    """Append the text of ``value``; ``newline`` is a newline and the indentation of the line it starts on."""
    text = _scalar(value)
    if text is not None:
        pieces.append(text)
        return
    if isinstance(value, (list, tuple)):
        if not value:
            pieces.append("[]")
            return
        inner = newline + "  "
        if _STRINGS.issuperset(map(type, value)):
            pieces.append("[" + inner + ("," + inner).join(map(encode_basestring_ascii, value)) + newline + "]")
            return
        if _records(value):
            _write_records(value, newline, pieces)
            return
        pieces.append("[")
        separator = inner
        for item in value:
            pieces.append(separator)
            separator = "," + inner
            text = encode_basestring_ascii(item) if type(item) is str else _scalar(item)  # most values are strings
            if text is not None:
                pieces.append(text)
            else:
                _write(item, inner, pieces)
        pieces.append(newline)
        pieces.append("]")
        return
    if isinstance(value, dict):
        if not value:
            pieces.append("{}")
            return
        inner = newline + "  "
        pieces.append("{")
        separator = inner
        for key, item in value.items():
            pieces.append(separator)
            separator = "," + inner
            pieces.append(encode_basestring_ascii(key) if type(key) is str else _key(key))
            pieces.append(": ")
            text = encode_basestring_ascii(item) if type(item) is str else _scalar(item)
            if text is not None:
                pieces.append(text)
            else:
                _write(item, inner, pieces)
        pieces.append(newline)
        pieces.append("}")
        return
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _records(value: list[Any] | tuple[Any, ...]) -> bool:
    """Whether every item is a non-empty ``dict`` of scalars (each checked by its exact type, in C)."""
    return (
        _c_make_encoder is not None
        and _DICTS.issuperset(map(type, value))
        and all(value)
        and _SCALARS.issuperset(map(type, chain.from_iterable(map(dict.values, value))))
    )


def _write_records(value: list[Any] | tuple[Any, ...], newline: str, pieces: list[str]) -> None:
    """Append a list of records (see :func:`_records`) as ``json.dumps(indent=2)`` lays it out, encoded in C.

    The C encoder separates every item by a comma, a newline and the records' fields' indentation;
    between two records that is wrong, and there it follows a ``}`` (a scalar never ends with one).
    """
    inner = newline + "  "
    field = inner + "  "
    encoder = _RECORDS.get(field)
    if encoder is None:
        assert _c_make_encoder is not None  # _records said so
        encoder = _c_make_encoder(None, None, encode_basestring_ascii, None, ": ", "," + field, False, False, True)
        _RECORDS[field] = encoder
    text = "".join(encoder(value, 0))
    pieces.append("[" + inner + "{" + field)
    pieces.append(text[2:-2].replace("}," + field + "{", inner + "}," + inner + "{" + field))
    pieces.append(inner + "}" + newline + "]")
