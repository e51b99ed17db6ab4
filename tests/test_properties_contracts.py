"""A forbidden contract over a drawn topology fails exactly when a reference reachability, computed
here on the abstract topology alone, finds a path from a source unit to a forbidden one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch.contracts import ForbiddenContract, check_contract
from pytest_serverless_arch.strategies import Topology, topologies

from .hypothesis_support import loaded, property_settings


def unit_edges(topology: Topology, *, links_only: bool) -> set[tuple[str, str]]:
    """(unit, unit) pairs one step of a chain joins: cross-unit links; by default also the cross-unit
    triggers (source unit -> function unit) and accesses (function unit -> store unit)."""
    edges = {(link.from_unit, link.to_unit) for link in topology.links()}
    if not links_only:
        edges |= {(trigger.unit, topology.unit_of(trigger.function)) for trigger in topology.cross_unit_triggers()}
        edges |= {
            (topology.unit_of(access.function), topology.unit_of(access.store))
            for access in topology.accesses
            if topology.is_cross_unit_access(access)
        }
    return edges


def reference_reaches(edges: set[tuple[str, str]], sources: set[str], forbidden: set[str], *, transitive: bool) -> bool:
    """Whether a path of ``edges`` leads from a unit of ``sources`` to one of ``forbidden`` (one step unless transitive)."""
    if not transitive:
        return any(start in sources and end in forbidden for start, end in edges)
    seen, frontier = set(sources), list(sources)
    while frontier:
        unit = frontier.pop()
        for start, end in edges:
            if start == unit and end in forbidden:
                return True
            if start == unit and end not in seen:
                seen.add(end)
                frontier.append(end)
    return False


@st.composite
def forbidden_contracts(draw: st.DrawFn) -> tuple[Topology, set[str], set[str], bool, bool]:
    """A topology of two units or more, and two disjoint non-empty sets of its (non-empty) units."""
    topology = draw(topologies(min_units=2, max_units=4, max_functions=5).filter(lambda t: len(held_units(t)) >= 2))
    units = held_units(topology)
    sources = draw(st.sets(st.sampled_from(units), min_size=1, max_size=len(units) - 1))
    rest = [unit for unit in units if unit not in sources]
    forbidden = draw(st.sets(st.sampled_from(rest), min_size=1))
    return topology, sources, forbidden, draw(st.booleans()), draw(st.booleans())


def held_units(topology: Topology) -> list[str]:
    empty = set(topology.empty_units())
    return sorted(unit.name for unit in topology.units if unit.name not in empty)


@property_settings
@given(forbidden_contracts())
def test_a_forbidden_contract_fails_exactly_when_the_reference_finds_a_path(drawn):
    topology, sources, forbidden, transitive, links_only = drawn
    contract = ForbiddenContract(
        "drawn",
        source=tuple(sorted(sources)),
        forbidden=tuple(sorted(forbidden)),
        edges=("links",) if links_only else ("links", "triggers", "accesses", "invokes"),
        transitive=transitive,
    )
    with loaded(topology) as graph:
        violations = check_contract(contract, graph)
    expected = reference_reaches(unit_edges(topology, links_only=links_only), sources, forbidden, transitive=transitive)
    assert bool(violations) == expected, [str(violation) for violation in violations]
    for violation in violations:  # every chain starts in a source unit and ends in a forbidden one
        assert violation.units[0] in sources and violation.units[-1] in forbidden
