"""The SQLite state file is private from its first byte and runs in WAL mode (SQLite only)."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from migrator.errors import StateError
from migrator.state import open_sqlite_state
from tests.unit.state.conftest import StoreFactory, written


@pytest.fixture
def backend() -> str:
    """These tests are about the SQLite file itself."""
    return "sqlite"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_state_file_and_its_wal_are_0600_in_a_0700_directory(
    make_store: StoreFactory, state_path: Path
) -> None:
    store = make_store()
    with store.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
    assert mode(state_path) == 0o600
    assert mode(state_path.parent) == 0o700
    companions = [p for p in state_path.parent.iterdir() if p != state_path]
    assert companions, "WAL mode keeps -wal and -shm files while the store is open"
    assert {p.name.rsplit("-", 1)[1] for p in companions} == {"wal", "shm"}
    assert all(mode(p) == 0o600 for p in companions)


def test_the_store_runs_in_wal_mode(make_store: StoreFactory, state_path: Path) -> None:
    make_store()
    connection = sqlite3.connect(state_path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_opening_a_missing_state_without_create_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.state.db"
    with pytest.raises(StateError, match="no state at") as caught:
        open_sqlite_state(missing)
    assert str(missing) in caught.value.summary
    assert "--state" in caught.value.hint
    assert not missing.exists()


def test_an_empty_file_left_by_a_crash_becomes_a_new_state(tmp_path: Path) -> None:
    path = tmp_path / "empty.state.db"
    path.touch(mode=0o600)
    with open_sqlite_state(path) as store:
        assert store.meta().serial == 0
