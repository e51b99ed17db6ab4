"""``--arch-changed-since`` linking only a change's neighbourhood (neighbourhood.py) gives a whole graph's answers.

A repository whose units link in every way the linker knows (an export, an SSM
parameter whose value names a queue, a queue's physical name in an ARN, a
stack name from a samconfig read by a serverless ``${cf:..}``, a unit cycle),
committed; then, with Hypothesis, any mix of the versions of its files. Linked
as the neighbourhood (the graph at the ref from its link facts), the graph
gives every built-in rule's findings on the touched units, every cross-unit
link, the deploy order and the unit cycles of the whole graph linked.
"""

from __future__ import annotations

import dataclasses
import gc
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.cache import UnitCache
from pytest_serverless_arch.changes import ChangeSet, changes_since, graph_at, state_since, violations_within
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.graph import DeploymentGraph
from pytest_serverless_arch.neighbourhood import Neighbourhood
from pytest_serverless_arch.ref_store import RefStore
from pytest_serverless_arch.rules import run_builtin_rules

from .helpers import apply_edit, commit_all, git, write_files
from .hypothesis_support import property_settings


def provider(export: str = "orders-arn", queue: str = "orders", parameter: str | None = "/shop/queue-arn") -> str:
    ssm = (
        f"""
      QueueArnParameter:
        Type: AWS::SSM::Parameter
        Properties:
          Name: {parameter}
          Type: String
          Value: !GetAtt Orders.Arn"""
        if parameter
        else ""
    )
    return f"""\
    Resources:
      Orders:
        Type: AWS::SQS::Queue
        Properties:
          QueueName: {queue}{ssm}
    Outputs:
      OrdersArn:
        Value: !GetAtt Orders.Arn
        Export:
          Name: {export}
    """


def consumer(name: str, source: str, export: str | None = None) -> str:
    """A function triggered by a queue named by ``source`` (an import, an SSM read, an ARN); it may export its ARN."""
    outputs = (
        f"""
    Outputs:
      {name}Arn:
        Value: !GetAtt {name}.Arn
        Export:
          Name: {export}"""
        if export
        else ""
    )
    return f"""\
    Resources:
      {name}:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          Role: arn:aws:iam::123456789012:role/app
          Code:
            ZipFile: x
      {name}Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: !Ref {name}
          EventSourceArn: {source}{outputs}
    """


def reports(stack: str) -> str:
    return f"""\
    service: reports
    provider:
      name: aws
      runtime: python3.12
    functions:
      report:
        handler: app.handler
        environment:
          ORDERS: ${{cf:{stack}.OrdersArn}}
    """


def samconfig(stack: str) -> str:
    return f'version = 0.1\n[default.deploy.parameters]\nstack_name = "{stack}"\n'


def notifier(function_export: str) -> str:
    """A topic in this unit invoking another unit's function: a subscription and a Lambda permission for one trigger."""
    return f"""\
    Resources:
      Alerts:
        Type: AWS::SNS::Topic
      AlertsSubscription:
        Type: AWS::SNS::Subscription
        Properties:
          Protocol: lambda
          TopicArn: !Ref Alerts
          Endpoint: !ImportValue {function_export}
      AlertsPermission:
        Type: AWS::Lambda::Permission
        Properties:
          Action: lambda:InvokeFunction
          FunctionName: !ImportValue {function_export}
          Principal: sns.amazonaws.com
          SourceArn: !Ref Alerts
    """


def provider_reading(export: str) -> str:
    """The provider, also triggered by an import: with chain's export, a unit cycle orders -> chain -> billing -> orders."""
    resources = consumer("Back", f"!ImportValue {export}").split("Resources:\n", 1)[1].rstrip(" ")
    return provider().replace("    Outputs:\n", resources + "    Outputs:\n")


STACKS = {"orders": "orders-stack"}  # the stack names the pipeline deploys (each unit's name: unchanged)


def workflow(*units: str) -> str:
    """A GitHub Actions workflow deploying each of ``units`` (folder names) with ``sam deploy``, in order."""
    steps = "".join(
        f"      - run: sam deploy -t {unit}/template.yaml --stack-name {STACKS.get(unit, unit)} --no-fail-on-empty-changeset\n"
        for unit in units
    )
    return f"name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"


ARN = "!Sub arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders"
SSM = "'{{resolve:ssm:/shop/queue-arn}}'"

