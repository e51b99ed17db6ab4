"""Serverless Framework services (``serverless.yml``) into deployment units.

One service is one unit, named like the stack the framework deploys
(``<service>-<stage>`` or ``provider.stackName``). Variables are resolved
offline (:mod:`.serverless_variables`), functions become nodes named by their
key that also answer to the framework's logical id (``avScan`` ->
``AvScanLambdaFunction``), ``events:`` become trigger edges
(:mod:`.serverless_events`), and ``resources:`` go through the CloudFormation
reader in the same unit. ``plugins:`` are recorded, never run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...config import LoadConfig
from ...discover import Candidate, Discovery
from ...model import ForeignRef, LoadedUnit, LoadError, Location, Note, Resource
from ...parse import LineDict, describe_value, key_line, line_of
from ...pseudo import REGION
from ..cloudformation.accesses import add_access, function_accesses, policy_accesses
from ..cloudformation.reader import read_outputs, read_resources, read_wiring
from ..cloudformation.references import finish_unit
from ..cloudformation.template import TemplateReader
from ..deploy_time import resolve_textual_references
from . import naming
from .events import ServiceContext, read_events, source_endpoint
from .step_functions import read_state_machines
from .variables import VariableResolver, VariableText, foreign_refs_in

__all__ = ["load_service", "read_service"]


def load_service(candidate: Candidate, discovery: Discovery, config: LoadConfig) -> list[LoadedUnit]:
    """The pipeline's entry point: one ``serverless.yml`` candidate -> zero or one unit."""
    return read_service(
        candidate.document,
        candidate.relpath,
        config,
        root=discovery.root,
        service_dir=candidate.path.parent,
        notes=discovery.notes,
    )


def read_service(
    document: Any, path: str, config: LoadConfig, *, root: Path, service_dir: Path, notes: list[Note] | None = None
) -> list[LoadedUnit]:
    """Read a parsed service document; a non-AWS provider gives no unit and a note (in ``notes``).

    ``root`` is the repository root: ``${file()}`` never reads outside it.
    """
    if not isinstance(document, Mapping):
        unit = LoadedUnit(name=path, format="serverless", path=path, location=Location(path, 1))
        unit.errors.append(LoadError(path, 1, "a serverless service must be a mapping"))
        return [unit]
    resolver = VariableResolver(document, config=config, path=path, root=root, service_dir=service_dir)
    resolved = resolver.resolve()
    provider = resolved.get("provider")
    provider_name = provider.get("name") if isinstance(provider, Mapping) else provider
    if provider_name != "aws":
        if notes is not None:
            notes.append(
                Note(
                    Location(path, _line(document, "provider")), f"provider {provider_name!r} is not AWS; this service is skipped"
                )
            )
        return []
    provider = provider if isinstance(provider, Mapping) else LineDict()
    service = resolved.get("service")
    if isinstance(service, Mapping):  # the v1 ``service: {name: ..}`` form
        service = service.get("name")
    stage = resolver.stage
    region = resolver.region
    service_name = str(service) if service is not None else path
    stack_name = provider.get("stackName")
    name = config.stack_names.get(path) or (
        stack_name if isinstance(stack_name, str) and stack_name else f"{service_name}-{stage}"
    )
    unit = LoadedUnit(
        name=name,
        format="serverless",
        path=path,
        region=region,
        location=Location(path, 1),
        stage=stage,
        files_read=[file for file in resolver.files_read if file != path],
        implicit_outputs=naming.IMPLICIT_OUTPUTS,
    )
    if isinstance(service, VariableText) and service.unresolved:
        unit.errors.append(LoadError(path, _line(document, "service"), f"service name {service} cannot be resolved"))
    unit.tags = _string_map(provider.get("stackTags")) | _string_map(provider.get("tags"))
    plugins = _plugins(resolved.get("plugins"))
    ServiceReader(unit, resolved, provider, config, service_name, stage, region, plugins).read()
    unit.notes[:0] = resolver.notes
    unit.errors[:0] = resolver.errors
    resolve_textual_references(unit)
    finish_unit(unit)
    return [unit]


def _line(document: Any, key: str) -> int:
    return document.line_of(key) if isinstance(document, LineDict) else 1


