"""One self-contained HTML page: the whole graph as inline SVG, and beside it the verdict, violations, errors and notes.

No network: no external script, style sheet or font, so the page works
opened from a file and as a CI artifact. The SVG is laid out here
(:mod:`.layout`); the small script below only re-stacks a column when a unit
is collapsed or expanded, shows a node's details, and filters by a search.

In the SVG each unit is one ``<g class="unit">``, each function or trigger
source one ``<g class="node">``, each edge inside a unit one ``<path
class="edge">`` and each link between units one ``<path class="unit-edge">``.
"""

from __future__ import annotations

import hashlib
from html import escape

from .diagram import Diagram, DiagramNode, DiagramUnit
from .document import ReportDocument
from .layout import HEADER, NODE_HEIGHT, NODE_WIDTH, TOP, UNIT_GAP, UNIT_WIDTH, Layout, edge_path, lay_out, unit_edge_path

__all__ = ["render_html"]


def render_html(document: ReportDocument, *, collapsed: bool | None = None, title: str | None = None) -> str:
    """The page; ``collapsed`` None starts every unit collapsed only for a large repository."""
    diagram = document.diagram
    layout = lay_out(diagram, collapsed=collapsed)
    name = title or f"Deployment graph of {document.root.name}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(name)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            "<header><h1>" + escape(name) + "</h1>",
            f'<p class="counts">{escape(_counts(document))}</p></header>',
            "<main>",
            '<section class="picture">',
            _toolbar(),
            _svg(diagram, layout),
            _legend(),
            "</section>",
            '<aside class="facts">',
            '<div id="details" class="details"><p class="hint">Hover or click a node or a unit to see its details.</p></div>',
            _pattern(document),
            _pipelines(document),
            _violations(document),
            _errors(document),
            _notes(document),
            "</aside>",
            "</main>",
            f"<script>{_JS}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _counts(document: ReportDocument) -> str:
    data = document.data
    parts = [
        _count(len(data["units"]), "deployment unit"),
        _count(len(data["functions"]), "function"),
        _count(len(data["triggers"]), "trigger"),
        _count(len(data["links"]), "cross-unit link"),
        _count(len(document.failing), "violation"),
        _count(len(data["errors"]), "load error"),
    ]
    return ", ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _toolbar() -> str:
    return (
        '<div class="toolbar">'
        '<input id="search" type="search" placeholder="Search units, functions, sources, types, domains" '
        'aria-label="search the graph">'
        '<button type="button" id="expand-all">Expand all</button>'
        '<button type="button" id="collapse-all">Collapse all</button>'
        '<span id="search-count" class="search-count"></span>'
        "</div>"
    )


def _domain_colour(domain: str | None) -> str:
    if not domain:
        return "#f2f2f2"
    hue = int(hashlib.sha256(domain.encode("utf-8")).hexdigest()[:4], 16) % 360
    return f"hsl({hue}, 60%, 92%)"


def _svg(diagram: Diagram, layout: Layout) -> str:
    parts = [
        f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="{layout.width}" height="{layout.height}" '
        f'viewBox="0 0 {layout.width} {layout.height}" data-unit-width="{UNIT_WIDTH}" data-header="{HEADER}" '
        f'data-top="{TOP}" data-gap="{UNIT_GAP}" role="img" aria-label="deployment graph">',
        "<defs>",
        *(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
            f'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
            for name, colour in (("link", "#555"), ("trigger", "#1f6feb"), ("violating", "#d1242f"), ("inner", "#777"))
        ),
        "</defs>",
        '<g class="waves">',
    ]
    for wave, (first, count) in enumerate(layout.wave_columns):
        x = 24 + first * (UNIT_WIDTH + 80)
        parts.append(f'<text class="wave-label" x="{x}" y="28">wave {wave + 1}</text>')
        if count > 1:
            parts.append(f'<text class="wave-more" x="{x + 70}" y="28">({count} columns)</text>')
    parts.append("</g>")
    parts.append('<g class="unit-edges">')
    for edge in diagram.unit_edges:
        classes = ["unit-edge", *edge.kinds]
        marker = "link"
        if edge.cross_unit_trigger:
            classes.append("cross-trigger")
            marker = "trigger"
        if edge.violating:
            classes.append("violating")
            marker = "violating"
        label = ", ".join(edge.kinds) + (f" ×{edge.count}" if edge.count > 1 else "")
        parts.append(
            f'<path class="{" ".join(classes)}" data-from="{escape(edge.source)}" data-to="{escape(edge.target)}" '
            f'd="{unit_edge_path(layout.units[edge.source], layout.units[edge.target])}" marker-end="url(#arrow-{marker})">'
            f"<title>{escape(edge.source)} → {escape(edge.target)}: {escape(label)}</title></path>"
        )
    parts.append("</g>")
    parts.append('<g class="units">')
    for index, unit in enumerate(diagram.units):
        parts.append(_unit(index, unit, diagram, layout))
    parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)


