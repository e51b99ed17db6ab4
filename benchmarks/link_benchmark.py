"""How long linking takes on a large repository, against how long loading it takes.

Writes 200 CloudFormation units to a temporary directory: each exports ten
queues and has ten functions, each triggered by a queue another (earlier) unit
exports, so the repository has 2,000 cross-unit import links and triggers.
Then it times discovery + loading, linking (``build_graph``) and the queries
that walk every link (``cross_unit_links``, ``deploy_order``).

    python benchmarks/link_benchmark.py [--units 200] [--links-per-unit 10]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.discover import discover
from pytest_serverless_arch.domains import assign_domains
from pytest_serverless_arch.link import build_graph
from pytest_serverless_arch.loading import load_units


def unit_template(index: int, per_unit: int, providers: list[int]) -> str:
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Resources:"]
    for number in range(per_unit):
        lines += [
            f"  Queue{number}:",
            "    Type: AWS::SQS::Queue",
            "    Properties:",
            f"      QueueName: unit{index}-queue{number}",
        ]
    for number, provider in enumerate(providers):
        lines += [
            f"  Function{number}:",
            "    Type: AWS::Lambda::Function",
            "    Properties:",
            "      Runtime: python3.12",
            "      Handler: app.handler",
            f"      Role: arn:aws:iam::123456789012:role/unit{index}",
            '      Code: {ZipFile: "def handler(event, context): pass"}',
            f"  Mapping{number}:",
            "    Type: AWS::Lambda::EventSourceMapping",
            "    Properties:",
            f"      FunctionName: !Ref Function{number}",
            f"      EventSourceArn: !ImportValue unit{provider}-Queue{number % per_unit}Arn",
        ]
    lines.append("Outputs:")
    for number in range(per_unit):
        lines += [
            f"  Queue{number}Arn:",
            f"    Value: !GetAtt Queue{number}.Arn",
            "    Export:",
            f"      Name: !Sub '${{AWS::StackName}}-Queue{number}Arn'",
        ]
    return "\n".join(lines) + "\n"


def write_repository(root: Path, units: int, per_unit: int, seed: int = 4) -> int:
    """Write the units; unit ``i`` imports only from units ``< i``, so the deploy order exists.

    The first unit can import from nobody, so the last one takes its share: ``units * per_unit`` links.
    """
    rng = random.Random(seed)
    links = 0
    for index in range(units):
        count = 0 if index == 0 else per_unit * (2 if index == units - 1 else 1)
        providers = [rng.randrange(index) for _ in range(count)]
        links += len(providers)
        directory = root / f"unit{index:03d}"
        directory.mkdir()
        (directory / "template.yaml").write_text(unit_template(index, per_unit, providers))
        (directory / "samconfig.toml").write_text(f'version = 0.1\n[default.deploy.parameters]\nstack_name = "unit{index}"\n')
    return links


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--links-per-unit", type=int, default=10)
    args = parser.parse_args(argv)
    config = LoadConfig()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory).resolve()
        expected = write_repository(root, args.units, args.links_per_unit)
        started = time.perf_counter()
        discovery = discover([root], root, config)
        units = assign_domains(load_units(discovery, config), config)
        loaded = time.perf_counter()
        graph = build_graph(units, root=str(root), config=config, errors=discovery.errors)
        linked = time.perf_counter()
        links = graph.cross_unit_links()
        order = graph.deploy_order()
        queried = time.perf_counter()
    load_seconds, link_seconds, query_seconds = loaded - started, linked - loaded, queried - linked
    cross_triggers = sum(trigger.cross_unit for trigger in graph.trigger_edges())
    print(
        f"{len(graph)} units, {len(links)} cross-unit links ({expected} imports written), "
        f"{cross_triggers} cross-unit triggers, {len(order or [])} deploy waves, {len(graph.errors)} load errors"
    )
    print(f"load (discover + read):   {load_seconds:.3f} s")
    print(f"link (build_graph):       {link_seconds:.3f} s  ({link_seconds / load_seconds:.2f} x loading)")
    print(f"query (links + order):    {query_seconds:.3f} s")
    if len(links) != expected or graph.errors:
        print("unexpected: every written import should be one link, with no load error", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
