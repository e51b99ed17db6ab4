"""Bad input in pipelines is a note with file:line, never a traceback, and never loses the other pipelines."""

from __future__ import annotations

from pytest_serverless_arch.pipelines.shell import parse_script

from .helpers import read_pipeline_fixture


def test_broken_yaml_outside_scripts_include_loops_loops_and_eval_are_notes_and_the_rest_is_read():
    scan = read_pipeline_fixture("bad")
    assert [pipeline.name for pipeline in scan.pipelines] == ["odd"]
    (odd,) = scan.pipelines
    assert [(str(d.location), d.stack_name) for d in odd.deployments] == [
        ("mk/loop.mk:4", "shop-made"),
        (".github/workflows/odd.yml:11", "shop-${svc}"),
        (".github/workflows/odd.yml:14", "shop-root"),
    ]
    assert odd.deployments[1].unresolved == ("stack_name",)
    assert [str(note) for note in scan.notes] == [
        ".github/workflows/broken.yml:7: workflow not read: not readable YAML/JSON: invalid YAML: did not find"
        " expected key (while parsing a block mapping)",
        ".github/workflows/odd.yml:7: script ../outside/deploy.sh is outside the repository; not read",
        "mk/other.mk:1: include loop: mk/loop.mk -> mk/other.mk -> mk/loop.mk",
        ".github/workflows/odd.yml:10: a loop: its body is read once, with the loop variable unknown",
        ".github/workflows/odd.yml:13: eval: the command it builds is not read",
        ".github/workflows/odd.yml:11: cd services/$svc: the directory is not known offline",
    ]


def test_a_cd_inside_a_subshell_does_not_last_and_functions_are_notes():
    script = parse_script("deploy() {\n  sam deploy --stack-name $1\n}\n(cd app && ls)\nsam deploy\n", first_line=20)
    assert script.notes == ((20, "shell function deploy(): its body is read once, with its arguments unknown"),)
    assert [command.line for command in script.commands if hasattr(command, "line")] == [21, 23, 23, 24]


def test_garbage_shell_is_read_as_far_as_it_goes():
    script = parse_script('sam deploy --stack-name a\nif then fi ((( "\n', first_line=1)
    assert script.commands[0].argv_source() == ["sam", "deploy", "--stack-name", "a"]
    assert any("not understood" in message for _, message in script.notes)
