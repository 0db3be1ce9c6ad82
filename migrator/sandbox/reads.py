"""Finding records: one by id, pages of many with filter, order, cursors, and ``depth=1``.

Pages follow Twenty's REST contract (twenty-api.md §3.4): ``limit`` defaults to 60 and is silently
capped at 200, ``id`` is always the last sort key, ``totalCount`` counts every match regardless of
the cursor, cursors are the order values of the first and last row. Like Twenty, a forward page
reports ``hasPreviousPage: false`` and a backward page ``hasNextPage: false``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from migrator.sandbox import rows as rowlib
from migrator.sandbox.filters import Node, OrderItem
from migrator.sandbox.query import build_ordering, decode_cursor, encode_cursor, where_sql
from migrator.sandbox.render import Row
from migrator.sandbox.schema import ObjectMeta
from migrator.sandbox.workspace import Workspace

DEFAULT_LIMIT = 60
MAX_LIMIT = 200
MAX_RELATED = 60


@dataclass(frozen=True)
class Page:
    """One page of a find-many."""

    rows: list[Row]
    total_count: int
    start_cursor: str | None
    end_cursor: str | None
    has_next_page: bool
    has_previous_page: bool


def find_one(ws: Workspace, obj: ObjectMeta, record_id: str) -> Row | None:
    """The live (not soft-deleted) record ``record_id``, or None."""
    with ws.store.read() as conn:
        return rowlib.fetch_by_ids(conn, obj, [record_id], with_deleted=False).get(record_id)


def find_page(
    ws: Workspace,
    obj: ObjectMeta,
    *,
    node: Node | None,
    order: tuple[OrderItem, ...],
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
) -> Page:
    """A page of records matching ``node``, in ``order`` then ``id``."""
    ordering = build_ordering(obj, order)
    params: list[Any] = []
    where = where_sql(obj, node, params)
    count_params = list(params)
    backward = ending_before is not None and starting_after is None
    cursor = starting_after if starting_after is not None else ending_before
    if cursor is not None:
        after = ordering.after_sql(decode_cursor(ordering, cursor), params, reverse=backward)
        where = f"({where}) AND {after}"
    sql = (
        f'SELECT {rowlib.SELECT_COLUMNS}, {ordering.select_sql()} FROM "{obj.table}" '
        f"WHERE {where} ORDER BY {ordering.order_sql(reverse=backward)} LIMIT ?"
    )
    params.append(limit + 1)
    with ws.store.read() as conn:
        total = conn.execute(
            f'SELECT COUNT(*) FROM "{obj.table}" WHERE {where_sql(obj, node, [])}', count_params
        ).fetchone()[0]
        raw_rows = conn.execute(sql, params).fetchall()
    more = len(raw_rows) > limit
    raw_rows = raw_rows[:limit]
    if backward:
        raw_rows.reverse()
    rows = [rowlib.decode(raw[:4]) for raw in raw_rows]
    cursors = [encode_cursor(ordering, tuple(raw[4:])) for raw in raw_rows[:1] + raw_rows[-1:]]
    return Page(
        rows=rows,
        total_count=int(total),
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
        has_next_page=more and not backward,
        has_previous_page=more and backward,
    )


def related(ws: Workspace, obj: ObjectMeta, rows: list[Row]) -> list[dict[str, Any]]:
    """For ``depth=1``: per row, its MANY_TO_ONE targets and ONE_TO_MANY lists, rendered."""
    schema = ws.schema
    extras: list[dict[str, Any]] = [{} for _ in rows]
    with ws.store.read() as conn:
        for field_meta in obj.active_fields:
            target = schema.by_id.get(field_meta.target_object_id or "")
            if field_meta.join_column:
                column = field_meta.join_column
                wanted = [row[3].get(column) for row in rows]
                found = {}
                if target is not None:
                    found = rowlib.fetch_by_ids(
                        conn, target, [i for i in wanted if i], with_deleted=False
                    )
                renderer = ws.renderer(target) if target is not None else None
                for extra, ref in zip(extras, wanted, strict=True):
                    hit = found.get(ref) if ref else None
                    extra[field_meta.name] = renderer.render(hit) if renderer and hit else None
            elif field_meta.relation_type == "ONE_TO_MANY":
                lists = _children(ws, conn, field_meta.target_field_id, target, rows)
                for extra, row in zip(extras, rows, strict=True):
                    extra[field_meta.name] = lists.get(row[0], [])
    return extras


def _children(
    ws: Workspace,
    conn: Any,
    target_field_id: str | None,
    target: ObjectMeta | None,
    rows: list[Row],
) -> dict[str, list[dict[str, Any]]]:
    if target is None or target_field_id is None:
        return {}
    inverse = next((item for item in target.active_fields if item.id == target_field_id), None)
    if inverse is None or not inverse.join_column:
        return {}
    ids = [row[0] for row in rows]
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    expr = f"json_extract(data, '$.{inverse.join_column}')"
    sql = (
        f'SELECT {rowlib.SELECT_COLUMNS}, {expr} FROM "{target.table}" '
        f"WHERE deleted_at IS NULL AND {expr} IN ({marks}) ORDER BY position, id"
    )
    renderer = ws.renderer(target)
    out: dict[str, list[dict[str, Any]]] = {}
    for raw in conn.execute(sql, ids):
        bucket = out.setdefault(str(raw[4]), [])
        if len(bucket) < MAX_RELATED:
            bucket.append(renderer.render(rowlib.decode(raw[:4])))
    return out
