"""Shared state for reading one CloudFormation-shaped template into a unit.

:class:`TemplateReader` holds the unit being built, the template's resources
and parameter values, and the helpers every wiring reader uses: resolve a
property to the resource (or foreign reference) it names, add an edge with
its file:line. The CloudFormation, SAM and serverless readers all go through
it, so rules never see which format a resource came from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...config import LoadConfig
from ...model import Endpoint, ForeignRef, LoadedUnit, Location, Note, Resource
from ...parse import LineDict, TaggedValue, line_of
from ...pseudo import ACCOUNT_ID, REGION, arn_fields, field_matches, names_match
from ..edges import UnitEdges
from .intrinsics import SSM_RESOLVE, is_mapping, references_in, resolve_string, sub_parts, symbolic_string, target_of
from .kinds import CONFIGURING_TYPES, NAME_PROPERTIES, kind_from_arn, kind_of, name_in_arn
from .mentions import Walked, mentions_in

__all__ = ["SSM_RESOLVE", "TemplateReader"]

_SUPPRESS_KEY = "serverless-arch"


class TemplateReader:
    """Reads resources of one template into ``unit``; see the module docstring."""

    def __init__(
        self,
        unit: LoadedUnit,
        document: Mapping[str, Any],
        config: LoadConfig,
        *,
        parameter_overrides: Mapping[str, Any] | None = None,
        path: str | None = None,
        root: Path | None = None,
    ) -> None:
        self.unit = unit
        self.document = document
        self.config = config
        self.path = path or unit.path
        self._locations: dict[int, Location] = {}  # line -> its Location in ``path`` (see loc)
        # The repository root, when the pipeline gives it: definitions kept in files beside
        # the template (DefinitionUri, BodyS3Location, AWS::Include) are read from under it.
        self.root = root
        self.included: dict[str, Any] = {}  # repository-relative path -> its parsed document
        resources = document.get("Resources")
        self.resources: Mapping[str, Any] = resources if isinstance(resources, Mapping) else {}
        self.records: dict[str, Resource] = {}
        self.aliases: dict[str, str] = {}  # another logical id -> the logical id that owns it
        self.parameter_types: dict[str, str] = {}
        self.parameter_values: dict[str, Any] = {
            # what nobody gave stays symbolic (pseudo.py): never a made-up region or account
            "AWS::Region": unit.region or REGION,
            "AWS::AccountId": config.account_id or ACCOUNT_ID,
            "AWS::StackName": unit.name,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        parameters = document.get("Parameters")
        if isinstance(parameters, Mapping):
            for name, spec in parameters.items():
                if not isinstance(spec, Mapping):
                    continue
                self.parameter_types[str(name)] = str(spec.get("Type", "String"))
                if "Default" in spec:
                    self.parameter_values[str(name)] = spec["Default"]
        for name, value in (parameter_overrides or {}).items():
            self.parameter_values[name] = value
        self.edges = UnitEdges(unit)
        self.walked: dict[str, Walked] = {}  # logical id -> what the wiring's walk of its properties found

    # --- locations and edges ------------------------------------------------

    def loc(self, line: int) -> Location:
        """The location of ``line`` in the file being read; one object a line (a resource's edges share its line)."""
        found = self._locations.get(line)
        if found is None:
            found = self._locations[line] = Location(self.path, line)
        return found

    def note(self, line: int, message: str) -> None:
        self.unit.notes.append(Note(self.loc(line), message))

    @contextmanager
    def located_in(self, path: str) -> Iterator[None]:
        """Edges and notes added inside carry lines of ``path`` (a file the template includes)."""
        template_path, self.path = self.path, path
        template_locations, self._locations = self._locations, {}
        try:
            yield
        finally:
            self.path, self._locations = template_path, template_locations

    def edge(self, kind: str, source: Endpoint, target: Endpoint, line: int, detail: str = "") -> None:
        """Add an edge once per (kind, source, target, detail)."""
        self.edges.add(kind, source, target, self.loc(line), detail)

    def trigger_sources_of(self, function: Endpoint) -> list[Endpoint]:
        """Sources of the ``triggers`` edges already added to ``function``."""
        return self.edges.sources_of("triggers", function)

    # --- resources --------------------------------------------------------------

    def add_resource(self, resource: Resource) -> Resource:
        self.records[resource.logical_id] = resource
        self.unit.resources.append(resource)
        for alias in resource.aliases:
            self.aliases[alias] = resource.logical_id
        return resource

    def owner(self, logical_id: str) -> str | None:
        """The logical id of the graph node that ``logical_id`` names, if it is one here."""
        if logical_id in self.records:
            return logical_id
        return self.aliases.get(logical_id)

    def type_of(self, logical_id: str) -> str | None:
        owner = self.owner(logical_id)
        if owner is not None:
            return self.records[owner].type
        spec = self.resources.get(logical_id)
        if isinstance(spec, Mapping) and isinstance(spec.get("Type"), str):
            return str(spec["Type"])
        return None

    def kind(self, logical_id: str) -> str | None:
        owner = self.owner(logical_id)
        return self.records[owner].kind if owner is not None else None

    def properties_of(self, logical_id: str) -> Mapping[str, Any]:
        spec = self.resources.get(logical_id)
        properties = spec.get("Properties") if isinstance(spec, Mapping) else None
        return properties if isinstance(properties, Mapping) else LineDict()

    def make_resource(
        self,
        logical_id: str,
        type_name: str,
        properties: Any,
        line: int,
        *,
        implicit: bool = False,
        name: str | None = None,
        aliases: tuple[str, ...] = (),
        metadata: Any = None,
        physical_name: str | None = None,
        kind: str | None = None,
        code_source: str | None = None,
    ) -> Resource:
        """Build a :class:`Resource` of this unit (physical name, tags, suppressions filled in)."""
        properties = properties if is_mapping(properties) else LineDict()
        if physical_name is None:
            name_property = NAME_PROPERTIES.get(type_name)
            if name_property and name_property in properties:
                physical_name = self.resolve(properties[name_property])
        return Resource(
            unit=self.unit.name,
            logical_id=logical_id,
            type=type_name,
            kind=kind or kind_of(type_name, properties),
            location=self.loc(line),
            name=name or logical_id,
            physical_name=physical_name,
            tags=self.tags_of(properties),
            properties=properties,
            aliases=aliases,
            implicit=implicit,
            code_source=code_source,
            configures_function=type_name in CONFIGURING_TYPES,
            suppressions=self.suppressions_of(metadata, line),
        )

    def tags_of(self, properties: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        tags = properties.get("Tags")
        pairs: list[tuple[str, str]] = []
        if is_mapping(tags):
            for key, value in tags.items():
                resolved = self.resolve(value)
                if resolved is not None:
                    pairs.append((str(key), resolved))
        elif isinstance(tags, list):
            for item in tags:
                if isinstance(item, Mapping) and "Key" in item:
                    key = self.resolve(item.get("Key"))
                    value = self.resolve(item.get("Value"))
                    if key is not None and value is not None:
                        pairs.append((key, value))
        return tuple(pairs)

    def suppressions_of(self, metadata: Any, line: int) -> tuple[tuple[str, str], ...]:
        """``Metadata: {serverless-arch: {suppress: [{rule, reason}]}}`` entries."""
        if not is_mapping(metadata):
            return ()
        block = metadata.get(_SUPPRESS_KEY)
        entries = block.get("suppress") if isinstance(block, Mapping) else None
        if not isinstance(entries, list):
            return ()
        found = []
        for entry in entries:
            if isinstance(entry, Mapping) and isinstance(entry.get("rule"), str):
                reason = entry.get("reason")
                found.append((str(entry["rule"]), str(reason).strip() if isinstance(reason, str) else ""))
            else:
                self.note(line_of(entry, line), "a suppression needs `rule:` and `reason:`")
        return tuple(found)

    # --- values -------------------------------------------------------------

    def resolve(self, value: Any) -> str | None:
        """The string ``value`` certainly evaluates to, if known offline."""
        return resolve_string(value, self.parameter_values)

    def local_target(self, value: Any) -> str | None:
        """The graph node (logical id) of this unit that ``value`` names, if any."""
        target = target_of(value, None)
        if target is None:
            return None
        return self.owner(target)

    def endpoint(self, value: Any, kind_hint: str = "other") -> Endpoint | None:
        """What an ARN- or name-valued property points at: a local node or a foreign reference."""
        if value is None or isinstance(value, (bool, TaggedValue)):
            return None
        local = self.local_target(value)
        if local is not None:
            return local
        if isinstance(value, Mapping) and len(value) == 1:
            ((key, inner),) = value.items()
            if key == "Fn::ImportValue":
                # an unresolved part stays ``${Name}``: an export named the same way matches it symbolically
                return ForeignRef("import", symbolic_string(inner, self.parameter_values), kind_hint)
            if key == "Fn::GetStackOutput" and isinstance(inner, Mapping):
                stack = self.resolve(inner.get("StackName"))
                output = self.resolve(inner.get("OutputName"))
                if stack and output:
                    return ForeignRef("stack_output", f"{stack}/{output}", kind_hint)
            if key == "Ref" and isinstance(inner, str):
                parameter_type = self.parameter_types.get(inner, "")
                value_of = self.parameter_values.get(inner)
                if parameter_type.startswith("AWS::SSM::Parameter::Value"):
                    resolved = resolve_string(value_of, None)
                    if resolved:
                        return ForeignRef("ssm", resolved, kind_hint)
                if inner in self.parameter_types and value_of is None:
                    return ForeignRef("external", f"parameter {inner} of {self.unit.name}", kind_hint)
        text = self.resolve(value)
        if text is None:
            return _unresolved(value, kind_hint, self.unit.name)
        return self.endpoint_of_text(text, kind_hint)

    def endpoint_of_text(self, text: str, kind_hint: str = "other") -> Endpoint | None:
        text = text.strip()
        if not text:
            return None
        ssm = SSM_RESOLVE.fullmatch(text)
        if ssm:
            return ForeignRef("ssm", ssm.group(1), kind_hint)
        if text.startswith("arn:"):
            local = self.local_by_arn(text)
            if local is not None:
                return local
            # The ARN's service says what it is; the caller's hint only fills in for unknown services.
            arn_kind = kind_from_arn(text)
            return ForeignRef("arn", text, kind_hint if arn_kind == "other" else arn_kind)
        local = self.local_by_physical_name(text, kind_hint)
        if local is not None:
            return local
        return ForeignRef("name", text, kind_hint)

    def local_by_arn(self, arn: str) -> str | None:
        """A resource of this unit that an ARN in this unit's region and account names.

        The ARN's service says the kind (a DynamoDB stream ARN names its table).
        """
        parts = arn_fields(arn)
        kind = kind_from_arn(arn)
        if len(parts) < 6 or kind == "other":
            return None
        # a placeholder (written, or this unit's unknown region or account) matches any value there
        if not field_matches(parts[3], self.parameter_values["AWS::Region"]) or not field_matches(
            parts[4], self.parameter_values["AWS::AccountId"]
        ):
            return None
        name = name_in_arn(arn)
        return self.local_by_physical_name(name, kind) if name else None

    def local_by_physical_name(self, name: str, kind_hint: str) -> str | None:
        wildcard = None
        for logical_id, record in self.records.items():
            if record.physical_name is None or not (kind_hint == "other" or record.kind == kind_hint):
                continue
            if record.physical_name == name:
                return logical_id
            if wildcard is None and names_match(record.physical_name, name):
                wildcard = logical_id  # ``orders-${AWS::Region}`` and ``orders-eu-west-1``: an exact name wins
        return wildcard

    def function_endpoint(self, value: Any) -> Endpoint | None:
        """The function a ``FunctionName``/``Arn`` property names, following aliases and versions."""
        endpoint = self.endpoint(value, "function")
        seen: set[str] = set()
        while isinstance(endpoint, str) and endpoint not in seen:
            seen.add(endpoint)
            type_name = self.type_of(endpoint)
            if type_name in (
                "AWS::Lambda::Alias",
                "AWS::Lambda::Version",
                "AWS::Lambda::Permission",
                "AWS::Lambda::EventInvokeConfig",
                "AWS::Lambda::Url",
            ):
                properties = self.properties_of(endpoint)
                inner = properties.get("FunctionName", properties.get("TargetFunctionArn"))
                endpoint = self.endpoint(inner, "function")
                continue
            break
        if isinstance(endpoint, str) and self.kind(endpoint) != "function":
            return None
        if isinstance(endpoint, ForeignRef) and endpoint.kind_hint != "function":
            return None
        return endpoint

    def references(self, value: Any, line: int) -> Iterator[tuple[str, int]]:
        """Local graph nodes named anywhere inside ``value``, with the line of each mention."""
        for reference in references_in(value, line):
            owner = self.owner(reference.logical_id)
            if owner is not None:
                yield owner, reference.line

    def ssm_names_in(self, value: Any) -> Iterator[tuple[str, int]]:
        """SSM parameter names read with ``{{resolve:ssm:..}}`` inside ``value`` (see :func:`.mentions.mentions_in`)."""
        return iter(mentions_in(value, 0, self.resolve).ssm_names)


def _describe(value: Any) -> str:
    """A short, stable text for an expression we cannot resolve."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "Ref":
            return f"Ref {inner}"
        if key == "Fn::Sub":
            parts = sub_parts(inner)
            return f"Sub {parts[0]}" if parts else "Sub"
        if key == "Fn::GetAtt":
            return f"GetAtt {inner}"
        return f"{key} {json.dumps(inner, sort_keys=True, default=str)[:160]}"
    return str(value)[:160]


def _unresolved(value: Any, kind_hint: str, unit: str) -> ForeignRef:
    # One external node per expression, kind and unit: unrelated unresolved values never merge.
    return ForeignRef("external", f"unresolved {kind_hint} {_describe(value)} in {unit}", kind_hint)
