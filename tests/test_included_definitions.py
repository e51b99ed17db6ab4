"""Definitions kept in other files (OpenAPI bodies, ASL state machines) are read as part of their template.

Their triggers and invokes carry the included file's line, so a person goes
to the right place; a missing, broken or escaping file is a note or a load
error on the template's line, never a crash.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless_arch import files as files_module
from pytest_serverless_arch import load
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.graph import DeploymentGraph
from pytest_serverless_arch.loaders.templates import read_template
from pytest_serverless_arch.model import LoadedUnit
from pytest_serverless_arch.parse import parse_text

FIXTURES = Path(__file__).parent / "fixtures" / "included"


def wiring(graph: DeploymentGraph, kinds: tuple[str, ...] = ("triggers", "invokes")) -> set[tuple[str, str, str, str]]:
    """``(kind, source, target, file:line)`` of the edges of ``kinds``; ends in a unit as ``template.yaml:<logical id>``.

    Every repository here is one root ``template.yaml``, whose unit takes the repository folder's name.
    """
    return {
        (edge.kind, _by_path(graph, edge.source), _by_path(graph, edge.target), str(edge.location))
        for edge in graph.edges()
        if edge.kind in kinds
    }


def _by_path(graph: DeploymentGraph, node: str) -> str:
    unit = graph.unit_of(node)
    return node if unit is None else f"{graph.unit(unit).path}:{node[len(unit) + 1 :]}"


def test_a_sam_api_definition_uri_file_gives_its_integrations_and_authorizers_as_triggers():
    graph = load(FIXTURES / "sam-api")
    assert wiring(graph) == {
        ("triggers", "template.yaml:OrdersApi", "template.yaml:OrdersFunction", "api/openapi.yaml:13"),
        ("triggers", "template.yaml:OrdersApi", "template.yaml:AuthFunction", "api/openapi.yaml:22"),
    }
    assert graph.errors == [] and graph.notes == []


def test_an_aws_include_in_a_sam_http_api_resolves_its_fn_sub_arns_to_local_functions():
    graph = load(FIXTURES / "sam-http")
    assert wiring(graph) == {
        ("triggers", "template.yaml:HttpApi", "template.yaml:ListFunction", "spec/http.yaml:11"),
        ("triggers", "template.yaml:HttpApi", "template.yaml:CreateFunction", "spec/http.yaml:17"),
    }


def test_an_asl_file_maps_its_placeholders_through_definition_substitutions():
    graph = load(FIXTURES / "sam-statemachine")
    tasks = {edge for edge in wiring(graph, ("invokes", "accesses")) if edge[3].startswith("statemachine/")}
    assert tasks == {
        ("invokes", "template.yaml:OrderFlow", "template.yaml:ValidateFunction", "statemachine/flow.asl.json:6"),
        ("accesses", "template.yaml:OrderFlow", "template.yaml:OrdersTable", "statemachine/flow.asl.json:13"),
        # a literal ARN naming a function of this template by its FunctionName
        ("invokes", "template.yaml:OrderFlow", "template.yaml:NotifyFunction", "statemachine/flow.asl.json:22"),
    }


def test_a_substitution_used_in_the_file_is_not_also_an_edge_on_the_template_line():
    graph = load(FIXTURES / "sam-statemachine")
    tasks = [
        edge
        for edge in graph.edges_from("sam-statemachine:OrderFlow", "invokes")
        if edge.detail == "state machine task" and edge.target == "sam-statemachine:ValidateFunction"
    ]
    assert [str(edge.location) for edge in tasks] == ["statemachine/flow.asl.json:6"]


def test_packaged_cloudformation_locations_and_an_include_in_body_are_read():
    graph = load(FIXTURES / "cfn-package")
    assert wiring(graph) == {
        ("invokes", "template.yaml:Workflow", "template.yaml:WorkerFunction", "definitions/flow.asl.yaml:12"),
        ("triggers", "template.yaml:RestApi", "template.yaml:ApiFunction", "definitions/openapi.json:10"),
        ("triggers", "template.yaml:HttpApi", "template.yaml:WorkerFunction", "definitions/http.yaml:11"),
    }
    assert graph.errors == [] and graph.notes == []


def test_included_paths_are_relative_to_the_template_and_locations_to_the_repository_root():
    graph = load(FIXTURES)
    edges = wiring(graph)
    assert (
        "triggers",
        "sam-api/template.yaml:OrdersApi",
        "sam-api/template.yaml:OrdersFunction",
        "sam-api/api/openapi.yaml:13",
    ) in edges
    assert (
        "invokes",
        "cfn-package/template.yaml:Workflow",
        "cfn-package/template.yaml:WorkerFunction",
        "cfn-package/definitions/flow.asl.yaml:12",
    ) in edges
    # the included files are parts of their templates, not units of their own
    assert sorted(unit.path for unit in graph.units()) == [
        "bad-inputs/template.yaml",
        "cfn-package/template.yaml",
        "corpus/apigw-lambda-sns-monitoring-sam/template.yaml",
        "corpus/sfn-lambda-lambda/template.yaml",
        "nested/template.yaml",
        "sam-api/template.yaml",
        "sam-http/template.yaml",
        "sam-statemachine/template.yaml",
    ]


def test_a_nested_stack_reads_its_include_relative_to_its_own_file():
    graph = load(FIXTURES / "nested")
    assert wiring(graph) == {
        ("triggers", "template.yaml:ApiStack/OrdersApi", "template.yaml:ApiStack/OrdersFunction", "definitions/openapi.yaml:11"),
    }


def test_one_file_shared_by_two_state_machines_wires_both(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "sam-statemachine", repo)
    template = (repo / "template.yaml").read_text()
    flow = template.split("  ValidateFunction:")[0].split("Resources:\n")[1]
    (repo / "template.yaml").write_text(
        template.replace("Resources:\n", "Resources:\n" + flow.replace("OrderFlow:", "OtherFlow:"), 1)
    )
    invokes = {edge for edge in wiring(load(repo), ("invokes",)) if edge[3] == "statemachine/flow.asl.json:6"}
    assert invokes == {
        ("invokes", "template.yaml:OrderFlow", "template.yaml:ValidateFunction", "statemachine/flow.asl.json:6"),
        ("invokes", "template.yaml:OtherFlow", "template.yaml:ValidateFunction", "statemachine/flow.asl.json:6"),
    }


def test_an_aws_include_as_a_state_machine_definition_is_read(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "cfn-package", repo)
    template = (repo / "template.yaml").read_text()
    (repo / "template.yaml").write_text(
        template.replace(
            "      DefinitionS3Location: definitions/flow.asl.yaml\n",
            "      Definition:\n        Fn::Transform:\n          Name: AWS::Include\n"
            "          Parameters: {Location: definitions/flow.asl.yaml}\n",
        )
    )
    assert ("invokes", "template.yaml:Workflow", "template.yaml:WorkerFunction", "definitions/flow.asl.yaml:12") in wiring(
        load(repo)
    )


# --- real repositories (copied from serverless-patterns) ---------------------------------


def test_serverless_patterns_sfn_lambda_lambda_tasks_point_at_the_asl_file():
    graph = load(FIXTURES / "corpus" / "sfn-lambda-lambda")
    tasks = {edge for edge in wiring(graph, ("invokes",)) if edge[3].endswith(".asl.json:7") or edge[3].endswith(".asl.json:27")}
    assert tasks == {
        (
            "invokes",
            "template.yaml:StateMachineStandardInvokeLambda",
            "template.yaml:FirstFunction",
            "statemachine/StateMachine.asl.json:7",
        ),
        (
            "invokes",
            "template.yaml:StateMachineStandardInvokeLambda",
            "template.yaml:SecondFunction",
            "statemachine/StateMachine.asl.json:27",
        ),
    }


def test_serverless_patterns_aws_include_names_its_function_by_a_placeholder_arn():
    graph = load(FIXTURES / "corpus" / "apigw-lambda-sns-monitoring-sam")
    assert wiring(graph, ("triggers",)) == {
        ("triggers", "template.yaml:RestApi", "template.yaml:lambdaFunction", "api.yaml:26"),
    }
    assert not any("not read" in note.message for note in graph.notes)


# --- bad input ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad() -> DeploymentGraph:
    return load(FIXTURES / "bad-inputs")


def test_a_missing_definition_file_is_a_note_on_the_template_line(bad):
    assert [str(note) for note in bad.notes if "missing" in note.message] == [
        "template.yaml:7: API definition defs/missing.yaml does not exist; what it wires is not in the graph"
    ]


def test_a_missing_file_named_twice_is_a_note_on_each_line(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  One:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefinitionUri: gone.yaml\n"
        "  Two:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefinitionUri: gone.yaml\n"
    )
    assert [str(note) for note in load(repo).notes] == [
        "template.yaml:6: API definition gone.yaml does not exist; what it wires is not in the graph",
        "template.yaml:10: API definition gone.yaml does not exist; what it wires is not in the graph",
    ]


def test_a_broken_definition_file_is_a_load_error_naming_both_files_and_lines(bad):
    [error] = [error for error in bad.errors if "broken" in error.message]
    assert (error.path, error.line) == ("template.yaml", 12)
    assert error.message.startswith("API definition defs/broken.yaml:5: invalid YAML")


def test_a_definition_that_is_not_a_mapping_is_a_load_error(bad):
    assert [str(error) for error in bad.errors if "list.json" in error.message] == [
        "template.yaml:28: state machine definition defs/list.json is not a mapping (an OpenAPI or ASL document); not read"
    ]


def test_paths_leaving_the_repository_are_refused_with_a_note(bad):
    assert sorted(str(note) for note in bad.notes if "outside the repository" in note.message) == [
        "template.yaml:16: state machine definition '../../outside.asl.json' is outside the repository; not read",
        "template.yaml:20: API definition '/etc/passwd' is outside the repository; not read",
    ]


def test_the_rest_of_a_template_with_bad_definitions_still_loads(bad):
    assert wiring(bad) == {("triggers", "template.yaml:BrokenApi", "template.yaml:Function", "template.yaml:41")}
    assert len(bad.errors) == 2  # an S3 DefinitionUri is silently not local


def test_a_symlink_out_of_the_repository_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(FIXTURES / "sam-api" / "api" / "openapi.yaml", outside / "openapi.yaml")
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "sam-api", repo)
    (repo / "api" / "openapi.yaml").unlink()
    (repo / "api" / "openapi.yaml").symlink_to(outside / "openapi.yaml")
    graph = load(repo)
    assert wiring(graph) == set()
    assert [str(note) for note in graph.notes if note.location.path == "template.yaml"] == [
        "template.yaml:7: API definition api/openapi.yaml is a symlink out of the repository; not read"
    ]


def test_a_symlink_inside_the_repository_is_read(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "sam-api", repo)
    (repo / "api" / "real.yaml").write_bytes((repo / "api" / "openapi.yaml").read_bytes())
    (repo / "api" / "openapi.yaml").unlink()
    (repo / "api" / "openapi.yaml").symlink_to(repo / "api" / "real.yaml")
    assert ("triggers", "template.yaml:OrdersApi", "template.yaml:OrdersFunction", "api/openapi.yaml:13") in wiring(load(repo))


def test_a_definition_over_the_size_limit_is_a_load_error(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "sam-api", repo)
    # between the template's size (514 bytes) and the definition's (671 bytes)
    monkeypatch.setattr(files_module, "MAX_FILE_BYTES", 600)
    graph = load(repo)
    assert wiring(graph) == set()
    size = (repo / "api" / "openapi.yaml").stat().st_size
    assert [str(error) for error in graph.errors] == [
        # discovery refuses it as a file, the template's reference as its definition
        f"api/openapi.yaml:1: too large ({size:,} bytes; files over 600 bytes are not read)",
        f"template.yaml:7: API definition api/openapi.yaml is too large "
        f"({(repo / 'api' / 'openapi.yaml').stat().st_size:,} bytes; files over 600 bytes are not read)",
    ]


def test_a_template_read_without_a_repository_root_keeps_the_not_read_note():
    path = FIXTURES / "sam-api" / "template.yaml"
    unit = LoadedUnit(name="api", format="sam", path="template.yaml")
    read_template(unit, parse_text(path.read_text()), LoadConfig())
    assert [edge for edge in unit.edges if edge.kind == "triggers"] == []
    assert [note.message for note in unit.notes] == [
        "OrdersApi: the API definition in ./api/openapi.yaml is not read; integrations written there "
        "(rather than as function events) are not in the graph"
    ]


_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: {location}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: {location}
"""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    location=st.one_of(
        st.text(alphabet="./\\~:$%{}ab \x00", max_size=12),
        st.sampled_from(["..", "/", ".", "defs", "defs/", "../repo/defs/x.yaml", "defs/../../x", "a/../../../etc"]),
    )
)
def test_any_location_becomes_edges_a_note_or_an_error_never_an_exception(tmp_path, location):
    repo = tmp_path / "repo"
    (repo / "defs").mkdir(parents=True, exist_ok=True)
    (repo / "defs" / "x.yaml").write_text("StartAt: A\nStates: {A: {Type: Pass, End: true}}\n")
    unit = LoadedUnit(name="u", format="sam", path="template.yaml")
    read_template(unit, parse_text(_TEMPLATE.format(location=json.dumps(location))), LoadConfig(), root=repo)
    # whatever went wrong is said on the line of the DefinitionUri that named the file
    assert {(item.location.path, item.location.line) for item in [*unit.notes, *unit.errors]} <= {
        ("template.yaml", 7),
        ("template.yaml", 11),
    }
