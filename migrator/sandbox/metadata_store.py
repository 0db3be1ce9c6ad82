"""Storing metadata DTOs and bringing the record tables and the live schema in step with them."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from migrator.sandbox import tables
from migrator.sandbox.schema import load_schema
from migrator.sandbox.workspace import Workspace


def insert_field(conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
    """Store a field DTO."""
    conn.execute(
        "INSERT INTO metadata_fields (id, object_id, doc) VALUES (?, ?, ?)",
        (doc["id"], doc["objectMetadataId"], json.dumps(doc)),
    )


def finish(ws: Workspace, conn: sqlite3.Connection, object_ids: set[str]) -> None:
    """Sync the indexes of the touched objects, then swap in the new schema."""
    schema = load_schema(conn, ws.version)
    for object_id in sorted(object_ids):
        obj = schema.by_id.get(object_id)
        if obj is not None:
            tables.create_table(conn, obj)
            tables.sync_indexes(conn, obj)
    ws.reload(conn)
