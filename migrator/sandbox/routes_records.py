"""The REST records routes (``/rest/{plural}…``, twenty-api.md §3.1), answered as Twenty answers.

Envelopes: find many ``{data:{<plural>:[…]}, totalCount, pageInfo}``; find one
``{data:{<singular>:{…}}}``; create ``{data:{create<Singular>}}`` / ``{data:{create<Plural>}}``
(201); update, delete and restore likewise with their verbs. The restore route depends on
``--twenty-version``: 2.15 answers only ``PATCH /rest/restore/{plural}?filter=`` (its ``/{id}``
form is the 400 of capture 26); upstream answers ``PATCH /rest/{plural}/{id}/restore`` and
``PATCH /rest/{plural}/restore?filter=``.
"""

from __future__ import annotations

import uuid
from typing import Any

from migrator.sandbox import deletes, reads, writes
from migrator.sandbox.filters import Node, parse_filter, parse_order_by
from migrator.sandbox.http import Request, Response, bad_request, coded_error, not_found
from migrator.sandbox.query import where_sql
from migrator.sandbox.render import Row
from migrator.sandbox.schema import ObjectMeta
from migrator.sandbox.workspace import Workspace

MAX_BATCH = 200
_FILTER_REQUIRED = (
    "Filters are mandatory for bulk {what} operations. Please provide at least one filter to "
    "prevent accidental {verb} of all records."
)


def _cap(name: str) -> str:
    return name[0].upper() + name[1:]


def _path_invalid(path: str, plural: str) -> Exception:
    return bad_request(
        f"Query path '{path}' invalid. Valid examples: /rest/{plural}/id or /rest/{plural} "
        f"or /rest/batch/{plural}"
    )


def _record_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError as exc:
        raise bad_request(f'invalid input syntax for type uuid: "{text}"') from exc


def _filter(req: Request) -> Node | None:
    text = req.query.get("filter", "").strip()
    return parse_filter(text) if text else None


def _render(ws: Workspace, obj: ObjectMeta, rows: list[Row]) -> list[dict[str, Any]]:
    renderer = ws.renderer(obj)
    return [renderer.render(row) for row in rows]


def _deny_members(obj: ObjectMeta) -> None:
    if obj.name_singular == "workspaceMember":
        raise coded_error(
            400, "Entity performing the request does not have permission", "PERMISSION_DENIED"
        )


def handle(ws: Workspace, req: Request, parts: list[str]) -> Response:
    """Dispatch ``/rest/<parts>``."""
    method = req.method
    if parts[0] == "batch" and len(parts) == 2 and method == "POST":
        return _create(ws, req, ws.object_by_plural(parts[1]), batch=True)
    if parts[0] == "restore" and len(parts) >= 2:
        obj = ws.object_by_plural(parts[1])
        if ws.version == "2.15" and len(parts) == 2 and method == "PATCH":
            return _restore_many(ws, req, obj)
        raise _path_invalid(req.path, obj.name_plural)
    obj = ws.object_by_plural(parts[0])
    if len(parts) == 1:
        return _collection(ws, req, obj)
    if len(parts) == 2 and parts[1] == "restore" and ws.version == "upstream" and method == "PATCH":
        return _restore_many(ws, req, obj)
    if len(parts) == 2:
        return _single(ws, req, obj, _record_id(parts[1]))
    if len(parts) == 3 and parts[2] == "restore" and ws.version == "upstream" and method == "PATCH":
        rows = deletes.restore(ws, obj, "id = ?", [_record_id(parts[1])])
        if not rows:
            raise not_found()
        body = {"data": {f"restore{_cap(obj.name_singular)}": _render(ws, obj, rows)[0]}}
        return Response(200, body, record_count=1)
    raise _path_invalid(req.path, obj.name_plural)


def _collection(ws: Workspace, req: Request, obj: ObjectMeta) -> Response:
    if req.method == "GET":
        return _find_many(ws, req, obj)
    if req.method == "POST":
        return _create(ws, req, obj, batch=False)
    node = _filter(req)
    if req.method in ("PATCH", "PUT"):
        _deny_members(obj)
        if node is None:
            raise bad_request(_FILTER_REQUIRED.format(what="update", verb="update"))
        params: list[Any] = []
        rows = writes.update_rows(ws, obj, where_sql(obj, node, params), params, req.json())
        body = {"data": {f"update{_cap(obj.name_plural)}": _render(ws, obj, rows)}}
        return Response(200, body, record_count=len(rows))
    if req.method == "DELETE":
        _deny_members(obj)
        if node is None:
            raise bad_request(_FILTER_REQUIRED.format(what="delete", verb="deletion"))
        params = []
        key = f"delete{_cap(obj.name_plural)}"
        if req.query.get("soft_delete") == "true":
            rows = deletes.soft_delete(ws, obj, where_sql(obj, node, params), params)
            return Response(200, {"data": {key: _render(ws, obj, rows)}}, record_count=len(rows))
        where = where_sql(obj, node, params, include_deleted=True)
        rows = deletes.destroy(ws, obj, where, params)
        return Response(
            200, {"data": {key: [{"id": row[0]} for row in rows]}}, record_count=len(rows)
        )
    raise bad_request(f"Method {req.method} not allowed on {req.path}")


