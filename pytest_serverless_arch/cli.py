"""``python -m pytest_serverless_arch report PATH [--format json|text]`` and ``... contracts [PATH]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .config import LoadConfig
from .loading import load
from .report import build_report, render_json, render_text

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_serverless_arch",
        description="Deployment graph and architecture rules for serverless repositories.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="load a repository and print its deployment report")
    report.add_argument("path", nargs="?", default=".", help="repository root (default: current directory)")
    report.add_argument("--format", choices=("json", "text"), default="json", help="output format (default: json)")
    report.add_argument("--stage", default=None, help="serverless stage (default: provider.stage or dev)")
    report.add_argument("--region", default=None, help="AWS region (default: from samconfig/provider or us-east-1)")
    report.add_argument("--ignore", action="append", default=[], metavar="GLOB", help="skip paths matching GLOB (repeatable)")
    report.add_argument("--domain-tag", default="domain", help="tag key that names a resource's domain (default: domain)")
    report.add_argument(
        "--external",
        action="append",
        default=[],
        metavar="GLOB",
        help="names provided from outside the repository (exports, SSM names, stacks); repeatable (default: none)",
    )
    report.add_argument(
        "--fail-on-errors", action="store_true", help="exit with status 1 when a template could not be read (default: exit 0)"
    )
    contracts = commands.add_parser(
        "contracts", help="check the contracts declared in the repository's configuration and print each verdict"
    )
    contracts.add_argument(
        "path", nargs="?", default=".", help="a path in the repository; its configuration is found upward (default: .)"
    )
    contracts.add_argument("--stage", default=None, help="serverless stage (default: provider.stage or dev)")
    contracts.add_argument("--region", default=None, help="AWS region (default: from samconfig/provider or us-east-1)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "contracts":
        from .contracts.command import run_contracts

        return run_contracts(args.path, LoadConfig(stage=args.stage, region=args.region))
    config = LoadConfig(
        stage=args.stage,
        region=args.region,
        ignore=tuple(args.ignore),
        domain_tag=args.domain_tag,
        external=tuple(args.external),
    )
    graph = load(args.path, root=args.path, config=config)
    report = build_report(graph)
    output = render_json(report) if args.format == "json" else render_text(report)
    sys.stdout.write(output)
    return 1 if args.fail_on_errors and report["errors"] else 0
