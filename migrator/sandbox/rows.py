"""Reading and checking stored rows: decoding, relation targets, file references.

Shared by the write, read and delete paths so that every path sees rows the same way and checks
foreign keys the same way: a MANY_TO_ONE id must name an existing row of the target object (soft-
deleted rows count, as a PostgreSQL foreign key would), else Twenty's 500 "Data validation error."
(capture 36).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from migrator.sandbox.http import bad_request, data_validation_error
from migrator.sandbox.payloads import Payload
from migrator.sandbox.render import Row
from migrator.sandbox.schema import ObjectMeta, Schema

SELECT_COLUMNS = "id, deleted_at, position, data"
_CHUNK = 500


def decode(raw: tuple[Any, ...]) -> Row:
    """A database row as ``(id, deleted_at, position, data)``."""
    return (str(raw[0]), raw[1], float(raw[2]), json.loads(raw[3]))


def encode(row: Row) -> tuple[str | None, float, str, str]:
    """The parameters of ``UPDATE … SET deleted_at, position, data WHERE id``."""
    return (row[1], row[2], json.dumps(row[3], ensure_ascii=False), row[0])


def fetch_by_ids(
    conn: sqlite3.Connection, obj: ObjectMeta, ids: Iterable[str], *, with_deleted: bool = True
) -> dict[str, Row]:
    """Rows of ``obj`` whose id is in ``ids``."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Row] = {}
    deleted = "" if with_deleted else " AND deleted_at IS NULL"
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f'SELECT {SELECT_COLUMNS} FROM "{obj.table}" WHERE id IN ({marks}){deleted}'
        for raw in conn.execute(sql, chunk):
            row = decode(raw)
            found[row[0]] = row
    return found


def existing_ids(conn: sqlite3.Connection, obj: ObjectMeta, ids: Iterable[str]) -> set[str]:
    """The ids among ``ids`` that have a row (soft-deleted included)."""
    wanted = list(dict.fromkeys(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f'SELECT id FROM "{obj.table}" WHERE id IN ({marks})'
        found.update(str(item) for (item,) in conn.execute(sql, chunk))
    return found


def check_references(
    conn: sqlite3.Connection,
    schema: Schema,
    obj: ObjectMeta,
    payloads: Iterable[Payload],
    batch_ids: set[str],
) -> None:
    """Refuse (500) a relation id that names no row; ids written in the same batch count."""
    wanted: dict[str, set[str]] = {}
    for payload in payloads:
        for field_meta, value in payload.refs:
            target = field_meta.target_object_id
            if target is None or target not in schema.by_id:
                raise data_validation_error()
            if target == obj.id and value in batch_ids:
                continue
            wanted.setdefault(target, set()).add(value)
    for target_id, ids in wanted.items():
        if existing_ids(conn, schema.by_id[target_id], ids) != ids:
            raise data_validation_error()


def attach_files(conn: sqlite3.Connection, payloads: Iterable[Payload]) -> None:
    """Check that every referenced file exists and record its extension in the stored value."""
    extensions: dict[str, str] = {}
    for payload in payloads:
        for file_id in payload.file_ids:
            if file_id not in extensions:
                row = conn.execute(
                    "SELECT doc FROM sandbox_files WHERE id = ?", (file_id,)
                ).fetchone()
                if row is None:
                    raise bad_request(f"File {file_id} not found")
                extensions[file_id] = str(json.loads(row[0]).get("extension") or "")
        if payload.file_ids:
            for value in payload.values.values():
                if isinstance(value, list):
                    for item in value:
                        if isinstance(item, dict) and item.get("fileId") in extensions:
                            item["extension"] = extensions[item["fileId"]]


def file_ids_of(obj: ObjectMeta, rows: Iterable[Row]) -> set[str]:
    """Every file referenced by the FILES fields of ``rows``."""
    names = [item.name for item in obj.active_fields if item.type == "FILES"]
    found: set[str] = set()
    for row in rows:
        for name in names:
            for item in row[3].get(name) or []:
                if isinstance(item, dict) and item.get("fileId"):
                    found.add(str(item["fileId"]))
    return found
