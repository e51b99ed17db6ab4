"""Time and peak memory of the command line on each hostile case of issue 13, at the issue's sizes.

Builds every case of ``tests/hostile/cases.py`` (scale 2: the sizes the issue
measured) in a temporary directory and runs ``python -m pytest_serverless_arch
report`` on it in a child process with a time and memory cap, printing one
Markdown row per case. ``--checkout`` runs another checkout's code (a
``git archive`` of an older commit) with this environment, for before/after.

    python benchmarks/hostile_benchmark.py [--checkout PATH] [--seconds 30] [--memory-mib 2048] [CASE ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hostile.cases import CANARY, CASES, GOOD_UNITS, build  # noqa: E402
from tests.hostile.run import run_cli  # noqa: E402


def outcome(run) -> str:  # type: ignore[no-untyped-def]
    if run.timed_out:
        return "killed at the time cap"
    if "MemoryError" in run.stderr:
        return "MemoryError at the memory cap"
    if "Traceback" in run.stderr:
        last = [line for line in run.stderr.strip().splitlines() if line.strip()][-1]
        return f"traceback: {last[:60]}"
    return "report" if run.returncode == 0 else f"exit {run.returncode}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=sorted(CASES))
    parser.add_argument("--checkout", default=None, help="run this checkout's package (default: the installed one)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--memory-mib", type=int, default=2048)
    parser.add_argument("--scale", type=int, default=2)
    args = parser.parse_args()
    print("| case | item | seconds | peak MiB | outcome | good units | canary |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in args.cases:
        case = CASES[name]
        if (case.needs_root and os.geteuid() != 0) or (case.needs_user and os.geteuid() == 0):
            continue
        base = Path(tempfile.mkdtemp(prefix="hostile-"))
        try:
            repo = build(case, base, scale=args.scale)
            run = run_cli(
                repo,
                seconds=args.seconds,
                memory_mib=args.memory_mib,
                env={"HOSTILE_SECRET": CANARY},  # a CI secret in the environment, as /proc/self/environ shows it
                pythonpath=str(Path(args.checkout).resolve()) if args.checkout else None,
            )
            good = "yes" if all(f'"name": "{unit}' in run.stdout for unit in GOOD_UNITS) else "no"
            leaked = "LEAKED" if CANARY in run.stdout + run.stderr else "-"
            print(
                f"| {name} | {case.item} | {run.seconds:.1f} | {run.peak_mib:.0f} | {outcome(run)} | {good} | {leaked} |",
                flush=True,
            )
        finally:
            for directory, _, _ in os.walk(base):
                os.chmod(directory, 0o755)
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