def _unit(index: int, unit: DiagramUnit, diagram: Diagram, layout: Layout) -> str:
    box = layout.units[unit.name]
    classes = ["unit"] + (["collapsed"] if box.collapsed else []) + (["violating"] if unit.violating else [])
    sources = len(unit.nodes) - unit.functions
    meta = " · ".join(
        part
        for part in (
            unit.format,
            unit.domain or "",
            _count(unit.functions, "function"),
            _count(sources, "source") if sources else "",
            "pipeline " + ", ".join(unit.pipelines) if unit.pipelines else "",
        )
        if part
    )
    search = " ".join([unit.name, unit.path, unit.format, unit.domain or "", *unit.pipelines]).lower()
    lines = [
        f'<g class="{" ".join(classes)}" id="unit-{index}" data-unit="{escape(unit.name)}" data-col="{box.column}" '
        f'data-x="{box.x}" data-y="{box.y}" data-he="{box.expanded_height}" data-hc="{box.collapsed_height}" '
        f'data-kind="unit" data-type="{escape(unit.format)}" data-domain="{escape(unit.domain or "")}" '
        f'data-location="{escape(unit.path)}" data-pipelines="{escape(", ".join(unit.pipelines))}" '
        f'data-search="{escape(search)}" transform="translate({box.x},{box.y})">',
        f'<rect class="box" width="{UNIT_WIDTH}" height="{box.height}" rx="6" fill="{_domain_colour(unit.domain)}"/>',
        '<g class="unit-header" tabindex="0" role="button" aria-label="expand or collapse">',
        f'<rect class="header-hit" width="{UNIT_WIDTH}" height="{HEADER}" fill="transparent"/>',
        f'<text class="unit-name" x="10" y="16">{escape(_short(unit.name, 36))}</text>',
        f'<text class="unit-meta" x="10" y="31">{escape(_short(meta, 46))}</text>',
        f'<text class="toggle" x="{UNIT_WIDTH - 18}" y="16">{"+" if box.collapsed else "−"}</text>',
        "</g>",
        '<g class="body">',
    ]
    for edge in diagram.inner_edges(unit.name):
        classes_edge = ["edge", edge.kind] + (["violating"] if edge.violating else [])
        marker = "violating" if edge.violating else "inner"
        lines.append(
            f'<path class="{" ".join(classes_edge)}" d="{edge_path(edge, layout)}" marker-end="url(#arrow-{marker})">'
            f"<title>{escape(edge.kind)} at {escape(edge.location)}</title></path>"
        )
    for node in unit.nodes:
        lines.append(_node(node, layout))
    lines.append("</g>")
    lines.append("</g>")
    return "\n".join(lines)


def _node(node: DiagramNode, layout: Layout) -> str:
    box = layout.nodes[node.id]
    classes = ["node", "function" if node.kind == "function" else "source"] + (["violating"] if node.violating else [])
    search = " ".join([node.label, node.id, node.kind, node.type, node.domain or ""]).lower()
    text = node.label if node.kind == "function" else f"{node.kind}: {node.label}"
    return (
        f'<g class="{" ".join(classes)}" data-id="{escape(node.id)}" data-name="{escape(node.label)}" '
        f'data-kind="{escape(node.kind)}" data-type="{escape(node.type)}" data-unit="{escape(node.unit)}" '
        f'data-domain="{escape(node.domain or "")}" data-location="{escape(node.location)}" '
        f'data-search="{escape(search)}" transform="translate({box.x},{box.y})" tabindex="0">'
        f'<rect width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="{10 if node.kind == "function" else 2}"/>'
        f'<text x="6" y="14">{escape(_short(text, 18))}</text></g>'
    )


def _breakable(path: str) -> str:
    """A path that wraps after its slashes rather than inside a name."""
    return "/<wbr>".join(escape(part) for part in path.split("/"))


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _legend() -> str:
    return (
        '<p class="legend"><span class="key trigger">trigger</span> <span class="key invoke">invoke</span> '
        '<span class="key access">access</span> <span class="key link">link between units (provider → needs it)</span> '
        '<span class="key cross">cross-unit trigger</span> <span class="key bad">violating</span> '
        "· boxes are deployment units coloured by domain, in deploy waves left to right; click a unit's name to "
        "collapse or expand it.</p>"
    )


