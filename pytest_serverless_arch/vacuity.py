"""Never green on nothing: the checks that stop a gate from passing while it checks nothing.

- :func:`skip_reason`: a rule is skipped, with the reason, when there is nothing
  it could check (no deployment unit at all; no domain for a rule that needs domains);
- :func:`nothing_found` explains an empty repository: the paths searched, the
  folders not walked, the files that looked like templates but are not.

The pytest gate and the CLI both use them, so they agree.

>>> from pytest_serverless_arch.graph import DeploymentGraph
>>> from pytest_serverless_arch.rules import get_rule
>>> skip_reason(get_rule("trigger-colocated"), DeploymentGraph())
'no deployment unit was found (see serverless-arch::discovery)'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .config import LoadConfig
from .rules.base import Rule

__all__ = ["DISCOVERY_ITEM", "has_domains", "nothing_found", "skip_reason"]

DISCOVERY_ITEM = "serverless-arch::discovery"
_SHOWN = 10


def has_domains(graph: Any) -> bool:
    """Whether any resource or unit of the repository has a domain."""
    whole = getattr(graph, "graph", graph)
    if any(resource.domain for resource in whole.resources()) or any(unit.domain for unit in whole.units()):
        return True
    # a unit taken as its record (--arch-changed-since) has no resource in the graph: its record has their domains
    return any(record.unit.domains for record in getattr(whole, "absent", {}).values())


def skip_reason(rule: Rule, graph: Any) -> str | None:
    """Why ``rule`` cannot say anything about ``graph`` (None: run it)."""
    whole = getattr(graph, "graph", graph)
    if callable(getattr(whole, "units", None)) and not whole.units():
        return f"no deployment unit was found (see {DISCOVERY_ITEM})"
    if rule.needs_domains and callable(getattr(whole, "resources", None)) and not has_domains(whole):
        return (
            f"{rule.id} needs domains and no resource has one: configure serverless_arch_domains, "
            f"or tag resources or stacks with the serverless_arch_domain_tag key"
        )
    return None


def nothing_found(paths: Sequence[Path], root: Path, config: LoadConfig) -> str:
    """Why no deployment unit was found under ``paths``: one paragraph for the item and the CLI."""
    from .discover import discover  # discovery parses templates: imported only when nothing was found

    discovery = discover(paths, root, config)
    searched = ", ".join(_relative(path, root) for path in paths)
    lines = [f"no deployment unit found under {searched} (rootdir {root})"]
    if discovery.ignored:
        lines.append(f"  folders not searched ({len(discovery.ignored)}): {_some(discovery.ignored)}")
    if config.ignore:
        lines.append(f"  ignore globs: {', '.join(config.ignore)}")
    skipped = [str(note) for note in discovery.notes] + [str(error) for error in discovery.errors]
    if skipped:
        lines.append(f"  files that look like templates but are not units ({len(skipped)}):")
        lines += [f"    {line}" for line in skipped[:_SHOWN]]
        if len(skipped) > _SHOWN:
            lines.append(f"    ... and {len(skipped) - _SHOWN} more")
    lines.append(
        "  set serverless_arch_paths (or --arch-path) to the folders holding templates, "
        "serverless.yml files, Terraform root modules or cdk.out"
    )
    return "\n".join(lines)


def _relative(path: Path, root: Path) -> str:
    from .discover import relative_posix

    text = relative_posix(path, root)
    return "." if text == "." else text


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")
