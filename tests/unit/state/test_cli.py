"""``migrator state list|show|rm|unlock`` through click's CliRunner on ``migrator.cli.cli``, on
both backends (``--state`` is a file path or a ``postgresql://…?schema=`` URI)."""

from __future__ import annotations

import getpass
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator.cli import cli
from migrator.cli.errors import render_migrator_error
from migrator.errors import MigratorError, StateError, StateLocked, UsageError
from migrator.state import SchemaKind, SchemaResource
from migrator.state.location import PostgresLocation
from migrator.state.postgres import state_schema_exists
from migrator.state.show import state_json
from migrator.state.sqlstore import SqlStateStore
from migrator.workflows.state import state_path_for_spec
from tests.unit.state.conftest import (
    LocationFactory,
    StoreFactory,
    held,
    merged,
    quarantined,
    state_arg,
    written,
)

HOLD_LOCK = """
import sys, time
from migrator.state.location import open_state, parse_state_location
store = open_state(parse_state_location(sys.argv[1]), create=True)
store.acquire_lock("apply")
print("locked", flush=True)
time.sleep(120)
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def error_text(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, MigratorError)
    return render_migrator_error(result.exception)


@pytest.fixture
def target(locations: LocationFactory, state_path: Path) -> str:
    """The ``--state`` argument of the test's store (also how messages name it)."""
    return state_arg(locations(state_path))


@pytest.fixture
def filled(store: SqlStateStore, target: str) -> str:
    with store.batch(run_id="run-1") as tx:
        tx.record_schema_resource(
            SchemaResource(
                address="field.company.oplaHealthscore",
                kind=SchemaKind.FIELD,
                twenty_id="f-1",
                created_by_us=True,
            )
        )
        tx.record_schema_resource(
            SchemaResource(
                address="object.oplaInvoice",
                kind=SchemaKind.OBJECT,
                twenty_id="o-1",
                created_by_us=True,
            )
        )
        tx.record_written(written("companies", "oplacrm:accounts:1"))
        tx.record_written(merged("companies", "oplacrm:accounts:2"))
        tx.record_written(written("contacts", "oplacrm:contacts:1"))
        tx.quarantine(quarantined("contacts", "oplacrm:contacts:9"))
        tx.hold(held("contacts", "oplacrm:contacts:8"))
    store.close()
    return target


def test_list_prints_schema_then_records_in_address_order(filled: str) -> None:
    result = run("state", "list", "--state", filled)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "object.oplaInvoice",
        "field.company.oplaHealthscore",
        "record.companies[oplacrm:accounts:1]",
        "record.companies[oplacrm:accounts:2]",
        "record.contacts[oplacrm:contacts:1]",
    ]
    only = run("state", "list", "--state", filled, "--mapping", "contacts")
    assert only.output == "record.contacts[oplacrm:contacts:1]\n"


def test_show_summarises_the_state(filled: str) -> None:
    result = run("state", "show", "--state", filled)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"state:        {filled}"
    assert "serial:       1" in lines
    assert "records:      3" in lines
    assert "quarantine:   1; held: 1 (1 owners waiting)" in lines
    assert "lock:         not locked" in lines


def test_show_json_is_the_canonical_view(filled: str, make_store: StoreFactory) -> None:
    result = run("state", "show", "--json", "--state", filled)
    assert result.exit_code == 0
    assert result.output == state_json(make_store(create=False))
    assert json.loads(result.output)["serial"] == 1
    assert "Existing Co" not in result.output
    shown = run("state", "show", "--json", "--include-pre-images", "--state", filled)
    assert "Existing Co" in shown.output


def test_show_json_of_equal_states_is_byte_identical(
    make_store: StoreFactory, locations: LocationFactory, tmp_path: Path
) -> None:
    outputs = []
    for name in ("one", "two"):
        path = tmp_path / f"{name}.state.db"
        with make_store(path) as store, store.batch() as tx:
            tx.record_written(written("m", "s:o:2"))
            tx.record_written(written("m", "s:o:1"))
        where = state_arg(locations(path))
        outputs.append(run("state", "show", "--json", "--state", where).output_bytes)
    assert outputs[0] == outputs[1]


