"""``python -m pytest_serverless_arch contracts``: each contract's verdict and the broken chains."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pytest_serverless_arch.cli import main

from .helpers import FIXTURES, run_cli

CONTRACTS = """\
[tool.serverless-arch.contracts.layers]
type = "layers"
layers = [["domain:payments"], ["domain:platform", "domain:notifications"], ["domain:orders"]]

[tool.serverless-arch.contracts.payments-off-orders]
type = "forbidden"
source = ["domain:payments"]
forbidden = ["domain:orders"]
edges = ["links"]
transitive = true
"""


def repository(tmp_path, pyproject: str):
    shutil.copytree(FIXTURES / "contracts" / "chain", tmp_path, dirs_exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(pyproject)
    return tmp_path


def test_the_contracts_command_prints_each_verdict_and_the_broken_chain_and_exits_1(tmp_path, capsys):
    root = repository(tmp_path, CONTRACTS)
    assert main(["contracts", str(root / "payments")]) == 1  # the configuration is found upward
    assert capsys.readouterr().out.splitlines() == [
        "contract:layers (layers) KEPT",
        "    layers [domain:payments] > [domain:platform, domain:notifications] > [domain:orders]: "
        "a layer depends only on the layers below it",
        "contract:payments-off-orders (forbidden) BROKEN",
        "    domain:payments must not reach domain:orders (directly or through any chain; edges: links)",
        "    payments/template.yaml:13: function PayFunction (unit payments) must not reach table OrdersTable (unit orders) "
        "through 2 edges: payments:PayFunction -[ssm_parameter]-> platform:JobsQueueUrl (payments/template.yaml:13), "
        "then platform:JobsWorker -[imports]-> orders:OrdersTable (platform/template.yaml:21)",
        "",
        "Contracts: 1 kept, 1 broken.",
    ]


def test_the_contracts_command_exits_0_when_every_contract_is_kept_and_3_on_a_configuration_error(tmp_path, capsys):
    root = repository(tmp_path, CONTRACTS.split("\n\n")[0] + "\n")
    assert main(["contracts", str(root)]) == 0
    assert capsys.readouterr().out.endswith("Contracts: 1 kept, 0 broken.\n")
    (root / "pyproject.toml").write_text(CONTRACTS.replace('"domain:orders"]\nedges', '"domain:ordrs"]\nedges'))
    assert main(["contracts", str(root)]) == 3  # a usage error, as in the report command's exit-code table
    out = capsys.readouterr().out
    assert (
        "    configuration error: pyproject.toml:8: [tool.serverless-arch.contracts.payments-off-orders] forbidden: "
        "'domain:ordrs' matches no unit and no resource; did you mean 'orders'?"
    ) in out
    assert out.endswith("Contracts: 1 kept, 0 broken, 1 not checked (configuration errors).\n")


def test_the_contracts_command_applies_the_baseline(tmp_path, capsys):
    root = repository(tmp_path, CONTRACTS)
    (root / ".serverless-arch-baseline.json").write_text(
        '{"violations": [{"rule": "contract:payments-off-orders", "units": ["orders", "payments", "platform"], '
        '"resources": ["orders:OrdersTable", "payments:PayFunction"]}]}'
    )
    assert main(["contracts", str(root)]) == 0
    assert "contract:payments-off-orders (forbidden) KEPT [1 in the baseline]" in capsys.readouterr().out.splitlines()


def test_the_contracts_command_says_when_no_contract_is_declared(tmp_path, capsys):
    root = repository(tmp_path, "[tool.pytest.ini_options]\n")
    assert main(["contracts", str(root)]) == 0
    assert capsys.readouterr().out.startswith("no contracts declared (")


def test_the_module_entry_point_leaves_with_the_exit_code_and_every_byte_written(tmp_path: Path) -> None:
    repo = Path(__file__).parent.parent / "sample_repos"  # every sample: a report of over 40 KB
    to_file = run_cli("report", repo, "--format", "json", "--no-cache", "-o", tmp_path / "report.json")
    to_stdout = run_cli("report", repo, "--format", "json", "--no-cache")
    assert to_file.returncode == to_stdout.returncode == 1  # the samples break rules on purpose
    written = (tmp_path / "report.json").read_text()
    assert len(written) > 40_000  # more than a small buffer: os._exit must not cut it short
    assert to_stdout.stdout == written
    assert json.loads(written)["violations"]