def _single(ws: Workspace, req: Request, obj: ObjectMeta, record_id: str) -> Response:
    singular = _cap(obj.name_singular)
    if req.method == "GET":
        row = reads.find_one(ws, obj, record_id)
        if row is None:
            raise not_found()
        record = _render(ws, obj, [row])[0]
        if _depth(req) == 1:
            record.update(reads.related(ws, obj, [row])[0])
        return Response(200, {"data": {obj.name_singular: record}}, record_count=1)
    _deny_members(obj)
    if req.method in ("PATCH", "PUT"):
        rows = writes.update_rows(ws, obj, "id = ? AND deleted_at IS NULL", [record_id], req.json())
        if not rows:
            raise not_found()
        body = {"data": {f"update{singular}": _render(ws, obj, rows)[0]}}
        return Response(200, body, record_count=1)
    if req.method == "DELETE":
        if req.query.get("soft_delete") == "true":
            rows = deletes.soft_delete(ws, obj, "id = ?", [record_id])
            if not rows:
                raise not_found()
            return Response(
                200, {"data": {f"delete{singular}": _render(ws, obj, rows)[0]}}, record_count=1
            )
        rows = deletes.destroy(ws, obj, "id = ?", [record_id])
        if not rows:
            raise not_found()
        return Response(200, {"data": {f"delete{singular}": {"id": record_id}}}, record_count=1)
    raise bad_request(f"Method {req.method} not allowed on {req.path}")


def _depth(req: Request) -> int:
    text = req.query.get("depth", "0")
    if text not in ("0", "1"):
        raise bad_request(f"'depth={text}' parameter invalid. Allowed values are 0, 1")
    return int(text)


def _find_many(ws: Workspace, req: Request, obj: ObjectMeta) -> Response:
    depth = _depth(req)
    limit_text = req.query.get("limit", str(reads.DEFAULT_LIMIT))
    try:
        limit = int(limit_text)
    except ValueError as exc:
        raise bad_request(f"'limit={limit_text}' parameter invalid") from exc
    if limit < 0:
        raise bad_request(f"'limit={limit_text}' parameter invalid")
    page = reads.find_page(
        ws,
        obj,
        node=_filter(req),
        order=parse_order_by(req.query.get("order_by", "")),
        limit=min(limit, reads.MAX_LIMIT),
        starting_after=req.query.get("starting_after") or None,
        ending_before=req.query.get("ending_before") or None,
    )
    records = _render(ws, obj, page.rows)
    if depth == 1:
        for record, extra in zip(records, reads.related(ws, obj, page.rows), strict=True):
            record.update(extra)
    body = {
        "data": {obj.name_plural: records},
        "totalCount": page.total_count,
        "pageInfo": {
            "startCursor": page.start_cursor,
            "endCursor": page.end_cursor,
            "hasNextPage": page.has_next_page,
            "hasPreviousPage": page.has_previous_page,
        },
    }
    return Response(200, body, record_count=len(records))


def _create(ws: Workspace, req: Request, obj: ObjectMeta, *, batch: bool) -> Response:
    _deny_members(obj)
    upsert = req.query.get("upsert") == "true"
    body = req.json()
    if batch:
        if not isinstance(body, list):
            raise bad_request("Batch create expects a JSON array of records")
        if len(body) > MAX_BATCH:
            raise bad_request(f"Maximum number of records to upsert is {MAX_BATCH}.")
        rows = writes.create_records(ws, obj, body, upsert=upsert)
        many = {f"create{_cap(obj.name_plural)}": _render(ws, obj, rows)}
        return Response(201, {"data": many}, record_count=len(rows))
    rows = writes.create_records(ws, obj, [body], upsert=upsert)
    data = {f"create{_cap(obj.name_singular)}": _render(ws, obj, rows)[0]}
    return Response(201, {"data": data}, record_count=1)


def _restore_many(ws: Workspace, req: Request, obj: ObjectMeta) -> Response:
    node = _filter(req)
    if node is None:
        raise bad_request(_FILTER_REQUIRED.format(what="restore", verb="restoration"))
    params: list[Any] = []
    where = where_sql(obj, node, params, include_deleted=True)
    rows = deletes.restore(ws, obj, where, params)
    body = {"data": {f"restore{_cap(obj.name_plural)}": _render(ws, obj, rows)}}
    return Response(200, body, record_count=len(rows))
