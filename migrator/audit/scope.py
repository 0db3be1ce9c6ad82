"""What the spec does with each source object: the audit's frame for judging findings.

A finding quarantines a record only when the record is migrated and the field is written: an
invalid value in a field no mapping reads, in an object read only as a lookup, or in a field whose
mapping says ``on_invalid: warn|drop`` is a warning. :func:`audit_scope` works this out once
from the spec: per source object, its role, the mappings that read it as rows, the Twenty objects
they write, and the source fields (heads of paths) those mappings read with their ``on_invalid``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from migrator.sources.schema_types import SourceObject, SourceSchema
from migrator.spec.checker import PLACEHOLDER
from migrator.spec.models import ChildMapping, Mapping, MigrationSpec, ValueSpec
from migrator.spec.walk import iter_values

_INDEX = re.compile(r"\[\d+\]")


def path_head(path: str) -> str:
    """The field a source path starts at (``phone_work.call_code`` → ``phone_work``)."""
    return _INDEX.sub("", path).split(".", 1)[0]


@dataclass
class ObjectScope:
    """One source object as the spec uses it."""

    obj: SourceObject
    role: str
    """``mapped``, ``owners``, ``lookup``, ``skipped`` or ``unmapped``."""
    mappings: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    read: dict[str, set[str | None]] = field(default_factory=dict)
    """Field head → the ``on_invalid`` of every value reading it (None: the rules' own
    severity)."""

    @property
    def is_migrated(self) -> bool:
        """True when its rows become Twenty records."""
        return self.role == "mapped"

    def quarantines(self, field_name: str) -> bool:
        """Whether an ERROR on ``field_name`` (empty: the whole record) quarantines the row."""
        if not self.is_migrated:
            return False
        if not field_name or field_name == self.obj.primary_key:
            return True
        head = path_head(field_name)
        if head not in self.read:
            return False
        return bool(self.read[head] & {None, "quarantine"})


def _value_paths(value: ValueSpec) -> list[str]:
    paths = [p for p in (value.from_, value.file, value.owner, value.by) if p]
    if value.template:
        paths.extend(p.strip() for p in PLACEHOLDER.findall(value.template))
    if value.lookup is not None:
        paths.append(value.lookup.by)
    if value.aggregate is not None and value.aggregate.key:
        paths.append(value.aggregate.key)
    return paths


def _note(scope: ObjectScope, path: str, on_invalid: str | None) -> None:
    head = path_head(path)
    if head:
        scope.read.setdefault(head, set()).add(on_invalid)


def _mapping_paths(mapping: Mapping | ChildMapping) -> list[str]:
    paths = list(mapping.where) if isinstance(mapping, ChildMapping) else []
    if isinstance(mapping, Mapping) and mapping.identity:
        paths.append(mapping.identity)
    paths.extend(t.by for t in mapping.targets if t.by)
    return paths


def audit_scope(spec: MigrationSpec, schema: SourceSchema) -> dict[str, ObjectScope]:
    """Every object of ``schema``, with what ``spec`` does with it."""
    scopes = {obj.name: ObjectScope(obj, "unmapped") for obj in schema.objects}
    for name, mapping in spec.objects.items():
        scope = scopes.get(mapping.from_)
        if scope is None:
            continue
        scope.role = "mapped"
        scope.mappings.append(name)
        for child_name, child in mapping.children.items():
            scope.mappings.append(child_name)
            scope.targets.append(child.to)
            for path in _mapping_paths(child):
                _note(scope, path, None)
        scope.targets.append(mapping.to)
        for path in _mapping_paths(mapping):
            _note(scope, path, None)
    for site in iter_values(spec):
        source = spec.source_object_of(site.mapping)
        scope = scopes.get(source or "")
        if scope is not None:
            for path in _value_paths(site.value):
                _note(scope, path, site.value.on_invalid)
        for other in (site.value.aggregate, site.value.lookup):
            if other is not None and other.from_ in scopes:
                looked = scopes[other.from_]
                looked.role = "lookup" if looked.role == "unmapped" else looked.role
    if spec.owners is not None and spec.owners.from_ in scopes:
        owners = scopes[spec.owners.from_]
        owners.role = "owners" if owners.role in ("unmapped", "lookup") else owners.role
    for name in spec.skip:
        if name in scopes and scopes[name].role == "unmapped":
            scopes[name].role = "skipped"
    for scope in scopes.values():
        scope.targets = sorted(set(scope.targets))
    return scopes
