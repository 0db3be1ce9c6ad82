"""The PostgreSQL server the state tests run against, and throwaway schemas on it.

``MIGRATOR_TEST_PG_DSN`` names the server (``.ci/run`` starts one and sets it; a developer can
run ``bash .ci/postgres start DIR``). It is read when this module is imported, before the autouse
fixture clears ``MIGRATOR_*`` variables. Without it the PostgreSQL tests skip, except under
``CI=true``, where they fail: CI must always run them.
"""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from psycopg import sql as pg_sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

DSN_VARIABLE = "MIGRATOR_TEST_PG_DSN"
PG_DSN = os.environ.get(DSN_VARIABLE) or None
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SKIP_REASON = f"no PostgreSQL: set {DSN_VARIABLE}"


def require_dsn() -> str:
    """The test server's DSN; skip (fail in CI) without one."""
    if PG_DSN is None:
        if IN_CI:
            pytest.fail(f"{SKIP_REASON} (CI=true: the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(SKIP_REASON)
    return PG_DSN


def new_schema_name() -> str:
    """A schema name no other test uses."""
    return f"t_{uuid.uuid4().hex[:16]}"


def drop_schema(dsn: str, schema: str) -> None:
    """Drop a test schema and everything in it (no error when it is absent)."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        statement = pg_sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(pg_sql.Identifier(schema))
        connection.execute(statement)


def without_password(dsn: str) -> tuple[str, str]:
    """``(dsn without its password, the password)``: how a user passes a DSN in a spec or on
    the command line, with the password in PGPASSWORD."""
    params = conninfo_to_dict(dsn)
    password = str(params.pop("password", "") or "")
    host, port, dbname = params.get("host"), params.get("port"), params.get("dbname")
    user = params.get("user")
    auth = f"{user}@" if user else ""
    return f"postgresql://{auth}{host}:{port}/{dbname}", password


def keyword_dsn(dsn: str) -> str:
    """The same DSN in libpq's ``key=value`` form."""
    return make_conninfo(dsn)
