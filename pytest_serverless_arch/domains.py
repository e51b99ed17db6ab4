"""Which domain each resource belongs to.

In order of precedence (the first that gives an answer wins):

1. an explicit mapping of path globs to domains (``LoadConfig.domains``, the ini option);
2. a hook override: ``LoadConfig.domain_resolver(resource)`` (a conftest hook or fixture
   passes it; returning None falls through);
3. a tag (key ``LoadConfig.domain_tag``, default ``domain``) on the resource;
4. a tag on its stack (samconfig ``tags``, serverless ``stackTags``/``tags``: ``LoadedUnit.tags``;
   then SAM ``Globals`` tags);
5. the path convention (``LoadConfig.domain_path``, a glob with ``{domain}``);
6. whatever the loader already set.

A unit's domains are the set of its resources' domains.

>>> domain_from_path("services/{domain}/**", "services/orders/template.yaml")
'orders'
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from .config import LoadConfig
from .discover import glob_matches
from .model import LoadedUnit, Resource

__all__ = ["assign_domains", "domain_from_path", "domain_of", "unit_domains", "with_domains"]


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
    if "(?P<domain>" not in regex:
        return None
    match = re.match(regex + r"(?:/.*)?\Z", path)
    return match.group("domain") if match else None


def mapped_domain(config: LoadConfig, path: str) -> str | None:
    """The domain an explicit ``(glob, domain)`` mapping gives ``path``; the first match wins."""
    for pattern, domain in config.domains:
        if glob_matches(pattern, path):
            return domain
    return None


def domain_of(resource: Resource, unit: LoadedUnit, config: LoadConfig) -> str | None:
    """The domain of one resource of ``unit``, by the precedence in the module docstring."""
    mapped = mapped_domain(config, unit.path)
    if mapped:
        return mapped
    if config.domain_resolver is not None:
        resolved = config.domain_resolver(resource)
        if resolved:
            return str(resolved)
    tagged = (
        resource.tag_map.get(config.domain_tag) or unit.tags.get(config.domain_tag) or unit.inherited_tags.get(config.domain_tag)
    )
    if tagged:
        return tagged
    if config.domain_path:
        from_path = domain_from_path(config.domain_path, unit.path)
        if from_path:
            return from_path
    return resource.domain


def assign_domains(units: Iterable[LoadedUnit], config: LoadConfig) -> list[LoadedUnit]:
    """Fill ``Resource.domain`` for every resource of every unit (in place; returns the units).

    The same answer as :func:`domain_of` for each resource, but what depends on the unit only (the
    mapping, its stack tags, the path convention) is worked out once per unit: 200 units of 50
    resources asked it 10,000 times (a glob, a regex built and a tag dict made for each resource).

    >>> from .model import Location
    >>> unit = LoadedUnit("orders", "cloudformation", "services/orders/template.yaml")
    >>> unit.resources = [Resource("orders", "Queue", "AWS::SQS::Queue", "queue", Location(unit.path, 3))]
    >>> [r.domain for r in assign_domains([unit], LoadConfig(domain_path="services/{domain}/**"))[0].resources]
    ['orders']
    """
    result = []
    for unit in units:
        if unit.resources:
            unit.resources = with_domains(unit, config)
        result.append(unit)
    return result


def with_domains(unit: LoadedUnit, config: LoadConfig) -> list[Resource]:
    """The resources of ``unit`` with their domains, :func:`domain_of`'s precedence with the unit's part asked once."""
    mapped = mapped_domain(config, unit.path)
    if mapped:
        return [
            resource if resource.domain == mapped else dataclasses.replace(resource, domain=mapped) for resource in unit.resources
        ]
    key = config.domain_tag
    # below the hook and a resource's own tag, every resource of the unit falls back to the same answer
    fallback = (
        unit.tags.get(key)
        or unit.inherited_tags.get(key)
        or (domain_from_path(config.domain_path, unit.path) if config.domain_path else None)
    )
    resolver = config.domain_resolver
    resources: list[Resource] = []
    for resource in unit.resources:
        if resolver is None and not fallback and not resource.tags:
            resources.append(resource)  # nothing to say: it keeps the loader's domain
            continue
        resolved = resolver(resource) if resolver is not None else None
        domain = str(resolved) if resolved else (_last_tag(resource.tags, key) or fallback or resource.domain)
        resources.append(dataclasses.replace(resource, domain=domain) if domain != resource.domain else resource)
    return resources


def _last_tag(tags: tuple[tuple[str, str], ...], key: str) -> str | None:
    """``dict(tags).get(key)`` without building the dict: the last pair of that key wins."""
    for name, value in reversed(tags):
        if name == key:
            return value
    return None


def unit_domains(resources: Iterable[Resource]) -> frozenset[str]:
    """The set of domains the resources of a unit belong to."""
    return frozenset(resource.domain for resource in resources if resource.domain)
