"""``--arch-changed-since`` gives a full run's findings on the units a change touches, edit after edit (issue 19).

One multi-unit repository, committed; then each edit of the table, and the
report with ``--arch-changed-since HEAD`` (twice: the second takes the graph at
the ref from the cache folder) against the full report of the same tree.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_serverless_arch.cli import main

from .helpers import commit_all, write_files

PROVIDER = """\
    Resources:
      Orders:
        Type: AWS::SQS::Queue
        Properties:
          QueueName: orders
    Outputs:
      OrdersArn:
        Value: !GetAtt Orders.Arn
        Export:
          Name: orders-arn
    """


def consumer(name: str, imported: str) -> str:
    """A function triggered by the queue another unit exports (a cross-unit trigger: trigger-colocated fails)."""
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
          EventSourceArn: !ImportValue {imported}
    """


BASE = {
    "orders/template.yaml": PROVIDER,
    "billing/template.yaml": consumer("Bill", "orders-arn"),
    "billing/src/app.py": "def handler(event, context):\n    return None\n",
    "shipping/template.yaml": consumer("Ship", "orders-arn"),
    "legacy/template.yaml": consumer("Old", "nobody-exports-this"),
    "alone/template.yaml": "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
}

# name -> files written (None: deleted)
EDITS: dict[str, dict[str, str | None]] = {
    "the provider renames its export": {"orders/template.yaml": PROVIDER.replace("orders-arn", "orders-queue-arn")},
    "a consumer imports a name nobody exports": {"billing/template.yaml": consumer("Bill", "orders-arm")},
    "handler code beside a template": {"billing/src/app.py": "def handler(event, context):\n    return 1\n"},
    "the unit with an old finding is edited": {"legacy/template.yaml": consumer("Older", "nobody-exports-this")},
    "a unit is deleted": {"shipping/template.yaml": None},
    "a new unit imports the export": {"audit/template.yaml": consumer("Audit", "orders-arn")},
    "an unlinked unit is edited": {"alone/template.yaml": "Resources:\n  Bucket2:\n    Type: AWS::S3::Bucket\n"},
    "two units at once": {
        "orders/template.yaml": PROVIDER.replace("QueueName: orders", "QueueName: orders-v2"),
        "alone/template.yaml": consumer("Alone", "orders-arn"),
    },
}


def report(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    main(["report", *args, "--format", "json"])
    return json.loads(capsys.readouterr().out)


def findings(document: dict, rules_left_out: tuple[str, ...] = ()) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return sorted(
        (found["rule"], found["location"], found["message"], tuple(found["units"]))
        for found in document["violations"]
        if found["rule"] not in rules_left_out
    )


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_change_gets_a_full_runs_findings_on_the_units_it_touches(edit: str, tmp_path: Path, capsys) -> None:
    root = tmp_path / "repo"
    write_files(root, BASE)
    commit_all(root, "base")
    for relpath, text in EDITS[edit].items():
        if text is None:
            (root / relpath).unlink()
        else:
            write_files(root, {relpath: text})
    full = report(capsys, str(root), "--no-cache")
    scoped = [report(capsys, str(root), "--cache-dir", str(tmp_path / "cache"), "--arch-changed-since", "HEAD") for _ in range(2)]
    assert scoped[0] == scoped[1]  # the second run took the graph at HEAD from the cache folder
    changes = scoped[0]["changes"]
    touched = {*changes["changed_units"], *changes["linked_units"], *changes["removed_units"]}
    assert touched  # every edit of the table touches a unit
    expected = [found for found in findings(full) if not found[3] or touched.intersection(found[3])]
    assert findings(scoped[0], rules_left_out=("no-breaking-removals",)) == expected


def test_the_table_touches_the_units_each_edit_should(tmp_path: Path, capsys) -> None:
    """What the edits above touch, pinned: so the comparison above is not over nothing."""
    root = tmp_path / "repo"
    write_files(root, BASE)
    commit_all(root, "base")
    write_files(root, EDITS["the provider renames its export"])  # type: ignore[arg-type]
    changes = report(capsys, str(root), "--no-cache", "--arch-changed-since", "HEAD")["changes"]
    assert (changes["changed_units"], changes["linked_units"], changes["removed_units"]) == (
        ["orders"],
        ["billing", "shipping"],
        [],
    )
    scoped = report(capsys, str(root), "--no-cache", "--arch-changed-since", "HEAD")
    assert [(found["rule"], found["location"]) for found in scoped["violations"]] == [
        ("no-breaking-removals", "billing/template.yaml:10"),
        ("no-dangling-references", "billing/template.yaml:10"),
        ("no-breaking-removals", "shipping/template.yaml:10"),
        ("no-dangling-references", "shipping/template.yaml:10"),
    ]
