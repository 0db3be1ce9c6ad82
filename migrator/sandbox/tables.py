"""Record tables and their indexes, kept in step with the metadata.

Each object has one table; each unique field one unique expression index over the record JSON
(partial, ``WHERE deleted_at IS NULL``, for the standard ones upstream made partial); each
MANY_TO_ONE join column one plain index, so relation look-ups, cascades and ``depth=1`` stay cheap.
:func:`sync_indexes` is idempotent: it creates what is missing, replaces what differs (another
``--twenty-version``) and drops indexes of fields that no longer exist.
"""

from __future__ import annotations

import sqlite3

from migrator.sandbox.http import duplicate_entry
from migrator.sandbox.schema import ObjectMeta, UniqueKey


def create_table(conn: sqlite3.Connection, obj: ObjectMeta) -> None:
    """Create the record table of ``obj`` if missing."""
    conn.execute(
        f'CREATE TABLE IF NOT EXISTS "{obj.table}" ('
        "id TEXT PRIMARY KEY, deleted_at TEXT, position REAL NOT NULL DEFAULT 0, "
        "data TEXT NOT NULL)"
    )
    conn.execute(f'CREATE INDEX IF NOT EXISTS "p_{obj.table}" ON "{obj.table}" (position)')


def drop_table(conn: sqlite3.Connection, obj: ObjectMeta) -> None:
    """Drop the record table of ``obj`` with its indexes."""
    conn.execute(f'DROP TABLE IF EXISTS "{obj.table}"')


def _unique_sql(obj: ObjectMeta, key: UniqueKey) -> str:
    exprs = ", ".join(f"json_extract(data, '{path}')" for _, path in key.parts)
    where = " WHERE deleted_at IS NULL" if key.partial else ""
    return f'CREATE UNIQUE INDEX "{key.index_name}" ON "{obj.table}" ({exprs}){where}'


def _join_sql(obj: ObjectMeta, column: str, field_id: str) -> str:
    name = "j_" + field_id.replace("-", "")
    return f'CREATE INDEX "{name}" ON "{obj.table}" (json_extract(data, \'$.{column}\'))'


def sync_indexes(conn: sqlite3.Connection, obj: ObjectMeta) -> None:
    """Make the indexes of ``obj``'s table match its unique and join-column fields.

    Raises Twenty's duplicate error when stored rows already violate a new unique index.
    """
    wanted: dict[str, str] = {}
    for key in obj.unique_keys:
        wanted[key.index_name] = _unique_sql(obj, key)
    for column, field_meta in obj.by_join_column.items():
        wanted["j_" + field_meta.id.replace("-", "")] = _join_sql(obj, column, field_meta.id)
    existing = {
        str(name): str(sql)
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND (name LIKE 'u\\_%' ESCAPE '\\' OR name LIKE 'j\\_%' ESCAPE '\\')",
            (obj.table,),
        )
    }
    for name, sql in existing.items():
        if wanted.get(name) != sql:
            conn.execute(f'DROP INDEX "{name}"')
    for name, sql in wanted.items():
        if existing.get(name) != sql:
            try:
                conn.execute(sql)
            except sqlite3.IntegrityError as exc:
                raise duplicate_entry() from exc
