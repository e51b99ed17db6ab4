"""What the pipeline readers hand to the rest of the tool: typed facts, no CI syntax.

A *pipeline* is what one CI definition runs (a GitHub Actions workflow, a
GitLab CI file or group of jobs, a CodePipeline, a buildspec): an ordered list
of :class:`Deployment` records, each one deploy command (``sam deploy``,
``aws cloudformation deploy``, ``serverless deploy``, ``terraform apply``,
``cdk deploy``, ``rain deploy``) found in the pipeline's steps or in the
Makefile targets, shell scripts and ``package.json`` scripts they call.

The readers only read; nothing of the repository is ever executed. Whatever
they cannot understand becomes a :class:`~pytest_serverless_arch.model.Note`
at its file and line.

Example: a workflow that deploys ``infra/template.yaml`` and then ``app/``::

    Pipeline(
        name="deploy",
        system="github-actions",
        location=Location(".github/workflows/deploy.yml", 1),
        deployments=(
            Deployment(tool="sam", template="infra/template.yaml", stack_name="shop-infra", ...),
            Deployment(tool="serverless", working_directory="app", stage="prod", ...),
        ),
    )
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..model import Location, Note

__all__ = [
    "DEPLOY_TOOLS",
    "PIPELINE_SYSTEMS",
    "Deployment",
    "DeployTimeRef",
    "ParameterValue",
    "Pipeline",
    "PipelineScan",
]

PipelineSystem = Literal[
    "github-actions",
    "gitlab-ci",
    "codepipeline",
    "buildspec",
    "bitbucket-pipelines",
    "circleci",
    "azure-pipelines",
    "jenkins",
    "samstacks",  # a samstacks manifest: SAM stacks deployed in order
    "makefile",  # a Makefile target no CI definition calls, read because a person runs it
    "script",  # likewise a deploy script
]
PIPELINE_SYSTEMS: tuple[str, ...] = PipelineSystem.__args__  # type: ignore[attr-defined]

DeployTool = Literal["sam", "cloudformation", "serverless", "terraform", "cdk", "rain"]
DEPLOY_TOOLS: tuple[str, ...] = DeployTool.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DeployTimeRef:
    """A value a deploy step reads from another stack or from SSM at deploy time.

    ``how`` has the meaning of :class:`~pytest_serverless_arch.model.ForeignRef`:
    ``stack_output`` keys are ``stack/OutputKey`` (``aws cloudformation
    describe-stacks --stack-name S --query ...OutputKey=='K'...``), ``ssm`` keys
    are parameter names (``aws ssm get-parameter --name N``). The linker
    resolves them exactly like ``${cf:S.K}`` and ``${ssm:N}``.
    """

    how: Literal["stack_output", "ssm", "import"]
    key: str
    location: Location


@dataclass(frozen=True)
class ParameterValue:
    """One parameter value a deploy command passes, with where it was written.

    ``value`` is the text after shell and CI variable expansion; parts that
    cannot be known offline (``${{ secrets.X }}``, matrix values, unset shell
    variables) stay in it symbolically and ``resolved`` is False.
    ``from_ref`` is set when the value was read at deploy time from another
    stack's output or an SSM parameter.
    """

    value: str
    location: Location
    resolved: bool = True
    from_ref: DeployTimeRef | None = None


@dataclass(frozen=True)
class Deployment:
    """One deploy command of a pipeline, with the inputs it gives its unit.

    Paths (``template``, ``working_directory``, ``config_file``) are
    repository-relative posix paths, already resolved against the step's
    working directory; ``None`` where the command does not say.
    """

    tool: DeployTool
    location: Location  # the line of the command itself (inside a script or Makefile when it was followed there)
    working_directory: str = "."
    template: str | None = None  # sam/cloudformation/rain template; the built template maps back to its source
    stack_name: str | None = None  # sam/cloudformation/rain stack name, cdk stack id
    stage: str | None = None  # serverless --stage
    region: str | None = None
    config_file: str | None = None  # sam --config-file, serverless --config
    config_env: str | None = None  # sam --config-env
    parameters: tuple[tuple[str, ParameterValue], ...] = ()  # in command-line order
    var_files: tuple[str, ...] = ()  # terraform -var-file
    all_stacks: bool = False  # cdk deploy --all, serverless deploy at a compose root
    environment: str | None = None  # the CI job's environment: (GitHub Actions, GitLab CI)
    job: str | None = None  # the job (or stage action) that runs it
    via: tuple[Location, ...] = ()  # the chain of calls that led here: CI step -> make target -> script line
    # Fields whose text holds something only known when the pipeline runs (a secret, a
    # matrix value, an unset variable), kept symbolically: ("stack_name", "stage", ...).
    unresolved: tuple[str, ...] = ()

    @property
    def parameter_map(self) -> dict[str, ParameterValue]:
        return dict(self.parameters)


@dataclass(frozen=True)
class Pipeline:
    """One CI pipeline and the deployments it runs, in order."""

    name: str
    system: PipelineSystem
    location: Location
    deployments: tuple[Deployment, ...] = ()
    after: tuple[str, ...] = ()  # names of pipelines that must run before this one (workflow_run, ...)
    paths: tuple[str, ...] = ()  # path filters that start it (on.push.paths, rules: changes:)
    deploy_time_refs: tuple[DeployTimeRef, ...] = ()  # every describe-stacks / get-parameter read, bound or not


@dataclass(frozen=True)
class PipelineScan:
    """Everything the pipeline readers found in one repository."""

    pipelines: tuple[Pipeline, ...] = ()
    notes: tuple[Note, ...] = ()
    files_read: tuple[str, ...] = field(default=())  # repository-relative paths, for the cache and the report
