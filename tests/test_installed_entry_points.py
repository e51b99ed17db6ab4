"""Rule packages' entry points are found as importlib.metadata finds them, without importing it when none can match."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from .helpers import REPO

_LOOK = """
import json, sys
from pytest_serverless_arch.installed import installed_entry_points
found = installed_entry_points("pytest_serverless_arch.rules")
print(json.dumps({"found": [[each.name, each.value] for each in found], "imported": "importlib.metadata" in sys.modules}))
"""


def _look(*path: Path) -> dict[str, object]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([*(str(each) for each in path), str(REPO)])}
    done = subprocess.run([sys.executable, "-c", _LOOK], capture_output=True, text=True, env=environment, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _distribution(folder: Path, entry_points: str) -> None:
    dist = folder / "team_rules-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: team-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(entry_points)


def test_without_a_distribution_that_names_the_group_nothing_is_found_and_importlib_metadata_is_not_imported(tmp_path):
    _distribution(tmp_path, "[console_scripts]\nteam = team_rules:main\n")
    assert _look(tmp_path) == {"found": [], "imported": False}


def test_a_distribution_that_declares_the_group_is_found_through_importlib_metadata(tmp_path):
    _distribution(tmp_path, "[pytest_serverless_arch.rules]\nteam = team_rules\n")
    assert _look(tmp_path) == {"found": [["team", "team_rules"]], "imported": True}


def test_a_zip_file_on_the_path_is_left_to_importlib_metadata(tmp_path):
    archive = tmp_path / "rules.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("team_rules-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: team-rules\nVersion: 1.0\n")
        bundle.writestr("team_rules-1.0.dist-info/entry_points.txt", "[pytest_serverless_arch.rules]\nteam = team_rules\n")
    assert _look(archive) == {"found": [["team", "team_rules"]], "imported": True}
