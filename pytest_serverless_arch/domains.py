"""Which domain each resource belongs to.

In order of precedence: an explicit mapping of path globs to domains, a tag
(key ``domain`` by default) on the resource, a tag on its stack, then a path
convention (a glob with ``{domain}``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from .config import LoadConfig
from .discover import glob_matches
from .model import LoadedUnit, Resource

__all__ = ["assign_domains", "domain_from_path"]


def domain_from_path(pattern: str, path: str) -> str | None:
    """``services/{domain}/**`` applied to ``services/orders/template.yaml`` gives ``orders``."""
    regex = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("{domain}", index):
            regex += r"(?P<domain>[^/]+)"
            index += len("{domain}")
        elif pattern.startswith("**", index):
            regex += ".*"
            index += 2
        elif pattern[index] == "*":
            regex += "[^/]*"
            index += 1
        else:
            regex += re.escape(pattern[index])
            index += 1
    match = re.match(regex + r"(?:/.*)?\Z", path)
    return match.group("domain") if match else None


def _mapped_domain(config: LoadConfig, path: str) -> str | None:
    for pattern, domain in config.domains:
        if glob_matches(pattern, path):
            return domain
    return None


def assign_domains(units: Iterable[LoadedUnit], config: LoadConfig) -> list[LoadedUnit]:
    """Fill ``Resource.domain`` for every resource of every unit."""
    result = []
    for unit in units:
        mapped = _mapped_domain(config, unit.path)
        stack_domain = unit.tags.get(config.domain_tag)
        path_domain = domain_from_path(config.domain_path, unit.path) if config.domain_path else None
        resources: list[Resource] = []
        for resource in unit.resources:
            domain = (mapped or resource.tag_map.get(config.domain_tag) or stack_domain or path_domain
                      or resource.domain)
            resources.append(dataclasses.replace(resource, domain=domain) if domain != resource.domain else resource)
        unit.resources = resources
        result.append(unit)
    return result
