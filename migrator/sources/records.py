"""What a bundle reader yields: one frozen :class:`SourceRecord` per exported record.

A record carries its system, object, source primary id (as a string), the normalised values of
the fields the schema declares (typed as :class:`~migrator.sources.schema_types.SourceType`
documents), the unknown keys under ``raw``, its line in the file, and the findings reading it
produced (type coercions, date conversions, unresolved option ids).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from migrator.model import fast_init
from migrator.validate.findings import Finding


@fast_init
@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One source record, normalised. Immutable; ``fields`` and ``raw`` are read-only views.

    * ``id``: the source primary key as a string (``str(int)`` for AeronaClinic); a record
      without one gets ``line:<n>`` and an ERROR finding, so it can still be named.
    * ``fields``: declared fields present in the line (absent ones are simply missing: use
      ``fields.get``), values typed as the schema says, plus ``custom_fields`` for objects with
      custom field values.
    * ``raw``: every key the schema does not declare, untouched, plus the original of a value
      that could not be coerced to its declared type (that field is then None).
    * ``findings``: what reading found; validators add their own later.
    """

    system: str
    object: str
    id: str
    fields: Mapping[str, Any]
    raw: Mapping[str, Any]
    line: int
    findings: tuple[Finding, ...] = ()

    @property
    def key(self) -> str:
        """The namespaced identity ``<system>:<object>:<id>`` (never an editable field)."""
        return f"{self.system}:{self.object}:{self.id}"

    def get(self, path: str) -> Any:
        """The value at a dotted path (``phone_work.call_code``, ``custom_fields.quan``,
        ``raw.extra``), or None when any step is missing."""
        head, _, rest = path.partition(".")
        value: Any = self.raw if head == "raw" else self.fields.get(head)
        for part in rest.split(".") if rest else ():
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value


def jsonable(value: Any) -> Any:
    """``value`` with dates, datetimes and decimals turned into JSON strings (for digests).

    Dates become ``YYYY-MM-DD``, datetimes ISO 8601 with their offset, decimals their canonical
    string; mappings and sequences are converted recursively. Anything else is returned as is.
    """
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
