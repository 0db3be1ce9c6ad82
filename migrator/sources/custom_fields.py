"""Resolving OplaCRM custom field values: option ids to labels, keys to one mapping.

Values arrive in two shapes (sources.md §2.2, §5.1): the proposed
``{custom_field_id, key, value, value_label}`` and the real API's
``{custom_field: {name, master_data_custom_fields: [{id, value}]}, value}``. For SELECT and
MULTI_SELECT fields ``value`` holds option id(s); the resolver turns them into the option labels
using the bundle's ``custom_field_definitions`` or, failing that, the options embedded in the
value. The result is ``custom_fields``: ``{key: resolved value}``; ``custom_field_values`` stays
as exported.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from migrator.validate.findings import Issue, warn

WARN_UNKNOWN_OPTION = warn(
    "unknown_option", "select value is not an option id of its field; kept as given"
)
WARN_UNKNOWN_FIELD = warn(
    "unknown_custom_field", "custom field value has no definition; kept as text"
)
WARN_DUPLICATE_KEY = warn("duplicate_custom_field", "custom field given twice; the last one kept")
WARN_BAD_VALUE = warn("bad_custom_value", "custom field value does not fit its data type; kept raw")


def slug(label: str) -> str:
    """A lower-case ASCII key for a label: ``"20. ADO"`` -> ``20_ado``, ``Vĩ độ`` -> ``vi_do``."""
    text = unicodedata.normalize("NFKD", label.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "field"


@dataclass(frozen=True, slots=True)
class Definition:
    """One custom field definition: id, key, label, data type and option id -> label map."""

    id: str
    key: str
    name: str
    data_type: str
    options: Mapping[str, str]


def definition_from(data: Mapping[str, Any]) -> Definition | None:
    """A :class:`Definition` from a ``custom_field_definitions`` line or an embedded
    ``custom_field`` object; None when it carries neither an id nor a name."""
    ident, name = data.get("id"), data.get("name")
    if ident is None and not isinstance(name, str):
        return None
    options: dict[str, str] = {}
    raw_options = data.get("options", data.get("master_data_custom_fields"))
    for option in raw_options if isinstance(raw_options, list) else ():
        if isinstance(option, dict) and option.get("id") is not None:
            options[str(option["id"])] = str(option.get("value", ""))
    label = name if isinstance(name, str) else str(ident)
    key = data.get("key")
    data_type = data.get("data_type")
    if not isinstance(data_type, str):
        data_type = "SELECT" if options else "TEXT"
    return Definition(
        id=str(ident) if ident is not None else "",
        key=key if isinstance(key, str) and key else slug(label),
        name=label,
        data_type=data_type.upper(),
        options=options,
    )


class CustomFieldResolver:
    """Resolves the ``custom_field_values`` of records against known definitions."""

    def __init__(self, definitions: Iterable[Definition], tz: ZoneInfo) -> None:
        self.by_id = {d.id: d for d in definitions if d.id}
        self.tz = tz

    def resolve(self, items: list[Any]) -> tuple[dict[str, Any], list[Issue]]:
        """``(custom_fields, issues)`` for one record's value list: key -> resolved value."""
        resolved: dict[str, Any] = {}
        issues: list[Issue] = []
        for item in items:
            if not isinstance(item, dict):
                issues.append(WARN_BAD_VALUE)
                continue
            definition = self._definition(item)
            if definition is None:
                issues.append(WARN_UNKNOWN_FIELD)
                key = item.get("key")
                if not isinstance(key, str):
                    continue
                definition = Definition("", key, key, "TEXT", {})
            value, problem = self._value(definition, item)
            if problem is not None:
                issues.append(problem)
            if definition.key in resolved:
                issues.append(WARN_DUPLICATE_KEY)
            resolved[definition.key] = value
        return resolved, issues

    def _definition(self, item: Mapping[str, Any]) -> Definition | None:
        ident = item.get("custom_field_id")
        if ident is not None:
            known = self.by_id.get(ident if isinstance(ident, str) else str(ident))
            if known is not None:
                return known
        embedded = item.get("custom_field")
        if ident is None and isinstance(embedded, dict) and embedded.get("id") is not None:
            known = self.by_id.get(str(embedded["id"]))
            if known is not None:
                return known
        if isinstance(embedded, dict):
            return definition_from(embedded)
        return None

    def _value(self, d: Definition, item: Mapping[str, Any]) -> tuple[Any, Issue | None]:
        value = item.get("value")
        if value is None:
            return None, None
        if d.data_type == "SELECT":
            label = d.options.get(value if isinstance(value, str) else str(value))
            if label is not None:
                return label, None
            fallback = item.get("value_label")
            return (fallback, None) if isinstance(fallback, str) else (value, WARN_UNKNOWN_OPTION)
        if d.data_type == "MULTI_SELECT":
            ids = value if isinstance(value, list) else str(value).split(",")
            labels = [d.options.get(str(i).strip()) for i in ids]
            if all(label is not None for label in labels):
                return labels, None
            return [str(i).strip() for i in ids], WARN_UNKNOWN_OPTION
        return _typed(d.data_type, value, self.tz)


def _typed(data_type: str, value: Any, tz: ZoneInfo) -> tuple[Any, Issue | None]:
    try:
        if data_type in ("NUMBER", "CURRENCY") and not isinstance(value, bool):
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
            return (number, None) if number.is_finite() else (value, WARN_BAD_VALUE)
        if data_type == "BOOLEAN":
            if isinstance(value, bool):
                return value, None
            text = str(value).strip().lower()
            if text in ("true", "false"):
                return text == "true", None
            return value, WARN_BAD_VALUE
        if data_type == "DATE" and isinstance(value, str):
            if len(value) == 10:
                return dt.date.fromisoformat(value), None
            moment = dt.datetime.fromisoformat(value)
            return (moment.astimezone(tz).date() if moment.tzinfo else moment.date()), None
        if data_type == "DATETIME" and isinstance(value, str):
            moment = dt.datetime.fromisoformat(value)
            return (moment if moment.tzinfo else moment.replace(tzinfo=tz)), None
    except (InvalidOperation, ValueError):
        return value, WARN_BAD_VALUE
    return value, None
