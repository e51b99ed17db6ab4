"""``python -m pytest_serverless_arch contracts [PATH]``: check the declared contracts and print each verdict.

The configuration is found the way pytest finds its inifile: from ``PATH``
upward, the first directory holding ``pytest.ini``, ``.pytest.ini``,
``pyproject.toml``, ``tox.ini`` or ``setup.cfg`` is the root; contracts are read
from that file and the root's ``pyproject.toml``. Suppressions and the root's
baseline file (``.serverless-arch-baseline.json``) apply as in pytest.
Exit status: 0 when every contract is kept, 1 when one is broken, 2 for a configuration error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from ..baseline import Baseline, BaselineError
from ..config import LoadConfig
from ..loading import load
from ..options import DEFAULT_BASELINE
from ..suppressions import triage
from .check import check_contract
from .config import contract_files, read_contracts
from .model import ContractError
from .render import ContractVerdict, render_verdicts

__all__ = ["find_root", "run_contracts"]

_CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")


def find_root(path: Path) -> tuple[Path, Path | None]:
    """The directory holding the nearest configuration file at or above ``path``, and that file."""
    start = path.resolve()
    start = start if start.is_dir() else start.parent
    for directory in (start, *start.parents):
        for name in _CONFIG_FILES:
            if (directory / name).is_file():
                return directory, directory / name
    return start, None


def run_contracts(path: str, config: LoadConfig | None = None, out: TextIO | None = None) -> int:
    """Check every contract declared for the repository at ``path``; print the verdicts; return the exit status."""
    out = out or sys.stdout
    root, inifile = find_root(Path(path))
    files = contract_files(root, inifile)
    contracts = read_contracts(files, root)
    if not contracts:
        shown = ", ".join(str(file) for file in files) or f"no configuration file at or above {path}"
        out.write(f"no contracts declared ({shown})\n")
        return 0
    try:
        baseline = Baseline.read(root / DEFAULT_BASELINE)
    except BaselineError as exc:
        out.write(f"serverless-arch: {exc}\n")
        return 2
    graph = load(str(root), root=str(root), config=config or LoadConfig())
    baseline = baseline.for_graph(graph)  # a version 1 file names units by name; match by identity
    verdicts = [ContractVerdict(None, error=error) for error in contracts.errors]
    for contract in contracts.contracts:
        try:
            violations = check_contract(contract, graph)
        except ContractError as exc:
            verdicts.append(ContractVerdict(contract, error=exc))
            continue
        result = triage(contract.rule_id, violations, graph, baseline)
        verdicts.append(ContractVerdict(contract, tuple(result.failing), None, len(result.suppressed), len(result.baselined)))
    out.write(render_verdicts(verdicts) + "\n")
    if any(verdict.error is not None for verdict in verdicts):
        return 2
    return 0 if all(verdict.kept for verdict in verdicts) else 1
