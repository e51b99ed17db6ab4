"""``--arch-changed-since`` keeps the graph at the ref by commit id: a second run reads no tree from git (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_serverless_arch import changes, load, ref_store
from pytest_serverless_arch.cache import UnitCache
from pytest_serverless_arch.changes import GraphAtRef, changes_since
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.link_facts import FactsCapture
from pytest_serverless_arch.ref_store import MAX_REFS, RefStore

from .helpers import commit_all, record_loads, run_cli, write_files

PROVIDER = """\
    Resources:
      Topic:
        Type: AWS::SNS::Topic
    Outputs:
      TopicArn:
        Value: !Ref Topic
        Export:
          Name: shared-topic
    """
READER = """\
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          QueueName: !ImportValue shared-topic
    """


def repository(root: Path) -> None:
    write_files(
        root,
        {
            "provider/template.yaml": PROVIDER,
            "reader/template.yaml": READER,
            "alone/template.yaml": READER.replace("!ImportValue shared-topic", "alone"),
        },
    )
    commit_all(root, "a provider, its reader and a unit alone")


def no_archive(*args: object, **kwargs: object) -> None:
    raise AssertionError("the tree at the ref was read from git again")


def test_the_graph_at_a_ref_is_read_once_per_commit_and_then_from_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository(tmp_path / "repo")
    write_files(tmp_path / "repo", {"provider/template.yaml": PROVIDER.replace("shared-topic", "renamed-topic")})
    graph = load(tmp_path / "repo")
    store = RefStore(tmp_path / "refs", key_file=tmp_path / "key")
    first = changes_since(graph, "HEAD", store=store)
    assert (store.hits, store.misses) == (0, 1)
    assert [path.suffix for path in (tmp_path / "refs").iterdir() if path.suffix == ".ref"] == [".ref"]
    monkeypatch.setattr(changes, "load_at", no_archive)
    second = changes_since(graph, "HEAD", store=store)
    assert (store.hits, store.misses) == (1, 1)
    assert second == first and second.before == first.before
    assert (second.changed_units, second.linked_units) == (("provider",), ("reader",))
    assert [unit.name for unit in second.before.units()] == ["alone", "provider", "reader"]
    assert [(name.kind, name.name, name.unit, str(name.location)) for name in second.before.provided_names()] == [
        ("export", "shared-topic", "provider", "provider/template.yaml:5"),
        ("output", "provider/TopicArn", "provider", "provider/template.yaml:5"),
    ]


def test_a_new_commit_other_options_or_a_damaged_file_read_the_tree_again(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    repository(root)
    store = RefStore(tmp_path / "refs", key_file=tmp_path / "key")
    graph = load(root)
    changes_since(graph, "HEAD", store=store)
    changes_since(graph, "HEAD", store=store)
    assert (store.hits, store.misses) == (1, 1)  # the same commit and options: kept
    changes_since(load(root, stage="prod"), "HEAD", store=store, config=LoadConfig(stage="prod"))
    assert (store.hits, store.misses) == (1, 2)  # other options: read again
    write_files(root, {"alone/template.yaml": PROVIDER.replace("shared-topic", "other-topic")})
    commit_all(root, "alone now exports")
    moved = changes_since(load(root), "HEAD~1", store=store)  # HEAD~1 names the first commit: kept
    assert (store.hits, store.misses) == (2, 2)
    assert moved.changed_units == ("alone",)
    changes_since(load(root), "HEAD", store=store)  # HEAD names a new commit
    assert (store.hits, store.misses) == (2, 3)
    for kept in (tmp_path / "refs").glob("*.ref"):
        kept.write_bytes(kept.read_bytes()[:-10])  # truncated
    again = changes_since(load(root), "HEAD", store=store)
    assert (store.hits, store.misses) == (2, 4)
    assert [unit.name for unit in again.before.units()] == ["alone", "provider", "reader"]


def test_a_file_signed_with_another_key_is_never_unpickled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    repository(root)
    changes_since(load(root), "HEAD", store=RefStore(tmp_path / "refs", key_file=tmp_path / "theirs"))
    store = RefStore(tmp_path / "refs", key_file=tmp_path / "mine")
    monkeypatch.setattr(ref_store.pickle, "loads", no_archive)
    assert store.get(next((tmp_path / "refs").glob("*.ref")).stem) is None
    assert (store.hits, store.misses) == (0, 1)


def test_the_store_keeps_the_most_recently_used_commits(tmp_path: Path) -> None:
    store = RefStore(tmp_path / "refs", key_file=tmp_path / "key")
    for index in range(MAX_REFS + 3):
        store.put(f"{index:032x}", GraphAtRef())
    kept = sorted(path.stem for path in (tmp_path / "refs").glob("*.ref"))
    assert len(kept) == MAX_REFS
    assert f"{MAX_REFS + 2:032x}" in kept


def test_the_plugin_keeps_the_graph_at_the_ref_in_pytests_cache_folder(pytester: pytest.Pytester) -> None:
    repository(pytester.path)
    write_files(pytester.path, {"reader/template.yaml": READER.replace("Queue:", "Jobs:")})
    args = ("--arch-rule", "no-breaking-removals", "--arch-changed-since", "HEAD")
    for _ in range(2):
        result = pytester.runpytest(*args)
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines(["serverless-arch changed since HEAD: 1 file, units changed: reader; linked: provider; *"])
    assert len(list((pytester.path / ".pytest_cache/d/serverless-arch/refs").glob("*.ref"))) == 1
    pytester.runpytest("-p", "no:cacheprovider", *args).assert_outcomes(passed=1)


def test_a_cache_folders_units_serve_the_load_at_the_ref_even_when_the_head_was_taken_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run at a commit: the tree at the ref loads only what differs from the head's pack in the folder."""
    root = tmp_path / "repo"
    repository(root)
    write_files(root, {"provider/template.yaml": PROVIDER.replace("shared-topic", "renamed-topic")})
    cache = UnitCache(tmp_path / "cache", key_file=tmp_path / "key")
    load(root, cache=cache)
    graph = load(root, cache=cache)  # the whole graph from the folder: no pack was read in this load
    assert cache.graph_reused
    loaded = record_loads(monkeypatch)
    found = changes_since(graph, "HEAD", store=RefStore(tmp_path / "refs", key_file=tmp_path / "key"), units=cache)
    assert loaded == ["provider/template.yaml"]
    assert (found.changed_units, found.linked_units) == (("provider",), ("reader",))
    monkeypatch.undo()
    capture = FactsCapture()
    assert found.before == GraphAtRef.of(changes.load_at("HEAD", root=root, facts=capture), capture.facts)


