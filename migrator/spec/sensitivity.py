"""Which values a mapping writes are sensitive: the allow-list rule, in one place.

A value must never appear in a plan, log, report, error or snapshot when it is sensitive. The
first rule that speaks decides, from the most specific to the least:

1. the field mapping's own ``sensitive`` (a composite is sensitive if any part says so);
2. the mapping's ``sensitive`` (a child without one inherits its parent's);
3. the schema field's ``sensitive``;
4. the source: a value read from a source path is sensitive when the bundle schema says so
   (:meth:`SourceObject.is_sensitive`: every field of a clinical object but its key, and the
   flagged fields of other objects). Aggregates and lookups ask the object they read; constants,
   references and owners carry no source value and are not sensitive.

Without a bundle schema every source value counts as sensitive (fail safe).
"""

from __future__ import annotations

import re

from migrator.sources.schema_types import SourceSchema
from migrator.spec.checker import PLACEHOLDER
from migrator.spec.models import ChildMapping, FieldMapping, Mapping, MigrationSpec, ValueSpec
from migrator.spec.values import as_value_spec

_INDEX = re.compile(r"\[\d+\]")


def _reads(value: ValueSpec, source: str | None) -> list[tuple[str | None, str | None]]:
    """The (source object, path) pairs a value reads; a None path means whole rows."""
    reads: list[tuple[str | None, str | None]] = []
    for path in (value.from_, value.file):
        if path is not None:
            reads.append((source, path))
    if value.template is not None:
        reads.extend((source, p.strip()) for p in PLACEHOLDER.findall(value.template))
    if value.lookup is not None:
        reads.append((value.lookup.from_, value.lookup.value))
    if value.aggregate is not None and value.aggregate.pick != "count":
        reads.append((value.aggregate.from_, value.aggregate.value))
    return reads


def _source_says(schema: SourceSchema | None, object_name: str | None, path: str | None) -> bool:
    obj = schema.object(object_name) if schema is not None and object_name else None
    if obj is None:
        return True
    if path is None:
        return any(obj.is_sensitive(f.name) for f in obj.fields)
    return obj.is_sensitive(_INDEX.sub("", path))


def _value_parts(raw: FieldMapping) -> list[ValueSpec]:
    if isinstance(raw, dict):
        return [as_value_spec(part) for part in raw.values()]
    return [as_value_spec(raw)]


def is_value_sensitive(
    spec: MigrationSpec, mapping_name: str, field_name: str, sources: SourceSchema | None
) -> bool:
    """Whether the value ``mapping_name`` writes into ``field_name`` is sensitive.

    Raises ``KeyError`` when the mapping or the field mapping does not exist.
    """
    mappings = spec.all_mappings()
    mapping = mappings[mapping_name]
    parts = _value_parts(mapping.fields[field_name])
    own = [part.sensitive for part in parts if part.sensitive is not None]
    if own:
        return any(own)
    level = _mapping_level(spec, mapping_name, mapping)
    if level is not None:
        return level
    section = spec.schema_.get(mapping.to)
    declared = section.fields.get(field_name) if section else None
    if declared is not None and declared.sensitive is not None:
        return declared.sensitive
    source = spec.source_object_of(mapping_name)
    return any(
        _source_says(sources, obj, path) for part in parts for obj, path in _reads(part, source)
    )


def _mapping_level(spec: MigrationSpec, name: str, mapping: Mapping | ChildMapping) -> bool | None:
    if mapping.sensitive is not None:
        return mapping.sensitive
    parent = spec.parent_of(name)
    return spec.objects[parent].sensitive if parent is not None else None


def sensitive_fields(
    spec: MigrationSpec, mapping_name: str, sources: SourceSchema | None
) -> frozenset[str]:
    """The Twenty fields of ``mapping_name`` whose values must never be shown."""
    mapping = spec.all_mappings()[mapping_name]
    return frozenset(
        name for name in mapping.fields if is_value_sensitive(spec, mapping_name, name, sources)
    )
