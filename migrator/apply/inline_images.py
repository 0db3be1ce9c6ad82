"""Images embedded in a record's RICH_TEXT: uploaded, linked from the text, attached to the record.

The mapper recognises them (:mod:`migrator.mapping.inline_images`: a :class:`FileRef` with
``inline`` set, outside the payload digest like every file). For a record being written (created,
or updated, merged or restored: its text is sent again), apply:

1. uploads each image for ``attachment.file`` (with its media type) and points the text's image
   link at the stored file's URL without its token, ``<server>/file/files-field/<file id>``
   (twenty-api.md §9, capture 69; a signed token expires and is a credential), before the
   record's batch is sent;
2. once the record is written, attaches every image to it through an ``attachment`` record
   (``file`` plus ``target<Object>Id``), which is what Twenty's own editor does with an image
   dropped into a note: an uploaded file that no FILES field holds stays a temporary file Twenty
   does not serve. One batch upsert per record; the attachments' ids are derived from the
   record's id and the image's position (:func:`attachment_ids`), so a re-sent batch rewrites the
   same attachments, and an updated text with fewer images destroys the ones past its count.

A record found already written by a create (an earlier send whose answer was lost, or a killed
run) keeps the images its first send uploaded: its stored text is read and the file ids it links
are the ones attached and recorded (the images just uploaded again stay unattached, as for
attachments). The state records the file ids with the record (``file_ids``); destroy removes the
attachments by their derived ids (:func:`embedded_attachment_ids`), and Twenty deletes a destroyed
attachment's file.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from migrator.errors import ApplyError
from migrator.mapping.inline_images import rewrite_targets
from migrator.mapping.model import FileRef
from migrator.spec.target_model import morph_field_name
from migrator.twenty.client import TwentyClient
from migrator.twenty.models import Record, UploadedFile

ATTACHMENT = "attachment"
ATTACHMENTS = "attachments"
_FILE_URL = re.compile(r"/file/files-field/([0-9a-fA-F-]{36})")


@dataclass(frozen=True)
class Rehosted:
    """The embedded images of one record: what each was uploaded as, in the text's order."""

    refs: tuple[FileRef, ...]
    file_ids: tuple[str, ...]


def attachment_ids(record_id: str, count: int) -> list[str]:
    """The ids of the attachments holding the first ``count`` embedded images of a record."""
    base = uuid.UUID(record_id)
    return [str(uuid.uuid5(base, f"inline-image/{index}")) for index in range(count)]


def embedded_attachment_ids(
    twenty_object: str, record_id: str, file_ids: tuple[str, ...]
) -> list[str]:
    """The attachments that may hold a destroyed record's embedded images: one per file id the
    state recorded for it (an attachment's own files are held by itself, not by attachments)."""
    if twenty_object == ATTACHMENT or not file_ids:
        return []
    return attachment_ids(record_id, len(file_ids))


def file_url(stored: UploadedFile) -> str:
    """The stored file's URL without its signed token (``/file/files-field/<id>`` at least)."""
    if stored.url:
        parts = urlsplit(stored.url)
        if parts.path.endswith(f"/files-field/{stored.id}"):
            return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return f"/file/files-field/{stored.id}"


def rehost(
    client: TwentyClient,
    field_id: str,
    refs: list[tuple[FileRef, bytes, str]],
    body: dict[str, Any],
) -> Rehosted:
    """Upload ``refs`` (each with its bytes and file name) and point ``body``'s text at them."""
    urls: dict[str, dict[str, str]] = {}
    ids: list[str] = []
    for ref, content, name in refs:
        media_type = ref.media_type or "application/octet-stream"
        stored = client.upload_file(field_id, name, content, media_type)
        ids.append(stored.id)
        urls.setdefault(ref.field, {})[ref.inline] = file_url(stored)
    for field, targets in urls.items():
        value = body.get(field)
        if isinstance(value, Mapping):
            body[field] = _rewritten(value, targets)
    return Rehosted(tuple(ref for ref, _, _ in refs), tuple(ids))


def _rewritten(value: Mapping[str, Any], targets: Mapping[str, str]) -> dict[str, Any]:
    out = dict(value)
    markdown = out.get("markdown")
    if isinstance(markdown, str):
        out["markdown"] = rewrite_targets(markdown, targets)
    blocknote = out.get("blocknote")
    if isinstance(blocknote, str):
        for target, url in targets.items():
            blocknote = blocknote.replace(json.dumps(target)[1:-1], json.dumps(url)[1:-1])
        out["blocknote"] = blocknote
    return out


def linked_file_ids(record: Record, fields: list[str]) -> list[str]:
    """The uploaded files ``record``'s RICH_TEXT ``fields`` link, in order, each once."""
    found: list[str] = []
    for name in fields:
        value = record.get(name)
        markdown = value.get("markdown") if isinstance(value, Mapping) else None
        for match in _FILE_URL.finditer(markdown or ""):
            file_id = match.group(1).lower()
            if file_id not in found:
                found.append(file_id)
    return found


def attach(
    client: TwentyClient,
    *,
    address: str,
    twenty_object: str,
    record_id: str,
    images: Rehosted,
    history: Mapping[str, Any],
    previous: int = 0,
) -> int:
    """Write the attachments of a written record's images (module doc); returns requests.

    They are upserted by their derived ids (a re-sent batch, or an updated text's new images,
    rewrites them); ``previous`` is how many images the record had before (its state entry's
    file ids): the attachments past the new count are destroyed.
    """
    ids = attachment_ids(record_id, len(images.file_ids))
    join = morph_field_name(twenty_object) + "Id"
    rows: list[Record] = []
    for index, (attachment_id, file_id) in enumerate(zip(ids, images.file_ids, strict=True)):
        label = images.refs[index].label if index < len(images.refs) else "image"
        row: dict[str, Any] = {
            "id": attachment_id,
            "name": label,
            "file": [{"fileId": file_id, "label": label}],
            join: record_id,
        }
        row.update({k: history[k] for k in ("createdAt", "createdBy") if k in history})
        rows.append(row)
    requests = 0
    stale = attachment_ids(record_id, previous)[len(ids) :]
    if stale:
        client.records.destroy_many(ATTACHMENTS, stale)
        requests += 1
    if not rows:
        return requests
    result = client.records.upsert_batch(ATTACHMENTS, rows)
    if result.failed:
        raise ApplyError(
            f"Twenty refused the attachment of an image embedded in {address}",
            detail=f"Twenty said: {result.failed[0].message}"[:480],
            hint="fix the cause, then run the same `migrator apply PLAN` again: the record is "
            "kept and its images are attached on the next run",
        )
    return requests + result.requests
