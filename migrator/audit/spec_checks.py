"""Audit checks that come from the spec meeting the data: values, names, options and volume.

* Per record (:func:`value_checks`): a ``map`` with ``default: error`` meeting a value it does
  not list (the record would be quarantined "unmapped value"), and a SELECT/MULTI_SELECT value
  (after ``transliterate``) that is not one of the field's options (Twenty refuses it).
* From OplaCRM's custom field definitions (:func:`definition_checks`): names that collide with a
  Twenty field of the object they land on, and option labels that need transliteration.
* From counts (:func:`volume_checks`): Twenty objects that will hold more than 20,000 records,
  past which Twenty's UI export stops, with how to export them through the API instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from migrator.audit.derive import read_path
from migrator.audit.model import Category, Level
from migrator.audit.tally import CheckKey, Tally
from migrator.catalogue import FieldType
from migrator.sources.bundle import Bundle
from migrator.sources.records import SourceRecord
from migrator.spec.models import MigrationSpec, ValueSpec, as_value_spec
from migrator.spec.naming import to_camel_case, to_option_value
from migrator.spec.target_model import TargetModel
from migrator.spec.transforms import (
    CaseTransform,
    PrefixTransform,
    SplitTransform,
    transform_name,
)

#: Twenty's UI export stops at this many records (both guides' gotcha).
UI_EXPORT_LIMIT = 20_000
#: Records per REST page.
PAGE = 200
#: OplaCRM custom field ``object_type`` → the source object whose records carry the values.
DEFINITION_OBJECTS = {
    "ACCOUNT": "accounts",
    "CONTACT": "contacts",
    "LEAD": "leads",
    "OPPORTUNITY": "opportunities",
    "PRODUCT": "products",
}


@dataclass(frozen=True)
class ValueCheck:
    """A per-record check from one field mapping: ``failing(record)`` says the record fails."""

    object: str
    key: CheckKey
    message: str
    hint: str
    failing: Callable[[SourceRecord], bool]


def _values(record: SourceRecord, value: ValueSpec) -> list[str]:
    raw: Any = read_path(record, value.from_ or "")
    items = raw if isinstance(raw, list) else [raw]
    texts = [str(v).strip() for v in items if v is not None and str(v).strip()]
    for transform in value.transforms:
        if isinstance(transform, SplitTransform):
            texts = [p.strip() for t in texts for p in t.split(transform.split) if p.strip()]
        elif isinstance(transform, PrefixTransform):
            texts = [transform.prefix + t for t in texts]
        elif transform == "transliterate":
            texts = [to_option_value(t) for t in texts]
        elif isinstance(transform, CaseTransform):
            texts = [t.upper() if transform.case == "upper" else t.lower() for t in texts]
    return texts


#: Transforms whose effect on text the audit reproduces; values behind others are not judged.
_MODELLED = frozenset({"trim", "transliterate", "split", "prefix", "case"})


def _is_modelled(value: ValueSpec) -> bool:
    return all(transform_name(t) in _MODELLED for t in value.transforms)


def _unmapped(value: ValueSpec) -> Callable[[SourceRecord], bool]:
    known = set(value.map or {})

    def failing(record: SourceRecord) -> bool:
        return any(v not in known for v in _values(record, value))

    return failing


def _unknown_option(value: ValueSpec, options: frozenset[str]) -> Callable[[SourceRecord], bool]:
    def failing(record: SourceRecord) -> bool:
        return any(v not in options for v in _values(record, value))

    return failing


def value_checks(spec: MigrationSpec, model: TargetModel) -> dict[str, list[ValueCheck]]:
    """Per source object, the per-record checks its mappings' value maps and options imply."""
    found: dict[str, list[ValueCheck]] = {}
    for name, mapping in spec.objects.items():
        target = model.get(mapping.to)
        for field_name, written in mapping.fields.items():
            if isinstance(written, dict):
                continue
            raw = as_value_spec(written)
            if raw.from_ is None or not _is_modelled(raw):
                continue
            if raw.map is not None and raw.default_is_error:
                key = CheckKey(
                    Category.OPTIONS, Level.ERROR, "unmapped_value", mapping.from_, raw.from_
                )
                found.setdefault(mapping.from_, []).append(
                    ValueCheck(
                        mapping.from_,
                        key,
                        f"value not listed in the map of {name}.{field_name} (default: error)",
                        "Add the value to the spec's map (or a default); else the record is "
                        "quarantined.",
                        _unmapped(raw),
                    )
                )
                continue
            declared = target.fields.get(field_name) if target else None
            if (
                raw.map is None
                and declared is not None
                and declared.type
                in (
                    FieldType.SELECT,
                    FieldType.MULTI_SELECT,
                )
            ):
                key = CheckKey(
                    Category.OPTIONS, Level.ERROR, "invalid_option", mapping.from_, raw.from_
                )
                found.setdefault(mapping.from_, []).append(
                    ValueCheck(
                        mapping.from_,
                        key,
                        f"value is not an option of {mapping.to}.{field_name}",
                        "Add the option to the spec's schema (Twenty refuses values it does not "
                        "list), or map the value.",
                        _unknown_option(raw, frozenset(declared.options)),
                    )
                )
    return found


def run_value_checks(checks: Iterable[ValueCheck], record: SourceRecord, tally: Tally) -> None:
    """Count ``record`` against every check it fails."""
    for check in checks:
        if check.failing(record):
            tally.add(check.key, record.key, message=check.message, hint=check.hint)


