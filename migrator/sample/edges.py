"""What a sample must keep together, read from the spec: references between source objects.

:func:`sample_edges` lists, per source object, the references the spec's mappings make
(``ref`` values and note/task ``targets`` with a ``by``, ``lookup`` onto an object a mapping
reads, ``aggregate`` folds) as :class:`Reference` values between *source objects*, because a
sample keeps or drops whole source rows (every mapping reading a row sees it, children included).

Two kinds of reference matter to the selection (:mod:`migrator.sample.select`):

* every reference is followed *up*: a sampled row brings every row it refers to (closure), so no
  sampled record points at a record the sample does not write;
* a reference into a row of a non-*top* object is also followed *down*: the row brings every row
  that refers to it (an opportunity its product lines, invoices, notes and attachments; a patient
  their appointments, notes and chart). *Top* objects — those whose mappings refer to no other
  object (accounts, products, practices) — are shared reference data: a sampled account does not
  bring every opportunity of the account, or a practice every patient.

Rows of one mapping that share a value Twenty keeps unique (a person's email, a company's
domain, a custom ``unique`` field) refer to each other too, as a self reference on the source
path the value comes from: the mapper deduplicates (or quarantines) them as a group, so a sample
keeps the group whole and each of its rows meets the fate it meets in the full run.

Owners (``{owner: …}``) are not references: they resolve to workspace members, not to records.
Switches (``when``/``unless``) are ignored: following a reference the spec switches off only
makes the sample larger, never inconsistent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migrator.catalogue import standard_object
from migrator.sources.schema_types import SourceSchema
from migrator.spec.models import ChildMapping, Mapping, MigrationSpec
from migrator.spec.walk import iter_bodies, iter_values

_INDEX = re.compile(r"\[\d+\]$")


@dataclass(frozen=True, order=True)
class Reference:
    """Rows of ``source`` refer through ``path`` to the rows of ``target`` whose ``key`` matches.

    ``path`` has a trailing list index dropped (``contact_ids[0]`` → ``contact_ids``): a sample
    keeps every listed row together, not only the one the mapping writes.
    """

    source: str
    path: str
    target: str
    key: str
    dependent: bool
    """Followed down too: a sampled ``target`` row brings the ``source`` rows referring to it."""


@dataclass(frozen=True)
class Fold:
    """Rows of ``folded`` (an object no mapping writes) belong to the ``parent`` row whose ``key``
    equals their ``by``; a sample keeps exactly the folded rows of its parent rows."""

    folded: str
    by: str
    parent: str
    key: str


@dataclass(frozen=True)
class SampleEdges:
    """The sampling view of a spec: objects written (in spec order), references and folds."""

    written: tuple[str, ...]
    """Source objects some mapping writes records from, by name: never in the order the spec
    lists them, which a plan's embedded spec does not keep (its keys are sorted)."""
    weights: dict[str, int]
    """Records a sampled row of each written object makes (its mappings, children included)."""
    references: tuple[Reference, ...]
    folds: tuple[Fold, ...]
    tops: frozenset[str]
    """Written objects whose mappings refer to no other object (followed up only)."""

    def depth(self, obj: str) -> int:
        """The longest chain of references from ``obj`` to a top object (0 for a top)."""
        parents: dict[str, set[str]] = {}
        for r in self.references:
            if r.source != r.target:
                parents.setdefault(r.source, set()).add(r.target)
        found: dict[str, int] = {}

        def walk(name: str, trail: frozenset[str]) -> int:
            if name not in found:
                above = [walk(p, trail | {name}) for p in parents.get(name, ()) if p not in trail]
                found[name] = 1 + max(above) if above else 0
            return found[name]

        return walk(obj, frozenset())

    def key_paths(self, target: str) -> tuple[str, ...]:
        """The paths of ``target`` rows that some reference matches (for the row index)."""
        return tuple(sorted({r.key for r in self.references if r.target == target}))


def _identity(schema: SourceSchema, mapping: Mapping | ChildMapping, obj: str) -> str:
    if isinstance(mapping, Mapping) and mapping.identity:
        return mapping.identity
    found = schema.object(obj)
    return found.primary_key if found is not None else "id"


def _path(path: str) -> str:
    return _INDEX.sub("", path)


def _unique_fields(spec: MigrationSpec, twenty_object: str) -> set[str]:
    """The fields of ``twenty_object`` Twenty keeps unique (standard and created ``unique``)."""
    standard = standard_object(twenty_object)
    found = {f.name for f in standard.fields if f.is_unique} if standard is not None else set()
    section = spec.schema_.get(twenty_object)
    if section is not None:
        found.update(name for name, f in section.fields.items() if f.unique)
    return found


def _raw_references(
    spec: MigrationSpec, schema: SourceSchema
) -> tuple[list[tuple[str, str, str, str]], list[Fold]]:
    """(source, path, target, key) of every reference, and every fold, in spec order."""
    objects = spec.all_mappings()
    object_of = {name: spec.source_object_of(name) or "" for name in objects}
    written = set(object_of.values())
    found: list[tuple[str, str, str, str]] = []
    folds: list[Fold] = []
    unique = {name: _unique_fields(spec, body.to) for name, body in objects.items()}
    for site in iter_values(spec):
        source = object_of[site.mapping]
        value = site.value
        if site.field in unique[site.mapping] and value.from_ is not None:
            found.append((source, _path(value.from_), source, _path(value.from_)))
        if value.ref is not None and value.by is not None and value.ref in objects:
            target = object_of[value.ref]
            key = value.key or _identity(schema, objects[value.ref], target)
            found.append((source, _path(value.by), target, key))
        if value.lookup is not None and value.lookup.from_ in written:
            found_obj = schema.object(value.lookup.from_)
            key = value.lookup.key or (found_obj.primary_key if found_obj else "id")
            found.append((source, _path(value.lookup.by), value.lookup.from_, key))
        if value.aggregate is not None:
            agg = value.aggregate
            key = agg.key or _identity(schema, objects[site.mapping], source)
            if agg.from_ in written:  # rows another mapping writes: kept with their parent
                found.append((agg.from_, _path(agg.by), source, key))
            else:
                folds.append(Fold(agg.from_, _path(agg.by), source, key))
    for body in iter_bodies(spec):
        source = object_of[body.name]
        for target_spec in body.mapping.targets:
            if target_spec.by is None or target_spec.ref not in objects:
                continue
            target = object_of[target_spec.ref]
            key = target_spec.key or _identity(schema, objects[target_spec.ref], target)
            found.append((source, _path(target_spec.by), target, key))
    return found, folds


def sample_edges(spec: MigrationSpec, schema: SourceSchema) -> SampleEdges:
    """The references and folds of ``spec`` between the source objects of ``schema``."""
    weights: dict[str, int] = {}
    for body in iter_bodies(spec):
        obj = spec.source_object_of(body.name) or ""
        weights[obj] = weights.get(obj, 0) + 1
    written = sorted(weights)
    raw, folds = _raw_references(spec, schema)
    refers = {source for source, _, target, _ in raw if source != target}
    tops = frozenset(obj for obj in written if obj not in refers)
    references = sorted(
        {
            Reference(source, path, target, key, dependent=source != target and target not in tops)
            for source, path, target, key in raw
        }
    )
    unique_folds = tuple(sorted(set(folds), key=repr))
    return SampleEdges(tuple(written), weights, tuple(references), unique_folds, tops)
