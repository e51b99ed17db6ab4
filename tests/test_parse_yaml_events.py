"""Issue 19: YAML built straight from libyaml's events gives what the composer and constructor give.

``parse_yaml`` reads a template with :class:`_FastYAMLReader` and leaves what
that reader does not build itself (anchors, merge keys, repeated keys, explicit
YAML tags...) to :func:`_load_yaml`, the composer-and-constructor path. Every
test here holds the two side by side: the same values of the same types, the
same lines and columns of every mapping, key and item, the same duplicate keys,
or the same error at the same line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import parse
from pytest_serverless_arch.parse import ParseError, TaggedValue, parse_yaml

from .helpers import CORPUS, assert_parses_alike
from .hypothesis_support import property_settings


def assert_reads_as_the_loader_does(text: str) -> None:
    assert_parses_alike(parse_yaml, parse._load_yaml, text)


def fast_read(text: str) -> Any:
    return parse._FastYAMLReader(text, parse.node_limit(text)).read()


def test_a_template_is_built_from_events_with_every_line_of_the_loader():
    text = (
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        "      Timeout: 30\n"
        "      Enabled: true\n"
        "      Ratio: 1.5\n"
        "      Nothing: ~\n"
        "      Date: 2010-09-09\n"
        '      Quoted: "12"\n'
        "      Role: !GetAtt Role.Arn\n"
        "      Env: !If\n"
        "        - IsProd\n"
        "        - {A: !Ref Queue, B: [x, 2]}\n"
        "        - !Ref AWS::NoValue\n"
        "      Code: !Rain::Embed app.py\n"
    )
    document = fast_read(text)
    properties = document["Resources"]["Fn"]["Properties"]
    assert properties == {
        "Timeout": 30,
        "Enabled": True,
        "Ratio": 1.5,
        "Nothing": None,
        "Date": "2010-09-09",
        "Quoted": "12",
        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Env": {"Fn::If": ["IsProd", {"A": {"Ref": "Queue"}, "B": ["x", 2]}, {"Ref": "AWS::NoValue"}]},
        "Code": TaggedValue("!Rain::Embed", "app.py", 16),
    }
    assert properties.key_lines == {
        "Timeout": 5,
        "Enabled": 6,
        "Ratio": 7,
        "Nothing": 8,
        "Date": 9,
        "Quoted": 10,
        "Role": 11,
        "Env": 12,
        "Code": 16,
    }
    branches = properties["Env"]["Fn::If"]
    # a tagged list starts at its tag, as its long form does
    assert (properties["Env"].line, properties["Env"].column) == (branches.line, branches.column) == (12, 12)
    assert branches.item_lines == [13, 14, 15]
    assert (branches[1].line, branches[1].column, branches[1]["B"].item_lines) == (14, 11, [14, 14])
    assert_reads_as_the_loader_does(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: &x [1]\nb: *x\n", id="an anchor and its alias"),
        pytest.param("a: 1\nb: *x\n", id="an undefined alias"),
        pytest.param("a: &x 1\nb: &x 2\n", id="an anchor defined twice"),
        pytest.param("a: &t [a, *t]\n", id="a recursive alias"),
        pytest.param("base: &b {a: 1}\nderived:\n  <<: *b\n  a: 2\n", id="a merge key"),
        pytest.param("a: 1\nb: 2\na: 3\n", id="a key written twice"),
        pytest.param("1: one\ntrue: yes\n", id="1 beside true"),
        pytest.param("? [a]\n: 1\n", id="a sequence as a key"),
        pytest.param("!Ref a: 1\n", id="a short tag on a key"),
        pytest.param("!Foo a: 1\n", id="an unknown tag on a key"),
        pytest.param("a: !!int 3\nb: !!str 4\nc: !!map {x: 1}\n", id="explicit YAML tags"),
        pytest.param("a: !!python/object/apply:os.system [echo]\n", id="a Python tag"),
        pytest.param("a: =\n", id="the value tag"),
        pytest.param("a: 1\nb: " + "7" * 5000 + "\n", id="an integer too long for Python"),
        pytest.param("a: 1\n---\nb: 2\n", id="a second document"),
        pytest.param("--- 1\n--- [2\n", id="a second document that is broken"),
        pytest.param("a: 1\n b: 2\n", id="a syntax error"),
        pytest.param("a: [1, 2\n", id="an unclosed list"),
        pytest.param("", id="nothing"),
        pytest.param("# only a comment\n", id="only a comment"),
        pytest.param("---\n", id="an empty document"),
        pytest.param("plain text\n", id="a scalar document"),
        pytest.param("a: ! 12\nb: ! [x]\n", id="the non-specific tag"),
        pytest.param("a: !Sub\n  - ${x}\n  - {x: !GetAtt [A, B]}\n", id="a tagged sequence"),
        pytest.param("a: !GetAtt A\nb: !GetAtt A.B.C\n", id="GetAtt names"),
        pytest.param("a: .nan\nb: -.inf\n0x1F: 0o17\n", id="odd numbers"),
        pytest.param("a: {}\nb: []\nc:\n", id="empty values"),
        pytest.param("a: \x07\n", id="an unreadable character"),
    ],
)
def test_whatever_the_reader_leaves_to_the_loader_reads_exactly_as_the_loader_reads_it(text: str) -> None:
    assert_reads_as_the_loader_does(text)


def test_the_reader_leaves_anchors_merge_keys_repeats_and_yaml_tags_to_the_loader():
    for text in ("a: &x 1\n", "a: {<<: {b: 1}}\n", "a: 1\na: 2\n", "a: !!int 3\n", "--- 1\n--- 2\n", "a: =\n"):
        with pytest.raises(parse._NotPlainYAML):
            fast_read(text)


def test_a_document_past_the_node_bound_is_refused_by_the_reader_at_the_loaders_line(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(parse, "MAX_PARSE_NODES", 20)
    monkeypatch.setattr(parse, "PARSE_CHARACTERS_PER_NODE", 10**9)
    text = "a:\n" + "".join(f"  k{n}: [x, {{y: 1}}]\n" for n in range(10))
    with pytest.raises(parse.TooManyNodes) as caught:
        fast_read(text)
    # the root, a and its mapping (3), then 6 values a line: the 21st is k2's mapping's key y, on line 4
    assert (caught.value.line, caught.value.message) == (
        4,
        "the document has more than 20 values (keys, items and scalars); refusing to read it",
    )
    assert_reads_as_the_loader_does(text)


def test_a_document_nested_past_the_depth_bound_is_refused_by_the_reader_at_the_loaders_line():
    text = "a:\n" + "".join("  " * depth + "- b\n" + "  " * depth + "-\n" for depth in range(1, 120))
    with pytest.raises(ParseError) as caught:
        fast_read(text)
    # list k starts on line 2k, k levels deep; its items are one deeper: list 99's first item (line 198) is too deep
    assert (caught.value.line, caught.value.message) == (
        2 * (parse.MAX_NESTING_DEPTH - 1),
        "YAML nesting is deeper than 100 levels; refusing to read it",
    )
    assert_reads_as_the_loader_does(text)


# --- generated documents -------------------------------------------------------------

# Scalars that stay one token in block and flow style: words, numbers, booleans, nulls, dates, quoted text.
_SCALARS = st.sampled_from(
    ["a", "Queue", "AWS::SQS::Queue", "1", "-2", "0o7", "1.5", "1e3", ".inf", "true", "False", "yes", "off", "null", "~"]
    + ["2010-09-09", "'single'", '"double"', '"12"', "''", "x y", "<<", "=", "${A}-b", "arn:aws:sqs:*"]
)
_TAGS = st.sampled_from(["", "", "", "", "", "", "", "", "!Ref ", "!GetAtt ", "!Sub ", "!If ", "!Foo ", "!!str ", "!!int ", "! "])
_KEYS = st.sampled_from(["a", "b", "Type", "Properties", "1", "true", "null", "'a'", "<<", "Ref", "x y"])


@st.composite
def _trees(draw: st.DrawFn, depth: int = 0) -> tuple[Any, ...]:
    """A YAML node to write: ("scalar", text), ("alias", name), ("seq", items) or ("map", pairs), tags and anchors."""
    tag, anchor = draw(_TAGS), draw(st.sampled_from(["", "", "", "", "", "", "", "&p ", "&q "]))
    shape = draw(
        st.sampled_from(
            ["scalar", "scalar", "scalar", "scalar", "alias", "seq", "seq", "map", "map"] if depth < 3 else ["scalar"]
        )
    )
    if shape == "scalar":
        return ("scalar", tag + anchor + draw(_SCALARS))
    if shape == "alias":
        return ("scalar", draw(st.sampled_from(["*p", "*q"])))
    children = draw(st.lists(_trees(depth + 1), max_size=3))
    if shape == "seq":
        return ("seq", tag + anchor, children)
    return (
        "map",
        tag + anchor,
        list(zip(draw(st.lists(_KEYS, min_size=len(children), max_size=len(children))), children, strict=True)),
    )


def _flow(tree: tuple[Any, ...]) -> str:
    if tree[0] == "scalar":
        return str(tree[1])
    if tree[0] == "seq":
        return tree[1] + "[" + ", ".join(_flow(child) for child in tree[2]) + "]"
    return tree[1] + "{" + ", ".join(f"{key}: {_flow(child)}" for key, child in tree[2]) + "}"


def _block(tree: tuple[Any, ...], indent: int, flow: set[int]) -> str:
    """``tree`` in block style at ``indent``, each line ending in a newline (a list or mapping in flow when empty)."""
    pad = " " * indent
    if tree[0] == "scalar" or not tree[2] or id(tree) in flow:
        return pad + _flow(tree) + "\n"
    lines = []
    for key, child in tree[2] if tree[0] == "map" else (("-", child) for child in tree[2]):
        head = pad + (key if tree[0] == "seq" else f"{key}:")
        if child[0] == "scalar" or not child[2] or id(child) in flow:
            lines.append(f"{head} {_flow(child)}\n")
        else:
            lines.append(f"{head} {child[1]}".rstrip() + "\n" + _block((child[0], "", child[2]), indent + 2, flow))
    return "".join(lines)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    tree = draw(_trees())
    flow: set[int] = set()
    stack = [tree]
    while stack:  # some lists and mappings written in flow style
        node = stack.pop()
        if node[0] != "scalar":
            if draw(st.booleans()) and draw(st.booleans()):
                flow.add(id(node))
            stack.extend(child for child in (node[2] if node[0] == "seq" else (child for _, child in node[2])))
    if tree[0] == "scalar" or not tree[2]:
        text = _flow(tree) + "\n"
    else:  # a tag or an anchor of the top list or mapping goes after the document's start
        text = (f"--- {tree[1]}\n" if tree[1] else "") + _block((tree[0], "", tree[2]), 0, flow)
    cut = draw(st.none() | st.integers(0, len(text)))
    return text if cut is None else text[:cut]


@property_settings
@given(_documents())
def test_generated_documents_read_as_the_loader_reads_them(text: str) -> None:
    assert_reads_as_the_loader_does(text)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")
def test_every_yaml_template_of_the_corpus_reads_as_the_loader_reads_it():
    from pytest_serverless_arch.discover import TEMPLATE_SUFFIXES, _walk

    read = 0
    for directory, _, names in _walk(CORPUS, CORPUS, (), []):
        for name in names:
            if name.rpartition(".")[2].lower() in {suffix.lstrip(".") for suffix in TEMPLATE_SUFFIXES}:
                try:
                    text = parse.decode_bytes((Path(directory) / name).read_bytes())
                except ParseError:
                    continue
                if not text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):  # JSON: test_parse_json_layout.py
                    assert_reads_as_the_loader_does(text)
                    read += 1
    assert read > 1500
