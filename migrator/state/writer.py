"""One atomic write to a SQL state: :class:`SqlStateBatch` implements ``StateBatch``.

A batch lives inside one write transaction opened by the store. The high-volume calls (records,
quarantine, holds) are buffered per statement and sent with ``executemany``; a call that touches a
key another buffered statement of the same table also touches flushes the buffers first, so calls
take effect in the order they were made. :meth:`SqlStateBatch.commit` flushes, and if any row
changed, bumps the serial by one, mints the lineage on the first change, records the writer's
version and moves ``last_serial`` of the runs the batch wrote for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import JsonValue

from migrator.clock import Clock, isoformat_z
from migrator.errors import LineageMismatch
from migrator.state import rows, sql
from migrator.state.db import SqlDatabase
from migrator.state.model import (
    CursorState,
    Destination,
    HoldEntry,
    PhaseCounts,
    QuarantineEntry,
    RecordEntry,
    RunEntry,
    RunKind,
    RunStatus,
    SchemaResource,
    normalize_base_url,
)

#: The table each buffered statement writes, for conflict detection.
_TABLE_OF: dict[str, str] = {
    sql.UPSERT_RECORD: "records",
    sql.DELETE_RECORD: "records",
    sql.UPSERT_QUARANTINE: "quarantine",
    sql.DELETE_QUARANTINE: "quarantine",
    sql.UPSERT_HOLD: "holds",
    sql.DELETE_HOLD: "holds",
}


class SqlStateBatch:
    """The builder of one committed write (see :class:`migrator.state.store.StateBatch`)."""

    def __init__(
        self,
        db: SqlDatabase,
        *,
        run_id: str | None,
        clock: Clock,
        new_id: Callable[[], str],
        writer_version: str,
        location: str,
    ) -> None:
        self._db = db
        self._run_id = run_id
        self._clock = clock
        self._new_id = new_id
        self._writer_version = writer_version
        self._location = location
        self._meta = rows.meta_from_rows(db.fetch_all(sql.SELECT_META))
        self.serial = self._meta.serial + 1
        """The serial this write gets if it changes anything."""
        self._buffers: dict[str, list[tuple[Any, ...]]] = {}
        self._keys: dict[str, set[str]] = {}
        self._changed = 0
        self._runs: set[str] = {run_id} if run_id else set()

    # --- buffering ------------------------------------------------------------------------
    def _queue(self, statement: str, key: str, row: tuple[Any, ...]) -> None:
        table = _TABLE_OF[statement]
        for other, keys in self._keys.items():
            if other != statement and _TABLE_OF[other] == table and key in keys:
                self._flush()
                break
        self._buffers.setdefault(statement, []).append(row)
        self._keys.setdefault(statement, set()).add(key)

    def _flush(self) -> None:
        for statement, batch in self._buffers.items():
            self._changed += self._db.execute_many(statement, batch)
        self._buffers.clear()
        self._keys.clear()

    def _now(self) -> str:
        return isoformat_z(self._clock.now())

    # --- binding and runs -----------------------------------------------------------------
    def bind(self, destination: Destination, *, migration_name: str, namespace: str) -> None:
        """Bind an unbound state; a bound one must match (else ``LineageMismatch``)."""
        wanted = Destination(
            base_url=normalize_base_url(destination.base_url),
            workspace_id=destination.workspace_id,
        )
        check_same_destination(self._meta.destination, wanted, self._location)
        if self._meta.namespace not in (None, namespace):
            raise LineageMismatch(
                f"the state belongs to migration {self._meta.migration_name!r}, "
                f"not {migration_name!r}",
                detail=(
                    f"{self._location} was written with the id namespace {self._meta.namespace}; "
                    "another migration name would give every record another id."
                ),
                hint=(
                    f"set the spec's name back to {self._meta.migration_name!r}, or use another "
                    "state file for the new migration"
                ),
            )
        values = {
            rows.META_BASE_URL: wanted.base_url,
            rows.META_WORKSPACE_ID: wanted.workspace_id,
            rows.META_MIGRATION_NAME: migration_name,
            rows.META_NAMESPACE: namespace,
        }
        self._changed += self._db.execute_many(sql.UPSERT_META, sorted(values.items()))

    def mark_sample(self, size: int | None) -> None:
        """Record that the state's records come from a sample of ``size`` (None: they do not)."""
        if size is None:
            self._changed += self._db.execute(sql.DELETE_META, (rows.META_SAMPLE,))
        else:
            self._changed += self._db.execute(sql.UPSERT_META, (rows.META_SAMPLE, str(size)))

    def start_run(self, kind: RunKind, plan_digest: str, *, run_id: str | None = None) -> RunEntry:
        """Open a run in the journal (status ``running``); returns it as it will be stored."""
        run = RunEntry(
            run_id=run_id or self._new_id(),
            kind=kind,
            plan_digest=plan_digest,
            started_at=self._now(),
            first_serial=self.serial,
            last_serial=self.serial,
            migrator_version=self._writer_version,
        )
        self._changed += self._db.execute(
            sql.INSERT_RUN,
            (
                run.run_id,
                run.kind.value,
                run.plan_digest,
                run.started_at,
                None,
                run.status.value,
                run.first_serial,
                run.last_serial,
                run.migrator_version,
            ),
        )
        self._runs.add(run.run_id)
        return run

    def finish_run(self, run_id: str, status: RunStatus) -> None:
        """Close a run with its final status and the current time."""
        changed = self._db.execute(sql.FINISH_RUN, (status.value, self._now(), run_id))
        if not changed:
            raise KeyError(f"no run {run_id!r} in the journal")
        self._changed += changed
        self._runs.add(run_id)

    def record_phase(self, run_id: str, counts: PhaseCounts) -> None:
        """Store (or replace) the reconciliation of one phase of a run."""
        self._changed += self._db.execute(sql.UPSERT_PHASE, rows.phase_row(run_id, counts))
        self._runs.add(run_id)

    # --- records, quarantine, holds -------------------------------------------------------
    def record_written(self, entry: RecordEntry) -> None:
        """Insert or replace a record; it leaves the quarantine and the holds."""
        self._queue(sql.UPSERT_RECORD, entry.address, rows.record_row(entry, self._run_id))
        self.release(entry.address)

    def forget_record(self, address: str) -> None:
        """Drop a record from the map."""
        self._queue(sql.DELETE_RECORD, address, (address,))

    def quarantine(self, entry: QuarantineEntry) -> None:
        """Insert or replace a quarantine entry; the record leaves the holds."""
        self._queue(sql.UPSERT_QUARANTINE, entry.address, rows.quarantine_row(entry, self._run_id))
        self._queue(sql.DELETE_HOLD, entry.address, (entry.address,))

    def hold(self, entry: HoldEntry) -> None:
        """Insert or replace a held record; it leaves the quarantine."""
        self._queue(sql.UPSERT_HOLD, entry.address, rows.hold_row(entry, self._run_id))
        self._queue(sql.DELETE_QUARANTINE, entry.address, (entry.address,))

    def release(self, address: str) -> None:
        """Drop ``address`` from the quarantine and the holds."""
        self._queue(sql.DELETE_QUARANTINE, address, (address,))
        self._queue(sql.DELETE_HOLD, address, (address,))

    # --- schema and cursors ---------------------------------------------------------------
    def record_schema_resource(self, resource: SchemaResource) -> None:
        """Insert or replace a schema resource."""
        row = rows.schema_row(resource, self._run_id)
        self._changed += self._db.execute(sql.UPSERT_SCHEMA, row)

    def forget_schema_resource(self, address: str) -> None:
        """Drop a schema resource."""
        self._changed += self._db.execute(sql.DELETE_SCHEMA, (address,))

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
        cursor = CursorState(
            stream=stream,
            cursor_field=cursor_field,
            initial_value=initial_value,
            last_value=last_value,
            boundary_keys=boundary_keys,
            updated_serial=self.serial,
        )
        self._changed += self._db.execute(sql.UPSERT_CURSOR, rows.cursor_row(cursor, self.serial))

    def forget_cursor(self, stream: str) -> None:
        """Drop a cursor."""
        self._changed += self._db.execute(sql.DELETE_CURSOR, (stream,))

    # --- commit ---------------------------------------------------------------------------
    def commit(self) -> bool:
        """Send what is buffered; if anything changed, move serial, lineage and runs.

        Returns True when the write changed the state (and so took :attr:`serial`).
        """
        self._flush()
        if not self._changed:
            return False
        values = {
            rows.META_SERIAL: str(self.serial),
            rows.META_MIGRATOR_VERSION: self._writer_version,
        }
        if self._meta.lineage is None:
            values[rows.META_LINEAGE] = self._new_id()
        self._db.execute_many(sql.UPSERT_META, sorted(values.items()))
        self._db.execute_many(sql.TOUCH_RUN, [(self.serial, run) for run in sorted(self._runs)])
        return True


def check_same_destination(bound: Destination | None, wanted: Destination, location: str) -> None:
    """Raise ``LineageMismatch`` naming both destinations when a bound state meets another."""
    if bound is None or bound == wanted:
        return
    raise LineageMismatch(
        f"the state belongs to another destination: {bound.base_url} "
        f"(workspace {bound.workspace_id}), not {wanted.base_url} "
        f"(workspace {wanted.workspace_id})",
        detail=(
            f"{location} records what migrator did to {bound.base_url}; using it for another "
            "workspace would mix two migrations' records and ids."
        ),
        hint=(
            f"point the spec's destination back at {bound.base_url}, or keep a separate state "
            "for the new destination (`--state PATH`, or `state.path` in the spec)"
        ),
    )
