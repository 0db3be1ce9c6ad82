"""Metadata writes on objects: create a custom object with Twenty's automatic fields, update its
labels, delete it with its records (captures 10, 101, 105).

A new object gets, as in capture 10: ``id``, ``name``, ``createdAt``, ``updatedAt``, ``deletedAt``,
``createdBy``, ``updatedBy``, ``position``, ``searchVector``, and ONE_TO_MANY relations
``timelineActivities``, ``attachments``, ``noteTargets``, ``taskTargets`` whose other sides are new
MORPH_RELATION fields ``target<Object>`` (join column ``target<Object>Id``) on those four objects.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from migrator import catalogue
from migrator.sandbox import tables
from migrator.sandbox.http import bad_request, coded_error
from migrator.sandbox.metadata_errors import NOT_AVAILABLE, Problems
from migrator.sandbox.metadata_store import finish, insert_field
from migrator.sandbox.metadata_views import object_view
from migrator.sandbox.schema import ObjectMeta
from migrator.sandbox.workspace import Workspace

_ACTOR_DEFAULT = {"name": "''", "source": "'MANUAL'"}
#: (name, type, label, description, icon, system, nullable, default) of the automatic fields.
_AUTOMATIC: tuple[tuple[str, str, str, str, str, bool, bool, Any], ...] = (
    (
        "updatedAt",
        "DATE_TIME",
        "Last update",
        "Last time the record was changed",
        "IconCalendarClock",
        True,
        False,
        "now",
    ),
    ("name", "TEXT", "Name", "Name", "IconAbc", False, True, None),
    ("id", "UUID", "Id", "Id", "Icon123", True, False, "uuid"),
    (
        "createdAt",
        "DATE_TIME",
        "Creation date",
        "Creation date",
        "IconCalendar",
        True,
        False,
        "now",
    ),
    (
        "createdBy",
        "ACTOR",
        "Created by",
        "The creator of the record",
        "IconCreativeCommonsSa",
        True,
        False,
        _ACTOR_DEFAULT,
    ),
    (
        "deletedAt",
        "DATE_TIME",
        "Deleted at",
        "Deletion date",
        "IconCalendarClock",
        True,
        True,
        None,
    ),
    ("position", "POSITION", "Position", "Position", "IconHierarchy2", True, False, 0),
    ("searchVector", "TS_VECTOR", "Search vector", "Search vector", "IconSearch", True, True, None),
    (
        "updatedBy",
        "ACTOR",
        "Updated by",
        "The workspace member who last updated the record",
        "IconUserCircle",
        True,
        False,
        _ACTOR_DEFAULT,
    ),
)
_SEARCH_EXPRESSION = "to_tsvector('simple', COALESCE(public.unaccent_immutable(\"name\"), ''))"
#: (relation name on the new object, label, icon, object holding the morph side).
_MORPH_TARGETS = (
    ("timelineActivities", "Timeline Activities", "IconTimelineEvent", "timelineActivity"),
    ("attachments", "Attachments", "IconFileImport", "attachment"),
    ("noteTargets", "Notes", "IconNotes", "noteTarget"),
    ("taskTargets", "Tasks", "IconCheckbox", "taskTarget"),
)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _field(object_id: str, workspace_id: Any, now: str, **values: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "objectMetadataId": object_id,
        "isCustom": True,
        "isActive": True,
        "isSystem": False,
        "isNullable": True,
        "isUnique": False,
        "defaultValue": None,
        "options": None,
        "settings": None,
        "isLabelSyncedWithName": False,
        "workspaceId": workspace_id,
        "createdAt": now,
        "updatedAt": now,
    }
    doc.update(values)
    return doc


def _check(ws: Workspace, body: dict[str, Any]) -> None:
    problems = Problems("objectMetadata", "create", body.get("nameSingular"), None)
    taken = {name for obj in ws.schema.objects for name in (obj.name_singular, obj.name_plural)}
    for key in ("nameSingular", "namePlural"):
        name = body.get(key)
        problem = catalogue.name_problem(name) if isinstance(name, str) else f"{key} is required"
        if problem:
            problems.add(problem, name)
        elif name in taken:
            problems.add(f'Name "{name}" is not available', name, code=NOT_AVAILABLE)
    if body.get("nameSingular") == body.get("namePlural"):
        problems.add(
            "The singular and plural names cannot be the same for an object", body.get("namePlural")
        )
    for key in ("labelSingular", "labelPlural"):
        if not isinstance(body.get(key), str) or not body[key]:
            problems.add(f"{key} is required", body.get(key))
    problems.raise_if_any()


def _automatic_fields(
    ws: Workspace, object_id: str, names: tuple[str, str], label: str, now: str
) -> list[dict[str, Any]]:
    singular, plural = names
    workspace_id = ws.schema.objects[0].doc.get("workspaceId") if ws.schema.objects else None
    fields = [
        _field(
            object_id,
            workspace_id,
            now,
            type=kind,
            name=name,
            label=lab,
            description=desc,
            icon=icon,
            isSystem=system,
            isNullable=nullable,
            defaultValue=default,
        )
        for name, kind, lab, desc, icon, system, nullable, default in _AUTOMATIC
    ]
    search = next(item for item in fields if item["name"] == "searchVector")
    search["settings"] = {"asExpression": _SEARCH_EXPRESSION, "generatedType": "STORED"}
    for name, lab, icon, holder_name in _MORPH_TARGETS:
        holder = ws.schema.by_singular.get(holder_name)
        if holder is None:
            continue
        one_to_many = _field(
            object_id,
            workspace_id,
            now,
            type="RELATION",
            name=name,
            label=lab,
            icon=icon,
            description=f"{_cap(plural)} tied to the {holder.doc.get('labelSingular')}",
            settings={"relationType": "ONE_TO_MANY"},
        )
        morph = _field(
            holder.id,
            workspace_id,
            now,
            type="MORPH_RELATION",
            name=f"target{_cap(singular)}",
            label=label,
            icon="IconBuildingSkyscraper",
            settings={
                "onDelete": "CASCADE",
                "relationType": "MANY_TO_ONE",
                "joinColumnName": f"target{_cap(singular)}Id",
            },
        )
        one_to_many["_targetObjectId"], one_to_many["_targetFieldId"] = holder.id, morph["id"]
        morph["_targetObjectId"], morph["_targetFieldId"] = object_id, one_to_many["id"]
        fields.extend([one_to_many, morph])
    return fields


def create_object(ws: Workspace, body: Any) -> dict[str, Any]:
    """``POST /rest/metadata/objects``."""
    if not isinstance(body, dict):
        raise bad_request("The object must be a JSON object")
    _check(ws, body)
    object_id = str(uuid.uuid4())
    with ws.store.write() as conn:
        now = ws.now()
        fields = _automatic_fields(
            ws, object_id, (body["nameSingular"], body["namePlural"]), body["labelSingular"], now
        )
        doc = {
            "id": object_id,
            "nameSingular": body["nameSingular"],
            "namePlural": body["namePlural"],
            "labelSingular": body["labelSingular"],
            "labelPlural": body["labelPlural"],
            "description": body.get("description"),
            "icon": body.get("icon"),
            "isCustom": True,
            "isRemote": False,
            "isActive": True,
            "isSystem": False,
            "isSearchable": True,
            "isLabelSyncedWithName": bool(body.get("isLabelSyncedWithName", False)),
            "workspaceId": fields[0]["workspaceId"],
            "labelIdentifierFieldMetadataId": next(f["id"] for f in fields if f["name"] == "name"),
            "imageIdentifierFieldMetadataId": None,
            "createdAt": now,
            "updatedAt": now,
        }
        conn.execute(
            "INSERT INTO metadata_objects (id, doc) VALUES (?, ?)", (object_id, json.dumps(doc))
        )
        for item in fields:
            insert_field(conn, item)
        finish(ws, conn, {object_id} | {str(item["objectMetadataId"]) for item in fields})
    return object_view(ws.schema, ws.schema.by_id[object_id])


def _custom_object(ws: Workspace, object_id: str) -> ObjectMeta:
    obj = ws.schema.by_id.get(object_id)
    if obj is None:
        raise coded_error(404, "Object metadata not found", "OBJECT_METADATA_NOT_FOUND")
    if not obj.doc.get("isCustom"):
        raise coded_error(
            400, "Standard objects cannot be changed or deleted", "OBJECT_MUTATION_NOT_ALLOWED"
        )
    return obj


def update_object(ws: Workspace, object_id: str, body: Any) -> dict[str, Any]:
    """``PATCH /rest/metadata/objects/{id}``: labels, description, icon, isActive."""
    obj = _custom_object(ws, object_id)
    if not isinstance(body, dict):
        raise bad_request("The object update must be a JSON object")
    allowed = {
        "labelSingular",
        "labelPlural",
        "description",
        "icon",
        "isActive",
        "isLabelSyncedWithName",
    }
    doc = {**obj.doc, **{key: value for key, value in body.items() if key in allowed}}
    with ws.store.write() as conn:
        doc["updatedAt"] = ws.now()
        conn.execute(
            "UPDATE metadata_objects SET doc = ? WHERE id = ?", (json.dumps(doc), object_id)
        )
        finish(ws, conn, {object_id})
    return object_view(ws.schema, ws.schema.by_id[object_id])


def delete_object(ws: Workspace, object_id: str) -> dict[str, Any]:
    """``DELETE /rest/metadata/objects/{id}``: the object, its records and relations to it."""
    obj = _custom_object(ws, object_id)
    view = object_view(ws.schema, obj, with_fields=False)
    touched: set[str] = set()
    with ws.store.write() as conn:
        for other in ws.schema.objects:
            for item in other.fields:
                if other.id == object_id or item.target_object_id == object_id:
                    conn.execute("DELETE FROM metadata_fields WHERE id = ?", (item.id,))
                    if other.id != object_id:
                        touched.add(other.id)
                        key = item.join_column or item.name
                        conn.execute(
                            f"UPDATE \"{other.table}\" SET data = json_remove(data, '$.{key}')"
                        )
        conn.execute("DELETE FROM metadata_objects WHERE id = ?", (object_id,))
        tables.drop_table(conn, obj)
        finish(ws, conn, touched)
    return view
