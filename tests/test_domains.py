"""Domains: explicit mapping > hook > resource tag > stack tag > path convention."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import LoadConfig, load
from pytest_serverless_arch.domains import assign_domains, domain_from_path, domain_of
from pytest_serverless_arch.model import LoadedUnit, Location, Resource

TEMPLATE = """\
Resources:
  Queue:
    Type: AWS::SQS::Queue
  TaggedTable:
    Type: AWS::DynamoDB::Table
    Properties:
      Tags:
        - Key: domain
          Value: billing
"""


def make_repo(root: Path, *, stack_tags: str | None = None) -> Path:
    unit = root / "services" / "orders"
    unit.mkdir(parents=True)
    (unit / "template.yaml").write_text(TEMPLATE)
    config = '[default.deploy.parameters]\nstack_name = "orders"\n'
    if stack_tags:
        config += f"tags = {stack_tags!r}\n"
    (unit / "samconfig.toml").write_text("version = 0.1\n\n" + config)
    return root


def domains(root: Path, **options: object) -> dict[str, str | None]:
    graph = load(root, **options)
    return {resource.logical_id: resource.domain for resource in graph.resources()}


def test_the_path_convention_names_the_domain_when_nothing_else_does(tmp_path):
    assert domains(make_repo(tmp_path), domain_path="services/{domain}/**") == {"Queue": "orders", "TaggedTable": "billing"}


def test_a_stack_tag_wins_over_the_path_and_a_resource_tag_over_the_stack_tag(tmp_path):
    repo = make_repo(tmp_path, stack_tags='domain="shop" team="checkout"')
    assert domains(repo, domain_path="services/{domain}/**") == {"Queue": "shop", "TaggedTable": "billing"}


def test_the_tag_key_is_configurable(tmp_path):
    repo = make_repo(tmp_path, stack_tags='team="checkout"')
    assert domains(repo, domain_tag="team") == {"Queue": "checkout", "TaggedTable": "checkout"}


def test_a_hook_override_wins_over_tags_and_none_falls_through(tmp_path):
    def resolver(resource: Resource) -> str | None:
        return "catalog" if resource.kind == "queue" else None

    repo = make_repo(tmp_path, stack_tags='domain="shop"')
    assert domains(repo, domain_resolver=resolver) == {"Queue": "catalog", "TaggedTable": "billing"}


def test_an_explicit_mapping_of_path_globs_wins_over_everything(tmp_path):
    repo = make_repo(tmp_path, stack_tags='domain="shop"')
    assert domains(repo, domains=[("services/orders/**", "sales")], domain_resolver=lambda resource: "catalog") == {
        "Queue": "sales",
        "TaggedTable": "sales",
    }


def test_a_unit_has_the_set_of_its_resources_domains(tmp_path):
    graph = load(make_repo(tmp_path), domain_path="services/{domain}/**")
    unit = graph.unit("orders")
    assert (unit.domains, unit.domain) == (frozenset({"orders", "billing"}), None)


def test_a_unit_of_one_domain_is_that_domain(tmp_path):
    graph = load(make_repo(tmp_path, stack_tags='domain="shop"'), domains=[("services/**", "shop")])
    unit = graph.unit("orders")
    assert (unit.domains, unit.domain) == (frozenset({"shop"}), "shop")
    assert [function.id for function in graph.functions(domain="shop")] == []
    assert len(graph.resources(domain="shop")) == 2


def test_a_repository_without_domain_information_has_no_domains(tmp_path):
    (tmp_path / "template.yaml").write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n")
    graph = load(tmp_path)
    assert graph.resource(f"{tmp_path.name}:Queue").domain is None
    assert graph.unit(tmp_path.name).domains == frozenset()


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("services/{domain}/**", "services/orders/template.yaml", "orders"),
        ("services/{domain}/**", "services/orders/api/serverless.yml", "orders"),
        ("services/{domain}/**", "infra/template.yaml", None),
        ("*/{domain}/*", "apps/payments/template.yaml", "payments"),
        ("{domain}-stack/**", "inventory-stack/template.yaml", "inventory"),
        ("services/**", "services/orders/template.yaml", None),  # no {domain}: no answer
    ],
)
def test_the_path_convention_reads_the_domain_segment(pattern, path, expected):
    assert domain_from_path(pattern, path) == expected


segment = st.from_regex(r"[a-z][a-z0-9_-]{0,15}", fullmatch=True)


@given(domain=segment, rest=st.lists(segment, min_size=1, max_size=3))
def test_the_path_convention_gives_back_the_segment_it_was_built_with(domain, rest):
    assert domain_from_path("services/{domain}/**", "/".join(["services", domain, *rest])) == domain


def test_the_resolver_is_not_part_of_config_equality():
    assert LoadConfig(domain_resolver=lambda resource: None) == LoadConfig()


def test_sam_globals_tags_count_as_stack_tags_below_samconfig_tags(tmp_path):
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Globals:\n"
        "  Function:\n"
        "    Tags:\n"
        "      domain: kitchen\n"
        "Resources:\n"
        "  Orders:\n"
        "    Type: AWS::SQS::Queue\n"
    )
    assert domains(tmp_path) == {"Orders": "kitchen"}
    (tmp_path / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nstack_name = "k"\ntags = "domain=\\"delivery\\""\n'
    )
    assert domains(tmp_path) == {"Orders": "delivery"}


_NAMES = st.sampled_from(["", "orders", "billing", "0"])
_TAGS = st.lists(st.tuples(st.sampled_from(["domain", "team", "Domain"]), _NAMES), max_size=3).map(tuple)


@st.composite
def _units_and_configs(draw: st.DrawFn) -> tuple[list[LoadedUnit], LoadConfig]:
    units = []
    for index in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(["services/orders/template.yaml", "billing/x/serverless.yml", "t.yaml"]))
        unit = LoadedUnit(f"u{index}", "cloudformation", path)
        unit.tags = dict(draw(_TAGS))
        unit.inherited_tags = dict(draw(_TAGS))
        unit.resources = [
            Resource(
                unit.name,
                f"R{number}",
                "AWS::SQS::Queue",
                "queue",
                Location(path, number),
                tags=draw(_TAGS),
                domain=draw(st.none() | _NAMES),
            )
            for number in range(draw(st.integers(0, 3)))
        ]
        units.append(unit)
    resolved = draw(st.dictionaries(st.sampled_from(["R0", "R1"]), st.none() | _NAMES))
    config = LoadConfig(
        domains=draw(st.sampled_from([(), (("billing/**", "payments"),), (("**/orders/*", ""),)])),
        domain_tag=draw(st.sampled_from(["domain", "team"])),
        domain_path=draw(st.sampled_from(["", "services/{domain}/**", "{domain}/**"])),
        domain_resolver=draw(st.sampled_from([None, lambda resource: resolved.get(resource.logical_id)])),
    )
    return units, config


@given(_units_and_configs())
def test_assigning_domains_unit_by_unit_gives_what_domain_of_gives_each_resource(case):
    units, config = case
    expected = [[domain_of(resource, unit, config) for resource in unit.resources] for unit in units]
    assigned = assign_domains(copy.deepcopy(units), config)
    assert [[resource.domain for resource in unit.resources] for unit in assigned] == expected
    assert [[dataclasses.replace(r, domain=None) for r in unit.resources] for unit in assigned] == [
        [dataclasses.replace(r, domain=None) for r in unit.resources] for unit in units
    ]
