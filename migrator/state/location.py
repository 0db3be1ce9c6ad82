"""Where a state lives, and the one way to open it: a SQLite file or a PostgreSQL schema.

A location comes from the spec's ``state`` section (:func:`state_location_for_spec`) or from a
``--state`` argument (:func:`parse_state_location`): a file path, or a PostgreSQL URI with the
schema as a ``schema`` query parameter (``postgresql://migrator@db.example.com/crm?schema=
oplacrm_to_twenty``, as Prisma spells it), which is taken out before the DSN reaches libpq.
:func:`open_state` opens either behind the same :class:`~migrator.state.sqlstore.SqlStateStore`.

The PostgreSQL driver (psycopg) is an optional extra, imported only when a PostgreSQL state is
opened. A DSN is kept as a secret: it may carry a password (from ``--state`` or the
environment); what is shown is :meth:`PostgresLocation.display`, which never does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import SecretStr

from migrator.clock import Clock
from migrator.errors import StateError, UsageError
from migrator.model import FrozenModel
from migrator.state.sqlite import open_sqlite_state
from migrator.state.sqlstore import SqlStateStore, new_uuid4

POSTGRES_SCHEMES = ("postgresql", "postgres")
SCHEMA_PATTERN = re.compile(r"^[a-z0-9_]{1,63}$")
"""A schema name as migrator accepts it: lower case, so PostgreSQL's case folding never
surprises (it is always quoted)."""
STATE_DIR = ".migrator"
STATE_SUFFIX = ".state.db"


class SqliteLocation(FrozenModel):
    """A state in a SQLite file."""

    backend: Literal["sqlite"] = "sqlite"
    path: Path

    def display(self) -> str:
        """The path, for messages."""
        return str(self.path)


class PostgresLocation(FrozenModel):
    """A state in one schema of a PostgreSQL database."""

    backend: Literal["postgres"] = "postgres"
    dsn: SecretStr
    """A libpq connection string or URI; its password, if any, is never shown."""
    schema_name: str

    def display(self) -> str:
        """``postgresql://user@host:port/db?schema=NAME`` without the password (a valid
        ``--state`` argument when the password comes from PGPASSWORD or a .pgpass file)."""
        try:
            from migrator.state.postgres import redacted_location  # psycopg: an optional extra
        except ImportError:
            return f"postgresql://(DSN not shown)?schema={self.schema_name}"
        return redacted_location(self.dsn.get_secret_value(), self.schema_name)


StateLocation = SqliteLocation | PostgresLocation


class StateSettings(Protocol):
    """The spec's ``state`` section, as far as locating the state goes."""

    @property
    def backend(self) -> str: ...

    @property
    def path(self) -> str | None: ...

    @property
    def dsn(self) -> str | None: ...

    @property
    def schema_(self) -> str | None: ...


def _check_schema(schema: str, where: str) -> str:
    if not SCHEMA_PATTERN.match(schema):
        raise UsageError(
            f"{schema!r} is not a usable PostgreSQL schema name for the state",
            detail=f"From {where}. Use 1 to 63 lower-case letters, digits and underscores.",
            hint="e.g. ?schema=oplacrm_to_twenty",
        )
    return schema


def is_postgres_uri(text: str) -> bool:
    """True for a ``postgresql://`` or ``postgres://`` URI."""
    return urlsplit(text).scheme.lower() in POSTGRES_SCHEMES


def parse_state_location(text: str) -> StateLocation:
    """A ``--state`` argument: a PostgreSQL URI naming ``?schema=``, else a file path."""
    if not is_postgres_uri(text):
        return SqliteLocation(path=Path(text))
    parts = urlsplit(text)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for key, value in query if key == "schema"]
    if len(schemas) != 1:
        raise UsageError(
            "a PostgreSQL state URI needs exactly one ?schema=NAME",
            detail="The schema holds the state's tables; each migration has its own.",
            hint="append ?schema=NAME to the URI, e.g. postgresql://host/db?schema=crm_prod",
        )
    rest = urlencode([(key, value) for key, value in query if key != "schema"])
    dsn = urlunsplit(parts._replace(query=rest))
    return PostgresLocation(dsn=SecretStr(dsn), schema_name=_check_schema(schemas[0], "the URI"))


def default_schema_for(name: str) -> str:
    """The schema of a migration that names none: its name with ``-`` as ``_``."""
    return name.replace("-", "_")


def state_location_for_spec(
    settings: StateSettings, *, spec_path: Path, name: str
) -> StateLocation:
    """Where a spec's state lives: its PostgreSQL DSN and schema (default: the migration name),
    or its file (``state.path`` relative to the spec file, default ``.migrator/<name>.state.db``
    next to it)."""
    if settings.backend == "postgres":
        if not settings.dsn:
            raise UsageError(
                "the spec's state backend is postgres but it gives no dsn",
                hint="set state.dsn, e.g. dsn: ${MIGRATOR_STATE_DSN}",
            )
        schema = settings.schema_ or default_schema_for(name)
        return PostgresLocation(
            dsn=SecretStr(settings.dsn), schema_name=_check_schema(schema, "the spec")
        )
    relative = settings.path if settings.path is not None else f"{STATE_DIR}/{name}{STATE_SUFFIX}"
    return SqliteLocation(path=spec_path.parent / relative)


def open_state(
    location: StateLocation | Path,
    *,
    create: bool = False,
    clock: Clock | None = None,
    new_id: Callable[[], str] = new_uuid4,
) -> SqlStateStore:
    """Open the state at ``location`` (creating it when ``create``), whatever its backend."""
    if isinstance(location, Path):
        location = SqliteLocation(path=location)
    if isinstance(location, SqliteLocation):
        return open_sqlite_state(location.path, create=create, clock=clock, new_id=new_id)
    try:
        from migrator.state.postgres import open_postgres_state
    except ImportError:
        raise StateError(
            "the PostgreSQL state backend needs psycopg, which is not installed",
            hint="pip install 'twenty-migrator[postgres]'",
        ) from None
    return open_postgres_state(
        location.dsn.get_secret_value(),
        location.schema_name,
        create=create,
        clock=clock,
        new_id=new_id,
    )


def open_existing_state(
    location: StateLocation | Path, *, clock: Clock | None = None
) -> SqlStateStore | None:
    """Open the state at ``location`` if there is one yet (a planner's view: no state means
    ``prior_state = None``), else return None; never creates anything."""
    if isinstance(location, Path):
        location = SqliteLocation(path=location)
    if isinstance(location, SqliteLocation):
        return open_state(location, clock=clock) if location.path.exists() else None
    try:
        from migrator.state.postgres import state_schema_exists
    except ImportError:
        return open_state(location, clock=clock)  # raises the missing-driver error
    if not state_schema_exists(location.dsn.get_secret_value(), location.schema_name):
        return None
    return open_state(location, clock=clock)