def test_the_state_is_found_from_the_environment(
    filled: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIGRATOR_STATE", filled)
    result = run("state", "show")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"state:        {filled}"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_file_state_is_found_in_the_working_directory(
    filled: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Path(filled).parent == tmp_path / ".migrator"  # tests run in tmp_path
    assert run("state", "list").exit_code == 0
    (tmp_path / ".migrator" / "second.state.db").touch()
    several = run("state", "list")
    assert "Error: no state given and several found" in error_text(several)
    monkeypatch.chdir(tmp_path / ".migrator")
    assert "Error: no state given and none found" in error_text(run("state", "list"))


def test_a_missing_state_is_an_error_not_a_new_state(
    locations: LocationFactory, tmp_path: Path
) -> None:
    missing = locations(tmp_path / "absent.state.db")
    result = run("state", "show", "--state", state_arg(missing))
    assert isinstance(result.exception, StateError)
    assert f"Error: no state at {state_arg(missing)}" in error_text(result)
    if isinstance(missing, PostgresLocation):
        assert not state_schema_exists(missing.dsn.get_secret_value(), missing.schema_name)
    else:
        assert not missing.path.exists()


def test_a_postgres_uri_without_a_schema_is_refused() -> None:
    result = run("state", "list", "--state", "postgresql://migrator@127.0.0.1:9/postgres")
    assert isinstance(result.exception, UsageError)
    assert "Error: a PostgreSQL state URI needs exactly one ?schema=NAME" in error_text(result)
    bad = run("state", "list", "--state", "postgresql://127.0.0.1:9/postgres?schema=Bad-Name")
    assert "is not a usable PostgreSQL schema name" in error_text(bad)


@pytest.fixture
def lock_holder(target: str) -> Iterator[subprocess.Popen[str]]:
    """Another process that takes the lock for an apply and keeps it until killed."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, target], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "locked\n"
        yield child
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def unlock_once_gone(target: str, seconds: float = 10.0) -> Result:
    """``state unlock`` until it stops refusing: a server notices a killed client's closed
    connection within moments, not at once."""
    deadline = time.monotonic() + seconds
    while True:
        result = run("state", "unlock", "--state", target)
        if result.exit_code == 0 or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def test_lock_across_processes_until_the_holder_is_killed_and_unlocked(
    lock_holder: subprocess.Popen[str], target: str, backend: str
) -> None:
    rm = run("state", "rm", "object.x", "--state", target)
    assert isinstance(rm.exception, StateLocked)
    first_line = error_text(rm).splitlines()[0]
    assert first_line.startswith(f"Error: state is locked by {getpass.getuser()} since ")
    assert first_line.endswith(" (apply)")
    assert "Next step: wait for that run to finish; if it was killed" in error_text(rm)
    assert f"process {lock_holder.pid}" in error_text(rm)
    assert f"`migrator state unlock --state {target}`" in error_text(rm)

    refused = run("state", "unlock", "--state", target)
    assert isinstance(refused.exception, StateLocked)
    reason = {
        "sqlite": f"its process {lock_holder.pid} is still running on this host",
        "postgres": f"its holder (process {lock_holder.pid} on host ",
    }[backend]
    assert reason in error_text(refused)
    if backend == "postgres":
        assert "is still connected to the state database" in error_text(refused)

    lock_holder.send_signal(signal.SIGKILL)
    lock_holder.wait()
    released = unlock_once_gone(target)
    assert released.exit_code == 0, released.output
    assert released.output.startswith(f"Released the lock of {getpass.getuser()} since ")
    assert f"(apply, pid {lock_holder.pid} on " in released.output
    assert "is not locked" in run("state", "unlock", "--state", target).output
    assert run("state", "rm", "object.x", "--state", target).exit_code == 1  # not locked: absent
    assert "not in the state: object.x" in error_text(
        run("state", "rm", "object.x", "--state", target)
    )


def test_unlock_force_releases_a_live_holders_lock(
    lock_holder: subprocess.Popen[str], target: str
) -> None:
    result = run("state", "unlock", "--force", "--state", target)
    assert result.exit_code == 0
    assert "Released the lock" in result.output
    assert lock_holder.poll() is None  # the holder itself is untouched


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_on_postgres_a_live_holder_keeps_others_out_even_after_a_forced_unlock(
    lock_holder: subprocess.Popen[str], target: str
) -> None:
    assert run("state", "unlock", "--force", "--state", target).exit_code == 0
    blocked = run("state", "rm", "object.x", "--state", target)
    assert isinstance(blocked.exception, StateLocked)
    assert (
        "Error: state is locked by a connected process whose lock record was removed"
        in error_text(blocked)
    )
    lock_holder.send_signal(signal.SIGKILL)
    lock_holder.wait()
    deadline = time.monotonic() + 10
    while isinstance(run("state", "rm", "object.x", "--state", target).exception, StateLocked):
        assert time.monotonic() < deadline, "the killed holder's session never ended"
        time.sleep(0.05)


def test_a_specs_state_path_is_relative_to_the_spec_file(tmp_path: Path) -> None:
    spec = tmp_path / "project" / "migration.yaml"
    assert state_path_for_spec(spec, name="oplacrm-to-twenty", configured=None) == (
        tmp_path / "project" / ".migrator" / "oplacrm-to-twenty.state.db"
    )
    assert state_path_for_spec(spec, name="x", configured="state/prod.db") == (
        tmp_path / "project" / "state" / "prod.db"
    )
