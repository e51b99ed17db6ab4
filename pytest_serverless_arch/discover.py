"""Find deployment units in a directory tree, recognising templates by their content.

Discovery never follows a symlink out of the root, skips tool output and
dependency folders, and parses each candidate file once; the parsed document
travels on to the loaders.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from .config import DEFAULT_IGNORED_DIRS, LoadConfig
from .files import (
    UnreadableFile,
    WalkRoot,
    confine,
    confine_listed,
    decode_text,
    is_file,
    joined,
    read_confined,
    read_text,
    shown_path,
    walk,
    walk_root,
)
from .model import LoadError, Location, Note
from .parse import DuplicateKey, LineDict, ParseError, describe_value, parse_text

if TYPE_CHECKING:
    from .parallel import Team

__all__ = ["Candidate", "Discovery", "discover", "glob_matches", "local_target", "relative_posix"]

TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template", ".cfn"})
SERVERLESS_NAMES = frozenset({"serverless.yml", "serverless.yaml", "serverless.json"})
COMPOSE_NAMES = frozenset({"serverless-compose.yml", "serverless-compose.yaml", "serverless-compose.json"})
# JSON files that are never templates; skipping them saves parsing lock files.
NEVER_TEMPLATES = frozenset(
    {
        "package.json",
        "package-lock.json",
        "tsconfig.json",
        "composer.json",
        "cdk.json",
        "cdk.context.json",
        "tslint.json",
        ".eslintrc.json",
    }
)
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

# A cheap look at the text before parsing: does this file try to be a template? (The definition:
# looks_like_template answers what a search of it says, tests hold the two equal.)
_LOOKS_LIKE_TEMPLATE = re.compile(
    rb"""(?:^|[{,])\s*["']?(?:AWSTemplateFormatVersion|Resources|Transform)["']?\s*:|AWS::[A-Za-z0-9]+::""",
    re.MULTILINE,
)
_LOOKS_LIKE_SERVICE = re.compile(rb"""^["']?service["']?\s*:""", re.MULTILINE)
# The expression's two halves, searched one at a time: an AWS type name, which starts with a literal and is
# looked for from the first ``AWS::`` on (most templates name one near their top), then a template key at a
# line's (or a flow mapping's) start, which the engine tries at every position: only when a key word is there.
_AWS_TYPE = re.compile(rb"AWS::[A-Za-z0-9]+::")
_TEMPLATE_KEY = re.compile(
    rb"""(?:^|[{,])\s*["']?(?:AWSTemplateFormatVersion|Resources|Transform)["']?\s*:""",
    re.MULTILINE,
)
# What each expression cannot match without: looked for first (a substring search is many times faster than
# the expression's scan of a file that has none, as most JSON and YAML files of a repository have none).
_KEY_WORDS = (b"Resources", b"AWSTemplateFormatVersion", b"Transform")
_SERVICE_STARTS = (b"service", b'"service', b"'service")
_SERVICE_LINES = (b"\nservice", b'\n"service', b"\n'service")


def looks_like_template(data: bytes) -> bool:
    """Whether bytes try to be a CloudFormation template (a cheap look before parsing).

    >>> looks_like_template(b"Resources:\\n  Q: {Type: AWS::SQS::Queue}\\n"), looks_like_template(b'{"name": "app"}')
    (True, False)
    """
    # what _LOOKS_LIKE_TEMPLATE.search(data) says, a half at a time (see _TEMPLATE_KEY)
    first_type = data.find(b"AWS::")
    if first_type >= 0 and _AWS_TYPE.search(data, first_type) is not None:
        return True
    return any(word in data for word in _KEY_WORDS) and _TEMPLATE_KEY.search(data) is not None


def looks_like_service(data: bytes) -> bool:
    """Whether bytes have a ``service:`` key at a line's start (a Serverless Framework service, perhaps).

    >>> looks_like_service(b"service: shop\\nprovider: {name: aws}\\n"), looks_like_service(b"Service: x\\n")
    (True, False)
    """
    return (data.startswith(_SERVICE_STARTS) or any(start in data for start in _SERVICE_LINES)) and (
        _LOOKS_LIKE_SERVICE.search(data) is not None
    )


_LOCAL_PATH_KEYS = ("DefinitionUri", "Location", "TemplateURL", "ContentUri", "BodyS3Location", "DefinitionS3Location")
_FILE_VARIABLE = re.compile(r"\$\{file\(([^)~]+?)\)")
# Every key :func:`_template_includes` looks for, as a template's text spells it (``Location`` also ends
# ``BodyS3Location`` and ``DefinitionS3Location``, and is the key an ``Fn::Transform`` include needs).
# A key can be spelled otherwise only with escapes (JSON's ``\u``, YAML's double quotes): a text with a
# backslash is walked whatever it spells.
_MAY_NAME_LOCAL_FILES = re.compile(r"DefinitionUri|Location|TemplateURL|ContentUri|\\")

Sniffer = Callable[[str, str], str | None]
"""``(relpath, text) -> label or None``: a later stage's cheap look at a file's text while discovery has it."""


@dataclass
class Candidate:
    """A file (or directory, for Terraform and CDK) that holds one deployment unit."""

    path: Path
    relpath: str
    format: str  # cloudformation | sam | serverless | compose | terraform | cdk
    document: Any = None
    includes: tuple[tuple[str, int], ...] = ()  # CloudFormation/SAM: local files it pulls in (target, line)
    size: int = 0  # the bytes of its file as discovery read it: what loading it costs, for parallel loading


@dataclass
class Discovery:
    """What discovery found under one root."""

    root: Path
    candidates: list[Candidate] = field(default_factory=list)
    included: dict[str, tuple[str, int]] = field(default_factory=dict)  # file -> (includer, line)
    documents: dict[str, Any] = field(default_factory=dict)  # every parsed template-like file
    errors: list[LoadError] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    terraform_dirs: list[str] = field(default_factory=list)
    terraform_files: dict[str, int] = field(default_factory=dict)  # directory -> how many .tf files it holds
    samconfigs: dict[str, str] = field(default_factory=dict)  # directory -> samconfig relpath
    ignored: list[str] = field(default_factory=list)  # directories not walked (build output, ignore globs)
    classifications: Classifications | None = None  # the warm cache's memory of classified files
    unparsed: dict[str, _Later] = field(default_factory=dict)  # documents known to parse, parsed on first use
    sniff: Sniffer | None = None  # asked about the text of every file discovery reads (see :func:`discover`)
    sniffed: dict[str, str | None] = field(default_factory=dict)  # relpath -> what ``sniff`` said of its text
    # every file the walk listed and the ignore globs kept, relative to the root, in walk order, when the walk
    # went through the whole root (the pipeline scan looks at the same files: it walks no second time); else None
    walked: list[str] | None = None
    # files read and waiting to be parsed, when discovery parses them after the walk (in a Team: see discover())
    _pending: list[_Pending] | None = field(default=None, repr=False)

    def document_of(self, relpath: str) -> Any:
        """The parsed document of a template-like file discovery read, or None (parsed now if it was spared)."""
        if relpath not in self.documents and relpath in self.unparsed:
            self.documents[relpath] = self.unparsed.pop(relpath).get()
        return self.documents.get(relpath)


def relative_posix(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, with ``/`` (``..`` parts when it is outside).

    :func:`~pytest_serverless_arch.files.shown_path`'s string operations where ``os.path.relpath``
    and a ``PurePosixPath`` took five times as long, for each of the thousands of files discovery reads.

    >>> relative_posix(Path("/repo/a/template.yaml"), Path("/repo")), relative_posix(Path("/other/x.yaml"), Path("/repo"))
    ('a/template.yaml', '../other/x.yaml')
    """
    return shown_path(path, root)


def _glob_to_regex(pattern: str) -> re.Pattern[str]:
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        out.append({"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char)))
        index += 1
    return re.compile("".join(out) + r"(?:/.*)?\Z")


def glob_matches(pattern: str, relpath: str) -> bool:
    """gitignore-like matching: a pattern without ``/`` matches any path component."""
    pattern = pattern.strip().rstrip("/")
    if not pattern:
        return False
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if "/" not in pattern:
        return any(_glob_to_regex(pattern).match(part) for part in relpath.split("/"))
    return bool(_glob_to_regex(pattern.lstrip("/")).match(relpath))


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` exists and, symlinks followed, stays under ``root``."""
    try:
        confine(path, root)
    except UnreadableFile:
        return False
    return True


def classify(document: Any) -> str | None:
    """``cloudformation``, ``sam``, ``serverless`` or None, from a parsed document."""
    if not isinstance(document, Mapping):
        return None
    if "service" in document and "provider" in document:
        return "serverless"
    transform = document.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    is_sam = any(isinstance(item, str) and item.startswith("AWS::Serverless") for item in transforms)
    resources = document.get("Resources")
    has_aws_types = False
    if isinstance(resources, Mapping):
        for resource in resources.values():
            kind = resource.get("Type") if isinstance(resource, Mapping) else None
            if isinstance(kind, str):
                if kind.startswith("AWS::Serverless::"):
                    is_sam = True
                    has_aws_types = True
                elif kind.startswith(("AWS::", "Custom::", "Alexa::")):
                    has_aws_types = True
    if is_sam:
        return "sam"
    if "AWSTemplateFormatVersion" in document or has_aws_types:
        return "cloudformation"
    if (
        isinstance(resources, Mapping)
        and resources
        and all(isinstance(resource, Mapping) and "Type" in resource for resource in resources.values())
    ):
        return "cloudformation"  # module, registry or preprocessor types only: still a stack
    return None


def _walk(
    root: Path, start: Path, ignore: tuple[str, ...], notes: list[Note], pruned: list[str] | None = None
) -> Iterable[tuple[str, str, list[str]]]:
    """Folders under ``start`` (as ``os.walk`` names them), relative to ``root``, with their file names sorted.

    Pruned folders go into ``pruned``. A folder that cannot be listed is a note, not a silent gap.
    """

    def unlisted(error: OSError) -> None:
        where = relative_posix(Path(error.filename), root) if error.filename else "."
        reason = "permission denied" if isinstance(error, PermissionError) else (error.strerror or "error")
        notes.append(Note(Location(where), f"folder cannot be listed ({reason}); its files are not read"))

    for directory, dirnames, filenames in walk(start, root, onerror=unlisted):  # recorded: the warm cache sees a file added
        rel_dir = shown_path(directory, root)
        kept = []
        for name in sorted(dirnames):
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if name in DEFAULT_IGNORED_DIRS or name.endswith(".egg-info") or any(glob_matches(p, rel) for p in ignore):
                if pruned is not None:
                    pruned.append(rel)
                continue
            kept.append(name)
        dirnames[:] = kept
        yield directory, rel_dir, sorted(filenames)


def discover(
    paths: Iterable[str | os.PathLike[str]],
    root: str | os.PathLike[str],
    config: LoadConfig | None = None,
    *,
    classifications: Classifications | None = None,
    sniff: Sniffer | None = None,
    team: Team | None = None,
    prepare_terraform: Callable[[Discovery], object] | None = None,
    meanwhile: Callable[[Discovery], object] | None = None,
) -> Discovery:
    """Walk ``paths`` (files or directories under ``root``) and collect unit candidates.

    ``classifications`` remembers what each file's bytes were (see :class:`Classified`):
    a file it knows is not parsed until a reader asks for its document.
    ``sniff`` is asked about the text of every file discovery reads, and its
    answers kept in ``Discovery.sniffed`` (None for bytes that are not text):
    the pipeline scan looks for CodePipeline and samstacks files this way
    instead of reading every file a second time.
    With ``team`` (see :mod:`.parallel`), every file is read first and then parsed,
    shared out over ``config.jobs`` processes when that pays: each process keeps the
    documents it parsed (``team.holds`` says which), and the same :class:`Discovery`.
    ``prepare_terraform`` is run, in the process that is to load the Terraform
    directories, while the others parse (the loaders' shared index of them).
    ``meanwhile`` is run in this process once it has parsed its share, while the
    workers may still parse theirs (given the discovery as the walk left it: every
    file read and sniffed, none classified yet); not at all without workers.
    """
    config = config or LoadConfig()
    root_path = Path(root).resolve()
    discovery = Discovery(root_path, classifications=classifications, sniff=sniff)
    if team is not None:
        discovery._pending = []
    seen: set[str] = set()
    confined = walk_root(root_path)  # the root's real path, resolved once for every file the walk reads
    paths = list(paths)
    if len(paths) == 1 and Path(paths[0]) == root_path:
        discovery.walked = []  # a walk of the whole root, if the root is a folder (a file is not walked)
    for given in paths:
        start = Path(given)
        if not start.is_absolute():
            start = root_path / start
        if not _inside(start, root_path):
            discovery.errors.append(LoadError(str(given), 0, "path is outside the repository root; not read"))
            continue
        if is_file(start, root_path):
            discovery.walked = None
            _consider_file_safely(discovery, str(start), relative_posix(start, root_path), config, seen, explicit=True)
            continue
        for directory, rel_dir, filenames in _walk(root_path, start, config.ignore, discovery.notes, discovery.ignored):
            # a folder named with ``..`` (under a top given so) is confined by realpath itself, file by file
            listed = confined if ".." not in directory and os.path.isabs(directory) else None
            _consider_directory(discovery, directory, rel_dir, filenames, config, seen, listed)
    if team is not None:
        _classify_pending(discovery, config, team, prepare_terraform, meanwhile)
    _mark_included(discovery)
    return discovery


def _consider_directory(
    discovery: Discovery,
    directory: str,
    rel_dir: str,
    filenames: list[str],
    config: LoadConfig,
    seen: set[str],
    listed: WalkRoot | None = None,
) -> None:
    """The files of one folder the walk met (``rel_dir`` relative to the root), in the order given.

    With ``listed``, each file is confined as a name listed in ``directory`` (see
    :func:`~pytest_serverless_arch.files.confine_listed`), not as a path made anew.
    """
    root = discovery.root
    rels = [name if rel_dir == "." else f"{rel_dir}/{name}" for name in filenames]
    kept = [not _ignored(config, rel) for rel in rels] if config.ignore else [True] * len(rels)
    if discovery.walked is not None:
        discovery.walked.extend(rel for rel, keep in zip(rels, kept, strict=True) if keep)
    terraform_files = sum(1 for name, keep in zip(filenames, kept, strict=True) if keep and name.endswith((".tf", ".tf.json")))
    if terraform_files:
        discovery.terraform_dirs.append(rel_dir)
        discovery.terraform_files[rel_dir] = terraform_files
    if is_file(os.path.join(directory, "cdk.out", "manifest.json"), root) and _inside(Path(directory, "cdk.out"), root):
        manifest = Path(directory, "cdk.out")
        discovery.candidates.append(Candidate(manifest, relative_posix(manifest, root), "cdk"))
    elif "cdk.json" in filenames:
        discovery.notes.append(
            Note(
                Location(rels[filenames.index("cdk.json")]),
                "a CDK app without a cdk.out cloud assembly: run `cdk synth` first so its stacks can be read",
            )
        )
    for name in ("samconfig.toml", "samconfig.yaml", "samconfig.yml"):
        if name in filenames:
            discovery.samconfigs.setdefault(rel_dir, rels[filenames.index(name)])
    for name, rel, keep in zip(filenames, rels, kept, strict=True):
        if keep and not name.endswith(".tf.json"):  # Terraform, never a template
            _consider_file_safely(discovery, joined(directory, name), rel, config, seen, listed=listed)


def _consider_file_safely(
    discovery: Discovery,
    path: str,
    rel: str,
    config: LoadConfig,
    seen: set[str],
    explicit: bool = False,
    listed: WalkRoot | None = None,
) -> None:
    """:func:`_consider_file`, with a bug in a reader turned into a load error on this file: the other files still load."""
    try:
        _consider_file(discovery, path, rel, config, seen, explicit=explicit, listed=listed)
    except Exception as exc:
        discovery.errors.append(LoadError.internal(rel, exc))


def _ignored(config: LoadConfig, rel: str) -> bool:
    return any(glob_matches(pattern, rel) for pattern in config.ignore)


def _suffix(name: str) -> str:
    """``PurePath(name).suffix`` of a file name, without making a path (``.yaml`` alone has none).

    >>> _suffix("template.yaml"), _suffix(".yaml"), _suffix("a."), _suffix("a.b.json")
    ('.yaml', '', '', '.json')
    """
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _consider_file(
    discovery: Discovery,
    path: str,
    rel: str,
    config: LoadConfig,
    seen: set[str],
    explicit: bool = False,
    listed: WalkRoot | None = None,
) -> None:
    """Read one file (``path``, ``rel`` relative to the root) and keep what it is; with ``listed``, a file the walk listed."""
    name = os.path.basename(path)
    suffix = _suffix(name).lower()
    if suffix not in TEMPLATE_SUFFIXES or name in NEVER_TEMPLATES:
        if explicit:
            discovery.errors.append(LoadError(rel, 0, "not a template file (expected .yaml, .yml, .json or .template)"))
        return
    try:
        if listed is not None:
            real = confine_listed(os.path.dirname(path), name, listed)
        else:
            real = str(confine(path, discovery.root))
    except UnreadableFile as exc:
        if exc.cause == "outside":
            discovery.notes.append(Note(Location(rel), "symlink leads out of the repository; not followed"))
        else:
            discovery.errors.append(LoadError(rel, exc.line or 1, exc.message))
        return
    if real in seen:
        return
    seen.add(real)
    is_serverless_name = name in SERVERLESS_NAMES
    is_compose_name = name in COMPOSE_NAMES
    try:
        data = read_confined(real, discovery.root)  # confined a moment ago: not resolved again
    except UnreadableFile as exc:
        discovery.errors.append(LoadError(rel, exc.line or 1, exc.message))
        return
    try:
        text = decode_text(data, rel)
    except UnreadableFile as exc:
        if discovery.sniff is not None:
            discovery.sniffed[rel] = None
        # Not text: worth an error only when the bytes still look like a template or the name says so.
        if looks_like_template(data) or is_serverless_name or is_compose_name or explicit:
            discovery.errors.append(LoadError(rel, exc.line or 1, exc.message))
        return
    if discovery.sniff is not None:
        discovery.sniffed[rel] = discovery.sniff(rel, text)
    data = text.encode("utf-8", errors="surrogatepass")  # the sniffers below read UTF-8
    template_like = looks_like_template(data)
    # a service's look is asked last: most files a repository's walk reads look like templates already
    if not (template_like or is_serverless_name or is_compose_name or explicit or looks_like_service(data)):
        return
    memory = discovery.classifications
    key = classification_key(rel, explicit, data) if memory is not None else ""
    known = memory.recall(key) if memory is not None else None
    if known is not None:  # the same bytes classified before: parsed only if a reader asks for the document
        _keep(discovery, path, rel, known, _Later(text, suffix == ".json"), len(data))
        return
    if discovery._pending is not None:  # parsed after the walk, perhaps in another process; kept where it was read
        at = (len(discovery.errors), len(discovery.notes), len(discovery.candidates))
        discovery._pending.append(_Pending(path, rel, text, data, suffix, explicit, template_like, key, at))
        return
    classified, document = _classify_text(rel, text, data, suffix, explicit=explicit, looks_like_template=template_like)
    if memory is not None:
        memory.remember(key, classified)
    _keep(discovery, path, rel, classified, document, len(data))


@dataclass(frozen=True)
class Classified:
    """What discovery made of one file's text: the warm cache keeps it, so unchanged files are not parsed again.

    ``format`` is the candidate's format (``compose`` too), or None for a file
    that is no unit; ``parsed`` says the text parsed (its document is kept for
    nested stacks); ``includes`` are the local files a CloudFormation/SAM
    template pulls in, with their lines.
    """

    format: str | None
    parsed: bool
    includes: tuple[tuple[str, int], ...] = ()
    errors: tuple[LoadError, ...] = ()
    notes: tuple[Note, ...] = ()


class Classifications(Protocol):
    """Remembers :class:`Classified` records by :func:`classification_key` (the warm cache is one)."""

    def recall(self, key: str) -> Classified | None: ...

    def remember(self, key: str, classified: Classified) -> None: ...


def classification_key(relpath: str, explicit: bool, data: bytes) -> str:
    """What a classification depends on: the path (its name and its messages), whether it was named, the bytes."""
    digest = hashlib.blake2b(f"{relpath}\x00{explicit}\x00".encode("utf-8", "surrogateescape"), digest_size=20)
    digest.update(data)
    return digest.hexdigest()


class _Later:
    """A document discovery did not parse (its classification was remembered): parsed once, when first asked for."""

    def __init__(self, text: str, json_first: bool) -> None:
        self._text: str | None = text
        self._json_first = json_first
        self._document: Any = None

    def get(self) -> Any:
        if self._text is not None:
            # as discovery parses: a key written twice is kept last-wins (classification refused the rest)
            self._document = parse_text(self._text, json_first=self._json_first, duplicates=[])
            self._text = None
        return self._document


TERRAFORM_FILE_WEIGHT = 12_000
"""What reading a ``.tf`` file costs (parsed, evaluated, wired), in bytes of template parsed and loaded.

Measured on the shared corpus: its 337 ``.tf`` files cost about as much as 4 MB of YAML and JSON templates.
"""


@dataclass(frozen=True)
class _Pending:
    """A file read by the walk, to be parsed and classified after it (see :func:`_classify_pending`)."""

    path: str  # as the walk named it (a Path is made for the few that are units)
    rel: str
    text: str
    data: bytes
    suffix: str
    explicit: bool
    looks_like_template: bool
    key: str  # its classification_key, when the warm cache remembers classifications
    at: tuple[int, int, int]  # how many errors, notes and candidates discovery had when it was read


def _classify_pending(
    discovery: Discovery,
    config: LoadConfig,
    team: Team,
    prepare: Callable[[Discovery], object] | None = None,
    meanwhile: Callable[[Discovery], object] | None = None,
) -> None:
    """Parse and classify the files the walk read, over the team's processes, then keep each where it was read.

    Each process parses its share; what each file is (a :class:`Classified`, small) goes
    to every process; each keeps the documents it parsed, and the others' as text,
    parsed if a reader asks (:class:`_Later`). Errors, notes and candidates come out in
    the order the walk met the files, as if each had been parsed when it was read.
    """
    from .parallel import balance, workers_for

    pending, discovery._pending = discovery._pending or [], None
    # What each file costs to parse and load, in bytes. The Terraform directories are one more piece: they share
    # one index of every .tf directory, which their process builds (``prepare``) while the others parse. Their
    # units are small for the work they take (templates' units are as big as their documents), so a worker
    # takes them: this process unpickles what the workers loaded.
    terraform = len(pending)
    weights = [len(item.data) for item in pending]
    weights.append(TERRAFORM_FILE_WEIGHT * sum(discovery.terraform_files.values()))
    if not team.forked:
        team.start(workers_for(config.jobs, sum(weights), len(weights) - (weights[terraform] == 0)))
    if team.forked:
        shares = balance(weights, team.size, placed={terraform: team.size - 1})
    else:  # one process: the index is built by the first directory loaded, if any is (a warm cache may hold them all)
        shares = [list(range(len(pending)))]
    for rank, share in enumerate(shares):
        team.holds.update((pending[index].rel, rank) for index in share if index != terraform)
        if terraform in share:
            team.holds.update((relpath, rank) for relpath in discovery.terraform_dirs)
    parsed: dict[int, Any] = {}

    def classify(index: int, shipped: bool) -> Classified | LoadError | None:
        if index == terraform:
            if prepare is not None and discovery.terraform_dirs:
                with contextlib.suppress(Exception):  # a bug there is met again, and reported, loading the first directory
                    prepare(discovery)
            return None
        item = pending[index]
        try:
            classified, document = _classify_text(
                item.rel, item.text, item.data, item.suffix, explicit=item.explicit, looks_like_template=item.looks_like_template
            )
        except Exception as exc:  # a bug in a reader: a load error on this file, the other files still load
            return LoadError.internal(item.rel, exc)
        parsed[index] = document
        return classified

    waiting = (lambda: meanwhile(discovery)) if meanwhile is not None and team.forked else None
    results = team.share_out(classify, shares, meanwhile=waiting)
    errors, notes, candidates = discovery.errors, discovery.notes, discovery.candidates
    discovery.errors, discovery.notes, discovery.candidates = [], [], []
    taken = (0, 0, 0)
    memory = discovery.classifications
    for index, item in enumerate(pending):
        discovery.errors.extend(errors[taken[0] : item.at[0]])
        discovery.notes.extend(notes[taken[1] : item.at[1]])
        discovery.candidates.extend(candidates[taken[2] : item.at[2]])
        taken = item.at
        result = results[index]
        if result is None:  # cannot happen: only the Terraform piece has no classification
            continue
        if isinstance(result, LoadError):
            discovery.errors.append(result)
            continue
        if memory is not None:
            memory.remember(item.key, result)
        document = parsed[index] if index in parsed else _Later(item.text, item.suffix == ".json")
        _keep(discovery, item.path, item.rel, result, document, len(item.data))
    discovery.errors.extend(errors[taken[0] :])
    discovery.notes.extend(notes[taken[1] :])
    discovery.candidates.extend(candidates[taken[2] :])


class _ParsedOnUse(Candidate):
    """A candidate whose document is parsed when a reader first asks for it."""

    def __init__(
        self, path: Path, relpath: str, format: str, later: _Later, includes: tuple[tuple[str, int], ...], size: int = 0
    ) -> None:
        self._later: _Later | None = later
        super().__init__(path, relpath, format, None, includes, size)

    @property  # type: ignore[override]
    def document(self) -> Any:
        if self._later is not None:
            self._document = self._later.get()
            self._later = None
        return self._document

    @document.setter
    def document(self, value: Any) -> None:
        self._document = value


def _keep(discovery: Discovery, path: str, rel: str, classified: Classified, document: Any, size: int = 0) -> None:
    """Add what one file's classification says to ``discovery``; ``document`` may be a :class:`_Later`."""
    discovery.errors.extend(classified.errors)
    discovery.notes.extend(classified.notes)
    if not classified.parsed:
        return
    if isinstance(document, _Later):
        discovery.unparsed[rel] = document
    else:
        discovery.documents[rel] = document
    if classified.format is None:
        return
    if isinstance(document, _Later):
        discovery.candidates.append(_ParsedOnUse(Path(path), rel, classified.format, document, classified.includes, size))
    else:
        discovery.candidates.append(Candidate(Path(path), rel, classified.format, document, classified.includes, size))


def _classify_text(
    rel: str, text: str, data: bytes, suffix: str, *, explicit: bool, looks_like_template: bool
) -> tuple[Classified, Any]:
    """Parse and classify one file's text: what it is, and the errors and notes it gives (no state changed)."""
    name = rel.rpartition("/")[2]  # the file's name: ``rel`` is a file's normalised relative path
    is_serverless_name = name in SERVERLESS_NAMES
    is_compose_name = name in COMPOSE_NAMES
    errors: list[LoadError] = []
    notes: list[Note] = []
    duplicates: list[DuplicateKey] = []
    try:
        document = parse_text(text, json_first=suffix == ".json", duplicates=duplicates)
        if duplicates and classify(document) not in KEEPS_LAST_DUPLICATE:
            # the Serverless Framework's YAML reader (and any other tool) refuses a key written twice
            first = duplicates[0]
            raise ParseError(f"duplicate key {first.key!r} (first written on line {first.first_line})", first.line)
    except ParseError as exc:
        # Only files that try to be templates (or are named as services) are worth an error.
        if looks_like_template or is_serverless_name or is_compose_name or explicit:
            if data.strip() or is_serverless_name or explicit:
                errors.append(LoadError(rel, exc.line or 1, exc.message))
            elif looks_like_template:
                errors.append(LoadError(rel, 0, "empty file"))
        return Classified(None, False, errors=tuple(errors)), None
    if document is None and (is_serverless_name or explicit):
        return Classified(None, False, errors=(LoadError(rel, 0, "empty file"),)), None
    for duplicate in duplicates:
        notes.extend(duplicate_key_notes(rel, duplicate))
    if is_compose_name and isinstance(document, Mapping) and "services" in document:
        return Classified("compose", True, notes=tuple(notes)), document
    kind = classify(document)
    if kind is None:
        if is_serverless_name and isinstance(document, Mapping):
            errors.append(LoadError(rel, 1, "a serverless file without both `service:` and `provider:`"))
        elif is_serverless_name:
            errors.append(
                LoadError(rel, 1, f"a serverless service must be a mapping of settings, not {describe_value(document)}")
            )
        elif explicit:
            errors.append(LoadError(rel, 1, "not a CloudFormation, SAM or serverless template"))
        elif looks_like_template and isinstance(document, Mapping) and "Resources" in document:
            resources = document["Resources"]
            line = document.line_of("Resources") if isinstance(document, LineDict) else 1
            if not isinstance(resources, Mapping) and resources is not None:
                errors.append(
                    LoadError(
                        rel,
                        line,
                        f"`Resources` must be a mapping of logical ids to resources, not {describe_value(resources)}",
                    )
                )
            else:
                notes.append(Note(Location(rel, line), "a template without resources: not a deployment unit"))
        elif looks_like_template:
            notes.append(Note(Location(rel, 1), "mentions AWS types but has no `Resources` section: not read as a template"))
        return Classified(None, True, errors=tuple(errors), notes=tuple(notes)), document
    includes = (
        tuple(_template_includes(document))
        if kind in ("cloudformation", "sam") and isinstance(document, Mapping) and may_name_local_files(text)
        else ()
    )
    return Classified(kind, True, includes, tuple(errors), tuple(notes)), document


KEEPS_LAST_DUPLICATE = frozenset({"cloudformation", "sam"})
"""Formats whose deploying tools (``sam deploy``, ``aws cloudformation deploy``) keep a repeated key's last value."""


def duplicate_key_notes(path: str, duplicate: DuplicateKey) -> list[Note]:
    """A warning at both lines of a key written twice in a CloudFormation/SAM template.

    >>> for note in duplicate_key_notes("t.yaml", DuplicateKey("CodeUri", 9, 12)):
    ...     print(note)
    t.yaml:9: warning: duplicate key 'CodeUri', written again on line 12; this value is ignored (sam deploy keeps the last)
    t.yaml:12: warning: duplicate key 'CodeUri' (first written on line 9); this value is used, as sam deploy keeps the last
    """
    return [
        Note(
            Location(path, duplicate.first_line),
            f"warning: duplicate key {duplicate.key!r}, written again on line {duplicate.line}; "
            "this value is ignored (sam deploy keeps the last)",
        ),
        Note(
            Location(path, duplicate.line),
            f"warning: duplicate key {duplicate.key!r} (first written on line {duplicate.first_line}); "
            "this value is used, as sam deploy keeps the last",
        ),
    ]


def local_target(base_rel: str, value: Any) -> str | None:
    """The repository-relative path a file reference beside ``base_rel`` names.

    None for S3/HTTP/ARN locations, absolute paths and paths that leave the repository.
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or "://" in value or value.startswith(("s3:", "arn:", "{", "/")):
        return None
    joined = PurePosixPath(base_rel).parent / value
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _mark_included(discovery: Discovery) -> None:
    """Files that a template pulls in are parts of that unit, not units of their own."""
    includers: dict[str, set[str]] = {}
    formats = {candidate.relpath: candidate.format for candidate in discovery.candidates}
    for candidate in discovery.candidates:
        if candidate.format in ("cloudformation", "sam"):
            for target, line in candidate.includes:
                # resolved as sam build would (beside, from the root, from .aws-sam/build/)
                local = nested_template_path(candidate.relpath, target, discovery.root) or local_target(candidate.relpath, target)
                if local:
                    discovery.included.setdefault(local, (candidate.relpath, line))
                    includers.setdefault(local, set()).add(candidate.relpath)
        elif candidate.format == "serverless":
            try:
                text = read_text(candidate.path, discovery.root)
            except UnreadableFile:
                continue  # discovery read it a moment ago; the loader reports what changed
            for match in _FILE_VARIABLE.finditer(text):
                raw = match.group(1).strip().strip("'\"")
                local = local_target(candidate.relpath, raw)
                # A service that reads a value from another service's serverless.yml (or a template) does
                # not swallow it: that file is a unit in its own right, whoever else reads it.
                reads_value = text.startswith(":", match.end())
                if local and (formats.get(local) == "serverless" or (reads_value and local in formats)):
                    continue
                if local:
                    line = text.count("\n", 0, match.start()) + 1
                    discovery.included.setdefault(local, (candidate.relpath, line))
                    includers.setdefault(local, set()).add(candidate.relpath)
    kept = _cycle_heads(includers)
    discovery.candidates = [
        c
        for c in discovery.candidates
        if c.relpath not in discovery.included or c.relpath in kept or c.format in ("compose", "cdk")
    ]


NESTED_TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template", ".cfn"})
# Where ``sam build``/``sam package`` look for a local child: beside the template, from the
# repository root, and from the build folder (templates are often written for ``.aws-sam/build/``).
_BASES = ("", ".aws-sam/build/")


def nested_template_candidates(parent_relpath: str, value: Any) -> list[str]:
    """Repository-relative paths a local ``TemplateURL``/``Location`` may name, most likely first.

    >>> nested_template_candidates("svc/template.yaml", "../../shared/templates/dlq.yaml")
    ['shared/templates/dlq.yaml']
    >>> nested_template_candidates("svc/template.yaml", "child.yaml")
    ['svc/child.yaml', 'child.yaml', '.aws-sam/build/child.yaml']
    """
    if not isinstance(value, str) or PurePosixPath(value.strip()).suffix.lower() not in NESTED_TEMPLATE_SUFFIXES:
        return []  # ``TemplateURL: String`` and other placeholders name no file
    found: list[str] = []
    for base in (parent_relpath, *(f"{prefix}template.yaml" for prefix in _BASES)):
        local = local_target(base, value)
        if local and local not in found:
            found.append(local)
    return found


def is_local_template(value: Any) -> bool:
    """Whether a ``TemplateURL``/``Location`` names a file path (not S3, HTTP, a SAR app or a placeholder)."""
    if not isinstance(value, str) or PurePosixPath(value.strip()).suffix.lower() not in NESTED_TEMPLATE_SUFFIXES:
        return False
    text = value.strip()
    return "://" not in text and not text.startswith(("s3:", "arn:", "{", "/"))


def nested_template_path(parent_relpath: str, value: Any, root: Path | None = None) -> str | None:
    """The repository-relative path of a local child template, or None for S3/HTTP/SAR locations.

    With ``root``, the first candidate (see :func:`nested_template_candidates`) that exists
    there; when none does, the one beside the template, so its absence is reported.
    """
    candidates = nested_template_candidates(parent_relpath, value)
    if root is not None:
        for candidate in candidates:
            if is_file(root / candidate, root):
                return candidate
    return candidates[0] if candidates else None


def _cycle_heads(includers: Mapping[str, set[str]]) -> set[str]:
    """Files included only through a cycle (two templates nesting each other): the first of each cycle stays a unit.

    A file is part of a unit when some chain of includers reaches a file no
    one includes. Files that no such chain reaches include each other only:
    dropping them all would lose them silently, so the first of each group is
    kept as a unit and its loader reports the cycle.
    """
    reached: set[str] = set()
    pending = [path for path in includers if any(source not in includers for source in includers[path])]
    included_by: dict[str, set[str]] = {}
    for target, sources in includers.items():
        for source in sources:
            included_by.setdefault(source, set()).add(target)
    while pending:
        path = pending.pop()
        if path in reached:
            continue
        reached.add(path)
        pending.extend(included_by.get(path, ()))
    heads: set[str] = set()
    for path in sorted(set(includers) - reached):
        if path in reached:
            continue
        heads.add(path)
        group = [path]  # everything the head includes is read as part of it
        while group:
            member = group.pop()
            if member not in reached:
                reached.add(member)
                group.extend(included_by.get(member, ()))
    return heads


def may_name_local_files(text: str) -> bool:
    """Whether a template's text can hold a key that names a local file (``DefinitionUri``, ``TemplateURL``...).

    When it cannot, its parsed document is not walked for them: most templates
    name none, and a 19 MB template is millions of values to walk.

    >>> may_name_local_files("Resources:\\n  Q:\\n    Type: AWS::SQS::Queue\\n")
    False
    >>> may_name_local_files('{"Templ\\\\u0061teURL": "child.yaml"}'), may_name_local_files("DefinitionUri: api.yaml")
    (True, True)
    """
    return _MAY_NAME_LOCAL_FILES.search(text) is not None


def _template_includes(document: Mapping[str, Any]) -> Iterable[tuple[str, int]]:
    # Only mappings and lists go on the stack, and a key's line is looked up only for what is yielded or
    # walked: a 19 MB template is millions of scalars, and this walk was two fifths of reading it.
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, line = stack.pop()
        if isinstance(node, dict):
            lines = getattr(node, "key_lines", {})
            for key, value in node.items():
                if isinstance(value, str):
                    if key in _LOCAL_PATH_KEYS:
                        yield value, lines.get(key, line)
                    continue
                if not isinstance(value, (dict, list)):
                    continue
                value_line = lines.get(key, line)
                if key == "Fn::Transform" and isinstance(value, dict):
                    parameters = value.get("Parameters")
                    location = parameters.get("Location") if isinstance(parameters, Mapping) else None
                    if isinstance(location, str):
                        yield location, value_line
                stack.append((value, value_line))
        elif isinstance(node, list):
            stack.extend((item, line) for item in node if isinstance(item, (dict, list)))
