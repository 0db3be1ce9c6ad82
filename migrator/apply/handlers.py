"""One handler per kind of record write, each sending one batch (run on a worker thread).

A :class:`Job` is up to ``batch_size`` changes of one kind into one Twenty object; the handler
sends it in as few requests as the client allows and returns a :class:`JobResult` (rows done,
rows refused with a scrubbed reason), which the executor commits to the state on its own thread:

* ``create`` — plain batch create with the deterministic ids; a batch re-sent after a lost
  response or a crash is refused as a duplicate and resolved by the client's ``id[in]`` lookup
  (those rows count as done). Files are uploaded just before, their ids added to the payload,
  and embedded images attached after (:mod:`migrator.apply.uploads`).
* ``upsert`` — updates of records migrator owns, planned merges and restores: batch upsert of
  the planned payload (merges and restores to the existing record's id, without ``createdAt`` and
  ``createdBy``, so the record keeps its own history). The pre-image of a merged or restored
  record is read in one ``id[in]`` request per batch and committed to the state *before* the
  write, so a crash between the two can never lose it (a later run reuses the stored one).
* ``link`` — second-pass relations by batch upsert of ``{id, <field>Id}``.
* ``delete`` — records migrator created are destroyed by ``id[in]`` (200 per request); records it
  merged into or restored get their pre-image back instead (and restored ones are soft-deleted
  again with their original ``deletedAt``), never deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from migrator.apply import inline_images, uploads
from migrator.apply.join import Pair
from migrator.errors import ApplyError
from migrator.model import Action, digest
from migrator.state.model import PreImage, RecordEntry, RecordStatus
from migrator.twenty.client import TwentyClient
from migrator.twenty.models import BatchResult, Record

JobKind = Literal["create", "upsert", "link", "delete"]

#: Fields Twenty manages itself: never written back from a pre-image.
_SYSTEM_FIELDS = frozenset({"updatedBy", "createdBy", "searchVector", "deletedAt", "position"})


@dataclass
class Job:
    """One batch of changes of one kind into one Twenty object."""

    kind: JobKind
    twenty_object: str
    plural: str
    pairs: list[Pair]
    existing: dict[str, RecordEntry] = field(default_factory=dict)
    """State entries of the batch's records (updates, merges, restores, deletes), by address."""
    index: int = 0


@dataclass
class JobResult:
    """What one job did: rows done (with their new state entry, ``None`` for links and deletes)
    and rows refused (code and scrubbed reason)."""

    job: Job
    done: list[tuple[Pair, RecordEntry | None]] = field(default_factory=list)
    refused: list[tuple[Pair, str, str]] = field(default_factory=list)
    requests: int = 0
    fresh_pre_images: int = 0
    """State entries the job added before writing (pre-images of merges and restores)."""


PreImageSink = Callable[[list[RecordEntry]], None]
"""Commits pending pre-image entries to the state (called from the worker, before the write)."""


@dataclass(frozen=True)
class HandlerContext:
    """What every handler needs besides its job."""

    client: TwentyClient
    commit_pre_images: PreImageSink
    file_field_ids: Mapping[tuple[str, str], str]
    """Metadata id of each FILES field, by (Twenty object, field)."""
    bundle_root: Path | None


def _entry(pair: Pair, twenty_id: str, status: RecordStatus, **extra: Any) -> RecordEntry:
    change = pair.change
    return RecordEntry(
        address=change.address,
        mapping=change.mapping,
        source_key=change.source_key,
        twenty_object=change.twenty_object,
        twenty_id=twenty_id,
        payload_digest=change.payload_digest,
        status=status,
        **extra,
    )


def _code(kind: str) -> str:
    return "rejected_" + kind.replace("-", "_")


def _settle(job: Job, result: BatchResult, entries: dict[str, RecordEntry | None]) -> JobResult:
    """Split a batch's rows into done and refused, by the id each row was sent with."""
    failed = {str(f.id): f for f in result.failed if f.id is not None}
    out = JobResult(job, requests=result.requests)
    for sent_id, pair in _sent_ids(job):
        failure = failed.get(sent_id)
        if failure is None:
            out.done.append((pair, entries.get(pair.change.address)))
        else:
            reason = f"Twenty refused the record: {failure.message}"
            out.refused.append((pair, _code(failure.kind.value), reason[:480]))
    return out


