"""What only the PostgreSQL backend does: schemas, connections, passwords, busy writers.

Every test here needs the test server (``MIGRATOR_TEST_PG_DSN``); the shared behaviour is
covered by the rest of the suite, which runs on both backends.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql as pg_sql

from migrator.errors import StateError, StateLocked
from migrator.state.location import PostgresLocation, open_existing_state, open_state
from migrator.state.lock import check_breakable
from migrator.state.postgres import (
    HOLDER_KEY_SPACE,
    WRITE_KEY_SPACE,
    open_postgres_state,
    schema_key,
    state_schema_exists,
)
from tests.unit.state.conftest import LocationFactory, StoreFactory, written
from tests.unit.state.pgserver import without_password

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


@pytest.fixture
def pg(locations: LocationFactory, tmp_path: Path) -> PostgresLocation:
    location = locations(tmp_path / "pg")
    assert isinstance(location, PostgresLocation)
    return location


@pytest.fixture
def admin(pg: PostgresLocation) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A plain connection to the test server, as a DBA would have."""
    with psycopg.connect(pg.dsn.get_secret_value(), autocommit=True) as connection:
        yield connection


def test_the_tables_live_in_the_migrations_own_schema(
    pg: PostgresLocation, admin: psycopg.Connection[tuple[object, ...]]
) -> None:
    with open_state(pg, create=True) as store, store.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
    tables = admin.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
        (pg.schema_name,),
    ).fetchall()
    assert [t for (t,) in tables] == [
        "cursors",
        "holds",
        "lock",
        "meta",
        "quarantine",
        "records",
        "run_phases",
        "runs",
        "schema_resources",
    ]
    collation = admin.execute(
        """SELECT collation_name FROM information_schema.columns
        WHERE table_schema = %s AND table_name = 'records' AND column_name = 'address'""",
        (pg.schema_name,),
    ).fetchone()
    assert collation == ("C",)  # byte order, as SQLite sorts


def test_two_schemas_are_two_independent_states(make_store: StoreFactory, tmp_path: Path) -> None:
    first, second = make_store(tmp_path / "one"), make_store(tmp_path / "two")
    first.acquire_lock("apply")
    with second.batch() as tx:  # not locked by the other schema's holder
        tx.record_written(written("m", "s:o:1"))
    assert second.meta().serial == 1
    assert first.meta().serial == 0
    assert second.lock_info() is None


def test_opening_without_create_never_makes_a_schema(pg: PostgresLocation) -> None:
    with pytest.raises(StateError, match="no state at") as caught:
        open_state(pg)
    assert caught.value.summary == f"no state at {pg.display()}"
    assert open_existing_state(pg) is None
    assert not state_schema_exists(pg.dsn.get_secret_value(), pg.schema_name)
    open_state(pg, create=True).close()
    found = open_existing_state(pg)
    assert found is not None
    found.close()


def test_a_schema_of_other_tables_is_not_taken_for_a_state(
    pg: PostgresLocation, admin: psycopg.Connection[tuple[object, ...]]
) -> None:
    schema = pg_sql.Identifier(pg.schema_name)
    admin.execute(pg_sql.SQL("CREATE SCHEMA {}").format(schema))
    admin.execute(pg_sql.SQL("CREATE TABLE {}.invoices (id int)").format(schema))
    with pytest.raises(StateError, match="is not a migrator state") as caught:
        open_state(pg)
    assert "invoices" in caught.value.detail


