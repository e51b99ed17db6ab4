"""``--arch-changed-since`` gives a full run's findings on the units a change touches, edit after edit (issue 19).

One multi-unit repository, committed; then each edit of the table, and the
report with ``--arch-changed-since HEAD`` (twice: the second takes the graph at
the ref from the cache folder) against the full report of the same tree. With
Hypothesis, any mix of the versions of its files (``VERSIONS``) likewise, and
the load at the ref, which reuses the head's units, against a cold one.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.changes import GraphAtRef, load_at
from pytest_serverless_arch.cli import main
from pytest_serverless_arch.files import FileRead
from pytest_serverless_arch.report import build_document, render
from pytest_serverless_arch.unit_memory import UnitMemory, moved_entries

from .helpers import apply_edit, commit_all, record_loads, write_files
from .hypothesis_support import property_settings

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
    apply_edit(root, EDITS[edit])
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


# What the load at the ref runs a loader on, edit by edit: only the units whose files differ from the
# head's. A unit added or deleted changes the repository's layout (which units there are), which every
# unit's cache key holds: then every unit at the ref is loaded again.
LOADED_AT_REF = {
    "the provider renames its export": ["orders/template.yaml"],
    "a consumer imports a name nobody exports": ["billing/template.yaml"],
    "handler code beside a template": [],
    "the unit with an old finding is edited": ["legacy/template.yaml"],
    "a unit is deleted": sorted(path for path in BASE if path.endswith("template.yaml")),
    "a new unit imports the export": sorted(path for path in BASE if path.endswith("template.yaml")),
    "an unlinked unit is edited": ["alone/template.yaml"],
    "two units at once": ["alone/template.yaml", "orders/template.yaml"],
}


def test_the_load_at_the_ref_runs_the_loaders_only_on_what_the_edit_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sorted(LOADED_AT_REF) == sorted(EDITS)
    loaded = record_loads(monkeypatch)  # the candidates a loader ran on
    for edit in sorted(EDITS):
        root = tmp_path / edit.replace(" ", "-")
        write_files(root, BASE)
        commit_all(root, "base")
        apply_edit(root, EDITS[edit])
        head_units = UnitMemory()
        load(root, cache=head_units)
        cold = load_at("HEAD", root=root)
        loaded.clear()
        reused = load_at("HEAD", root=root, units=head_units.entries)
        assert sorted(loaded) == LOADED_AT_REF[edit], edit
        assert GraphAtRef.of(reused) == GraphAtRef.of(cold), edit
        assert render(build_document(reused), "json") == render(build_document(cold), "json"), edit


def test_an_observation_outside_the_repository_is_not_moved_to_the_tree_at_the_ref(tmp_path: Path) -> None:
    head, tree = tmp_path / "head", tmp_path / "tree"
    inside = FileRead("real", str(head / "a" / "t.yaml"), str(head / "a" / "t.yaml"))
    outside = FileRead("is_file", str(tmp_path / "elsewhere.yaml"), "no")
    digest = FileRead("bytes", str(head / "a" / "t.yaml"), "0123", None, (1, 2, 3, 4, 5, 6))
    entries = {"kept": Entry((inside, digest), b"unit"), "left out": Entry((inside, outside), b"unit")}
    moved = moved_entries(entries, head, tree)
    assert list(moved) == ["kept"]
    assert moved["kept"].reads == (
        FileRead("real", str(tree / "a" / "t.yaml"), str(tree / "a" / "t.yaml")),
        FileRead("bytes", str(tree / "a" / "t.yaml"), "0123"),
    )
    assert moved["kept"].reads[1].stamp is None  # the tree's file is read and hashed again, never trusted by its stamp
    assert moved["kept"].payload == b"unit"


@dataclass(frozen=True)
class Entry:
    """A unit cache entry, as moved_entries sees one."""

    reads: tuple[FileRead, ...]
    payload: bytes


# Each file's versions for the property below: the first is the committed one (None: absent).
VERSIONS: dict[str, list[str | None]] = {
    "orders/template.yaml": [
        PROVIDER,
        PROVIDER.replace("orders-arn", "orders-queue-arn"),
        PROVIDER.replace("QueueName: orders", "QueueName: orders-v2"),
        None,
    ],
    "billing/template.yaml": [
        BASE["billing/template.yaml"],
        consumer("Bill", "orders-arm"),
        consumer("Bill2", "orders-arn"),
        None,
    ],
    "billing/src/app.py": [BASE["billing/src/app.py"], "def handler(event, context):\n    return 2\n"],
    "shipping/template.yaml": [BASE["shipping/template.yaml"], consumer("Ship", "nobody-exports-this"), None],
    "legacy/template.yaml": [BASE["legacy/template.yaml"], consumer("Old", "orders-arn"), None],
    "alone/template.yaml": [BASE["alone/template.yaml"], consumer("Alone", "orders-arn"), PROVIDER],  # a second exporter
    "audit/template.yaml": [None, consumer("Audit", "orders-arn"), PROVIDER.replace("orders-arn", "audit-arn")],
}


@pytest.fixture(scope="module")
def committed_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository of VERSIONS' first versions, committed once for every example."""
    root = tmp_path_factory.mktemp("changed-since") / "base"
    write_files(root, {path: text for path, (text, *_) in VERSIONS.items() if text is not None})
    commit_all(root, "base")
    return root


def _report_file(root: Path, out: Path, *args: str) -> dict:
    main(["report", str(root), "--format", "json", "-o", str(out), *args])
    return json.loads(out.read_text())


@property_settings
@given(
    chosen=st.fixed_dictionaries({path: st.integers(0, len(versions) - 1) for path, versions in VERSIONS.items()}),
    cached=st.booleans(),
)
def test_any_edit_of_a_multi_unit_repository_gets_a_full_runs_findings_on_what_it_touches(
    committed_base: Path, chosen: dict[str, int], cached: bool
) -> None:
    """Random edits (exports renamed, imports broken, units deleted, added, a second exporter, handler code)."""
    with tempfile.TemporaryDirectory(prefix="changed-since-") as temp:
        folder = Path(temp)
        root = folder / "repo"
        shutil.copytree(committed_base, root)
        for path, index in chosen.items():
            text = VERSIONS[path][index]
            if text is None:
                (root / path).unlink(missing_ok=True)
            else:
                write_files(root, {path: text})
        full = _report_file(root, folder / "full.json", "--no-cache")
        cache = ["--cache-dir", str(folder / "cache")] if cached else ["--no-cache"]
        scoped = _report_file(root, folder / "scoped.json", *cache, "--arch-changed-since", "HEAD")
        changes = scoped["changes"]
        touched = {*changes["changed_units"], *changes["linked_units"], *changes["removed_units"]}
        edited = {path.split("/")[0] for path, index in chosen.items() if index != 0}
        assert touched >= edited  # every unit with an edited file (or that the edit deletes) is checked
        expected = [found for found in findings(full) if not found[3] or touched.intersection(found[3])]
        assert findings(scoped, rules_left_out=("no-breaking-removals",)) == expected