def _sent_ids(job: Job) -> list[tuple[str, Pair]]:
    return [(pair.change.existing_id or pair.change.twenty_id, pair) for pair in job.pairs]


# --- create ---------------------------------------------------------------------------------


def run_create(ctx: HandlerContext, job: Job) -> JobResult:
    """Batch-create the job's records (uploading their files first, attaching embedded images
    after)."""
    bodies: list[Record] = []
    entries: dict[str, RecordEntry | None] = {}
    images: dict[str, inline_images.Rehosted] = {}
    for pair in job.pairs:
        assert pair.desired is not None and pair.body is not None
        body = dict(pair.body)
        file_ids: list[str] = []
        if pair.desired.files:
            uploaded = uploads.upload_files(ctx, pair.desired, body)
            file_ids = uploaded.file_ids
            if uploaded.images is not None:
                images[pair.change.address] = uploaded.images
        bodies.append(body)
        entries[pair.change.address] = _entry(
            pair, pair.change.twenty_id, RecordStatus.WRITTEN, file_ids=tuple(file_ids)
        )
    result = ctx.client.records.create_batch(job.plural, bodies, batch_index=job.index)
    settled = _settle(job, result, entries)
    uploads.files_of_present(ctx, job, result, images, settled)
    uploads.attach_images(ctx, job, images, settled)
    return settled


# --- upsert: updates, merges, restores ------------------------------------------------------


def _pre_image(record: Record) -> PreImage:
    updated = record.get("updatedAt")
    deleted = record.get("deletedAt")
    return PreImage(
        values=dict(record),
        updated_at=updated if isinstance(updated, str) else None,
        deleted_at=deleted if isinstance(deleted, str) else None,
    )


def _read_pre_images(ctx: HandlerContext, job: Job, out: JobResult) -> dict[str, PreImage]:
    """Read (or reuse) the pre-image of every merge and restore of the job; commit new ones."""
    wanted = {Action.MERGE: [], Action.RESTORE: []}  # type: dict[Action, list[Pair]]
    known: dict[str, PreImage] = {}
    for pair in job.pairs:
        change = pair.change
        if change.action not in wanted:
            continue
        stored = job.existing.get(change.address)
        if stored is not None and stored.pre_image is not None:
            known[change.address] = stored.pre_image
        else:
            wanted[change.action].append(pair)
    pending: list[RecordEntry] = []
    for action, pairs in wanted.items():
        if not pairs:
            continue
        ids = [str(p.change.existing_id) for p in pairs]
        found = ctx.client.records.find_by_ids(job.plural, ids, deleted=action is Action.RESTORE)
        out.requests += 1
        status = RecordStatus.MERGED if action is Action.MERGE else RecordStatus.RESTORED
        for pair in pairs:
            record = found.get(str(pair.change.existing_id))
            if record is None:
                continue
            image = _pre_image(record)
            known[pair.change.address] = image
            pending.append(
                _entry(pair, str(pair.change.existing_id), status, pre_image=image).model_copy(
                    update={"payload_digest": digest(image.values)}
                )
            )
    if pending:
        ctx.commit_pre_images(pending)
        out.fresh_pre_images = len(pending)
    return known


def _body(pair: Pair) -> Record:
    assert pair.body is not None
    return dict(pair.body)


def run_upsert(ctx: HandlerContext, job: Job) -> JobResult:
    """Batch-upsert updates, merges and restores (pre-images first)."""
    out = JobResult(job)
    images = _read_pre_images(ctx, job, out)
    sendable: list[Pair] = []
    entries: dict[str, RecordEntry | None] = {}
    for pair in job.pairs:
        change = pair.change
        if change.action is Action.UPDATE:
            stored = job.existing.get(change.address)
            status = stored.status if stored is not None else RecordStatus.WRITTEN
            image = stored.pre_image if stored is not None else None
            twenty_id = change.existing_id or change.twenty_id
            files = stored.file_ids if stored is not None else ()
            entries[change.address] = _entry(
                pair, twenty_id, status, pre_image=image, file_ids=files
            )
        elif change.address not in images:
            out.refused.append(
                (pair, "merge_target_missing", "The existing record the plan merges into is gone.")
            )
            continue
        else:
            status = RecordStatus.MERGED if change.action is Action.MERGE else RecordStatus.RESTORED
            entries[change.address] = _entry(
                pair, str(change.existing_id), status, pre_image=images[change.address]
            )
        sendable.append(pair)
    if sendable:
        sub = Job(job.kind, job.twenty_object, job.plural, sendable, job.existing, job.index)
        bodies, embedded = uploads.upsert_bodies(ctx, job, sendable)
        result = ctx.client.records.upsert_batch(job.plural, bodies, batch_index=job.index)
        settled = _settle(sub, result, entries)
        uploads.attach_images(ctx, sub, embedded, settled)
        out.done.extend(settled.done)
        out.refused.extend(settled.refused)
        out.requests += settled.requests
    return out


