"""The speed benchmark's generated repositories load into exactly what they declare (issue 19).

The scale table divides seconds by resources: a generator whose triggers went
missing would make the figures meaningless, so its output is pinned here.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from pytest_serverless_arch import load
from pytest_serverless_arch.parse import parse_json
from tests.helpers import trigger_rows

_SPEC = importlib.util.spec_from_file_location(
    "speed_benchmark", Path(__file__).resolve().parents[1] / "benchmarks" / "speed_benchmark.py"
)
assert _SPEC is not None and _SPEC.loader is not None
speed_benchmark = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("speed_benchmark", speed_benchmark)  # its dataclass looks its module up
_SPEC.loader.exec_module(speed_benchmark)


def test_a_generated_repository_loads_one_unit_per_template_with_every_function_and_trigger(tmp_path):
    repo = speed_benchmark.write_repository(tmp_path, 2, 10)
    graph = load(repo)
    assert graph.errors == []
    assert sorted(unit.name for unit in graph.units()) == ["s0000", "s0001"]
    assert len(graph.resources()) == 20
    assert sorted(function.name for function in graph.functions(unit="s0001")) == ["Function0", "Function1"]
    # one queue trigger per group in each of the two units, at its event source mapping's line
    # (two header lines, then 25 lines a group; the mapping is the group's 21st line)
    assert trigger_rows(graph) == [
        ("Queue0", "queue", "Function0", 23),
        ("Queue0", "queue", "Function0", 23),
        ("Queue1", "queue", "Function1", 48),
        ("Queue1", "queue", "Function1", 48),
    ]


def test_the_json_decoder_keeps_every_line_after_blank_lines_and_crlf():
    text = '{\r\n\r\n  "a": 1,\n\n\n  "b": [\n    2,\n\n    3\n  ]\n}\n'
    document = parse_json(text)
    assert json.loads(text) == {"a": 1, "b": [2, 3]}
    assert (document.line, document.key_lines["a"], document.key_lines["b"]) == (1, 3, 6)
    assert (document["b"].line, document["b"].item_lines) == (6, [7, 9])


def test_the_floor_reads_the_template_files_and_terraform_files_discovery_looks_at(tmp_path):
    files = {
        "a/template.yaml": "Resources: {}\n",
        "a/b/stack.json": "{}\n",
        "infra/main.tf": 'resource "aws_sqs_queue" "q" {}\n',
        "infra/README.md": "not read\n",
        "node_modules/dep/template.yaml": "Resources: {}\n",  # a folder discovery never walks
    }
    for relpath, text in files.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(text)
    templates, terraform = speed_benchmark.corpus_files(tmp_path)
    assert sorted(path.relative_to(tmp_path).as_posix() for path in templates) == ["a/b/stack.json", "a/template.yaml"]
    assert [path.relative_to(tmp_path).as_posix() for path in terraform] == ["infra/main.tf"]
