"""``migrator state migrate --to postgres|sqlite``: a state moves between backends without loss.

The proof is the one the issue asks for: SQLite → PostgreSQL → SQLite gives byte-identical
``state show --json`` (pre-images included), with lineage, serial and the journal kept, and the
copy is a live state that the next apply continues at serial + 1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator.cli import cli
from migrator.cli.errors import render_migrator_error
from migrator.clock import FixedClock
from migrator.errors import MigratorError, StateError, StateLocked, UsageError
from migrator.state import (
    Destination,
    PhaseCounts,
    RunKind,
    RunStatus,
    SchemaKind,
    SchemaResource,
)
from migrator.state.location import SqliteLocation, StateLocation, open_state
from migrator.state.reader import PAGE_SIZE
from migrator.state.sqlstore import SqlStateStore
from tests.unit.state.conftest import (
    LocationFactory,
    counted_ids,
    held,
    merged,
    quarantined,
    state_arg,
    written,
)

DEST = Destination(base_url="https://crm.example.com", workspace_id="ws-1")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def error_text(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, MigratorError)
    return render_migrator_error(result.exception)


def fill(store: SqlStateStore) -> None:
    """Every kind of content, over more than one keyset page, written by two runs."""
    first = store.start_run(RunKind.APPLY, "sha256:plan-1", run_id="run-1")
    with store.batch(run_id=first.run_id) as tx:
        tx.bind(DEST, migration_name="oplacrm-to-twenty", namespace="ns-1")
        tx.record_schema_resource(
            SchemaResource(
                address="field.company.oplaHealthscore",
                kind=SchemaKind.FIELD,
                twenty_id="f-1",
                created_by_us=True,
            )
        )
        for n in range(PAGE_SIZE + 7):
            tx.record_written(written("companies", f"oplacrm:accounts:{n}"))
        tx.record_written(merged("companies", "oplacrm:accounts:merged"))
        tx.record_written(merged("companies", "oplacrm:accounts:restored", restored=True))
        tx.quarantine(quarantined("contacts", "oplacrm:contacts:1"))
        tx.hold(held("contacts", "oplacrm:contacts:2"))
        tx.advance_cursor(
            "oplacrm:accounts",
            cursor_field="updated_at",
            last_value="2026-01-02T00:00:00Z",
            boundary_keys=("oplacrm:accounts:7",),
            initial_value="2025-01-01T00:00:00Z",
        )
        tx.record_phase(first.run_id, PhaseCounts(phase="mapping.companies", source=1009))
    store.finish_run(first.run_id, RunStatus.PARTIAL)
    second = store.start_run(RunKind.DELTA, "sha256:plan-2", run_id="run-2")
    with store.batch(run_id=second.run_id) as tx:
        tx.forget_record("record.companies[oplacrm:accounts:3]")
        tx.record_phase(second.run_id, PhaseCounts(phase="mapping.companies", source=1))
    store.finish_run(second.run_id, RunStatus.COMPLETE)


def show_json(where: str, *extra: str) -> str:
    result = run("state", "show", "--json", "--state", where, *extra)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def sqlite_source(tmp_path: Path) -> str:
    path = tmp_path / "a.state.db"
    with open_state(
        SqliteLocation(path=path), create=True, clock=FixedClock(), new_id=counted_ids()
    ) as store:
        fill(store)
    return str(path)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_sqlite_to_postgres_to_sqlite_keeps_show_json_byte_identical(
    sqlite_source: str, locations: LocationFactory, tmp_path: Path
) -> None:
    pg = state_arg(locations(tmp_path / "pg"))
    back = str(tmp_path / "b.state.db")
    before = show_json(sqlite_source, "--include-pre-images")

    there = run("state", "migrate", "--state", sqlite_source, "--to", "postgres", pg)
    assert there.exit_code == 0, there.output
    lines = there.output.splitlines()
    assert re.fullmatch(
        rf"Copied state [0-9a-f-]{{36}} at serial 6 \(1008 records\) from "
        rf"{re.escape(sqlite_source)} to {re.escape(pg)}\.",
        lines[0],
    ), lines[0]
    assert re.fullmatch(
        r"Both give the same `state show --json` \(sha256 [0-9a-f]{64}\)\.", lines[1]
    )

    again = run("state", "migrate", "--state", pg, "--to", "sqlite", back)
    assert again.exit_code == 0, again.output

    for where in (pg, back):
        assert show_json(where, "--include-pre-images") == before
        assert show_json(where) == show_json(sqlite_source)
    listed = run("state", "list", "--state", back).output
    assert listed == run("state", "list", "--state", sqlite_source).output


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_the_copy_is_a_live_state_that_continues_the_serial(
    sqlite_source: str, locations: LocationFactory, tmp_path: Path
) -> None:
    location = locations(tmp_path / "pg")
    assert (
        run(
            "state", "migrate", "--state", sqlite_source, "--to", "postgres", state_arg(location)
        ).exit_code
        == 0
    )
    with open_state(location) as store:
        assert store.lock_info() is None  # neither lock travels or stays behind
        before = store.meta()
        with store.batch(run_id="run-3") as tx:
            tx.record_written(written("companies", "oplacrm:accounts:new"))
        after = store.meta()
    assert (after.lineage, after.serial) == (before.lineage, before.serial + 1)
    with open_state(SqliteLocation(path=Path(sqlite_source))) as source:
        assert source.meta().serial == before.serial  # the source is left as it was
        assert source.lock_info() is None


def test_a_target_that_holds_a_state_is_refused_and_left_alone(
    sqlite_source: str, locations: LocationFactory, tmp_path: Path, backend: str
) -> None:
    target_location = locations(tmp_path / "target")
    with open_state(target_location, create=True) as other, other.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
    target = state_arg(target_location)
    before = show_json(target)
    result = run("state", "migrate", "--state", sqlite_source, "--to", backend, target)
    assert isinstance(result.exception, StateError)
    text = error_text(result)
    assert f"Error: {target} already holds a state" in text
    assert "at serial 1 and rows in records" in text
    assert show_json(target) == before


@pytest.mark.parametrize(
    ("backend_flag", "target", "message"),
    [
        ("postgres", "elsewhere.state.db", "--to postgres needs a PostgreSQL URI as the target"),
        ("sqlite", "postgresql://h/db?schema=s", "--to sqlite needs a file path as the target"),
    ],
)
def test_the_target_must_be_of_the_backend_named(
    sqlite_source: str, backend_flag: str, target: str, message: str
) -> None:
    result = run("state", "migrate", "--state", sqlite_source, "--to", backend_flag, target)
    assert isinstance(result.exception, UsageError)
    assert f"Error: {message}" in error_text(result)


def test_a_locked_source_is_not_migrated(
    locations: LocationFactory, tmp_path: Path, backend: str
) -> None:
    source: StateLocation = locations(tmp_path / "source")
    holder = open_state(source, create=True)
    try:
        holder.acquire_lock("apply")
        target = str(tmp_path / "copy.state.db")
        result = run("state", "migrate", "--state", state_arg(source), "--to", "sqlite", target)
        assert isinstance(result.exception, StateLocked)
        assert error_text(result).splitlines()[0].endswith(" (apply)")
        assert not Path(target).exists()
    finally:
        holder.close()
