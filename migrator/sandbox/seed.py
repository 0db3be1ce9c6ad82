"""What a new sandbox workspace starts with: the standard objects and a few workspace members.

The standard objects, fields, ids, labels, options and relations come from
:mod:`migrator.catalogue` (the one place that knows Twenty's schema), so the sandbox's metadata ids
are those of the reference workspace: a capture naming ``objectMetadataId`` e406e269… (company)
replays unchanged. Members come from ``--members FILE`` (a JSON list of
``{firstName, lastName, email}``) or are the reference workspace's three.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from migrator import catalogue
from migrator.errors import SandboxError
from migrator.sandbox.schema import Schema

#: The reference workspace's members (capture 62); their ids appear in captures 63, 66 and 82.
DEFAULT_MEMBERS: tuple[tuple[str, str, str, str], ...] = (
    ("20202020-0687-4c41-b707-ed1bfca972a7", "Tim", "Apple", "tim@apple.dev"),
    ("20202020-1553-45c6-a028-5a9064cce07f", "Phil", "Schiler", "phil.schiler@apple.dev"),
    ("20202020-463f-435b-828c-107e007a2711", "Jane", "Austen", "jane.austen@apple.dev"),
)

SYSTEM_ACTOR = {"source": "MANUAL", "workspaceMemberId": None, "name": "System", "context": None}


def _field_doc(
    obj: catalogue.StandardObject, item: catalogue.StandardField, workspace_id: str, now: str
) -> dict[str, Any]:
    details = catalogue.standard_object_details()[obj.name_singular]["fields"].get(item.name, {})
    doc: dict[str, Any] = {
        "id": details.get("id") or str(uuid.uuid4()),
        "objectMetadataId": obj.reference_id,
        "type": item.type.value,
        "name": item.name,
        "label": details.get("label", item.name),
        "description": details.get("description"),
        "icon": details.get("icon"),
        "isCustom": False,
        "isActive": True,
        "isSystem": item.is_system,
        "isNullable": item.is_nullable,
        "isUnique": item.is_unique,
        "defaultValue": details.get("defaultValue", item.default),
        "options": details.get("options"),
        "settings": details.get("settings"),
        "isLabelSyncedWithName": False,
        "workspaceId": workspace_id,
        "createdAt": now,
        "updatedAt": now,
    }
    relation = details.get("relation")
    if relation:
        target = catalogue.standard_object(relation["targetObject"])
        if target is not None:
            doc["_targetObjectId"] = target.reference_id
            other = catalogue.standard_object_details()[target.name_singular]["fields"]
            other_field = other.get(relation["targetField"])
            if other_field:
                doc["_targetFieldId"] = other_field["id"]
    return doc


def _object_doc(
    obj: catalogue.StandardObject, fields: list[dict[str, Any]], workspace_id: str, now: str
) -> dict[str, Any]:
    details = catalogue.standard_object_details()[obj.name_singular]
    label_field = next((item["id"] for item in fields if item["name"] == "name"), None)
    return {
        "id": obj.reference_id,
        "nameSingular": obj.name_singular,
        "namePlural": obj.name_plural,
        "labelSingular": details["labelSingular"],
        "labelPlural": details["labelPlural"],
        "description": details.get("description"),
        "icon": details.get("icon"),
        "isCustom": False,
        "isRemote": False,
        "isActive": True,
        "isSystem": bool(details.get("isSystem")),
        "isSearchable": not bool(details.get("isSystem")),
        "isLabelSyncedWithName": False,
        "workspaceId": workspace_id,
        "labelIdentifierFieldMetadataId": label_field,
        "imageIdentifierFieldMetadataId": None,
        "createdAt": now,
        "updatedAt": now,
    }


def seed_standard_metadata(conn: sqlite3.Connection, workspace_id: str, now: str) -> None:
    """Insert the standard objects and fields (only into an empty metadata store)."""
    for obj in catalogue.standard_objects():
        fields = [_field_doc(obj, item, workspace_id, now) for item in obj.fields]
        conn.execute(
            "INSERT INTO metadata_objects (id, doc) VALUES (?, ?)",
            (obj.reference_id, json.dumps(_object_doc(obj, fields, workspace_id, now))),
        )
        conn.executemany(
            "INSERT INTO metadata_fields (id, object_id, doc) VALUES (?, ?, ?)",
            [(item["id"], obj.reference_id, json.dumps(item)) for item in fields],
        )


def read_members_file(path: Path) -> list[tuple[str, str, str]]:
    """``(firstName, lastName, email)`` of each member listed in a JSON members file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SandboxError(
            f"cannot read the members file {path}",
            detail=str(exc),
            hint='Give a JSON list like [{"firstName": "Ada", "lastName": "L", "email": "a@x"}].',
        ) from exc
    members: list[tuple[str, str, str]] = []
    for index, item in enumerate(data if isinstance(data, list) else [None]):
        if not isinstance(item, dict) or not isinstance(item.get("email"), str):
            raise SandboxError(
                f"entry {index} of the members file {path} is not a member",
                detail="Each entry needs an email and may have firstName and lastName.",
                hint='Write entries like {"firstName": "Ada", "lastName": "L", "email": "a@x"}.',
            )
        members.append(
            (str(item.get("firstName") or ""), str(item.get("lastName") or ""), item["email"])
        )
    return members


def member_rows(
    members: list[tuple[str, str, str]] | None, workspace_id: str
) -> list[tuple[str, str, str, str]]:
    """``(id, firstName, lastName, email)`` rows: the given members, or the default three."""
    if members is None:
        return list(DEFAULT_MEMBERS)
    namespace = uuid.UUID(workspace_id)
    return [
        (str(uuid.uuid5(namespace, f"member:{email.lower()}")), first, last, email.lower())
        for first, last, email in members
    ]


def seed_members(
    conn: sqlite3.Connection, schema: Schema, rows: list[tuple[str, str, str, str]], now: str
) -> None:
    """Insert members whose email is not yet in the workspace."""
    member_object = schema.by_singular["workspaceMember"]
    table = member_object.table
    present = {
        str(email)
        for (email,) in conn.execute(f"SELECT json_extract(data, '$.userEmail') FROM \"{table}\"")
    }
    namespace = uuid.UUID(rows[0][0]) if rows else uuid.NAMESPACE_URL
    for member_id, first, last, email in rows:
        if email in present:
            continue
        data = {
            "name": {"firstName": first or None, "lastName": last or None},
            "userEmail": email,
            "userId": str(uuid.uuid5(namespace, f"user:{email}")),
            "colorScheme": "Light",
            "locale": "en",
            "calendarStartDay": 7,
            "timeZone": "system",
            "dateFormat": "SYSTEM",
            "timeFormat": "SYSTEM",
            "numberFormat": "SYSTEM",
            "createdAt": now,
            "updatedAt": now,
            "createdBy": SYSTEM_ACTOR,
            "updatedBy": SYSTEM_ACTOR,
        }
        conn.execute(
            f'INSERT INTO "{table}" (id, deleted_at, position, data) VALUES (?, NULL, 0, ?)',
            (member_id, json.dumps(data)),
        )
