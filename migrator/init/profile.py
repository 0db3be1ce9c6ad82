"""Value profiles: what the values of each source field look like, read once from the bundle.

:func:`profile_object` streams one object's records and summarises every field (and every
OplaCRM custom field, as ``custom_fields.<key>``): how many records carry a value, which Python
types the reader gave, how many text values parse as numbers, dates, date-times, booleans,
emails or URLs, how many contain commas, the longest text, and up to :data:`MAX_DISTINCT`
distinct short texts (for option lists). Profiles stay in memory and are never rendered: the
proposal only quotes option labels of configuration-like fields and counts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from migrator.sources.records import SourceRecord

MAX_DISTINCT = 40
MAX_PARTS = 200
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^(?:https?://|www\.)\S+$|^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/\S*)?$", re.I)
_BOOL = frozenset({"true", "false", "yes", "no", "0", "1"})


@dataclass
class FieldProfile:
    """What one field's values look like."""

    present: int = 0
    """Records with a non-empty value."""
    kinds: Counter[str] = field(default_factory=Counter)
    """Python type names of the values (``str``, ``Decimal``, ``date``, ``list``, ``dict`` …)."""
    numeric: int = 0
    dates: int = 0
    datetimes: int = 0
    booleans: int = 0
    emails: int = 0
    urls: int = 0
    with_commas: int = 0
    multiline: int = 0
    longest: int = 0
    distinct: dict[str, int] = field(default_factory=dict)
    """Up to :data:`MAX_DISTINCT` distinct texts (short ones) with their counts."""
    overflow: bool = False
    """More distinct texts than were kept."""
    list_items: Counter[str] = field(default_factory=Counter)
    """Type names of list elements."""
    object_keys: Counter[str] = field(default_factory=Counter)
    """Keys seen in object values (or in list-of-object elements)."""
    parts: set[str] = field(default_factory=set)
    """Distinct comma-separated parts (case-folded), up to :data:`MAX_PARTS`."""
    part_total: int = 0
    """Comma-separated parts seen in all."""

    @property
    def parts_repeat(self) -> bool:
        """True when comma-separated parts recur across records, as tags do (and addresses do
        not): at most a third of the parts are distinct."""
        return 0 < len(self.parts) < MAX_PARTS and len(self.parts) * 3 <= self.part_total

    def share(self, count: int) -> float:
        """``count`` as a share of the present values (0 when none is present)."""
        return count / self.present if self.present else 0.0

    @property
    def main_kind(self) -> str | None:
        """The most common value type."""
        return self.kinds.most_common(1)[0][0] if self.kinds else None


def _text(profile: FieldProfile, text: str) -> None:
    stripped = text.strip()
    profile.longest = max(profile.longest, len(stripped))
    if _NUMBER.match(stripped):
        profile.numeric += 1
    if _DATE.match(stripped):
        profile.dates += 1
    elif _DATETIME.match(stripped):
        profile.datetimes += 1
    if stripped.lower() in _BOOL:
        profile.booleans += 1
    if _EMAIL.match(stripped):
        profile.emails += 1
    if _URL.match(stripped) and not _EMAIL.match(stripped):
        profile.urls += 1
    if "," in stripped:
        profile.with_commas += 1
        for part in stripped.split(","):
            profile.part_total += 1
            if len(profile.parts) < MAX_PARTS:
                profile.parts.add(part.strip().casefold())
    if "\n" in stripped:
        profile.multiline += 1
    if len(stripped) <= 60:
        if stripped in profile.distinct:
            profile.distinct[stripped] += 1
        elif len(profile.distinct) < MAX_DISTINCT:
            profile.distinct[stripped] = 1
        else:
            profile.overflow = True
    else:
        profile.overflow = True


def observe(profile: FieldProfile, value: Any) -> None:
    """Count one value into ``profile``."""
    if value is None or value == "" or value == []:
        return
    profile.present += 1
    profile.kinds[type(value).__name__] += 1
    if isinstance(value, str):
        _text(profile, value)
    elif isinstance(value, bool):
        profile.booleans += 1
    elif isinstance(value, int | float | Decimal):
        profile.numeric += 1
    elif isinstance(value, dt.datetime):
        profile.datetimes += 1
    elif isinstance(value, dt.date):
        profile.dates += 1
    elif isinstance(value, list):
        for item in value:
            profile.list_items[type(item).__name__] += 1
            if isinstance(item, dict):
                profile.object_keys.update(str(k) for k in item)
            elif isinstance(item, str):
                _text(profile, item)
    elif isinstance(value, dict):
        profile.object_keys.update(str(k) for k in value)


@dataclass
class ObjectProfile:
    """Every field's profile of one source object, and its record count."""

    records: int = 0
    fields: dict[str, FieldProfile] = field(default_factory=dict)

    def of(self, path: str) -> FieldProfile:
        """The profile of ``path`` (an empty one when no record had it)."""
        return self.fields.get(path) or FieldProfile()


def profile_records(records: Iterable[SourceRecord]) -> ObjectProfile:
    """Profile a stream of records: declared fields and ``custom_fields.<key>``."""
    result = ObjectProfile()
    for record in records:
        result.records += 1
        for name, value in record.fields.items():
            if name == "custom_fields" and isinstance(value, dict):
                for key, inner in value.items():
                    observe(result.fields.setdefault(f"custom_fields.{key}", FieldProfile()), inner)
            else:
                observe(result.fields.setdefault(name, FieldProfile()), value)
    return result
