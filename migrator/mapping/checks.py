"""Which validator of :mod:`migrator.validate` checks a source field, by the schema's ``check``.

:func:`checker_for` turns a source field's ``check`` name into a function
``(value, record) -> (value, issues)``, or None when the mapper does not run that check itself.
The value it returns replaces the source value before transforms (an NHS number without its
spaces, a trimmed name, a canonical surface list); notations recorded "as is" keep their raw value
(``tooth``: the raw tooth stays, only its validity is judged). A check meets only values of the
type it expects; anything else passes untouched (the reader already reported the type).

Not run here, on purpose: ``phone`` (the ``phone`` transform parses and judges), ``email`` when
the value goes through an ``email``/``emails`` transform (the transform judges), and the checks
that need more than one row or a rule the audit owns (``reference``, ``enum``, ``percent``,
``appointment_time``, ``provider_reference``, ``aerona_id``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from migrator.sources.records import SourceRecord
from migrator.sources.schema_types import SourceField, SourceObject
from migrator.validate.dates import check_birth_date, check_duration
from migrator.validate.emails import check_email
from migrator.validate.findings import Issue, Outcome
from migrator.validate.identifiers import (
    check_gdc_number,
    check_mime_type,
    check_sha256,
    check_sku,
    check_uuid,
    check_vn_tax_id,
)
from migrator.validate.money import check_amount, check_currency
from migrator.validate.nhs import check_nhs_number
from migrator.validate.postcodes import check_postcode
from migrator.validate.sds import check_patient_sds, check_sds_role_profile_id, check_sds_user_id
from migrator.validate.teeth import normalise_surfaces, parse_tooth, tooth_from_fdi
from migrator.validate.text import check_name, split_tags

Checked = tuple[Any, tuple[Issue, ...]]
Check = Callable[[Any, SourceRecord], Checked]

#: Checks a validating transform makes redundant.
OWNED_BY_TRANSFORMS: dict[str, frozenset[str]] = {
    "email": frozenset({"email", "emails"}),
    "phone": frozenset({"phone"}),
}


def _text(fn: Callable[[str], Outcome[Any]]) -> Check:
    """A check of text alone, cached: source text repeats (names, codes, tags)."""

    @functools.lru_cache(maxsize=32768)
    def cached(value: str) -> Checked:
        outcome = fn(value)
        return outcome.value, outcome.issues

    def check(value: Any, _record: SourceRecord) -> Checked:
        if not isinstance(value, str):
            return value, ()
        return cached(value)

    return check


def _email(value: Any, _record: SourceRecord) -> Checked:
    if not isinstance(value, str):
        return value, ()
    outcome = check_email(value)
    found = outcome.value
    text = None if found is None else ", ".join((found.primary, *found.additional))
    return text, outcome.issues


def _nhs(value: Any, _record: SourceRecord) -> Checked:
    if not isinstance(value, str):
        return value, ()
    outcome = check_nhs_number(value)
    return (outcome.value.digits if outcome.value else None), outcome.issues


def _postcode(value: Any, record: SourceRecord) -> Checked:
    if not isinstance(value, str):
        return value, ()
    country = record.fields.get("country")
    outcome = check_postcode(value, country if isinstance(country, str) else None)
    return outcome.value, outcome.issues


def _tooth(value: Any, _record: SourceRecord) -> Checked:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return value, ()
    return value, parse_tooth(value).issues


def _fdi(value: Any, _record: SourceRecord) -> Checked:
    if not isinstance(value, int) or isinstance(value, bool):
        return value, ()
    return value, () if tooth_from_fdi(value) else parse_tooth(str(value)).issues


def _surfaces(value: Any, record: SourceRecord) -> Checked:
    if not isinstance(value, str):
        return value, ()
    fdi = record.fields.get("fdiTooth")
    tooth = tooth_from_fdi(fdi) if isinstance(fdi, int) and not isinstance(fdi, bool) else None
    outcome = normalise_surfaces(value, tooth)
    return outcome.value, outcome.issues


@functools.lru_cache(maxsize=32768)
def _split_tags(value: str | tuple[str, ...]) -> tuple[tuple[str, ...], tuple[Issue, ...]]:
    outcome = split_tags(value)
    return outcome.value or (), outcome.issues


def _tags(value: Any, _record: SourceRecord) -> Checked:
    if not value or not isinstance(value, str | list):
        return value, ()
    tags, issues = _split_tags(value if isinstance(value, str) else tuple(map(str, value)))
    return list(tags), issues


def _mime(value: Any, record: SourceRecord) -> Checked:
    name = record.fields.get("file_name") or record.fields.get("fileName")
    if not isinstance(value, str) or not isinstance(name, str):
        return value, ()
    return value, check_mime_type(value, name).issues


def _duration(value: Any, _record: SourceRecord) -> Checked:
    if not isinstance(value, int) or isinstance(value, bool):
        return value, ()
    outcome = check_duration(value)
    return outcome.value, outcome.issues


def _money(default_currency: str, allow_negative: bool) -> Check:
    def check(value: Any, record: SourceRecord) -> Checked:
        if not isinstance(value, Decimal):
            return value, ()
        currency = record.fields.get("currency")
        code = currency if isinstance(currency, str) and currency else default_currency
        outcome = check_amount(value, code, allow_negative=allow_negative)
        return outcome.value, outcome.issues

    return check


def _birth(exported_on: dt.date) -> Check:
    def check(value: Any, _record: SourceRecord) -> Checked:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            return value, ()
        outcome = check_birth_date(value, exported_on)
        return outcome.value, outcome.issues

    return check


def _uuid(primary: bool) -> Check:
    return _text(lambda text: check_uuid(text, primary=primary))


_SIMPLE: dict[str, Check] = {
    "nhs_number": _nhs,
    "email": _email,
    "name": _text(check_name),
    "postcode": _postcode,
    "sds_user_id": _text(check_sds_user_id),
    "sds_role_profile_id": _text(check_sds_role_profile_id),
    "patient_sds": _text(check_patient_sds),
    "tooth": _tooth,
    "fdi_tooth": _fdi,
    "surfaces": _surfaces,
    "sha256": _text(check_sha256),
    "vn_tax_id": _text(check_vn_tax_id),
    "sku": _text(check_sku),
    "gdc_number": _text(check_gdc_number),
    "currency": _text(check_currency),
    "tags": _tags,
    "mime_type": _mime,
    "duration": _duration,
}


def checker_for(
    obj: SourceObject,
    field: SourceField,
    *,
    transforms: frozenset[str],
    default_currency: str,
    exported_on: dt.date,
) -> Check | None:
    """The check the mapper runs on ``field`` of ``obj`` before ``transforms``, if any."""
    name = field.check
    if name is None or transforms & OWNED_BY_TRANSFORMS.get(name, frozenset()):
        return None
    if name == "phone":
        return None
    if name == "money":
        return _money(default_currency, allow_negative="signed" in field.description)
    if name == "birth_date":
        return _birth(exported_on)
    if name == "uuid":
        return _uuid(primary=field.name == obj.primary_key)
    return _SIMPLE.get(name)
