"""File upload and download (twenty-api.md §9, captures 69, 70).

Upload is Twenty's GraphQL multipart request on ``POST /metadata`` (the GraphQL multipart request
spec: an ``operations`` part, a ``map`` part, then the file parts) running
``uploadFilesFieldFile(file, fieldMetadataId)``; the answer is ``{id, path, size, createdAt, url}``
and the id goes into a FILES value such as ``attachment.file: [{fileId, label}]``. The stored
``mimeType`` is Twenty's: detected from the bytes, else the name's extension
(:mod:`migrator.sandbox.media_types`), not the part's ``Content-Type``. That mutation is
the only GraphQL the sandbox answers; anything else gets a GraphQL error. ``GET
/file/files-field/{id}`` returns the bytes.
"""

from __future__ import annotations

import json
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from migrator.sandbox.http import Request, Response
from migrator.sandbox.media_types import stored_media_type
from migrator.sandbox.workspace import Workspace

MAX_FILES = 10


def _graphql_error(message: str, status: int = 400) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}
    return Response(status, body)


def _parts(req: Request) -> dict[str, EmailMessage]:
    content_type = req.headers.get("content-type", "")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + req.body)
    parts: dict[str, EmailMessage] = {}
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        return parts
    for part in message.iter_parts():
        if isinstance(part, EmailMessage):
            name = part.get_param("name", header="content-disposition")
            if isinstance(name, str):
                parts[name] = part
    return parts


def _json_part(part: EmailMessage | None) -> Any:
    if part is None:
        return None
    try:
        return json.loads(part.get_content() if part.get_content_maintype() == "text" else "")
    except (ValueError, LookupError):
        return None


def upload(ws: Workspace, req: Request, workspace_id: str) -> Response:
    """``POST /metadata``: ``uploadFilesFieldFile`` only."""
    if not req.headers.get("content-type", "").startswith("multipart/form-data"):
        return _graphql_error(
            "The sandbox answers only the uploadFilesFieldFile multipart mutation"
        )
    parts = _parts(req)
    operations, mapping = _json_part(parts.get("operations")), _json_part(parts.get("map"))
    if not isinstance(operations, dict) or "uploadFilesFieldFile" not in str(
        operations.get("query")
    ):
        return _graphql_error(
            "The sandbox answers only the uploadFilesFieldFile multipart mutation"
        )
    if not isinstance(mapping, dict) or not 1 <= len(mapping) <= MAX_FILES:
        return _graphql_error(f"Send between 1 and {MAX_FILES} files")
    variables = operations.get("variables") or {}
    field_id = str(variables.get("fieldMetadataId", ""))
    found = ws.schema.fields_by_id.get(field_id)
    if found is None or found[1].type != "FILES":
        return _graphql_error(f"Field metadata {field_id} is not a FILES field", 200)
    key = next(iter(mapping))
    part = parts.get(str(key))
    if part is None:
        return _graphql_error(f"Missing file part {key}")
    payload = part.get_payload(decode=True)
    content = payload if isinstance(payload, bytes) else b""
    name = part.get_filename() or "file"
    with ws.store.write() as conn:
        doc = ws.files.save(
            conn,
            name=name,
            content=content,
            mime_type=stored_media_type(content, name),
            field_id=field_id,
            workspace_id=workspace_id,
            now=ws.now(),
        )
    answer = {key: doc[key] for key in ("id", "path", "size", "createdAt")}
    answer["url"] = ws.files.url(str(doc["id"]))
    return Response(200, {"data": {"uploadFilesFieldFile": answer}})


def download(ws: Workspace, file_id: str) -> Response:
    """``GET /file/files-field/{id}``."""
    with ws.store.read() as conn:
        doc = ws.files.get(conn, file_id)
    if doc is None:
        return Response(
            404, {"statusCode": 404, "error": "NotFoundException", "messages": ["File not found"]}
        )
    return Response(
        200,
        raw=ws.files.read(doc),
        content_type=str(doc.get("mimeType") or "application/octet-stream"),
    )
