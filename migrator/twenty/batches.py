"""Writing one batch of records so that re-sending it is safe and one bad row costs little.

Twenty's batch create is all-or-nothing and its duplicate error names no row (captures 39-41,
113). Records carry deterministic client ids (DESIGN.md, Identity), so a batch re-sent after a
lost response is refused as a duplicate of itself. :class:`BatchWriter` recovers:

1. On a duplicate, it looks the batch's ids up in one request (``id[in]``): those rows were
   already written (an earlier send whose answer was lost: reported, not an error).
2. It re-sends the rest once. If that is refused (or the first refusal was not a duplicate), it
   isolates the offending rows by bisection: it sends one half; if that half fails it keeps
   bisecting it and *defers* the other half; if it succeeds the failure is in the other half,
   which is then split without being sent whole. Deferred rows go out together in one request at
   the end (bisected in turn if they fail). One bad row among 200 costs at most 8 bisection
   sends plus the deferred send, well within 2·log2(200).
3. Rows isolated as duplicates are classified with one more lookup: an id that belongs to a
   soft-deleted record (restore it, do not create it) versus a collision on another unique field.
4. A 400 "Maximum number of records to … is N." lowers the shared batch limit and re-splits.

Every send is counted (retries included) in :attr:`BatchResult.requests`. Upserts take the same
path without the lookups: every row carries its full id, so a re-send rewrites the same values.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from migrator.errors import TwentyConflict, TwentyError, TwentyValidationError
from migrator.twenty.errors import is_duplicate, max_records_of
from migrator.twenty.exchange import Call, Exchange
from migrator.twenty.models import BatchResult, FailureKind, Record, RowFailure
from migrator.twenty.names import UUID_PATTERN, checked_name, filter_in
from migrator.twenty.pagination import MAX_PAGE_SIZE, list_page
from migrator.twenty.retry import Attempts, Idempotency


class BatchLimit:
    """The largest batch the destination takes: 200, lowered when Twenty refuses a batch size."""

    def __init__(self, size: int = MAX_PAGE_SIZE) -> None:
        self._size = max(1, size)
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """The current limit."""
        with self._lock:
            return self._size

    def lower(self, named: int | None, refused: int) -> int:
        """Lower the limit after a batch of ``refused`` rows was refused; return the new limit."""
        with self._lock:
            wanted = named if named is not None and named < refused else refused // 2
            self._size = max(1, min(self._size, wanted))
            return self._size


@dataclass(frozen=True)
class _Row:
    index: int
    record: Record

    @property
    def id(self) -> str:
        return str(self.record["id"])


def checked_rows(rows: Sequence[Record]) -> list[_Row]:
    """The rows, each required to carry a distinct uuid ``id`` (a caller bug otherwise)."""
    seen: set[str] = set()
    checked = []
    for index, record in enumerate(rows):
        client_id = record.get("id")
        if not isinstance(client_id, str) or not UUID_PATTERN.match(client_id):
            raise ValueError(f"row {index} has no uuid 'id': batches are written with client ids")
        if client_id in seen:
            raise ValueError(f"row {index} repeats the id of an earlier row of the batch")
        seen.add(client_id)
        checked.append(_Row(index, record))
    return checked


def _is_row_error(error: TwentyError) -> bool:
    """A refusal caused by the rows' content (bisecting can isolate it)."""
    return isinstance(error, TwentyConflict | TwentyValidationError)


def failure_kind(error: TwentyError) -> FailureKind:
    """The quarantine reason of a row refused with ``error``."""
    if is_duplicate(error):
        return FailureKind.DUPLICATE
    if isinstance(error, TwentyConflict):
        return FailureKind.CONFLICT
    if error.status == 500:
        return FailureKind.MISSING_RELATION
    return FailureKind.INVALID_VALUE


class BatchWriter:
    """Creates or upserts batches through an :class:`Exchange`, recovering as described above."""

    def __init__(self, exchange: Exchange, limit: BatchLimit) -> None:
        self.exchange = exchange
        self.limit = limit

    def write(
        self, plural: str, rows: Sequence[Record], *, upsert: bool, batch_index: int = 0
    ) -> BatchResult:
        """Write ``rows`` (each with its client id); each row ends written, present or failed."""
        run = _Run(self, checked_name(plural), upsert)
        checked = checked_rows(rows)
        if checked:
            run.write_fresh(checked)
            run.drain_deferred()
            if not upsert:
                run.classify_duplicates()
        self.exchange.count_recovery(max(run.calls - run.chunks, 0))
        return BatchResult(
            records=tuple(run.records),
            already_present=tuple(run.present),
            failed=tuple(sorted(run.failed, key=lambda f: f.index)),
            requests=run.sends,
            batch_index=batch_index,
        )


