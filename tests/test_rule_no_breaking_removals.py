"""``--arch-changed-since`` and ``no-breaking-removals``, on git repositories built in the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.changes import ChangesError, changed_files, changes_since, load_at, tree_at
from pytest_serverless_arch.cli import main
from pytest_serverless_arch.rules import RuleError, no_breaking_removals

from .helpers import commit_all, write_files

INFRA = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      OrdersTable:
        Type: AWS::DynamoDB::Table
      OrdersTopic:
        Type: AWS::SNS::Topic
    Outputs:
      OrdersTableArn:
        Value: !GetAtt OrdersTable.Arn
        Export:
          Name: orders-table-arn
      OrdersTopicArn:
        Value: !Ref OrdersTopic
        Export:
          Name: orders-topic-arn
    """

WITHOUT_TABLE_EXPORT = INFRA.split("      OrdersTableArn:")[0] + INFRA.split("orders-table-arn\n")[1]


def function(name: str, imports: tuple[str, ...]) -> str:
    """A template with one function whose environment imports ``imports`` (the first at line 13)."""
    variables = "".join(f"          VAR{index}: !ImportValue {name}\n" for index, name in enumerate(imports))
    return (
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Resources:\n"
        f"  {name}:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        "      Runtime: python3.12\n"
        "      Handler: app.handler\n"
        "      Role: arn:aws:iam::123456789012:role/app\n"
        "      Code:\n"
        "        ZipFile: x\n"
        "      Environment:\n"
        "        Variables:\n" + variables
    )


def first_commit(root: Path) -> str:
    write_files(
        root,
        {
            "infra/template.yaml": INFRA,
            "app/template.yaml": function("Worker", ("orders-table-arn",)),
            "reports/template.yaml": function("Reporter", ("orders-topic-arn",)),
        },
    )
    return commit_all(root, "infra exports the table and topic; app and reports import them")


def gate(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", "--arch-rule", "no-breaking-removals", *args)


def test_a_commit_deleting_an_export_still_imported_fails_naming_the_line_at_the_ref_and_the_reader(
    pytester: pytest.Pytester,
) -> None:
    first_commit(pytester.path)
    write_files(pytester.path, {"infra/template.yaml": WITHOUT_TABLE_EXPORT})
    commit_all(pytester.path, "infra drops the table export")
    result = gate(pytester, "--arch-changed-since=HEAD~1")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "serverless-arch changed since HEAD~1: 1 file, units changed: infra; linked: app, reports; "
            "deploy order: [app, infra] ; [reports]; checked: the whole graph (no cache folder keeps the graph at the ref)",
            "*1 violation:",
            "  app/template.yaml:13: no-breaking-removals: export 'orders-table-arn' of unit infra (at "
            "infra/template.yaml:8 in HEAD~1) is gone, but unit app still reads it (import of 'orders-table-arn' "
            "at app/template.yaml:13)",
        ]
    )


def test_a_commit_deleting_an_export_together_with_its_last_reader_passes(pytester: pytest.Pytester) -> None:
    first_commit(pytester.path)
    write_files(pytester.path, {"infra/template.yaml": WITHOUT_TABLE_EXPORT})
    (pytester.path / "app/template.yaml").unlink()
    commit_all(pytester.path, "the app and the table export it read go together")
    result = gate(pytester, "--arch-changed-since=HEAD~1")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["serverless-arch changed since HEAD~1: 2 files, units changed: infra; linked: reports; removed: app; *"]
    )


def test_a_renamed_export_still_imported_fails_and_says_the_new_name(pytester: pytest.Pytester) -> None:
    first_commit(pytester.path)
    write_files(pytester.path, {"infra/template.yaml": INFRA.replace("orders-topic-arn", "orders-events-arn")})
    result = gate(pytester, "--arch-changed-since=HEAD")  # the working tree, uncommitted
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  reports/template.yaml:13: no-breaking-removals: export 'orders-topic-arn' of unit infra (at "
            "infra/template.yaml:12 in HEAD) is renamed to 'orders-events-arn', but unit reports still reads it *",
        ]
    )


def test_a_reader_and_its_new_provider_in_one_change_fail_with_the_deploy_order(pytester: pytest.Pytester) -> None:
    first_commit(pytester.path)
    write_files(
        pytester.path,
        {
            "infra/template.yaml": INFRA.rstrip(" ") + "      QueueArn:\n        Value: arn:aws:sqs:us-east-1:123456789012:q\n"
            "        Export:\n          Name: orders-queue-arn\n",
            "app/template.yaml": function("Worker", ("orders-table-arn", "orders-queue-arn")),
        },
    )
    commit_all(pytester.path, "app reads the queue infra starts exporting")
    result = gate(pytester, "--arch-changed-since=HEAD~1")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  app/template.yaml:14: no-breaking-removals: unit app starts reading export 'orders-queue-arn', which "
            "unit infra only starts providing in this change (at infra/template.yaml:16): deploy infra first, then "
            "app (two deploys, in this order)",
        ]
    )


