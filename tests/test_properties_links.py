"""Properties of the links between units (issue 12).

- A ``${file()}`` read of a sibling unit's file never changes the set of units:
  the file read is a unit in its own right, whoever else reads it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given

from pytest_serverless_arch import load
from pytest_serverless_arch.strategies import topologies

from .hypothesis_support import property_settings

UNIT_FILES = ("serverless.yml", "serverless.json", "template.yaml", "template.json")


def _reader_service(unit_files: list[str]) -> str:
    """A serverless service beside the units that reads one value from each unit's file."""
    lines = ["service: reader", "provider:", "  name: aws", "  runtime: python3.12", "custom:"]
    for index, relpath in enumerate(unit_files):
        address = "service" if Path(relpath).name.startswith("serverless") else "Resources"
        lines.append(f"  read{index}: ${{file(../{relpath}):{address}}}")
    lines += ["functions:", "  read:", "    handler: reader.handler"]
    return "\n".join(lines) + "\n"


@property_settings
@given(topologies(min_units=1, max_units=3, max_functions=3))
def test_a_file_read_of_a_sibling_unit_never_changes_the_set_of_units(topology):
    with tempfile.TemporaryDirectory(prefix="topology-") as directory:
        root = Path(directory)
        written = topology.write(root)
        before = {(unit.name, unit.path) for unit in load(root).units()}
        unit_files = sorted(path.relative_to(root).as_posix() for path in written if path.name in UNIT_FILES)
        (root / "reader").mkdir()
        (root / "reader" / "serverless.yml").write_text(_reader_service(unit_files))
        after = {(unit.name, unit.path) for unit in load(root).units()}
    assert after == before | {("reader-dev", "reader/serverless.yml")}