class _Run:
    """The mutable state of one batch's write (a builder ending in :class:`BatchResult`)."""

    def __init__(self, writer: BatchWriter, plural: str, upsert: bool) -> None:
        self.exchange = writer.exchange
        self.limit = writer.limit
        self.plural = plural
        self.upsert = upsert
        self.records: list[Record] = []
        self.present: list[str] = []
        self.failed: list[RowFailure] = []
        self.deferred: list[_Row] = []
        self.looked_up: set[str] = set()
        self.sends = 0
        self.calls = 0
        self.chunks = 0

    def post(self, rows: list[_Row]) -> None:
        attempts = Attempts()
        call = Call(
            "POST",
            f"/rest/batch/{self.plural}",
            Idempotency.SAFE if self.upsert else Idempotency.GUARDED,
            params={"upsert": "true"} if self.upsert else None,
            json_body=[row.record for row in rows],
            record_count=len(rows),
        )
        self.calls += 1
        try:
            body = self.exchange.send(call, attempts)
        finally:
            self.sends += attempts.sends
        self.records.extend(_created(body))

    def lookup(self, ids: list[str], *, deleted: bool) -> set[str]:
        attempts = Attempts()
        where = filter_in("id", ids) + (",deletedAt[is]:NOT_NULL" if deleted else "")
        self.calls += 1
        try:
            page = list_page(
                self.exchange, self.plural, filter=where, limit=MAX_PAGE_SIZE, attempts=attempts
            )
        finally:
            self.sends += attempts.sends
        if not deleted:
            self.looked_up.update(ids)
        return {str(record.get("id")) for record in page.records}

    def write_fresh(self, rows: list[_Row]) -> None:
        size = self.limit.size
        if len(rows) > size:
            for start in range(0, len(rows), size):
                self.write_fresh(rows[start : start + size])
            return
        self.chunks += 1
        try:
            self.post(rows)
            return
        except TwentyError as error:
            named = max_records_of(error)
            if named is not None and len(rows) > 1:
                self.chunks -= 1
                self.limit.lower(named, len(rows))
                self.write_fresh(rows)
                return
            if not _is_row_error(error):
                raise
            first_error = error
        if is_duplicate(first_error) and not self.upsert:
            remaining = self.drop_present(rows)
            if len(remaining) < len(rows):
                if remaining:
                    self.send_or_isolate(remaining)
                return
        self.isolate(rows, first_error)

    def drop_present(self, rows: list[_Row]) -> list[_Row]:
        found = self.lookup([row.id for row in rows], deleted=False)
        self.present.extend(row.id for row in rows if row.id in found)
        return [row for row in rows if row.id not in found]

    def send_or_isolate(self, rows: list[_Row]) -> None:
        try:
            self.post(rows)
        except TwentyError as error:
            if not _is_row_error(error):
                raise
            self.isolate(rows, error)

    def isolate(self, rows: list[_Row], error: TwentyError) -> None:
        """Bisect ``rows``, known to fail with ``error``, down to the offending row(s)."""
        while len(rows) > 1:
            half = len(rows) // 2
            first, second = rows[:half], rows[half:]
            try:
                self.post(first)
            except TwentyError as sub_error:
                if not _is_row_error(sub_error):
                    raise
                self.deferred.extend(second)
                rows, error = first, sub_error
                continue
            rows = second
        self.fail(rows[0], error)

    def drain_deferred(self) -> None:
        while self.deferred:
            rows = sorted(self.deferred, key=lambda row: row.index)
            self.deferred = []
            self.send_or_isolate(rows)

    def fail(self, row: _Row, error: TwentyError) -> None:
        message = error.messages[0] if error.messages else error.summary
        self.failed.append(
            RowFailure(
                id=row.id,
                index=row.index,
                kind=failure_kind(error),
                status=error.status or 0,
                message=message,
            )
        )

    def classify_duplicates(self) -> None:
        """Tell rows already present and soft-deleted ids apart from real collisions."""
        duplicates = [f for f in self.failed if f.kind is FailureKind.DUPLICATE and f.id]
        unknown = [str(f.id) for f in duplicates if f.id not in self.looked_up]
        present = self.lookup(unknown, deleted=False) if unknown else set()
        rest = [str(f.id) for f in duplicates if f.id not in present]
        deleted = self.lookup(rest, deleted=True) if rest else set()
        kept: list[RowFailure] = []
        for failure in self.failed:
            if failure.id in present:
                self.present.append(str(failure.id))
            elif failure.id in deleted and failure.kind is FailureKind.DUPLICATE:
                kept.append(failure.model_copy(update={"kind": FailureKind.SOFT_DELETED_ID}))
            else:
                kept.append(failure)
        self.failed = kept


def _created(body: Any) -> list[Record]:
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict) and len(data) == 1:
        (rows,) = data.values()
        if isinstance(rows, list):
            return [row for row in rows if isinstance(row, dict)]
    return []
