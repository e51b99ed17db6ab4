"""The HTML report in a real browser (headless Chromium): no console errors, one group per unit, a click expands a unit.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it where
apt-get can); without it these tests skip with that reason. The page is
driven by a probe script appended to a copy of it: it records errors and
console errors from the first moment, clicks, and writes what it saw into the
DOM, which ``--dump-dom`` prints.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.report import build_document, render

from .helpers import REPO, wide_graph

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Installed before the page's own script, so an error anywhere in it is caught.
WATCH = """<script>
window.__problems = [];
window.addEventListener("error", function (event) { window.__problems.push("error: " + event.message); });
(function () {
  var original = console.error;
  console.error = function () {
    window.__problems.push("console.error: " + Array.prototype.join.call(arguments, " "));
    original.apply(console, arguments);
  };
}());
</script>"""

# Runs after the page's script: count, click the first collapsed unit's header, report.
PROBE = """<script>
(function () {
  var svg = document.getElementById("graph");
  var units = svg.querySelectorAll("g.unit");
  var target = svg.querySelector("g.unit.collapsed") || units[0];
  var before = target.classList.contains("collapsed");
  var heightBefore = +target.querySelector("rect.box").getAttribute("height");
  target.querySelector(".unit-header rect").dispatchEvent(new MouseEvent("click", {bubbles: true}));
  var after = target.classList.contains("collapsed");
  var heightAfter = +target.querySelector("rect.box").getAttribute("height");
  var node = target.querySelector("g.node");
  if (node) node.dispatchEvent(new MouseEvent("click", {bubbles: true}));
  var search = document.getElementById("search");
  search.value = (node && node.getAttribute("data-name")) || "";
  search.dispatchEvent(new Event("input"));
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({
    problems: window.__problems,
    units: units.length,
    groupsPerUnit: Array.prototype.map.call(units, function (u) { return u.getAttribute("data-unit"); }),
    clicked: target.getAttribute("data-unit"),
    collapsedBefore: before,
    collapsedAfter: after,
    heightBefore: heightBefore,
    heightAfter: heightAfter,
    bodyShown: getComputedStyle(target.querySelector(".body")).display !== "none",
    details: document.getElementById("details").textContent,
    matches: svg.querySelectorAll("g.node.match").length,
  });
  document.body.appendChild(out);
}());
</script>"""


def chromium() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no headless Chromium on PATH (Debian: apt-get install chromium; .ci/run installs it where it can)")


ROW_PROBE = """<script>
(function () {
  var row = document.querySelector("table.violations tbody tr");
  row.dispatchEvent(new MouseEvent("click", {bubbles: true}));
  var out = document.createElement("pre");
  out.id = "probe";
  function names(selector, attribute) {
    return Array.prototype.map.call(document.querySelectorAll(selector), function (e) { return e.getAttribute(attribute); });
  }
  out.textContent = JSON.stringify({
    problems: window.__problems,
    nodes: names("g.node.match", "data-id"),
    units: names("g.unit.match", "data-unit"),
  });
  document.body.appendChild(out);
}());
</script>"""


def run_page(browser: str, html: str, tmp_path: Path, probe: str = PROBE) -> dict:
    page = tmp_path / "page.html"
    page.write_text(html.replace("<head>", "<head>\n" + WATCH, 1).replace("</body>", probe + "\n</body>", 1), encoding="utf-8")
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",  # root in CI containers
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    match = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert match, f"the probe did not run; chromium said:\n{done.stderr[-3000:]}"
    result = json.loads(match.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    # console messages Chromium logs itself (an uncaught error in any script)
    result["logged"] = [line for line in done.stderr.splitlines() if "CONSOLE" in line and "Uncaught" in line]
    return result


def test_a_sample_page_runs_without_errors_and_a_click_collapses_and_shows_details(tmp_path):
    browser = chromium()
    sample = REPO / "sample_repos" / "trigger-grouped-food-delivery"
    document = build_document(load(sample, root=str(sample)))
    result = run_page(browser, render(document, "html"), tmp_path)
    assert result["problems"] == [] and result["logged"] == []
    assert result["groupsPerUnit"] == ["orders-dev", "delivery-dev", "food-notifications", "kitchen-dev"]
    # a small repository starts expanded: the click on the first unit collapses it
    assert (result["clicked"], result["collapsedBefore"], result["collapsedAfter"]) == ("orders-dev", False, True)
    assert result["heightAfter"] < result["heightBefore"]
    # the search for the node's name found it and opened its unit again
    assert result["matches"] >= 1 and result["bodyShown"]
    assert "kindapi" in result["details"].replace(" ", "") and "unitorders-dev" in result["details"].replace(" ", "")


def test_a_page_of_200_units_starts_collapsed_and_a_click_expands_a_unit(tmp_path):
    browser = chromium()
    result = run_page(browser, render(build_document(wide_graph(200, 10)), "html"), tmp_path)
    assert result["problems"] == [] and result["logged"] == []
    assert result["units"] == 200 and len(set(result["groupsPerUnit"])) == 200
    assert (result["clicked"], result["collapsedBefore"], result["collapsedAfter"]) == ("svc-000", True, False)
    assert result["bodyShown"] and result["heightAfter"] > result["heightBefore"]
    assert "kindqueue" in result["details"].replace(" ", "")


def test_a_click_on_a_violation_marks_its_units_and_drawn_resources(tmp_path):
    browser = chromium()
    split_queue = REPO / "tests" / "fixtures" / "plugin" / "split-queue"
    document = build_document(load(split_queue, root=str(split_queue)))
    result = run_page(browser, render(document, "html"), tmp_path, ROW_PROBE)
    assert result["problems"] == [] and result["logged"] == []
    # the first row: no-function-placeholders on app.yaml:Worker, triggered from infra.yaml:OrdersQueue
    assert result["nodes"] == ["app.yaml:Worker", "infra.yaml:OrdersQueue"]
    assert result["units"] == ["app.yaml", "infra.yaml"]


def test_chromium_renders_the_page_to_a_screenshot(tmp_path):
    browser = chromium()
    sample = REPO / "sample_repos" / "trigger-grouped-food-delivery"
    page = tmp_path / "page.html"
    page.write_text(render(build_document(load(sample, root=str(sample))), "html"), encoding="utf-8")
    shot = tmp_path / "page.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--hide-scrollbars",
            "--window-size=1400,800",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one
