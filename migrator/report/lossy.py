"""Every mapping that does not carry the source over as it was, from the spec and the bundle.

The OplaCRM guide marks three rows ``lossy``: the healthscore (a value without its algorithm),
locked records (a flag, not a lock) and custom fields (typed and renamed, multi-selects split).
Beyond those, the spec itself says what changes: fields renamed from a colliding source name,
several rows folded into one value (``aggregate`` with ``latest``/``earliest``), values that a
map sends to a default, and whole objects skipped. Each becomes a :class:`LossyMapping`.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.report.model import LossyMapping
from migrator.sources.bundle import Bundle
from migrator.spec.models import MigrationSpec, ValueSpec, as_value_spec
from migrator.spec.target_model import build_target_model
from migrator.spec.transforms import transform_name
from migrator.spec.walk import iter_values

GUIDE_NOTES = {
    "healthscore": (
        "healthscore",
        "the current value only: the algorithm is undocumented and its inputs (activity "
        "frequency, engagement, deal velocity) do not migrate; a reference metric",
    ),
    "locked": (
        "locked",
        "a flag, not a lock: Twenty permissions are per field, not per record (see Locked records)",
    ),
}
CUSTOM_OBJECTS = {
    "ACCOUNT": "accounts",
    "CONTACT": "contacts",
    "LEAD": "leads",
    "OPPORTUNITY": "opportunities",
    "PRODUCT": "products",
}


def _definitions(bundle: Bundle) -> dict[tuple[str, str], str]:
    """(source object, key) → the custom field's data type, from OplaCRM's definitions."""
    found: dict[tuple[str, str], str] = {}
    if bundle.schema.object("custom_field_definitions") is None:
        return found
    for record in bundle.read("custom_field_definitions"):
        source = CUSTOM_OBJECTS.get(str(record.fields.get("object_type")))
        key = record.fields.get("key")
        if source and isinstance(key, str):
            found[(source, key)] = str(record.fields.get("data_type"))
    return found


def _written(spec: MigrationSpec) -> Iterator[tuple[ValueSpec, str, str, str]]:
    """(value, source object, source path, Twenty object.field) of every plain value."""
    for site in iter_values(spec):
        source = spec.source_object_of(site.mapping)
        target = spec.all_mappings()[site.mapping].to
        if site.value.from_ and source:
            yield site.value, source, site.value.from_, f"{target}.{site.field}"


def _custom_note(kind: str, value: ValueSpec, twenty_type: str) -> str:
    words = {transform_name(t) for t in value.transforms}
    notes = [f"OplaCRM {kind} field, now a Twenty {twenty_type}"]
    if "transliterate" in words:
        notes.append("option values transliterated to ASCII, labels kept")
    if "split" in words:
        notes.append("a delimited string split into entries")
    if "number" in words:
        notes.append("text converted to a number")
    return "; ".join(notes)


def lossy_mappings(spec: MigrationSpec, bundle: Bundle) -> tuple[LossyMapping, ...]:
    """Every lossy mapping of ``spec`` over ``bundle``, guide-flagged ones first."""
    rows: list[LossyMapping] = []
    definitions = _definitions(bundle)
    mapped_custom: set[tuple[str, str]] = set()
    model = build_target_model(spec)
    for value, source, path, target in _written(spec):
        if path in GUIDE_NOTES:
            topic, note = GUIDE_NOTES[path]
            rows.append(
                LossyMapping(
                    topic=topic,
                    source=f"{source}.{path}",
                    target=target,
                    note=note,
                    flagged_by_guide=True,
                )
            )
        if path.startswith("custom_fields."):
            key = path.split(".", 1)[1]
            mapped_custom.add((source, key))
            kind = definitions.get((source, key), "unknown type")
            obj, _, field = target.partition(".")
            declared = model.get(obj)
            found = declared.fields.get(field) if declared else None
            note = _custom_note(kind, value, found.type.value if found else "field")
            rows.append(
                LossyMapping(
                    topic="custom field",
                    source=f"{source}.{path}",
                    target=target,
                    flagged_by_guide=True,
                    note=note,
                )
            )
    for (source, key), kind in sorted(definitions.items()):
        if (source, key) not in mapped_custom:
            rows.append(
                LossyMapping(
                    topic="custom field",
                    source=f"{source}.custom_fields.{key}",
                    target="not migrated",
                    flagged_by_guide=True,
                    note=f"OplaCRM {kind} field no mapping writes",
                )
            )
    rows.extend(_renamed(spec))
    rows.extend(_folded(spec))
    rows.extend(_skipped(spec, bundle))
    return tuple(rows)


def _renamed(spec: MigrationSpec) -> Iterator[LossyMapping]:
    for object_name, section in spec.schema_.items():
        for name, field in section.fields.items():
            if field.renamed_from:
                yield LossyMapping(
                    topic="renamed",
                    source=field.renamed_from,
                    target=f"{object_name}.{name}",
                    note="the source name collides with a Twenty field: confirm or rename "
                    "before cutover",
                )


def _folded(spec: MigrationSpec) -> Iterator[LossyMapping]:
    for site in iter_values(spec):
        aggregate = site.value.aggregate
        if aggregate is None or aggregate.pick not in ("latest", "earliest"):
            continue
        target = spec.all_mappings()[site.mapping].to
        yield LossyMapping(
            topic="folded",
            source=f"{aggregate.from_}.{aggregate.value or '*'}",
            target=f"{target}.{site.field}",
            note=f"only the {aggregate.pick} row (by {aggregate.order_by}) is kept; the "
            f"history stays in the source",
        )
    for name, mapping in spec.objects.items():
        for field, raw in mapping.fields.items():
            value = None if isinstance(raw, dict) else as_value_spec(raw)
            if value is not None and value.map and value.has_default and not value.default_is_error:
                yield LossyMapping(
                    topic="defaulted",
                    source=f"{mapping.from_}.{value.from_ or field}",
                    target=f"{mapping.to}.{field}",
                    note=f"values the map does not list become {value.default!r} ({name})",
                )


def _skipped(spec: MigrationSpec, bundle: Bundle) -> Iterator[LossyMapping]:
    for name, skip in spec.skip.items():
        count = bundle.count(name)
        yield LossyMapping(
            topic="skipped",
            source=f"{name} ({count} records)",
            target="rebuild inventory" if skip.inventory else "not migrated",
            note=" ".join(skip.reason.split()),
        )
