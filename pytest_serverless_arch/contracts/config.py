"""Read contracts from configuration: ``pyproject.toml`` tables or ``pytest.ini``/``tox.ini``/``setup.cfg`` sections.

TOML (one table per contract)::

    [tool.serverless-arch.contracts.payments-off-orders]
    type = "forbidden"
    source = ["domain:payments"]
    forbidden = ["domain:orders"]
    edges = ["accesses", "invokes"]

ini (one section per contract; a list is one item per line; in ``layers``
and ``groups`` each line is one layer or group whose selectors are separated
by ``|``; in ``owners`` each line is ``team: selector | selector``)::

    [serverless-arch.contracts.service-layers]
    type = layers
    layers =
        domain:notifications | domain:payments
        domain:orders

Every problem (an unknown type or key, a value of the wrong shape, a selector
or edge kind that means nothing) is a :class:`~.model.ContractError` naming
the file, the table and the key; the other contracts are still read.

>>> found = parse_toml_contracts('[tool.serverless-arch.contracts.a]\\ntype = "forbidden"\\n'
...                              'source = ["domain:x"]\\nforbidden = ["domain:y"]\\n', "pyproject.toml")
>>> [(contract.name, contract.type, contract.source) for contract in found.contracts]
[('a', 'forbidden', ('domain:x',))]
"""

from __future__ import annotations

import configparser
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import RESOURCE_KINDS
from ..patterns import DEFAULT_TOLERANCE, PATTERNS, check_tolerance
from ..selection import Selection, SelectorError, edge_kinds
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

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "INI_FILES",
    "INI_SECTION_PREFIX",
    "TOML_TABLE_PREFIX",
    "ContractSet",
    "contract_files",
    "parse_ini_contracts",
    "parse_toml_contracts",
    "read_contracts",
]

TOML_TABLE_PREFIX = "tool.serverless-arch.contracts"
INI_SECTION_PREFIX = "serverless-arch.contracts."
INI_FILES = ("pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg")

_COMMON_KEYS = ("type", "reason")
_GRAPH_KEYS = ("edges", "transitive")
_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # type -> (required, optional)
    "forbidden": (("source", "forbidden"), _GRAPH_KEYS),
    "layers": (("layers",), ("containers", *_GRAPH_KEYS)),
    "independence": (("groups",), ("via", *_GRAPH_KEYS)),
    "ownership": (("owners",), ("shared", "own_triggers")),
    "pattern": (("pattern",), ("tolerance", "select")),
}
_SEED_PATTERNS = tuple(name for name in PATTERNS if name != "mixed")


@dataclass(frozen=True)
class ContractSet:
    """The contracts declared in a repository's configuration, and what could not be read."""

    contracts: tuple[Contract, ...] = ()
    errors: tuple[ContractError, ...] = ()
    files: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.contracts or self.errors)

    def names(self) -> set[str]:
        return {contract.name for contract in self.contracts} | {error.name for error in self.errors if error.name}

    def merged(self, other: ContractSet) -> ContractSet:
        """Both sets; a name declared again is an error at its second declaration."""
        taken = {contract.name: contract for contract in self.contracts}
        contracts = list(self.contracts)
        errors = list(self.errors)
        for contract in other.contracts:
            if contract.name in taken:
                first = taken[contract.name].origin
                errors.append(contract.error(None, f"contract {contract.name!r} is already declared at {first.location()}"))
            else:
                contracts.append(contract)
        return ContractSet(tuple(contracts), tuple(errors) + other.errors, self.files + other.files)


# --- finding and reading files ------------------------------------------------


def contract_files(root: Path, inifile: Path | None = None) -> list[Path]:
    """The files contracts are read from: pytest's inifile, and the root's ``pyproject.toml``."""
    found = []
    if inifile is not None and inifile.is_file():
        found.append(inifile.resolve())
    pyproject = (root / "pyproject.toml").resolve()
    if pyproject.is_file() and pyproject not in found:
        found.append(pyproject)
    return found


def read_contracts(files: Iterable[Path], root: Path) -> ContractSet:
    """Every contract declared in ``files`` (TOML for ``*.toml``, ini otherwise), paths shown relative to ``root``."""
    result = ContractSet()
    for path in files:
        shown = _relative(path, root)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            origin = ContractOrigin(shown, "contracts")
            result = result.merged(ContractSet(errors=(ContractError(origin, None, f"cannot be read: {exc}"),)))
            continue
        parsed = parse_toml_contracts(text, shown) if path.suffix == ".toml" else parse_ini_contracts(text, shown)
        result = result.merged(parsed)
    return result


