"""Field values checked and normalised as Twenty checks them on write (twenty-api.md §3.5, §6).

No coercion: a string where a number belongs is refused with Twenty's message (capture 38). Emails
are lower-cased, phone strings with a ``+`` are parsed into number, country and calling code
(capture 73), SELECT values must be existing options (capture 34), unknown keys are refused
(capture 33). Empty text (plain or composite sub-field) is stored as NULL, so rows without a value
never collide on a unique index. Composite values come back *partial* (only the sub-fields sent):
the records layer completes them on create and merges them on update (capture 51).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import phonenumbers

from migrator.catalogue import ACTOR_SOURCES, COMPOSITE_SUBFIELDS, FieldType
from migrator.sandbox.http import bad_request
from migrator.sandbox.richtext import markdown_to_blocknote
from migrator.sandbox.schema import FieldMeta, ObjectMeta

_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
COMPOSITES: dict[str, tuple[str, ...]] = {
    key.value: value for key, value in COMPOSITE_SUBFIELDS.items()
}
NUMERIC_SUBFIELDS = frozenset({"addressLat", "addressLng", "amountMicros"})
LIST_SUBFIELDS = frozenset({"additionalEmails", "additionalPhones", "secondaryLinks"})
SYSTEM_KEYS = frozenset(
    {"id", "createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy", "position"}
)
IGNORED_KEYS = frozenset({"searchVector", "updatedBy"})


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def invalid(kind: str, value: Any, name: str) -> Exception:
    """Twenty's 400 for a value of the wrong type."""
    return bad_request(f"Invalid {kind} value '{_show(value)}' for field \"{name}\"")


def text(value: Any, name: str) -> str | None:
    """A string, empty stored as NULL."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid("string", value, name)
    return value or None


def number(value: Any, name: str) -> int | float | None:
    """A JSON number (booleans and numeric strings refused)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid("number", value, name)
    return value


def boolean(value: Any, name: str) -> bool | None:
    """A JSON boolean."""
    if value is None or isinstance(value, bool):
        return value
    raise invalid("boolean", value, name)


def date_time(value: Any, name: str) -> str | None:
    """An ISO-8601 instant, stored as Twenty prints it: UTC, milliseconds, ``Z``."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            moment = moment.astimezone(dt.UTC)
            return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    raise invalid("date", value, name)


def date(value: Any, name: str) -> str | None:
    """A calendar date ``YYYY-MM-DD``."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            pass
    raise invalid("date", value, name)