# -- custom field definitions ---------------------------------------------------------------------


def _spec_reader(spec: MigrationSpec, source: str, key: str) -> tuple[str, str] | None:
    """(Twenty object, field) a mapping of ``source`` writes ``custom_fields.<key>`` into."""
    wanted = f"custom_fields.{key}"
    for mapping in spec.objects.values():
        if mapping.from_ != source:
            continue
        for field_name, raw in mapping.fields.items():
            path = raw if isinstance(raw, str) else raw.from_ if isinstance(raw, ValueSpec) else ""
            if path == wanted:
                return mapping.to, field_name
    return None


def _target_of(spec: MigrationSpec, source: str) -> str | None:
    for mapping in spec.objects.values():
        if mapping.from_ == source:
            return mapping.to
    return None


def definition_checks(
    bundle: Bundle, spec: MigrationSpec, model: TargetModel, tally: Tally
) -> None:
    """Name collisions and transliterations of OplaCRM's custom field definitions."""
    if "custom_field_definitions" not in bundle.objects:
        return
    for record in bundle.read("custom_field_definitions"):
        f = record.fields
        source = DEFINITION_OBJECTS.get(str(f.get("object_type")))
        key = f.get("key")
        if source is None or not isinstance(key, str):
            continue
        example = f"{record.key} ({source}.custom_fields.{key})"
        _collision(spec, model, tally, source, key, example)
        _transliteration(record, tally, source, key)


def _collision(
    spec: MigrationSpec, model: TargetModel, tally: Tally, source: str, key: str, example: str
) -> None:
    target = _target_of(spec, source)
    obj = model.get(target) if target else None
    name = to_camel_case(key)
    existing = obj.fields.get(name) if obj is not None else None
    if existing is None or existing.origin not in ("standard", "auto"):
        return
    written = _spec_reader(spec, source, key)
    if written is not None:
        level, code = Level.INFO, "custom_field_renamed"
        message = f"collides with {target}.{name}; the spec writes it to another field"
        hint = "Listed for the customer to confirm or rename before cutover."
    else:
        level, code = Level.WARN, "custom_field_name_collision"
        message = f"its name collides with Twenty's {target}.{name}"
        hint = f"Map it to a prefixed field (opla{name[:1].upper()}{name[1:]}) with renamed_from."
    tally.add(
        CheckKey(Category.NAMES, level, code, source, f"custom_fields.{key}"),
        example,
        message=message,
        hint=hint,
    )


def _transliteration(record: SourceRecord, tally: Tally, source: str, key: str) -> None:
    if record.fields.get("data_type") not in ("SELECT", "MULTI_SELECT"):
        return
    options = record.fields.get("options") or []
    labels = [str(o.get("value")) for o in options if isinstance(o, dict) and o.get("value")]
    changed = [(label, to_option_value(label)) for label in labels]
    changed = [(label, value) for label, value in changed if label != value]
    if not changed:
        return
    examples = [f"{label} → {value}" for label, value in changed]
    tally.add_count(
        CheckKey(
            Category.OPTIONS,
            Level.INFO,
            "option_needs_transliteration",
            source,
            f"custom_fields.{key}",
        ),
        len(changed),
        examples,
        message="option labels are not ASCII UPPER_SNAKE; their values are transliterated "
        "(count: labels)",
        hint="The label keeps the source text; the value is what Twenty stores.",
    )


# -- volume -----------------------------------------------------------------------------------


def volume_checks(
    spec: MigrationSpec, model: TargetModel, counts: dict[str, int], tally: Tally
) -> None:
    """Twenty objects past the UI export limit, with the API way to export them."""
    per_object: dict[str, int] = {}
    for parent in spec.objects.values():
        rows = counts.get(parent.from_, 0)
        per_object[parent.to] = per_object.get(parent.to, 0) + rows
        for child in parent.children.values():
            per_object[child.to] = per_object.get(child.to, 0) + counts.get(parent.from_, 0)
    for twenty_object, total in sorted(per_object.items()):
        if total > UI_EXPORT_LIMIT:
            _large(spec, model, twenty_object, total, tally)


def _large(
    spec: MigrationSpec, model: TargetModel, twenty_object: str, total: int, tally: Tally
) -> None:
    target = model.get(twenty_object)
    plural = target.name_plural if target else twenty_object
    pages = math.ceil(total / PAGE)
    minutes = math.ceil(pages / spec.destination.rate_limit.per_minute)
    windows = math.ceil(total / UI_EXPORT_LIMIT)
    tally.add_count(
        CheckKey(Category.VOLUME, Level.INFO, "over_ui_export_limit", twenty_object),
        total,
        (f"GET /rest/{plural}?limit={PAGE}&starting_after=<cursor>",),
        message=f"up to {total} records will land here; Twenty's UI export stops at "
        f"{UI_EXPORT_LIMIT} (count: records)",
        hint=f"Export through the REST API instead: {pages} pages of {PAGE} following the "
        f"pageInfo.endCursor (about {minutes} min at {spec.destination.rate_limit.per_minute} "
        f"requests/min), or split the UI export into {windows} views filtered by createdAt.",
    )


def iter_checks(found: dict[str, list[ValueCheck]], name: str) -> Iterator[ValueCheck]:
    """The value checks of one source object."""
    yield from found.get(name, ())
