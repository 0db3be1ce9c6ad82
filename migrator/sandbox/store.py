"""The sandbox's SQLite file: one connection, one lock, one transaction per request.

Layout: ``sandbox_meta`` (workspace id, signing secret, key id), ``metadata_objects`` and
``metadata_fields`` (each row one DTO as JSON, in creation order), ``sandbox_files`` (uploaded
files) and one table per object, ``r_<object id hex>``, holding records as
``(id, deleted_at, position, data JSON)``. Unique fields are unique expression indexes on the JSON,
so SQLite itself refuses duplicates, inside a batch or against stored rows.

Guarantees: every access holds the store lock, so eight writer threads never interleave inside a
transaction; a write either commits whole or leaves nothing (``write()`` rolls back on any
exception); a file database runs in WAL mode and is created readable by its owner only.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from migrator.errors import SandboxError
from migrator.private_files import create_private
from migrator.sandbox.like import pg_like

_BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS metadata_objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS metadata_fields (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, object_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sandbox_files (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
"""


def table_name(object_id: str) -> str:
    """The record table of an object (ids are uuids, so the name is always a safe identifier)."""
    return "r_" + object_id.replace("-", "")


class Store:
    """The open database. Use :meth:`read` or :meth:`write`; never keep the connection."""

    def __init__(self, db_path: Path | None) -> None:
        self.db_path = db_path
        try:
            if db_path is not None:
                if not db_path.exists():
                    create_private(db_path)
                target = str(db_path)
            else:
                target = ":memory:"
            self._conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise SandboxError(
                f"cannot open the sandbox database {db_path}",
                detail=str(exc),
                hint="Check the path and its permissions, or pass another --db.",
            ) from exc
        self._lock = threading.RLock()
        conn = self._conn
        if db_path is not None:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA case_sensitive_like=ON")
        # like/ilike compare as PostgreSQL does (Unicode case folding, backslash escapes)
        conn.create_function("pg_like", 3, pg_like, deterministic=True)
        conn.execute("PRAGMA foreign_keys=OFF")
        try:
            conn.executescript(_BASE_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise SandboxError(
                f"{db_path} is not a sandbox database",
                detail=str(exc),
                hint="Pass the path of a new file, or of a database made by `migrator sandbox`.",
            ) from exc

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection, for reads, under the store lock."""
        with self._lock:
            yield self._conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction under the store lock: committed on success, rolled back on error."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        """A value of ``sandbox_meta``."""
        with self.read() as conn:
            row = conn.execute("SELECT value FROM sandbox_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        """Set a value of ``sandbox_meta`` inside a write transaction."""
        conn.execute(
            "INSERT INTO sandbox_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def close(self) -> None:
        """Close the connection (checkpointing the WAL of a file database)."""
        with self._lock:
            self._conn.close()
