"""direct_init builds the same frozen dataclass instances as the generated __init__, only faster."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch.frozen import direct_init
from pytest_serverless_arch.loaders.terraform.hcl_model import Attribute, Block
from pytest_serverless_arch.model import Edge, Location, Resource

from .hypothesis_support import property_settings


@dataclass(frozen=True, order=True)
class Generated:
    path: str
    line: int = 0
    notes: list[str] = field(default_factory=list)
    hidden: str = field(default="x", repr=False, compare=False)


@direct_init
@dataclass(frozen=True, order=True)
class Direct:
    path: str
    line: int = 0
    notes: list[str] = field(default_factory=list)
    hidden: str = field(default="x", repr=False, compare=False)


def _fields(instance: Any) -> dict[str, Any]:
    return {item.name: getattr(instance, item.name) for item in dataclasses.fields(instance)}


@property_settings
@given(
    path=st.text(max_size=5),
    line=st.one_of(st.none(), st.integers()),
    notes=st.one_of(st.none(), st.lists(st.text(max_size=3), max_size=2)),
    by_keyword=st.booleans(),
)
def test_an_instance_holds_what_the_generated_init_gives_it(
    path: str, line: int | None, notes: list[str] | None, by_keyword: bool
) -> None:
    given_ = {"line": line, "notes": notes}
    keywords = {name: value for name, value in given_.items() if value is not None}
    if by_keyword:
        generated, direct = Generated(path=path, **keywords), Direct(path=path, **keywords)
    else:
        arguments = [path] + ([line] if line is not None else []) + ([notes] if line is not None and notes is not None else [])
        generated, direct = Generated(*arguments), Direct(*arguments)
    assert _fields(direct) == _fields(generated)
    assert vars(direct) == vars(generated)
    assert repr(direct).replace("Direct", "Generated") == repr(generated)


def test_a_direct_instance_is_still_frozen_equal_hashable_ordered_picklable_and_replaceable() -> None:
    first, second = Direct("a.yaml", 3), Direct("a.yaml", 3)
    assert first == second and first.notes is not second.notes  # each gets a list of its own
    assert first < Direct("b.yaml") and hash(Location("a.yaml", 3)) == hash(Location("a.yaml", 3))
    with pytest.raises(FrozenInstanceError):
        first.line = 4  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(Location("a.yaml", 3, 2))) == Location("a.yaml", 3, 2)
    assert dataclasses.replace(first, line=9) == Direct("a.yaml", 9)


@pytest.mark.parametrize("cls", [Location, Edge, Resource, Attribute, Block])
def test_the_models_classes_keep_the_signature_of_their_fields(cls: type) -> None:
    parameters = inspect.signature(cls).parameters
    assert [name for name in parameters] == [item.name for item in dataclasses.fields(cls)]
    defaults = {item.name: item.default for item in dataclasses.fields(cls) if item.default is not dataclasses.MISSING}
    assert {
        name: p.default for name, p in parameters.items() if p.default is not inspect.Parameter.empty and name in defaults
    } == defaults


def test_a_resource_built_positionally_and_by_keyword_is_the_same_resource() -> None:
    location = Location("t.yaml", 4)
    positional = Resource("shop", "Queue", "AWS::SQS::Queue", "queue", location, "Queue", "orders")
    keywords = Resource(
        unit="shop",
        logical_id="Queue",
        type="AWS::SQS::Queue",
        kind="queue",
        location=location,
        name="Queue",
        physical_name="orders",
    )
    assert positional == keywords and vars(positional) == vars(keywords)
    assert positional.tags == () and positional.suppressions == () and positional.implicit is False
    assert Block("resource", ("a", "b"), 1, "main.tf").attributes == {}


def test_what_direct_init_cannot_build_exactly_is_refused_when_the_class_is_defined() -> None:
    @dataclass
    class Mutable:
        a: int

    @dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    @dataclass(frozen=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True, kw_only=True)
    class KeywordsOnly:
        a: int

    @dataclass(frozen=True)
    class Derived:
        a: int
        b: int = field(default=0, init=False)

    @dataclass(frozen=True)
    class InitOnly:
        a: int
        b: dataclasses.InitVar[int] = 0

    @dataclass(frozen=True)
    class Itself:
        self: int

    for cls in (Mutable, Slotted, Checked, KeywordsOnly, Derived, InitOnly, Itself):
        with pytest.raises(TypeError):
            direct_init(cls)
