"""One walk of a resource's properties finds what the reference, SSM and import walks found, in their order and lines."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.loaders.cloudformation.intrinsics import SSM_RESOLVE, references_in, resolve_string, sub_parts
from pytest_serverless_arch.loaders.cloudformation.mentions import ForeignMention, Walked, mentions_in
from pytest_serverless_arch.loaders.cloudformation.references import finish_unit, foreign_values_in, resolved_foreign
from pytest_serverless_arch.loaders.cloudformation.template import TemplateReader
from pytest_serverless_arch.loaders.templates import read_template
from pytest_serverless_arch.model import ForeignRef, LoadedUnit
from pytest_serverless_arch.parse import LineDict, LineList, line_of, parse_text
from pytest_serverless_arch.pseudo import without_pseudo

from .hypothesis_support import property_settings


def ssm_names_as_before(value: Any, resolve: Any) -> Iterator[tuple[str, int]]:
    """``TemplateReader.ssm_names_in`` as it was, a walk of its own: the oracle of the merged walk."""
    stack: list[tuple[Any, int]] = [(value, line_of(value))]
    while stack:
        node, line = stack.pop()
        if isinstance(node, str):
            for match in SSM_RESOLVE.finditer(node):
                yield match.group(1), line
        elif isinstance(node, Mapping):
            lines = getattr(node, "key_lines", {})
            if len(node) == 1 and "Fn::Sub" in node:
                parts = sub_parts(node["Fn::Sub"])
                if parts:
                    resolved = resolve(node)
                    text = resolved if resolved is not None else parts[0]
                    for match in SSM_RESOLVE.finditer(text):
                        if "${" not in without_pseudo(match.group(1)):
                            yield match.group(1), line_of(node, line)
                    stack.extend((v, line_of(node, line)) for v in parts[1].values())
                    continue
            stack.extend((child, lines.get(key, line_of(node, line))) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, line_of(node, line)) for child in node)


def foreign_values_as_before(value: Any, parameters: Mapping[str, Any], line: int) -> Iterator[tuple[ForeignRef, int]]:
    """``foreign_values_in`` as it was, asking the ``Mapping`` ABC of every value: its oracle."""
    stack: list[tuple[Any, int]] = [(value, line)]
    while stack:
        node, node_line = stack.pop()
        node_line = line_of(node, node_line)
        if isinstance(node, Mapping):
            if len(node) == 1:
                ((key, inner),) = node.items()
                if key == "Fn::ImportValue":
                    name = resolve_string(inner, parameters)
                    if name is not None:
                        yield ForeignRef("import", name), node_line
                    continue
                if key == "Fn::GetStackOutput" and isinstance(inner, Mapping):
                    stack_name = resolve_string(inner.get("StackName"), parameters)
                    output = resolve_string(inner.get("OutputName"), parameters)
                    if stack_name and output:
                        yield ForeignRef("stack_output", f"{stack_name}/{output}"), node_line
                    continue
            lines = getattr(node, "key_lines", {})
            stack.extend((child, lines.get(key, node_line)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, node_line) for child in node)


def _reader(parameters: str = "") -> TemplateReader:
    document = parse_text(f"Parameters:\n  Env:\n    Type: String\n    Default: prod\n{parameters}Resources: {{}}\n")
    return TemplateReader(LoadedUnit("shop", "cloudformation", "t.yaml"), document, LoadConfig())


def _both_as_before(reader: TemplateReader, value: Any, line: int) -> tuple[tuple[tuple[str, int], ...], ...]:
    references = tuple((reference.logical_id, reference.line) for reference in references_in(value, line))
    return references, tuple(ssm_names_as_before(value, reader.resolve))


SCALARS = st.sampled_from(
    [
        "Queue",
        "AWS::Region",
        "Env",
        "${Queue.Arn}",
        "{{resolve:ssm:/shop/url}}",
        "x-{{resolve:ssm:/${Env}/key:3}}-{{resolve:ssm-secure:/db/pass}}",
        "{{resolve:ssm:/${Other}/key}}",
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Topic.TopicName}",
        7,
        None,
        True,
    ]
)
LINES = st.integers(min_value=0, max_value=40)


def _with_lines(draw: st.DrawFn, value: Any) -> Any:
    if isinstance(value, dict) and draw(st.booleans()):
        lined = LineDict(value)
        lined.line = draw(LINES)
        lined.key_lines = {key: draw(LINES) for key in value if draw(st.booleans())}
        if draw(st.booleans()):
            lined._key_lines = None  # a one-line mapping: every key on its own line
        return lined
    if isinstance(value, list) and draw(st.booleans()):
        lined_list = LineList(value)
        lined_list.line = draw(LINES)
        lined_list.item_lines = draw(st.lists(LINES, max_size=len(value) + 1))
        return lined_list
    return value


@st.composite
def _node(draw: st.DrawFn, children: st.SearchStrategy[Any]) -> Any:
    shape = draw(st.sampled_from(["map", "list", "Ref", "GetAtt", "GetAttList", "Sub", "SubList", "Join", "Import", "Output"]))
    if shape == "map":
        value: Any = draw(st.dictionaries(st.sampled_from(["A", "B", "Ref", "Fn::Sub", "Properties"]), children, max_size=3))
    elif shape == "list":
        value = draw(st.lists(children, max_size=3))
    elif shape == "Ref":
        value = {"Ref": draw(st.one_of(SCALARS, children))}
    elif shape == "GetAtt":
        value = {"Fn::GetAtt": draw(st.sampled_from(["Queue.Arn", "Topic", 3]))}
    elif shape == "GetAttList":
        value = {"Fn::GetAtt": [draw(st.sampled_from(["Queue", "Table"])), draw(st.one_of(SCALARS, children))]}
    elif shape == "Sub":
        value = {"Fn::Sub": draw(SCALARS)}
    elif shape == "SubList":
        variables = draw(st.dictionaries(st.sampled_from(["Topic", "Other", "Env"]), children, max_size=2))
        value = {"Fn::Sub": [draw(SCALARS), _with_lines(draw, variables)]}
    elif shape == "Join":
        value = {"Fn::Join": ["", draw(st.lists(children, max_size=3))]}
    elif shape == "Import":
        value = {"Fn::ImportValue": draw(children)}
    else:
        value = {"Fn::GetStackOutput": {"StackName": draw(SCALARS), "OutputName": draw(st.one_of(SCALARS, children))}}
    return _with_lines(draw, value)


VALUES = st.recursive(SCALARS, lambda children: _node(children), max_leaves=12)


@property_settings
@given(value=VALUES, line=LINES)
def test_one_walk_gives_the_references_and_ssm_names_of_the_two_walks_in_their_order_and_lines(value: Any, line: int) -> None:
    reader = _reader()
    found = mentions_in(value, line, reader.resolve)
    assert (found.references, found.ssm_names) == _both_as_before(reader, value, line)


@property_settings
@given(value=VALUES, line=LINES)
def test_imports_and_stack_outputs_are_found_as_before_in_order_and_lines(value: Any, line: int) -> None:
    parameters = {"Env": "prod", "Queue": "orders"}
    before = list(foreign_values_as_before(value, parameters, line))
    assert list(foreign_values_in(value, parameters, line)) == before
    # and from the one walk of the wiring, resolved once the unit's parameters are final
    assert list(resolved_foreign(mentions_in(value, line, _reader().resolve).foreign, parameters)) == before


def test_finish_unit_uses_the_wirings_walk_only_for_the_very_properties_it_walked_from_the_same_line() -> None:
    document = parse_text(
        "Resources:\n"  # 1
        "  Fn:\n"  # 2
        "    Type: AWS::Lambda::Function\n"  # 3
        "    Properties:\n"  # 4
        "      Role: !ImportValue shop-role\n"  # 5
        "  Other:\n"  # 6
        "    Type: AWS::SQS::Queue\n"  # 7
        "    Properties: {KmsMasterKeyId: !ImportValue shop-key}\n"  # 8
    )
    unit = LoadedUnit("shop", "cloudformation", "t.yaml")
    walked: dict[str, Walked] = {}
    read_template(unit, document, LoadConfig(), walked=walked)
    assert sorted(walked) == ["Fn", "Other"]
    assert walked["Fn"].foreign == (ForeignMention("import", "shop-role", 5),)
    # the record of the very properties, walked from the resource's line, is used as it is (marked here to show it)
    fn = walked["Fn"]
    walked["Fn"] = Walked(fn.properties, fn.line, (ForeignMention("import", "as-recorded", 5),))
    # a stale record (other properties, or walked from another line) is not trusted: those properties are walked
    walked["Other"] = Walked(LineDict(), walked["Other"].line, (ForeignMention("import", "stale", 1),))
    finish_unit(unit, walked)
    assert [(ref.resource, ref.ref.key, str(ref.location)) for ref in unit.property_refs] == [
        ("Fn", "as-recorded", "t.yaml:5"),
        ("Other", "shop-key", "t.yaml:8"),
    ]
    unit.property_refs.clear()
    finish_unit(unit, {"Other": Walked(document["Resources"]["Other"]["Properties"], 99, ())})
    assert [(ref.resource, ref.ref.key) for ref in unit.property_refs] == [("Fn", "shop-role"), ("Other", "shop-key")]


def test_a_list_item_keeps_its_own_line_for_references_and_the_lists_line_for_ssm_names() -> None:
    document = parse_text(
        "Properties:\n"  # 1
        "  Environment:\n"  # 2
        "    - !Ref Queue\n"  # 3
        "    - '{{resolve:ssm:/shop/url}}'\n"  # 4
        "  Policy: !Sub\n"  # 5
        "    - '${Table.Arn}/{{resolve:ssm:/${Env}/table}}'\n"  # 6
        "    - Env: !GetAtt [Topic, TopicName]\n"  # 7
        "  Depends: !Ref AWS::Region\n"  # 8
    )
    reader = _reader()
    found = mentions_in(document["Properties"], 1, reader.resolve)
    assert found.references == (("Table", 5), ("Topic", 7), ("Queue", 3))
    # the list's line (where its first item is) for an item's SSM name, as the SSM walk always gave;
    # the Sub's SSM name holds a variable it cannot resolve, so it is no name
    assert found.ssm_names == (("/shop/url", 3),)
    assert (found.references, found.ssm_names) == _both_as_before(reader, document["Properties"], 1)


def test_an_ssm_name_inside_a_sub_is_read_from_its_resolved_text() -> None:
    document = parse_text("Value: !Sub '{{resolve:ssm:/${Env}/url}}'\n")
    found = mentions_in(document, 0, _reader().resolve)
    assert found.ssm_names == (("/prod/url", 1),)
    assert found.references == (("Env", 1),)  # a parameter: the reader's owner() keeps only graph nodes
