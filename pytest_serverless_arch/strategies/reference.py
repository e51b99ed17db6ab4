"""What each built-in rule must find in a topology, computed on the abstract model alone.

These are the small reference implementations property tests compare the
real rules against (``rule(load(write(t)))`` against ``expected_...(t)``).
Each returns plain tuples of names, so a test turns the real violations into
the same shape and compares.

>>> from pytest_serverless_arch.strategies import Topology, TopologyUnit, TopologyFunction, TopologyTrigger
>>> t = Topology(units=(TopologyUnit("a"), TopologyUnit("b")), functions=(TopologyFunction("Fn0", "b"),),
...              triggers=(TopologyTrigger("Queue0", "queue", "a", "Fn0"),))
>>> expected_trigger_colocated(t)
[('b', 'Fn0', 'a')]
"""

from __future__ import annotations

import itertools

from .topology import DATA_STORE_KINDS, Topology

__all__ = [
    "expected_no_cross_domain_access",
    "expected_no_function_placeholders",
    "expected_no_unit_cycles",
    "expected_single_domain_units",
    "expected_trigger_colocated",
]


def expected_trigger_colocated(topology: Topology) -> list[tuple[str, str, str]]:
    """``(function unit, function, source unit)`` for each trigger whose source is in another unit."""
    return sorted((topology.unit_of(t.function), t.function, t.unit) for t in topology.cross_unit_triggers())


def expected_single_domain_units(topology: Topology) -> list[str]:
    """The units whose resources carry two or more domains."""
    return sorted(unit.name for unit in topology.units if len(topology.domains_of(unit.name)) > 1)


def expected_no_unit_cycles(topology: Topology) -> list[frozenset[str]]:
    """The unit sets of each elementary cycle of unit dependencies (every pair, triple... that loops)."""
    dependencies = topology.unit_dependencies()
    names = sorted(unit.name for unit in topology.units)
    cycles = set()
    # Units are few (a handful), so trying every ordering of every subset is cheap and obviously right.
    for size in range(2, len(names) + 1):
        for subset in itertools.combinations(names, size):
            first, rest = subset[0], subset[1:]
            for order in itertools.permutations(rest):
                ring = (first, *order)
                if all((ring[i], ring[(i + 1) % size]) in dependencies for i in range(size)):
                    cycles.add((frozenset(ring), ring))
    return sorted((units for units, _ in cycles), key=sorted)


def expected_no_function_placeholders(topology: Topology) -> list[str]:
    """Functions whose code comes from outside their unit.

    A trigger another unit wires (its mapping, subscription, permission) is ``trigger-colocated``'s
    finding, never this rule's (issue 12, defect 5).
    """
    return sorted(f.name for f in topology.functions if f.placeholder)


def expected_no_cross_domain_access(topology: Topology) -> list[tuple[str, str]]:
    """``(function, store)`` for each access to a data store of another domain (both domains known)."""
    found = []
    for access in topology.accesses:
        function = topology.function(access.function)
        store = topology.store(access.store)
        if store.kind not in DATA_STORE_KINDS or not function.domain or not store.domain:
            continue
        if function.domain != store.domain:
            found.append((function.name, store.name))
    return sorted(found)