def parse_toml_contracts(text: str, path: str) -> ContractSet:
    """The ``[tool.serverless-arch.contracts.<name>]`` tables of a TOML document."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        origin = ContractOrigin(path, TOML_TABLE_PREFIX, _toml_error_line(exc))
        return ContractSet(errors=(ContractError(origin, None, f"is not valid TOML: {exc}"),), files=(path,))
    tables = document.get("tool", {}).get("serverless-arch", {}).get("contracts")
    if tables is None:
        return ContractSet(files=(path,))
    if not isinstance(tables, Mapping):
        origin = ContractOrigin(path, TOML_TABLE_PREFIX, _toml_line(text, TOML_TABLE_PREFIX.rsplit(".", 1)[0]))
        return ContractSet(errors=(ContractError(origin, None, "must be a table of contracts"),), files=(path,))
    contracts: list[Contract] = []
    errors: list[ContractError] = []
    for name, table in tables.items():
        header = f"{TOML_TABLE_PREFIX}.{name}"
        line = _toml_line(text, header)
        origin = ContractOrigin(path, header, line, _key_lines(text, line))
        try:
            if not isinstance(table, Mapping):
                raise ContractError(origin, None, "must be a table", name=name)
            contracts.append(_contract(name, table, origin, _TomlValues()))
        except ContractError as exc:
            errors.append(exc)
    return ContractSet(tuple(contracts), tuple(errors), (path,))


def parse_ini_contracts(text: str, path: str) -> ContractSet:
    """The ``[serverless-arch.contracts.<name>]`` sections of an ini file."""
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",), strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case, as in TOML
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        origin = ContractOrigin(path, INI_SECTION_PREFIX + "*", getattr(exc, "lineno", 0) or 0)
        return ContractSet(errors=(ContractError(origin, None, f"cannot be read as ini: {exc.message}"),), files=(path,))
    contracts: list[Contract] = []
    errors: list[ContractError] = []
    for section in parser.sections():
        if not section.startswith(INI_SECTION_PREFIX):
            continue
        name = section[len(INI_SECTION_PREFIX) :]
        line = _line_of(text, re.compile(rf"^\s*\[{re.escape(section)}\]\s*$"))
        origin = ContractOrigin(path, section, line, _key_lines(text, line))
        try:
            if not name:
                raise ContractError(origin, None, "a contract needs a name after the section prefix", name=None)
            contracts.append(_contract(name, dict(parser.items(section)), origin, _IniValues()))
        except ContractError as exc:
            errors.append(exc)
    return ContractSet(tuple(contracts), tuple(errors), (path,))


# --- values in each form ------------------------------------------------------


class _TomlValues:
    """TOML values: lists are lists, a single string is a one-item list."""

    def strings(self, value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return list(value)
        raise ValueError("expected a string or a list of strings")

    def nested(self, value: Any) -> list[list[str]]:
        if not isinstance(value, list):
            raise ValueError("expected a list (each item a selector or a list of selectors)")
        return [self.strings(item) for item in value]

    def boolean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise ValueError("expected true or false")

    def number(self, value: Any) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ValueError("expected a number")

    def text(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        raise ValueError("expected a string")

    def teams(self, value: Any) -> list[tuple[str, list[str]]]:
        if not isinstance(value, Mapping):
            raise ValueError('expected a table of team = ["selector", ...]')
        return [(str(team), self.strings(selectors)) for team, selectors in value.items()]


class _IniValues:
    """ini values: a list is one item per line; ``|`` separates alternatives in a layer, group or team."""

    def strings(self, value: Any) -> list[str]:
        return [line.strip() for line in str(value).splitlines() if line.strip()]

    def words(self, value: Any) -> list[str]:
        return [word.strip() for line in self.strings(value) for word in line.split(",") if word.strip()]

    def nested(self, value: Any) -> list[list[str]]:
        return [[part.strip() for part in line.split("|") if part.strip()] for line in self.strings(value)]

    def boolean(self, value: Any) -> bool:
        word = str(value).strip().lower()
        if word in ("true", "yes", "on", "1"):
            return True
        if word in ("false", "no", "off", "0"):
            return False
        raise ValueError(f"expected true or false, got {value!r}")

    def number(self, value: Any) -> float:
        try:
            return float(str(value).strip())
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None

    def text(self, value: Any) -> str:
        return str(value).strip()

    def teams(self, value: Any) -> list[tuple[str, list[str]]]:
        teams = []
        for line in self.strings(value):
            team, colon, selectors = line.partition(":")
            if not colon or not team.strip():
                raise ValueError(f"expected 'team: selector | selector' lines, got {line!r}")
            teams.append((team.strip(), [part.strip() for part in selectors.split("|") if part.strip()]))
        return teams


# --- building the contracts ---------------------------------------------------


def _contract(name: str, table: Mapping[str, Any], origin: ContractOrigin, values: _TomlValues | _IniValues) -> Contract:
    def fail(key: str | None, message: str) -> ContractError:
        return ContractError(origin, key, message, name=name)

    kind = table.get("type")
    if kind is None:
        raise fail(None, f"a contract needs a type: one of {', '.join(CONTRACT_TYPES)}")
    kind = str(kind).strip()
    if kind not in CONTRACT_TYPES:
        raise fail("type", f"unknown contract type {kind!r}; types: {', '.join(CONTRACT_TYPES)}")
    required, optional = _KEYS[kind]
    allowed = (*_COMMON_KEYS, *required, *optional)
    for key in table:
        if key not in allowed:
            raise fail(key, f"unknown key for {_a(kind)} contract; keys: {', '.join(allowed)}")
    for key in required:
        if key not in table:
            raise fail(None, f"{_a(kind)} contract needs {key!r}")

    def read(key: str, convert: Callable[[Any], Any], default: Any = None) -> Any:
        if key not in table:
            return default
        try:
            return convert(table[key])
        except (ValueError, SelectorError) as exc:
            raise fail(key, str(exc)) from None

    def selectors(key: str, *, required: bool = True) -> tuple[str, ...]:
        found = tuple(read(key, lambda value: [_selector(item) for item in values.strings(value)], []))
        if required and not found:
            raise fail(key, "lists no selector")
        return found

    def words(value: Any) -> list[str]:
        return values.words(value) if isinstance(values, _IniValues) else values.strings(value)

    common: dict[str, Any] = {"name": name, "origin": origin, "reason": read("reason", values.text, "")}
    if "edges" in optional:
        edges = tuple(read("edges", words, ["links", "triggers", "accesses", "invokes"]))
        if not edges:
            raise fail("edges", "lists no edge kind")
        read("edges", lambda _: edge_kinds(edges))
        common["edges"] = edges
        common["transitive"] = read("transitive", values.boolean, False)
    if kind == "forbidden":
        return ForbiddenContract(**common, source=selectors("source"), forbidden=selectors("forbidden"))
    if kind == "layers":
        layers = read("layers", lambda value: [[_selector(item) for item in layer] for layer in values.nested(value)])
        if len(layers) < 2 or any(not layer for layer in layers):
            raise fail("layers", "expected at least two layers, each with at least one selector (highest first)")
        seen: dict[str, int] = {}
        for index, layer in enumerate(layers):
            for selector in layer:
                if selector in seen:
                    raise fail(
                        "layers",
                        f"{selector!r} is in layer {seen[selector] + 1} and in layer {index + 1}: the layers would form a cycle",
                    )
                seen[selector] = index
        return LayersContract(
            **common, layers=tuple(tuple(layer) for layer in layers), containers=selectors("containers", required=False)
        )
    if kind == "independence":
        groups = read("groups", lambda value: [[_selector(item) for item in group] for group in values.nested(value)])
        if len(groups) < 2 or any(not group for group in groups):
            raise fail("groups", "expected at least two groups, each with at least one selector")
        via = tuple(read("via", words, []))
        unknown = [word for word in via if word not in RESOURCE_KINDS]
        if unknown:
            raise fail("via", f"unknown resource kind {unknown[0]!r}; kinds: {', '.join(RESOURCE_KINDS)}")
        return IndependenceContract(**common, groups=tuple(tuple(group) for group in groups), via=via)
    if kind == "ownership":
        owners = read("owners", lambda value: [(team, [_selector(item) for item in sel]) for team, sel in values.teams(value)])
        if not owners or any(not selectors_ for _, selectors_ in owners):
            raise fail("owners", "expected at least one team, each with at least one selector")
        return OwnershipContract(
            **common,
            owners=tuple((team, tuple(selectors_)) for team, selectors_ in owners),
            shared=selectors("shared", required=False),
            own_triggers=read("own_triggers", values.boolean, False),
        )
    pattern = read("pattern", values.text)
    if pattern not in _SEED_PATTERNS:
        raise fail("pattern", f"unknown pattern {pattern!r}; patterns: {', '.join(_SEED_PATTERNS)}")
    tolerance = read("tolerance", lambda value: check_tolerance(values.number(value)), DEFAULT_TOLERANCE)
    select = read("select", lambda value: _selector(values.text(value)))
    return PatternContract(**common, pattern=pattern, tolerance=tolerance, select=select)


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _selector(text: str) -> str:
    """``text`` if it parses as a selector (raises :class:`SelectorError` otherwise)."""
    Selection.parse(text)
    return text.strip()


# --- lines ----------------------------------------------------------------------


def _line_of(text: str, pattern: re.Pattern[str]) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 0


def _toml_line(text: str, header: str) -> int:
    """The line of ``[header]`` (each dotted part bare or quoted)."""
    parts = [rf"(?:{re.escape(part)}|\"{re.escape(part)}\"|'{re.escape(part)}')" for part in header.split(".")]
    return _line_of(text, re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(parts) + r"\s*\]\s*(?:#.*)?$"))


def _key_lines(text: str, header_line: int) -> dict[str, int]:
    """The line of each ``key =`` in the table or section that starts at ``header_line``."""
    if not header_line:
        return {}
    found: dict[str, int] = {}
    lines = text.splitlines()
    for number in range(header_line, len(lines)):
        line = lines[number]
        if line.lstrip().startswith("["):
            break
        match = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", line)
        if match:
            found.setdefault(match.group(1), number + 1)
    return found


def _toml_error_line(exc: Exception) -> int:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else 0


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
