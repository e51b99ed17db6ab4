"""What a file's text says it is, by a cheap look: a CodePipeline template or a samstacks manifest.

Discovery asks :func:`kind_by_text` of every file it reads (``discover(sniff=kind_by_text)``),
before anything is parsed; so this module imports none of the pipeline readers:
the scan that reads them runs later, and in a load on several processes the main
process runs it while its workers parse (see :mod:`~pytest_serverless_arch.loading`).

>>> kind_by_text("ci/pipeline.yaml", "Type: AWS::CodePipeline::Pipeline")
'codepipeline'
"""

from __future__ import annotations

__all__ = ["PIPELINE_TYPE", "kind_by_text", "looks_like_manifest"]

PIPELINE_TYPE = "AWS::CodePipeline::Pipeline"


def kind_by_text(relpath: str, text: str) -> str | None:
    """``codepipeline`` or ``samstacks`` for a YAML/JSON file that holds one, by a cheap look at its text.

    Discovery asks this of every file it reads (``discover(sniff=kind_by_text)``),
    so the scan need not read those files again.

    >>> kind_by_text("ci/pipeline.yaml", "Type: AWS::CodePipeline::Pipeline")
    'codepipeline'
    >>> kind_by_text("samstacks.yml", "pipeline_name: shop\\nstacks:\\n  - id: orders")
    'samstacks'
    >>> kind_by_text("template.yaml", "Resources: {}") is None
    True
    """
    if PIPELINE_TYPE in text:
        return "codepipeline"
    if looks_like_manifest(text):
        return "samstacks"
    return None


def looks_like_manifest(text: str) -> bool:
    """A cheap look before parsing: samstacks manifests have ``stacks:`` and a ``pipeline_`` key, each at a line's start.

    Discovery asks it of every file it reads: substring searches, ten times
    faster than a multi-line regular expression on the corpus's 2,645 texts.

    >>> looks_like_manifest("pipeline_name: shop\\nstacks:\\n  - id: orders")
    True
    >>> looks_like_manifest("Resources:\\n  stacks: 1\\npipeline_name: x")
    False
    """
    return _at_a_line_start(text, "stacks:") and (
        _at_a_line_start(text, "pipeline_name:") or _at_a_line_start(text, "pipeline_settings:")
    )


def _at_a_line_start(text: str, prefix: str) -> bool:
    """``re.search("^" + prefix, text, re.MULTILINE)``: a line starts at the text's start or after ``\\n``."""
    return text.startswith(prefix) or "\n" + prefix in text
