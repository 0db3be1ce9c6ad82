"""Rows of the state tables to and from the frozen records of :mod:`migrator.state.model`.

JSON columns hold canonical JSON (:func:`migrator.model.canonical_json`), so equal values are
equal text and the upserts' ``IS DISTINCT FROM`` sees a change only when there is one. Decoding
validates every row, except record rows: those are the million-row hot path of planning, and
they were validated as :class:`RecordEntry` models when written, so they are rebuilt without a
second validation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import JsonValue

from migrator.model import canonical_json
from migrator.state.lock import LockInfo
from migrator.state.model import (
    CursorState,
    Destination,
    HoldEntry,
    PhaseCounts,
    PreImage,
    QuarantineEntry,
    RecordEntry,
    RecordStatus,
    RunEntry,
    RunKind,
    RunStatus,
    SchemaKind,
    SchemaResource,
    StateMeta,
)

Row = Sequence[Any]

_EMPTY_LIST = "[]"


def encode_json(value: JsonValue) -> str:
    """Canonical compact JSON text of a JSON value."""
    return canonical_json(value)


def _decode_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def record_row(entry: RecordEntry, run_id: str | None) -> tuple[Any, ...]:
    """The ``records`` row of ``entry``; ``run_id`` fills an entry that names none."""
    pre = entry.pre_image
    return (
        entry.address,
        entry.mapping,
        entry.source_key,
        entry.twenty_object,
        entry.twenty_id,
        entry.payload_digest,
        entry.status.value,
        None if pre is None else encode_json(pre.values),
        None if pre is None else pre.updated_at,
        None if pre is None else pre.deleted_at,
        entry.run_id if entry.run_id is not None else run_id,
        encode_json(list(entry.file_ids)) if entry.file_ids else _EMPTY_LIST,
    )


def record_from_row(row: Row) -> RecordEntry:
    """The :class:`RecordEntry` of a ``records`` row."""
    address, mapping, key, obj, twenty_id, payload, status, pre, updated, deleted, run, files = row
    pre_image = (
        None
        if pre is None
        else PreImage.model_construct(
            values=json.loads(pre), updated_at=updated, deleted_at=deleted
        )
    )
    return RecordEntry.model_construct(
        address=address,
        mapping=mapping,
        source_key=key,
        twenty_object=obj,
        twenty_id=twenty_id,
        payload_digest=payload,
        status=RecordStatus(status),
        pre_image=pre_image,
        run_id=run,
        file_ids=() if files == _EMPTY_LIST else tuple(json.loads(files)),
    )


def schema_row(resource: SchemaResource, run_id: str | None) -> tuple[Any, ...]:
    """The ``schema_resources`` row of ``resource``."""
    options = resource.options_before
    return (
        resource.address,
        resource.kind.value,
        resource.twenty_id,
        int(resource.created_by_us),
        None if options is None else encode_json(list(options)),
        resource.run_id if resource.run_id is not None else run_id,
    )


def schema_from_row(row: Row) -> SchemaResource:
    """The :class:`SchemaResource` of a ``schema_resources`` row."""
    address, kind, twenty_id, created, options, run = row
    return SchemaResource(
        address=address,
        kind=SchemaKind(kind),
        twenty_id=twenty_id,
        created_by_us=bool(created),
        options_before=None if options is None else tuple(json.loads(options)),
        run_id=run,
    )


def cursor_row(cursor: CursorState, serial: int) -> tuple[Any, ...]:
    """The ``cursors`` row of ``cursor`` as moved by the write that gets ``serial``."""
    return (
        cursor.stream,
        cursor.cursor_field,
        encode_json(cursor.initial_value),
        encode_json(cursor.last_value),
        encode_json(list(cursor.boundary_keys)),
        serial,
    )


def cursor_from_row(row: Row) -> CursorState:
    """The :class:`CursorState` of a ``cursors`` row."""
    stream, field, initial, last, keys, serial = row
    return CursorState(
        stream=stream,
        cursor_field=field,
        initial_value=_decode_json(initial),
        last_value=_decode_json(last),
        boundary_keys=tuple(json.loads(keys)),
        updated_serial=int(serial),
    )


def run_from_row(row: Row, phases: tuple[PhaseCounts, ...]) -> RunEntry:
    """The :class:`RunEntry` of a ``runs`` row and its phase rows."""
    run_id, kind, digest, started, finished, status, first, last, version = row
    return RunEntry(
        run_id=run_id,
        kind=RunKind(kind),
        plan_digest=digest,
        started_at=started,
        finished_at=finished,
        status=RunStatus(status),
        phases=phases,
        first_serial=int(first),
        last_serial=int(last),
        migrator_version=version,
    )


def phase_row(run_id: str, counts: PhaseCounts) -> tuple[Any, ...]:
    """The parameters of :data:`migrator.state.sql.UPSERT_PHASE`."""
    return (
        run_id,
        run_id,
        counts.phase,
        counts.source,
        counts.written,
        counts.merged,
        counts.deduplicated,
        counts.quarantined,
        counts.held,
        counts.skipped,
    )


def phase_from_row(row: Row) -> PhaseCounts:
    """The :class:`PhaseCounts` of a ``run_phases`` row."""
    phase, source, written, merged, dedup, quarantined, held, skipped = row
    return PhaseCounts(
        phase=phase,
        source=int(source),
        written=int(written),
        merged=int(merged),
        deduplicated=int(dedup),
        quarantined=int(quarantined),
        held=int(held),
        skipped=int(skipped),
    )


def quarantine_row(entry: QuarantineEntry, run_id: str | None) -> tuple[Any, ...]:
    """The ``quarantine`` row of ``entry``."""
    run = entry.run_id if entry.run_id is not None else run_id
    return (entry.address, entry.mapping, entry.source_key, entry.code, entry.reason, run)


def quarantine_from_row(row: Row) -> QuarantineEntry:
    """The :class:`QuarantineEntry` of a ``quarantine`` row."""
    address, mapping, key, code, reason, run = row
    return QuarantineEntry(
        address=address, mapping=mapping, source_key=key, code=code, reason=reason, run_id=run
    )


def hold_row(entry: HoldEntry, run_id: str | None) -> tuple[Any, ...]:
    """The ``holds`` row of ``entry``."""
    return (
        entry.address,
        entry.mapping,
        entry.source_key,
        entry.code,
        entry.reason,
        entry.blocked_by,
        entry.owner_email_hash,
        entry.run_id if entry.run_id is not None else run_id,
    )


def hold_from_row(row: Row) -> HoldEntry:
    """The :class:`HoldEntry` of a ``holds`` row."""
    address, mapping, key, code, reason, blocked_by, email_hash, run = row
    return HoldEntry(
        address=address,
        mapping=mapping,
        source_key=key,
        code=code,
        reason=reason,
        blocked_by=blocked_by,
        owner_email_hash=email_hash,
        run_id=run,
    )


def lock_row(info: LockInfo) -> tuple[Any, ...]:
    """The ``lock`` row of ``info``."""
    return (info.lock_id, info.who, info.pid, info.host, info.operation, info.since)


def lock_from_row(row: Row) -> LockInfo:
    """The :class:`LockInfo` of a ``lock`` row."""
    lock_id, who, pid, host, operation, since = row
    return LockInfo(
        lock_id=lock_id, who=who, pid=int(pid), host=host, operation=operation, since=since
    )


# The names of the ``meta`` rows.
META_FORMAT_VERSION = "format_version"
META_MIGRATOR_VERSION = "migrator_version"
META_LINEAGE = "lineage"
META_SERIAL = "serial"
META_MIGRATION_NAME = "migration_name"
META_NAMESPACE = "namespace"
META_BASE_URL = "destination_base_url"
META_WORKSPACE_ID = "destination_workspace_id"
META_SAMPLE = "sample_size"


def meta_from_rows(rows: Sequence[Row]) -> StateMeta:
    """The :class:`StateMeta` of the ``meta`` table's rows."""
    values: dict[str, str] = {str(name): str(value) for name, value in rows}
    base_url, workspace = values.get(META_BASE_URL), values.get(META_WORKSPACE_ID)
    destination = (
        None
        if base_url is None or workspace is None
        else Destination(base_url=base_url, workspace_id=workspace)
    )
    return StateMeta(
        format_version=int(values[META_FORMAT_VERSION]),
        migrator_version=values.get(META_MIGRATOR_VERSION, ""),
        lineage=values.get(META_LINEAGE),
        serial=int(values.get(META_SERIAL, "0")),
        migration_name=values.get(META_MIGRATION_NAME),
        namespace=values.get(META_NAMESPACE),
        destination=destination,
        sample=int(values[META_SAMPLE]) if META_SAMPLE in values else None,
    )
