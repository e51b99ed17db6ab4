"""The tree-sitter-hcl reader of HCL's native syntax: the blocks, values and lines python-hcl2 gave, errors at their line.

The reader replaced python-hcl2 (issue 19). Before the switch, every ``.tf``
file of the shared corpus and of these tests serialized identically with both
readers: blocks, labels, attributes, values and every line. That comparison is
pinned here: ``fixtures/terraform/hcl-syntax/expected.json`` holds what
python-hcl2 gave for a syntax tour and four corpus files, and the reader must
give exactly that, but for the deliberate fixes listed in ``FIXED``. A pinned file, not a live comparison, so that CI, which no
longer installs python-hcl2, runs it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch.loaders.terraform.hcl import HclError, HclFile
from pytest_serverless_arch.loaders.terraform.hcl_model import Attribute, Block
from pytest_serverless_arch.loaders.terraform.hcl_native import parse_native

from .helpers import FIXTURES
from .hypothesis_support import property_settings


def serialized(hcl: HclFile) -> str:
    """Everything a reader gives, as JSON in source order (so ``1`` and ``1.0`` and ``true`` stay apart)."""

    def attribute(item: Attribute) -> dict[str, Any]:
        return {"name": item.name, "value": item.value, "line": item.line, "object_lines": list(item.object_lines)}

    def block(item: Block) -> dict[str, Any]:
        return {
            "type": item.type,
            "labels": list(item.labels),
            "line": item.line,
            "attributes": {name: attribute(value) for name, value in item.attributes.items()},
            "blocks": [block(child) for child in item.blocks],
            "duplicates": [list(duplicate) for duplicate in item.duplicates],
            "repeated_by": item.repeated_by,
        }

    return json.dumps(
        {
            "path": hcl.path,
            "attributes": {name: attribute(value) for name, value in hcl.attributes.items()},
            "blocks": [block(item) for item in hcl.blocks],
        },
        indent=1,
    )


def native(text: str) -> HclFile:
    return parse_native(text, "main.tf")


def refusal(text: str) -> tuple[int, str]:
    with pytest.raises(HclError) as caught:
        native(text)
    return caught.value.line, caught.value.message


SYNTAX = FIXTURES / "terraform" / "hcl-syntax"
EXPECTED = json.loads((SYNTAX / "expected.json").read_text(encoding="utf-8"))
TOUR = (SYNTAX / "tour.tf").read_text(encoding="utf-8")


def test_the_pinned_files_are_the_tour_and_four_corpus_files() -> None:
    assert sorted(EXPECTED) == sorted(path.name for path in SYNTAX.glob("*.tf"))
    assert sorted(EXPECTED) == [
        "apigw-openapi-restapi.tf",
        "apigw-sqs.tf",
        "eventbridge-schedule-ecs.tf",
        "sfn-glue-module.tf",
        "tour.tf",
    ]


# Where the reader differs from python-hcl2 on purpose: (file, attribute line) -> the value it gives, and why.
FIXED = {
    # python-hcl2 escaped `\` and `"` in an indented heredoc's value (`indented \"q\" \\b`); Terraform keeps the text
    ("tour.tf", 41): '{"k": "v\\n"}\n  two',
    ("tour.tf", 100): 'indented "q" \\b',
}


def with_fixes(name: str, expected: Any) -> Any:
    """``expected`` with the deliberate differences of :data:`FIXED` put in."""
    if isinstance(expected, dict):
        if (name, expected.get("line")) in FIXED and "value" in expected:
            return {**expected, "value": FIXED[(name, expected["line"])]}
        return {key: with_fixes(name, value) for key, value in expected.items()}
    if isinstance(expected, list):
        return [with_fixes(name, item) for item in expected]
    return expected


def test_each_deliberate_difference_changes_one_pinned_value() -> None:
    changed = [(name, line) for name, line in FIXED if with_fixes(name, EXPECTED[name]) != EXPECTED[name]]
    assert changed == list(FIXED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_pinned_file_reads_as_python_hcl2_read_it_but_for_the_deliberate_fixes(name: str) -> None:
    hcl = parse_native((SYNTAX / name).read_text(encoding="utf-8"), name)
    assert serialized(hcl) == json.dumps(with_fixes(name, EXPECTED[name]), indent=1)


def test_values_are_serialized_the_classic_python_hcl2_way() -> None:
    values = {name: attribute.value for name, attribute in native(TOUR).blocks[0].attributes.items()}
    assert values == {
        "name": "foo",
        "quoted": "x\nyé $${kept} %%{kept} # not a comment",
        "parens": "${(a)}",
        "negative": -3,
        "negated": "${-var.x}",
        "decimal": 1.5,
        "science": "${1.5e3}",
        "leading": 7,
        "template": "a%{ if c ~}y%{ else }z%{ endif }-${var.b}",
        "heredoc": '  raw ${x} "q" \\n',
        "indented": "one\n  two",
        "keys": {"k": 1, "2": 3, "${(x)}": 4, "true": 6},
        "tuple_for": '${[for k, v in m : upper(v) if v != ""]}',
        "object_for": "${{for k, v in m : k => {a = v}...}}",
        "call": '${f(hd, "s", [1, {a = 1}])}',
        "splat": "${a[*].b.c[0]}",
        "attr": "${a.*.b}",
        "choice": '${x ? "a" : {b = 1}}',
        "legacy": "${a.0}",
        "nothing": [None, False, "x", 1.0],
        "spread": "${merge(local.a, {x = 1} ...)}",
    }


def test_every_attribute_keeps_its_line_and_the_lines_of_its_object_constructors() -> None:
    block = native(TOUR).blocks[0]
    lines = {name: (attribute.line, attribute.object_lines) for name, attribute in block.attributes.items()}
    assert (block.type, block.line) == ("locals", 3)
    assert lines["name"] == (4, ())
    assert lines["heredoc"] == (13, ())
    assert lines["indented"] == (16, ())
    assert lines["keys"] == (20, (20,))
    assert lines["call"] == (23, (26,))
    assert lines["choice"] == (29, (29,))
    assert lines["spread"] == (32, (32,))


def test_crlf_line_ends_read_as_lf_with_the_same_lines() -> None:
    text = 'resource "a" "b" {\r\n  x = "y"\r\n  h = <<EOF\r\nline1\r\n  line2\r\nEOF\r\n  z = 1\r\n}\r\n'
    block = native(text).blocks[0]
    assert [(name, attribute.value, attribute.line) for name, attribute in block.attributes.items()] == [
        ("x", "y", 2),
        ("h", "line1\n  line2", 3),
        ("z", 1, 7),
    ]


def test_unicode_identifiers_and_text_are_read_as_terraform_does() -> None:
    attributes = native('b = "é ünï ${var.ö} 日本"\n').attributes
    assert attributes["b"].value == "é ünï ${var.ö} 日本"


def test_dynamic_blocks_and_nested_blocks_keep_their_lines() -> None:
    text = (
        'resource "x" "y" {\n  dynamic "ingress" {\n    for_each = [80, 443]\n'
        "    content {\n      port = ingress.value\n    }\n  }\n}\n"
    )
    block = native(text).blocks[0]
    assert [(child.type, child.line, child.get("port"), child.line_of("port")) for child in block.blocks] == [
        ("ingress", 2, 80, 5),
        ("ingress", 2, 443, 5),
    ]


def test_a_duplicate_attribute_keeps_the_last_value_and_is_listed_with_its_line() -> None:
    block = native('resource "a" "b" {\n  name = "one"\n  name = "two"\n}\n').blocks[0]
    assert (block.get("name"), block.duplicates) == ("two", (("name", 3),))


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('resource "a" "t" {\n  name = \n}\n', 2, "HCL syntax error: unexpected `name =` (column 3)"),
        (
            'resource "a" "b" {\n  x = 1\n',
            1,
            "HCL syntax error: the file ends before the block that starts here is closed (column 1)",
        ),
        ("a = <<EOF\nabc\n", 1, "HCL syntax error: the file ends before the heredoc that starts here is closed (column 5)"),
        ("a = f(1\n", 1, "HCL syntax error: the file ends before the function call that starts here is closed (column 5)"),
        ('a = "abc\nb = 2\n', 1, 'HCL syntax error: a quoted string does not end on its line (a `"` is missing)'),
        (
            'locals {\n  a = "abc\n  b = "x"\n  c = [\n}\n',
            2,
            'HCL syntax error: a quoted string does not end on its line (a `"` is missing)',
        ),
        (
            'resource "a"\n"b" {\n}\n',
            2,
            'HCL syntax error: unexpected `"b"`: a block\'s type, labels and `{` are written on one line (column 1)',
        ),
        (
            'resource "a" "b"\n{\n}\n',
            2,
            "HCL syntax error: unexpected `{`: a block's type, labels and `{` are written on one line (column 1)",
        ),
        ("a\n= 1\n", 2, "HCL syntax error: unexpected `=`: an argument's name, `=` and value start on one line (column 1)"),
        ("a =\n1\n", 2, "HCL syntax error: unexpected `1`: an argument's name, `=` and value start on one line (column 1)"),
        (
            "a = x\n.y\n",
            2,
            "HCL syntax error: unexpected `.y`: an access (`.name`, `[key]`) continues its expression's line (column 1)",
        ),
        (
            'resource "aws_${x}" "b" {\n}\n',
            1,
            "HCL syntax error: a block label is a plain string (no `${...}` or `%{...}`)",
        ),
        ("a = 0x1F\n", 1, "HCL syntax error: unexpected `0x1F` (not a decimal number)"),
        ("a = " + "1" * 5000 + "\n", 1, "invalid HCL: a number with more digits than can be read (5,000)"),
        ("a = " + "[\n" * 150 + "]" * 150 + "\n", 101, "HCL nesting is deeper than 100 levels; refusing to read it"),
        ("b {\n" * 150 + "}\n" * 150, 101, "HCL nesting is deeper than 100 levels; refusing to read it"),
        ("a = " + " + ".join(["x"] * 3000) + "\n", 1, "HCL nesting is too deep to read"),
    ],
)
def test_a_syntax_error_is_refused_at_its_line_never_read_in_part(text: str, line: int, message: str) -> None:
    assert refusal(text) == (line, message)


def test_line_breaks_inside_brackets_and_around_operators_are_read() -> None:
    text = 'a = [\n  x\n  .y,\n]\nb = var.a == "" &&\n  var.b\nc = x ?\n  1 :\n  2\nd = "${\n  var.e\n}"\n'
    values = {name: attribute.value for name, attribute in native(text).attributes.items()}
    assert values == {"a": ["${x.y}"], "b": '${var.a == "" && var.b}', "c": "${x ? 1 : 2}", "d": "${var.e}"}


def test_comments_of_every_kind_are_left_out() -> None:
    text = "# hash\n// slashes\n/* block\n */\na = [\n  1, # one\n  /* two */ 2,\n]\nb = a /* c */ .b\n"
    values = {name: (attribute.value, attribute.line) for name, attribute in native(text).attributes.items()}
    assert values == {"a": ([1, 2], 5), "b": ("${a.b}", 9)}


def test_an_interpolation_may_span_lines_and_its_strip_markers_are_dropped() -> None:
    values = {
        name: attribute.value for name, attribute in native('a = "x ${~ var.y ~} z"\nb = "${\n  var.e\n}"\n').attributes.items()
    }
    assert values == {"a": "x ${var.y} z", "b": "${var.e}"}


PIECES = [
    "{",
    "}",
    '"',
    "=",
    "[",
    "]",
    "(",
    ")",
    "\n",
    "${",
    "%{",
    "~",
    ",",
    ".",
    "<<EOF\n",
    "EOF\n",
    "<<-",
    "?",
    ":",
    "#",
    "/*",
    "\\",
    "0x",
    "é",
]
mutations = st.lists(
    st.tuples(st.floats(min_value=0, max_value=1, exclude_max=True), st.sampled_from(PIECES), st.integers(0, 6)),
    min_size=1,
    max_size=4,
)


@property_settings
@given(name=st.sampled_from(sorted(EXPECTED)), steps=mutations)
def test_a_mutated_tf_file_is_read_or_refused_at_a_line_of_it_never_an_exception(name: str, steps: Any) -> None:
    text = (SYNTAX / name).read_text(encoding="utf-8")
    for where, piece, cut in steps:  # insert a piece of syntax, then cut a few characters after it
        at = int(where * (len(text) + 1))
        text = text[:at] + piece + text[at + len(piece) + cut :]
    try:
        parse_native(text, name)
    except HclError as exc:
        assert 1 <= exc.line <= text.count("\n") + 1
        assert exc.message.startswith(("HCL syntax error", "HCL nesting", "invalid HCL"))
