"""The team state backend: the state's tables in one PostgreSQL schema per migration (psycopg 3).

The same portable tables and statements as the SQLite file (:mod:`migrator.state.sql`) in the
schema named by the spec (``state.schema``), so every guarantee of
:class:`~migrator.state.sqlstore.SqlStateStore` holds here too. Two PostgreSQL-specific parts:

* **Writers serialise.** Every write transaction starts with ``pg_advisory_xact_lock`` on a key
  of the schema, so a batch reads the serial and writes serial + 1 with no other writer in
  between (what ``BEGIN IMMEDIATE`` gives SQLite). Waiting for it is bounded by ``lock_wait``.
* **The holder of the state lock is marked by its connection.** Besides the lock row (who, when,
  which operation), the holder takes a session advisory lock that lives exactly as long as its
  connection: when an apply is killed, the server closes its session and drops the mark, so
  ``state unlock`` can prove from any host that the holder is gone, and a second acquirer can
  never get in while the first is alive.

Connections run in autocommit mode; transactions are explicit. The DSN's password never appears
in :attr:`~migrator.state.sqlstore.SqlStateStore.location` or a message.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql as pg_sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from migrator.clock import Clock
from migrator.errors import StateError
from migrator.state.db import Row, SqlDatabase
from migrator.state.sqlstore import SqlStateStore, new_uuid4
from migrator.state.upgrade import prepare_schema

WRITE_KEY_SPACE = 0x6D696772
"""First key of the transaction-level advisory lock that serialises writers ("migr")."""
HOLDER_KEY_SPACE = 0x6D69686C
"""First key of the session-level advisory lock that marks the state lock's holder ("mihl")."""
DEFAULT_LOCK_WAIT = 30.0
"""Seconds a write waits for another writer's transaction (SQLite's ``busy_timeout``)."""
CONNECT_TIMEOUT = 10
"""Seconds to wait for the server when connecting."""
#: PostgreSQL-only statements (the portable ones are in :mod:`migrator.state.sql`).
SELECT_SCHEMA_EXISTS = "SELECT 1 FROM pg_namespace WHERE nspname = ?"
SELECT_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = ?"
TAKE_WRITE_LOCK = "SELECT pg_advisory_xact_lock(%s::int4, %s::int4)"
TRY_HOLDER_MARK = "SELECT pg_try_advisory_lock(?::int4, ?::int4)"
DROP_HOLDER_MARK = "SELECT pg_advisory_unlock(?::int4, ?::int4)"
COUNT_HOLDER_MARKS = """SELECT COUNT(*) FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND objsubid = 2
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND classid = ?::bigint::oid AND objid = ?::bigint::oid"""
_KEEPALIVES = {"keepalives": "1", "keepalives_idle": "30", "keepalives_interval": "10"}
"""Client TCP keepalives, so a connection to a vanished server fails instead of hanging."""


def schema_key(schema: str) -> int:
    """The second advisory-lock key of a schema: stable across processes and releases."""
    return int.from_bytes(hashlib.sha256(schema.encode("utf-8")).digest()[:4], "big") & 0x7FFFFFFF


def redacted_location(dsn: str, schema: str) -> str:
    """``postgresql://user@host:port/db?schema=NAME``: the DSN without its password, usable as
    ``--state`` again (the password comes from the environment, as it did here)."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return f"postgresql:(unparseable DSN)?schema={schema}"
    user = params.pop("user", None)
    host = str(params.pop("host", "") or "")
    port = params.pop("port", None)
    dbname = params.pop("dbname", None)
    query = {k: str(v) for k, v in params.items() if k not in ("password", "passfile")}
    netloc = host if host and not host.startswith("/") else ""
    if host.startswith("/"):
        query["host"] = host
    if port is not None:
        netloc += f":{port}"
    if user is not None:
        netloc = f"{quote(str(user), safe='')}@{netloc}"
    path = f"/{quote(str(dbname), safe='')}" if dbname is not None else "/"
    query["schema"] = schema
    return f"postgresql://{netloc}{path}?{urlencode(sorted(query.items()), safe='/')}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class PostgresDatabase(SqlDatabase):
    """:class:`SqlDatabase` over one psycopg connection, in the state's own schema."""

    placeholder = "%s"
    key_type = 'TEXT COLLATE "C"'
    begin_write = "BEGIN ISOLATION LEVEL READ COMMITTED"
    begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

    def __init__(self, connection: psycopg.Connection[Any], *, schema: str, location: str) -> None:
        super().__init__(connection)
        self._pg = connection
        self.schema = schema
        self.location = location
        self._key = schema_key(schema)
        self._marked = False

    # --- schema ---------------------------------------------------------------------------
    def schema_exists(self) -> bool:
        """Whether the state's schema exists in the database."""
        found = self.fetch_one(SELECT_SCHEMA_EXISTS, (self.schema,))
        return found is not None

    def create_schema(self) -> None:
        """Create the state's schema (serialised with every writer of that schema)."""
        statement = pg_sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
            pg_sql.Identifier(self.schema)
        )
        with self.transaction():
            self.execute(statement.as_string(self._pg))

    def use_schema(self) -> None:
        """Resolve the unqualified table names of the statements in the state's schema only."""
        statement = pg_sql.SQL("SET search_path TO {}").format(pg_sql.Identifier(self.schema))
        self.execute(statement.as_string(self._pg))

    def table_names(self) -> set[str]:
        """The tables of the state's schema (whatever the role may read)."""
        found = self.fetch_all(SELECT_TABLES, (self.schema,))
        return {str(name).lower() for (name,) in found}

    # --- statements and transactions ------------------------------------------------------
    def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a query and return every row (a lost connection is a :class:`StateError`)."""
        with self._connection_errors():
            return super().fetch_all(sql, params)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return how many rows it changed."""
        with self._connection_errors():
            return super().execute(sql, params)

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one statement per row; return how many rows changed in all."""
        with self._connection_errors():
            return super().execute_many(sql, rows)

    @contextlib.contextmanager
    def _connection_errors(self) -> Iterator[None]:
        try:
            yield
        except psycopg.OperationalError as exc:
            if self.is_connected():
                raise
            raise StateError(
                f"lost the connection to the PostgreSQL state at {self.location}",
                detail=f"libpq says: {_first_line(exc)} The write in flight was not committed.",
                hint="check the server and the network, then run the command again "
                "(an interrupted apply resumes where it stopped)",
            ) from None

    def _begin(self, *, write: bool) -> None:
        with self._connection_errors():
            super()._begin(write=write)
        if not write:
            return
        try:
            with self._connection_errors():
                self._cursor.execute(TAKE_WRITE_LOCK, (WRITE_KEY_SPACE, self._key))
        except pg_errors.LockNotAvailable:
            self._rollback()
            raise StateError(
                "the state database stayed busy past the timeout",
                detail=f"Another process kept a write transaction open on {self.location}.",
                hint="retry when the other migrator command has finished",
            ) from None
        except BaseException:
            self._rollback()
            raise

    def is_connected(self) -> bool:
        """False once psycopg has seen the connection break or close."""
        return not (self._pg.broken or self._pg.closed)

    def _rollback(self) -> None:
        """Undo the open transaction; on a broken connection there is nothing left to undo
        (the server rolled back), and the error that broke it is the one to report."""
        if self.is_connected():
            super()._rollback()

    # --- the lock holder's mark -----------------------------------------------------------
    def claim_holder_mark(self) -> bool:
        """Take the session advisory lock of the schema; False when another session has it."""
        if self._marked:
            return True
        row = self.fetch_one(TRY_HOLDER_MARK, (HOLDER_KEY_SPACE, self._key))
        self._marked = bool(row and row[0])
        return self._marked

    def release_holder_mark(self) -> None:
        """Release the session advisory lock, if this connection holds it."""
        if self._marked:
            self.execute(DROP_HOLDER_MARK, (HOLDER_KEY_SPACE, self._key))
            self._marked = False

    def holder_connected(self) -> bool:
        """Whether any session of this database holds the schema's holder mark."""
        row = self.fetch_one(COUNT_HOLDER_MARKS, (HOLDER_KEY_SPACE, self._key))
        return bool(row and int(row[0]))