def test_a_wrong_password_or_a_dead_server_is_a_clear_error_without_the_password(
    pg: PostgresLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    dsn, _ = without_password(pg.dsn.get_secret_value())
    monkeypatch.setenv("PGPASSWORD", "not-the-Passw0rd")
    with pytest.raises(StateError) as wrong:
        open_postgres_state(dsn, pg.schema_name, create=True)
    text = f"{wrong.value.summary} {wrong.value.detail} {wrong.value.hint}"
    assert wrong.value.summary.startswith("cannot connect to the PostgreSQL state at ")
    assert "password authentication failed" in wrong.value.detail
    assert "not-the-Passw0rd" not in text
    assert "PGPASSWORD" in wrong.value.hint

    with pytest.raises(StateError, match="cannot connect") as dead:
        open_postgres_state(
            "postgresql://migrator:pw-in-dsn@127.0.0.1:9/postgres?connect_timeout=2", "s"
        )
    assert "pw-in-dsn" not in f"{dead.value.summary} {dead.value.detail}"
    assert dead.value.summary.endswith(
        "postgresql://migrator@127.0.0.1:9/postgres?connect_timeout=2&schema=s"
    )


def test_a_keyword_dsn_opens_the_same_state(pg: PostgresLocation) -> None:
    with open_state(pg, create=True) as store, store.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
    params = psycopg.conninfo.conninfo_to_dict(pg.dsn.get_secret_value())
    keywords = " ".join(f"{k}={v}" for k, v in sorted(params.items()))
    with open_postgres_state(keywords, pg.schema_name) as store:
        assert store.meta().serial == 1
        assert "password" not in store.location


def test_a_writer_waits_for_another_writers_transaction_only_so_long(
    pg: PostgresLocation, admin: psycopg.Connection[tuple[object, ...]]
) -> None:
    open_state(pg, create=True).close()
    store = open_postgres_state(pg.dsn.get_secret_value(), pg.schema_name, lock_wait=0.3)
    try:
        admin.execute("BEGIN")
        admin.execute(
            "SELECT pg_advisory_xact_lock(%s::int4, %s::int4)",
            (WRITE_KEY_SPACE, schema_key(pg.schema_name)),
        )
        with pytest.raises(StateError, match="stayed busy past the timeout"), store.batch():
            pass
        admin.execute("ROLLBACK")
        with store.batch() as tx:  # the connection is usable again
            tx.record_written(written("m", "s:o:1"))
        assert store.meta().serial == 1
    finally:
        store.close()


def test_the_holders_mark_lives_as_long_as_its_connection(
    make_store: StoreFactory, pg: PostgresLocation, admin: psycopg.Connection[tuple[object, ...]]
) -> None:
    holder, other = make_store(), make_store()
    assert holder.lock_holder_connected() is False
    holder.acquire_lock("apply")
    assert other.lock_holder_connected() is True
    marks = admin.execute(
        "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s::bigint::oid",
        (HOLDER_KEY_SPACE,),
    ).fetchone()
    assert marks == (1,)
    holder.release_lock()
    assert other.lock_holder_connected() is False
    other.acquire_lock("state rm")
    other.close()  # closing releases the row and the mark
    assert holder.lock_info() is None
    assert holder.lock_holder_connected() is False


def test_threads_of_one_process_share_a_store_safely(make_store: StoreFactory) -> None:
    store = make_store()
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                with store.batch() as tx:
                    tx.record_written(written("m", f"s:o:{n}-{i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert store.meta().serial == 40


def test_a_lock_row_left_without_a_live_holder_can_be_broken_from_any_host(
    make_store: StoreFactory,
) -> None:
    holder, other = make_store(), make_store()
    info = holder.acquire_lock("apply")
    with pytest.raises(StateLocked, match="not unlocking"):
        check_breakable(
            info.model_copy(update={"host": "ci-runner-7"}),
            location=other.location,
            force=False,
            holder_connected=other.lock_holder_connected(),
        )
    holder.database.release_holder_mark()  # as the server does when the holder dies
    check_breakable(
        info.model_copy(update={"host": "ci-runner-7", "pid": os.getpid()}),
        location=other.location,
        force=False,
        holder_connected=other.lock_holder_connected(),
    )


def test_a_lost_connection_is_a_state_error_and_the_lock_stays_breakable(
    make_store: StoreFactory, admin: psycopg.Connection[tuple[object, ...]]
) -> None:
    holder, other = make_store(), make_store()
    holder.acquire_lock("apply")
    row = holder.database.fetch_one("SELECT pg_backend_pid()")
    assert row is not None
    admin.execute("SELECT pg_terminate_backend(%s)", (row[0],))
    with pytest.raises(StateError) as lost, holder.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
    assert lost.value.summary == f"lost the connection to the PostgreSQL state at {holder.location}"
    assert "was not committed" in lost.value.detail
    assert "resumes" in lost.value.hint
    assert other.lock_info() is not None  # the row stays, as after a crash
    assert other.lock_holder_connected() is False  # but the server knows its holder is gone
    assert other.meta().serial == 0
