"""Jenkins: the ``sh`` steps of a ``Jenkinsfile``, read without a Groovy interpreter.

The reader follows what the shell sees: ``environment { NAME = 'value' }``
blocks, ``withEnv(['NAME=value'])`` and ``withAWS(region: ...)`` blocks,
``dir('path') { ... }`` for the working directory, and the text of ``sh
'...'``, ``sh "..."``, ``sh '''...'''``, ``sh \"\"\"...\"\"\"`` and ``sh(script:
'...')``. Groovy's ``${env.NAME}`` reads the same variable as the shell's
``${NAME}``. Each ``stage('name')`` is a job; the whole file is one pipeline.
Scripted Groovy (loops, closures, ``load``) is not evaluated.

Example::

    stage('deploy') {
      steps {
        dir('app') { sh 'sam deploy --stack-name shop-app' }
      }
    }
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Location
from .model import Pipeline
from .values import Value
from .walk import Frame, PipelineState, run_script

__all__ = ["read_jenkinsfile"]

_TOKEN = re.compile(
    r"""(?P<comment>//[^\n]*|/\*.*?\*/)
    |(?P<sh>\bsh\s*(?:\(\s*(?:script\s*:\s*)?|(?:script\s*:\s*)?)(?P<quote>'''|\"\"\"|'|"))
    |(?P<env>\benvironment\s*\{)
    |(?P<dir>\bdir\s*\(\s*(?P<dq>['"])(?P<dirpath>[^'"]*)(?P=dq)\s*\)\s*\{)
    |(?P<withenv>\bwithEnv\s*\(\s*\[(?P<pairs>[^\]]*)\]\s*\)\s*\{)
    |(?P<withaws>\bwithAWS\s*\((?P<awsargs>[^)]*)\)\s*\{)
    |(?P<stage>\bstage\s*\(\s*(?P<sq>['"])(?P<stagename>[^'"]*)(?P=sq)\s*\)\s*\{)
    |(?P<open>\{)|(?P<close>\})
    |(?P<string>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""",
    re.VERBOSE | re.DOTALL,
)
_ASSIGNMENT = re.compile(r"""^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'([^']*)'|"([^"]*)"|(\S+))""", re.MULTILINE)
_GROOVY_ENV = re.compile(r"\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}")


def _string_end(text: str, start: int, quote: str) -> int:
    if len(quote) == 3:
        end = text.find(quote, start)
        return end if end >= 0 else len(text)
    index = start
    while index < len(text) and text[index] != quote:
        index += 2 if text[index] == "\\" else 1
    return index


def read_jenkinsfile(root: Path, relpath: str, state: PipelineState) -> Pipeline | None:
    from .source import read_text

    file = read_text(root, relpath)
    if file.text is None:
        state.note(Location(relpath, file.line), f"Jenkinsfile not read: {file.reason}")
        return None
    state.files_read.append(relpath)
    text = file.text
    env: dict[str, Value] = {}
    # a stack of what each open brace started: (kind, saved cwd, saved env, saved stage)
    stack: list[tuple[str, str, dict[str, Value], str | None]] = []
    cwd, stage = ".", None
    position = 0
    while True:
        match = _TOKEN.search(text, position)
        if match is None:
            break
        position = match.end()
        line = text.count("\n", 0, match.start()) + 1
        if match.group("sh"):
            quote = match.group("quote")
            end = _string_end(text, position, quote)
            body = text[position:end]
            position = end + len(quote)
            if len(quote) == 3 and body.startswith("\n"):
                body, line = body[1:], line + 1
            body = _GROOVY_ENV.sub(r"${\1}", body.replace("\\$", "$") if quote.startswith('"') else body)
            run_script(body, Frame(relpath, line, cwd, dict(env), job=stage), state)
        elif match.group("env"):
            end = text.find("}", position)
            block = text[position : end if end >= 0 else len(text)]
            for name, single, double, bare in _ASSIGNMENT.findall(block):
                raw = single or double or bare
                env[name] = Value(raw, not raw.startswith(("credentials(", "$")))
            position = end + 1 if end >= 0 else len(text)
        elif match.group("dir"):
            stack.append(("dir", cwd, dict(env), stage))
            from .source import join_path

            cwd = join_path(cwd, match.group("dirpath")) or cwd
        elif match.group("withenv"):
            stack.append(("withEnv", cwd, dict(env), stage))
            for pair in re.findall(r"""['"]([^'"=]+)=([^'"]*)['"]""", match.group("pairs")):
                env[pair[0]] = Value(pair[1])
        elif match.group("withaws"):
            stack.append(("withAWS", cwd, dict(env), stage))
            region = re.search(r"""region\s*:\s*(?:'([^']*)'|"([^"]*)"|env\.(\w+))""", match.group("awsargs"))
            if region:
                value = region.group(1) or region.group(2)
                env["AWS_REGION"] = Value(value) if value else env.get(region.group(3) or "", Value("", False))
        elif match.group("stage"):
            stack.append(("stage", cwd, dict(env), stage))
            stage = match.group("stagename")
        elif match.group("open"):
            stack.append(("block", cwd, env, stage))
        elif match.group("close") and stack:
            kind, saved_cwd, saved_env, saved_stage = stack.pop()
            if kind != "block":
                cwd, env, stage = saved_cwd, saved_env, saved_stage
    return Pipeline(
        name=relpath,
        system="jenkins",
        location=Location(relpath, 1),
        deployments=tuple(state.deployments),
        deploy_time_refs=tuple(state.refs),
    )
