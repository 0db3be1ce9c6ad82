"""Stored records turned into the JSON Twenty returns (captures 12, 13, 81).

Twenty prints empty text as ``""`` (plain fields and composite text sub-fields alike), empty lists
as ``[]``, empty numbers and currency codes as ``null``, and MANY_TO_ONE relations as their join
column (``companyId``). :class:`RecordRenderer` is built once per object and schema snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from migrator.sandbox import values
from migrator.sandbox.schema import ObjectMeta

_NULL_SUBFIELDS = frozenset(
    {"addressLat", "addressLng", "amountMicros", "currencyCode", "blocknote", "workspaceMemberId"}
)
_API_ACTOR_DEFAULT = {
    "source": "MANUAL",
    "workspaceMemberId": None,
    "name": "System",
    "context": None,
}

Row = tuple[str, str | None, float, dict[str, Any]]
"""A stored record: ``(id, deleted_at, position, data)``."""


def _empty_sub(key: str) -> Any:
    if key in values.LIST_SUBFIELDS:
        return []
    if key in _NULL_SUBFIELDS or key == "context":
        return None
    return ""


def _position(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


class RecordRenderer:
    """Renders stored rows of one object; ``file_url`` turns a file id into its URL."""

    def __init__(self, obj: ObjectMeta, file_url: Callable[[str], str]) -> None:
        self.obj = obj
        self._plan: list[tuple[str, str, Any]] = []
        for item in obj.active_fields:
            name, kind = item.name, item.type
            if name in ("id", "deletedAt", "position") or kind == "TS_VECTOR":
                continue
            if item.relation_type == "ONE_TO_MANY":
                continue
            if item.join_column:
                self._plan.append((item.join_column, "plain", None))
            elif kind == "ACTOR":
                self._plan.append((name, "actor", None))
            elif kind in values.COMPOSITES:
                subs = values.COMPOSITES[kind]
                self._plan.append((name, "composite", {key: _empty_sub(key) for key in subs}))
            elif kind == "TEXT":
                self._plan.append((name, "text", None))
            elif kind in ("ARRAY", "MULTI_SELECT"):
                self._plan.append((name, "list", None))
            elif kind == "FILES":
                self._plan.append((name, "files", None))
            else:
                self._plan.append((name, "plain", None))
        self._file_url = file_url

    def render(self, row: Row) -> dict[str, Any]:
        """The record as Twenty returns it at depth 0."""
        record_id, deleted_at, position, data = row
        out: dict[str, Any] = {
            "id": record_id,
            "deletedAt": deleted_at,
            "position": _position(position),
        }
        get = data.get
        for key, how, extra in self._plan:
            value = get(key)
            if how == "plain":
                out[key] = value
            elif how == "text":
                out[key] = "" if value is None else value
            elif how == "composite":
                if value is None:
                    out[key] = dict(extra)
                else:
                    out[key] = {
                        sub: (empty if value.get(sub) is None else value[sub])
                        for sub, empty in extra.items()
                    }
            elif how == "list":
                out[key] = [] if value is None else value
            elif how == "actor":
                out[key] = dict(_API_ACTOR_DEFAULT) if value is None else value
            else:
                out[key] = None if value is None else [self._file(each) for each in value]
        return out

    def _file(self, item: dict[str, Any]) -> dict[str, Any]:
        file_id = str(item["fileId"])
        return {
            "fileId": file_id,
            "label": item.get("label") or "",
            "extension": item.get("extension") or "",
            "url": self._file_url(file_id),
        }
