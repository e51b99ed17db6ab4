"""Shell scripts as the pipeline readers see them: simple commands with their words and lines.

The grammar is tree-sitter-bash, chosen over ``shlex`` after measuring both on
the corpus' pipeline scripts (see ``benchmarks/shell_readers.py``): ``shlex``
splits words but knows no statements, so ``$(...)`` substitutions, heredocs,
``&&`` chains, subshells and line numbers inside continued lines all need
hand-written repair, while tree-sitter gives them with exact positions.

:func:`parse_script` flattens a script into :class:`Command` records in the
order a shell would meet them (both branches of an ``if`` are kept, since
either may run). Nothing here knows about deploy tools; nothing is executed.
Loops, functions and ``eval`` are kept as notes: their bodies are read once,
with their variables unknown.

Example::

    >>> script = parse_script('cd app && sam deploy --stack-name "$STACK"\\n', first_line=10)
    >>> [(command.line, command.argv_source()) for command in script.commands]
    [(10, ['cd', 'app']), (10, ['sam', 'deploy', '--stack-name', '"$STACK"'])]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Union

__all__ = ["Command", "Lit", "Opaque", "Scope", "Script", "Sub", "Var", "Word", "parse_script"]


@dataclass(frozen=True)
class Lit:
    """Literal text (quotes and escapes already removed)."""

    text: str


@dataclass(frozen=True)
class Var:
    """``$NAME`` / ``${NAME}`` / ``${NAME:-default}``."""

    name: str
    source: str
    default: Word | None = None


@dataclass(frozen=True)
class Sub:
    """A command substitution ``$(...)`` or backticks, with the commands inside it."""

    commands: tuple[Command | Scope, ...]
    source: str


@dataclass(frozen=True)
class Opaque:
    """Something not knowable offline: ``${X##*/}``, ``$((...))``, ``<(...)``."""

    source: str


Part = Union[Lit, Var, Sub, Opaque]  # noqa: UP007  (a runtime alias)


@dataclass(frozen=True)
class Word:
    """One shell word: its parts, its source text and the line it starts on."""

    parts: tuple[Part, ...]
    source: str
    line: int

    @property
    def literal(self) -> str | None:
        """The word's text when it is all literal, else None."""
        if all(isinstance(part, Lit) for part in self.parts):
            return "".join(part.text for part in self.parts)  # type: ignore[union-attr]
        return None


@dataclass(frozen=True)
class Command:
    """One simple command: leading ``VAR=value`` assignments, then its words.

    ``declaration`` is ``export``/``local``/... for declaration commands, whose
    words are assignments too; a bare ``VAR=value`` line has no words.
    """

    line: int
    words: tuple[Word, ...] = ()
    assignments: tuple[tuple[str, Word | None], ...] = ()
    declaration: str = ""
    appends_to: Word | None = None  # the file of a `>>` or `>` redirect (`echo K=V >> $GITHUB_ENV`)

    @property
    def name(self) -> str:
        return (self.words[0].literal or "") if self.words else ""

    def argv_source(self) -> list[str]:
        return [word.source for word in self.words]


@dataclass(frozen=True)
class Scope:
    """Entering (``enter=True``) or leaving a subshell: a ``cd`` inside it does not last."""

    enter: bool


@dataclass(frozen=True)
class Script:
    commands: tuple[Command | Scope, ...] = ()
    notes: tuple[tuple[int, str], ...] = field(default=())  # (line, message)


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


def parse_script(text: str, first_line: int = 1) -> Script:
    """Parse shell ``text`` whose first line is line ``first_line`` of its file."""
    source = text.encode("utf-8", "surrogatepass")
    tree = _parser().parse(source)
    walker = _Walker(source, first_line - 1)
    walker.statements(tree.root_node)
    if tree.root_node.has_error:
        line = walker.first_error_line(tree.root_node)
        walker.notes.append((line, "shell syntax not understood here; the commands around it are still read"))
    return Script(tuple(walker.out), tuple(walker.notes))


_LOOPS = {"for_statement", "c_style_for_statement", "while_statement"}
_CONTAINERS = {
    "program",
    "list",
    "pipeline",
    "compound_statement",
    "do_group",
    "if_statement",
    "elif_clause",
    "else_clause",
    "case_statement",
    "case_item",
    "redirected_statement",
    "negated_command",
}
_WORDISH = {
    "word",
    "string",
    "raw_string",
    "concatenation",
    "simple_expansion",
    "expansion",
    "command_substitution",
    "number",
    "ansi_c_string",
    "translated_string",
    "process_substitution",
    "arithmetic_expansion",
    "brace_expression",
    "extglob_pattern",
}


class _Walker:
    def __init__(self, source: bytes, line_offset: int) -> None:
        self.source = source
        self.offset = line_offset
        self.out: list[Command | Scope] = []
        self.notes: list[tuple[int, str]] = []

    def line(self, node: Any) -> int:
        return int(node.start_point[0]) + 1 + self.offset

    def text(self, node: Any) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def first_error_line(self, node: Any) -> int:
        stack = [node]
        while stack:
            current = stack.pop(0)
            if current.type == "ERROR" or current.is_missing:
                return self.line(current)
            stack = [child for child in current.children if child.has_error or child.is_missing] + stack
        return self.line(node)

    # statements ---------------------------------------------------------------------------
    def statements(self, node: Any) -> None:
        kind = node.type
        if kind == "command":
            self.command(node)
        elif kind == "variable_assignment":
            self.out.append(Command(self.line(node), assignments=(self.assignment(node),)))
        elif kind == "variable_assignments":
            pairs = tuple(self.assignment(child) for child in node.named_children if child.type == "variable_assignment")
            self.out.append(Command(self.line(node), assignments=pairs))
        elif kind == "declaration_command":
            self.declaration(node)
        elif kind == "subshell":
            self.out.append(Scope(True))
            for child in node.named_children:
                self.statements(child)
            self.out.append(Scope(False))
        elif kind in _LOOPS:
            self.notes.append((self.line(node), "a loop: its body is read once, with the loop variable unknown"))
            for child in node.named_children:
                self.statements(child)
        elif kind == "function_definition":
            name = self.text(node.named_children[0]) if node.named_children else "?"
            self.notes.append((self.line(node), f"shell function {name}(): its body is read once, with its arguments unknown"))
            for child in node.named_children[1:]:
                self.statements(child)
        elif kind == "redirected_statement" and node.named_children and node.named_children[0].type == "command":
            target = None
            for child in node.named_children[1:]:
                if child.type == "file_redirect" and child.named_children:
                    target = self.word(child.named_children[-1])
            before = len(self.out)
            self.command(node.named_children[0])
            if target is not None and len(self.out) > before and isinstance(self.out[-1], Command):
                last = self.out[-1]
                self.out[-1] = Command(last.line, last.words, last.assignments, last.declaration, target)
        elif kind in _CONTAINERS or kind == "ERROR":
            for child in node.named_children:
                self.statements(child)
        elif kind == "test_command":
            self.substitutions_in(node)
        # comments, heredoc bodies, redirects and keywords hold no commands of interest

    def substitutions_in(self, node: Any) -> None:
        """Commands inside ``$(...)`` of a node that is not itself a command (``[ "$(x)" ]``)."""
        for child in node.named_children:
            if child.type == "command_substitution":
                for inner in child.named_children:
                    self.statements(inner)
            else:
                self.substitutions_in(child)

    def command(self, node: Any) -> None:
        assignments: list[tuple[str, Word | None]] = []
        words: list[Word] = []
        for child in node.named_children:
            if child.type == "variable_assignment":
                assignments.append(self.assignment(child))
            elif child.type == "command_name":
                inner = child.named_children[0] if child.named_children else child
                words.append(self.word(inner))
            elif child.type in _WORDISH:
                words.append(self.word(child))
        command = Command(self.line(node), tuple(words), tuple(assignments))
        if command.name == "eval":
            self.notes.append((command.line, "eval: the command it builds is not read"))
            return
        self.out.append(command)

    def declaration(self, node: Any) -> None:
        keyword = node.children[0].type if node.children else "export"
        pairs: list[tuple[str, Word | None]] = []
        for child in node.named_children:
            if child.type == "variable_assignment":
                pairs.append(self.assignment(child))
            elif child.type == "variable_name":
                pairs.append((self.text(child), None))
        self.out.append(Command(self.line(node), assignments=tuple(pairs), declaration=keyword))

    def assignment(self, node: Any) -> tuple[str, Word | None]:
        name_node = node.child_by_field_name("name") or (node.named_children[0] if node.named_children else None)
        value_node = node.child_by_field_name("value")
        name = self.text(name_node) if name_node is not None else ""
        if value_node is None:
            return name, Word((Lit(""),), "", self.line(node))
        return name, self.word(value_node)

    # words --------------------------------------------------------------------------------
    def word(self, node: Any) -> Word:
        return Word(tuple(self.parts(node)), self.text(node), self.line(node))

    def parts(self, node: Any) -> list[Part]:
        kind = node.type
        text = self.text(node)
        if kind in ("word", "number", "extglob_pattern", "heredoc_content"):
            return [Lit(_unescape(text))]
        if kind == "string_content":
            return [Lit(_unescape_double(text))]
        if kind == "raw_string":
            return [Lit(text[1:-1])]
        if kind == "ansi_c_string":
            return [Lit(text[2:-1])]
        if kind in ("string", "concatenation", "translated_string"):
            parts: list[Part] = []
            cursor = node.start_byte + (1 if kind == "string" else 0)
            end = node.end_byte - (1 if kind == "string" else 0)
            for child in node.named_children:
                if kind == "string" and child.start_byte > cursor:
                    # text between children that tree-sitter does not name (spaces in "a $b c")
                    gap = self.source[cursor : child.start_byte].decode("utf-8", "replace")
                    parts.append(Lit(_unescape_double(gap)))
                parts.extend(self.parts(child))
                cursor = max(cursor, child.end_byte)
            if kind == "string" and end > cursor:
                parts.append(Lit(_unescape_double(self.source[cursor:end].decode("utf-8", "replace"))))
            return parts
        if kind == "simple_expansion":
            names = [child for child in node.named_children if "variable_name" in child.type]
            if names:
                return [Var(self.text(names[0]), text)]
            return [Opaque(text)]
        if kind == "expansion":
            return [self.expansion(node, text)]
        if kind == "command_substitution":
            inner = _Walker(self.source, self.offset)
            for child in node.named_children:
                inner.statements(child)
            self.notes.extend(inner.notes)
            return [Sub(tuple(inner.out), text)]
        return [Opaque(text)]

    def expansion(self, node: Any, text: str) -> Part:
        children = node.children
        names = [child for child in children if "variable_name" in child.type]
        if not names:
            return Opaque(text)
        name = self.text(names[0])
        operators = [child.type for child in children if not child.is_named and child.type not in ("${", "}")]
        if not operators:
            return Var(name, text)
        if operators[0] in (":-", "-"):
            rest = [child for child in node.named_children if child.start_byte > names[0].end_byte]
            default_parts: list[Part] = []
            for child in rest:
                default_parts.extend(self.parts(child))
            default_source = "".join(self.text(child) for child in rest)
            return Var(name, text, Word(tuple(default_parts) or (Lit(""),), default_source, self.line(node)))
        return Opaque(text)


def _unescape(text: str) -> str:
    """Backslash escapes of an unquoted word; a backslash-newline is a line continuation."""
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            if text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _unescape_double(text: str) -> str:
    """Inside double quotes only ``\\$ \\` \\" \\\\`` and backslash-newline are escapes."""
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in '$`"\\\n':
            if text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)
