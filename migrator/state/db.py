"""A DB-API connection as the state uses it: autocommit reads, explicit write transactions.

:class:`SqlDatabase` is the seam between the portable statements of :mod:`migrator.state.sql` and
one driver. It runs every statement through one cursor under one re-entrant lock (so a store may
be shared by threads), translates ``?`` parameters for drivers that want ``%s``, substitutes the
key column type into DDL, and opens write transactions with the backend's own ``BEGIN``. The
SQLite backend subclasses it in :mod:`migrator.state.sqlite`; a PostgreSQL backend does the same
with psycopg in autocommit mode.
"""

from __future__ import annotations

import abc
import contextlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol


class DbCursor(Protocol):
    """The part of a DB-API cursor the state uses."""

    @property
    def rowcount(self) -> int:
        """Rows changed by the last ``execute``/``executemany`` (summed by executemany)."""
        ...

    def execute(self, sql: str, parameters: Any = ..., /) -> Any:
        """Run one statement."""
        ...

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
        """Run one statement for every parameter row."""
        ...

    def fetchall(self) -> list[Any]:
        """All remaining rows."""
        ...

    def close(self) -> None:
        """Release the cursor."""
        ...


class DbConnection(Protocol):
    """The part of a DB-API connection the state uses (in autocommit mode)."""

    def cursor(self) -> Any:
        """A new cursor."""
        ...

    def close(self) -> None:
        """Close the connection."""
        ...


Row = tuple[Any, ...]


class SqlDatabase(abc.ABC):
    """One connection in autocommit mode; writes go through :meth:`transaction`.

    Subclasses set :attr:`placeholder`, :attr:`key_type`, :attr:`begin_write` and implement
    :meth:`table_names`.
    """

    placeholder = "?"
    """The driver's parameter marker; statements are written with ``?``."""
    key_type = "TEXT"
    """The column type of keys, compared byte by byte (replaces ``{key}`` in DDL)."""
    begin_write = "BEGIN"
    """The statement that opens a write transaction. It must serialise writers, because a batch
    reads the serial and writes serial + 1 (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: ``BEGIN``
    followed by ``pg_advisory_xact_lock`` in an overridden :meth:`_begin`)."""
    begin_read = "BEGIN"
    """The statement that opens a consistent read snapshot."""

    def __init__(self, connection: DbConnection) -> None:
        self._connection = connection
        self._cursor: DbCursor = connection.cursor()
        self._mutex = threading.RLock()
        self._depth = 0
        self._translated: dict[str, str] = {}

    def _sql(self, text: str) -> str:
        if self.placeholder == "?":
            return text
        cached = self._translated.get(text)
        if cached is None:
            cached = self._translated[text] = text.replace("?", self.placeholder)
        return cached

    def ddl(self, text: str) -> str:
        """A DDL statement of :mod:`migrator.state.sql` with this backend's key type."""
        return text.replace("{key}", self.key_type)

    def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a query and return every row."""
        with self._mutex:
            self._cursor.execute(self._sql(sql), tuple(params))
            return [tuple(row) for row in self._cursor.fetchall()]

    def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run a query and return its first row, if any."""
        rows = self.fetch_all(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return how many rows it changed."""
        with self._mutex:
            self._cursor.execute(self._sql(sql), tuple(params))
            return max(self._cursor.rowcount, 0)

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one statement per row; return how many rows changed in all."""
        batch = [tuple(row) for row in rows]
        if not batch:
            return 0
        with self._mutex:
            self._cursor.executemany(self._sql(sql), batch)
            return max(self._cursor.rowcount, 0)

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[None]:
        """A write transaction (or a read snapshot): committed on success, rolled back on error.

        Holds the connection's mutex throughout, so other threads of this process wait.
        Transactions do not nest.
        """
        with self._mutex:
            if self._depth:
                raise RuntimeError("state transactions do not nest")
            self._depth += 1
            try:
                self._begin(write=write)
                try:
                    yield
                except BaseException:
                    self._rollback()
                    raise
                self._cursor.execute("COMMIT")
            finally:
                self._depth -= 1

    def _begin(self, *, write: bool) -> None:
        self._cursor.execute(self.begin_write if write else self.begin_read)

    def _rollback(self) -> None:
        """Undo the open transaction (a backend whose connection can break overrides this to
        keep the original error in view)."""
        self._cursor.execute("ROLLBACK")

    @abc.abstractmethod
    def table_names(self) -> set[str]:
        """The names of the tables that exist (lower-case)."""

    # --- the lock holder's mark (a server can tell whether the holder is still alive) --------
    def claim_holder_mark(self) -> bool:
        """Mark this connection as the lock holder for as long as it lives.

        Returns False when another live connection bears the mark. A backend that cannot mark
        connections (a file) always returns True; its lock is the lock row alone.
        """
        return True

    def release_holder_mark(self) -> None:  # noqa: B027 - a no-op unless a server marks
        """Drop this connection's holder mark (no-op when it bears none)."""

    def is_connected(self) -> bool:
        """False once a server connection is lost (a file is always reachable)."""
        return True

    def holder_connected(self) -> bool | None:
        """Whether some live connection bears the holder mark; None when the backend cannot
        tell (then only the holder's host and process id say whether it is gone)."""
        return None

    def close(self) -> None:
        """Close the cursor and the connection."""
        with self._mutex:
            self._cursor.close()
            self._connection.close()
