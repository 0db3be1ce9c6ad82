"""Values into the exact JSON Twenty accepts for a field type (twenty-api.md §3.5, §6).

Twenty never coerces (``"12"`` for a NUMBER is a 400), so the last step of every value turns it
into its field type's JSON: NUMBER a JSON number, DATE ``YYYY-MM-DD`` (an instant becomes its date
in the tenant's timezone), DATE_TIME ISO 8601 in UTC with milliseconds and ``Z``, SELECT one of the
field's options, MULTI_SELECT a list of options without repeats, ARRAY a list of texts, RICH_TEXT
``{"markdown": text}``, TEXT text. A value that cannot be converted raises :class:`Invalid`
naming what was expected; the caller applies the field's ``on_invalid`` (by default the row is
quarantined: Twenty would refuse the whole batch).

Composite sub-fields are converted one by one (:func:`sub_coercer`): ``amountMicros`` an integer,
``addressLat``/``addressLng`` numbers, list sub-fields lists, every other part text, with empty
text as null (Twenty stores empty composite text as NULL).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from migrator.catalogue import FieldType
from migrator.mapping.render import instant_text, text_of
from migrator.mapping.transforms import to_date, to_number
from migrator.model import canonical_json
from migrator.sources.records import jsonable
from migrator.validate.findings import Issue, error

Coercer = Callable[[Any], Any]

_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


class Invalid(Exception):
    """The value does not fit the field type; ``issue`` says what was expected."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.code)
        self.issue = issue


def _issue(code: str, what: str) -> Issue:
    return error(code, f"value is not {what}")


INVALID_NUMBER = _issue("invalid_number", "a number")
INVALID_BOOLEAN = _issue("invalid_boolean", "true or false")
INVALID_DATE = _issue("invalid_date", "a date")
INVALID_DATE_TIME = _issue("invalid_date_time", "a timestamp")
INVALID_OPTION = _issue("invalid_option", "one of the field's options")
INVALID_SHAPE = _issue("invalid_composite", "in the field's composite shape")


def to_text(value: Any) -> str:
    """Text for a TEXT field: mappings as canonical JSON, everything else by :func:`text_of`."""
    if type(value) is str:
        return value
    if isinstance(value, Mapping):
        return canonical_json(jsonable(value))
    return text_of(value)


def _number(value: Any) -> Any:
    number = to_number(value)
    if number is None:
        raise Invalid(INVALID_NUMBER)
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise Invalid(INVALID_BOOLEAN)


def _date(zone: ZoneInfo) -> Coercer:
    def convert(value: Any) -> str:
        found = to_date(value, zone)
        if found is None:
            raise Invalid(INVALID_DATE)
        return found.isoformat()

    return convert


def _date_time(zone: ZoneInfo) -> Coercer:
    @functools.lru_cache(maxsize=16384)
    def midnight(day: dt.date) -> str:
        return instant_text(dt.datetime(day.year, day.month, day.day, tzinfo=zone))

    def convert(value: Any) -> str:
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                raise Invalid(INVALID_DATE_TIME) from None
        if isinstance(value, dt.datetime):
            return instant_text(value if value.tzinfo else value.replace(tzinfo=zone))
        if isinstance(value, dt.date):
            return midnight(value)
        raise Invalid(INVALID_DATE_TIME)

    return convert


def _select(options: frozenset[str]) -> Coercer:
    def convert(value: Any) -> str | None:
        text = to_text(value)
        if not text:
            return None
        if options and text not in options:
            raise Invalid(INVALID_OPTION)
        return text

    return convert


def _multi_select(options: frozenset[str]) -> Coercer:
    def convert(value: Any) -> list[str] | None:
        items = value if isinstance(value, list | tuple) else [value]
        found: list[str] = []
        for item in items:
            text = to_text(item) if item is not None else ""
            if not text or text in found:
                continue
            if options and text not in options:
                raise Invalid(INVALID_OPTION)
            found.append(text)
        return found or None

    return convert


def _array(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    return [to_text(item) for item in items if item is not None]


def _rich_text(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    text = to_text(value)
    return {"markdown": text} if text else None


def _whole_composite(kind: FieldType) -> Coercer:
    def convert(value: Any) -> Any:
        if type(value) is dict:
            return value  # built by a transform or a constant: JSON already
        if isinstance(value, Mapping):
            return jsonable(value)
        if isinstance(value, str) and kind is FieldType.EMAILS:
            return {"primaryEmail": value, "additionalEmails": []}
        if isinstance(value, str) and kind is FieldType.LINKS:
            return {"primaryLinkUrl": value}
        raise Invalid(INVALID_SHAPE)

    return convert


def _text_or_none(value: Any) -> str | None:
    text = to_text(value)
    return text if text else None


_COMPOSITES = frozenset(
    {
        FieldType.FULL_NAME,
        FieldType.EMAILS,
        FieldType.PHONES,
        FieldType.LINKS,
        FieldType.ADDRESS,
        FieldType.CURRENCY,
        FieldType.ACTOR,
    }
)


def coercer(kind: FieldType, options: tuple[str, ...], zone: ZoneInfo) -> Coercer:
    """The conversion of a whole value into a field of type ``kind``."""
    allowed = frozenset(options)
    table: dict[FieldType, Coercer] = {
        FieldType.TEXT: to_text,
        FieldType.NUMBER: _number,
        FieldType.NUMERIC: _number,
        FieldType.BOOLEAN: _boolean,
        FieldType.DATE: _date(zone),
        FieldType.DATE_TIME: _date_time(zone),
        FieldType.SELECT: _select(allowed),
        FieldType.RATING: _select(allowed),
        FieldType.MULTI_SELECT: _multi_select(allowed),
        FieldType.ARRAY: _array,
        FieldType.RAW_JSON: jsonable,
        FieldType.UUID: to_text,
        FieldType.RICH_TEXT: _rich_text,
    }
    if kind in table:
        return table[kind]
    if kind in _COMPOSITES:
        return _whole_composite(kind)
    return jsonable


def _micros(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = to_number(value)
    if number is None:
        raise Invalid(INVALID_NUMBER)
    if isinstance(number, float):
        return int(Decimal(repr(number)).to_integral_value(rounding=ROUND_HALF_EVEN))
    return number


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _links(value: Any) -> list[Any]:
    return [{"url": item, "label": ""} if isinstance(item, str) else item for item in _list(value)]


def sub_coercer(kind: FieldType, sub: str) -> Coercer:
    """The conversion of one composite sub-field's value."""
    if kind is FieldType.CURRENCY and sub == "amountMicros":
        return _micros
    if kind is FieldType.CURRENCY and sub == "currencyCode":
        return lambda value: (_text_or_none(value) or "").upper() or None
    if sub in ("addressLat", "addressLng"):
        return _number
    if sub == "secondaryLinks":
        return _links
    if sub in ("additionalEmails", "additionalPhones"):
        return _list
    if sub == "context":
        return jsonable
    return _text_or_none
