"""Small grammar checks for the Mermaid and DOT the report writes (the subset it uses, checked strictly)."""

from __future__ import annotations

import re

_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_LABEL = r'"[^"\[\]<>]*"'  # entities replace quotes, brackets and angle brackets
_SHAPES = [(r"\[", r"\]"), (r"\(\[", r"\]\)"), (r"\[/", r"/\]"), (r"\{\{", r"\}\}")]
_MERMAID_NODE = re.compile(rf"^({_ID})(?:" + "|".join(f"{o}{_LABEL}{c}" for o, c in _SHAPES) + r")$")
_MERMAID_SUBGRAPH = re.compile(rf"^subgraph ({_ID})\[{_LABEL}\]$")
_MERMAID_EDGE = re.compile(rf"^({_ID}) (-->|-\.->|-\.-) ({_ID})$")
_MERMAID_LABELLED = re.compile(rf"^({_ID}) =={_LABEL}==> ({_ID})$")
_MERMAID_CLASSDEF = re.compile(rf"^classDef {_ID} [\w#:,.\-]+$")
_MERMAID_CLASS = re.compile(rf"^class ({_ID}(?:,{_ID})*) {_ID}$")
_MERMAID_LINKSTYLE = re.compile(r"^linkStyle (\d+(?:,\d+)*) [\w#:,.\-]+$")


def check_mermaid(text: str) -> dict[str, list[str]]:
    """Raise ``AssertionError`` naming the line when ``text`` leaves the grammar; return the subgraphs' nodes."""
    lines = text.splitlines()
    assert lines and lines[0] == "flowchart LR", "a Mermaid diagram starts with 'flowchart LR'"
    subgraphs: dict[str, list[str]] = {}
    nodes: set[str] = set()
    current: str | None = None
    links = 0
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        where = f"line {number}: {raw!r}"
        if not line or line.startswith("%%"):
            continue
        if match := _MERMAID_SUBGRAPH.match(line):
            assert current is None, f"{where}: nested subgraph"
            current = match.group(1)
            assert current not in subgraphs, f"{where}: subgraph declared twice"
            subgraphs[current] = []
        elif line == "end":
            assert current is not None, f"{where}: 'end' without a subgraph"
            current = None
        elif match := _MERMAID_NODE.match(line):
            assert current is not None, f"{where}: a node outside every subgraph"
            assert match.group(1) not in nodes, f"{where}: node declared twice"
            nodes.add(match.group(1))
            subgraphs[current].append(match.group(1))
        elif match := _MERMAID_EDGE.match(line):
            assert {match.group(1), match.group(3)} <= nodes, f"{where}: an edge to an undeclared node"
            links += 1
        elif match := _MERMAID_LABELLED.match(line):
            assert {match.group(1), match.group(2)} <= set(subgraphs), f"{where}: a link to an undeclared subgraph"
            links += 1
        elif _MERMAID_CLASSDEF.match(line):
            pass
        elif match := _MERMAID_CLASS.match(line):
            assert set(match.group(1).split(",")) <= nodes, f"{where}: class of an undeclared node"
        elif match := _MERMAID_LINKSTYLE.match(line):
            assert all(int(index) < links for index in match.group(1).split(",")), f"{where}: no such link"
        else:
            raise AssertionError(f"{where}: not in the Mermaid grammar")
    assert current is None, "a subgraph is not closed"
    return subgraphs


_DOT_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|(->)|([A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?)|([{}\[\];,=]))')


def _dot_tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _DOT_TOKEN.match(text, position)
        assert match and match.end() > position, f"DOT: cannot read at {text[position : position + 30]!r}"
        tokens.append(next(group for group in match.groups() if group is not None))
        position = match.end()
    return tokens


def check_dot(text: str) -> dict[str, list[str]]:
    """Parse ``digraph ID { statements }`` strictly; return each cluster's nodes. Edges must join declared nodes."""
    tokens = _dot_tokens(text)
    position = 0

    def take(expected: str | None = None) -> str:
        nonlocal position
        assert position < len(tokens), "DOT: unexpected end"
        token = tokens[position]
        assert expected is None or token == expected, f"DOT: expected {expected!r}, got {token!r} (token {position})"
        position += 1
        return token

    def attributes() -> None:
        take("[")
        while tokens[position] != "]":
            take()
            take("=")
            take()
            if tokens[position] == ",":
                take(",")
        take("]")

    clusters: dict[str, list[str]] = {}
    nodes: set[str] = set()
    edges: list[tuple[str, str]] = []
    take("digraph")
    take()
    take("{")
    cluster: str | None = None
    while True:
        token = take()
        if token == "}":
            if cluster is None:
                break
            cluster = None
            continue
        if token == "subgraph":
            assert cluster is None, "DOT: nested cluster"
            cluster = take()
            assert cluster.startswith("cluster_"), f"DOT: subgraph {cluster} is not a cluster"
            clusters[cluster] = []
            take("{")
            continue
        if token in ("node", "edge", "graph"):
            attributes()
        elif tokens[position] == "=":
            take("=")
            take()
        elif tokens[position] == "->":
            take("->")
            target = take()
            edges.append((token, target))
            if tokens[position] == "[":
                attributes()
        else:
            assert token not in nodes, f"DOT: node {token} declared twice"
            nodes.add(token)
            if cluster is not None:
                clusters[cluster].append(token)
            if tokens[position] == "[":
                attributes()
        take(";")
    assert position == len(tokens), "DOT: text after the graph"
    for source, target in edges:
        assert source in nodes and target in nodes, f"DOT: edge {source} -> {target} joins an undeclared node"
    return clusters