def _pattern(document: ReportDocument) -> str:
    pattern = document.data.get("pattern") or {}
    if not pattern:
        return ""
    repo = str(pattern.get("repo"))
    exceptions = [
        f"<li><code>{escape(name)}</code>: {escape(str(unit.get('pattern')))}</li>"
        for name, unit in sorted((pattern.get("units") or {}).items())
        if unit.get("pattern") not in (None, repo)
    ]
    parts = [
        "<section>",
        "<h2>Pattern</h2>",
        f'<p><strong class="pattern">{escape(repo)}</strong>: {escape(str(pattern.get("reason") or ""))}</p>',
    ]
    if exceptions:
        parts += ["<p>Units that differ:</p>", "<ul>", *exceptions, "</ul>"]
    order = document.data["deploy_order"]
    if order is None:
        parts.append("<p>Deploy order: none (the units depend on each other in a cycle).</p>")
    else:
        waves = " ; ".join("[" + ", ".join(escape(name) for name in wave) + "]" for wave in order)
        if sum(len(wave) for wave in order) > 20:  # a long list would push the violations out of sight
            parts.append(f"<details><summary>Deploy order: {len(order)} waves</summary><p>{waves}</p></details>")
        else:
            parts.append(f"<p>Deploy order: {waves}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _pipelines(document: ReportDocument) -> str:
    """The pipelines and the units each deploys, in order; a click marks those units in the graph."""
    pipelines = document.graph.pipelines()
    if not pipelines:
        return ""
    level = document.graph.unit_level()
    items = "".join(
        f'<li><button type="button" class="show-units" data-units="{escape(chr(10).join(pipeline.units))}">'
        f"{escape(pipeline.name)}</button> ({escape(pipeline.system)}, <code>{_breakable(str(pipeline.location))}</code>): "
        f"{escape(' → '.join(pipeline.units) or 'no unit')}</li>"
        for pipeline in pipelines
    )
    return (
        f"<section><h2>Pipelines ({len(pipelines)})</h2>"
        f"<p>Rules work at the <strong>{escape(level.level)}</strong> level: {escape(level.reason)}.</p>"
        f'<ul class="pipelines">{items}</ul></section>'
    )


def _violations(document: ReportDocument) -> str:
    parts = ["<section>", f"<h2>Violations ({len(document.failing)})</h2>"]
    if not document.findings:
        parts.append("<p>None.</p>")
    else:
        parts.append(
            '<table class="violations"><thead><tr><th>where</th><th>rule</th><th>message</th><th>state</th></tr></thead><tbody>'
        )
        for finding in document.findings:
            state = finding.state + (f": {finding.justification}" if finding.justification else "")
            parts.append(
                f'<tr class="{finding.state}" data-units="{escape(chr(10).join(finding.violation.units))}" '
                f'data-resources="{escape(chr(10).join(finding.violation.resources))}">'
                f"<td><code>{_breakable(str(finding.location))}</code></td><td>{escape(finding.rule)}</td>"
                f"<td>{escape(finding.violation.message)}</td><td>{escape(state)}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "\n".join(parts)


def _errors(document: ReportDocument) -> str:
    errors = document.graph.errors
    if not errors:
        return "<section><h2>Load errors (0)</h2><p>None.</p></section>"
    items = "".join(f"<li><code>{escape(str(error.location))}</code>: {escape(error.message)}</li>" for error in errors)
    return f'<section><h2>Load errors ({len(errors)})</h2><ul class="errors">{items}</ul></section>'


def _notes(document: ReportDocument) -> str:
    notes = document.graph.notes
    if not notes:
        return ""
    items = "".join(f"<li><code>{escape(str(note.location))}</code>: {escape(note.message)}</li>" for note in notes)
    return (
        f"<section><h2>Notes ({len(notes)})</h2>"
        f'<details><summary>show</summary><ul class="notes">{items}</ul></details></section>'
    )


_CSS = """
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;background:#fff}
header{padding:10px 18px;border-bottom:1px solid #d0d7de}
h1{font-size:20px;margin:0}h2{font-size:15px;margin:14px 0 6px}
.counts{margin:4px 0 0;color:#57606a}
main{display:flex;align-items:flex-start;gap:12px}
.picture{flex:1 1 auto;min-width:0;overflow:auto;max-height:calc(100vh - 80px);padding:8px}
.facts{flex:0 0 380px;max-height:calc(100vh - 80px);overflow:auto;padding:0 14px 14px;border-left:1px solid #d0d7de}
.toolbar{display:flex;gap:6px;align-items:center;margin-bottom:6px;position:sticky;left:0}
#search{flex:0 1 360px;padding:4px 8px}
.search-count{color:#57606a}
svg text{font-size:11px;fill:#1f2328;pointer-events:none}
.wave-label{font-size:13px;font-weight:600}.wave-more{fill:#57606a}
.unit>.box{stroke:#8c959f;stroke-width:1}
.unit.violating>.box{stroke:#d1242f;stroke-width:2.5}
.unit-header{cursor:pointer}.unit-name{font-weight:600;font-size:12px}.unit-meta{fill:#57606a}
.toggle{font-size:15px;font-weight:700}
.unit.collapsed .body{display:none}
.node rect{fill:#fff;stroke:#57606a}
.node.function rect{fill:#ddf4ff;stroke:#0969da}
.node.violating rect{stroke:#d1242f;stroke-width:2.5}
.node{cursor:pointer}.node.selected rect{stroke-width:3;stroke:#8250df}
.edge{fill:none;stroke:#777;stroke-width:1.2}
.edge.triggers{stroke:#1f6feb;stroke-width:1.6}
.edge.invokes{stroke-dasharray:2 3}
.edge.accesses{stroke-dasharray:6 3;stroke:#9a6700}
.edge.violating{stroke:#d1242f;stroke-width:2.5}
.unit-edge{fill:none;stroke:#555;stroke-width:1.6;opacity:.75}
.unit-edge.cross-trigger{stroke:#1f6feb;stroke-width:2.5}
.unit-edge.violating{stroke:#d1242f;stroke-width:3;opacity:1}
.dim{opacity:.18}.match rect{stroke:#bf8700;stroke-width:3}
.unit.match>.box{stroke:#bf8700;stroke-width:3}
table{border-collapse:collapse;width:100%;font-size:12px}
td,th{border:1px solid #d0d7de;padding:3px 5px;vertical-align:top;text-align:left}
tr.suppressed,tr.baselined{color:#57606a}
table.violations tbody tr{cursor:pointer}table.violations tbody tr:hover{background:#f6f8fa}
button.show-units{font:inherit;padding:0 4px}
code{font-size:12px;overflow-wrap:break-word}
.details{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;margin-top:10px;min-height:60px}
.details dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:0}.details dt{color:#57606a}
.details dd{margin:0;word-break:break-all}.hint{color:#57606a;margin:0}
.legend{color:#57606a;font-size:12px}.key{padding:0 4px;border-bottom:2px solid #777}
.key.trigger{border-color:#1f6feb}.key.invoke{border-bottom-style:dotted}.key.access{border-bottom-style:dashed;border-color:#9a6700}
.key.link{border-color:#555}.key.cross{border-color:#1f6feb;border-bottom-width:3px}.key.bad{border-color:#d1242f;border-bottom-width:3px}
"""

_JS = """
(function () {
  "use strict";
  var svg = document.getElementById("graph");
  var units = Array.prototype.slice.call(svg.querySelectorAll("g.unit"));
  var byName = {};
  units.forEach(function (unit) { byName[unit.getAttribute("data-unit")] = unit; });
  var WIDTH = +svg.getAttribute("data-unit-width"), HEADER = +svg.getAttribute("data-header");
  var TOP = +svg.getAttribute("data-top"), GAP = +svg.getAttribute("data-gap");
  function height(unit) {
    return +unit.getAttribute(unit.classList.contains("collapsed") ? "data-hc" : "data-he");
  }
  function layout() {
    var next = {}, bottom = TOP;
    units.forEach(function (unit) {
      var column = unit.getAttribute("data-col");
      var y = next[column] === undefined ? TOP : next[column];
      unit.setAttribute("data-y", y);
      unit.setAttribute("transform", "translate(" + unit.getAttribute("data-x") + "," + y + ")");
      unit.querySelector("rect.box").setAttribute("height", height(unit));
      unit.querySelector(".toggle").textContent = unit.classList.contains("collapsed") ? "+" : "\\u2212";
      next[column] = y + height(unit) + GAP;
      bottom = Math.max(bottom, next[column]);
    });
    svg.querySelectorAll("path.unit-edge").forEach(function (path) {
      var a = byName[path.getAttribute("data-from")], b = byName[path.getAttribute("data-to")];
      var x1 = +a.getAttribute("data-x") + WIDTH, y1 = +a.getAttribute("data-y") + Math.floor(HEADER / 2);
      var x2 = +b.getAttribute("data-x"), y2 = +b.getAttribute("data-y") + Math.floor(HEADER / 2);
      var bend = Math.max(40, Math.floor(Math.abs(x2 - x1) / 2));
      path.setAttribute("d", "M" + x1 + "," + y1 + " C" + (x1 + bend) + "," + y1 + " " +
        (x2 - bend) + "," + y2 + " " + x2 + "," + y2);
    });
    var width = +svg.getAttribute("width");
    svg.setAttribute("height", bottom + GAP);
    svg.setAttribute("viewBox", "0 0 " + width + " " + (bottom + GAP));
  }
  function toggle(unit, expand) {
    unit.classList.toggle("collapsed", expand === undefined ? !unit.classList.contains("collapsed") : !expand);
    layout();
  }
  var details = document.getElementById("details"), selected = null;
  function show(element) {
    var rows = [["name", element.getAttribute("data-name") || element.getAttribute("data-unit")],
      ["kind", element.getAttribute("data-kind")], ["type", element.getAttribute("data-type")],
      ["unit", element.getAttribute("data-unit")], ["domain", element.getAttribute("data-domain") || "(none)"],
      ["location", element.getAttribute("data-location")]];
    if (element.getAttribute("data-pipelines")) rows.push(["pipelines", element.getAttribute("data-pipelines")]);
    var list = document.createElement("dl");
    rows.forEach(function (row) {
      var term = document.createElement("dt"), value = document.createElement("dd");
      term.textContent = row[0]; value.textContent = row[1] || "";
      list.appendChild(term); list.appendChild(value);
    });
    details.replaceChildren(list);
  }
  svg.addEventListener("click", function (event) {
    var header = event.target.closest(".unit-header"), node = event.target.closest("g.node");
    if (header) { var unit = header.closest("g.unit"); toggle(unit); show(unit); }
    else if (node) {
      if (selected) selected.classList.remove("selected");
      selected = node; node.classList.add("selected"); show(node);
    }
  });
  svg.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") return;
    var header = event.target.closest(".unit-header");
    if (header) { event.preventDefault(); toggle(header.closest("g.unit")); }
  });
  svg.addEventListener("mouseover", function (event) {
    var node = event.target.closest("g.node");
    if (node && !selected) show(node);
  });
  var search = document.getElementById("search"), count = document.getElementById("search-count");
  search.addEventListener("input", function () {
    var query = search.value.trim().toLowerCase(), found = 0;
    units.forEach(function (unit) {
      var unitMatch = query !== "" && unit.getAttribute("data-search").indexOf(query) >= 0, nodeMatch = false;
      unit.querySelectorAll("g.node").forEach(function (node) {
        var hit = query !== "" && node.getAttribute("data-search").indexOf(query) >= 0;
        node.classList.toggle("match", hit);
        node.classList.toggle("dim", query !== "" && !hit && !unitMatch);
        if (hit) { nodeMatch = true; found += 1; }
      });
      unit.classList.toggle("match", unitMatch);
      unit.classList.toggle("dim", query !== "" && !unitMatch && !nodeMatch);
      if (unitMatch) found += 1;
      if (nodeMatch) unit.classList.remove("collapsed");
    });
    count.textContent = query ? found + " found" : "";
    layout();
  });
  function mark(unitNames, nodeIds) {
    svg.querySelectorAll(".match").forEach(function (element) { element.classList.remove("match"); });
    var first = null;
    units.forEach(function (unit) {
      var hit = unitNames.indexOf(unit.getAttribute("data-unit")) >= 0;
      unit.querySelectorAll("g.node").forEach(function (node) {
        if (nodeIds.indexOf(node.getAttribute("data-id")) >= 0) { node.classList.add("match"); hit = true; }
      });
      if (hit) { unit.classList.add("match"); unit.classList.remove("collapsed"); first = first || unit; }
    });
    layout();
    if (first && first.scrollIntoView) first.scrollIntoView({block: "center", inline: "center"});
  }
  document.querySelectorAll("button.show-units").forEach(function (button) {
    button.addEventListener("click", function () { mark(button.getAttribute("data-units").split("\\n"), []); });
  });
  document.querySelectorAll("table.violations tbody tr").forEach(function (row) {
    row.addEventListener("click", function () {
      mark(row.getAttribute("data-units").split("\\n"), row.getAttribute("data-resources").split("\\n"));
    });
  });
  document.getElementById("expand-all").addEventListener("click", function () {
    units.forEach(function (unit) { unit.classList.remove("collapsed"); }); layout();
  });
  document.getElementById("collapse-all").addEventListener("click", function () {
    units.forEach(function (unit) { unit.classList.add("collapsed"); }); layout();
  });
  layout();
}());
"""
