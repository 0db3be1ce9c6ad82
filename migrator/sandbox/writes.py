"""Creating, upserting and updating records, each call one all-or-nothing transaction.

* Create (one or a batch): client ids kept, a repeated id or unique value (against stored rows or
  inside the batch) refused with "A duplicate entry was detected" and nothing written (captures
  39-41, 111, 113). Positions follow Twenty: the first record of an empty object gets 0, each later
  one the lowest position minus one.
* Upsert (twenty-api.md §3.3): each payload is matched on ``id`` and every unique field it carries,
  soft-deleted rows included; one match is updated (fields not sent kept, ``createdBy`` dropped,
  ``deletedAt`` cleared), none is inserted, two is Twenty's "Multiple records found" 400. Updated
  rows come first in the answer, then inserted ones (capture 54).
* Update: fields sent are written (``updatedAt`` and ``deletedAt`` as sent, captures 107, 108,
  131), composites merged with what is stored (capture 51).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from migrator.sandbox import rows as rowlib
from migrator.sandbox.http import bad_request, duplicate_entry
from migrator.sandbox.payloads import Payload, PayloadReader, merge_composites
from migrator.sandbox.render import Row
from migrator.sandbox.schema import ObjectMeta, UniqueKey
from migrator.sandbox.workspace import Workspace

_INSERT = 'INSERT INTO "{table}" (id, deleted_at, position, data) VALUES (?, ?, ?, ?)'
_UPDATE = 'UPDATE "{table}" SET deleted_at = ?, position = ?, data = ? WHERE id = ?'


def _new_row(
    ws: Workspace,
    reader: PayloadReader,
    payload: Payload,
    record_id: str,
    position: float,
    now: str,
) -> Row:
    data: dict[str, Any] = {}
    for name, default in reader.defaults:
        data[name] = now if default == "now" else default
    merge_composites(reader, data, payload, create=True)
    data.setdefault("createdAt", now)
    data.setdefault("updatedAt", now)
    data["createdBy"] = data.get("createdBy") or ws.api_actor
    data["updatedBy"] = ws.api_actor
    deleted_at = payload.deleted_at if payload.has_deleted_at else None
    return (record_id, deleted_at, position, data)


def _updated_row(
    ws: Workspace, reader: PayloadReader, payload: Payload, row: Row, now: str, *, upsert: bool
) -> Row:
    data = dict(row[3])
    if upsert:
        payload.values.pop("createdBy", None)
    merge_composites(reader, data, payload, create=False)
    if "updatedAt" not in payload.values:
        data["updatedAt"] = now
    data["updatedBy"] = ws.api_actor
    deleted_at = payload.deleted_at if payload.has_deleted_at else row[1]
    if upsert:
        deleted_at = None  # an upsert restores a soft-deleted row (capture 127)
    position = row[2] if payload.position is None else payload.position
    return (row[0], deleted_at, position, data)


def _next_position(conn: sqlite3.Connection, obj: ObjectMeta) -> float | None:
    value = conn.execute(f'SELECT MIN(position) FROM "{obj.table}"').fetchone()[0]
    return None if value is None else float(value)


def _write(
    conn: sqlite3.Connection, obj: ObjectMeta, inserts: list[Row], updates: list[Row]
) -> None:
    try:
        if updates:
            conn.executemany(
                _UPDATE.format(table=obj.table), [rowlib.encode(row) for row in updates]
            )
        if inserts:
            conn.executemany(
                _INSERT.format(table=obj.table),
                [(row[0], *rowlib.encode(row)[:3]) for row in inserts],
            )
    except sqlite3.IntegrityError as exc:
        raise duplicate_entry() from exc


def _build_inserts(
    conn: sqlite3.Connection, ws: Workspace, obj: ObjectMeta, payloads: list[Payload], now: str
) -> list[Row]:
    reader = ws.reader(obj)
    lowest = _next_position(conn, obj)
    out = []
    for payload in payloads:
        if payload.position is not None:
            position = payload.position
        else:
            position = 0.0 if lowest is None else lowest - 1
            lowest = position
        out.append(_new_row(ws, reader, payload, payload.id or ws.new_id(), position, now))
    return out


def create_records(ws: Workspace, obj: ObjectMeta, raws: list[Any], *, upsert: bool) -> list[Row]:
    """Create (or upsert) ``raws`` in one transaction; return the stored rows in Twenty's order."""
    reader = ws.reader(obj)
    payloads = [reader.read(raw) for raw in raws]
    for payload in payloads:
        if payload.id is None:
            payload.id = ws.new_id()
    with ws.store.write() as conn:
        now = ws.now()
        rowlib.attach_files(conn, payloads)
        batch_ids = {str(payload.id) for payload in payloads}
        rowlib.check_references(conn, ws.schema, obj, payloads, batch_ids)
        if not upsert:
            inserts = _build_inserts(conn, ws, obj, payloads, now)
            _write(conn, obj, inserts, [])
            return inserts
        matched, fresh = _match(conn, obj, payloads, raws)
        updates: dict[str, Row] = {}
        for payload, row in matched:
            base = updates.get(row[0], row)
            updates[row[0]] = _updated_row(ws, reader, payload, base, now, upsert=True)
        inserts = _build_inserts(conn, ws, obj, fresh, now)
        _write(conn, obj, inserts, list(updates.values()))
        return [*updates.values(), *inserts]


