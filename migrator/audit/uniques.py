"""Duplicate checks: which values must be unique per source object, and how to read them.

Three kinds of key, each counted per record that repeats an earlier record's value:

* the primary key: a repeated source id cannot get an identity of its own (an ERROR when the
  object is migrated);
* the source system's own unique identifiers (sources.md §5.1, §6.2, §7.1): external ids, SKUs,
  invoice numbers, NHS numbers (a repeat is a possible duplicate patient, a WARN);
* what the spec makes unique in Twenty: each mapped Twenty field that Twenty keeps unique
  (``person.emails``, ``company.domainName``, custom ``unique: true`` fields) and each ``match``
  rule. Later rows with an earlier row's value are deduplicated into it (a WARN).

Values are compared after the spec's text transforms (:mod:`migrator.audit.derive`) and never
leave memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from migrator.audit.derive import comparable, derive, read_path
from migrator.audit.model import Level
from migrator.audit.scope import ObjectScope
from migrator.catalogue import UNIQUE_SUBFIELDS, standard_object
from migrator.sources.records import SourceRecord
from migrator.spec.models import Mapping, MigrationSpec
from migrator.validate.nhs import check_nhs_number

Extract = Callable[[SourceRecord], str | None]

#: The source systems' own unique identifiers (sources.md §5.1 "unique per object type",
#: §5.2 SKU and invoice number, §6.2 invoice number per practice, §7.1 NHS numbers).
SOURCE_UNIQUE: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    "oplacrm": {
        "users": (("external_id",), ("email",)),
        "accounts": (("external_id",),),
        "contacts": (("external_id",),),
        "opportunities": (("external_id",),),
        "products": (("external_id",), ("sku",)),
        "invoices": (("invoice_number",),),
    },
    "aeronaclinic": {
        "users": (("email",),),
        "patients": (("nhsNumber",),),
        "invoices": (("practiceId", "invoiceNumber"),),
    },
}


@dataclass(frozen=True)
class UniqueKey:
    """One thing that must be unique among an object's records."""

    object: str
    field: str
    """What is compared, for the report (a source field, ``a+b``, or ``twenty:field``)."""
    level: Level
    code: str
    message: str
    hint: str
    extract: Extract
    twenty_object: str | None = None
    """For values Twenty matches on: the Twenty object and field path looked up for existing
    records (``person``, ``emails.primaryEmail``)."""
    twenty_path: str | None = None
    exact: Extract | None = None
    """The value exactly as it will be written (Twenty compares exactly)."""


def _source_value(paths: tuple[str, ...]) -> Extract:
    def extract(record: SourceRecord) -> str | None:
        parts = [read_path(record, p) for p in paths]
        if any(p is None or p == "" for p in parts):
            return None
        if paths == ("nhsNumber",):
            found = check_nhs_number(str(parts[0])).value
            return found.digits if found is not None else None
        return "\x1f".join(comparable(str(p)) for p in parts)

    return extract


def _primary(scope: ObjectScope) -> UniqueKey:
    pk = scope.obj.primary_key
    return UniqueKey(
        object=scope.obj.name,
        field=pk,
        level=Level.ERROR if scope.is_migrated else Level.WARN,
        code="duplicate_primary_key",
        message="the same source id appears on several records; only one can be migrated",
        hint="Fix the export: every record needs its own id.",
        extract=lambda record: None if record.id.startswith("line:") else record.id,
    )


def _source_keys(system: str, scope: ObjectScope) -> list[UniqueKey]:
    keys: list[UniqueKey] = []
    for paths in SOURCE_UNIQUE.get(system, {}).get(scope.obj.name, ()):
        nhs = paths == ("nhsNumber",)
        keys.append(
            UniqueKey(
                object=scope.obj.name,
                field="+".join(paths),
                level=Level.WARN,
                code="duplicate_nhs_number" if nhs else "duplicate_source_identifier",
                message=(
                    "NHS number shared by several patients (possible duplicate or merge)"
                    if nhs
                    else "an identifier the source keeps unique appears on several records"
                ),
                hint="Review the records in the source; merge duplicates before the migration.",
                extract=_source_value(paths),
            )
        )
    return keys