def _connect(dsn: str, location: str, lock_wait: float) -> psycopg.Connection[Any]:
    options = f"-c lock_timeout={max(int(lock_wait * 1000), 1)}"
    try:
        params = conninfo_to_dict(dsn)
        extra = {k: v for k, v in _KEEPALIVES.items() if k not in params}
        conninfo = make_conninfo(dsn, **extra)
        return psycopg.connect(
            conninfo,
            autocommit=True,
            connect_timeout=params.get("connect_timeout", CONNECT_TIMEOUT),
            application_name=params.get("application_name", "migrator"),
            options=f"{params.get('options', '')} {options}".strip(),
        )
    except psycopg.ProgrammingError:
        raise StateError(
            "the PostgreSQL state DSN cannot be parsed",
            detail="Expected postgresql://[user@]host[:port]/dbname or key=value pairs.",
            hint="check `state.dsn` in the spec (or the --state URI)",
        ) from None
    except psycopg.OperationalError as exc:
        raise StateError(
            f"cannot connect to the PostgreSQL state at {location}",
            detail=f"The server or libpq says: {_first_line(exc)}",
            hint=(
                "check that the server runs and the DSN is right; the password comes from "
                "PGPASSWORD or a .pgpass file, the user from the DSN or PGUSER"
            ),
        ) from None


def open_postgres_state(
    dsn: str,
    schema: str,
    *,
    create: bool = False,
    clock: Clock | None = None,
    new_id: Callable[[], str] = new_uuid4,
    lock_wait: float = DEFAULT_LOCK_WAIT,
) -> SqlStateStore:
    """Open the state in ``schema`` of the database at ``dsn`` (creating the schema and its
    tables when ``create``), upgraded to the current format.

    Raises :class:`StateError` when the server cannot be reached, when there is no such schema
    and ``create`` is false, or when the schema holds tables that are not a migrator state, and
    :class:`~migrator.errors.StateVersionError` when a newer migrator wrote it.
    """
    location = redacted_location(dsn, schema)
    db = PostgresDatabase(_connect(dsn, location, lock_wait), schema=schema, location=location)
    try:
        if not db.schema_exists():
            if not create:
                raise StateError(
                    f"no state at {location}",
                    detail=f"The database has no schema {schema!r}: nothing was applied with it.",
                    hint="check the DSN and schema (apply creates the state)",
                )
            db.create_schema()
        db.use_schema()
        prepare_schema(db, location=location)
    except psycopg.Error as exc:
        db.close()
        raise StateError(
            f"{location} is not a usable state database",
            detail=f"PostgreSQL says: {_first_line(exc)}",
            hint="check the role's privileges on the schema (it needs USAGE and CREATE to "
            "create the state, SELECT to read it)",
        ) from None
    except BaseException:
        db.close()
        raise
    return SqlStateStore(db, location=location, clock=clock, new_id=new_id)


def state_schema_exists(dsn: str, schema: str) -> bool:
    """Whether the database at ``dsn`` has the state's schema (one short connection)."""
    location = redacted_location(dsn, schema)
    db = PostgresDatabase(
        _connect(dsn, location, DEFAULT_LOCK_WAIT), schema=schema, location=location
    )
    try:
        return db.schema_exists()
    finally:
        db.close()
