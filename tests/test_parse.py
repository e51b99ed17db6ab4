"""Reading YAML and JSON templates: short tags, lines, and hostile input."""

from __future__ import annotations

import copy
import json
import pickle

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch.parse import (
    MAX_EXPANDED_NODES,
    LineDict,
    LineList,
    ParseError,
    TaggedValue,
    decode_bytes,
    key_line,
    parse_json,
    parse_text,
    parse_yaml,
)

SHORT_TAGS = """\
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Ref1: !Ref Queue
      Att1: !GetAtt Queue.Arn
      Att2: !GetAtt [Queue, Arn]
      Att3: !GetAtt Stack.Outputs.Name
      Sub1: !Sub "arn:${AWS::Partition}:sqs:${Queue}"
      Sub2: !Sub
        - "${Name}-x"
        - Name: !Ref Queue
      Join: !Join [",", [a, !Ref Queue]]
      Select: !Select [0, !GetAZs ""]
      Split: !Split [",", "a,b"]
      If: !If [IsProd, !Ref Queue, !Ref "AWS::NoValue"]
      Cond: !Condition IsProd
      Eq: !Equals [a, b]
      Logic: !And [!Or [!Condition A, !Condition B], !Not [!Condition C]]
      Map: !FindInMap [M, k, v]
      B64: !Base64 text
      Cidr: !Cidr [10.0.0.0/16, 4, 8]
      Import: !ImportValue shared-queue-arn
      Transform: !Transform {Name: AWS::Include, Parameters: {Location: x.yaml}}
      Output: !GetStackOutput {StackName: other, OutputName: Arn}
"""