# --- links and deletes ----------------------------------------------------------------------


def run_link(ctx: HandlerContext, job: Job) -> JobResult:
    """Batch-upsert second-pass links ``{id, <field>Id}``."""
    bodies = [_body(p) for p in job.pairs]
    result = ctx.client.records.upsert_batch(job.plural, bodies, batch_index=job.index)
    return _settle(job, result, {})


def _put_back(values: Mapping[str, Any], updated_at: str | None) -> Record:
    body = {k: v for k, v in values.items() if k not in _SYSTEM_FIELDS}
    if updated_at is not None:
        body["updatedAt"] = updated_at
    return body


def run_delete(ctx: HandlerContext, job: Job) -> JobResult:
    """Destroy records migrator created; put back the pre-image of those it merged into."""
    out = JobResult(job)
    destroy: list[Pair] = []
    restore_back: list[tuple[Pair, PreImage]] = []
    for pair in job.pairs:
        stored = job.existing.get(pair.change.address)
        if stored is None:
            out.done.append((pair, None))
        elif stored.pre_image is None:
            destroy.append(pair)
        else:
            restore_back.append((pair, stored.pre_image))
    if destroy:
        entries = [job.existing[p.change.address] for p in destroy]
        held = [
            attachment
            for e in entries
            for attachment in inline_images.embedded_attachment_ids(
                e.twenty_object, e.twenty_id, e.file_ids
            )
        ]
        if held:  # the attachments of embedded images (their files go with them)
            ctx.client.records.destroy_many(inline_images.ATTACHMENTS, held)
            out.requests += (len(held) + 199) // 200
        ids = [e.twenty_id for e in entries]
        ctx.client.records.destroy_many(job.plural, ids)
        out.requests += (len(ids) + 199) // 200
        out.done.extend((p, None) for p in destroy)
    if restore_back:
        bodies = [_put_back(image.values, image.updated_at) for _, image in restore_back]
        result = ctx.client.records.upsert_batch(job.plural, bodies)
        out.requests += result.requests
        failed = {str(f.id): f for f in result.failed if f.id is not None}
        for pair, image in restore_back:
            refusal = failed.get(job.existing[pair.change.address].twenty_id)
            if refusal is not None:
                reason = f"Twenty refused the record's pre-image: {refusal.message}"
                out.refused.append((pair, _code(refusal.kind.value), reason[:480]))
                continue
            if image.deleted_at is not None:
                twenty_id = job.existing[pair.change.address].twenty_id
                values = {"deletedAt": image.deleted_at, "updatedAt": image.updated_at}
                ctx.client.records.update_one(job.plural, twenty_id, values)
                out.requests += 1
            out.done.append((pair, None))
    return out


HANDLERS: dict[JobKind, Callable[[HandlerContext, Job], JobResult]] = {
    "create": run_create,
    "upsert": run_upsert,
    "link": run_link,
    "delete": run_delete,
}


def job_kind(pair: Pair) -> JobKind:
    """Which handler a change goes to."""
    action = pair.change.action
    if action is Action.DELETE:
        return "delete"
    if pair.is_link:
        return "link"
    if action is Action.CREATE:
        return "create"
    if action in (Action.UPDATE, Action.MERGE, Action.RESTORE):
        return "upsert"
    raise ApplyError(
        f"{pair.change.address}: the plan asks for {action.value!r}, which apply cannot do to a "
        "record",
        hint="make the plan again with `migrator plan SPEC -o FILE`",
    )
