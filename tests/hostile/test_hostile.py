"""Issue 13: every hostile input gives a report, in bounded time and memory, with the good units and no leak.

Each case is built at test time (symlinks, FIFOs, devices, generated big
files, a canary outside the repository and in the environment) beside a good
SAM unit and a good serverless unit; the command line runs on it in a child
process with a time and memory limit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .cases import CANARY, CASES, GOOD_UNITS, Case, build
from .run import Run, run_cli

# The bounds every case must hold: a hang or a blow-up is killed by them and fails the test.
SECONDS = 30.0
MEMORY_MIB = 1024
# Cases whose text output is checked too (escaping, leaks); the JSON report carries everything else.
TEXT_TOO = {"surrogate-text", "control-characters", "terraform-tfvars-environ", "samconfig-outside", "include-outside"}


def messages(report: dict) -> list[str]:
    """Every error and note of a JSON report as ``path:line: message``."""
    errors = [f"{item['path']}:{item['line']}: {item['message']}" for item in report["errors"]]
    return errors + [str(note) for note in report["notes"]]


def written_files(repo: Path) -> list[Path]:
    """The regular files under ``repo`` (not following symlinks): what a run could have written to."""
    found = []
    for directory, _, names in os.walk(repo):
        for name in names:
            path = Path(directory) / name
            if path.is_symlink() or not os.access(directory, os.X_OK):
                continue
            try:
                if path.is_file():
                    found.append(path)
            except OSError:
                continue
    return found


def check(case: Case, run: Run, repo: Path) -> dict:
    assert not run.timed_out, f"{case.name}: over {SECONDS} s"
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout, run.stderr[-3000:]
    # 0, or 2 when the hostile file is a load error (the CLI's exit statuses): never violations or a usage error
    assert run.returncode in (0, 2), run.stderr[-3000:]
    assert CANARY not in run.stdout and CANARY not in run.stderr
    assert run.peak_mib < MEMORY_MIB
    for path in written_files(repo):
        if path.stat().st_size < 50_000_000:
            assert CANARY.encode() not in path.read_bytes(), path
    return json.loads(run.stdout) if run.stdout.lstrip().startswith("{") else {}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_input_gives_a_report_with_the_good_units_in_bounded_time_and_memory(name, tmp_path):
    case = CASES[name]
    if case.needs_root and os.geteuid() != 0:
        pytest.skip("building this case needs root")
    if case.needs_user and os.geteuid() == 0:
        pytest.skip("root reads every file whatever its mode (test_permissions.py simulates it)")
    repo = build(case, tmp_path)
    try:
        run = run_cli(repo, seconds=SECONDS, memory_mib=MEMORY_MIB, env={"HOSTILE_SECRET": CANARY})
        report = check(case, run, repo)
        units = [unit["name"] for unit in report["units"]]
        assert set(GOOD_UNITS) | set(case.units) <= set(units), units
        assert CANARY not in json.dumps(units)
        found = messages(report)
        for expected in case.expect:
            assert any(expected in message for message in found), (expected, found)
        if name in TEXT_TOO or case.text:
            text = run_cli(
                repo, arguments=("--format", "text"), seconds=SECONDS, memory_mib=MEMORY_MIB, env={"HOSTILE_SECRET": CANARY}
            )
            check(case, text, repo)
            assert all(line.isprintable() for line in text.stdout.splitlines()), text.stdout
            for expected in case.text:
                assert expected in text.stdout, text.stdout
    finally:
        for directory, _, _ in os.walk(tmp_path):
            os.chmod(directory, 0o755)  # let pytest clean up the locked folders


@pytest.mark.parametrize("output_format", ["dot", "mermaid", "markdown"])
def test_a_report_shown_on_a_terminal_escapes_control_characters_in_every_format(output_format, tmp_path):
    import pty
    import subprocess
    import sys

    (tmp_path / "sur").mkdir()
    (tmp_path / "sur" / "template.json").write_text(
        '{"Resources": {"F\\udc80\\u001b[31mX": {"Type": "AWS::Lambda::Function", "Properties": {}}}}'
    )
    primary, secondary = pty.openpty()
    command = [sys.executable, "-m", "pytest_serverless_arch", "report", str(tmp_path), "--format", output_format]
    process = subprocess.Popen(command, stdout=secondary, stderr=subprocess.PIPE, cwd=tmp_path)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closes with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    _, errors = process.communicate(timeout=SECONDS)
    assert process.returncode == 0, errors.decode(errors="replace")
    assert b"\x1b" not in shown
    assert b"\\x1b" in shown  # escaped, in whatever quoting the format adds
