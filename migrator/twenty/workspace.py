"""Workspace members and file uploads.

Members cannot be created through the API (capture 98); they are listed so that legacy owners
can be mapped by ``userEmail`` (capture 62). Files are uploaded with the GraphQL multipart request
``uploadFilesFieldFile(file, fieldMetadataId)`` on ``POST /metadata`` (twenty-api.md §9, capture
69); the returned id then goes into a FILES field such as ``attachment.file``. An upload is never
re-sent once it may have reached Twenty (``Idempotency.UNSAFE``): a second send would store a
second, orphan file.
"""

from __future__ import annotations

import json

from pydantic import ValidationError

from migrator.errors import TwentyError
from migrator.twenty.exchange import Call, Exchange
from migrator.twenty.models import UploadedFile, WorkspaceMember
from migrator.twenty.names import checked_id
from migrator.twenty.pagination import iter_records
from migrator.twenty.retry import Idempotency

UPLOAD_MUTATION = (
    "mutation($file: Upload!, $fieldMetadataId: String!) { "
    "uploadFilesFieldFile(file: $file, fieldMetadataId: $fieldMetadataId) "
    "{ id path size createdAt url } }"
)


def list_members(exchange: Exchange) -> tuple[WorkspaceMember, ...]:
    """Every workspace member (paged; one data call per 200 members)."""
    members = []
    for record in iter_records(exchange, "workspaceMembers"):
        try:
            members.append(WorkspaceMember.model_validate(record))
        except ValidationError:
            raise TwentyError(
                "Twenty listed a workspace member in an unexpected shape.",
                method="GET",
                path="/rest/workspaceMembers",
            ) from None
    return tuple(members)


def upload_file(
    exchange: Exchange,
    field_metadata_id: str,
    filename: str,
    content: bytes,
    content_type: str = "application/octet-stream",
) -> UploadedFile:
    """Store ``content`` for the FILES field ``field_metadata_id``; return the stored file."""
    operations = {
        "query": UPLOAD_MUTATION,
        "variables": {"file": None, "fieldMetadataId": checked_id(field_metadata_id)},
    }
    call = Call(
        "POST",
        "/metadata",
        Idempotency.UNSAFE,
        form={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, content, content_type)},
        record_count=1,
        graphql=True,
    )
    body = exchange.send(call)
    data = body.get("data") if isinstance(body, dict) else None
    stored = data.get("uploadFilesFieldFile") if isinstance(data, dict) else None
    try:
        return UploadedFile.model_validate(stored)
    except ValidationError:
        raise TwentyError(
            "Twenty answered the file upload without the stored file.",
            method="POST",
            path="/metadata",
            hint="Check that the API key's role may upload files (UPLOAD_FILE permission).",
        ) from None
