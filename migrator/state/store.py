"""The ``StateStore`` protocol: what plan, apply, delta, destroy and verify may ask of a state.

Split as Terraform's ``statemgr`` is: a :class:`StateReader` (everything ``plan`` and ``verify``
need; they never write), a :class:`StateBatch` (the builder apply fills for one committed write)
and the :class:`StateStore` (reader + lock + batches + run lifecycle). The SQLite backend
(:mod:`migrator.state.sqlite`) is the default; a PostgreSQL backend implements the same protocol
on the same tables.

Guarantees every backend gives:

* a batch commits atomically or not at all, and bumps the serial by exactly one when (and only
  when) its content changed; the first such commit mints the lineage;
* a batch refuses to start while another store holds the lock (:class:`~migrator.errors.
  StateLocked`);
* readers return values in address order (runs in journal order) and iterate records, quarantine
  and holds in constant memory, page by page;
* nothing local-only (the lock) is part of the content.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Protocol

from pydantic import JsonValue

from migrator.state.lock import LockInfo
from migrator.state.model import (
    CursorState,
    Destination,
    HoldEntry,
    OwnerQueueEntry,
    PhaseCounts,
    QuarantineEntry,
    RecordCount,
    RecordDigest,
    RecordEntry,
    RunEntry,
    RunKind,
    RunStatus,
    SchemaResource,
    StateMeta,
)


class StateReader(Protocol):
    """Read access to a state (all that planning and verifying need)."""

    location: str
    """Where the state is, for messages (a path or a redacted DSN; never a password)."""

    def meta(self) -> StateMeta:
        """Format version, writer, lineage, serial, migration and destination."""
        ...

    def snapshot(self) -> AbstractContextManager[None]:
        """A block in which every read sees one consistent state (no writes inside)."""
        ...

    def record(self, address: str) -> RecordEntry | None:
        """The record at ``address``, if the state has it."""
        ...

    def records(self, mapping: str | None = None) -> Iterator[RecordEntry]:
        """Every record (of one mapping), in address order, in constant memory."""
        ...

    def record_digests(self, mapping: str | None = None) -> Iterator[RecordDigest]:
        """Address, source key, Twenty id, payload digest and status of every record (of one
        mapping), in address order: the cheap way for a planner to compare a million records."""
        ...

    def records_by_source_key(self, source_key: str) -> tuple[RecordEntry, ...]:
        """The records written from one source record (one per mapping that wrote it)."""
        ...

    def record_counts(self) -> tuple[RecordCount, ...]:
        """How many records per mapping and status, sorted by mapping then status."""
        ...

    def schema_resource(self, address: str) -> SchemaResource | None:
        """The schema resource at ``address``, if recorded."""
        ...

    def schema_resources(self) -> tuple[SchemaResource, ...]:
        """Every schema resource, in address order."""
        ...

    def cursor(self, stream: str) -> CursorState | None:
        """The delta cursor of ``stream``, if one was recorded."""
        ...

    def cursors(self) -> tuple[CursorState, ...]:
        """Every cursor, by stream."""
        ...

    def run(self, run_id: str) -> RunEntry | None:
        """One run of the journal."""
        ...

    def runs(self) -> tuple[RunEntry, ...]:
        """The journal, oldest first (by the serial that started each run)."""
        ...

    def quarantine_entry(self, address: str) -> QuarantineEntry | None:
        """The quarantine entry at ``address``, if the record is quarantined."""
        ...

    def hold_entry(self, address: str) -> HoldEntry | None:
        """The hold at ``address``, if the record is held."""
        ...

    def quarantined(self, mapping: str | None = None) -> Iterator[QuarantineEntry]:
        """The quarantine (of one mapping), in address order, in constant memory."""
        ...

    def held(self, mapping: str | None = None) -> Iterator[HoldEntry]:
        """The held records (of one mapping), in address order, in constant memory."""
        ...

    def owner_queue(self) -> tuple[OwnerQueueEntry, ...]:
        """Unresolved owners with the number of records each holds back, by owner key."""
        ...

    def lock_info(self) -> LockInfo | None:
        """Who holds the lock, if anyone."""
        ...


class StateBatch(Protocol):
    """One atomic write: apply queues what a batch did, the store commits it on exit.

    Used as ``with store.batch(run_id=run) as tx: tx.record_written(...)``. Leaving the block
    with an exception writes nothing. Calls are applied in order.
    """

    def bind(self, destination: Destination, *, migration_name: str, namespace: str) -> None:
        """Bind an unbound state; a bound one must match (else ``LineageMismatch``)."""
        ...

    def mark_sample(self, size: int | None) -> None:
        """Record that the state's records come from a sample of ``size`` records asked for
        (``StateMeta.sample``); None records that they do not."""
        ...

    def start_run(self, kind: RunKind, plan_digest: str, *, run_id: str | None = None) -> RunEntry:
        """Open a run in the journal (status ``running``); returns it as it will be stored."""
        ...

    def finish_run(self, run_id: str, status: RunStatus) -> None:
        """Close a run with its final status and the current time."""
        ...

    def record_phase(self, run_id: str, counts: PhaseCounts) -> None:
        """Store (or replace) the reconciliation of one phase of a run."""
        ...

    def record_written(self, entry: RecordEntry) -> None:
        """Insert or replace a record; it leaves the quarantine and the holds."""
        ...

    def forget_record(self, address: str) -> None:
        """Drop a record from the map (after destroy deleted it, or by ``state rm``)."""
        ...

    def quarantine(self, entry: QuarantineEntry) -> None:
        """Insert or replace a quarantine entry; the record leaves the holds."""
        ...

    def hold(self, entry: HoldEntry) -> None:
        """Insert or replace a held record; it leaves the quarantine."""
        ...

    def release(self, address: str) -> None:
        """Drop ``address`` from the quarantine and the holds."""
        ...

    def record_schema_resource(self, resource: SchemaResource) -> None:
        """Insert or replace a schema resource."""
        ...

    def forget_schema_resource(self, address: str) -> None:
        """Drop a schema resource (after destroy removed it, or by ``state rm``)."""
        ...

    def advance_cursor(
        self,
        stream: str,
        *,
        cursor_field: str,
        last_value: JsonValue,
        boundary_keys: tuple[str, ...] = (),
        initial_value: JsonValue = None,
    ) -> None:
        """Move a cursor, in the same write as the records it covers.

        ``initial_value`` is recorded when the cursor is created and kept afterwards.
        """
        ...

    def forget_cursor(self, stream: str) -> None:
        """Drop a cursor (destroy leaves none)."""
        ...


class StateStore(StateReader, Protocol):
    """A state: reads, the lock, atomic batches and the run lifecycle."""

    def batch(self, *, run_id: str | None = None) -> AbstractContextManager[StateBatch]:
        """An atomic write; entries without a run id get ``run_id``, whose journal entry's
        ``last_serial`` follows the write."""
        ...

    def start_run(self, kind: RunKind, plan_digest: str, *, run_id: str | None = None) -> RunEntry:
        """Open a run in its own write and return it as stored."""
        ...

    def finish_run(self, run_id: str, status: RunStatus) -> RunEntry:
        """Close a run in its own write and return it as stored."""
        ...

    def check_binding(self, base_url: str, workspace_id: str) -> None:
        """Raise ``LineageMismatch`` when the state is bound to another destination."""
        ...

    def acquire_lock(self, operation: str, *, timeout: float = 0.0) -> LockInfo:
        """Take the lock, waiting up to ``timeout`` seconds; else ``StateLocked``."""
        ...

    def release_lock(self) -> None:
        """Release the lock this store holds (no-op when it holds none)."""
        ...

    def break_lock(self, expected: LockInfo) -> None:
        """Remove a lock held by someone else, if it is still ``expected`` (``state unlock``)."""
        ...

    def close(self) -> None:
        """Release the lock this store holds and close the connection."""
        ...

    def __enter__(self) -> StateStore: ...

    def __exit__(self, *exc_info: object) -> None: ...
