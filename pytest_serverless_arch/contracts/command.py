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
from typing import TYPE_CHECKING, TextIO

from ..baseline import Baseline, BaselineError
from ..check import ExitCode
from ..config import LoadConfig
from ..configfile import find_config
from ..loading import load
from ..options import DEFAULT_BASELINE
from ..suppressions import triage
from .check import check_contract
from .config import contract_files, read_contracts
from .model import ContractError
from .render import ContractVerdict, render_verdicts

if TYPE_CHECKING:
    from ..options import ArchSettings

__all__ = ["run_contracts"]


def run_contracts(
    path: str, config: LoadConfig | None = None, out: TextIO | None = None, *, settings: ArchSettings | None = None
) -> int:
    """Check every contract declared for the repository at ``path``; print the verdicts; return the exit status.

    The configuration is found as pytest finds it (:func:`~pytest_serverless_arch.configfile.find_config`);
    with ``settings`` (the CLI's, from that configuration and its flags) the repository is loaded exactly as
    the gate loads it: paths, ignore globs, stage, region, domains, baseline. Exit status as the ``report``
    command's: 0 every contract kept, 1 a contract broken, 3 a configuration error.
    """
    out = out or sys.stdout
    if settings is None:
        found = find_config(Path(path))
        root, inifile = found.rootdir, found.path
    else:
        root, inifile = settings.root, settings.config_file
    files = contract_files(root, inifile)
    contracts = read_contracts(files, root)
    if not contracts:
        shown = ", ".join(str(file) for file in files) or f"no configuration file at or above {path}"
        out.write(f"no contracts declared ({shown})\n")
        return 0
    try:
        baseline = Baseline.read(settings.baseline if settings is not None else root / DEFAULT_BASELINE)
    except BaselineError as exc:
        out.write(f"serverless-arch: {exc}\n")
        return ExitCode.USAGE_ERROR
    if settings is not None:
        graph = load([str(p) for p in settings.paths], root=str(root), config=settings.load_config)
    else:
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
        return ExitCode.USAGE_ERROR
    return ExitCode.OK if all(verdict.kept for verdict in verdicts) else ExitCode.VIOLATIONS