# Each file's versions: the first is the committed one (None: absent).
VERSIONS: dict[str, list[str | None]] = {
    "orders/template.yaml": [
        provider(),
        provider(export="orders-queue-arn"),
        provider(queue="orders-v2"),
        provider(parameter=None),
        provider(parameter="/shop/other"),
        provider_reading("chain-out"),
        None,
    ],
    "orders/samconfig.toml": [samconfig("orders-stack"), samconfig("orders-v2"), None],
    "billing/template.yaml": [
        consumer("Bill", "!ImportValue orders-arn", export="bill-fn"),
        consumer("Bill", SSM, export="bill-fn"),
        consumer("Bill", ARN),
        consumer("Bill", "!ImportValue orders-arm", export="bill-fn"),
    ],
    "shipping/template.yaml": [consumer("Ship", SSM), consumer("Ship", "!ImportValue orders-arn"), None],
    "reports/serverless.yml": [reports("orders-stack"), reports("orders-v2")],
    "chain/template.yaml": [
        consumer("Chain", "!ImportValue bill-fn"),
        consumer("Chain", "!ImportValue bill-fn", export="chain-out"),
    ],
    ".github/workflows/deploy.yml": [workflow("orders", "billing"), workflow("orders", "billing", "chain")],
    "alone/template.yaml": [
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
        provider(export="alone-arn", queue="orders", parameter=None),  # a second queue of that physical name
        provider(),  # a second exporter, a second writer of the parameter
        consumer("Alone", "!ImportValue chain-out"),
        notifier("bill-fn"),
    ],
}


@pytest.fixture(scope="module")
def committed_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("neighbourhood") / "base"
    write_files(root, {path: text for path, (text, *_) in VERSIONS.items() if text is not None})
    commit_all(root, "base")
    return root


def checked_against_ref(root: Path, cache_dir: Path) -> tuple[DeploymentGraph, ChangeSet, Neighbourhood]:
    """What the gate does with a cache folder: the graph at HEAD first, then the head linked as the change allows."""
    config = LoadConfig()
    commit, files = state_since(root, "HEAD")
    cache = UnitCache(cache_dir, key_file=cache_dir / "key", keep_graphs=False)
    store = RefStore(cache_dir / "refs", key_file=cache_dir / "key")
    before = graph_at("HEAD", root=root, config=config, store=store, commit=commit)
    neighbourhood = Neighbourhood(before, files, config)
    graph = load(root, config=dataclasses.replace(config, link_scope=neighbourhood), cache=cache)
    plan = neighbourhood.plan
    assert plan is not None
    graph.changes = changes_since(
        graph, "HEAD", before=before, state=(commit, files), also_changed=plan.changed, also_linked=plan.affected
    )
    return graph, graph.changes, neighbourhood


def answers(graph: DeploymentGraph, changes: ChangeSet) -> dict[str, object]:
    graph.changes = changes
    return {
        "findings": [str(found) for found in violations_within(changes, run_builtin_rules(graph))],
        "links": sorted(graph.cross_unit_links(), key=repr),
        "deploy order": graph.deploy_order(),
        "cycles": graph.unit_cycles(),
        "dependencies": graph.unit_dependencies(),
        "errors": graph.errors,
        "units": graph.units(),
        "resources": graph.resources(),
        "provided": graph.provided_names(),
    }


# The versions that keep every unit, its name and the pipelines (so the neighbourhood is linked, not the whole graph).
KEPT_WHOLE = ("orders/samconfig.toml", ".github/workflows/deploy.yml")  # any other version renames a unit or a pipeline
KEEPING = {
    path: [index for index, text in enumerate(versions) if text is not None and not (path in KEPT_WHOLE and index)]
    for path, versions in VERSIONS.items()
}


@property_settings
@given(
    chosen=st.one_of(
        st.fixed_dictionaries({path: st.sampled_from(indexes) for path, indexes in KEEPING.items()}),
        st.fixed_dictionaries({path: st.integers(0, len(versions) - 1) for path, versions in VERSIONS.items()}),
    )
)
def test_a_changes_neighbourhood_gives_the_whole_graphs_answers_on_what_it_touches(
    committed_base: Path, chosen: dict[str, int]
) -> None:
    """Random edits: exports, SSM names, physical names and stack names added, renamed, removed; units deleted."""
    with tempfile.TemporaryDirectory(prefix="neighbourhood-") as temp:
        folder = Path(temp)
        root = folder / "repo"
        shutil.copytree(committed_base, root)
        apply_edit(root, {path: VERSIONS[path][index] for path, index in chosen.items() if index})
        scoped, changes, neighbourhood = checked_against_ref(root, folder / "cache")
        whole = load(root)
        assert answers(scoped, changes) == answers(whole, changes), neighbourhood.reason
        touched = {*changes.changed_units, *changes.linked_units}
        if scoped.link_scope is not None:
            assert touched <= scoped.link_scope.own_links <= scoped.link_scope.linked


