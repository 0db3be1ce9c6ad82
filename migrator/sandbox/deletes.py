"""Soft delete, destroy and restore, each one transaction.

Destroy is permanent and applies each relation's ``onDelete`` to the rows pointing at what is
destroyed (``CASCADE`` destroys them too, anything else sets the join column to NULL), then removes
the files no longer referenced (twenty-api.md §9). Soft delete stamps ``deletedAt`` and
``updatedAt``; restore clears ``deletedAt``. Under upstream Twenty a restore can collide with a live
row on a partial unique index, which is the same 400 duplicate as a create.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from migrator.sandbox import rows as rowlib
from migrator.sandbox.http import duplicate_entry
from migrator.sandbox.render import Row
from migrator.sandbox.schema import ObjectMeta, Schema
from migrator.sandbox.workspace import Workspace

_UPDATE = 'UPDATE "{table}" SET deleted_at = ?, position = ?, data = ? WHERE id = ?'


def _select(conn: sqlite3.Connection, obj: ObjectMeta, where: str, params: list[Any]) -> list[Row]:
    sql = f'SELECT {rowlib.SELECT_COLUMNS} FROM "{obj.table}" WHERE {where} ORDER BY id'
    return [rowlib.decode(raw) for raw in conn.execute(sql, params)]


def soft_delete(ws: Workspace, obj: ObjectMeta, where: str, params: list[Any]) -> list[Row]:
    """Soft-delete the live rows matching ``where``; return them as stored afterwards."""
    with ws.store.write() as conn:
        now = ws.now()
        found = _select(conn, obj, f"deleted_at IS NULL AND ({where})", params)
        changed: list[Row] = [(row[0], now, row[2], {**row[3], "updatedAt": now}) for row in found]
        conn.executemany(_UPDATE.format(table=obj.table), [rowlib.encode(row) for row in changed])
        return changed


def restore(ws: Workspace, obj: ObjectMeta, where: str, params: list[Any]) -> list[Row]:
    """Restore the soft-deleted rows matching ``where``."""
    with ws.store.write() as conn:
        now = ws.now()
        found = _select(conn, obj, f"deleted_at IS NOT NULL AND ({where})", params)
        changed: list[Row] = [(row[0], None, row[2], {**row[3], "updatedAt": now}) for row in found]
        try:
            conn.executemany(
                _UPDATE.format(table=obj.table), [rowlib.encode(row) for row in changed]
            )
        except sqlite3.IntegrityError as exc:
            raise duplicate_entry() from exc
        return changed


def destroy(ws: Workspace, obj: ObjectMeta, where: str, params: list[Any]) -> list[Row]:
    """Permanently delete the rows (soft-deleted ones included) matching ``where``."""
    with ws.store.write() as conn:
        found = _select(conn, obj, where, params)
        file_ids: set[str] = set()
        _destroy_ids(conn, ws.schema, obj, [row[0] for row in found], file_ids, ws.now())
        file_ids |= rowlib.file_ids_of(obj, found)
        paths = ws.files.forget(conn, _unreferenced(conn, ws.schema, file_ids))
    ws.files.unlink(paths)
    return found


def _destroy_ids(
    conn: sqlite3.Connection,
    schema: Schema,
    obj: ObjectMeta,
    ids: list[str],
    file_ids: set[str],
    now: str,
) -> None:
    if not ids:
        return
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        conn.execute(f'DELETE FROM "{obj.table}" WHERE id IN ({",".join("?" * len(chunk))})', chunk)
    for source, field_meta in schema.inverse_fields(obj):
        column = field_meta.join_column
        expr = f"json_extract(data, '$.{column}')"
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            if field_meta.on_delete == "CASCADE":
                children = _select(conn, source, f"{expr} IN ({marks})", chunk)
                file_ids |= rowlib.file_ids_of(source, children)
                _destroy_ids(conn, schema, source, [row[0] for row in children], file_ids, now)
            else:
                conn.execute(
                    f"UPDATE \"{source.table}\" SET data = json_set(data, '$.{column}', NULL) "
                    f"WHERE {expr} IN ({marks})",
                    chunk,
                )


def _unreferenced(conn: sqlite3.Connection, schema: Schema, file_ids: set[str]) -> set[str]:
    """The files among ``file_ids`` that no remaining row references."""
    left = set(file_ids)
    for obj in schema.objects:
        names = [item.name for item in obj.active_fields if item.type == "FILES"]
        for name in names:
            if not left:
                return left
            sql = (
                f"SELECT json_extract(value, '$.fileId') FROM \"{obj.table}\", "
                f"json_each(\"{obj.table}\".data, '$.{name}')"
            )
            left -= {str(item) for (item,) in conn.execute(sql)}
    return left
