"""Run the command line on a repository in a child process with a time and memory limit, and measure it.

>>> run = run_cli(Path("sample_repos/monolith-online-shop"), seconds=60)  # doctest: +SKIP
>>> run.returncode, run.timed_out  # doctest: +SKIP
(0, False)
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Run", "run_cli"]


@dataclass(frozen=True)
class Run:
    """What one run printed, how it ended, and what it cost."""

    stdout: str
    stderr: str
    returncode: int
    seconds: float
    peak_mib: float  # the child's peak resident memory
    timed_out: bool


def _limits(memory_mib: int | None, seconds: float) -> None:
    if memory_mib is not None:
        limit = memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = int(seconds) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    os.setsid()  # its own process group, so a timeout ends it and nothing else


def run_cli(
    repo: Path,
    *,
    arguments: Sequence[str] = ("--format", "json"),
    seconds: float = 30.0,
    memory_mib: int | None = 1024,
    env: dict[str, str] | None = None,
    pythonpath: str | None = None,
) -> Run:
    """``python -m pytest_serverless_arch report REPO ARGUMENTS`` in a child with ``seconds`` and ``memory_mib`` limits."""
    child_env = dict(os.environ, **(env or {}))
    if pythonpath is not None:
        child_env["PYTHONPATH"] = pythonpath
    command = [sys.executable, "-m", "pytest_serverless_arch", "report", str(repo), *arguments]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=child_env,
            cwd=repo.parent,  # not the checkout: ``-m`` puts the working directory first on sys.path
            preexec_fn=lambda: _limits(memory_mib, seconds),  # noqa: PLW1509 - setrlimit must run in the child
        )
        expired = threading.Event()

        def stop() -> None:
            expired.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(seconds, stop)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Run(
            out.read().decode("utf-8", errors="replace"),
            err.read().decode("utf-8", errors="replace"),
            process.returncode,
            elapsed,
            usage.ru_maxrss / 1024,
            expired.is_set(),
        )
