"""Declarative contracts between units and domains, read from configuration.

Five types (:mod:`.model`): ``forbidden``, ``layers``, ``independence``,
``ownership`` and ``pattern``. :mod:`.config` reads them from
``[tool.serverless-arch.contracts.<name>]`` tables in ``pyproject.toml`` or
``[serverless-arch.contracts.<name>]`` sections of ``pytest.ini``;
:mod:`.check` turns a contract and a graph into violations (rule id
``contract:<name>``); :mod:`.render` prints verdicts. The pytest plugin runs
each contract as the item ``serverless-arch::contract:<name>``.

>>> from pytest_serverless_arch import load
>>> from pytest_serverless_arch.contracts import LayersContract, check_contract
>>> graph = load("sample_repos/trigger-grouped-food-delivery")  # doctest: +SKIP
>>> check_contract(LayersContract("l", layers=(("domain:kitchen",), ("domain:orders",))), graph)  # doctest: +SKIP
[]
"""

from .check import check_contract
from .config import ContractSet, contract_files, parse_ini_contracts, parse_toml_contracts, read_contracts
from .model import (
    CONTRACT_TYPES,
    Contract,
    ContractError,
    ContractOrigin,
    ForbiddenContract,
    IndependenceContract,
    LayersContract,
    OwnershipContract,
    PatternContract,
)
from .reach import Chain, DependencyIndex, find_chains
from .render import ContractVerdict, render_verdicts

__all__ = [
    "CONTRACT_TYPES",
    "Chain",
    "Contract",
    "ContractError",
    "ContractOrigin",
    "ContractSet",
    "ContractVerdict",
    "DependencyIndex",
    "ForbiddenContract",
    "IndependenceContract",
    "LayersContract",
    "OwnershipContract",
    "PatternContract",
    "check_contract",
    "contract_files",
    "find_chains",
    "parse_ini_contracts",
    "parse_toml_contracts",
    "read_contracts",
    "render_verdicts",
]
