"""Reading a CI step's script the way the shell would meet it, without running anything.

The walker keeps what a person reading the script keeps in mind: the
working directory (``cd``, ``pushd``/``popd``, subshells), the variables
(CI ``env:``, assignments, ``export``), values read at deploy time
(``X=$(aws cloudformation describe-stacks ...)``), and which templates
``sam build``/``sam package`` produced. It follows one level (and a few
more, guarded against loops) into what a step calls: ``make TARGET``, local
shell scripts and ``npm run X``. Deploy commands become
:class:`~.model.Deployment` records in :class:`PipelineState`.

Example::

    state = PipelineState(root)
    run_script("cd app\\nsam deploy --stack-name shop", Frame(".github/workflows/ci.yml", first_line=12), state)
    state.deployments[0].working_directory  # "app"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..model import Location, Note
from . import make as make_reader
from . import scripts as script_reader
from .commands import Arg, Site, deploy_time_read, read_command, strip_wrappers
from .model import Deployment, DeployTimeRef
from .shell import Command, Scope, parse_script
from .source import join_path, read_text
from .values import Value, expand

__all__ = ["MAX_FOLLOW_DEPTH", "Frame", "PipelineState", "run_items", "run_script"]

MAX_FOLLOW_DEPTH = 6


@dataclass
class PipelineState:
    """What one pipeline's steps have produced so far, shared by its jobs in order."""

    root: Path
    deployments: list[Deployment] = field(default_factory=list)
    refs: list[DeployTimeRef] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)
    built: dict[str, str] = field(default_factory=dict)
    plans: dict[str, Deployment] = field(default_factory=dict)
    consumed_buildspecs: set[str] = field(default_factory=set)  # buildspecs a CodePipeline runs
    # What the current GitHub Actions step wrote to $GITHUB_ENV / $GITHUB_OUTPUT (the reader empties them per step).
    step_env: dict[str, Value] = field(default_factory=dict)
    step_outputs: dict[str, Value] = field(default_factory=dict)

    def note(self, location: Location, message: str) -> None:
        note = Note(location, message)
        if note not in self.notes:
            self.notes.append(note)


@dataclass
class Frame:
    """One running script: where it is written, where it runs, what it knows."""

    path: str
    first_line: int = 1
    cwd: str = "."
    env: dict[str, Value] = field(default_factory=dict)
    tokens: Mapping[str, Value] = field(default_factory=dict)
    job: str | None = None
    environment: str | None = None
    via: tuple[Location, ...] = ()
    following: tuple[str, ...] = ()  # scripts, targets and npm scripts being followed (a loop guard)


def run_script(text: str, frame: Frame, state: PipelineState) -> None:
    """Read ``text`` (starting at ``frame.first_line`` of ``frame.path``) into ``state``."""
    try:
        script = parse_script(text, frame.first_line)
    except (RecursionError, ValueError) as error:  # pathological input
        state.note(Location(frame.path, frame.first_line), f"shell script not readable: {error}")
        return
    for line, message in script.notes:
        state.note(Location(frame.path, line), message)
    _Runner(frame, state).run(script.commands)


def run_items(items: Sequence[tuple[str, int, str]], frame: Frame, state: PipelineState) -> None:
    """Read ``(text, first line, file)`` script items one shell runs in turn (a GitLab job, a buildspec).

    The working directory and variables carry from one item to the next.
    """
    for text, first_line, path in items:
        frame.first_line = first_line
        frame.path = path
        run_script(text, frame, state)


