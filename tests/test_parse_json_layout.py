"""Issue 19: JSON laid out one value to a line is parsed by the C ``json`` module, with the lines the readers give.

``parse_json`` first tries :func:`_read_laid_out`, which proves the layout with
string operations and takes every line from the document's structure; any
other text goes to :func:`_read_json` (the short reader, then the exact
decoder). Every test holds the two side by side: the same values of the same
types, the same lines and columns of every mapping, key and item, or the same
error at the same line.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import parse
from pytest_serverless_arch.parse import ParseError, parse_json

from .helpers import CORPUS, assert_parses_alike
from .hypothesis_support import property_settings


def assert_reads_as_the_readers_do(text: str) -> None:
    assert_parses_alike(parse_json, parse._read_json, text)


def laid_out(text: str) -> bool:
    """Whether the C path reads ``text`` itself (else the readers do)."""
    try:
        parse._read_laid_out(text, parse.node_limit(text))
    except parse._NotPlainJSON:
        return False
    return True


TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Timeout": 30,
                "Ratio": 1.5,
                "On": True,
                "Off": None,
                "Layers": [],
                "Role": {"Fn::GetAtt": ["R", "Arn"]},
            },
        },
    },
}


def test_a_template_laid_out_by_json_dumps_gets_every_line_and_column_from_its_structure():
    text = json.dumps(TEMPLATE, indent=2) + "\n"
    assert laid_out(text)
    document = parse_json(text)
    function = document["Resources"]["Fn"]
    assert (document.key_lines, document["Resources"].key_lines) == (
        {"AWSTemplateFormatVersion": 2, "Resources": 3},
        {"Queue": 4, "Fn": 8},
    )
    properties = function["Properties"]
    assert properties.key_lines == {"Timeout": 11, "Ratio": 12, "On": 13, "Off": 14, "Layers": 15, "Role": 16}
    empty_list, get_att = properties["Layers"], properties["Role"]["Fn::GetAtt"]
    assert (empty_list.line, empty_list.column, empty_list.item_lines) == (15, 19, [])
    assert (get_att.line, get_att.column, get_att.item_lines) == (17, 25, [18, 19])
    empty_mapping = document["Resources"]["Queue"]["Properties"]
    assert (empty_mapping.line, empty_mapping.column, empty_mapping._key_lines) == (6, 21, None)
    assert (document.line, document.column, properties.line, properties.column) == (1, 1, 10, 21)
    assert_reads_as_the_readers_do(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(json.dumps(TEMPLATE, indent=4), id="four spaces"),
        pytest.param(json.dumps(TEMPLATE, indent="\t"), id="tabs"),
        pytest.param(json.dumps(TEMPLATE, indent=2).replace("\n", "\r\n") + "\r\n", id="CRLF"),
        pytest.param("\n\n   " + json.dumps(TEMPLATE, indent=2) + "\n\n", id="blank lines and spaces before"),
        pytest.param(json.dumps({"é": ["ü", "\n\t\u2028"]}, indent=2, ensure_ascii=False), id="non-ASCII written"),
        pytest.param(json.dumps({"é": ["ü", "\u2028"]}, indent=2), id="non-ASCII escaped"),
        pytest.param("[\n  1,\n  -2.5,\n  1e-05,\n  true,\n  null\n]", id="numbers and literals"),
        pytest.param("{}", id="an empty mapping"),
        pytest.param('"text"', id="a string"),
    ],
)
def test_the_layouts_json_dumps_writes_are_read_by_the_c_path_as_the_readers_read_them(text: str) -> None:
    assert laid_out(text)
    assert_reads_as_the_readers_do(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"a": 1,\n "b": 2}', id="a first key on the opening line"),
        pytest.param('{\n  "a": 1,\n  "b": 2}', id="a closing bracket after the last value"),
        pytest.param('[\n{"a": 1},\n{"a": 1}\n]', id="one-line mappings in a list"),
        pytest.param('[\n["a"],\n["b"]\n]', id="one-line lists in a list"),
        pytest.param('{\n"a": ["b"],\n"c": 1\n}', id="a one-line list before a value"),
        pytest.param('{\n  "a": 1, "b": 2\n}', id="two values on one line"),
        pytest.param('{\n  "a":\n    1,\n  "b": 2,\n  "c": 3\n}', id="a value on the line after its key"),
        pytest.param('{\n  "a": 1,\n\n  "b": 2\n}', id="a blank line"),
        pytest.param('{\n  "a": {\n  },\n  "b": [\n  ]\n}', id="empty containers over two lines"),
        pytest.param('{\n  "a": 1,\n  "a": 2\n}', id="a key written twice"),
        pytest.param('{\n  "a": NaN\n}', id="NaN"),
        pytest.param('{\n  "a": 1.50\n}', id="a number not written as json writes it"),
        pytest.param('{\n  "a": "\\/"\n}', id="an escape json does not write"),
        pytest.param('{\n  "a": 1 ,\n  "b": 2\n}', id="a space before a comma"),
        pytest.param('{\n  "a": 1\r  ,"b": 2\n}', id="a lone carriage return"),
        pytest.param('{\n  "a": 1,\n  "b": 2\n}\n{}', id="extra data"),
        pytest.param('{\n  "a": [\n    1,\n    2\n  \n}', id="broken"),
        pytest.param('\ufeff{\n  "a": 1\n}', id="a byte order mark"),
        pytest.param('{\n  "a": ' + "7" * 5000 + "\n}", id="an integer too long for Python"),
    ],
)
def test_any_other_text_is_left_to_the_readers(text: str) -> None:
    assert not laid_out(text)
    assert_reads_as_the_readers_do(text)


def test_json_nested_past_the_depth_bound_is_left_to_the_exact_decoder_which_refuses_it_at_its_line():
    text = json.dumps(json.loads("[" * 120 + "]" * 120), indent=1)
    assert not laid_out(text)
    with pytest.raises(ParseError) as caught:
        parse_json(text)
    assert (caught.value.line, caught.value.message) == (101, "JSON nesting is deeper than 100 levels; refusing to read it")


def test_a_laid_out_document_past_the_node_bound_is_refused_at_the_line_of_the_value_too_many(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(parse, "MAX_PARSE_NODES", 10)
    monkeypatch.setattr(parse, "PARSE_CHARACTERS_PER_NODE", 10**9)
    text = json.dumps([{"a": n} for n in range(6)], indent=2)
    assert not laid_out(text)
    with pytest.raises(parse.TooManyNodes) as caught:
        parse_json(text)
    # each object is two values (itself and its a): the 11th is the sixth object, on line 17
    assert (caught.value.line, caught.value.message) == (
        17,
        "the document has more than 10 values (objects, arrays and scalars; keys are not counted); refusing to read it",
    )


# --- generated documents -------------------------------------------------------------

_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8"), max_size=6),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=25,
)


@st.composite
def _texts(draw: st.DrawFn) -> str:
    """A document as json.dumps lays it out, sometimes changed where a layout can go wrong."""
    value = draw(_values)
    indent = draw(st.sampled_from([1, 2, 4, "\t"]))
    text = json.dumps(value, indent=indent, ensure_ascii=draw(st.booleans()))
    change = draw(st.sampled_from(["none", "none", "join", "blank", "space", "crlf", "repeat"]))
    lines = text.split("\n")
    at = draw(st.integers(0, max(0, len(lines) - 2)))
    if change == "join" and len(lines) > 1:  # a line break taken out
        lines[at : at + 2] = [lines[at] + lines[at + 1].lstrip()]
    elif change == "blank":
        lines.insert(at + 1, "")
    elif change == "space":
        lines[at] += " "
    elif change == "repeat" and 0 < at < len(lines) - 1:  # a line written twice: a key or an item again
        lines.insert(at, lines[at] if lines[at].endswith(",") else lines[at] + ",")
    text = "\n".join(lines)
    return text.replace("\n", "\r\n") if change == "crlf" else text


@property_settings
@given(_texts())
def test_generated_documents_read_as_the_readers_read_them(text: str) -> None:
    assert_reads_as_the_readers_do(text)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")
def test_every_json_template_of_the_corpus_reads_as_the_readers_read_it():
    read = taken = 0
    for path in sorted(CORPUS.rglob("*.json")):
        if not path.is_file() or path.is_symlink():
            continue
        try:
            text = parse.decode_bytes(path.read_bytes()).lstrip("\ufeff")
        except (ParseError, OSError):
            continue
        assert_reads_as_the_readers_do(text)
        read += 1
        taken += laid_out(text)
    assert read > 500 and taken > read // 2