def test_an_unlinked_units_edit_links_that_unit_alone(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(_base(tmp_path), root)
    apply_edit(root, {"alone/template.yaml": "Resources:\n  Bucket2:\n    Type: AWS::S3::Bucket\n"})
    graph, changes, neighbourhood = checked_against_ref(root, tmp_path / "cache")
    assert neighbourhood.reason is None
    assert graph.link_scope is not None
    assert sorted(graph.link_scope.linked) == ["alone"]
    assert (changes.changed_units, changes.linked_units) == (("alone",), ())
    assert len(graph.units()) == 6  # every unit and resource is in the graph; only the neighbourhood is linked
    assert graph.summary() == (
        "6 units (cloudformation 5, serverless 1), 4 functions, 0 triggers in the 1 unit linked, 0 load errors, "
        "1 pipeline (unit level stack)"
    )


def test_the_providers_edit_links_its_readers_and_their_neighbours(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(_base(tmp_path), root)
    apply_edit(root, {"orders/template.yaml": provider(export="orders-queue-arn")})
    graph, changes, neighbourhood = checked_against_ref(root, tmp_path / "cache")
    assert neighbourhood.reason is None
    assert graph.link_scope is not None
    # the samconfig names the orders unit orders-stack; serverless names its service reports-dev
    assert (changes.changed_units, changes.linked_units) == (("orders-stack",), ("billing", "reports-dev", "shipping"))
    assert sorted(graph.link_scope.own_links) == ["billing", "orders-stack", "reports-dev", "shipping"]
    assert sorted(graph.link_scope.linked) == ["billing", "chain", "orders-stack", "reports-dev", "shipping"]
    assert [link.from_unit for link in graph.link_scope.fixed_links] == ["chain"]


def test_a_second_unit_of_a_queues_physical_name_touches_the_unit_that_named_it(tmp_path: Path) -> None:
    """The name becomes ambiguous: billing's ARN resolves to nothing now, though billing is linked to neither unit."""
    root = tmp_path / "repo"
    shutil.copytree(_base(tmp_path), root)
    apply_edit(root, {"billing/template.yaml": consumer("Bill", ARN)})
    commit_all(root, "billing names the queue by its ARN")
    apply_edit(root, {"alone/template.yaml": provider(export="alone-arn", queue="orders", parameter=None)})
    _, changes, neighbourhood = checked_against_ref(root, tmp_path / "cache")
    assert neighbourhood.plan is not None
    assert sorted(neighbourhood.plan.affected) == ["billing"]
    assert "billing" in changes.linked_units


def test_a_unit_deleted_links_the_whole_graph_and_says_why(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(_base(tmp_path), root)
    apply_edit(root, {"shipping/template.yaml": None})
    graph, _, neighbourhood = checked_against_ref(root, tmp_path / "cache")
    assert graph.link_scope is None
    assert neighbourhood.reason == "units were added, removed or renamed since the ref"


def _base(tmp_path: Path) -> Path:
    base = tmp_path / "base"
    if not base.exists():
        write_files(base, {path: text for path, (text, *_) in VERSIONS.items() if text is not None})
        commit_all(base, "base")
    return base


PYTEST_INI = "[pytest]\nserverless_arch_rules =\n    trigger-colocated\n    no-unit-cycles\n    no-dangling-references\n"


def gate_repository(pytester: pytest.Pytester) -> None:
    write_files(pytester.path, {path: text for path, (text, *_) in VERSIONS.items() if text is not None})
    (pytester.path / "pytest.ini").write_text(PYTEST_INI)
    commit_all(pytester.path, "base")


def test_the_gate_checks_a_change_on_its_neighbourhood_with_the_whole_gates_outcomes(pytester: pytest.Pytester) -> None:
    gate_repository(pytester)
    apply_edit(pytester.path, {"billing/template.yaml": VERSIONS["billing/template.yaml"][3]})  # imports a typo
    whole = pytester.runpytest("-p", "no:randomly")
    whole.assert_outcomes(passed=1, failed=2)
    result = pytester.runpytest("--arch-changed-since", "HEAD", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "serverless-arch: 6 units (cloudformation 5, serverless 1), 4 functions, 3 triggers in the 5 units linked, "
            "0 load errors, 1 pipeline (unit level stack)",
            "serverless-arch changed since HEAD: 1 file, units changed: billing; linked: chain, orders-stack; "
            "deploy order: [billing, orders-stack] ; [chain]; pipelines: deploy; "
            "checked: the neighbourhood (5 of 6 units linked)",
        ]
    )
    # the whole gate's findings are all on the touched units here: the failures read the same, line for line
    assert failures(result.outlines) == failures(whole.outlines)
    assert "  billing/template.yaml:10: no-dangling-references: import of 'orders-arm' in unit billing is provided by " + (
        "no unit: no unit exports 'orders-arm'; did you mean `orders-arn`?"
    ) in failures(result.outlines)


def failures(lines: list[str]) -> list[str]:
    """The FAILURES section of a pytest run's output."""
    start = next(index for index, line in enumerate(lines) if "FAILURES" in line)
    end = next(index for index, line in enumerate(lines[start + 1 :], start + 1) if line.startswith("====="))
    return lines[start:end]


def test_a_rule_that_reads_the_whole_graph_makes_the_gate_link_it_whole_and_says_so(pytester: pytest.Pytester) -> None:
    gate_repository(pytester)
    pytester.makeconftest(
        """
        from pytest_serverless_arch.rules import rule

        @rule("few-units", description="a handful of units at most")
        def few_units(graph):
            return []
        """
    )
    apply_edit(pytester.path, {"alone/template.yaml": "Resources:\n  Bucket2:\n    Type: AWS::S3::Bucket\n"})
    result = pytester.runpytest("--arch-changed-since", "HEAD")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        ["serverless-arch changed since HEAD: *; checked: the whole graph (rule few-units reads the whole graph)"]
    )


def test_the_deployment_graph_fixture_is_the_whole_graph_when_the_gate_links_a_neighbourhood(
    pytester: pytest.Pytester,
) -> None:
    gate_repository(pytester)
    pytester.makepyfile(
        test_graph="""
        def test_every_trigger_is_linked(deployment_graph):
            assert deployment_graph.link_scope is None
            assert deployment_graph.changes.changed_units == ("alone",)
            assert len(deployment_graph.edges("triggers")) == 3
        """
    )
    apply_edit(pytester.path, {"alone/template.yaml": "Resources:\n  Bucket2:\n    Type: AWS::S3::Bucket\n"})
    result = pytester.runpytest("--arch-changed-since", "HEAD")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["serverless-arch changed since HEAD: *; checked: the neighbourhood (1 of 6 units linked)"])


