"""Metadata DTOs as the REST metadata API serves them (legacy envelope, twenty-api.md §5).

Objects embed their fields (capture 02); relation fields carry a ``relation`` block naming both
sides, so a client can follow a relation without a second call. The sandbox's own bookkeeping keys
(``_…``) are never served. Lists are ``{data:{objects|fields:[…]}, pageInfo, totalCount}`` with
the object or field ids as cursors.
"""

from __future__ import annotations

from typing import Any

from migrator.sandbox.http import Request, bad_request
from migrator.sandbox.schema import FieldMeta, ObjectMeta, Schema

DEFAULT_LIMIT = 1000


def _object_ref(obj: ObjectMeta) -> dict[str, str]:
    return {"id": obj.id, "nameSingular": obj.name_singular, "namePlural": obj.name_plural}


def field_view(schema: Schema, obj: ObjectMeta, field_meta: FieldMeta) -> dict[str, Any]:
    """One field DTO."""
    doc = {key: value for key, value in field_meta.doc.items() if not key.startswith("_")}
    if field_meta.relation_type:
        target = schema.by_id.get(field_meta.target_object_id or "")
        other = schema.fields_by_id.get(field_meta.target_field_id or "")
        doc["relation"] = {
            "type": field_meta.relation_type,
            "sourceObjectMetadata": _object_ref(obj),
            "sourceFieldMetadata": {"id": field_meta.id, "name": field_meta.name},
            "targetObjectMetadata": _object_ref(target) if target else None,
            "targetFieldMetadata": (
                {"id": other[1].id, "name": other[1].name} if other is not None else None
            ),
        }
    return doc


def object_view(schema: Schema, obj: ObjectMeta, *, with_fields: bool = True) -> dict[str, Any]:
    """One object DTO, its fields embedded."""
    doc = {key: value for key, value in obj.doc.items() if not key.startswith("_")}
    if with_fields:
        doc["fields"] = [field_view(schema, obj, item) for item in obj.fields]
    return doc


def paged(req: Request, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """The legacy list envelope, honouring ``limit`` and ``starting_after`` (an id)."""
    text = req.query.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = min(int(text), DEFAULT_LIMIT)
    except ValueError as exc:
        raise bad_request(f"'limit={text}' parameter invalid") from exc
    total = len(items)
    after = req.query.get("starting_after")
    if after:
        ids = [str(item["id"]) for item in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    page = items[: max(limit, 0)]
    return {
        "data": {key: page},
        "pageInfo": {
            "hasNextPage": len(items) > len(page),
            "startCursor": page[0]["id"] if page else None,
            "endCursor": page[-1]["id"] if page else None,
        },
        "totalCount": total,
    }
