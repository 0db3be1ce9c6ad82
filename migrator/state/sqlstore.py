"""A ``StateStore`` over the portable tables: batches, runs, binding and the lock.

:class:`SqlStateStore` is backend-neutral: it needs a :class:`~migrator.state.db.SqlDatabase`
whose tables :func:`migrator.state.upgrade.prepare_schema` has brought to the current format. The
SQLite backend (:mod:`migrator.state.sqlite`) builds one from a file; a PostgreSQL backend builds
one from a DSN.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from migrator import __version__
from migrator.clock import Clock, SystemClock
from migrator.state import rows, sql
from migrator.state.db import SqlDatabase
from migrator.state.lock import (
    LockInfo,
    describe_current_process,
    locked_error,
    unrecorded_holder_error,
)
from migrator.state.model import Destination, RunEntry, RunKind, RunStatus, normalize_base_url
from migrator.state.reader import SqlStateReader
from migrator.state.writer import SqlStateBatch, check_same_destination

LOCK_POLL_SECONDS = 0.25
"""How often a waiting acquirer (``--lock-timeout``) looks at the lock again."""


def new_uuid4() -> str:
    """A fresh random id (lineage, run ids, lock ids)."""
    return str(uuid.uuid4())


class SqlStateStore(SqlStateReader):
    """A state kept in SQL tables (see :class:`migrator.state.store.StateStore`)."""

    def __init__(
        self,
        db: SqlDatabase,
        *,
        location: str,
        clock: Clock | None = None,
        new_id: Callable[[], str] = new_uuid4,
        writer_version: str = __version__,
    ) -> None:
        super().__init__(db, location=location)
        self._clock = clock or SystemClock()
        self._new_id = new_id
        self._writer_version = writer_version
        self._lock_id: str | None = None
        self._closed = False

    # --- writes ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def batch(self, *, run_id: str | None = None) -> Iterator[SqlStateBatch]:
        """An atomic write; refused while another store holds the lock."""
        with self._db.transaction():
            holder = self.lock_info()
            if holder is not None and holder.lock_id != self._lock_id:
                raise locked_error(holder, location=self.location)
            tx = SqlStateBatch(
                self._db,
                run_id=run_id,
                clock=self._clock,
                new_id=self._new_id,
                writer_version=self._writer_version,
                location=self.location,
            )
            yield tx
            tx.commit()

    def start_run(self, kind: RunKind, plan_digest: str, *, run_id: str | None = None) -> RunEntry:
        """Open a run in its own write and return it as stored."""
        with self.batch() as tx:
            started = tx.start_run(kind, plan_digest, run_id=run_id)
        return self._stored_run(started.run_id)

    def finish_run(self, run_id: str, status: RunStatus) -> RunEntry:
        """Close a run in its own write and return it as stored."""
        with self.batch(run_id=run_id) as tx:
            tx.finish_run(run_id, status)
        return self._stored_run(run_id)

    def _stored_run(self, run_id: str) -> RunEntry:
        run = self.run(run_id)
        if run is None:  # pragma: no cover - written in the same call
            raise KeyError(run_id)
        return run

    def check_binding(self, base_url: str, workspace_id: str) -> None:
        """Raise ``LineageMismatch`` when the state is bound to another destination."""
        wanted = Destination(base_url=normalize_base_url(base_url), workspace_id=workspace_id)
        check_same_destination(self.meta().destination, wanted, self.location)

    # --- lock -----------------------------------------------------------------------------
    def acquire_lock(self, operation: str, *, timeout: float = 0.0) -> LockInfo:
        """Take the lock, waiting up to ``timeout`` seconds; else ``StateLocked``."""
        deadline = self._clock.monotonic() + max(timeout, 0.0)
        while True:
            with self._db.transaction():
                holder = self.lock_info()
                if holder is not None and holder.lock_id == self._lock_id:
                    return holder
                if holder is None and self._db.claim_holder_mark():
                    return self._insert_lock(operation)
            remaining = deadline - self._clock.monotonic()
            if remaining <= 0:
                if holder is None:  # no row, but a live connection bears the holder's mark
                    raise unrecorded_holder_error(location=self.location)
                raise locked_error(holder, location=self.location)
            self._clock.sleep(min(LOCK_POLL_SECONDS, remaining))

    def _insert_lock(self, operation: str) -> LockInfo:
        mine = describe_current_process(self._new_id(), operation, self._clock)
        try:
            self._db.execute(sql.INSERT_LOCK, rows.lock_row(mine))
        except BaseException:
            self._db.release_holder_mark()
            raise
        self._lock_id = mine.lock_id
        return mine

    def release_lock(self) -> None:
        """Release the lock this store holds (no-op when it holds none)."""
        if self._lock_id is None:
            return
        with self._db.transaction():
            self._db.execute(sql.DELETE_LOCK, (self._lock_id,))
        self._db.release_holder_mark()
        self._lock_id = None

    def lock_holder_connected(self) -> bool | None:
        """Whether the lock's holder is still connected to the state (None: cannot tell).

        A server backend knows: the holder's mark lives exactly as long as its connection, so a
        process killed with SIGKILL is seen as gone at once, from any host.
        """
        return self._db.holder_connected()

    def break_lock(self, expected: LockInfo) -> None:
        """Remove a lock held by someone else, if it is still ``expected``."""
        with self._db.transaction():
            self._db.execute(sql.DELETE_LOCK, (expected.lock_id,))

    # --- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        """Release the lock this store holds and close the connection (idempotent).

        With the connection lost there is nothing to release: the server ended the session and
        its mark; the lock row stays, as after a crash, for ``state unlock``.
        """
        if self._closed:
            return
        try:
            if self._db.is_connected():
                self.release_lock()
        finally:
            self._closed = True
            self._db.close()

    def __enter__(self) -> SqlStateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


if TYPE_CHECKING:  # a static proof that the SQL store implements the protocol
    from migrator.state.store import StateStore

    _implements: type[StateStore] = SqlStateStore
