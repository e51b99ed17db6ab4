"""tree-sitter-bash against shlex on the shell scripts of the corpus' pipeline files.

Collects every script a CI file holds (``run:``, ``script:``, ``commands:``,
``before_script:`` ... strings, and Jenkinsfile ``sh '...'`` bodies) and asks
each reader what a deploy-command reader needs: the commands, where a ``$(...)``
starts and ends, which words sit on which line. ``shlex`` is given its best
chance (``punctuation_chars=True``, one logical line at a time after joining
``\\``-continuations).

    python benchmarks/shell_readers.py [corpus/pipelines]
"""

from __future__ import annotations

import re
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from pytest_serverless_arch.parse import ParseError, parse_text
from pytest_serverless_arch.pipelines.shell import Command, Sub, parse_script

SCRIPT_KEYS = {"run", "script", "commands", "before_script", "after_script"}
JENKINS_SH = re.compile(r"""\bsh\s+(?:'''(.*?)'''|'([^'\n]*)')""", re.DOTALL)


def scripts_in(value: Any, key: str = "") -> list[str]:
    if isinstance(value, str):
        return [value] if key in SCRIPT_KEYS else []
    if isinstance(value, dict):
        return [text for k, v in value.items() for text in scripts_in(v, str(k))]
    if isinstance(value, list):
        return [text for item in value for text in scripts_in(item, key)]
    return []


def collect(root: Path) -> list[str]:
    scripts: list[str] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if path.name in ("Jenkinsfile", "expected"):
            scripts.extend(a or b for a, b in JENKINS_SH.findall(text))
        elif path.suffix in (".yml", ".yaml"):
            try:
                scripts.extend(scripts_in(parse_text(text)))
            except ParseError:
                continue
    return scripts


def with_shlex(script: str) -> tuple[int, int, int]:
    """(commands, scripts that raise, substitutions kept as one word)."""
    commands = whole = 0
    logical = script.replace("\\\n", " ")
    for line in logical.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            tokens = list(lexer)
        except ValueError:
            return commands, 1, whole
        if tokens:
            commands += 1 + sum(token in ("&&", "||", ";", "|") for token in tokens)
        whole += sum(token.startswith("$(") and token.endswith(")") for token in tokens)
    return commands, 0, whole


def with_tree_sitter(script: str) -> tuple[int, int, int]:
    """(commands, scripts with a syntax error, substitutions found as nodes).

    CI expressions (``${{ ... }}``) are not shell: the readers swap them for a token first, as here.
    """
    parsed = parse_script(re.sub(r"\$\{\{.*?\}\}", "__ci_expr__", script))
    commands = [command for command in parsed.commands if isinstance(command, Command)]
    substitutions = sum(
        isinstance(part, Sub)
        for command in commands
        for word in (*command.words, *(w for _, w in command.assignments if w is not None))
        for part in word.parts
    )
    errors = any("not understood" in message for _, message in parsed.notes)
    if errors and "-v" in sys.argv:
        print("  tree-sitter could not read:", script.splitlines()[0][:80])
    return len(commands), int(errors), substitutions


def main() -> None:
    given = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    root = Path(given[0] if given else "/work/shared/corpus/pipelines")
    scripts = collect(root)
    lines = sum(s.count(chr(10)) + 1 for s in scripts)
    substitutions = sum(s.count("$(") for s in scripts)
    print(f"{len(scripts)} scripts, {lines} lines, {substitutions} $(...) substitutions, from {root}")
    for name, reader in (("shlex", with_shlex), ("tree-sitter-bash", with_tree_sitter)):
        start = time.perf_counter()
        results = [reader(script) for script in scripts]
        elapsed = time.perf_counter() - start
        commands = sum(r[0] for r in results)
        failures = sum(r[1] for r in results)
        third = sum(r[2] for r in results)
        label = "$(...) kept whole"
        print(f"{name:18s} {commands:5d} commands  {failures:3d} scripts failed  {third:3d} {label}  {elapsed * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
