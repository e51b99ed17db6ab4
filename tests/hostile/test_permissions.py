"""Issue 13, item 10: folders without search or list permission are notes and errors, not a PermissionError.

Root reads every folder whatever its mode, so where the suite runs as root
the operating system's refusals are simulated at the calls that meet them
(``os.scandir`` for listing, ``os.stat``/``os.lstat`` for searching); the
subprocess case in ``test_hostile.py`` covers real modes for other users.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_serverless_arch import load

from .cases import GOOD_SAM


def refuse_under(monkeypatch: pytest.MonkeyPatch, folder: Path, *names: str) -> None:
    """Make each call in ``names`` raise PermissionError for paths below ``folder``, as a mode 000 folder does."""
    for name in names:
        original = getattr(os, name)

        def refused(path, *args, __original=original, __name=name, **kwargs):
            if str(os.fspath(path)).startswith(str(folder) + os.sep):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            if __name == "scandir" and os.fspath(path) == str(folder):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return __original(path, *args, **kwargs)

        monkeypatch.setattr(os, name, refused)


def write_repo(tmp_path: Path) -> Path:
    for folder in ("good", "locked"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "template.yaml").write_text(GOOD_SAM)
    return tmp_path


def test_a_folder_that_cannot_be_listed_is_a_note_and_the_other_units_load(tmp_path, monkeypatch):
    repo = write_repo(tmp_path)
    refuse_under(monkeypatch, repo / "locked", "scandir")
    graph = load(repo)
    assert [unit.name for unit in graph.units()] == ["good"]
    assert [str(note) for note in graph.notes] == ["locked: folder cannot be listed (permission denied); its files are not read"]


def test_a_file_in_a_folder_that_cannot_be_searched_is_a_load_error_and_the_other_units_load(tmp_path, monkeypatch):
    repo = write_repo(tmp_path)
    refuse_under(monkeypatch, repo / "locked", "stat", "lstat")
    graph = load(repo)
    assert [unit.name for unit in graph.units()] == ["good"]
    assert [str(error) for error in graph.errors] == ["locked/template.yaml:1: cannot be read: permission denied"]
