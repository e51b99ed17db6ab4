"""The JSON report's writer (report/json.py) writes exactly what ``json.dumps(..., indent=2)`` writes."""

from __future__ import annotations

import enum
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless_arch.report.json import indented_json, render_json

from .hypothesis_support import property_settings

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),  # any code point, surrogates and controls included: escaped as json escapes them
)
KEYS = st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_any_json_value_is_written_as_json_dumps_writes_it_indented(value):
    assert indented_json(value) == json.dumps(value, indent=2)


class Level(enum.IntEnum):
    HIGH = 3


class Word(str, enum.Enum):
    YES = "yes"


def test_subclasses_of_int_and_str_are_written_as_their_plain_values():
    value = {"level": Level.HIGH, "word": Word.YES, Level.HIGH: [Word.YES]}
    assert indented_json(value) == json.dumps(value, indent=2)


def test_what_json_cannot_write_raises_what_json_dumps_raises():
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"units": [object()]})
    with pytest.raises(TypeError, match="keys must be"):
        indented_json({("a", "b"): 1})
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        indented_json(cycle)


def test_the_report_ends_with_one_newline():
    assert render_json({"version": 1, "units": []}) == '{\n  "version": 1,\n  "units": []\n}\n'


# a report is mostly lists of records (objects of scalars) and lists of strings: written in one go by the C encoder
RECORDS = st.lists(st.dictionaries(KEYS, SCALARS, min_size=1, max_size=5), min_size=1, max_size=6)
STRINGS = st.lists(st.text(), min_size=1, max_size=6)


@property_settings
@given(st.dictionaries(st.text(max_size=3), st.one_of(RECORDS, STRINGS, st.lists(RECORDS, max_size=3)), max_size=3))
def test_lists_of_records_and_of_strings_are_written_as_json_dumps_writes_them_indented(value):
    assert indented_json(value) == json.dumps(value, indent=2)


def test_a_record_whose_strings_spell_the_separators_is_still_written_as_json_dumps_writes_it():
    records = [{"a": "},\n      {", "}": "{", "n": None, 1.5: float("nan")}, {"b": "\x00", "c": -0.0, True: "\\"}]
    assert indented_json({"units": records}) == json.dumps({"units": records}, indent=2)
    mixed = [{"a": 1}, {"b": [1]}, {}, Level.HIGH]  # not records: the general way
    assert indented_json(mixed) == json.dumps(mixed, indent=2)