def test_short_tags_become_the_long_form():
    document = parse_yaml(SHORT_TAGS)
    properties = document["Resources"]["Fn"]["Properties"]
    assert properties["Ref1"] == {"Ref": "Queue"}
    assert properties["Att1"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert properties["Att2"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert properties["Att3"] == {"Fn::GetAtt": ["Stack", "Outputs.Name"]}
    assert properties["Sub1"] == {"Fn::Sub": "arn:${AWS::Partition}:sqs:${Queue}"}
    assert properties["Sub2"] == {"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "Queue"}}]}
    assert properties["Join"] == {"Fn::Join": [",", ["a", {"Ref": "Queue"}]]}
    assert properties["Select"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert properties["Split"] == {"Fn::Split": [",", "a,b"]}
    assert properties["If"] == {"Fn::If": ["IsProd", {"Ref": "Queue"}, {"Ref": "AWS::NoValue"}]}
    assert properties["Cond"] == {"Condition": "IsProd"}
    assert properties["Eq"] == {"Fn::Equals": ["a", "b"]}
    assert properties["Logic"] == {
        "Fn::And": [{"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}, {"Fn::Not": [{"Condition": "C"}]}]
    }
    assert properties["Map"] == {"Fn::FindInMap": ["M", "k", "v"]}
    assert properties["B64"] == {"Fn::Base64": "text"}
    assert properties["Cidr"] == {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}
    assert properties["Import"] == {"Fn::ImportValue": "shared-queue-arn"}
    assert properties["Transform"] == {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "x.yaml"}}}
    assert properties["Output"] == {"Fn::GetStackOutput": {"StackName": "other", "OutputName": "Arn"}}


def test_every_resource_property_and_intrinsic_keeps_its_line():
    document = parse_yaml(SHORT_TAGS)
    resources = document["Resources"]
    assert isinstance(resources, LineDict)
    assert resources.line_of("Queue") == 2
    assert resources.line_of("Fn") == 4
    properties = resources["Fn"]["Properties"]
    assert properties.line_of("Att1") == 8
    assert properties["Att1"].line == 8
    assert properties.line_of("Sub2") == 12
    assert isinstance(properties["Join"]["Fn::Join"], LineList)


def test_unknown_tags_are_kept_as_tagged_values_not_crashes():
    document = parse_yaml("Resources:\n  A:\n    Type: !Rain::Embed file.txt\n  B: !Include other.yaml\n")
    assert document["Resources"]["A"]["Type"] == TaggedValue("!Rain::Embed", "file.txt", 3)
    assert document["Resources"]["B"].tag == "!Include"


def test_a_python_object_tag_is_refused_and_never_constructed():
    with pytest.raises(ParseError) as error:
        parse_yaml("Resources:\n  A: !!python/object/apply:os.system ['echo pwned']\n")
    assert error.value.line == 2
    assert "Python object tag" in error.value.message


def test_duplicate_keys_are_a_parse_error_with_the_line_of_the_second_key():
    with pytest.raises(ParseError) as error:
        parse_yaml("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n  Topic:\n    Type: AWS::SNS::Topic\n")
    assert error.value.line == 4
    assert "duplicate key 'Topic' (first written on line 2)" in error.value.message


def test_merge_keys_do_not_count_as_duplicates():
    document = parse_yaml("base: &b\n  a: 1\n  b: 2\nderived:\n  <<: *b\n  b: 3\n")
    assert document["derived"] == {"a": 1, "b": 3}


def test_broken_yaml_reports_the_line_of_the_problem():
    with pytest.raises(ParseError) as error:
        parse_yaml("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n   Bad: [unclosed\n")
    assert error.value.line == 4
    assert error.value.message.startswith("invalid YAML")


def test_an_alias_bomb_is_refused_instead_of_expanded():
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 9):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    with pytest.raises(ParseError) as error:
        parse_yaml("\n".join(lines) + "\n")
    assert "alias" in error.value.message
    assert f"{MAX_EXPANDED_NODES:,}" in error.value.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("--- !!int\n", 1, "invalid YAML: '' is no !!int value"),
        ("a: 1\nb: !!bool maybe\n", 2, "invalid YAML: 'maybe' is no !!bool value"),
        ("a: 1\nb:\n  c: !!float x\n", 3, "invalid YAML: 'x' is no !!float value"),
        ("a: 1\nb: !!int 0x\n", 2, "invalid YAML: '0x' is no !!int value"),
        ("a: 1\nb: !!int " + "1" * 5000 + "\n", 2, "invalid YAML: a number with more digits than can be read (5,000)"),
        ("a: 1\nb: " + "1" * 5000 + "\n", 2, "invalid YAML: a number with more digits than can be read (5,000)"),
    ],
)
def test_an_explicit_yaml_tag_on_a_text_it_has_no_value_for_is_a_parse_error_at_its_line(text, line, message):
    with pytest.raises(ParseError) as error:
        parse_yaml(text)
    assert (error.value.line, error.value.message) == (line, message)


def test_dates_stay_strings():
    assert parse_yaml("AWSTemplateFormatVersion: 2010-09-09\n") == {"AWSTemplateFormatVersion": "2010-09-09"}


def test_json_templates_get_lines_for_keys_and_items():
    text = (
        '{\n  "Resources": {\n    "Queue": {\n      "Type": "AWS::SQS::Queue"\n    },\n'
        '    "Topic": {"Type": "AWS::SNS::Topic"}\n  },\n  "List": [\n    1,\n    {"a": 2}\n  ]\n}\n'
    )
    document = parse_json(text)
    assert document["Resources"].line_of("Queue") == 3
    assert document["Resources"].line_of("Topic") == 6
    assert document["List"].item_lines == [9, 10]
    assert document["List"][1].line == 10


def test_json_duplicate_keys_and_syntax_errors_name_the_line():
    with pytest.raises(ParseError) as duplicate:
        parse_json('{\n "a": 1,\n "a": 2\n}')
    assert duplicate.value.line == 3
    with pytest.raises(ParseError) as broken:
        parse_json('{\n "a": 1\n "b": 2\n}')
    assert broken.value.line == 3


def test_non_utf8_and_oversized_files_are_parse_errors():
    with pytest.raises(ParseError) as error:
        decode_bytes(b"Resources:\n  A: \xff\xfe\x00bad\n")
    assert error.value.line == 2
    assert "not UTF-8" in error.value.message


def test_text_that_looks_like_json_is_read_as_json_with_a_yaml_fallback():
    assert parse_text('{"a": [1, 2]}') == {"a": [1, 2]}
    # flow-style YAML with a tag is not JSON but is a valid template
    assert parse_text('{"a": !Ref B}') == {"a": {"Ref": "B"}}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=6), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_json_round_trips_through_the_line_aware_decoder(value):
    assert parse_json(json.dumps(value, indent=1)) == value


