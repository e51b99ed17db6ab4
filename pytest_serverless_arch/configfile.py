"""Find and read the project's configuration file the way pytest does, for commands run outside pytest.

The CLI (and every future command) reads the same ``serverless_arch_*``
settings as the plugin, from the same file: the first of ``pytest.toml``,
``.pytest.toml``, ``pytest.ini``, ``.pytest.ini``, ``pyproject.toml``
(``[tool.pytest.ini_options]`` or ``[tool.pytest]``), ``tox.ini`` (``[pytest]``)
and ``setup.cfg`` (``[tool:pytest]``) that holds a pytest section, looking in
the given directory and then its parents. Its directory is the rootdir.

One difference from pytest, for a repository kept inside another project:
a file found in a *parent* of the given directory that sets no
``serverless_arch_*`` key is not this repository's configuration, so the given
directory is the rootdir and nothing is configured.

Other readers (contracts, report formats) find their tables in the same
``pyproject.toml`` through :meth:`ConfigFile.tool_table`.

>>> config = find_config(Path("sample_repos/monolith-online-shop"))  # doctest: +SKIP
>>> config.path.name, config.value("serverless_arch_rules", "linelist")  # doctest: +SKIP
('pyproject.toml', ['trigger-colocated'])
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import iniconfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["CONFIG_NAMES", "SETTING_PREFIX", "ConfigFile", "ConfigFileError", "find_config", "read_config_file"]

CONFIG_NAMES = ("pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
SETTING_PREFIX = "serverless_arch_"
TOOL_TABLE = "serverless-arch"  # [tool.serverless-arch...] tables in pyproject.toml


class ConfigFileError(ValueError):
    """A configuration file that cannot be read (a usage error: exit status 3, or pytest's usage error)."""


@dataclass(frozen=True)
class ConfigFile:
    """The configuration found for a repository: the file (if any), the rootdir and its pytest settings."""

    rootdir: Path
    path: Path | None = None  # the inifile; None when nothing was found
    values: Mapping[str, Any] = field(default_factory=dict)  # the pytest section, raw

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def value(self, name: str, kind: str, default: Any = None) -> Any:
        """The setting ``name`` as pytest's ``getini`` gives it: a list of lines for ``linelist``, else a string."""
        if name not in self.values:
            return [] if kind == "linelist" and default is None else default
        raw = self.values[name]
        if kind == "linelist":
            items = raw if isinstance(raw, list) else str(raw).splitlines()
            return [str(item).strip() for item in items if str(item).strip()]
        if kind == "bool":
            return raw if isinstance(raw, bool) else str(raw).strip().lower() in ("1", "true", "yes", "on", "y", "t")
        if isinstance(raw, list):
            return " ".join(str(item) for item in raw)
        return str(raw)

    def settings(self) -> list[str]:
        """The ``serverless_arch_*`` keys the file sets."""
        return [key for key in self.values if key.startswith(SETTING_PREFIX)]

    @property
    def pyproject(self) -> Path | None:
        """The ``pyproject.toml`` of the rootdir, where ``[tool.serverless-arch...]`` tables live."""
        candidate = self.rootdir / "pyproject.toml"
        return candidate if candidate.is_file() else None

    def tool_table(self, *keys: str) -> Mapping[str, Any]:
        """``[tool.serverless-arch.<keys...>]`` of the rootdir's ``pyproject.toml`` (empty when absent).

        >>> ConfigFile(Path("/nowhere")).tool_table("contracts")
        mappingproxy({})
        """
        if self.pyproject is None:
            return MappingProxyType({})
        table: Any = _read_toml(self.pyproject).get("tool", {}).get(TOOL_TABLE, {})
        for key in keys:
            table = table.get(key, {}) if isinstance(table, Mapping) else {}
        if not isinstance(table, Mapping):
            raise ConfigFileError(f"{self.pyproject}: [tool.{TOOL_TABLE}.{'.'.join(keys)}] must be a table")
        return MappingProxyType(dict(table))


def read_config_file(path: Path) -> dict[str, Any] | None:
    """The pytest section of ``path``, or None when the file has none (pytest's rules, file by file)."""
    try:
        if path.suffix == ".toml":
            document = _read_toml(path)
            if path.name in ("pytest.toml", ".pytest.toml"):
                return dict(document.get("pytest", {}))
            tool = document.get("tool", {}).get("pytest", None)
            if not isinstance(tool, Mapping):
                return None
            ini_options = tool.get("ini_options")
            if isinstance(ini_options, Mapping):
                return dict(ini_options)
            native = {key: value for key, value in tool.items() if key != "ini_options"}
            return native or None
        ini = iniconfig.IniConfig(str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"{path}: cannot read the configuration file: {exc}") from None
    except iniconfig.ParseError as exc:
        raise ConfigFileError(f"{path}:{exc.lineno + 1}: cannot read the configuration file: {exc.msg}") from None
    section = "tool:pytest" if path.suffix == ".cfg" else "pytest"
    if section in ini:
        return dict(ini[section].items())
    if path.name in ("pytest.ini", ".pytest.ini"):
        return {}  # a pytest.ini is the configuration even when empty
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"{path}: cannot read the configuration file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path}: cannot read the configuration file: {exc}") from None
    except RecursionError:
        raise ConfigFileError(f"{path}: cannot read the configuration file: nested too deeply") from None


def find_config(start: Path, *, inifile: Path | None = None, rootdir: Path | None = None) -> ConfigFile:
    """The configuration for the repository at ``start`` (a directory or a file in it).

    ``inifile`` (``-c``/``--config-file``) and ``rootdir`` (``--rootdir``) override the search, as in pytest.
    """
    start = start.resolve()
    base = start if start.is_dir() else start.parent
    if inifile is not None:
        inifile = inifile.resolve()
        if not inifile.is_file():
            raise ConfigFileError(f"--config-file {inifile}: no such file")
        return ConfigFile((rootdir or inifile.parent).resolve(), inifile, read_config_file(inifile) or {})
    for directory in (base, *base.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if not candidate.is_file():
                continue
            section = read_config_file(candidate)
            own_tables = _declares_serverless_arch(candidate)  # contracts and other tables of ours count too
            if section is None and not own_tables:
                continue
            found = ConfigFile((rootdir or directory).resolve(), candidate, section or {})
            if directory != base and not found.settings() and not own_tables:
                # another project's configuration (this repository lives inside it): not ours
                return ConfigFile((rootdir or base).resolve())
            return found
    return ConfigFile((rootdir or base).resolve())


def _declares_serverless_arch(path: Path) -> bool:
    """Whether ``path`` holds tables of this tool (``[tool.serverless-arch...]``, ini ``[serverless-arch...]``)."""
    try:
        if path.suffix == ".toml":
            tool = _read_toml(path).get("tool", {})
            return isinstance(tool, Mapping) and "serverless-arch" in tool
        return any(section.startswith("serverless-arch") for section in iniconfig.IniConfig(str(path)).sections)
    except (ConfigFileError, iniconfig.ParseError, OSError, UnicodeDecodeError):
        return False
