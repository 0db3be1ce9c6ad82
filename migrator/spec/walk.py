"""Walk a spec's mappings and values in file order, with their YAML paths.

The semantic checks, the reference graph and the source accounting all need "every mapping
body" and "every value of every field"; these iterators give them once, deterministically.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from migrator.spec.loader import PathKey
from migrator.spec.models import ChildMapping, Mapping, MigrationSpec, ValueSpec, as_value_spec


@dataclass(frozen=True)
class Body:
    """A mapping or a child mapping, with its name and YAML path."""

    name: str
    mapping: Mapping | ChildMapping
    path: PathKey


@dataclass(frozen=True)
class ValueSite:
    """One value a mapping writes (a composite part counts as its own value)."""

    mapping: str
    field: str
    value: ValueSpec
    path: PathKey
    """The YAML path of the value (of the sub-field's value for a composite part)."""


def iter_bodies(spec: MigrationSpec) -> Iterator[Body]:
    """Every mapping, each followed by its children, in file order."""
    for name, mapping in spec.objects.items():
        path: PathKey = ("objects", name)
        yield Body(name, mapping, path)
        for child_name, child in mapping.children.items():
            yield Body(child_name, child, (*path, "children", child_name))


def iter_values(spec: MigrationSpec) -> Iterator[ValueSite]:
    """Every value of every field mapping, bare paths expanded to :class:`ValueSpec`."""
    for body in iter_bodies(spec):
        for field_name, raw in body.mapping.fields.items():
            base = (*body.path, "fields", field_name)
            if isinstance(raw, dict):
                for part, item in raw.items():
                    yield ValueSite(body.name, field_name, as_value_spec(item), (*base, part))
            else:
                yield ValueSite(body.name, field_name, as_value_spec(raw), base)


def source_objects_read(spec: MigrationSpec) -> set[str]:
    """Every source object the spec reads: mapped, folded by an aggregate, looked up, or owners."""
    read = {mapping.from_ for mapping in spec.objects.values()}
    if spec.owners is not None:
        read.add(spec.owners.from_)
    for site in iter_values(spec):
        if site.value.aggregate is not None:
            read.add(site.value.aggregate.from_)
        if site.value.lookup is not None:
            read.add(site.value.lookup.from_)
    return read
