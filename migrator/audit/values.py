"""Field-level checks of one source record, chosen by the bundle schema's ``check`` names.

:func:`field_issues` runs, for every declared field with a ``check``, the validator of
:mod:`migrator.validate` that rule names (sources.md §7) and returns ``(field, issue)`` pairs.
Checks that need other records (``reference``) or several fields at once live in
:mod:`migrator.audit.rules`. Issues never carry the value they judged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from migrator.sources.records import SourceRecord
from migrator.sources.schema_types import SourceField, SourceObject
from migrator.validate.dates import check_birth_date, check_duration
from migrator.validate.emails import check_email
from migrator.validate.findings import Issue, warn
from migrator.validate.identifiers import (
    check_aerona_id,
    check_gdc_number,
    check_mime_type,
    check_provider_reference,
    check_sha256,
    check_sku,
    check_uuid,
    check_vn_tax_id,
)
from migrator.validate.money import check_amount, check_currency
from migrator.validate.nhs import check_nhs_number
from migrator.validate.phones import check_opla_phone, check_phone
from migrator.validate.postcodes import check_postcode
from migrator.validate.sds import check_patient_sds, check_sds_role_profile_id, check_sds_user_id
from migrator.validate.teeth import normalise_surfaces, parse_tooth, tooth_from_fdi
from migrator.validate.text import check_name, split_tags

WARN_PERCENT = warn("percent_out_of_range", "percentage outside 0 to 100")
WARN_ENUM = warn("enum_unknown", "unknown code; the spec's map or default decides")

#: Checks whose findings are about identifiers (the audit's "invalid identifiers" section).
IDENTIFIER_CHECKS: frozenset[str] = frozenset(
    {
        "nhs_number",
        "patient_sds",
        "sds_user_id",
        "sds_role_profile_id",
        "email",
        "phone",
        "postcode",
        "uuid",
        "aerona_id",
        "gdc_number",
        "vn_tax_id",
        "sku",
        "sha256",
        "provider_reference",
    }
)

Check = Callable[[Any, SourceRecord, "Context"], tuple[Issue, ...]]


class Context:
    """What some checks need beyond the record: the export date and the default currency."""

    def __init__(self, *, exported_on: dt.date, currency: str, phone_region: str) -> None:
        self.exported_on = exported_on
        self.currency = currency
        self.phone_region = phone_region


def _text(fn: Callable[[str], Any]) -> Check:
    def check(value: Any, _record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
        return tuple(fn(value).issues) if isinstance(value, str) else ()

    return check


def _phone(value: Any, record: SourceRecord, ctx: Context) -> tuple[Issue, ...]:
    if isinstance(value, dict):
        return check_opla_phone(value, ctx.phone_region).issues
    if isinstance(value, str) and value.strip():
        country = record.fields.get("country")
        region = country if country in ("GB", "IE") else ctx.phone_region
        return check_phone(value, region).issues
    return ()


def _postcode(value: Any, record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
    if not isinstance(value, str):
        return ()
    country = record.fields.get("country")
    return check_postcode(value, country if isinstance(country, str) else None).issues


def _tooth(value: Any, _record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ()
    return parse_tooth(value).issues


def _fdi(value: Any, _record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
    if isinstance(value, bool) or not isinstance(value, int):
        return ()
    return () if tooth_from_fdi(value) else parse_tooth(str(value)).issues


def _surfaces(value: Any, record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
    if not isinstance(value, str):
        return ()
    fdi = record.fields.get("fdiTooth")
    tooth = tooth_from_fdi(fdi) if isinstance(fdi, int) and not isinstance(fdi, bool) else None
    return normalise_surfaces(value, tooth).issues


def _money(value: Any, record: SourceRecord, ctx: Context) -> tuple[Issue, ...]:
    if not isinstance(value, Decimal):
        return ()
    currency = record.fields.get("currency")
    code = currency if isinstance(currency, str) and currency else ctx.currency
    signed = record.object in ("adjustments",)
    return check_amount(value, code, allow_negative=signed).issues


def _birth(value: Any, _record: SourceRecord, ctx: Context) -> tuple[Issue, ...]:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        return ()
    return check_birth_date(value, ctx.exported_on).issues


def _duration(value: Any, _record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
    if isinstance(value, bool) or not isinstance(value, int):
        return ()
    return check_duration(value).issues


def _percent(value: Any, _record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
    if isinstance(value, Decimal) and not Decimal(0) <= value <= Decimal(100):
        return (WARN_PERCENT,)
    return ()


def _mime(value: Any, record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
    name = record.fields.get("file_name") or record.fields.get("fileName")
    if not isinstance(value, str) or not isinstance(name, str):
        return ()
    return check_mime_type(value, name).issues


def _tags(value: Any, _record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
    return split_tags(value).issues if isinstance(value, str | list) else ()


def _aerona_id(value: Any, _record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return ()
    return check_aerona_id(value).issues


def _uuid_check(field: SourceField, obj: SourceObject) -> Check:
    primary = field.name == obj.primary_key
    return _text(lambda text: check_uuid(text, primary=primary))


def _provider(value: Any, record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
    provider = record.fields.get("method") or record.fields.get("provider")
    if not isinstance(value, str) or not isinstance(provider, str) or not value:
        return ()
    kind = "mandate" if record.object == "care_plans" else "payment"
    return check_provider_reference(provider, value, kind).issues


def _enum(field: SourceField) -> Check:
    known = frozenset(field.values)

    def check(value: Any, _record: SourceRecord, _ctx: Context) -> tuple[Issue, ...]:
        return (WARN_ENUM,) if isinstance(value, str) and value and value not in known else ()

    return check


_BY_NAME: dict[str, Check] = {
    "nhs_number": _text(check_nhs_number),
    "patient_sds": _text(check_patient_sds),
    "sds_user_id": _text(check_sds_user_id),
    "sds_role_profile_id": _text(check_sds_role_profile_id),
    "email": _text(check_email),
    "phone": _phone,
    "postcode": _postcode,
    "name": _text(check_name),
    "gdc_number": _text(check_gdc_number),
    "vn_tax_id": _text(check_vn_tax_id),
    "sku": _text(check_sku),
    "sha256": _text(check_sha256),
    "currency": _text(check_currency),
    "tooth": _tooth,
    "fdi_tooth": _fdi,
    "surfaces": _surfaces,
    "money": _money,
    "birth_date": _birth,
    "duration": _duration,
    "percent": _percent,
    "mime_type": _mime,
    "tags": _tags,
    "aerona_id": _aerona_id,
    "provider_reference": _provider,
}


def checks_of(obj: SourceObject) -> tuple[tuple[SourceField, Check], ...]:
    """The (field, check) pairs run on every record of ``obj``."""
    found: list[tuple[SourceField, Check]] = []
    for field in obj.fields:
        if field.check == "uuid":
            found.append((field, _uuid_check(field, obj)))
        elif field.check == "enum" or (field.values and field.check is None):
            found.append((field, _enum(field)))
        elif field.check is not None and field.check in _BY_NAME:
            found.append((field, _BY_NAME[field.check]))
    return tuple(found)


def field_issues(
    record: SourceRecord, checks: tuple[tuple[SourceField, Check], ...], ctx: Context
) -> Iterator[tuple[SourceField, Issue]]:
    """Every issue the field checks find on ``record``, with the field it is about."""
    for field, check in checks:
        value = record.fields.get(field.name)
        if value is None or value == "":
            continue
        for item in check(value, record, ctx):
            yield field, item