def uuid_value(value: Any, name: str) -> str | None:
    """A UUID, lower-cased."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise invalid("uuid", value, name)


def email(value: Any, name: str) -> str | None:
    """An email address, lower-cased."""
    result = text(value, name)
    if result is None:
        return None
    if not _EMAIL.match(result):
        raise bad_request(f"Invalid string value '{result}' for email field \"{name}\"")
    return result.lower()


def _string_list(value: Any, name: str, item: Callable[[Any, str], Any] = text) -> list[Any] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid("array", value, name)
    return [item(each, name) for each in value]


def _objects(value: Any, name: str, keys: tuple[str, ...]) -> list[dict[str, Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(each, dict) for each in value):
        raise invalid("array", value, name)
    out = []
    for each in value:
        unknown = set(each) - set(keys)
        if unknown:
            raise bad_request(f'Invalid key "{sorted(unknown)[0]}" in field "{name}"')
        out.append({key: text(each.get(key), f"{name}.{key}") for key in keys})
    return out


def parse_phone(
    number_text: str | None, country: str | None
) -> tuple[str | None, str | None, str | None]:
    """``(national number, country code, calling code)`` of a phone string (capture 73)."""
    if number_text is None or not number_text.strip().startswith("+"):
        calling = None
        if country:
            code = phonenumbers.country_code_for_region(country.upper())
            calling = f"+{code}" if code else None
        return number_text, country, calling
    try:
        parsed = phonenumbers.parse(number_text, None)
    except phonenumbers.NumberParseException:
        return number_text, country, None
    region = phonenumbers.region_code_for_number(parsed) or country
    return str(parsed.national_number), region, f"+{parsed.country_code}"


def _phones(value: dict[str, Any], name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("primaryPhoneNumber", "primaryPhoneCountryCode", "primaryPhoneCallingCode"):
        if key in value:
            out[key] = text(value[key], f"{name}.{key}")
    if "primaryPhoneNumber" in out and out["primaryPhoneNumber"] is not None:
        number_text, country, calling = parse_phone(
            out["primaryPhoneNumber"], out.get("primaryPhoneCountryCode")
        )
        out["primaryPhoneNumber"] = number_text
        if country is not None:
            out["primaryPhoneCountryCode"] = country
        if out.get("primaryPhoneCallingCode") is None and calling is not None:
            out["primaryPhoneCallingCode"] = calling
    if "additionalPhones" in value:
        out["additionalPhones"] = _objects(
            value["additionalPhones"],
            f"{name}.additionalPhones",
            ("number", "countryCode", "callingCode"),
        )
    return out


def actor(value: Any, name: str, default: dict[str, Any]) -> dict[str, Any]:
    """An ACTOR value: kept when it has a ``name`` (capture 12, 82), else ``default``."""
    if not isinstance(value, dict):
        raise invalid("actor", value, name)
    if not value.get("name"):
        return dict(default)
    source = value.get("source", "MANUAL")
    if source not in ACTOR_SOURCES:
        raise bad_request(f'Invalid value "{_show(source)}" for field "{name}.source"')
    return {
        "source": source,
        "workspaceMemberId": uuid_value(
            value.get("workspaceMemberId"), f"{name}.workspaceMemberId"
        ),
        "name": text(value.get("name"), f"{name}.name"),
        "context": value.get("context"),
    }


def composite(kind: str, value: Any, name: str) -> dict[str, Any] | None:
    """The sub-fields sent for a composite field, normalised (partial: only the keys sent)."""
    if value is None:
        return None
    subfields = COMPOSITES[kind]
    if not isinstance(value, dict):
        raise invalid("object", value, name)
    for key in value:
        if key not in subfields:
            raise bad_request(f'Object doesn\'t have any "{name}.{key}" field.')
    if kind == FieldType.PHONES.value:
        return _phones(value, name)
    out: dict[str, Any] = {}
    for key, item in value.items():
        path = f"{name}.{key}"
        if kind == FieldType.EMAILS.value:
            out[key] = (
                email(item, path) if key == "primaryEmail" else _string_list(item, path, email)
            )
        elif key == "secondaryLinks":
            out[key] = _objects(item, path, ("url", "label"))
        elif key in NUMERIC_SUBFIELDS:
            out[key] = number(item, path)
        elif key == "context":
            out[key] = item
        else:
            out[key] = text(item, path)
    if kind == FieldType.RICH_TEXT.value and out.get("markdown") and "blocknote" not in out:
        out["blocknote"] = markdown_to_blocknote(out["markdown"])
    return out


def select(field_meta: FieldMeta, value: Any) -> str | None:
    """A SELECT or RATING value that must be one of the options."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in field_meta.option_values:
        valid = ", ".join(field_meta.option_values)
        raise bad_request(
            f'Invalid value "{_show(value)}" for field "{field_meta.name}". '
            f"Valid values are: {valid}"
        )
    return value


def multi_select(field_meta: FieldMeta, value: Any) -> list[str] | None:
    """A MULTI_SELECT list whose items must all be options."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid("array", value, field_meta.name)
    return [str(select(field_meta, item)) for item in value]


Normaliser = Callable[[Any], Any]


def normaliser(field_meta: FieldMeta) -> Normaliser | None:
    """The function checking values of a plain (non-composite, non-relation) field."""
    name, kind = field_meta.name, field_meta.type
    simple: dict[str, Callable[[Any, str], Any]] = {
        "TEXT": text,
        "NUMBER": number,
        "NUMERIC": number,
        "POSITION": number,
        "BOOLEAN": boolean,
        "DATE_TIME": date_time,
        "DATE": date,
        "UUID": uuid_value,
        "ARRAY": _string_list,
    }
    if kind in simple:
        check = simple[kind]
        return lambda value: check(value, name)
    if kind in ("SELECT", "RATING"):
        return lambda value: select(field_meta, value)
    if kind == "MULTI_SELECT":
        return lambda value: multi_select(field_meta, value)
    if kind == "RAW_JSON":
        return lambda value: value
    return None


def unknown_field(obj: ObjectMeta, key: str) -> Exception:
    """Twenty's 400 for a key the object does not have (capture 33)."""
    return bad_request(f'Object {obj.name_singular} doesn\'t have any "{key}" field.')
