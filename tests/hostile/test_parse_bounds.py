"""Issue 13: the parsers' bounds, each refused with a message that says what happened, at its line."""

from __future__ import annotations

import pytest

from pytest_serverless_arch import parse
from pytest_serverless_arch.budget import ExpansionBudget, expanded_size
from pytest_serverless_arch.loaders.sam.samconfig import parse_toml
from pytest_serverless_arch.parse import MAX_NESTING_DEPTH, ParseError, node_limit, parse_text

# The node bound at a size that runs in milliseconds; test_hostile.py runs the real one on generated files.
NODES = 1000


def refusal(text: str) -> tuple[int, str]:
    with pytest.raises(ParseError) as caught:
        parse_text(text)
    return caught.value.line, caught.value.message


def test_a_flat_yaml_list_past_the_base_bound_loads_because_the_bound_grows_with_the_text(monkeypatch):
    monkeypatch.setattr(parse, "MAX_PARSE_NODES", NODES)
    document = parse_text("Tags:\n" + "  - a\n" * (NODES + 10))
    assert (len(document["Tags"]), document["Tags"].item_lines[-1]) == (NODES + 10, NODES + 11)


def test_a_json_list_of_objects_past_the_base_bound_loads_because_the_bound_grows_with_the_text(monkeypatch):
    monkeypatch.setattr(parse, "MAX_PARSE_NODES", NODES)
    document = parse_text("[\n" + ",\n".join(['{"a": 1}'] * (NODES + 10)) + "\n]")
    assert (len(document), document[-1].line, document[-1].key_lines) == (NODES + 10, NODES + 11, {"a": NODES + 11})


def test_the_node_bound_is_a_base_plus_one_value_for_every_two_characters():
    assert node_limit("") == parse.MAX_PARSE_NODES == 250_000
    assert node_limit("x" * 19_000_001) == 250_000 + 9_500_000


def test_a_yaml_list_denser_than_the_bound_allows_is_refused_as_too_many_values_not_as_an_alias_bomb(monkeypatch):
    # the shape is a flat list; a stricter characters-per-value ratio makes it too dense for its size
    monkeypatch.setattr(parse, "MAX_PARSE_NODES", NODES)
    monkeypatch.setattr(parse, "PARSE_CHARACTERS_PER_NODE", 10**9)
    line, message = refusal("Tags:\n" + "  - a\n" * (NODES + 10))
    # the mapping, the key and the list are three values: the 1,001st is the 998th item, on line 999
    assert (line, message) == (
        NODES - 1,
        "the document has more than 1,000 values (keys, items and scalars); refusing to read it",
    )


def test_a_json_list_of_objects_past_the_node_bound_is_refused_without_a_second_try_as_yaml(monkeypatch):
    monkeypatch.setattr(parse, "MAX_PARSE_NODES", NODES)
    monkeypatch.setattr(parse, "PARSE_CHARACTERS_PER_NODE", 10**9)
    line, message = refusal("[\n" + ",\n".join(['{"a": 1}'] * (NODES // 2 + 10)) + "\n]")
    # each object is two values (itself and its 1): the 1,001st is object 501, on line 502
    assert (line, message) == (
        NODES // 2 + 2,
        "the document has more than 1,000 values (objects, arrays and scalars; keys are not counted); refusing to read it",
    )


def merge_chain(levels: int) -> str:
    """Mappings that each merge the one before (``m2: {<<: *m1, k2: 2}``): a document that grows quadratically."""
    lines = ["Mappings:", "  m0: &m0 {k0: 0}"]
    lines += [f"  m{i}: &m{i} {{<<: *m{i - 1}, k{i}: {i}}}" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_yaml_merge_keys_that_copy_past_the_bound_are_refused_at_the_mapping_where_the_count_ran_out():
    text = merge_chain(1000)
    limit = node_limit(text)
    # written: the root, Mappings and its mapping (3), m0's 4 values, 6 on each other line (the alias once);
    # merging m(i-1) copies its i keys and i values into m(i): refused at the first i with 6009 + i(i+1) > limit
    written = 3 + 4 + 6 * 1000
    first = next(i for i in range(1, 1001) if written + i * (i + 1) > limit)
    assert (limit, first) == (268_245, 512)
    assert refusal(text) == (
        first + 2,  # m0 is on line 2
        "YAML merge keys (<<) copy this document past 268,245 values; refusing to read it",
    )


def test_a_short_merge_chain_loads_with_every_merged_key():
    document = parse_text(merge_chain(20))
    assert list(document["Mappings"]["m20"]) == [f"k{i}" for i in range(21)]


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


def test_an_alias_bomb_under_an_unknown_tag_is_refused_at_the_line_where_the_walk_passed_the_bound():
    # each level is ten aliases of the one before, inside a tag we keep as a TaggedValue
    lines = ["a0: &a0 !Foo [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{level}: &a{level} !Foo [{', '.join([f'*a{level - 1}'] * 10)}]" for level in range(1, 9)]
    assert refusal("\n".join(lines) + "\n") == (
        7,  # walked, a5 holds about 1.2 million values and a6 (line 7) about 12 million: the first past the bound
        "YAML aliases expand this document by more than 2,000,000 nodes (an alias bomb?); refusing to read it",
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [("--- &p\n- !Foo\n  - *p\n", 1), ("a: 1\nb: &p !Foo {c: [*p]}\n", 2)],
)
def test_a_recursive_alias_through_an_unknown_tag_is_refused_at_its_line(text: str, line: int):
    assert refusal(text) == (
        line,
        "a recursive YAML alias (an anchor used inside its own value) makes this document infinite; refusing to read it",
    )