def _key_values(key: UniqueKey, data: dict[str, Any]) -> tuple[Any, ...] | None:
    found = []
    for _, path in key.parts:
        value: Any = data
        for part in path[2:].split("."):
            value = value.get(part) if isinstance(value, dict) else None
        found.append(value)
    return None if all(item is None for item in found) else tuple(found)


def _match(
    conn: sqlite3.Connection, obj: ObjectMeta, payloads: list[Payload], raws: list[Any]
) -> tuple[list[tuple[Payload, Row]], list[Payload]]:
    """Split payloads into (payload, matched row) pairs and payloads to insert."""
    wanted: dict[str, list[tuple[Any, ...]]] = {}
    per_payload: list[list[tuple[str, tuple[Any, ...]]]] = []
    for payload, raw in zip(payloads, raws, strict=True):
        keys: list[tuple[str, tuple[Any, ...]]] = []
        if isinstance(raw, dict) and raw.get("id") is not None:
            keys.append(("id", (payload.id,)))
        for key in obj.unique_keys:
            found = _key_values(key, payload.values) if key.field.name in payload.values else None
            if found is not None:
                keys.append((key.index_name, found))
        per_payload.append(keys)
        for name, found in keys:
            wanted.setdefault(name, []).append(found)
    index: dict[tuple[str, tuple[Any, ...]], Row] = {}
    for row in _candidates(conn, obj, wanted):
        index[("id", (row[0],))] = row
        for key in obj.unique_keys:
            found = _key_values(key, row[3])
            if found is not None:
                index[(key.index_name, found)] = row
    matched: list[tuple[Payload, Row]] = []
    fresh: list[Payload] = []
    for payload, keys in zip(payloads, per_payload, strict=True):
        hits = {index[item][0]: index[item] for item in keys if item in index}
        if len(hits) > 1:
            raise _multiple_matches(obj, payload, keys)
        if hits:
            matched.append((payload, next(iter(hits.values()))))
        else:
            fresh.append(payload)
    return matched, fresh


def _candidates(
    conn: sqlite3.Connection, obj: ObjectMeta, wanted: dict[str, list[tuple[Any, ...]]]
) -> list[Row]:
    found: dict[str, Row] = {}
    if "id" in wanted:
        found.update(rowlib.fetch_by_ids(conn, obj, [str(item[0]) for item in wanted["id"]]))
    for key in obj.unique_keys:
        for values_ in wanted.get(key.index_name, []):
            clauses, params = [], []
            for (_, path), value in zip(key.parts, values_, strict=True):
                clauses.append(
                    f"json_extract(data, '{path}') IS NULL"
                    if value is None
                    else f"json_extract(data, '{path}') = ?"
                )
                if value is not None:
                    params.append(value)
            sql = f'SELECT {rowlib.SELECT_COLUMNS} FROM "{obj.table}" WHERE ' + " AND ".join(
                clauses
            )
            for raw in conn.execute(sql, params):
                row = rowlib.decode(raw)
                found[row[0]] = row
    return list(found.values())


def _multiple_matches(
    obj: ObjectMeta, payload: Payload, keys: list[tuple[str, tuple[Any, ...]]]
) -> Exception:
    by_index = {key.index_name: key for key in obj.unique_keys}
    parts: list[str] = []
    for name, found in keys:
        labels = ["id"] if name == "id" else [label for label, _ in by_index[name].parts]
        parts.extend(
            f"{label}: {value}"
            for label, value in zip(labels, found, strict=True)
            if value is not None
        )
    return bad_request(
        f"Multiple records found with the same unique field values for {', '.join(parts)}. "
        "Cannot determine which record to update."
    )


def update_rows(
    ws: Workspace, obj: ObjectMeta, select: str, params: list[Any], raw: Any
) -> list[Row]:
    """Apply one partial payload to every row the ``select`` (a WHERE clause) finds."""
    reader = ws.reader(obj)
    payload = reader.read(raw)
    with ws.store.write() as conn:
        now = ws.now()
        rowlib.attach_files(conn, [payload])
        sql = f'SELECT {rowlib.SELECT_COLUMNS} FROM "{obj.table}" WHERE {select} ORDER BY id'
        found = [rowlib.decode(item) for item in conn.execute(sql, params)]
        rowlib.check_references(conn, ws.schema, obj, [payload], set())
        updated = [_updated_row(ws, reader, payload, row, now, upsert=False) for row in found]
        _write(conn, obj, [], updated)
        return updated