def test_a_run_against_a_ref_keeps_its_units_but_not_its_whole_graph(pytester: pytest.Pytester) -> None:
    """The next run checks another tree: the graph is not pickled whole for a run over the same one."""
    repository(pytester.path)
    write_files(pytester.path, {"reader/template.yaml": READER.replace("Queue:", "Jobs:")})
    folder = pytester.path / ".pytest_cache/d/serverless-arch"
    pytester.runpytest("--arch-rule", "no-breaking-removals", "--arch-changed-since", "HEAD").assert_outcomes(passed=1)
    assert [path.suffix for path in folder.glob("*.pack")] == [".pack"]
    assert len(list(folder.glob("*.run"))) == 1  # its items' outcomes (see the replay test below), no graph
    pytester.runpytest("--arch-rule", "no-dangling-references").assert_outcomes(passed=1)
    assert len(list(folder.glob("*.run"))) == 3  # the full gate keeps its graph, and its items' outcomes


def test_a_run_against_a_ref_is_replayed_while_neither_the_files_nor_gits_answer_changed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_serverless_arch import loading

    repository(pytester.path)
    write_files(pytester.path, {"provider/template.yaml": PROVIDER.replace("shared-topic", "renamed-topic")})
    built: list[object] = []
    real = loading._load
    monkeypatch.setattr(loading, "_load", lambda *args: built.append(args) or real(*args))
    args = ("--arch-rule", "no-dangling-references", "--arch-changed-since", "HEAD")
    header = "serverless-arch changed since HEAD: 1 file, units changed: provider; linked: reader; *"
    for loads in (2, 2):  # the head and the tree at HEAD; then the first run's outcomes: nothing is loaded
        result = pytester.runpytest(*args)
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines([header, "*reader/template.yaml:5: no-dangling-references: *renamed*"])
        assert len(built) == loads
    write_files(pytester.path, {"notes.txt": "not read by the load, but a file changed since HEAD\n"})
    result = pytester.runpytest(*args)
    result.stdout.fnmatch_lines(["serverless-arch changed since HEAD: 2 files, units changed: provider; *"])
    assert len(built) == 3  # the head (the graph at HEAD is the store's)
    commit_all(pytester.path, "the rename")  # HEAD names another commit: nothing changed since it
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["serverless-arch changed since HEAD: 0 files, units changed: none; *"])
    assert len(built) == 5  # the head, and the tree at the new commit (its first run)


def test_the_plugin_without_a_cache_folder_loads_only_the_edited_unit_again_at_the_ref(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository(pytester.path)
    write_files(pytester.path, {"reader/template.yaml": READER.replace("Queue:", "Jobs:")})
    loaded = record_loads(monkeypatch)
    result = pytester.runpytest("-p", "no:cacheprovider", "--arch-rule", "no-breaking-removals", "--arch-changed-since", "HEAD")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["serverless-arch changed since HEAD: 1 file, units changed: reader; linked: provider; *"])
    # the head's three units, then at HEAD only the one whose file differs
    assert loaded == ["alone/template.yaml", "provider/template.yaml", "reader/template.yaml", "reader/template.yaml"]


def test_the_tree_at_the_ref_is_removed_once_loaded_even_by_the_command_line(tmp_path: Path) -> None:
    """The command line ends its process with os._exit: nothing may be left to a thread."""
    root = tmp_path / "repo"
    repository(root)
    write_files(root, {"reader/template.yaml": READER.replace("Queue:", "Jobs:")})
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    done = run_cli("report", str(root), "--no-cache", "--arch-changed-since", "HEAD", env={"TMPDIR": str(temporary)})
    assert done.returncode == 0, done.stderr
    changed = done.json()["changes"]
    assert (changed["changed_units"], changed["linked_units"]) == (["reader"], ["provider"])
    assert list(temporary.iterdir()) == []
