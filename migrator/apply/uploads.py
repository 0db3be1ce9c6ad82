"""The files of the record handlers: uploads before a write, embedded images attached after.

A create uploads every file of its records first (:class:`~migrator.mapping.model.FileRef`:
FILES fields get ``[{fileId, label}]`` in the body; images embedded in a RICH_TEXT value are
uploaded for ``attachment.file`` and the text points at them, :mod:`migrator.apply.inline_images`);
the file ids go into the record's state entry. A row the create finds already written keeps the
files its first send attached or linked (:func:`files_of_present`). An update, merge or restore
sends its text again, so its embedded images are uploaded again (:func:`upsert_bodies`). Once a
record is written, :func:`attach_images` writes the attachments holding its embedded images.
Every upload is checked against the sha256 its bundle name states.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from migrator.apply import inline_images
from migrator.apply.join import Pair
from migrator.apply.model import Desired
from migrator.errors import ApplyError
from migrator.mapping.model import FileRef
from migrator.state.model import RecordEntry
from migrator.twenty.models import BatchResult, Record

if TYPE_CHECKING:
    from migrator.apply.handlers import HandlerContext, Job, JobResult


def upload_files(ctx: HandlerContext, desired: Desired, body: dict[str, Any]) -> Uploaded:
    if ctx.bundle_root is None:
        raise ApplyError(
            f"{desired.address} has files to upload but the source has no bundle folder",
            hint="make the plan again with `migrator plan SPEC -o FILE`",
        )
    uploaded: list[str] = []
    by_field: dict[str, list[dict[str, str]]] = {}
    embedded: list[tuple[FileRef, bytes, str]] = []
    for ref in desired.files:
        path = ctx.bundle_root / ref.bundle_path
        content = path.read_bytes()
        if ref.sha256 and hashlib.sha256(content).hexdigest() != ref.sha256:
            raise ApplyError(
                f"a file of {desired.address} changed since the plan was made",
                detail=f"{ref.bundle_path} no longer has the sha256 the plan recorded.",
                hint="make the plan again with `migrator plan SPEC -o FILE`",
            )
        if ref.inline:
            embedded.append((ref, content, path.name))
            continue
        field_id = _files_field(ctx, desired.twenty_object, ref.field)
        media_type = ref.media_type or "application/octet-stream"
        stored = ctx.client.upload_file(field_id, path.name, content, media_type)
        uploaded.append(stored.id)
        by_field.setdefault(ref.field, []).append({"fileId": stored.id, "label": ref.label})
    body.update(by_field)
    if not embedded:
        return Uploaded(uploaded, None)
    field_id = _files_field(ctx, inline_images.ATTACHMENT, "file")
    images = inline_images.rehost(ctx.client, field_id, embedded, body)
    return Uploaded(uploaded + list(images.file_ids), images)


@dataclass
class Uploaded:
    """What :func:`upload_files` stored for one record."""

    file_ids: list[str]
    """Every file uploaded, FILES fields' and embedded images' (the state entry's file ids)."""
    images: inline_images.Rehosted | None
    """The record's embedded images (:mod:`migrator.apply.inline_images`), if any."""


def _files_field(ctx: HandlerContext, twenty_object: str, name: str) -> str:
    field_id = ctx.file_field_ids.get((twenty_object, name))
    if field_id is None:
        raise ApplyError(f"Twenty has no FILES field {twenty_object}.{name}")
    return field_id


def files_of_present(
    ctx: HandlerContext,
    job: Job,
    result: BatchResult,
    images: dict[str, inline_images.Rehosted],
    settled: JobResult,
) -> None:
    """Rows found already written (an earlier send whose answer was lost, or a killed run) keep
    the files that send attached or linked from their text: read those rows (one ``id[in]``
    request) and record their file ids, not the ones just uploaded again (which stay unattached
    in Twenty's storage); their embedded images are attached by those ids."""
    present = set(result.already_present)
    pairs = [
        p for p in job.pairs if p.desired and p.desired.files and p.change.twenty_id in present
    ]
    if not pairs:
        return
    found = ctx.client.records.find_by_ids(job.plural, [p.change.twenty_id for p in pairs])
    settled.requests += 1
    fixed: dict[str, tuple[str, ...]] = {}
    for pair in pairs:
        assert pair.desired is not None
        record = found.get(pair.change.twenty_id, {})
        refs = pair.desired.files
        fields = sorted({ref.field for ref in refs if not ref.inline})
        ids = [
            str(item["fileId"])
            for name in fields
            for item in record.get(name) or []
            if isinstance(item, dict) and item.get("fileId")
        ]
        address = pair.change.address
        if address in images:
            rich = sorted({ref.field for ref in refs if ref.inline})
            linked = inline_images.linked_file_ids(record, rich)
            images[address] = inline_images.Rehosted(images[address].refs, tuple(linked))
            ids += linked
        fixed[address] = tuple(sorted(set(ids)))
    settled.done = [
        (p, e.model_copy(update={"file_ids": fixed[p.change.address]}))
        if e is not None and p.change.address in fixed
        else (p, e)
        for p, e in settled.done
    ]


def attach_images(
    ctx: HandlerContext, job: Job, images: dict[str, inline_images.Rehosted], settled: JobResult
) -> None:
    """Attach the embedded images of every record written (module doc of
    :mod:`migrator.apply.inline_images`); its state entry records their file ids."""
    if not images:
        return
    done: list[tuple[Pair, RecordEntry | None]] = []
    for pair, entry in settled.done:
        found = images.get(pair.change.address)
        if found is None or pair.body is None:
            done.append((pair, entry))
            continue
        stored = job.existing.get(pair.change.address)
        settled.requests += inline_images.attach(
            ctx.client,
            address=pair.change.address,
            twenty_object=job.twenty_object,
            record_id=pair.change.existing_id or pair.change.twenty_id,
            images=found,
            history=pair.body,
            previous=len(stored.file_ids) if stored is not None else 0,
        )
        if entry is not None and job.kind == "upsert":
            entry = entry.model_copy(update={"file_ids": tuple(sorted(set(found.file_ids)))})
        done.append((pair, entry))
    settled.done = done


def upsert_bodies(
    ctx: HandlerContext, job: Job, pairs: list[Pair]
) -> tuple[list[Record], dict[str, inline_images.Rehosted]]:
    """The bodies to upsert; embedded images are uploaded again and linked (a changed text may
    embed other images; the attachments that hold them are rewritten after the upsert, and
    those of images the text no longer has are destroyed)."""
    bodies: list[Record] = []
    embedded: dict[str, inline_images.Rehosted] = {}
    for pair in pairs:
        body = dict(pair.body or {})
        desired, stored = pair.desired, job.existing.get(pair.change.address)
        if desired is not None and any(ref.inline for ref in desired.files):
            inline = replace(desired, files=tuple(ref for ref in desired.files if ref.inline))
            uploaded = upload_files(ctx, inline, body)
            if uploaded.images is not None:
                embedded[pair.change.address] = uploaded.images
        elif stored is not None and inline_images.embedded_attachment_ids(
            stored.twenty_object, stored.twenty_id, stored.file_ids
        ):
            embedded[pair.change.address] = inline_images.Rehosted((), ())
        bodies.append(body)
    return bodies, embedded
