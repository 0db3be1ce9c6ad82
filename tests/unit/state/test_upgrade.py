"""Opening a state reads its format first: old formats upgrade step by step, newer are refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from migrator.errors import StateError, StateVersionError
from migrator.state import CURRENT_FORMAT_VERSION, open_sqlite_state
from migrator.state.db import SqlDatabase
from migrator.state.show import state_json
from migrator.state.sqlite import SqliteDatabase
from migrator.state.upgrade import prepare_schema
from tests.conftest import DATA_DIR

FIXTURES = DATA_DIR / "state"


def build_from_fixture(version: int, target: Path) -> Path:
    """A state database file made from the SQL dump of a historical format."""
    connection = sqlite3.connect(target)
    connection.executescript((FIXTURES / f"v{version}.sql").read_text(encoding="utf-8"))
    connection.close()
    return target


def meta_value(path: Path, name: str) -> str:
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    finally:
        connection.close()
    return str(row[0])


@pytest.mark.parametrize("version", range(1, CURRENT_FORMAT_VERSION + 1))
def test_every_historical_fixture_opens_and_shows_the_expected_state(
    version: int, tmp_path: Path
) -> None:
    path = build_from_fixture(version, tmp_path / "old.state.db")
    with open_sqlite_state(path) as store:
        shown = state_json(store)
        assert store.meta().format_version == CURRENT_FORMAT_VERSION
    assert shown == (FIXTURES / f"v{version}.expected.json").read_text(encoding="utf-8")


def test_a_newer_format_is_refused_naming_the_writer(tmp_path: Path) -> None:
    path = build_from_fixture(1, tmp_path / "new.state.db")
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE meta SET value = '2' WHERE name = 'format_version'")
        connection.execute("UPDATE meta SET value = '9.9.9' WHERE name = 'migrator_version'")
    connection.close()
    with pytest.raises(StateVersionError) as caught:
        open_sqlite_state(path)
    error = caught.value
    assert error.summary == (
        f"state {path} was written by migrator 9.9.9 (format 2); upgrade migrator"
    )
    assert "reads state formats up to 1" in error.detail
    assert "pip install -U twenty-migrator" in error.hint
    assert meta_value(path, "format_version") == "2"  # untouched


def _open_db(path: Path) -> SqliteDatabase:
    return SqliteDatabase(sqlite3.connect(path, isolation_level=None))


def test_upgrade_steps_run_one_at_a_time_in_one_transaction(tmp_path: Path) -> None:
    path = build_from_fixture(1, tmp_path / "chain.state.db")
    seen: list[int] = []

    def v1_to_v2(db: SqlDatabase) -> None:
        seen.append(int(db.fetch_all("SELECT value FROM meta WHERE name = 'format_version'")[0][0]))
        db.execute("ALTER TABLE records ADD COLUMN note TEXT")

    def v2_to_v3(db: SqlDatabase) -> None:
        seen.append(int(db.fetch_all("SELECT value FROM meta WHERE name = 'format_version'")[0][0]))
        db.execute("UPDATE records SET note = 'upgraded'")

    db = _open_db(path)
    found = prepare_schema(db, location=str(path), current=3, steps={1: v1_to_v2, 2: v2_to_v3})
    db.close()
    assert (found, seen) == (1, [1, 2])
    assert meta_value(path, "format_version") == "3"
    connection = sqlite3.connect(path)
    notes = {row[0] for row in connection.execute("SELECT note FROM records")}
    connection.close()
    assert notes == {"upgraded"}


def test_a_failing_step_leaves_the_old_format_intact(tmp_path: Path) -> None:
    path = build_from_fixture(1, tmp_path / "fail.state.db")

    def v1_to_v2(db: SqlDatabase) -> None:
        db.execute("ALTER TABLE records ADD COLUMN note TEXT")

    db = _open_db(path)
    with pytest.raises(StateVersionError, match="no upgrade from format 2 to 3"):
        prepare_schema(db, location=str(path), current=3, steps={1: v1_to_v2})
    db.close()
    assert meta_value(path, "format_version") == "1"
    connection = sqlite3.connect(path)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(records)")]
    connection.close()
    assert "note" not in columns


def test_a_database_of_another_program_is_not_taken_for_a_state(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE customers (id INTEGER)")
    connection.close()
    with pytest.raises(StateError, match="is not a migrator state") as caught:
        open_sqlite_state(path)
    assert "customers" in caught.value.detail


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.state.db"
    path.write_bytes(b"this is not a database file, just text that is long enough" * 20)
    with pytest.raises(StateError, match="is not a readable state database"):
        open_sqlite_state(path)