def _plugins(value: Any) -> list[str]:
    if isinstance(value, Mapping):  # ``plugins: {localPath: .., modules: [..]}``
        value = value.get("modules")
    return [str(item) for item in value] if isinstance(value, list) else []


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): _scalar(v) for k, v in value.items() if not isinstance(v, (Mapping, list))}


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _merged_sections(value: Any, what: str, unit: LoadedUnit, line: int) -> LineDict:
    """``functions``/``resources`` may be a list of mappings the framework merges."""
    if isinstance(value, Mapping):
        return value if isinstance(value, LineDict) else LineDict(value)
    merged = LineDict()
    merged.line = line_of(value, line)
    if isinstance(value, list):
        item_lines = getattr(value, "item_lines", [])
        for index, item in enumerate(value):
            item_line = item_lines[index] if index < len(item_lines) else merged.line
            if isinstance(item, Mapping):
                for key, child in item.items():
                    merged[key] = child
                    merged.key_lines[key] = getattr(item, "key_lines", {}).get(key, item_line)
            else:
                unit.errors.append(
                    LoadError(unit.path, item_line, f"`{what}` is a list, and item {index + 1} is not a mapping; ignored")
                )
    elif value is not None:
        unit.errors.append(LoadError(unit.path, line, f"`{what}` must be a mapping, not {describe_value(value)}"))
    return merged


