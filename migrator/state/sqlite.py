"""The default state backend: one SQLite file, owner-readable, in WAL mode.

The file is created with mode 0600 (its directory 0700) by :func:`migrator.private_files.
create_private` *before* SQLite opens it, so it is never readable by others, not even for an
instant; SQLite gives its ``-wal`` and ``-shm`` companions the database file's mode. WAL lets
readers (``state show``, a planner) run while apply writes; ``synchronous=FULL`` makes every
committed batch durable, so a crash of the process or the machine loses at most the batch in
flight. A busy database is waited for up to ``busy_timeout`` seconds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from migrator.clock import Clock
from migrator.errors import StateError
from migrator.private_files import create_private
from migrator.state.db import SqlDatabase
from migrator.state.sqlstore import SqlStateStore, new_uuid4
from migrator.state.upgrade import prepare_schema

MIN_SQLITE_VERSION = (3, 39, 0)
"""The first SQLite with ``IS DISTINCT FROM``, which the portable upserts use."""


class SqliteDatabase(SqlDatabase):
    """:class:`SqlDatabase` over :mod:`sqlite3` (autocommit; ``BEGIN IMMEDIATE`` for writes)."""

    begin_write = "BEGIN IMMEDIATE"
    begin_read = "BEGIN DEFERRED"

    def _begin(self, *, write: bool) -> None:
        try:
            super()._begin(write=write)
        except sqlite3.OperationalError as exc:
            raise StateError(
                "the state database stayed busy past the timeout",
                detail=f"SQLite says: {exc}. Another process kept a transaction open.",
                hint="retry when the other migrator command has finished",
            ) from None

    def table_names(self) -> set[str]:
        """The tables of the database file."""
        found = self.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(name).lower() for (name,) in found}


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    connection = sqlite3.connect(
        path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return connection


def open_sqlite_state(
    path: Path,
    *,
    create: bool = False,
    clock: Clock | None = None,
    new_id: Callable[[], str] = new_uuid4,
    busy_timeout: float = 30.0,
) -> SqlStateStore:
    """Open the state at ``path`` (creating it when ``create``), upgraded to the current format.

    Raises :class:`StateError` when there is no state and ``create`` is false, or the file is not
    a migrator state, and :class:`~migrator.errors.StateVersionError` when a newer migrator wrote
    it.
    """
    if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:
        needed = ".".join(map(str, MIN_SQLITE_VERSION))
        raise StateError(
            f"SQLite {sqlite3.sqlite_version} is too old for the state (needs {needed})",
            hint="use a Python built with a newer SQLite (3.39 or later)",
        )
    location = str(path)
    if not path.exists():
        if not create:
            raise StateError(
                f"no state at {location}",
                detail="Nothing has been applied with this state yet, or the path is wrong.",
                hint="pass the state file with --state PATH (apply creates it)",
            )
        create_private(path)
    try:
        db = SqliteDatabase(_connect(path, busy_timeout))
    except sqlite3.DatabaseError as exc:
        raise StateError(
            f"{location} is not a readable state database",
            detail=f"SQLite says: {exc}.",
            hint="pass the path of a migrator state with --state",
        ) from None
    try:
        prepare_schema(db, location=location)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise StateError(
            f"{location} is not a readable state database",
            detail=f"SQLite says: {exc}.",
            hint="pass the path of a migrator state with --state",
        ) from None
    except BaseException:
        db.close()
        raise
    return SqlStateStore(db, location=location, clock=clock, new_id=new_id)
