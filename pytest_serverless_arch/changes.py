"""What a change touches: the files changed since a git ref, the graph at that ref, the units to check.

``--arch-changed-since=REF`` (ini ``serverless_arch_changed_since``, CLI
``--changed-since``) compares the working tree with ``REF``:

1. :func:`changed_files` lists the files changed between ``REF`` and the
   working tree (``git diff --name-only``, plus untracked files);
2. :func:`graph_at` gives the repository at ``REF``: from the
   :class:`~pytest_serverless_arch.ref_store.RefStore` when that commit was
   loaded before (what a commit holds never changes), else :func:`tree_at`
   materialises the tree at ``REF`` from git's object store (``git archive``)
   into a temporary folder and :func:`load_at` loads it with the same loader
   as the head, taking from the head's load every unit whose files are the
   same there (:mod:`.unit_memory`).

:func:`changes_since` puts them together into a :class:`ChangeSet`: the units
whose files changed, every unit linked to them, the order in which they must
be deployed and the pipelines that deploy them. Only git itself is run;
nothing of the repository is executed.

>>> from pytest_serverless_arch import load
>>> graph = load(".")  # doctest: +SKIP
>>> changes = changes_since(graph, "origin/main")  # doctest: +SKIP
>>> changes.touched_units  # doctest: +SKIP
('orders-app', 'orders-infra')
"""

from __future__ import annotations

import dataclasses
import functools
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .collector import collector_paused
from .config import LoadConfig
from .graph import DeploymentGraph
from .link_facts import FactsCapture
from .ref_store import GraphAtRef, RefStore, ref_key

if TYPE_CHECKING:
    from .cache import UnitCache

__all__ = [
    "ChangeSet",
    "ChangesError",
    "GraphAtRef",
    "changed_files",
    "changes_since",
    "graph_at",
    "load_at",
    "state_since",
    "tree_at",
    "units_of_files",
    "units_of_paths",
    "violations_within",
]

_GIT_TIMEOUT = 120  # seconds; an archive of a large monorepo takes a while, a hung git must not hang the gate


class ChangesError(Exception):
    """The comparison cannot be made: not a git repository, an unknown ref, git missing."""


@dataclass(frozen=True)
class ChangeSet:
    """What changed since ``ref`` and which units that touches.

    ``changed_units`` hold a changed file (at the head, or at ``ref`` for a
    unit the change deletes); ``linked_units`` are linked to one of them (at
    the head or at ``ref``); ``deploy_order`` gives the head's waves restricted
    to the touched units; ``pipelines`` are those that deploy a touched unit.
    """

    ref: str
    files: tuple[str, ...]
    changed_units: tuple[str, ...]
    linked_units: tuple[str, ...]
    removed_units: tuple[str, ...]
    deploy_order: tuple[tuple[str, ...], ...] | None
    pipelines: tuple[str, ...]
    before: GraphAtRef = field(repr=False, compare=False)
    # how the pytest gate checked it: the change's neighbourhood, or the whole graph and why (neighbourhood.py)
    checked: str = ""

    @property
    def touched_units(self) -> tuple[str, ...]:
        """The units to check: changed ones and every unit linked to them, sorted."""
        return tuple(sorted({*self.changed_units, *self.linked_units}))

    def summary(self) -> str:
        """One line for the pytest header and the text report."""
        order = (
            "none (cycle)"
            if self.deploy_order is None
            else " ; ".join("[" + ", ".join(wave) + "]" for wave in self.deploy_order) or "nothing to deploy"
        )
        removed = f"; removed: {', '.join(self.removed_units)}" if self.removed_units else ""
        pipelines = f"; pipelines: {', '.join(self.pipelines)}" if self.pipelines else ""
        return (
            f"changed since {self.ref}: {len(self.files)} file{'s' if len(self.files) != 1 else ''}, "
            f"units changed: {', '.join(self.changed_units) or 'none'}; "
            f"linked: {', '.join(self.linked_units) or 'none'}{removed}; deploy order: {order}{pipelines}"
            + (f"; {self.checked}" if self.checked else "")
        )


def _git(root: Path, *args: str, binary: bool = False) -> Any:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False, timeout=_GIT_TIMEOUT, text=not binary)
    except FileNotFoundError:
        raise ChangesError("git is not installed; --arch-changed-since needs it") from None
    except subprocess.TimeoutExpired:
        raise ChangesError(f"git {args[0]} took longer than {_GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace") if binary else done.stderr
        raise ChangesError(f"git {args[0]} failed in {root}: {message.strip()}")
    return done.stdout