class ServiceReader:
    """Reads one resolved service document into ``unit``."""

    def __init__(
        self,
        unit: LoadedUnit,
        document: Mapping[str, Any],
        provider: Mapping[str, Any],
        config: LoadConfig,
        service: str,
        stage: str,
        region: str | None,
        plugins: list[str],
    ) -> None:
        self.unit = unit
        self.plugins = plugins
        self.document = document
        self.provider = provider
        self.config = config
        self.service = service
        self.stage = stage
        self.region = region
        lines = getattr(document, "key_lines", {})
        self.functions = _merged_sections(document.get("functions"), "functions", unit, lines.get("functions", 1))
        template = self._cloudformation_document(lines.get("resources", 1))
        self.reader = TemplateReader(unit, template, config)
        self.reader.parameter_values["AWS::Region"] = region or REGION
        self.reader.parameter_values["AWS::StackName"] = unit.name
        self.context = ServiceContext(self.reader, service, stage, region, provider)

    def _cloudformation_document(self, line: int) -> LineDict:
        """``resources:`` (one mapping or a list of fragments) as a CloudFormation template."""
        resources = self.resources_section = _merged_sections(self.document.get("resources"), "resources", self.unit, line)
        template = LineDict()
        for section in ("Resources", "Outputs", "Conditions"):
            merged = LineDict()
            fragments = [resources.get(section)]
            if isinstance(self.document.get("resources"), list):
                fragments = [item.get(section) for item in self.document["resources"] if isinstance(item, Mapping)]
            for fragment in fragments:
                if isinstance(fragment, Mapping):
                    merged.update(fragment)
                    merged.key_lines.update(getattr(fragment, "key_lines", {}))
                elif fragment is not None:
                    self.unit.errors.append(
                        LoadError(self.unit.path, line_of(fragment, line), f"`resources.{section}` must be a mapping")
                    )
            template[section] = merged
        return template

    def read(self) -> None:
        reader = self.reader
        lines = getattr(self.functions, "key_lines", {})
        for key, spec in self.functions.items():
            line = lines.get(key, 1)
            if not isinstance(spec, Mapping):
                self.unit.errors.append(LoadError(self.unit.path, line, f"function {key} is not a mapping"))
                continue
            self.context.functions[str(key)] = spec
            self.context.physical_names[str(key)] = self._physical_name(str(key), spec)
        for key, spec in self.context.functions.items():
            reader.add_resource(self._function(key, spec, lines.get(key, 1)))
        read_resources(reader)
        for key, spec in self.context.functions.items():
            line = lines.get(key, 1)
            if spec.get("url"):
                url = reader.owner(naming.function_url_logical_id(key))
                if url is None:
                    reader.add_resource(
                        reader.make_resource(
                            naming.function_url_logical_id(key),
                            "AWS::Lambda::Url",
                            {},
                            key_line(spec, "url", line),
                            implicit=True,
                        )
                    )
                reader.edge("triggers", naming.function_url_logical_id(key), key, key_line(spec, "url", line), "url")
            read_events(self.context, key, spec.get("events"), key_line(spec, "events", line))
        read_state_machines(self.context, self.document, self.plugins)
        read_wiring(reader)
        self._placeholder_references()
        self._extensions(self.resources_section.get("extensions"))
        for key, spec in self.context.functions.items():
            self._accesses(key, spec, lines.get(key, 1))
        read_outputs(reader)

    def _placeholder_references(self) -> None:
        """``${cf:..}``/``${ssm:..}`` inside a ``resources:`` resource: a reference to what it names."""
        lines = getattr(self.reader.resources, "key_lines", {})
        for logical_id, spec in self.reader.resources.items():
            owner = self.reader.owner(str(logical_id))
            if owner is None or not isinstance(spec, Mapping):
                continue
            for ref in foreign_refs_in(spec.get("Properties")):
                self.reader.edge("references", owner, ref, lines.get(logical_id, 1), "serverless variable")

    def _extensions(self, extensions: Any) -> None:
        """``resources.extensions``: what an extension adds to a generated resource refers to more nodes."""
        if not isinstance(extensions, Mapping):
            return
        reader = self.reader
        lines = getattr(extensions, "key_lines", {})
        for logical_id, spec in extensions.items():
            line = lines.get(logical_id, 1)
            owner = reader.owner(str(logical_id))
            if owner is None:
                reader.note(line, f"extension {logical_id} names no resource of this service; ignored")
                continue
            if not isinstance(spec, Mapping):
                continue
            for target, target_line in reader.references(spec.get("Properties"), line):
                if target != owner:
                    reader.edge("references", owner, target, target_line, "extension")
            if reader.kind(owner) == "function" and isinstance(spec.get("Properties"), Mapping):
                function_accesses(reader, owner, spec["Properties"], line)

    # --- functions ------------------------------------------------------------------

    def _physical_name(self, key: str, spec: Mapping[str, Any]) -> str:
        name = spec.get("name")
        if isinstance(name, str) and name and not (isinstance(name, VariableText) and name.unresolved):
            return str(name)
        return f"{self.service}-{self.stage}-{key}"

    def _function(self, key: str, spec: Mapping[str, Any], line: int) -> Resource:
        properties = LineDict()
        properties.line = line
        properties["FunctionName"] = self.context.physical_names[key]
        for source, target in (
            ("handler", "Handler"),
            ("runtime", "Runtime"),
            ("memorySize", "MemorySize"),
            ("timeout", "Timeout"),
            ("description", "Description"),
        ):
            value = spec.get(source, self.provider.get(source) if source != "handler" else None)
            if value is not None:
                properties[target] = value
        environment = LineDict()
        for scope in (self.provider.get("environment"), spec.get("environment")):
            if isinstance(scope, Mapping):
                environment.update(scope)
                environment.key_lines.update(getattr(scope, "key_lines", {}))
        if environment:
            properties["Environment"] = {"Variables": environment}
        tags = _string_map(self.provider.get("tags")) | _string_map(spec.get("tags"))
        if tags:
            properties["Tags"] = tags
        role = spec.get("role", _provider_role(self.provider))
        if role is not None:
            properties["Role"] = _role_value(role, self.reader)
        # ``custom.serverlessArch.suppress`` entries naming this function (read like resource Metadata)
        custom = self.document.get("custom")
        arch = custom.get("serverlessArch") if isinstance(custom, Mapping) else None
        entries = arch.get("suppress") if isinstance(arch, Mapping) else None
        suppress = (
            [e for e in entries if isinstance(e, Mapping) and e.get("function") == key] if isinstance(entries, list) else []
        )
        return self.reader.make_resource(
            key,
            "AWS::Lambda::Function",
            properties,
            line,
            name=key,
            aliases=(naming.function_logical_id(key),),
            physical_name=self.context.physical_names[key],
            kind="function",
            code_source=_code_source(spec),
            metadata={"serverless-arch": {"suppress": suppress}},
        )

    # --- accesses ----------------------------------------------------------------------

    def _accesses(self, key: str, spec: Mapping[str, Any], line: int) -> None:
        reader = self.reader
        record = reader.records.get(key)
        properties = record.properties if record is not None and isinstance(record.properties, Mapping) else {}
        function_accesses(reader, key, properties, line)  # ``${cf:..}``/``${ssm:..}`` values too
        if "role" not in spec:
            for statements, statements_line in self._provider_statements():
                self._statements(key, statements, statements_line)
        statements = spec.get("iamRoleStatements")  # serverless-iam-roles-per-function
        if isinstance(statements, list):
            self._statements(key, statements, key_line(spec, "iamRoleStatements", line))
        self._destinations(key, spec.get("destinations"), key_line(spec, "destinations", line))
        on_error = spec.get("onError")
        if on_error is not None:
            target = source_endpoint(reader, on_error)
            if target is not None:
                reader.edge("accesses", key, target, key_line(spec, "onError", line), "write")

    def _provider_statements(self) -> list[tuple[Any, int]]:
        found: list[tuple[Any, int]] = []
        iam = self.provider.get("iam")
        role = iam.get("role") if isinstance(iam, Mapping) else None
        if isinstance(role, Mapping) and isinstance(role.get("statements"), list):
            found.append((role["statements"], line_of(role["statements"], line_of(role))))
        legacy = self.provider.get("iamRoleStatements")
        if isinstance(legacy, list):
            found.append((legacy, line_of(legacy)))
        return found

    def _statements(self, key: str, statements: Any, line: int) -> None:
        """IAM statements, read like a template's: ``${cf:..}``/``${ssm:..}`` resources are other units' values."""
        if isinstance(statements, list):
            policy_accesses(self.reader, key, {"Statement": statements}, line)

    def _destinations(self, key: str, destinations: Any, line: int) -> None:
        if not isinstance(destinations, Mapping):
            return
        reader = self.reader
        for which in ("onSuccess", "onFailure"):
            value = destinations.get(which)
            if isinstance(value, Mapping) and "arn" in value:
                value = value["arn"]
            if value is None:
                continue
            item_line = key_line(destinations, which, line)
            if isinstance(value, str) and value in self.context.functions:
                reader.edge("invokes", key, value, item_line, f"destination {which}")
                continue
            text = reader.resolve(value) if not foreign_refs_in(value) else None
            names_lambda = not (text or "").startswith("arn:") or ":lambda:" in (text or "")
            function = reader.function_endpoint(value) if not foreign_refs_in(value) and names_lambda else None
            if function is not None:
                reader.edge("invokes", key, function, item_line, f"destination {which}")
                continue
            target = source_endpoint(reader, value)
            if target is not None:
                add_access(reader, key, value, item_line, "write") if not isinstance(target, ForeignRef) else reader.edge(
                    "accesses", key, target, item_line, "write"
                )


