"""The REST metadata routes (``/rest/metadata/objects|fields[/{id}]``, twenty-api.md §5).

Reads list and fetch DTOs; writes go through :mod:`migrator.sandbox.metadata`, whose failures are
Twenty's ``METADATA_VALIDATION_ERROR`` bodies. Metadata calls are never rate-limited. Answers use
the legacy envelope (``{data:{createOneField:{…}}}`` …), the default of Twenty v2.15.
"""

from __future__ import annotations

from migrator.sandbox import metadata
from migrator.sandbox.http import Request, Response, bad_request, coded_error
from migrator.sandbox.metadata_views import field_view, object_view, paged
from migrator.sandbox.workspace import Workspace


def handle(ws: Workspace, req: Request, parts: list[str]) -> Response:
    """Dispatch ``/rest/metadata/<parts>``."""
    kind, rest = parts[0], parts[1:]
    if kind == "objects":
        return _objects(ws, req, rest)
    if kind == "fields":
        return _fields(ws, req, rest)
    raise bad_request(f"Unknown metadata path {req.path}")


def _objects(ws: Workspace, req: Request, rest: list[str]) -> Response:
    schema = ws.schema
    if not rest and req.method == "GET":
        items = [object_view(schema, obj) for obj in schema.objects]
        return Response(200, paged(req, "objects", items))
    if not rest and req.method == "POST":
        return Response(201, {"data": {"createOneObject": metadata.create_object(ws, req.json())}})
    if len(rest) == 1:
        if req.method == "GET":
            obj = schema.by_id.get(rest[0])
            if obj is None:
                raise coded_error(404, "Object metadata not found", "OBJECT_METADATA_NOT_FOUND")
            return Response(200, {"data": {"object": object_view(schema, obj)}})
        if req.method in ("PATCH", "PUT"):
            body = metadata.update_object(ws, rest[0], req.json())
            return Response(200, {"data": {"updateOneObject": body}})
        if req.method == "DELETE":
            return Response(200, {"data": {"deleteOneObject": metadata.delete_object(ws, rest[0])}})
    raise bad_request(f"Method {req.method} not allowed on {req.path}")


def _fields(ws: Workspace, req: Request, rest: list[str]) -> Response:
    schema = ws.schema
    if not rest and req.method == "GET":
        items = [field_view(schema, obj, item) for obj in schema.objects for item in obj.fields]
        return Response(200, paged(req, "fields", items))
    if not rest and req.method == "POST":
        return Response(201, {"data": {"createOneField": metadata.create_field(ws, req.json())}})
    if len(rest) == 1:
        if req.method == "GET":
            found = schema.fields_by_id.get(rest[0])
            if found is None:
                raise coded_error(404, "Field metadata not found", "FIELD_METADATA_NOT_FOUND")
            return Response(200, {"data": {"field": field_view(schema, *found)}})
        if req.method in ("PATCH", "PUT"):
            return Response(
                200, {"data": {"updateOneField": metadata.update_field(ws, rest[0], req.json())}}
            )
        if req.method == "DELETE":
            return Response(200, {"data": {"deleteOneField": metadata.delete_field(ws, rest[0])}})
    raise bad_request(f"Method {req.method} not allowed on {req.path}")
