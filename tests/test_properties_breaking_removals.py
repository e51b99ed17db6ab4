"""Property: removing a provider someone reads always breaks; removing one nobody reads never does.

A drawn topology is rendered as real templates and loaded (the graph "at the
ref"); then one provider is removed from the files and the repository loaded
again (the head). Which providers are read is known from the abstract
topology, not from the loader.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.rules import breaking_removals
from pytest_serverless_arch.strategies import topologies
from pytest_serverless_arch.strategies.render import export_name, ssm_name

from .hypothesis_support import property_settings

# Links through a name one unit provides to another (an ARN written out names no provider).
NAMED_LINKS = st.sampled_from(["imports", "ssm_parameter", "stack_output", "compose_param"])


def provided_token(kind: str, provider: str, target: str) -> str:
    """The text in the provider's template that provides what a ``kind`` link reads."""
    if kind == "imports":
        return export_name(provider, target)
    if kind == "ssm_parameter":
        return ssm_name(provider, target)
    return f"{target}Arn"  # the output ``${cf:..}`` and compose params read


def template_of(root: Path, unit_path: str) -> Path:
    (found,) = [path for path in (root / unit_path).iterdir() if path.name.split(".")[0] in ("template", "serverless")]
    return found


@property_settings
@given(topologies(min_units=2, cross_unit_links=NAMED_LINKS), st.data())
def test_removing_a_provider_that_a_unit_reads_always_breaks(topology, data) -> None:
    links = sorted(topology.links(), key=lambda link: (link.kind, link.from_unit, link.to_unit, link.target))
    links = [link for link in links if link.kind != "name_reference"]
    assume(links)
    link = data.draw(st.sampled_from(links), label="the link whose provider is removed")
    token = provided_token(link.kind, link.to_unit, link.target)
    with tempfile.TemporaryDirectory(prefix="ref-") as ref, tempfile.TemporaryDirectory(prefix="head-") as head:
        topology.write(ref)
        shutil.copytree(ref, head, dirs_exist_ok=True)
        provider = template_of(Path(head), topology.unit(link.to_unit).path)
        text = provider.read_text()
        assert token in text
        provider.write_text(text.replace(token, token.replace("rn", "rnGone")))
        found = breaking_removals(load(ref), load(head))
    assert any(
        violation.rule == "no-breaking-removals" and f"{token}'" in violation.message and "still reads it" in violation.message
        for violation in found
    ), [str(violation) for violation in found]


@property_settings
@given(
    topologies(min_units=1, cross_unit_links=NAMED_LINKS),
    st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=3, unique=True),
)
def test_removing_a_provider_no_unit_reads_never_breaks(topology, names) -> None:
    outputs = "".join(
        f"  Unread{index}:\n    Value: unread\n    Export:\n      Name: unread-{name}-arn\n" for index, name in enumerate(names)
    )
    parameters = "".join(
        f"  Unread{index}Parameter:\n    Type: AWS::SSM::Parameter\n    Properties:\n"
        f"      Name: /unread/{name}/arn\n      Type: String\n      Value: unread\n"
        for index, name in enumerate(names)
    )
    unread = f'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n{parameters}Outputs:\n{outputs}'
    with tempfile.TemporaryDirectory(prefix="ref-") as ref, tempfile.TemporaryDirectory(prefix="head-") as head:
        topology.write(ref)
        topology.write(head)
        (Path(ref) / "zz-unread").mkdir()
        (Path(ref) / "zz-unread" / "template.yaml").write_text(unread)
        before = load(ref)
        assert {p.name for p in before.provided_names() if p.unit == "zz-unread" and p.kind != "output"} == {
            *(f"unread-{name}-arn" for name in names),
            *(f"/unread/{name}/arn" for name in names),
        }
        assert breaking_removals(before, load(head)) == []