class _Runner:
    def __init__(self, frame: Frame, state: PipelineState) -> None:
        self.frame = frame
        self.state = state
        self.dir_stack: list[str] = []

    def site(self, line: int, env: Mapping[str, Value] | None = None) -> Site:
        return Site(
            root=self.state.root,
            path=self.frame.path,
            line=line,
            cwd=self.frame.cwd,
            env=env if env is not None else self.frame.env,
            job=self.frame.job,
            environment=self.frame.environment,
            via=self.frame.via,
            built=self.state.built,
            plans=self.state.plans,
        )

    def run(self, commands: Sequence[Command | Scope]) -> None:
        saved: list[tuple[str, dict[str, Value]]] = []
        for command in commands:
            if isinstance(command, Scope):
                if command.enter:
                    saved.append((self.frame.cwd, dict(self.frame.env)))
                elif saved:
                    self.frame.cwd, self.frame.env = saved.pop()
                continue
            self.command(command)

    # values -------------------------------------------------------------------------------
    def args(self, command: Command, env: Mapping[str, Value]) -> list[Arg]:
        return [Arg(expand(word, env, self.frame.tokens, self.substitute), word.line, word.source) for word in command.words]

    def substitute(self, commands: tuple[Command | Scope, ...], source: str) -> Value:
        lines = [self.args(command, self.frame.env) for command in commands if isinstance(command, Command) and command.words]
        if not lines:
            return Value(source, False)
        ref, note = deploy_time_read(lines, self.site(lines[0][0].line))
        if note is not None:
            self.state.note(note.location, note.message)
        if ref is not None:
            if ref not in self.state.refs:
                self.state.refs.append(ref)
            return Value(source, False, ref)
        return Value(source, False)

    def assign(self, command: Command, env: dict[str, Value]) -> None:
        for name, word in command.assignments:
            if word is None:
                continue
            env[name] = expand(word, self.frame.env, self.frame.tokens, self.substitute).value

    # commands -----------------------------------------------------------------------------
    def command(self, command: Command) -> None:
        if not command.words:
            self.assign(command, self.frame.env)
            return
        env = self.frame.env
        if command.assignments:  # VAR=value cmd: only for that command
            env = dict(env)
            self.assign(command, env)
        args = self.args(command, env)
        words = strip_wrappers(args)
        if not words:
            return
        argv = [arg.text for arg in words]
        name = argv[0]
        if command.appends_to is not None and name in ("echo", "printf"):
            self.github_file(command, words)
            return
        if name in ("cd", "pushd", "popd"):
            self.change_directory(name, words, command.line)
            return
        if name in ("make", "gmake"):
            self.follow_make(argv[1:], env, command.line)
            return
        inline = script_reader.inline_script(argv)
        if inline is not None:
            self.follow_text(words[inline].text, words[inline].line, env, command.line)
            return
        call = script_reader.script_call(argv)
        if call is not None and words[0].expanded.value.resolved:
            self.follow_script(call, env, command.line)
            return
        npm = script_reader.npm_call(argv)
        if npm is not None and self.follow_npm(npm, env, command.line, allow_missing=name != "npm"):
            return
        facts = read_command(words, self.site(command.line, env))
        self.state.deployments.extend(facts.deployments)
        self.state.built.update(dict(facts.builds))
        self.state.plans.update(dict(facts.plans))
        self.state.files_read.extend(path for path in facts.files_read if path not in self.state.files_read)
        for note in facts.notes:
            self.state.note(note.location, note.message)

    def github_file(self, command: Command, words: Sequence[Arg]) -> None:
        """``echo "K=V" >> $GITHUB_ENV`` (a variable of the later steps) or ``>> $GITHUB_OUTPUT`` (a step output)."""
        assert command.appends_to is not None
        target = command.appends_to.source.strip("\"'{}$")
        table = {"GITHUB_ENV": self.state.step_env, "GITHUB_OUTPUT": self.state.step_outputs}.get(target)
        if table is None:
            return
        for arg in words[1:]:
            text = arg.text
            if "=" in text and not text.startswith("-"):
                key = text.split("=", 1)[0]
                table[key] = arg.expanded.slice(len(key) + 1).value

    def change_directory(self, name: str, words: Sequence[Arg], line: int) -> None:
        if name == "popd":
            if self.dir_stack:
                self.frame.cwd = self.dir_stack.pop()
            return
        target = next((arg for arg in words[1:] if not arg.text.startswith("-")), None)
        if target is None:
            return  # cd with no argument goes home: outside the repository, nothing to read there
        value = target.expanded.value
        text = value.text
        for prefix in ("$GITHUB_WORKSPACE", "${GITHUB_WORKSPACE}", "$CI_PROJECT_DIR", "${CI_PROJECT_DIR}", "$CODEBUILD_SRC_DIR"):
            if text.startswith(prefix):
                text = "." + text[len(prefix) :]
        if not value.resolved and text == value.text:
            self.state.note(Location(self.frame.path, line), f"cd {target.source}: the directory is not known offline")
            return
        joined = join_path(self.frame.cwd, text)
        if joined is None:
            self.state.note(Location(self.frame.path, line), f"cd {text} leaves the repository")
            return
        if name == "pushd":
            self.dir_stack.append(self.frame.cwd)
        self.frame.cwd = joined

    # following ----------------------------------------------------------------------------
    def child(self, path: str, first_line: int, line: int, env: Mapping[str, Value], key: str, **changes: object) -> Frame | None:
        here = Location(self.frame.path, line)
        if key in self.frame.following:
            self.state.note(here, f"{key} calls itself; not followed again")
            return None
        if len(self.frame.following) >= MAX_FOLLOW_DEPTH:
            self.state.note(here, f"{key}: calls nested more than {MAX_FOLLOW_DEPTH} deep; not followed")
            return None
        frame = Frame(
            path=path,
            first_line=first_line,
            cwd=self.frame.cwd,
            env=dict(env),
            tokens=self.frame.tokens,
            job=self.frame.job,
            environment=self.frame.environment,
            via=(*self.frame.via, here),
            following=(*self.frame.following, key),
        )
        return replace(frame, **changes)  # type: ignore[arg-type]

    def follow_text(self, text: str, first_line: int, env: Mapping[str, Value], line: int) -> None:
        frame = self.child(self.frame.path, first_line, line, env, f"{self.frame.path}:{line}")
        if frame is not None:
            run_script(text, frame, self.state)

    def follow_script(self, call: tuple[str, list[str], bool], env: Mapping[str, Value], line: int) -> None:
        path, arguments, sourced = call
        here = Location(self.frame.path, line)
        if path.startswith("/"):
            return  # a program of the build machine (/usr/local/bin/dockerd), not a script of the repository
        relpath = join_path(self.frame.cwd, path)
        if relpath is None:
            self.state.note(here, f"script {path} is outside the repository; not read")
            return
        file = read_text(self.state.root, relpath)
        if file.text is None:
            if "/" in path or path.endswith((".sh", ".bash")):
                self.state.note(here, f"script {relpath} not read: {file.reason}")
            return
        if relpath not in self.state.files_read:
            self.state.files_read.append(relpath)
        child_env = dict(env)
        for index, argument in enumerate(arguments, start=1):
            child_env[str(index)] = Value(argument)
        frame = self.child(relpath, 1, line, child_env, relpath)
        if frame is None:
            return
        if sourced:  # `source x.sh` shares the caller's variables and directory
            frame.env = child_env
            runner = _Runner(frame, self.state)
            script = parse_script(file.text, 1)
            for note_line, message in script.notes:
                self.state.note(Location(relpath, note_line), message)
            runner.run(script.commands)
            for name, value in frame.env.items():
                if not name.isdigit():
                    self.frame.env[name] = value
            self.frame.cwd = frame.cwd
            return
        run_script(file.text, frame, self.state)

    def follow_make(self, argv: list[str], env: Mapping[str, Value], line: int) -> None:
        here = Location(self.frame.path, line)
        environment = {name: value.text for name, value in env.items() if value.resolved}
        run = make_reader.plan_make(self.state.root, self.frame.cwd, argv, here, environment)
        for note in run.notes:
            self.state.note(note.location, note.message)
        for path in run.files_read:
            if path not in self.state.files_read:
                self.state.files_read.append(path)
        for recipe in run.lines:
            key = f"make {recipe.target} ({recipe.location.path})"
            frame = self.child(recipe.location.path, recipe.location.line, line, env, key, cwd=run.directory)
            if frame is not None:
                frame.following = self.frame.following  # each recipe line is its own shell; the guard is per target
                if key in self.frame.following:
                    continue
                frame.following = (*self.frame.following, key)
                run_script(recipe.text, frame, self.state)

    def follow_npm(self, call: tuple[str, list[str]], env: Mapping[str, Value], line: int, *, allow_missing: bool) -> bool:
        name, extra = call
        scripts, relpath, problem = script_reader.npm_scripts(self.state.root, self.frame.cwd)
        here = Location(self.frame.path, line)
        if name not in scripts:
            if not allow_missing:
                self.state.note(here, f"npm script {name!r} not found in {relpath}" + (f" ({problem})" if problem else ""))
            return not allow_missing
        if relpath not in self.state.files_read:
            self.state.files_read.append(relpath)
        for step in (f"pre{name}", name, f"post{name}"):
            script = scripts.get(step)
            if script is None:
                continue
            text = script.text + ("" if step != name or not extra else " " + " ".join(_quote(arg) for arg in extra))
            frame = self.child(relpath, script.location.line, line, env, f"npm run {step} ({relpath})")
            if frame is not None:
                run_script(text, frame, self.state)
        return True


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