def test_the_other_rules_report_only_the_units_a_change_touches(pytester: pytest.Pytester) -> None:
    first_commit(pytester.path)
    write_files(pytester.path, {"legacy/template.yaml": function("Legacy", ("nobody-exports-this",))})
    commit_all(pytester.path, "a legacy unit with a dangling import")
    write_files(pytester.path, {"app/template.yaml": function("Worker", ("orders-table-arn", "orders-tabel-arn"))})
    full = pytester.runpytest("-p", "no:cacheprovider", "--arch-rule", "no-dangling-references")
    full.assert_outcomes(failed=1)
    full.stdout.fnmatch_lines(["*2 violations:", "  app/template.yaml:14: *", "  legacy/template.yaml:13: *"])
    scoped = pytester.runpytest("-p", "no:cacheprovider", "--arch-rule", "no-dangling-references", "--arch-changed-since", "HEAD")
    scoped.assert_outcomes(failed=1)
    scoped.stdout.fnmatch_lines(["*1 violation:", "  app/template.yaml:14: no-dangling-references: *"])
    scoped.stdout.no_fnmatch_line("*legacy/template.yaml*")


def test_an_unknown_ref_is_one_failing_item_without_a_traceback(pytester: pytest.Pytester) -> None:
    first_commit(pytester.path)
    result = gate(pytester, "--arch-changed-since=no-such-branch")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*cannot load the repository: ChangesError: 'no-such-branch' names no commit*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_the_rule_without_a_ref_is_a_configuration_error(tmp_path: Path) -> None:
    first_commit(tmp_path)
    graph = load(tmp_path)
    with pytest.raises(RuleError, match="pass --arch-changed-since=REF"):
        no_breaking_removals(graph)
    graph.changes = changes_since(graph, "HEAD")
    assert no_breaking_removals(graph) == []


def test_changed_files_lists_modified_deleted_and_untracked_files_and_the_tree_at_the_ref_is_temporary(
    tmp_path: Path,
) -> None:
    first_commit(tmp_path)
    (tmp_path / "reports/template.yaml").unlink()
    write_files(tmp_path, {"app/template.yaml": function("Worker", ()), "app/src/handler.py": "def handler(e, c): ...\n"})
    assert changed_files(tmp_path, "HEAD") == ("app/src/handler.py", "app/template.yaml", "reports/template.yaml")
    with tree_at(tmp_path, "HEAD") as tree:
        assert (tree / "reports/template.yaml").read_text() == function("Reporter", ("orders-topic-arn",))
        assert sorted(path.name for path in tree.iterdir()) == ["app", "infra", "reports"]
    assert not tree.exists()
    with pytest.raises(ChangesError, match="'-x' is not a git ref"):
        changed_files(tmp_path, "-x")


def test_a_change_set_names_changed_linked_and_removed_units_and_their_deploy_order(tmp_path: Path) -> None:
    first_commit(tmp_path)
    (tmp_path / "reports/template.yaml").unlink()
    write_files(tmp_path, {"app/src/handler.py": "def handler(e, c): ...\n"})
    graph = load(tmp_path)
    before = load_at("HEAD", root=tmp_path)
    assert [unit.name for unit in before.units()] == ["app", "infra", "reports"]
    changes = changes_since(graph, "HEAD", before=before)
    assert (changes.changed_units, changes.linked_units, changes.removed_units) == (("app",), ("infra",), ("reports",))
    assert changes.touched_units == ("app", "infra")
    assert changes.deploy_order == (("infra",), ("app",))


def test_the_report_command_prints_what_a_change_touches_and_its_findings(tmp_path: Path, capsys) -> None:
    first_commit(tmp_path)
    write_files(tmp_path, {"infra/template.yaml": INFRA.replace("orders-topic-arn", "orders-events-arn")})
    assert main(["report", str(tmp_path), "--format", "json", "--arch-changed-since", "HEAD"]) == 1  # violations
    report = json.loads(capsys.readouterr().out)
    assert report["changes"] == {
        "ref": "HEAD",
        "files": ["infra/template.yaml"],
        "changed_units": ["infra"],
        "linked_units": ["app", "reports"],
        "removed_units": [],
        "deploy_order": [["infra", "reports"], ["app"]],
        "pipelines": [],
    }
    assert [(v["rule"], v["location"]) for v in report["violations"]] == [
        ("no-breaking-removals", "reports/template.yaml:13"),
        ("no-dangling-references", "reports/template.yaml:13"),
    ]
    assert main(["report", str(tmp_path), "--arch-changed-since", "nope"]) != 0
    assert "'nope' names no commit" in capsys.readouterr().err
