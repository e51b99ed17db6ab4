"""Issue 13: the parsers' bounds, each refused with a message that says what happened, at its line."""

from __future__ import annotations

import pytest

from pytest_serverless_arch import parse
from pytest_serverless_arch.budget import ExpansionBudget, expanded_size
from pytest_serverless_arch.loaders.sam.samconfig import parse_toml
from pytest_serverless_arch.parse import MAX_NESTING_DEPTH, ParseError, parse_text

# The node bound at a size that runs in milliseconds; test_hostile.py runs the real one on generated files.
NODES = 1000


def refusal(text: str) -> tuple[int, str]:
    with pytest.raises(ParseError) as caught:
        parse_text(text)
    return caught.value.line, caught.value.message


def test_a_flat_yaml_list_past_the_node_bound_is_refused_as_too_many_values_not_as_an_alias_bomb(monkeypatch):
    monkeypatch.setattr(parse, "MAX_PARSE_NODES", NODES)
    line, message = refusal("Tags:\n" + "  - a\n" * (NODES + 10))
    # the mapping, the key and the list are three values: the 1,001st is the 998th item, on line 999
    assert (line, message) == (
        NODES - 1,
        "the document has more than 1,000 values (keys, items and scalars); refusing to read it",
    )


def test_a_json_list_of_objects_past_the_node_bound_is_refused_without_a_second_try_as_yaml(monkeypatch):
    monkeypatch.setattr(parse, "MAX_PARSE_NODES", NODES)
    line, message = refusal("[\n" + ",\n".join(['{"a": 1}'] * (NODES // 2 + 10)) + "\n]")
    # each object is two values (itself and its 1): the 1,001st is object 501, on line 502
    assert (line, message) == (
        NODES // 2 + 2,
        "the document has more than 1,000 values (objects, arrays and scalars; keys are not counted); refusing to read it",
    )


def test_yaml_nested_past_the_depth_bound_is_refused_at_the_line_where_it_passed():
    text = "a:\n" + "".join("  " * depth + "b:\n" for depth in range(1, 300))
    assert refusal(text) == (MAX_NESTING_DEPTH, "YAML nesting is deeper than 100 levels; refusing to read it")


def test_json_nested_past_the_depth_bound_is_refused_at_the_line_where_it_passed():
    text = '{"a":\n' * 150 + "1" + "}" * 150
    assert refusal(text) == (MAX_NESTING_DEPTH + 1, "JSON nesting is deeper than 100 levels; refusing to read it")


@pytest.mark.parametrize(
    ("text", "syntax"),
    [("a: 1\nb: " + "7" * 5000 + "\n", "YAML"), ('{"a": 1,\n "b": ' + "7" * 5000 + "}", "JSON")],
)
def test_an_integer_too_long_for_python_is_a_parse_error_at_its_line(text, syntax):
    assert refusal(text) == (2, f"invalid {syntax}: a number with more digits than can be read (5,000)")


def test_a_recursive_alias_is_refused_at_its_line():
    assert refusal("a: 1\nTags: &t [a, *t]\n") == (
        2,
        "a recursive YAML alias (an anchor used inside its own value) makes this document infinite; refusing to read it",
    )


def test_toml_nested_too_deep_is_a_parse_error_with_a_line_not_a_recursion_error():
    with pytest.raises(ParseError) as caught:
        parse_toml("a = 1\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    assert (caught.value.line, caught.value.message) == (2, "TOML nesting is too deep to read (over 500 levels)")


def test_the_expansion_budget_counts_each_use_of_a_shared_value_and_remembers_where_it_ran_out():
    shared = ["x"] * 10
    doubled = [shared, shared]
    assert expanded_size(doubled) == 1 + 2 * 11
    budget = ExpansionBudget(limit=40)
    assert budget.spend(expanded_size(doubled), path="a.yml", line=3)
    assert not budget.spend(expanded_size(doubled), path="a.yml", line=4)
    assert (budget.used, budget.exhausted_at) == (23, ("a.yml", 4))