@given(st.dictionaries(st.text(alphabet="abcdefgh", min_size=1, max_size=6), json_values, max_size=5))
def test_yaml_round_trips_through_the_template_loader(value):
    assert parse_yaml(yaml.safe_dump(value)) == value


def test_a_one_line_json_object_answers_its_key_lines_without_holding_a_dict_of_them():
    document = parse_text('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}},\n "Metadata": [{"a": 1, "b": 2}]}')
    one_line = document["Metadata"][0]
    assert (one_line.line, one_line._key_lines) == (2, None)
    assert (dict(one_line.key_lines), one_line.key_lines.get("b"), one_line.key_lines.get("c", 7)) == ({"a": 2, "b": 2}, 2, 7)
    assert ("a" in one_line.key_lines, len(one_line.key_lines), key_line(one_line, "b"), one_line.line_of("zz")) == (
        True,
        2,
        2,
        2,
    )
    # the top mapping spans two lines: a dict of its own
    assert (type(document._key_lines), document.key_lines) == (dict, {"Resources": 1, "Metadata": 2})


def test_writing_a_key_line_of_a_one_line_mapping_keeps_the_lines_of_its_other_keys():
    one_line = parse_text('[\n {"a": 1, "b": 2}]')[0]
    one_line.key_lines["c"] = 9
    assert one_line.key_lines == {"a": 2, "b": 2, "c": 9}
    one_line.key_lines = {"a": 5}
    assert (one_line.key_lines, one_line.line_of("b")) == ({"a": 5}, 2)


def test_a_one_line_mapping_keeps_its_lines_through_pickle_and_deepcopy():
    one_line = parse_text('[\n\n {"a": {"b": 1}}]')[0]
    for copied in (pickle.loads(pickle.dumps(one_line)), copy.deepcopy(one_line)):
        assert (copied, copied.line, dict(copied.key_lines), copied["a"].line) == (one_line, 3, {"a": 3}, 3)


def test_a_big_parse_inside_a_gc_hold_keeps_the_collector_paused_to_the_end_of_the_outermost_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from pytest_serverless_arch import collector, parse

    monkeypatch.setattr(parse, "_GC_PAUSE_CHARACTERS", 20)
    assert gc.isenabled()
    with collector.gc_held_after_big_parse():
        with collector.gc_held_after_big_parse():
            parse.parse_text("a: 1\n")  # 5 characters: under the threshold, never paused
            assert gc.isenabled()
            assert parse.parse_text("Resources:\n  Queue: {Type: q}\n") == {"Resources": {"Queue": {"Type": "q"}}}
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block is not the outermost one
    assert gc.isenabled()
    parse.parse_text("Resources:\n  Queue: {Type: q}\n")  # outside any block: paused only while parsing
    assert gc.isenabled()


def test_a_gc_hold_resumes_the_collector_when_its_block_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from pytest_serverless_arch import collector, parse

    monkeypatch.setattr(parse, "_GC_PAUSE_CHARACTERS", 20)
    with pytest.raises(parse.ParseError), collector.gc_held_after_big_parse():
        parse.parse_text("Resources: [unclosed, list, here\n")
    assert gc.isenabled()


def test_only_a_document_with_aliases_is_walked_for_expansion(monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_serverless_arch import parse

    walked: list[object] = []
    monkeypatch.setattr(parse, "_check_expansion", lambda document, built=0: walked.append(document))
    plain = parse_yaml("Resources:\n  Queue: {Type: q, Tags: [a, b]}\n  Topic: !Ref Queue\n")
    assert walked == []  # every value was counted as it was built: nothing to add
    shared = parse_yaml("a: &shared [x, y]\nb: *shared\n")
    assert walked == [shared]
    assert plain["Resources"]["Topic"] == {"Ref": "Queue"}