def _provider_role(provider: Mapping[str, Any]) -> Any:
    """A custom role shared by the functions (``provider.iam.role: name|ARN``, legacy ``provider.role``)."""
    iam = provider.get("iam")
    role = iam.get("role") if isinstance(iam, Mapping) else None
    if isinstance(role, str) or (isinstance(role, Mapping) and ("Fn::GetAtt" in role or "Ref" in role)):
        return role
    return provider.get("role")


def _role_value(role: Any, reader: TemplateReader) -> Any:
    """A role given by logical id becomes the ``Fn::GetAtt`` the framework writes."""
    if isinstance(role, str) and not role.startswith("arn:") and role in reader.resources:
        return {"Fn::GetAtt": [role, "Arn"]}
    return role


def _code_source(spec: Mapping[str, Any]) -> str | None:
    image = spec.get("image")
    uri = image.get("uri") if isinstance(image, Mapping) else image
    if isinstance(uri, str) and ("/" in uri or "@" in uri or ".dkr.ecr." in uri):
        return f"image {uri} is built elsewhere"
    package = spec.get("package")
    artifact = package.get("artifact") if isinstance(package, Mapping) else None
    if isinstance(artifact, str) and artifact.startswith(("s3://", "https://")):
        return f"package.artifact comes from {artifact}"
    return None
