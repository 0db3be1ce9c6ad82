"""The read side of a SQL state: :class:`SqlStateReader` implements ``StateReader``.

Large collections (records, quarantine, holds) are read by keyset pages (``address > last ORDER
BY address LIMIT n``): memory stays constant at a million records, every page is one short
statement, no server-side cursor is needed on any backend, and a writer may commit between pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TypeVar

from migrator.state import rows, sql
from migrator.state.db import Row, SqlDatabase
from migrator.state.lock import LockInfo
from migrator.state.model import (
    CursorState,
    HoldEntry,
    OwnerQueueEntry,
    QuarantineEntry,
    RecordCount,
    RecordDigest,
    RecordEntry,
    RecordStatus,
    RunEntry,
    SchemaResource,
    StateMeta,
)

T = TypeVar("T")

PAGE_SIZE = 1000
"""Rows per keyset page: large enough to amortise a statement, small enough to stay cheap."""


class SqlStateReader:
    """Reads of a state kept in the tables of :mod:`migrator.state.sql`."""

    def __init__(self, db: SqlDatabase, *, location: str) -> None:
        self._db = db
        self.location = location

    @property
    def database(self) -> SqlDatabase:
        """The tables behind this state, for whole-state copies (``state migrate``) only."""
        return self._db

    def meta(self) -> StateMeta:
        """Format version, writer, lineage, serial, migration and destination."""
        return rows.meta_from_rows(self._db.fetch_all(sql.SELECT_META))

    def snapshot(self) -> AbstractContextManager[None]:
        """A block in which every read sees one consistent state (no writes inside)."""
        return self._db.transaction(write=False)

    def record(self, address: str) -> RecordEntry | None:
        """The record at ``address``, if the state has it."""
        row = self._db.fetch_one(sql.SELECT_RECORD, (address,))
        return None if row is None else rows.record_from_row(row)

    def records(self, mapping: str | None = None) -> Iterator[RecordEntry]:
        """Every record (of one mapping), in address order, page by page."""
        return self._pages(sql.PAGE_RECORDS, sql.PAGE_RECORDS_OF_MAPPING, mapping, _record)

    def record_digests(self, mapping: str | None = None) -> Iterator[RecordDigest]:
        """The compared columns of every record (of one mapping), in address order."""
        return self._pages(sql.PAGE_DIGESTS, sql.PAGE_DIGESTS_OF_MAPPING, mapping, _digest)

    def records_by_source_key(self, source_key: str) -> tuple[RecordEntry, ...]:
        """The records written from one source record (one per mapping that wrote it)."""
        found = self._db.fetch_all(sql.SELECT_RECORDS_BY_SOURCE_KEY, (source_key,))
        return tuple(rows.record_from_row(row) for row in found)

    def record_counts(self) -> tuple[RecordCount, ...]:
        """How many records per mapping and status, sorted by mapping then status."""
        return tuple(
            RecordCount(mapping=mapping, status=RecordStatus(status), count=int(count))
            for mapping, status, count in self._db.fetch_all(sql.COUNT_RECORDS)
        )

    def schema_resource(self, address: str) -> SchemaResource | None:
        """The schema resource at ``address``, if recorded."""
        row = self._db.fetch_one(sql.SELECT_SCHEMA, (address,))
        return None if row is None else rows.schema_from_row(row)

    def schema_resources(self) -> tuple[SchemaResource, ...]:
        """Every schema resource, in address order."""
        found = self._db.fetch_all(sql.SELECT_ALL_SCHEMA)
        return tuple(rows.schema_from_row(row) for row in found)

    def cursor(self, stream: str) -> CursorState | None:
        """The delta cursor of ``stream``, if one was recorded."""
        row = self._db.fetch_one(sql.SELECT_CURSOR, (stream,))
        return None if row is None else rows.cursor_from_row(row)

    def cursors(self) -> tuple[CursorState, ...]:
        """Every cursor, by stream."""
        return tuple(
            rows.cursor_from_row(row) for row in self._db.fetch_all(sql.SELECT_ALL_CURSORS)
        )

    def run(self, run_id: str) -> RunEntry | None:
        """One run of the journal."""
        row = self._db.fetch_one(sql.SELECT_RUN, (run_id,))
        return None if row is None else self._run(row)

    def runs(self) -> tuple[RunEntry, ...]:
        """The journal, oldest first (by the serial that started each run)."""
        return tuple(self._run(row) for row in self._db.fetch_all(sql.SELECT_ALL_RUNS))

    def _run(self, row: Row) -> RunEntry:
        phases = self._db.fetch_all(sql.SELECT_PHASES, (row[0],))
        return rows.run_from_row(row, tuple(rows.phase_from_row(p) for p in phases))

    def quarantine_entry(self, address: str) -> QuarantineEntry | None:
        """The quarantine entry at ``address``, if the record is quarantined."""
        row = self._db.fetch_one(sql.SELECT_QUARANTINE, (address,))
        return None if row is None else rows.quarantine_from_row(row)

    def hold_entry(self, address: str) -> HoldEntry | None:
        """The hold at ``address``, if the record is held."""
        row = self._db.fetch_one(sql.SELECT_HOLD, (address,))
        return None if row is None else rows.hold_from_row(row)

    def quarantined(self, mapping: str | None = None) -> Iterator[QuarantineEntry]:
        """The quarantine (of one mapping), in address order, page by page."""
        return self._pages(
            sql.PAGE_QUARANTINE, sql.PAGE_QUARANTINE_OF_MAPPING, mapping, _quarantine
        )

    def held(self, mapping: str | None = None) -> Iterator[HoldEntry]:
        """The held records (of one mapping), in address order, page by page."""
        return self._pages(sql.PAGE_HOLDS, sql.PAGE_HOLDS_OF_MAPPING, mapping, _hold)

    def owner_queue(self) -> tuple[OwnerQueueEntry, ...]:
        """Unresolved owners with the number of records each holds back, by owner key."""
        return tuple(
            OwnerQueueEntry(
                owner_key=owner, owner_email_hash=email_hash, code=code, records_held=int(count)
            )
            for owner, email_hash, code, count in self._db.fetch_all(sql.SELECT_OWNER_QUEUE)
        )

    def lock_info(self) -> LockInfo | None:
        """Who holds the lock, if anyone."""
        row = self._db.fetch_one(sql.SELECT_LOCK)
        return None if row is None else rows.lock_from_row(row)

    def _pages(
        self, all_sql: str, mapping_sql: str, mapping: str | None, decode: Callable[[Row], T]
    ) -> Iterator[T]:
        last = ""
        while True:
            if mapping is None:
                page = self._db.fetch_all(all_sql, (last, PAGE_SIZE))
            else:
                page = self._db.fetch_all(mapping_sql, (mapping, last, PAGE_SIZE))
            yield from (decode(row) for row in page)
            if len(page) < PAGE_SIZE:
                return
            last = page[-1][0]


_record = rows.record_from_row
_quarantine = rows.quarantine_from_row
_hold = rows.hold_from_row


def _digest(row: Row) -> RecordDigest:
    address, key, twenty_id, payload_digest, status = row
    return RecordDigest(address, key, twenty_id, payload_digest, RecordStatus(status))
