"""Copy a whole state to another store, row for row: what ``migrator state migrate`` does.

The copy goes table by table, not through batches, so the lineage, the serial, the run journal
with the serials each run wrote, the cursors' serials and every pre-image arrive unchanged; the
lock (local-only) does not travel. The target must be empty, and is written in one transaction:
it ends up a full copy or untouched. Large tables are read by keyset pages, so memory stays
constant at a million records. :func:`view_sha256` is how a caller proves the copy lost nothing:
equal states have byte-identical ``state show --json`` views (pre-images included).
"""

from __future__ import annotations

import hashlib

from migrator.errors import StateError
from migrator.model import FrozenModel
from migrator.state import rows, sql
from migrator.state.reader import PAGE_SIZE
from migrator.state.show import iter_state_json
from migrator.state.sqlstore import SqlStateStore


class StateCopy(FrozenModel):
    """What a copy moved, and the proof that it lost nothing."""

    source: str
    target: str
    """The locations, as messages show them (no password)."""
    lineage: str | None
    serial: int
    records: int
    """Rows of the record map copied."""
    rows: int
    """Rows copied in all tables (``meta`` included)."""
    view_sha256: str
    """The sha256 of ``state show --json --include-pre-images``, equal on both sides."""


def _check_empty(target: SqlStateStore) -> None:
    db = target.database
    meta_names = {str(name) for name, _ in db.fetch_all(sql.SELECT_META)}
    filled = [
        table
        for table, _, _ in sql.COPIED_TABLES
        if int((db.fetch_one(sql.count_rows_sql(table)) or (0,))[0])
    ]
    if filled or meta_names - {rows.META_FORMAT_VERSION, rows.META_MIGRATOR_VERSION}:
        meta = target.meta()
        raise StateError(
            f"{target.location} already holds a state",
            detail=(
                f"It has lineage {meta.lineage or '(none)'} at serial {meta.serial}"
                + (f" and rows in {', '.join(filled)}" if filled else "")
                + "; migrating into it would mix two states."
            ),
            hint="migrate into a new file or an empty schema",
        )


def copy_state(source: SqlStateStore, target: SqlStateStore) -> StateCopy:
    """Copy every content row of ``source`` into the empty ``target`` in one transaction, then
    prove the copy by comparing both full views; raise :class:`StateError` if they differ.

    The caller holds both stores' locks, so nothing writes either while it runs.
    """
    _check_empty(target)
    meta = source.meta()
    rows_copied, records = _copy_tables(source, target)
    wanted, got = view_sha256(source), view_sha256(target)
    if wanted != got:
        raise StateError(
            f"the copy at {target.location} differs from {source.location}",
            detail=f"state show --json gives sha256 {got} there but {wanted} here.",
            hint=f"do not use {target.location}; remove it, and report this as a bug",
        )
    return StateCopy(
        source=source.location,
        target=target.location,
        lineage=meta.lineage,
        serial=meta.serial,
        records=records,
        rows=rows_copied,
        view_sha256=got,
    )


def _copy_tables(source: SqlStateStore, target: SqlStateStore) -> tuple[int, int]:
    src, dst = source.database, target.database
    copied = records = 0
    with dst.transaction():
        meta_rows = src.fetch_all(sql.SELECT_META)
        dst.execute_many(sql.UPSERT_META, meta_rows)
        copied += len(meta_rows)
        for table, columns, key in sql.COPIED_TABLES:
            insert = sql.copy_insert_sql(table, columns)
            statement = sql.copy_page_sql(table, columns, key)
            last = ""
            while True:
                page = src.fetch_all(statement, (last, PAGE_SIZE) if key else ())
                dst.execute_many(insert, page)
                copied += len(page)
                records += len(page) if table == "records" else 0
                if key is None or len(page) < PAGE_SIZE:
                    break
                last = page[-1][0]
    return copied, records


def view_sha256(store: SqlStateStore) -> str:
    """The sha256 of the store's full canonical view (pre-images included), streamed."""
    digest = hashlib.sha256()
    for chunk in iter_state_json(store, include_pre_images=True):
        digest.update(chunk.encode("utf-8"))
    return digest.hexdigest()
