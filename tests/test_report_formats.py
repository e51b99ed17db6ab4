"""The report's formats: Mermaid, DOT, SARIF, Markdown and HTML, each checked for its structure."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.baseline import Baseline
from pytest_serverless_arch.cli import main
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.report import build_document, format_of, render
from pytest_serverless_arch.report.findings import finding_identity
from pytest_serverless_arch.report.layout import column_height
from pytest_serverless_arch.rules import BUILTIN_RULES

from .helpers import FIXTURES, REPO, make_split_queue_worker_a_placeholder, wide_graph
from .report_grammar import check_dot, check_mermaid

SPLIT_QUEUE = FIXTURES / "plugin" / "split-queue"
SAMPLES = sorted(path for path in (REPO / "sample_repos").iterdir() if path.is_dir())
SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"


def split_queue_document(tmp_path: Path | None = None, **kwargs):
    return build_document(
        load(SPLIT_QUEUE if tmp_path is None else tmp_path, root=str(SPLIT_QUEUE if tmp_path is None else tmp_path)), **kwargs
    )


@pytest.fixture(scope="module")
def sample_documents():
    return {sample.name: build_document(load(sample, root=str(sample))) for sample in SAMPLES}


def test_the_format_comes_from_the_file_suffix():
    assert [format_of(name) for name in ("a.html", "a.mmd", "a.md", "a.dot", "a.sarif", "a.json", "a.txt", "a.sarif.json")] == [
        "html",
        "mermaid",
        "markdown",
        "dot",
        "sarif",
        "json",
        "text",
        "sarif",
    ]
    with pytest.raises(ValueError, match="cannot tell the report format from '.pdf'"):
        format_of("report.pdf")


# --- Mermaid -----------------------------------------------------------------


def test_the_mermaid_diagram_draws_units_as_subgraphs_and_marks_the_violating_trigger():
    assert render(split_queue_document(), "mermaid") == (
        "flowchart LR\n"
        '  subgraph u0["app.yaml"]\n'
        '    n0(["Worker"])\n'
        "  end\n"
        '  subgraph u1["infra.yaml"]\n'
        '    n1[/"queue: OrdersQueue"/]\n'
        "  end\n"
        "  n1 --> n0\n"
        '  u0 =="imports"==> u1\n'
        '  u1 =="triggers"==> u0\n'
        "  classDef violating stroke:#d00,stroke-width:3px,color:#900\n"
        "  class n0,n1 violating\n"
        "  linkStyle 0,1,2 stroke:#d00,stroke-width:3px\n"
    )


@pytest.mark.parametrize("sample", [sample.name for sample in SAMPLES])
def test_every_samples_mermaid_passes_the_grammar_check_with_one_subgraph_per_unit(sample, sample_documents):
    document = sample_documents[sample]
    subgraphs = check_mermaid(render(document, "mermaid"))
    assert len(subgraphs) == len(document.graph.units())
    assert sorted(len(nodes) for nodes in subgraphs.values()) == sorted(len(unit.nodes) for unit in document.diagram.units)


def test_the_mermaid_diagram_can_show_only_the_units_in_violations(sample_documents):
    document = sample_documents["trigger-grouped-food-delivery"]
    assert document.units_in_violations() == {"orders-dev", "delivery-dev"}
    text = render(document, "mermaid", units=document.units_in_violations())
    assert [line.strip() for line in text.splitlines() if line.strip().startswith("subgraph")] == [
        'subgraph u0["orders-dev · orders"]',
        'subgraph u1["delivery-dev · delivery"]',
    ]
    assert text.splitlines()[-1] == "  %% 2 more units not shown"
    check_mermaid(text)


def test_a_changed_file_selects_the_unit_of_its_directory(sample_documents):
    document = sample_documents["trigger-grouped-food-delivery"]
    assert document.units_of_paths(["services/kitchen/handler.py"]) == {"kitchen-dev"}
    assert document.units_of_paths(["services/kitchen/serverless.yml", "services/orders"]) == {"kitchen-dev", "orders-dev"}
    assert document.units_of_paths(["README.md"]) == set()


def test_labels_with_quotes_and_brackets_stay_inside_the_grammar():
    from pytest_serverless_arch.graph import DeploymentGraph
    from pytest_serverless_arch.model import Location, Resource, Unit

    graph = DeploymentGraph()
    graph.add_unit(Unit('odd "name" [x] <y>', "sam", "t.yaml"))
    graph.add_resource(Resource('odd "name" [x] <y>', "Fn", "AWS::Serverless::Function", "function", Location("t.yaml", 2)))
    document = build_document(graph)
    check_mermaid(render(document, "mermaid"))
    check_dot(render(document, "dot"))
    assert 'subgraph u0["odd #quot;name#quot; #91;x#93; #lt;y#gt;"]' in render(document, "mermaid")


# --- DOT ---------------------------------------------------------------------


def test_the_dot_graph_has_a_cluster_per_unit_with_its_nodes():
    text = render(split_queue_document(), "dot")
    assert check_dot(text) == {"cluster_0": ["u0", "n0"], "cluster_1": ["u1", "n1"]}
    assert '  n1 -> n0 [label="triggers", style=solid, color="#cc0000", penwidth=2];' in text.splitlines()
    assert '  u0 -> u1 [label="imports", penwidth=2, color="#cc0000"];' in text.splitlines()


@pytest.mark.parametrize("sample", [sample.name for sample in SAMPLES])
def test_every_samples_dot_passes_the_grammar_check(sample, sample_documents):
    document = sample_documents[sample]
    clusters = check_dot(render(document, "dot"))
    assert len(clusters) == len(document.graph.units())
    assert sum(len(nodes) for nodes in clusters.values()) == len(document.diagram.units) + len(document.diagram.nodes_by_id)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's own use of older pyparsing names
def test_networkx_reads_the_dot_graph_back(sample_documents, tmp_path):
    pydot = pytest.importorskip("pydot", reason="pydot is not installed; networkx reads DOT only through pydot or pygraphviz")
    del pydot
    from networkx.drawing.nx_pydot import read_dot

    document = sample_documents["trigger-grouped-food-delivery"]
    path = tmp_path / "graph.dot"
    path.write_text(render(document, "dot"))
    graph = read_dot(path)
    expected_nodes = {f"u{index}" for index in range(4)} | {f"n{index}" for index in range(len(document.diagram.nodes_by_id))}
    assert set(graph.nodes) >= expected_nodes
    assert graph.number_of_edges() == len(document.diagram.edges) + len(document.diagram.unit_edges)
    assert graph.has_edge("u0", "u1") and graph.has_edge("u0", "u2") and graph.has_edge("u0", "u3")


# --- SARIF -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (a test extra) is not installed")
    return jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def sarif_errors(validator, log) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(log)]


@pytest.mark.parametrize("sample", [sample.name for sample in SAMPLES])
def test_every_samples_sarif_is_valid_sarif_2_1_0(sample, sample_documents, sarif_validator):
    log = json.loads(render(sample_documents[sample], "sarif"))
    assert sarif_errors(sarif_validator, log) == []
    assert log["version"] == "2.1.0"


def test_sarif_results_point_at_the_file_and_line_relative_to_the_repository(sarif_validator):
    log = json.loads(render(split_queue_document(), "sarif"))
    run = log["runs"][0]
    results = [
        (
            result["ruleId"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"],
        )
        for result in run["results"]
    ]
    # the worker ships its own code: its trigger in infra is trigger-colocated's finding only (issue 12, defect 5)
    assert results == [
        ("trigger-colocated", "tests/fixtures/plugin/split-queue/infra.yaml", 7, "trigger-colocated"),
    ]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == REPO.resolve().as_uri() + "/"


def test_each_sarif_rule_has_descriptions_a_level_and_a_help_link_to_its_docs_page():
    rules = json.loads(render(split_queue_document(), "sarif"))["runs"][0]["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    assert set(by_id) == {*BUILTIN_RULES, "load-error"}
    assert {"trigger-colocated", "no-unit-cycles", "no-function-placeholders"} <= set(by_id)
    colocated = by_id["trigger-colocated"]
    assert colocated["shortDescription"]["text"] == "every lambda ships with its trigger"
    assert colocated["fullDescription"]["text"].startswith("Every lambda ships with its trigger. A trigger and its consumers")
    assert colocated["defaultConfiguration"] == {"level": "error"}
    for rule in rules:
        page = rule["helpUri"].split("/blob/main/", 1)[1].split("#")[0]
        assert (REPO / page).is_file(), f"{rule['id']}: {rule['helpUri']} names no docs page"


def test_sarif_fingerprints_do_not_change_with_the_stage(tmp_path):
    sample = REPO / "sample_repos" / "trigger-grouped-food-delivery"

    def fingerprints(stage):
        graph = load(sample, root=str(sample), config=LoadConfig(stage=stage))
        log = json.loads(render(build_document(graph), "sarif"))
        return [(r["ruleId"], r["partialFingerprints"]["serverlessArchFinding/v1"]) for r in log["runs"][0]["results"]]

    dev, prod = fingerprints("dev"), fingerprints("prod")
    assert len(dev) == 3
    assert dev == prod


def test_the_finding_identity_names_units_by_template_path_and_resources_by_logical_id():
    sample = REPO / "sample_repos" / "trigger-grouped-food-delivery"
    graph = load(sample, root=str(sample), config=LoadConfig(stage="prod"))
    finding = build_document(graph).findings[0]
    assert finding_identity(finding.violation, graph) == (
        "no-cross-domain-access|services/delivery/serverless.yml,services/orders/serverless.yml|"
        "services/delivery/serverless.yml#assignCourier,services/orders/serverless.yml#OrdersTable"
    )


def test_a_suppressed_finding_carries_its_justification(tmp_path, sarif_validator):
    shutil.copytree(SPLIT_QUEUE, tmp_path, dirs_exist_ok=True)
    app = tmp_path / "app.yaml"
    make_split_queue_worker_a_placeholder(app)
    app.write_text(
        app.read_text().replace(
            "    Type: AWS::Lambda::Function\n",
            "    Type: AWS::Lambda::Function\n    Metadata:\n      serverless-arch:\n        suppress:\n"
            "          - rule: trigger-colocated\n            reason: the queue moves here in Q3\n",
        )
    )
    log = json.loads(render(split_queue_document(tmp_path), "sarif"))
    assert sarif_errors(sarif_validator, log) == []
    by_rule = {result["ruleId"]: result for result in log["runs"][0]["results"]}
    assert by_rule["trigger-colocated"]["suppressions"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "the queue moves here in Q3",
            "location": {
                "physicalLocation": {"artifactLocation": {"uri": "app.yaml", "uriBaseId": "SRCROOT"}, "region": {"startLine": 3}}
            },
        }
    ]
    assert "suppressions" not in by_rule["no-function-placeholders"]


def test_baselined_findings_are_unchanged_and_the_others_new(tmp_path, sarif_validator):
    shutil.copytree(SPLIT_QUEUE, tmp_path, dirs_exist_ok=True)
    make_split_queue_worker_a_placeholder(tmp_path / "app.yaml")
    document = split_queue_document(tmp_path)
    placeholder = next(finding.violation for finding in document.findings if finding.rule == "no-function-placeholders")
    log = json.loads(render(split_queue_document(tmp_path, baseline=Baseline.from_violations([placeholder])), "sarif"))
    assert sarif_errors(sarif_validator, log) == []
    assert [(r["ruleId"], r["baselineState"]) for r in log["runs"][0]["results"]] == [
        ("no-function-placeholders", "unchanged"),
        ("trigger-colocated", "new"),
    ]


def test_load_errors_are_sarif_results_at_their_file_and_line(sample_documents):
    log = json.loads(render(sample_documents["broken-inventory"], "sarif"))
    errors = [
        (
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"].get("region", {}).get("startLine"),
        )
        for result in log["runs"][0]["results"]
        if result["ruleId"] == "load-error"
    ]
    expected = [
        (f"sample_repos/broken-inventory/{error.path}", error.line or None)
        for error in sample_documents["broken-inventory"].graph.errors
    ]
    assert errors == expected
    assert len(errors) >= 2


# --- Markdown ----------------------------------------------------------------


def test_the_markdown_summary_holds_counts_pattern_violations_and_the_diagram():
    document = split_queue_document()
    lines = render(document, "markdown").splitlines()
    assert lines[:3] == [
        "## Deployment architecture",
        "",
        "2 deployment units, 1 function, 1 trigger, 1 cross-unit link, 0 load errors",
    ]
    assert lines[4].startswith("**Pattern:** `infra-app-split`: unit infra.yaml holds triggers")
    assert "**Deploy order:** [`app.yaml`] ; [`infra.yaml`]" in lines
    assert "### Violations (1)" in lines
    assert (
        "| `infra.yaml:7` | `trigger-colocated` | function Worker (unit app.yaml) is triggered by queue OrdersQueue "
        "(unit infra.yaml), defined in unit infra.yaml; ship the trigger and the function in one unit | new |"
    ) in lines
    start = lines.index("```mermaid")
    assert "\n".join(lines[start + 1 : lines.index("```", start + 1)]) + "\n" == render(document, "mermaid")


def test_a_large_repositorys_markdown_draws_only_the_units_in_violations():
    document = build_document(wide_graph(60, 4))
    text = render(document, "markdown")
    assert "too many for one diagram: shown are the 0 units involved in violations." in text
    assert "```mermaid" not in text


# --- HTML --------------------------------------------------------------------


class SvgCounter(HTMLParser):
    """Counts the SVG groups and paths by class, and collects what could reach the network."""

    def __init__(self) -> None:
        super().__init__()
        self.units: list[str] = []
        self.collapsed = 0
        self.nodes: list[str] = []
        self.edges = 0
        self.unit_edges = 0
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "g" and "unit" in classes:
            self.units.append(values["data-unit"])
            self.collapsed += "collapsed" in classes
        if tag == "g" and "node" in classes:
            self.nodes.append(values["data-id"])
        if tag == "path" and "edge" in classes:
            self.edges += 1
        if tag == "path" and "unit-edge" in classes:
            self.unit_edges += 1
        if tag in ("script", "img", "link", "iframe") and (values.get("src") or values.get("href")):
            self.external.append(f"{tag} {values.get('src') or values.get('href')}")


def count_svg(text: str) -> SvgCounter:
    counter = SvgCounter()
    counter.feed(text)
    counter.close()
    return counter


@pytest.mark.parametrize("sample", [sample.name for sample in SAMPLES])
def test_every_samples_html_draws_one_group_per_unit_and_per_node_and_a_path_per_edge(sample, sample_documents):
    document = sample_documents[sample]
    text = render(document, "html")
    counter = count_svg(text)
    assert counter.units == [unit.name for unit in document.diagram.units]
    assert sorted(counter.nodes) == sorted(document.diagram.nodes_by_id)
    assert counter.edges == sum(len(document.diagram.inner_edges(unit.name)) for unit in document.diagram.units)
    assert counter.unit_edges == len(document.diagram.unit_edges)
    assert counter.external == []
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text


def test_the_html_page_of_a_split_queue_shows_its_nodes_violations_and_pattern():
    text = render(split_queue_document(), "html")
    counter = count_svg(text)
    assert (counter.units, counter.nodes, counter.edges, counter.unit_edges) == (
        ["app.yaml", "infra.yaml"],
        ["app.yaml:Worker", "infra.yaml:OrdersQueue"],
        0,  # the trigger crosses units: drawn as the link between the two boxes
        2,
    )
    assert "<td><code>infra.yaml:7</code></td><td>trigger-colocated</td>" in text
    assert '<strong class="pattern">infra-app-split</strong>' in text
    assert 'data-location="app.yaml:3"' in text


def test_the_html_page_names_the_pipelines_that_deploy_each_unit(sample_documents):
    document = sample_documents["monolith-bookings-one-workflow"]
    text = render(document, "html")
    assert [name for name in count_svg(text).units] == ["bookings-data", "bookings-api"]
    assert text.count('data-pipelines="release"') == 2
    assert '<button type="button" class="show-units" data-units="bookings-data\nbookings-api">release</button>' in text
    assert "bookings-data → bookings-api" in text
    assert "Rules work at the <strong>pipeline</strong> level" in text


def test_a_repository_of_200_units_and_2000_functions_starts_collapsed_in_wrapped_columns():
    document = build_document(wide_graph(200, 10))
    text = render(document, "html")
    counter = count_svg(text)
    assert len(counter.units) == counter.collapsed == 200
    assert len(counter.nodes) == 2200
    assert counter.unit_edges == 66
    per_column = column_height(200)
    columns: dict[str, int] = {}
    for column in __import__("re").findall(r'class="unit[^"]*" id="unit-\d+" data-unit="[^"]+" data-col="(\d+)"', text):
        columns[column] = columns.get(column, 0) + 1
    assert max(columns.values()) <= per_column == 22
    assert len(text) < 3_000_000


def test_the_report_command_writes_any_format_to_a_file(tmp_path, capsys):
    output = tmp_path / "report.sarif"
    # exit 1: the fixture's findings are violations (the report is written whatever the exit status)
    assert main(["report", str(SPLIT_QUEUE), "--format", "sarif", "--output", str(output)]) == 1
    assert capsys.readouterr().out == ""
    assert json.loads(output.read_text())["version"] == "2.1.0"
    assert main(["report", str(SPLIT_QUEUE), "--format", "mermaid", "--only-violations"]) == 1
    assert capsys.readouterr().out.startswith("flowchart LR\n")