def _unique_fields(spec: MigrationSpec, target: str) -> list[tuple[str, str | None]]:
    """Twenty fields of ``target`` kept unique, each with its unique sub-field (or None)."""
    found: list[tuple[str, str | None]] = []
    standard = standard_object(target)
    if standard is not None:
        for item in standard.fields:
            if item.is_unique and item.name != "id":
                subs = UNIQUE_SUBFIELDS.get(item.type)
                if subs is None or len(subs) == 1:
                    found.append((item.name, subs[0] if subs else None))
    section = spec.schema_.get(target)
    for name, declared in section.fields.items() if section else ():
        if declared.unique:
            subs = UNIQUE_SUBFIELDS.get(declared.type)
            found.append((name, subs[0] if subs and len(subs) == 1 else None))
    return found


def _mapped_value(
    mapping: Mapping, field: str, part: str | None, *, exact: bool = False
) -> Extract:
    raw = mapping.fields[field]

    def extract(record: SourceRecord) -> str | None:
        value = derive(record, raw, part if isinstance(raw, dict) else None)
        if value is None:
            return None
        return value if exact else comparable(value)

    return extract


def _rule_value(mapping: Mapping, fields: tuple[str, ...], *, exact: bool = False) -> Extract:
    raws = [(name.split(".", 1), mapping.fields.get(name.split(".", 1)[0])) for name in fields]

    def extract(record: SourceRecord) -> str | None:
        parts: list[str] = []
        for split, raw in raws:
            if raw is None:
                return None
            sub = split[1] if len(split) > 1 and isinstance(raw, dict) else None
            value = derive(record, raw, sub)
            if value is None:
                return None
            parts.append(value if exact else comparable(value))
        return "\x1f".join(parts)

    return extract


def _spec_keys(spec: MigrationSpec, name: str, mapping: Mapping) -> list[UniqueKey]:
    keys: list[UniqueKey] = []
    unique = _unique_fields(spec, mapping.to)
    unique_names = {field for field, _ in unique}
    for field, part in unique:
        if field in mapping.fields:
            keys.append(
                UniqueKey(
                    object=mapping.from_,
                    field=f"{mapping.to}.{field}" + (f".{part}" if part else ""),
                    level=Level.WARN,
                    code="duplicate_unique_value",
                    message=f"records share a value of a field Twenty keeps unique ({name})",
                    hint="Only the first is written; the others are deduplicated into it.",
                    extract=_mapped_value(mapping, field, part),
                    twenty_object=mapping.to,
                    twenty_path=field + (f".{part}" if part else ""),
                    exact=_mapped_value(mapping, field, part, exact=True),
                )
            )
    for rule in mapping.match:
        if len(rule.fields) == 1 and rule.fields[0].split(".")[0] in unique_names:
            continue
        single = len(rule.fields) == 1 and not isinstance(mapping.fields.get(rule.fields[0]), dict)
        keys.append(
            UniqueKey(
                object=mapping.from_,
                field=f"{mapping.to}:" + "+".join(rule.fields),
                level=Level.WARN,
                code="duplicate_match_key",
                message=f"records share the values of a match rule of {name}",
                hint="Only the first is written; the others are deduplicated into it.",
                extract=_rule_value(mapping, rule.fields),
                twenty_object=mapping.to if single else None,
                twenty_path=rule.fields[0] if single else None,
                exact=_rule_value(mapping, rule.fields, exact=True) if single else None,
            )
        )
    return keys


def unique_keys(
    spec: MigrationSpec, system: str, scopes: dict[str, ObjectScope]
) -> dict[str, list[UniqueKey]]:
    """Per source object, every key whose repeats the audit counts."""
    keys: dict[str, list[UniqueKey]] = {}
    for name, scope in scopes.items():
        keys[name] = [_primary(scope), *_source_keys(system, scope)]
    for name, mapping in spec.objects.items():
        if mapping.from_ in keys:
            keys[mapping.from_].extend(_spec_keys(spec, name, mapping))
    return keys
