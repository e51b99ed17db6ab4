"""Hypothesis strategies for serverless topologies.

Draw an abstract :class:`Topology` (units, functions, triggers, stores,
domains, cross-unit links), render it as real CloudFormation, SAM and
serverless.yml files with ``topology.write(directory)``, load it, and check
that a rule or the classifier says what the topology says it should.

>>> from hypothesis import given
>>> from pytest_serverless_arch.strategies import topologies
>>> @given(topologies(pattern="trigger-grouped", max_units=3))
... def test_every_trigger_ships_with_its_function(topology):
...     assert not topology.cross_unit_triggers()

The plugin never imports this module: hypothesis is needed only by those who use it.
"""

from .generate import DEFAULT_DOMAINS, functions, topologies, triggers, units
from .mutate import MUTATION_KINDS, GraphMutation, from_graph
from .topology import (
    FORMATS,
    LINK_KINDS,
    PATTERNS,
    SYNTAXES,
    TRIGGER_KINDS,
    Access,
    EventBus,
    Function,
    Link,
    Pipeline,
    Store,
    Topology,
    TopologyAccess,
    TopologyEventBus,
    TopologyFunction,
    TopologyLink,
    TopologyPipeline,
    TopologyStore,
    TopologyTrigger,
    TopologyUnit,
    Trigger,
    Unit,
)

__all__ = [
    "DEFAULT_DOMAINS",
    "FORMATS",
    "LINK_KINDS",
    "MUTATION_KINDS",
    "PATTERNS",
    "SYNTAXES",
    "TRIGGER_KINDS",
    "Access",
    "EventBus",
    "Function",
    "GraphMutation",
    "Link",
    "Pipeline",
    "Store",
    "Topology",
    "TopologyAccess",
    "TopologyEventBus",
    "TopologyFunction",
    "TopologyLink",
    "TopologyPipeline",
    "TopologyStore",
    "TopologyTrigger",
    "TopologyUnit",
    "Trigger",
    "Unit",
    "from_graph",
    "functions",
    "topologies",
    "triggers",
    "units",
]
