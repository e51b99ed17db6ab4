"""``python -m pytest_serverless_arch report PATH [--format json|text|html|mermaid|dot|sarif|markdown] [--output FILE]``
and ``... contracts [PATH]``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import LoadConfig
from .escape import printable
from .loading import load
from .report import FORMATS, build_document, render

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_serverless_arch",
        description="Deployment graph and architecture rules for serverless repositories.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="load a repository and print its deployment report")
    report.add_argument("path", nargs="?", default=".", help="repository root (default: current directory)")
    report.add_argument("--format", choices=FORMATS, default="json", help="output format (default: json)")
    report.add_argument("--output", "-o", metavar="FILE", default=None, help="write the report to FILE (default: stdout)")
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
        "--baseline",
        metavar="FILE",
        default=None,
        help="baseline of accepted findings, marked as such in sarif/markdown/html "
        "(default: PATH/.serverless-arch-baseline.json when it exists)",
    )
    report.add_argument(
        "--only-violations",
        action="store_true",
        help="mermaid/dot/markdown diagrams: only the units involved in failing violations (default: every unit)",
    )
    report.add_argument(
        "--changed",
        action="append",
        default=[],
        metavar="FILE",
        help="mermaid/dot/markdown diagrams: only the units whose template (or its directory) holds FILE; repeatable",
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
    from .baseline import Baseline, BaselineError
    from .options import DEFAULT_BASELINE

    parser = _parser()
    args = parser.parse_args(argv)
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
    baseline_path = Path(args.baseline) if args.baseline else Path(args.path) / DEFAULT_BASELINE
    try:
        baseline = Baseline.read(baseline_path)
    except BaselineError as exc:
        parser.error(str(exc))
    document = build_document(graph, baseline=baseline)
    units: set[str] | None = None
    if args.only_violations or args.changed:
        units = set()
        if args.only_violations:
            units |= document.units_in_violations()
        if args.changed:
            units |= document.units_of_paths(args.changed)
    output = render(document, args.format, units=units)
    if args.output:
        # a lone surrogate from a repository's name is written escaped, never a UnicodeEncodeError
        Path(args.output).write_text(output, encoding="utf-8", errors="backslashreplace")
    else:
        _write_to_stdout(output)
    return 1 if args.fail_on_errors and document.data["errors"] else 0


def _write_to_stdout(output: str) -> None:
    """Write a report; on a terminal, with every control character of the repository's names escaped."""
    if sys.stdout.isatty():  # an escape sequence in a logical id must not drive the terminal, whatever the format
        output = "\n".join(printable(line) for line in output.split("\n"))
    # replaced by something that is not a text stream (pytest's capture): it takes any str as it is
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    sys.stdout.write(output)
