"""Metadata writes on fields (create, update, delete); objects are in :mod:`metadata_objects`.

Each call is one transaction that also brings the record tables in step (unique and join-column
indexes, values of removed options, keys of deleted fields) and ends by swapping in the new schema,
so the records API uses a new field at once. Relations are created on both sides from
``relationCreationPayload`` (captures 11, 119, 120): the MANY_TO_ONE side gets
``settings {relationType, joinColumnName: <name>Id, onDelete: SET_NULL}``, the other side a
ONE_TO_MANY field named from ``targetFieldLabel`` in camelCase.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from migrator.sandbox import field_rules
from migrator.sandbox.http import bad_request, coded_error
from migrator.sandbox.metadata_errors import Problems, field_to_update_not_found
from migrator.sandbox.metadata_objects import create_object, delete_object, update_object
from migrator.sandbox.metadata_store import finish, insert_field
from migrator.sandbox.metadata_views import field_view
from migrator.sandbox.schema import FieldMeta, ObjectMeta
from migrator.sandbox.workspace import Workspace

__all__ = [
    "create_field",
    "create_object",
    "delete_field",
    "delete_object",
    "update_field",
    "update_object",
]

_UPDATABLE = frozenset(
    {
        "label",
        "description",
        "icon",
        "isActive",
        "isNullable",
        "isUnique",
        "defaultValue",
        "options",
        "settings",
        "name",
        "isLabelSyncedWithName",
    }
)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def new_field_doc(ws: Workspace, obj: ObjectMeta, body: dict[str, Any], now: str) -> dict[str, Any]:
    """A custom field's DTO with Twenty's defaults."""
    return {
        "id": str(uuid.uuid4()),
        "objectMetadataId": obj.id,
        "type": body["type"],
        "name": body["name"],
        "label": body.get("label"),
        "description": body.get("description"),
        "icon": body.get("icon"),
        "isCustom": True,
        "isActive": True,
        "isSystem": False,
        "isNullable": bool(body.get("isNullable", True)),
        "isUnique": bool(body.get("isUnique", False)),
        "defaultValue": body.get("defaultValue"),
        "options": body.get("options"),
        "settings": body.get("settings"),
        "isLabelSyncedWithName": bool(body.get("isLabelSyncedWithName", False)),
        "isUIEditable": True,
        "isUIReadOnly": False,
        "workspaceId": obj.doc.get("workspaceId"),
        "createdAt": now,
        "updatedAt": now,
    }


def _relation_docs(
    ws: Workspace, obj: ObjectMeta, body: dict[str, Any], doc: dict[str, Any], problems: Problems
) -> dict[str, Any] | None:
    """Fill the source side's relation settings; return the other side's DTO."""
    payload = body.get("relationCreationPayload")
    if not isinstance(payload, dict):
        problems.add("relationCreationPayload is required for RELATION fields")
        return None
    target = ws.schema.by_id.get(str(payload.get("targetObjectMetadataId")))
    relation_type = payload.get("type")
    if target is None or relation_type not in ("MANY_TO_ONE", "ONE_TO_MANY"):
        problems.add("Invalid relationCreationPayload", payload.get("targetObjectMetadataId"))
        return None
    label = str(payload.get("targetFieldLabel") or obj.doc.get("labelPlural") or "")
    other_name = field_rules.camel_case(label)
    taken = field_rules.taken_names(target) | ({doc["name"]} if target.id == obj.id else set())
    if not other_name or other_name in taken:
        problems.add(
            f'Name "{other_name}" is not available as it is already used by another field',
            other_name,
        )
        return None
    other = new_field_doc(
        ws, target, {"type": "RELATION", "name": other_name, "label": label}, doc["createdAt"]
    )
    other["icon"] = payload.get("targetFieldIcon")
    one, many = (doc, other) if relation_type == "MANY_TO_ONE" else (other, doc)
    one_object, many_object = (obj, target) if relation_type == "MANY_TO_ONE" else (target, obj)
    one["settings"] = {
        "onDelete": "SET_NULL",
        "relationType": "MANY_TO_ONE",
        "joinColumnName": f"{one['name']}Id",
    }
    many["settings"] = {"relationType": "ONE_TO_MANY"}
    one["description"] = one["description"] or (
        f"{_cap(one_object.name_plural)} tied to the {many_object.doc.get('labelSingular')}"
    )
    many["description"] = many["description"] or (
        f"{_cap(many_object.name_plural)} tied to the {one_object.doc.get('labelSingular')}"
    )
    doc["icon"] = doc["icon"] or "IconRelationOneToMany"
    doc["_targetObjectId"], doc["_targetFieldId"] = target.id, other["id"]
    other["_targetObjectId"], other["_targetFieldId"] = obj.id, doc["id"]
    return other


def create_field(ws: Workspace, body: Any) -> dict[str, Any]:
    """``POST /rest/metadata/fields``."""
    if not isinstance(body, dict):
        raise bad_request("The field must be a JSON object")
    obj = ws.schema.by_id.get(str(body.get("objectMetadataId")))
    problems = Problems("fieldMetadata", "create", body.get("name"), obj.id if obj else None)
    if obj is None:
        problems.add(
            "Object metadata not found",
            body.get("objectMetadataId"),
            code="OBJECT_METADATA_NOT_FOUND",
        )
        problems.raise_if_any()
    assert obj is not None
    kind = body.get("type")
    field_rules.check_name(problems, body.get("name"), obj)
    field_rules.check_type(problems, kind, body.get("name"))
    if not body.get("label"):
        problems.add("Label is required", body.get("label"))
    options = field_rules.check_options(problems, str(kind), body.get("options"))
    default = field_rules.check_default(problems, str(kind), body.get("defaultValue"), options)
    settings = field_rules.check_settings(problems, str(kind), body.get("settings"))
    problems.raise_if_any()
    with ws.store.write() as conn:
        now = ws.now()
        doc = new_field_doc(
            ws,
            obj,
            {**body, "options": options, "defaultValue": default, "settings": settings},
            now,
        )
        other = _relation_docs(ws, obj, body, doc, problems) if kind == "RELATION" else None
        problems.raise_if_any()
        insert_field(conn, doc)
        touched = {obj.id}
        if other is not None:
            insert_field(conn, other)
            touched.add(str(other["objectMetadataId"]))
        finish(ws, conn, touched)
    found = ws.schema.fields_by_id[doc["id"]]
    return field_view(ws.schema, *found)


def update_field(ws: Workspace, field_id: str, body: Any) -> dict[str, Any]:
    """``PATCH /rest/metadata/fields/{id}``: labels, flags, options (the full list), default."""
    found = ws.schema.fields_by_id.get(field_id)
    if found is None:
        raise field_to_update_not_found()
    obj, field_meta = found
    if not isinstance(body, dict):
        raise bad_request("The field update must be a JSON object")
    problems = Problems("fieldMetadata", "update", field_meta.name, obj.id)
    for key in body:
        if key not in _UPDATABLE and key not in ("id", "objectMetadataId", "type"):
            problems.add(f'Property "{key}" cannot be updated', key)
    doc = dict(field_meta.doc)
    doc.update({key: value for key, value in body.items() if key in _UPDATABLE})
    if "name" in body and body["name"] != field_meta.name:
        if not doc.get("isCustom"):
            problems.add("Standard field names cannot be changed", body["name"])
        field_rules.check_name(problems, body["name"], obj, ignore=field_meta)
    if "options" in body:
        doc["options"] = field_rules.check_options(
            problems, field_meta.type, body["options"], list(field_meta.doc.get("options") or [])
        )
    doc["defaultValue"] = field_rules.check_default(
        problems, field_meta.type, doc.get("defaultValue"), doc.get("options")
    )
    problems.raise_if_any()
    with ws.store.write() as conn:
        doc["updatedAt"] = ws.now()
        conn.execute("UPDATE metadata_fields SET doc = ? WHERE id = ?", (json.dumps(doc), field_id))
        _migrate_values(conn, obj, field_meta, FieldMeta(doc))
        finish(ws, conn, {obj.id})
    new_obj, new_field = ws.schema.fields_by_id[field_id]
    return field_view(ws.schema, new_obj, new_field)


def _migrate_values(
    conn: sqlite3.Connection, obj: ObjectMeta, old: FieldMeta, new: FieldMeta
) -> None:
    """Rename the stored key of a renamed field; clear values of removed options."""
    table = f'"{obj.table}"'
    if old.name != new.name:
        conn.execute(
            f"UPDATE {table} SET data = json_remove("
            f"json_set(data, '$.{new.name}', data -> '$.{old.name}'), "
            f"'$.{old.name}') WHERE json_type(data, '$.{old.name}') IS NOT NULL"
        )
    removed = set(old.option_values) - set(new.option_values)
    if not removed or old.type not in ("SELECT", "MULTI_SELECT"):
        return
    marks = ",".join("?" * len(removed))
    if old.type == "SELECT":
        conn.execute(
            f"UPDATE {table} SET data = json_set(data, '$.{new.name}', NULL) "
            f"WHERE json_extract(data, '$.{new.name}') IN ({marks})",
            sorted(removed),
        )
        return
    rows = conn.execute(f"SELECT id, json_extract(data, '$.{new.name}') FROM {table}").fetchall()
    for record_id, raw in rows:
        items = json.loads(raw) if raw else []
        kept = [item for item in items if item not in removed]
        if kept != items:
            conn.execute(
                f"UPDATE {table} SET data = json_set(data, '$.{new.name}', json(?)) WHERE id = ?",
                (json.dumps(kept), record_id),
            )


def delete_field(ws: Workspace, field_id: str) -> dict[str, Any]:
    """``DELETE /rest/metadata/fields/{id}`` (active or not, capture 85); relations both sides."""
    found = ws.schema.fields_by_id.get(field_id)
    if found is None:
        raise coded_error(404, "Field to delete not found", "FIELD_METADATA_NOT_FOUND")
    obj, field_meta = found
    if not field_meta.doc.get("isCustom"):
        raise coded_error(400, "Standard fields cannot be deleted", "FIELD_MUTATION_NOT_ALLOWED")
    view = field_view(ws.schema, obj, field_meta)
    doomed = [(obj, field_meta)]
    other = ws.schema.fields_by_id.get(field_meta.target_field_id or "")
    if other is not None and other[1].doc.get("isCustom"):
        doomed.append(other)
    with ws.store.write() as conn:
        for owner, item in doomed:
            conn.execute("DELETE FROM metadata_fields WHERE id = ?", (item.id,))
            key = item.join_column or item.name
            conn.execute(f"UPDATE \"{owner.table}\" SET data = json_remove(data, '$.{key}')")
        finish(ws, conn, {owner.id for owner, _ in doomed})
    return view
