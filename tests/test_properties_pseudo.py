"""Properties of pseudo-parameters across units (issue 12, defect 8).

A repository names queues and ARNs with its region and account left to
pseudo-parameters, in every spelling real ones use (``!Sub``, ``!Join`` with
``!Ref AWS::Region``, serverless ``${aws:region}``, ``#{AWS::Region}`` of
serverless-pseudo-parameters); a samconfig, ``provider.region`` or the
configuration may give a region, the configuration an account. Then:

- nothing shown (node ids, physical names, edge ends, link details, notes, the
  JSON and text reports) holds an account or region nobody gave;
- every ARN names the queue of exactly that name in the other unit when the
  regions given do not contradict each other, and an external node otherwise;
  never a queue whose name merely extends it (``orders`` vs ``orders-dlq``).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.report import build_report, render_json, render_text

from .hypothesis_support import property_settings

REGIONS = ("eu-west-1", "ap-southeast-2", "us-west-2")
ACCOUNT = "444455556666"
QUEUE_NAMES = ("orders", "orders-dlq", "payments", "payments-events")
NAME_SUFFIXES = ("", "-${AWS::Region}", "-${AWS::AccountId}", "-${AWS::AccountId}-${AWS::Region}")
SPELLINGS = {
    "sam": ("sub", "sub-partition", "join"),
    "serverless": ("aws-variables", "pseudo-plugin", "cloudformation-sub"),
}
# Region- and account-shaped tokens in what is shown.
REGION_TOKEN = re.compile(r"\b[a-z]{2}-[a-z]+-\d\b")
ACCOUNT_TOKEN = re.compile(r"(?<!\d)\d{12}(?!\d)")


@dataclass(frozen=True)
class Repository:
    queues: tuple[tuple[str, str], ...]  # (base name, suffix), in the provider unit
    provider_region: str | None  # its samconfig's region
    consumer_format: str
    consumer_region: str | None  # samconfig region or provider.region
    spelling: str
    referenced: tuple[str, ...]  # base names the consumer names by ARN
    region: str | None  # configured
    account_id: str | None  # configured

    def given_regions(self) -> set[str]:
        return {region for region in (self.provider_region, self.consumer_region, self.region) if region}

    def linked(self) -> bool:
        """Whether the consumer's ARNs name the provider's queues: the regions given agree (or one is unknown)."""
        if self.spelling == "pseudo-plugin":
            return True  # the plugin's placeholder is kept as written: a wildcard whatever region is given
        provider = self.provider_region or self.region
        consumer = self.consumer_region or self.region
        return provider is None or consumer is None or provider == consumer


@st.composite
def repositories(draw: st.DrawFn) -> Repository:
    names = draw(st.lists(st.sampled_from(QUEUE_NAMES), min_size=1, max_size=3, unique=True))
    queues = tuple((name, draw(st.sampled_from(NAME_SUFFIXES))) for name in names)
    consumer_format = draw(st.sampled_from(sorted(SPELLINGS)))
    provider_region = draw(st.none() | st.sampled_from(REGIONS))
    consumer_region = draw(st.none() | st.sampled_from(REGIONS))
    # a configured region only where no unit gives one: which one wins is another matter
    region = draw(st.none() | st.sampled_from(REGIONS)) if provider_region is None and consumer_region is None else None
    return Repository(
        queues=queues,
        provider_region=provider_region,
        consumer_format=consumer_format,
        consumer_region=consumer_region,
        spelling=draw(st.sampled_from(SPELLINGS[consumer_format])),
        referenced=tuple(draw(st.lists(st.sampled_from(names), min_size=1, unique=True))),
        region=region,
        account_id=draw(st.none() | st.just(ACCOUNT)),
    )


def _samconfig(stack: str, region: str | None) -> str:
    return f'version = 0.1\n[default.deploy.parameters]\nstack_name = "{stack}"\n' + (f'region = "{region}"\n' if region else "")


def _consumer_value(repository: Repository, name: str) -> str:
    """The YAML value naming queue ``name`` by ARN, in the repository's spelling."""
    spelling = repository.spelling
    if spelling == "sub":
        return f"!Sub arn:aws:sqs:${{AWS::Region}}:${{AWS::AccountId}}:{name}"
    if spelling == "sub-partition":
        return f"!Sub arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:${{AWS::AccountId}}:{name}"
    if spelling == "join":
        return f'!Join [":", [arn, !Ref AWS::Partition, sqs, !Ref AWS::Region, !Ref AWS::AccountId, !Sub "{name}"]]'
    if spelling == "aws-variables":
        name = name.replace("${AWS::Region}", "${aws:region}").replace("${AWS::AccountId}", "${aws:accountId}")
        return f"arn:aws:sqs:${{aws:region}}:${{aws:accountId}}:{name}"
    if spelling == "pseudo-plugin":
        return f"arn:aws:sqs:#{{AWS::Region}}:#{{AWS::AccountId}}:{name.replace('${', '#{')}"
    return f'{{"Fn::Sub": "arn:aws:sqs:${{AWS::Region}}:${{AWS::AccountId}}:{name}"}}'


