"""Turning one decoded JSON (or CSV) record into declared, typed fields and ``raw`` leftovers.

A :class:`Coercer` is compiled once per source object and reused for every line, so reading
stays fast: values already of their declared type pass straight through; the rest are converted
with a FIX (an instant given for a date-only field, a digit string for an integer), or, when
they cannot be, set to None with the original kept under ``raw`` and a WARN (ERROR for a
required field). Date-only values given as instants are converted in the tenant timezone first
(sources.md §2.1, the Vietnam-midnight pitfall); naive timestamps are read in that timezone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from migrator.sources.schema_types import SourceField, SourceObject, SourceType
from migrator.validate.findings import Issue, Severity, fix, warn

Converted = tuple[Any, Issue | None]
_UNKNOWN = type("_Unknown", (), {})
Converter = Callable[[Any], Converted]

_TRUE = frozenset({"true", "1", "yes", "y"})
_FALSE = frozenset({"false", "0", "no", "n"})

FIX_DATE_FROM_INSTANT = fix(
    "date_from_instant", "date-only value given as an instant; converted in the tenant timezone"
)
WARN_NAIVE_DATETIME = warn(
    "naive_datetime", "timestamp without an offset; read in the tenant timezone"
)
FIX_UUID_CASE = fix("uuid_case", "UUID lower-cased")
FIX_FROM_STRING = fix("type_from_string", "value given as a string; converted to its type")
FIX_FROM_NUMBER = fix("type_from_number", "value given as a number; converted to its type")
FIX_LIST_FROM_STRING = fix("list_from_string", "list given as a delimited string; split")


def _bad(field: SourceField, expected: str) -> Issue:
    severity = Severity.ERROR if field.required else Severity.WARN
    return Issue(
        severity=severity,
        code="bad_type",
        message=f"value is not a valid {expected}; original kept under raw",
    )


@dataclass(frozen=True, slots=True)
class _Slot:
    """How one declared field is read: a fast-path Python type and a slow-path converter."""

    field: SourceField
    fast: type | None
    convert: Converter


class Coercer:
    """Reads decoded records of one source object into ``(fields, raw, issues)``.

    ``from_csv`` makes string-to-type conversions silent (every CSV cell is a string) and
    decodes JSON-encoded list cells.
    """

    def __init__(self, obj: SourceObject, tz: ZoneInfo, *, from_csv: bool = False) -> None:
        self.object = obj
        self.tz = tz
        self.from_csv = from_csv
        slots = {f.name: self._slot(f) for f in obj.fields}
        self._fast: dict[str, type | None] = {name: slot.fast for name, slot in slots.items()}
        self._convert: dict[str, Converter] = {name: s.convert for name, s in slots.items()}

    def coerce(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
        """Split ``data`` into typed declared fields and raw leftovers.

        ``data`` is consumed: it becomes the returned ``fields`` dict (no copy per record).
        Returns ``(fields, raw, issues)`` where ``issues`` lists ``(field_name, Issue)``.
        """
        raw: dict[str, Any] = {}
        issues: list[Any] = []
        get = self._fast.get
        pending = [
            (key, value)
            for key, value in data.items()
            if type(value) is not get(key, _UNKNOWN)
            and (value is not None or get(key, _UNKNOWN) is _UNKNOWN)
        ]
        for key, value in pending:
            convert = self._convert.get(key)
            if convert is None:
                raw[key] = data.pop(key)
                continue
            new, problem = convert(value)
            data[key] = new
            if problem is not None:
                if problem.severity is not Severity.FIX:
                    raw[key] = value
                if problem is not FIX_FROM_STRING or not self.from_csv:
                    issues.append((key, problem))
        return data, raw, issues

    # -- compilation ---------------------------------------------------------------------------

    def _slot(self, f: SourceField) -> _Slot:
        t = f.type
        table: dict[SourceType, tuple[type | None, Converter]] = {
            SourceType.STRING: (str, self._to_string(f)),
            SourceType.ENUM: (str, self._to_string(f)),
            SourceType.INT: (int, self._to_int(f)),
            SourceType.DECIMAL: (None, self._to_decimal(f)),
            SourceType.BOOL: (bool, self._to_bool(f)),
            SourceType.DATE: (None, self._to_date(f)),
            SourceType.DATETIME: (None, self._to_datetime(f)),
            SourceType.UUID: (None, self._to_uuid(f)),
            SourceType.LIST: (list, self._to_list(f)),
            SourceType.OBJECT: (self._object_fast(f), self._to_object(f)),
        }
        fast, convert = table[t]
        return _Slot(field=f, fast=fast, convert=convert)

    def _to_string(self, f: SourceField) -> Converter:
        def convert(value: Any) -> Converted:
            if isinstance(value, int | float) and not isinstance(value, bool):
                return str(value), FIX_FROM_NUMBER
            return None, _bad(f, "string")

        return convert

    def _to_int(self, f: SourceField) -> Converter:
        def convert(value: Any) -> Converted:
            if isinstance(value, str) and value.strip().isdigit():
                return int(value.strip()), FIX_FROM_STRING
            if isinstance(value, str) and value.strip().startswith("-"):
                digits = value.strip()[1:]
                if digits.isdigit():
                    return -int(digits), FIX_FROM_STRING
            if isinstance(value, float) and value.is_integer():
                return int(value), FIX_FROM_NUMBER
            return None, _bad(f, "integer")

        return convert

    def _to_decimal(self, f: SourceField) -> Converter:
        def convert(value: Any) -> Converted:
            if isinstance(value, str):
                try:
                    number = Decimal(value.strip())
                except InvalidOperation:
                    return None, _bad(f, "decimal")
                if number.is_finite():
                    return number, None
                return None, _bad(f, "decimal")
            if isinstance(value, int) and not isinstance(value, bool):
                return Decimal(value), None
            if isinstance(value, float):
                return Decimal(repr(value)), FIX_FROM_NUMBER
            return None, _bad(f, "decimal")

        return convert

    def _to_bool(self, f: SourceField) -> Converter:
        def convert(value: Any) -> Converted:
            if isinstance(value, str):
                text = value.strip().lower()
                if text in _TRUE:
                    return True, FIX_FROM_STRING
                if text in _FALSE:
                    return False, FIX_FROM_STRING
            if type(value) is int and value in (0, 1):
                return bool(value), FIX_FROM_NUMBER
            return None, _bad(f, "boolean")

        return convert

    def _to_date(self, f: SourceField) -> Converter:
        tz = self.tz

        def convert(value: Any) -> Converted:
            if not isinstance(value, str):
                return None, _bad(f, "date")
            text = value.strip()
            try:
                if len(text) == 10:
                    return dt.date.fromisoformat(text), None
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                return None, _bad(f, "date")
            if moment.tzinfo is None:
                return moment.date(), WARN_NAIVE_DATETIME
            return moment.astimezone(tz).date(), FIX_DATE_FROM_INSTANT

        return convert

    def _to_datetime(self, f: SourceField) -> Converter:
        tz = self.tz

        def convert(value: Any) -> Converted:
            if not isinstance(value, str):
                return None, _bad(f, "timestamp")
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return None, _bad(f, "timestamp")
            if moment.tzinfo is None:
                return moment.replace(tzinfo=tz), WARN_NAIVE_DATETIME
            return moment, None

        return convert

    def _to_uuid(self, f: SourceField) -> Converter:
        def convert(value: Any) -> Converted:
            if not isinstance(value, str):
                return None, _bad(f, "UUID string")
            lowered = value.strip().lower()
            if lowered == value:
                return value, None
            return lowered, FIX_UUID_CASE

        return convert

    def _to_list(self, f: SourceField) -> Converter:
        from_csv = self.from_csv

        def convert(value: Any) -> Converted:
            if isinstance(value, str):
                text = value.strip()
                if from_csv and text.startswith("["):
                    try:
                        decoded = json.loads(text)
                    except ValueError:
                        return None, _bad(f, "list")
                    if isinstance(decoded, list):
                        return decoded, None
                parts = [p.strip() for p in text.replace(";", ",").split(",")]
                return [p for p in parts if p], FIX_LIST_FROM_STRING
            if isinstance(value, tuple):
                return list(value), None
            return None, _bad(f, "list")

        return convert

    def _object_fast(self, f: SourceField) -> type | None:
        typed = any(part.type is not SourceType.STRING for part in f.subfields)
        return None if self.from_csv and typed else dict

    def _to_object(self, f: SourceField) -> Converter:
        from_csv = self.from_csv
        parts = {p.name: p for p in f.subfields if p.type is not SourceType.STRING}

        def convert(value: Any) -> Converted:
            if from_csv and isinstance(value, dict):
                return _typed_parts(value, parts), None
            if from_csv and isinstance(value, str) and value.strip().startswith("{"):
                try:
                    decoded = json.loads(value)
                except ValueError:
                    return None, _bad(f, "object")
                if isinstance(decoded, dict):
                    return decoded, None
            return None, _bad(f, "object")

        return convert


def _typed_parts(value: dict[str, Any], parts: dict[str, SourceField]) -> dict[str, Any]:
    """A CSV-unflattened object with its typed parts (booleans, integers) converted back."""
    out = dict(value)
    for name, part in parts.items():
        cell = out.get(name)
        if not isinstance(cell, str):
            continue
        text = cell.strip().lower()
        if part.type is SourceType.BOOL and text in ("true", "false"):
            out[name] = text == "true"
        elif part.type is SourceType.INT and text.lstrip("-").isdigit():
            out[name] = int(text)
    return out


def decode_csv_extras(data: dict[str, Any], declared: frozenset[str]) -> None:
    """Undo the CSV mirror's JSON encoding of list and object cells of undeclared keys (the
    real API's nested shapes), so shapers see the same values as from JSON Lines."""
    for key, value in data.items():
        if key in declared or not isinstance(value, str) or value[:1] not in ("[", "{"):
            continue
        try:
            data[key] = json.loads(value)
        except ValueError:
            continue
