"""The records API: batch create and upsert, lists, lookups, updates, deletes and restores.

:class:`RecordsApi` is what the planner and apply call for data. Writes go in batches of at most
200 (``batches.py`` makes them safe to re-send); the ``*_batches`` methods and every operation on
a list of ids run up to the client's concurrency in flight. Deletes always say what they mean:
:meth:`RecordsApi.delete_many` soft-deletes (``?soft_delete=true``), :meth:`RecordsApi.destroy_many`
removes rows for good; both go by ``id[in]`` filters of at most 200 ids (capture 125). Restores use
whichever REST route the server answers (2.15: ``/rest/restore/{plural}``, upstream:
``/rest/{plural}/restore``), detected on first use and remembered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from migrator.errors import TwentyError
from migrator.twenty.batches import BatchWriter
from migrator.twenty.concurrency import WorkerPool
from migrator.twenty.exchange import Call, Exchange
from migrator.twenty.models import BatchResult, Record, RestorePath
from migrator.twenty.names import checked_ids, checked_name, filter_in
from migrator.twenty.pagination import MAX_PAGE_SIZE, iter_records, list_page
from migrator.twenty.retry import Idempotency

CHUNK = MAX_PAGE_SIZE


def _chunks(ids: list[str], size: int = CHUNK) -> list[list[str]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _ids_of(body: Any) -> list[str]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or len(data) != 1:
        return []
    (rows,) = data.values()
    rows = rows if isinstance(rows, list) else [rows]
    return [str(row["id"]) for row in rows if isinstance(row, dict) and "id" in row]


def _one(body: Any, method: str, path: str) -> Record:
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict) and len(data) == 1:
        (row,) = data.values()
        if isinstance(row, dict):
            return row
    raise TwentyError(
        f"Twenty answered {method} {path} without a record.", method=method, path=path
    )


class RecordsApi:
    """Record operations on one destination (thread-safe)."""

    def __init__(
        self,
        exchange: Exchange,
        pool: WorkerPool,
        writer: BatchWriter,
        *,
        restore_path: RestorePath | None = None,
    ) -> None:
        self._exchange = exchange
        self._pool = pool
        self._writer = writer
        self._restore_path = restore_path
        self._restore_lock = threading.Lock()

    # -- writes in batches -------------------------------------------------------------------

    def create_batch(
        self, plural: str, rows: Sequence[Record], *, batch_index: int = 0
    ) -> BatchResult:
        """Create ``rows`` (each with a uuid ``id``); safe to call again with the same rows."""
        return self._writer.write(plural, rows, upsert=False, batch_index=batch_index)

    def upsert_batch(
        self, plural: str, rows: Sequence[Record], *, batch_index: int = 0
    ) -> BatchResult:
        """Upsert ``rows`` by id (partial payloads: fields not sent are kept, capture 123)."""
        return self._writer.write(plural, rows, upsert=True, batch_index=batch_index)

    def create_batches(
        self, plural: str, batches: Iterable[Sequence[Record]]
    ) -> Iterator[BatchResult]:
        """:meth:`create_batch` over ``batches`` concurrently; results in completion order."""
        return self._pool.map(
            lambda item: self.create_batch(plural, item[1], batch_index=item[0]), enumerate(batches)
        )

    def upsert_batches(
        self, plural: str, batches: Iterable[Sequence[Record]]
    ) -> Iterator[BatchResult]:
        """:meth:`upsert_batch` over ``batches`` concurrently; results in completion order."""
        return self._pool.map(
            lambda item: self.upsert_batch(plural, item[1], batch_index=item[0]), enumerate(batches)
        )

    # -- reads -------------------------------------------------------------------------------

    def iter(
        self,
        plural: str,
        *,
        filter: str | None = None,
        order_by: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        depth: int = 0,
    ) -> Iterator[Record]:
        """Every record of ``plural`` matching ``filter`` (soft-deleted ones only if the filter
        names ``deletedAt``), following cursors one page at a time."""
        return iter_records(
            self._exchange,
            plural,
            filter=filter,
            order_by=order_by,
            page_size=page_size,
            depth=depth,
        )

    def find_by_ids(
        self, plural: str, ids: Iterable[str], *, deleted: bool = False
    ) -> dict[str, Record]:
        """The records among ``ids`` that exist (``deleted``: only the soft-deleted ones)."""
        extra = ",deletedAt[is]:NOT_NULL" if deleted else ""

        def fetch(chunk: list[str]) -> list[Record]:
            where = filter_in("id", chunk) + extra
            return list(iter_records(self._exchange, plural, filter=where, page_size=CHUNK))

        found: dict[str, Record] = {}
        for records in self._pool.map(fetch, _chunks(checked_ids(ids))):
            found.update((str(record["id"]), record) for record in records)
        return found

    def count(self, plural: str, *, filter: str | None = None) -> int:
        """How many records match (one request; ``totalCount`` of a one-row page)."""
        page = list_page(self._exchange, plural, filter=filter, limit=1)
        return page.total_count if page.total_count is not None else len(page.records)

    # -- single and filtered writes ----------------------------------------------------------

    def update_one(self, plural: str, record_id: str, values: Mapping[str, Any]) -> Record:
        """PATCH one record with absolute values (idempotent); returns the updated record."""
        (record_id,) = checked_ids([record_id])
        path = f"/rest/{checked_name(plural)}/{record_id}"
        call = Call("PATCH", path, Idempotency.SAFE, json_body=dict(values), record_count=1)
        return _one(self._exchange.send(call), "PATCH", path)

    def update_many(self, plural: str, ids: Iterable[str], values: Mapping[str, Any]) -> list[str]:
        """PATCH every record among ``ids`` with the same absolute values (e.g. ``deletedAt``)."""
        path = f"/rest/{checked_name(plural)}"
        return self._by_ids(
            ids,
            lambda chunk: Call(
                "PATCH",
                path,
                Idempotency.SAFE,
                params={"filter": filter_in("id", chunk)},
                json_body=dict(values),
                record_count=len(chunk),
            ),
        )

    def delete_many(self, plural: str, ids: Iterable[str]) -> list[str]:
        """Soft-delete the records among ``ids`` (to the trash); returns the ids Twenty reported.

        Safe to re-send; but when a first send was stored and its answer lost, the ids it deleted
        are not in the list (the re-send finds them already deleted): read back to be sure.
        """
        path = f"/rest/{checked_name(plural)}"
        return self._by_ids(
            ids,
            lambda chunk: Call(
                "DELETE",
                path,
                Idempotency.SAFE,
                params={"filter": filter_in("id", chunk), "soft_delete": "true"},
            ),
        )

    def destroy_many(self, plural: str, ids: Iterable[str]) -> list[str]:
        """Permanently remove the records among ``ids`` (soft-deleted ones too).

        Returns the ids Twenty reported (after a lost answer, possibly fewer; see delete_many).
        """
        path = f"/rest/{checked_name(plural)}"

        def call(chunk: list[str]) -> Call:
            # A destroy must reach soft-deleted rows too: Twenty hides them unless the filter
            # names deletedAt, so the filter matches both states.
            where = f"{filter_in('id', chunk)},or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)"
            return Call("DELETE", path, Idempotency.SAFE, params={"filter": where})

        return self._by_ids(ids, call)

    def restore_many(self, plural: str, ids: Iterable[str]) -> list[str]:
        """Restore soft-deleted records among ``ids``; returns the ids restored."""
        checked_name(plural)
        return self._by_ids(ids, lambda chunk: self._restore_call(plural, chunk), restore=True)

    # -- helpers -----------------------------------------------------------------------------

    def _by_ids(
        self, ids: Iterable[str], make: Callable[[list[str]], Call], *, restore: bool = False
    ) -> list[str]:
        def run(chunk: list[str]) -> list[str]:
            if restore and self._restore_path is None:
                return self._detect_restore(make, chunk)
            return _ids_of(self._exchange.send(make(chunk)))

        chunks = _chunks(checked_ids(ids))
        if restore and self._restore_path is None and chunks:
            done = run(chunks[0])
            return done + [i for result in self._pool.map(run, chunks[1:]) for i in result]
        return [i for result in self._pool.map(run, chunks) for i in result]

    def _restore_call(self, plural: str, chunk: list[str]) -> Call:
        path = (
            f"/rest/{plural}/restore"
            if self._restore_path is RestorePath.UPSTREAM
            else f"/rest/restore/{plural}"
        )
        where = f"{filter_in('id', chunk)},deletedAt[is]:NOT_NULL"
        return Call("PATCH", path, Idempotency.SAFE, params={"filter": where})

    def _detect_restore(self, make: Callable[[list[str]], Call], chunk: list[str]) -> list[str]:
        with self._restore_lock:
            last: TwentyError | None = None
            for candidate in (RestorePath.V2_15, RestorePath.UPSTREAM):
                self._restore_path = candidate
                try:
                    return _ids_of(self._exchange.send(make(chunk)))
                except TwentyError as error:
                    if error.status not in (400, 404):
                        self._restore_path = None
                        raise
                    last = error
            self._restore_path = None
            assert last is not None
            raise last

    @property
    def restore_path(self) -> RestorePath | None:
        """The restore route in use, once known."""
        return self._restore_path