def write(repository: Repository, root: Path) -> None:
    (root / "provider").mkdir()
    queues = "".join(
        f"  Queue{index}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub {name}{suffix}\n"
        for index, (name, suffix) in enumerate(repository.queues)
    )
    (root / "provider" / "template.yaml").write_text("Resources:\n" + queues)
    (root / "provider" / "samconfig.toml").write_text(_samconfig("provider", repository.provider_region))
    suffixes = dict(repository.queues)
    variables = "".join(
        f"        Q{index}: {_consumer_value(repository, name + suffixes[name])}\n"
        for index, name in enumerate(repository.referenced)
    )
    (root / "consumer").mkdir()
    if repository.consumer_format == "sam":
        (root / "consumer" / "template.yaml").write_text(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
            "    Properties:\n      Handler: h.handler\n      Runtime: python3.12\n      CodeUri: src/\n"
            "      Environment:\n        Variables:\n" + variables.replace("        Q", "          Q")
        )
        (root / "consumer" / "samconfig.toml").write_text(_samconfig("consumer", repository.consumer_region))
    else:
        region = f"  region: {repository.consumer_region}\n" if repository.consumer_region else ""
        plugins = "plugins:\n  - serverless-pseudo-parameters\n" if repository.spelling == "pseudo-plugin" else ""
        (root / "consumer" / "serverless.yml").write_text(
            f"service: consumer\n{plugins}provider:\n  name: aws\n  runtime: python3.12\n{region}"
            "functions:\n  fn:\n    handler: h.handler\n    environment:\n" + variables.replace("        Q", "      Q")
        )


@property_settings
@given(repositories())
def test_pseudo_parameters_stay_symbolic_in_everything_shown_and_match_the_queue_of_that_name(repository):
    with tempfile.TemporaryDirectory(prefix="pseudo-") as directory:
        root = Path(directory)
        write(repository, root)
        graph = load(root, region=repository.region, account_id=repository.account_id)
    assert graph.errors == []
    report = build_report(graph)
    shown = [
        render_json(report),
        render_text(report, verbose=True),
        *graph.to_networkx().nodes,
        *(resource.physical_name or "" for resource in graph.resources()),
        *(f"{edge.source} {edge.target}" for edge in graph.edges()),
        *(link.detail for link in graph.cross_unit_links()),
        *(str(note) for note in graph.notes),
    ]
    for text in shown:
        assert set(REGION_TOKEN.findall(text)) <= repository.given_regions(), text
        assert set(ACCOUNT_TOKEN.findall(text)) <= ({repository.account_id} - {None}), text

    function = "consumer:Fn" if repository.consumer_format == "sam" else "consumer-dev:fn"
    targets = sorted(edge.target for edge in graph.edges_from(function, "accesses"))
    index_of = {name: index for index, (name, _) in enumerate(repository.queues)}
    if repository.linked():
        assert targets == sorted(f"provider:Queue{index_of[name]}" for name in repository.referenced)
        assert sorted(link.target for link in graph.cross_unit_links()) == targets
    else:
        assert len(targets) == len(repository.referenced)
        assert all(target.startswith("external:arn:arn:aws:sqs:") for target in targets)
        assert graph.cross_unit_links() == []