def _check_ref(root: Path, ref: str) -> str:
    """The commit ``ref`` names (a ref that is not one is a configuration error, never an option)."""
    if not ref or ref.startswith("-"):
        raise ChangesError(f"{ref!r} is not a git ref")
    try:
        return str(_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")).strip()
    except ChangesError:
        raise ChangesError(f"{ref!r} names no commit in the git repository at {root}") from None


def _toplevel(root: Path) -> tuple[Path, str]:
    """The repository's top folder and ``root`` relative to it (``""`` at the top)."""
    top = Path(str(_git(root, "rev-parse", "--show-toplevel")).strip()).resolve()
    relative = root.resolve().relative_to(top).as_posix()
    return top, "" if relative == "." else relative


def changed_files(root: str | os.PathLike[str], ref: str, *, commit: str | None = None) -> tuple[str, ...]:
    """Files under ``root`` changed between ``ref`` and the working tree (untracked ones too), relative to ``root``.

    Deleted and renamed files count under both names: a unit may have lived in either.
    ``commit`` is the commit ``ref`` names, when the caller already asked git.
    """
    root_path = Path(root).resolve()
    commit = commit or _check_ref(root_path, ref)
    changed = str(_git(root_path, "diff", "--name-only", "--no-renames", "--relative", commit, "--", "."))
    untracked = str(_git(root_path, "ls-files", "--others", "--exclude-standard", "--", "."))
    return tuple(sorted({line for line in (changed + untracked).splitlines() if line.strip()}))


def state_since(root: str | os.PathLike[str], ref: str) -> tuple[str, tuple[str, ...]]:
    """What a check against ``ref`` reads of git: the commit ``ref`` names and the files changed since it.

    With the files the load observes, it decides the check's result: a stored run is
    reused only while both are the same (see ``ArchGate.stored_runs``).
    """
    commit = _check_ref(Path(root).resolve(), ref)
    return commit, changed_files(root, ref, commit=commit)


@contextmanager
def tree_at(root: str | os.PathLike[str], ref: str) -> Iterator[Path]:
    """A temporary folder holding ``root`` as it was at ``ref`` (from ``git archive``; removed afterwards).

    Removed before the block's caller goes on, never in a thread of its own: the
    command line ends its process with ``os._exit``, which would leave it behind.
    """
    root_path = Path(root).resolve()
    commit = _check_ref(root_path, ref)
    top, prefix = _toplevel(root_path)
    archive = _git(top, "archive", "--format=tar", f"{commit}:{prefix}" if prefix else commit, binary=True)
    folder = Path(tempfile.mkdtemp(prefix="serverless-arch-ref-"))
    try:
        _extract(archive, folder)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _extract(archive: bytes, folder: Path) -> None:
    """Regular files and folders only, never outside ``folder`` (git archives hold nothing else we read)."""
    import tarfile  # only when the tree at a ref is written: a check whose graph at the ref is kept never pays for it

    made = {folder}  # folders made so far: each is made once, not once per file in it
    with collector_paused(), tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
        for member in tar:
            path = PurePosixPath(member.name)
            if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
                continue  # symlinks are left out: the loader would not follow one out of the tree either
            target = folder.joinpath(*path.parts)
            parent = target if member.isdir() else target.parent
            if parent not in made:
                parent.mkdir(parents=True, exist_ok=True)
                made.update(parent.parents)
                made.add(parent)
            if member.isdir():
                continue
            source = tar.extractfile(member)
            if source is not None:
                with open(target, "wb") as written:
                    written.write(source.read())


def load_at(
    ref: str,
    paths: Sequence[str | os.PathLike[str]] | None = None,
    *,
    root: str | os.PathLike[str],
    config: LoadConfig | None = None,
    units: Mapping[str, Any] | None = None,
    facts: FactsCapture | None = None,
) -> DeploymentGraph:
    """The graph of ``paths`` (under ``root``, default ``root`` itself) as they were at ``ref``.

    Locations in it are relative to ``root``, as in the head's graph. ``units``
    are the unit cache's entries of a load of ``root`` (see :mod:`.unit_memory`):
    every unit whose observations all hold in the tree at ``ref`` is taken from
    them instead of being read and loaded again. ``facts`` keeps every unit's link facts.
    """
    from .loading import load
    from .unit_memory import UnitMemory, moved_entries

    root_path = Path(root).resolve()
    with tree_at(root_path, ref) as folder:
        tree = folder.resolve()
        wanted = [Path(path).resolve() for path in (paths or [root_path])]
        mapped = [str(tree / path.relative_to(root_path)) for path in wanted if path.is_relative_to(root_path)]
        memory = UnitMemory(moved_entries(units, root_path, tree)) if units else None
        config = config or LoadConfig()
        if facts is not None:
            config = dataclasses.replace(config, link_scope=facts)
        return load(mapped or [str(tree)], root=str(tree), config=config, cache=memory)


def graph_at(
    ref: str,
    paths: Sequence[str | os.PathLike[str]] | None = None,
    *,
    root: str | os.PathLike[str],
    config: LoadConfig | None = None,
    store: RefStore | None = None,
    commit: str | None = None,
    units: Callable[[], Mapping[str, Any]] | None = None,
) -> GraphAtRef:
    """What :func:`changes_since` needs of the repository at ``ref``: from ``store`` by commit id, else loaded and kept there.

    The key is the commit ``ref`` names (never the ref's name: a branch moves),
    the root, the paths, the load options and this package's code. ``units`` gives, when the store has no graph for
    that commit, the head's unit entries (see :func:`load_at`).
    """
    root_path = Path(root).resolve()
    config = config or LoadConfig()
    key = None
    if store is not None:
        commit = commit or _check_ref(root_path, ref)
        relative = [
            Path(path).resolve().relative_to(root_path).as_posix()
            for path in (paths or [root_path])
            if Path(path).resolve().is_relative_to(root_path)
        ]
        key = ref_key(commit, root_path, relative, config)
        kept = store.get(key)
        if kept is not None:
            return kept
    capture = FactsCapture()
    graph = load_at(ref, paths, root=root_path, config=config, units=units() if units else None, facts=capture)
    found = GraphAtRef.of(graph, capture.facts)
    if store is not None and key is not None:
        store.put(key, found)
    return found


def units_of_files(graph: DeploymentGraph | GraphAtRef, files: Iterable[str]) -> list[str]:
    """The units a changed file belongs to: the unit of that template, else the units of its nearest folder.

    A file beside or below a template (handler code, a samconfig, an included
    definition) changes what that template's unit deploys.
    """
    return units_of_paths(((unit.name, unit.path, unit.format) for unit in graph.units()), files)


def units_of_paths(units: Iterable[tuple[str, str, str]], files: Iterable[str]) -> list[str]:
    """:func:`units_of_files` for units given as ``(name, path, format)``.

    >>> units_of_paths([("orders", "orders/template.yaml", "sam")], ["orders/src/app.py", "README.md"])
    ['orders']
    """
    by_folder: dict[str, list[str]] = {}
    by_path: dict[str, str] = {}
    for name, path, unit_format in units:
        by_path[path] = name
        folder = path if unit_format == "terraform" else str(PurePosixPath(path).parent)
        by_folder.setdefault("" if folder == "." else folder, []).append(name)
    found: set[str] = set()
    for file in files:
        if file in by_path:
            found.add(by_path[file])
            continue
        parents = [str(parent) for parent in PurePosixPath(file).parents]
        for parent in parents:
            key = "" if parent == "." else parent
            if key in by_folder:
                found.update(by_folder[key])
                break
    return sorted(found)


def changes_since(
    graph: DeploymentGraph,
    ref: str,
    paths: Sequence[str | os.PathLike[str]] | None = None,
    *,
    config: LoadConfig | None = None,
    before: DeploymentGraph | GraphAtRef | None = None,
    store: RefStore | None = None,
    units: UnitCache | None = None,
    state: tuple[str, tuple[str, ...]] | None = None,
    also_changed: Iterable[str] = (),
    also_linked: Iterable[str] = (),
) -> ChangeSet:
    """What changed in ``graph``'s repository since ``ref``.

    ``before`` skips reading the graph at ``ref``; else ``store`` keeps it by commit (see :func:`graph_at`).
    ``units`` is the unit cache ``graph`` was loaded through (a folder's, or a
    :class:`~pytest_serverless_arch.unit_memory.UnitMemory`): the load at ``ref``
    takes from it every unit the change did not touch. ``state`` is :func:`state_since`'s
    answer, when the caller already asked git. ``also_changed`` and ``also_linked`` are units
    the change touches that its files do not show (see :mod:`.neighbourhood`).
    """
    root = Path(graph.root)
    commit, files = state if state is not None else state_since(root, ref)
    if before is None:
        entries = None
        if units is not None:  # asked for only when the store has no graph at that commit
            from .unit_memory import head_entries

            given = [str(path) for path in paths] if paths else [str(root)]
            entries = functools.partial(head_entries, units, root, config or LoadConfig(), given)
        before = graph_at(ref, paths, root=root, config=config, store=store, commit=commit, units=entries)
    elif isinstance(before, DeploymentGraph):
        before = GraphAtRef.of(before)
    head_units = {unit.name for unit in graph.units()}
    changed = set(units_of_files(graph, files)) | set(units_of_files(before, files)) | set(also_changed)
    linked: set[str] = set()
    for version in (graph, before):
        for link in version.cross_unit_links():
            if link.to_unit is None:
                continue
            if link.from_unit in changed:
                linked.add(link.to_unit)
            if link.to_unit in changed:
                linked.add(link.from_unit)
    linked |= set(also_linked)
    touched = changed | linked
    order = graph.deploy_order()
    waves = None if order is None else tuple(tuple(u for u in wave if u in touched) for wave in order)
    pipelines = sorted({p.name for p in graph.pipelines() if touched.intersection(p.units)})
    return ChangeSet(
        ref=ref,
        files=files,
        changed_units=tuple(sorted(changed & head_units)),
        linked_units=tuple(sorted((linked - changed) & head_units)),
        removed_units=tuple(sorted(touched - head_units)),
        deploy_order=None if waves is None else tuple(wave for wave in waves if wave),
        pipelines=tuple(pipelines),
        before=before,
    )


def violations_within(changes: ChangeSet, violations: Iterable[Any]) -> list[Any]:
    """The findings about a touched unit (findings about no unit at all are kept): a full run's, scoped."""
    touched = set(changes.touched_units) | set(changes.removed_units)
    return [violation for violation in violations if not violation.units or touched.intersection(violation.units)]