def test_the_gates_graph_is_kept_out_of_the_collectors_walks_until_the_run_ends(pytester: pytest.Pytester) -> None:
    """The loaded graph makes no cycles and lives to the end: frozen after the load, unfrozen when the run stops."""
    gate_repository(pytester)
    pytester.makepyfile(
        test_frozen="""
        import gc

        def test_the_loaded_graph_is_frozen(deployment_graph):
            assert gc.get_freeze_count() > 0
        """
    )
    frozen_before = gc.get_freeze_count()
    pytester.runpytest_inprocess("test_frozen.py").assert_outcomes(passed=1)
    assert gc.get_freeze_count() == frozen_before == 0


def test_a_pipeline_edited_links_the_whole_graph_and_says_why(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(_base(tmp_path), root)
    apply_edit(root, {".github/workflows/deploy.yml": workflow("orders", "billing", "chain")})
    graph, _, neighbourhood = checked_against_ref(root, tmp_path / "cache")
    assert graph.link_scope is None
    assert neighbourhood.reason == "the pipelines changed since the ref"


def test_at_the_pipeline_unit_level_the_whole_graph_is_linked(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(_base(tmp_path), root)
    apply_edit(root, {"alone/template.yaml": "Resources:\n  Bucket2:\n    Type: AWS::S3::Bucket\n"})
    config = LoadConfig(unit_level="pipeline")
    commit, files = state_since(root, "HEAD")
    before = graph_at("HEAD", root=root, config=config, commit=commit)
    neighbourhood = Neighbourhood(before, files, config)
    graph = load(root, config=dataclasses.replace(config, link_scope=neighbourhood))
    assert graph.link_scope is None
    assert neighbourhood.reason == "the unit level is the pipeline (a rule reads every unit a pipeline deploys)"


# --- the gate: a neighbourhood-only run against the whole graph's, over random edits ----------------


def suppressing(text: str, resource: str, rule: str, reason: str = "kept on purpose") -> str:
    """``text`` (a template of this module) with a suppression of ``rule`` on ``resource``."""
    head, found, tail = text.partition(f"\n      {resource}:\n")
    assert found, resource
    kind, rest = tail.split("\n", 1)
    metadata = f"\n        Metadata:\n          serverless-arch:\n            suppress:\n              - rule: {rule}\n"
    return f"{head}{found}{kind}{metadata}                reason: {reason}\n{rest}"


# Besides VERSIONS: suppressions (one used, one of a rule no run knows), a template that does not parse,
# a service renamed (the whole graph is linked, and says why). No pipeline at first: the units the
# neighbourhood does not reach are then taken as their records (unit_records.py); then one. Two templates
# in one folder: a name clash renames both (they are unpickled, the others not).
GATE_VERSIONS: dict[str, list[str | None]] = {
    **VERSIONS,
    "billing/template.yaml": [
        *VERSIONS["billing/template.yaml"],
        suppressing(consumer("Bill", "!ImportValue orders-arm", export="bill-fn"), "BillMapping", "no-dangling-references"),
        suppressing(consumer("Bill", SSM, export="bill-fn"), "Bill", "no-such-rule"),
        "Resources: [\n",
    ],
    "shipping/template.yaml": [
        *VERSIONS["shipping/template.yaml"],
        suppressing(consumer("Ship", SSM), "Ship", "trigger-colocated"),
    ],
    "reports/serverless.yml": [
        *VERSIONS["reports/serverless.yml"],
        reports("orders-stack").replace("reports", "billing-reports", 1),
    ],
    "alone/template.yaml": [
        *VERSIONS["alone/template.yaml"],
        "Resources:\n  Bucket: [\n",
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n        - Key: domain\n"
        "          Value: ops\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n"
        "      Handler: app.handler\n      Role: arn:aws:iam::123456789012:role/app\n      Code:\n        ZipFile: x\n",
    ],
    ".github/workflows/deploy.yml": [None, *VERSIONS[".github/workflows/deploy.yml"]],
    # a second template in alone's folder: the folder names neither, each is named by its path
    "alone/second.yaml": [
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n",
        "Resources:\n  Topic2:\n    Type: AWS::SNS::Topic\n",
        None,
    ],
}


# Every built-in rule that reads only the neighbourhood; domains from folders, or
# only from a resource's tag (the rules needing domains then ask the whole repository whether any has one).
GATE_RULES = (
    "    trigger-colocated\n    no-unit-cycles\n    no-dangling-references\n    no-function-placeholders\n"
    "    single-domain-units\n    no-cross-domain-access\n    max-cross-unit-links\n    pipeline-order\n"
)
GATE_INIS = [
    f"[pytest]\nserverless_arch_rules =\n{GATE_RULES}serverless_arch_domains =\n    billing/** = money\n"
    "    orders/** = shop\n    chain/** = shop\n",
    f"[pytest]\nserverless_arch_rules =\n{GATE_RULES}",
    # options: the domains allowed are checked against the whole repository's (the records' too)
    "[pytest]\nserverless_arch_rules =\n    max-cross-unit-links limit=1 direction=out\n"
    '    no-cross-domain-access allow=\'["money->shop", "ops->shop"]\'\n    trigger-colocated include_external=true\n'
    "    no-dangling-references allow='[\"orders-arm\"]'\n    single-domain-units ignore_kinds='[\"bucket\"]'\n",
]

PYTEST_HEADER = ("platform ", "cachedir:", "rootdir:", "configfile:", "plugins:", "hypothesis profile", "benchmark:", "using:")


def gate_outcome(pytester: pytest.Pytester, *options: str) -> list[str]:
    """A gate run's output as far as the check goes: the header, each item's outcome, the failures, the summary.

    How it was checked is left out (the triggers counted "in the N units linked", "checked: ..."), and the time.
    """
    result = pytester.runpytest("--arch-changed-since", "HEAD", "-p", "no:randomly", "-v", *options)
    lines = []
    for line in result.outlines:
        if line.startswith("serverless-arch"):
            line = re.sub(r"\d+ triggers?( in the \d+ units? linked)?", "triggers", line)
            line = re.sub(r"; checked: .*$", "", line)
        elif line.startswith(PYTEST_HEADER):
            continue
        lines.append(re.sub(r" in [\d.]+s\b.*$", "", line))
    return lines


# the versions that keep every unit and its name, and the pipelines: the neighbourhood is linked, not the whole graph
GATE_KEEPING = {
    path: [
        index
        for index, text in enumerate(versions)
        if index == 0
        or text is not None
        and not (path in KEPT_WHOLE and index)
        and not text.endswith("[\n")  # a template that does not parse is no unit
        and "billing-reports" not in text
    ]
    for path, versions in GATE_VERSIONS.items()
}
KEEPING_EDIT = st.fixed_dictionaries({path: st.sampled_from(indexes) for path, indexes in GATE_KEEPING.items()})
ANY_EDIT = st.fixed_dictionaries({path: st.integers(0, len(versions) - 1) for path, versions in GATE_VERSIONS.items()})


WORKFLOW = ".github/workflows/deploy.yml"


@pytest.mark.parametrize("pipeline", [False, True], ids=["no pipeline", "a pipeline"])
@settings(parent=property_settings, max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chosen=st.one_of(KEEPING_EDIT, KEEPING_EDIT, ANY_EDIT), ini=st.sampled_from(GATE_INIS))
def test_the_gate_on_a_changes_neighbourhood_prints_what_the_whole_graphs_gate_prints(
    pytester: pytest.Pytester, pipeline: bool, chosen: dict[str, int], ini: str
) -> None:
    """Random edits, with the warm cache of the earlier ones: the same header, items, failures and summary lines.

    Version 0 of a file is the committed one (with ``pipeline``, the workflow's is its version 1).
    """
    if not (pytester.path / ".git").exists():
        base = {path: versions[0] for path, versions in GATE_VERSIONS.items()}
        if pipeline:
            base[WORKFLOW] = GATE_VERSIONS[WORKFLOW][1]
        write_files(pytester.path, {path: text for path, text in base.items() if text is not None})
        (pytester.path / "pytest.ini").write_text(GATE_INIS[0])
        commit_all(pytester.path, "base")
    git(pytester.path, "checkout", "-q", "--", ".")
    git(pytester.path, "clean", "-fdq", "-e", ".pytest_cache")
    (pytester.path / "pytest.ini").write_text(ini)
    apply_edit(pytester.path, {path: GATE_VERSIONS[path][index] for path, index in chosen.items() if index})
    scoped = gate_outcome(pytester)
    whole = gate_outcome(pytester, "-p", "no:cacheprovider")  # no cache folder keeps the graph at the ref: linked whole
    assert scoped == whole


@pytest.mark.parametrize(("workflow", "header"), [(None, ""), (GATE_VERSIONS[WORKFLOW][1], ", 1 pipeline (unit level stack)")])
def test_the_gate_takes_the_units_the_neighbourhood_does_not_reach_as_their_records(
    pytester: pytest.Pytester, workflow: str | None, header: str
) -> None:
    """The edited unit, and the one a name clash renames with it, are unpickled: the graph lists the others from their records.

    With a pipeline too: its deployments are given to the records (the stack names, the unit level).
    """
    base = {path: versions[0] for path, versions in GATE_VERSIONS.items()} | {WORKFLOW: workflow}
    write_files(pytester.path, {path: text for path, text in base.items() if text is not None})
    (pytester.path / "pytest.ini").write_text(PYTEST_INI)
    commit_all(pytester.path, "base")
    pytester.makepyfile(
        test_records="""
        from pytest_serverless_arch.gate import active_gate

        def test_the_graph_holds_records():
            graph = active_gate().graph()
            print("absent:", sorted(graph.absent), "resources of:", sorted({r.unit for r in graph.resources()}))
        """
    )
    pytester.runpytest("--arch-changed-since", "HEAD")  # the first check keeps a record beside each unit
    apply_edit(pytester.path, {"alone/template.yaml": "Resources:\n  Bucket2:\n    Type: AWS::S3::Bucket\n"})
    result = pytester.runpytest("--arch-changed-since", "HEAD", "-s", "-p", "no:randomly")
    result.stdout.fnmatch_lines(
        [
            "serverless-arch: 7 units (cloudformation 6, serverless 1), 4 functions, 0 triggers in the 1 unit linked, "
            f"0 load errors{header}",
        ]
    )
    assert "absent: ['billing', 'chain', 'orders-stack', 'reports-dev', 'shipping'] resources of: " + (
        "['alone/second.yaml', 'alone/template.yaml']"
    ) in (result.stdout.str())
