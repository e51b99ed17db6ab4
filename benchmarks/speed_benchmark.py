"""Issue 19's figures in one run: the parsing floor, cold (and warm) runs, the scale table, the pytest overhead.

    python benchmarks/speed_benchmark.py [--corpus PATH] [--runs 3] [--scale 1000,10000,100000] [--skip-big]
                                         [--sections corpus,scale,pytest,others]

Every figure is a whole process against a whole process (``python -m ...`` in a
child, started the same way), the median of ``--runs`` runs, wall-clock seconds
and CPU seconds (user + system of the child: steadier than wall time on a shared
machine). Peak memory is the child's peak resident set (``ru_maxrss``).

- floor: a child that reads the same files and parses them with nothing else:
  libyaml ``CSafeLoader`` with the CloudFormation short-form tags for YAML/JSON
  templates, and the fastest HCL parser installed for ``.tf`` files
  (``tree-sitter-hcl`` when importable, else ``python-hcl2``, which the
  Terraform reader uses).
- cold: ``python -m pytest_serverless_arch report CORPUS --format json --no-cache``:
  load, link, every built-in rule, the JSON report; on every idle core
  (``--jobs auto``), and again in one process (``--jobs 1``).
- warm: the same with ``--cache-dir`` a fresh folder, once to fill it, then measured.
- scale: generated repositories of 50 resources per template (1k, 10k, 100k
  resources), then one single ~19 MB template.
- pytest overhead: a 10-template service repository whose suite has trivial
  tests, run with ``-p no:serverless_arch``, then with the plugin and its gate
  (every built-in rule as a test item), without and with ``-n 2``.
- ``--arch-changed-since``, when the plugin has it: a one-template edit against
  the full gate on a 10-template and a 200-template repository, with pytest's
  cache off and warm, beside the pytest floor (``-p no:serverless_arch``) so the
  gate's own share of each figure shows.
- cfn-lint and checkov on the corpus's CloudFormation, when on ``PATH``.

``python benchmarks/speed_benchmark.py --floor CORPUS`` is the floor's child.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]
# /work/main and /work/wt/NAME both find /work/shared/corpus
DEFAULT_CORPUS = next(
    (base / "shared" / "corpus" for base in (REPO.parent, REPO.parent.parent) if (base / "shared" / "corpus").is_dir()),
    REPO.parent / "shared" / "corpus",
)
CFN_TAGS = ("Ref", "Condition", "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join")
CFN_TAGS += ("Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString")


@dataclass(frozen=True)
class Timing:
    """One child process: wall and CPU seconds, peak resident memory, exit status."""

    wall: float
    cpu: float
    peak_mib: float
    returncode: int


# Children run with Python's bytecode cache on, as in any installed environment (a machine may set
# PYTHONDONTWRITEBYTECODE=1: then every run compiles the package again, and pytest rewrites the asserts of
# every module of a plugin's package again, which no user's second run pays).
CHILD_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_child(command: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Timing:
    """Run ``command`` with its output discarded and measure it (``os.wait4`` gives the child's own usage)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(CHILD_ENV, **(env or {})),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return Timing(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode)


def median_of(runs: int, command: Sequence[str], cwd: Path | None = None, *, warm_up: bool = False) -> Timing:
    """The median wall and CPU of ``runs`` runs, the largest peak memory, the last exit status."""
    if warm_up:  # fills the bytecode caches and the file system cache, as a user's earlier runs have
        run_child(command, cwd)
    timings = [run_child(command, cwd) for _ in range(runs)]
    return Timing(
        statistics.median(t.wall for t in timings),
        statistics.median(t.cpu for t in timings),
        max(t.peak_mib for t in timings),
        timings[-1].returncode,
    )


def show(label: str, timing: Timing, base: Timing | None = None) -> None:
    ratio = f"  {timing.wall / base.wall:5.2f}x wall  {timing.cpu / base.cpu:5.2f}x cpu" if base else ""
    failed = "" if timing.returncode in (0, 1) else f"  (exit {timing.returncode})"
    print(f"  {label:<34} {timing.wall:7.2f} s wall {timing.cpu:7.2f} s cpu {timing.peak_mib:7.0f} MiB{ratio}{failed}")


# ---------------------------------------------------------------- the floor (child)


def corpus_files(root: Path) -> tuple[list[Path], list[Path]]:
    """The template files discovery would look at, and the ``.tf`` files, under ``root``."""
    from pytest_serverless_arch.discover import TEMPLATE_SUFFIXES, _walk

    templates, terraform = [], []
    for directory, _relative, names in _walk(root, root, (), []):
        for name in names:
            suffix = Path(name).suffix.lower()
            if suffix == ".tf":
                terraform.append(Path(directory, name))
            elif suffix in TEMPLATE_SUFFIXES:
                templates.append(Path(directory, name))
    return templates, terraform


def hcl_parser() -> tuple[str, Callable[[bytes], object]]:
    """The fastest HCL parser installed: tree-sitter-hcl (C), else python-hcl2 (pure Python)."""
    try:
        import tree_sitter
        import tree_sitter_hcl

        parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
        return "tree-sitter-hcl", parser.parse
    except ImportError:
        import hcl2

        def parse(data: bytes) -> object:
            with contextlib.suppress(Exception):
                return hcl2.loads(data.decode("utf-8", "replace"))
            return None

        return "python-hcl2", parse


def floor(root: Path) -> None:
    """Parse every template with bare libyaml and every .tf file with the fastest HCL parser; print the split."""
    import yaml

    class Bare(yaml.CSafeLoader):  # type: ignore[misc]
        pass

    for tag in CFN_TAGS:
        Bare.add_constructor(f"!{tag}", lambda loader, node: None)
    templates, terraform = corpus_files(root)
    start = time.perf_counter()
    for path in templates:
        with contextlib.suppress(yaml.YAMLError, ValueError, OSError):
            yaml.load(path.read_bytes(), Loader=Bare)
    middle = time.perf_counter()
    name, parse = hcl_parser()
    for path in terraform:
        with contextlib.suppress(OSError):
            parse(path.read_bytes())
    end = time.perf_counter()
    print(f"{len(templates)} templates {middle - start:.2f} s; {len(terraform)} .tf ({name}) {end - middle:.2f} s")


# ---------------------------------------------------------------- generated repositories

QUEUE_FUNCTION = """\
  Queue{n}:
    Type: AWS::SQS::Queue
  Topic{n}:
    Type: AWS::SNS::Topic
  Subscription{n}:
    Type: AWS::SNS::Subscription
    Properties:
      Protocol: sqs
      TopicArn: !Ref Topic{n}
      Endpoint: !GetAtt Queue{n}.Arn
  Function{n}:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: {{ZipFile: "def handler(event, context): return None"}}
      Role: arn:aws:iam::123456789012:role/service-{unit}
      Environment:
        Variables:
          TOPIC_ARN: !Ref Topic{n}
  Mapping{n}:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Function{n}
      EventSourceArn: !GetAtt Queue{n}.Arn
"""
PER_GROUP = 5


def template_text(unit: int, resources: int) -> str:
    """A CloudFormation template of ``resources`` resources (a multiple of 5): queue, topic, subscription, function, mapping."""
    groups = "".join(QUEUE_FUNCTION.format(n=n, unit=unit) for n in range(resources // PER_GROUP))
    return f"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n{groups}"


def write_repository(base: Path, templates: int, per_template: int) -> Path:
    """``templates`` services, each ``services/sNNNN/template.yaml`` with ``per_template`` resources."""
    for unit in range(templates):
        service = base / "services" / f"s{unit:04d}"
        service.mkdir(parents=True)
        (service / "template.yaml").write_text(template_text(unit, per_template))
    return base


def write_pytest_repository(base: Path, templates: int = 10) -> Path:
    """A service repository of ``templates`` templates with a small test suite and the gate configured."""
    write_repository(base, templates, 50)
    (base / "tests").mkdir()
    tests = "".join(f"def test_business_rule_{n}():\n    assert {n} + 1 == {n + 1}\n\n\n" for n in range(5))
    (base / "tests" / "test_app.py").write_text(tests)
    rules = "".join(f"    {rule}\n" for rule in ("trigger-colocated", "no-unit-cycles", "no-dangling-references"))
    (base / "pytest.ini").write_text(f"[pytest]\ntestpaths = tests\nserverless_arch_rules =\n{rules}")
    return base


# ---------------------------------------------------------------- sections


def section_corpus(corpus: Path, runs: int) -> None:
    print(f"\n## Corpus: {corpus}")
    templates, terraform = corpus_files(corpus)
    size = sum(path.stat().st_size for path in [*templates, *terraform]) / 1e6
    print(f"  {len(templates)} template files + {len(terraform)} .tf files, {size:.1f} MB")
    split = subprocess.run([sys.executable, str(HERE), "--floor", str(corpus)], capture_output=True, text=True)
    print(f"  floor split (in the child): {split.stdout.strip()}")
    base = median_of(runs, [sys.executable, str(HERE), "--floor", str(corpus)])
    show("floor (libyaml + fastest HCL)", base)
    report = [sys.executable, "-m", "pytest_serverless_arch", "report", str(corpus), "--format", "json", "-o", os.devnull]
    cold = median_of(runs, [*report, "--no-cache"] if has_cli_cache() else report)
    show("cold: report --format json", cold, base)
    if cli_has("--jobs"):  # the cold run above is --jobs auto (every idle core); then one process, and every core
        chosen, cores, load = processes_here(templates, terraform)
        print(f"  --jobs auto: {chosen} process{'es' if chosen > 1 else ''} here ({cores} usable cores, load average {load:.2f})")
        show("cold, --jobs 1 (one process)", median_of(runs, [*report, "--no-cache", "--jobs", "1"]), base)
        if cores > 1 and chosen != cores:
            show(f"cold, --jobs {cores} (every core)", median_of(runs, [*report, "--no-cache", "--jobs", str(cores)]), base)
    if has_cli_cache():
        with tempfile.TemporaryDirectory() as folder:  # a cache of its own: never the user's, never the corpus
            warm = [*report, "--cache-dir", folder]
            run_child(warm)  # fills the cache
            show("warm: report --format json", median_of(runs, warm), base)
    else:
        print("  warm: not measured: the command line has no cache (--no-cache) yet")
    without_tf = median_of(runs, [*report, "--ignore", "*.tf", *(["--no-cache"] if has_cli_cache() else [])])
    show("cold, .tf files ignored", without_tf, base)


def has_cli_cache() -> bool:
    return cli_has("--no-cache")


def cli_has(flag: str) -> bool:
    help_text = subprocess.run(
        [sys.executable, "-m", "pytest_serverless_arch", "report", "--help"], capture_output=True, text=True
    ).stdout
    return flag in help_text


def processes_here(templates: Sequence[Path], terraform: Sequence[Path]) -> tuple[int, int, float]:
    """How many processes ``--jobs auto`` takes for the corpus now, the usable cores and the load average.

    Asked of the package (``parallel.workers_for``) with what discovery weighs: the templates' bytes and
    the ``.tf`` files; the load may move during the runs.
    """
    from pytest_serverless_arch import parallel
    from pytest_serverless_arch.discover import TERRAFORM_FILE_WEIGHT

    work = sum(path.stat().st_size for path in templates) + TERRAFORM_FILE_WEIGHT * len(terraform)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return parallel.workers_for(None, work, len(templates) + 1), parallel.usable_cores(), load


def section_scale(sizes: Sequence[int], runs: int, skip_big: bool) -> None:
    # cold runs: with the warm cache on, the second and third run of a size would read the first one's units
    cold_flags = ["--no-cache"] if has_cli_cache() else []
    # one process: the table is the cost of a size (CPU per 1,000 resources); a worker forked past 1.5 MB of
    # templates would add its own CPU (pickling what it loaded) to the big sizes only (the corpus section has both)
    cold_flags += ["--jobs", "1"] if cli_has("--jobs") else []
    print("\n## Scale: generated CloudFormation repositories, 50 resources a template")
    print(f"  {'resources':>9} {'templates':>9} {'wall s':>8} {'cpu s':>8} {'cpu s/1k res':>12} {'peak MiB':>9}")
    for resources in sizes:
        with tempfile.TemporaryDirectory(prefix="speed-scale-") as temp:
            repo = write_repository(Path(temp), resources // 50, 50)
            output = Path(temp) / "report.json"
            command = [sys.executable, "-m", "pytest_serverless_arch", "report", str(repo), "-o", str(output), *cold_flags]
            timing = median_of(runs if resources <= 10_000 else 1, command)
            per_k = timing.cpu / (resources / 1000)
            print(
                f"  {resources:>9} {resources // 50:>9} {timing.wall:>8.2f} {timing.cpu:>8.2f} {per_k:>12.3f} "
                f"{timing.peak_mib:>9.0f}  {loaded(output)}{'' if timing.returncode in (0, 1) else f'  exit {timing.returncode}'}"
            )
    if skip_big:
        return
    with tempfile.TemporaryDirectory(prefix="speed-big-") as temp:
        repo = Path(temp)
        per_resource = len(template_text(0, 1000)) / 1000
        resources = int(19e6 / per_resource) // PER_GROUP * PER_GROUP  # about 19 MB of template text
        (repo / "template.yaml").write_text(template_text(0, resources))
        megabytes = (repo / "template.yaml").stat().st_size / 1e6
        output = repo / "report.json"
        command = [sys.executable, "-m", "pytest_serverless_arch", "report", str(repo), "-o", str(output), *cold_flags]
        show(f"one {megabytes:.1f} MB template ({resources} res.)", run_child(command))
        print(f"  {'':<34} {loaded(output)}")


def loaded(report: Path) -> str:
    """What a JSON report says was loaded: units, functions, triggers, load errors (the first one's text)."""
    try:
        document = json.loads(report.read_text())
    except (OSError, ValueError):
        return "no report"
    counts = ", ".join(f"{len(document[key])} {key}" for key in ("units", "functions", "triggers", "errors"))
    first = document["errors"][0] if document["errors"] else None
    return counts + (f": {json.dumps(first)[:120]}" if first else "")


def section_pytest(runs: int) -> None:
    print("\n## pytest overhead: 10 templates (500 resources), 5 trivial tests; gate = 3 rule items")
    with tempfile.TemporaryDirectory(prefix="speed-pytest-") as temp:
        repo = write_pytest_repository(Path(temp))
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        # and pytest's default: its cache directory on, where the gate keeps loaded units (warmed by the first run)
        cached = [sys.executable, "-m", "pytest", "-q"]
        for command, cache_label in ((pytest, ""), (cached, ", warm cache")):
            for extra in ([], ["-n", "2"]):
                label = (" ".join(extra) or "serial") + cache_label
                without = median_of(runs, [*command, *extra, "-p", "no:serverless_arch"], cwd=repo, warm_up=True)
                with_plugin = median_of(runs, [*command, *extra], cwd=repo, warm_up=True)
                show(f"{label}: -p no:serverless_arch", without)
                show(f"{label}: plugin + gate", with_plugin, without)
                print(
                    f"  {label}: the plugin adds {with_plugin.wall - without.wall:+.2f} s wall, "
                    f"{with_plugin.cpu - without.cpu:+.2f} s cpu"
                )


def section_changed(runs: int) -> None:
    """``--arch-changed-since=HEAD`` against the full gate, each run after an edit of its own (as a pushed change).

    The pytest floor (``-p no:serverless_arch``) is printed too, so the gate's own share of each figure shows.
    """
    for templates in (10, 200):
        print(f"\n## --arch-changed-since: {templates} templates, a template edited before each run")
        with tempfile.TemporaryDirectory(prefix="speed-changed-") as temp:
            repo = write_pytest_repository(Path(temp), templates)
            pytest = ["-m", "pytest", "-q"]
            floor = median_of(runs, [sys.executable, *pytest, "-p", "no:serverless_arch"], cwd=repo, warm_up=True)
            show("pytest floor: -p no:serverless_arch", floor)
            section_changed_since(repo, [*pytest, "-p", "no:cacheprovider"], runs, floor=floor)
            section_changed_since(repo, pytest, runs, label="warm cache: ", init=False, floor=floor)


# Each measured run first appends a queue of a new name to one template, so no run sees the tree the run before
# it saw (the gate would replay it): the figure is a gate's first run after a change, as on a pushed commit.
EDIT_THEN_RUN = """\
import os, sys, time
path = "services/s0003/template.yaml"
with open(path, "a") as template:
    template.write(f"  Extra{time.time_ns()}:\\n    Type: AWS::SQS::Queue\\n")
os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
"""


def section_changed_since(
    repo: Path, pytest: list[str], runs: int, *, label: str = "", init: bool = True, floor: Timing | None = None
) -> None:
    help_text = subprocess.run([sys.executable, *pytest, "--help"], cwd=repo, capture_output=True, text=True).stdout
    if "--arch-changed-since" not in help_text:
        print("  --arch-changed-since: not measured: the plugin has no such option on this checkout")
        return
    if init:  # one commit; every run then edits a template after it
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
        for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
            subprocess.run([*git, *command], cwd=repo, check=True)
    edited = [sys.executable, "-c", EDIT_THEN_RUN]
    full = median_of(runs, [*edited, *pytest], cwd=repo, warm_up=True)
    changed = median_of(runs, [*edited, *pytest, "--arch-changed-since=HEAD"], cwd=repo, warm_up=True)
    show(f"{label}full gate, a template edited", full)
    show(f"{label}--arch-changed-since=HEAD", changed, full)
    if floor is not None:  # what the gate itself costs, above a pytest run without the plugin
        own_full, own_changed = full.cpu - floor.cpu, changed.cpu - floor.cpu
        ratio = f"{own_changed / own_full:.2f}x" if own_full > 0 else "n/a"
        print(
            f"  {label}the gate's own cpu: full {own_full:+.2f} s, --arch-changed-since {own_changed:+.2f} s "
            f"({ratio} of the full gate's own)"
        )


def section_others(corpus: Path) -> None:
    print("\n## Other tools on the corpus (whole process, once), when on PATH")
    for tool, arguments in (
        ("cfn-lint", ["--", str(corpus / "**" / "*.yaml")]),
        ("checkov", ["-d", str(corpus), "--quiet", "--compact"]),
    ):
        executable = shutil.which(tool)
        if executable is None:
            print(f"  {tool}: not installed")
            continue
        show(tool, run_child([executable, *arguments]))


SECTIONS = ("corpus", "scale", "pytest", "changed", "others")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is printed (default: 3)")
    parser.add_argument("--scale", default="1000,10000,100000", help="resource counts of the scale table")
    parser.add_argument("--skip-big", action="store_true", help="leave out the single ~19 MB template")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"which sections to run, comma-separated (default: all of {', '.join(SECTIONS)})",
    )
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.floor is not None:
        floor(options.floor)
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    sections = {name.strip() for name in options.sections.split(",")}
    if "corpus" in sections:
        if options.corpus.is_dir():
            section_corpus(options.corpus, options.runs)
        else:
            print(f"\n## Corpus: none at {options.corpus}; floor and cold runs skipped")
    if "scale" in sections:
        section_scale([int(size) for size in options.scale.split(",")], options.runs, options.skip_big)
    if "pytest" in sections:
        section_pytest(options.runs)
    if "changed" in sections:
        section_changed(options.runs)
    if "others" in sections and options.corpus.is_dir():
        section_others(options.corpus)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
