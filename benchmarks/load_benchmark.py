"""Load the whole shared corpus and compare with a bare libyaml parse of the same files.

    python benchmarks/load_benchmark.py [CORPUS]

Prints seconds for: a bare ``yaml.CSafeLoader`` parse (unknown tags ignored),
our line-aware parse alone, and the full ``load()`` (discovery, every reader,
linking), with the ratios to the bare parse.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

import yaml

from pytest_serverless_arch import load
from pytest_serverless_arch.discover import TEMPLATE_SUFFIXES, _walk
from pytest_serverless_arch.parse import ParseError, decode_bytes, parse_text


class _BareLoader(yaml.CSafeLoader):  # type: ignore[misc]
    pass


_BareLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def template_files(root: Path) -> list[Path]:
    files = []
    for directory, names in _walk(root, root, (), []):
        files += [directory / name for name in names if Path(name).suffix.lower() in TEMPLATE_SUFFIXES]
    return files


def best_of(runs: int, action) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    if not root.is_dir():
        print(f"no corpus at {root}")
        return 1
    files = template_files(root)
    contents = [path.read_bytes() for path in files]

    def bare() -> None:
        for data in contents:
            with contextlib.suppress(yaml.YAMLError):
                yaml.load(data, Loader=_BareLoader)

    def ours() -> None:
        for data in contents:
            with contextlib.suppress(ParseError):
                parse_text(decode_bytes(data))

    graph = load(root)
    bare_seconds = best_of(3, bare)
    parse_seconds = best_of(3, ours)
    load_seconds = best_of(3, lambda: load(root))
    # The same files as the bare parse: Terraform (HCL, parsed by tree-sitter-hcl) left out.
    templates_seconds = best_of(3, lambda: load(root, ignore=("*.tf",)))
    print(f"{len(files)} files, {sum(map(len, contents)) / 1e6:.1f} MB; {graph.summary()}")
    print(f"bare CSafeLoader parse : {bare_seconds:6.2f} s  (1.00x)")
    print(f"line-aware parse       : {parse_seconds:6.2f} s  ({parse_seconds / bare_seconds:.2f}x)")
    print(f"load() without .tf     : {templates_seconds:6.2f} s  ({templates_seconds / bare_seconds:.2f}x)")
    print(f"full load() with .tf   : {load_seconds:6.2f} s  ({load_seconds / bare_seconds:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
