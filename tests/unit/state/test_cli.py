"""``migrator state list|show|rm|unlock`` through click's CliRunner on ``migrator.cli.cli``."""

from __future__ import annotations

import getpass
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator.cli import cli
from migrator.cli.errors import render_migrator_error
from migrator.errors import MigratorError, StateError, StateLocked, UsageError
from migrator.state import SchemaKind, SchemaResource
from migrator.state.show import state_json
from migrator.state.sqlstore import SqlStateStore
from migrator.workflows.state import state_path_for_spec
from tests.unit.state.conftest import StoreFactory, held, merged, quarantined, written

HOLD_LOCK = """
import sys, time
from pathlib import Path
from migrator.state import open_sqlite_state
store = open_sqlite_state(Path(sys.argv[1]), create=True)
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
def filled(store: SqlStateStore, state_path: Path) -> Path:
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
    return state_path


def test_list_prints_schema_then_records_in_address_order(filled: Path) -> None:
    result = run("state", "list", "--state", str(filled))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "object.oplaInvoice",
        "field.company.oplaHealthscore",
        "record.companies[oplacrm:accounts:1]",
        "record.companies[oplacrm:accounts:2]",
        "record.contacts[oplacrm:contacts:1]",
    ]
    only = run("state", "list", "--state", str(filled), "--mapping", "contacts")
    assert only.output == "record.contacts[oplacrm:contacts:1]\n"


def test_show_summarises_the_state(filled: Path) -> None:
    result = run("state", "show", "--state", str(filled))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"state:        {filled}"
    assert "serial:       1" in lines
    assert "records:      3" in lines
    assert "quarantine:   1; held: 1 (1 owners waiting)" in lines
    assert "lock:         not locked" in lines


def test_show_json_is_the_canonical_view(filled: Path, make_store: StoreFactory) -> None:
    result = run("state", "show", "--json", "--state", str(filled))
    assert result.exit_code == 0
    assert result.output == state_json(make_store(filled, create=False))
    assert json.loads(result.output)["serial"] == 1
    assert "Existing Co" not in result.output
    shown = run("state", "show", "--json", "--include-pre-images", "--state", str(filled))
    assert "Existing Co" in shown.output


def test_show_json_of_equal_states_is_byte_identical(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    outputs = []
    for name in ("one", "two"):
        path = tmp_path / f"{name}.state.db"
        with make_store(path) as store, store.batch() as tx:
            tx.record_written(written("m", "s:o:2"))
            tx.record_written(written("m", "s:o:1"))
        outputs.append(run("state", "show", "--json", "--state", str(path)).output_bytes)
    assert outputs[0] == outputs[1]


def test_show_address_prints_every_entry_at_that_address(filled: Path) -> None:
    result = run("state", "show", "record.companies[oplacrm:accounts:2]", "--state", str(filled))
    assert result.exit_code == 0
    shown = json.loads(result.output)
    assert shown["address"] == "record.companies[oplacrm:accounts:2]"
    assert shown["record"]["status"] == "merged"
    assert "values_digest" in shown["record"]["pre_image"]
    held_one = json.loads(
        run("state", "show", "record.contacts[oplacrm:contacts:8]", "--state", str(filled)).output
    )
    assert set(held_one) == {"address", "hold"}
    schema = json.loads(run("state", "show", "object.oplaInvoice", "--state", str(filled)).output)
    assert schema["schema"]["twenty_id"] == "o-1"


def test_show_of_an_unknown_or_malformed_address_exits_1(filled: Path) -> None:
    missing = run("state", "show", "record.companies[oplacrm:accounts:404]", "--state", str(filled))
    assert isinstance(missing.exception, StateError)
    assert error_text(missing).splitlines()[0] == (
        "Error: not in the state: record.companies[oplacrm:accounts:404]"
    )
    malformed = run("state", "show", "records.x", "--state", str(filled))
    assert isinstance(malformed.exception, UsageError)
    assert "Error: 'records.x' is not a state address" in error_text(malformed)


def test_rm_forgets_records_and_schema_all_or_nothing(filled: Path) -> None:
    refused = run(
        "state",
        "rm",
        "record.companies[oplacrm:accounts:1]",
        "object.nothing",
        "--state",
        str(filled),
    )
    assert "Error: not in the state: object.nothing" in error_text(refused)
    assert (
        "record.companies[oplacrm:accounts:1]"
        in run("state", "list", "--state", str(filled)).output
    )

    result = run(
        "state",
        "rm",
        "record.companies[oplacrm:accounts:1]",
        "object.oplaInvoice",
        "record.contacts[oplacrm:contacts:9]",
        "--state",
        str(filled),
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"Removed 3 addresses from {filled} (serial 2).\n"
    listed = run("state", "list", "--state", str(filled)).output.splitlines()
    assert listed == [
        "field.company.oplaHealthscore",
        "record.companies[oplacrm:accounts:2]",
        "record.contacts[oplacrm:contacts:1]",
    ]
    summary = run("state", "show", "--state", str(filled)).output
    assert "quarantine:   0; held: 1 (1 owners waiting)" in summary


def test_unlock_of_an_unlocked_state_says_so(filled: Path) -> None:
    result = run("state", "unlock", "--state", str(filled))
    assert result.exit_code == 0
    assert result.output == f"{filled} is not locked.\n"


def test_the_state_is_found_from_the_environment_or_the_working_directory(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert filled.parent == tmp_path / ".migrator"  # tests run in tmp_path
    assert run("state", "list").exit_code == 0
    (tmp_path / ".migrator" / "second.state.db").touch()
    several = run("state", "list")
    assert "Error: no state given and several found" in error_text(several)
    monkeypatch.setenv("MIGRATOR_STATE", str(filled))
    assert run("state", "list").exit_code == 0
    monkeypatch.delenv("MIGRATOR_STATE")
    monkeypatch.chdir(tmp_path / ".migrator")
    assert "Error: no state given and none found" in error_text(run("state", "list"))


def test_a_missing_state_file_is_an_error_not_a_new_state(tmp_path: Path) -> None:
    missing = tmp_path / "absent.state.db"
    result = run("state", "show", "--state", str(missing))
    assert f"Error: no state at {missing}" in error_text(result)
    assert not missing.exists()


@pytest.fixture
def lock_holder(state_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that takes the lock for an apply and keeps it until killed."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(state_path)], stdout=subprocess.PIPE, text=True
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


def test_lock_across_processes_until_the_holder_is_killed_and_unlocked(
    lock_holder: subprocess.Popen[str], state_path: Path
) -> None:
    path = str(state_path)
    rm = run("state", "rm", "object.x", "--state", path)
    assert isinstance(rm.exception, StateLocked)
    first_line = error_text(rm).splitlines()[0]
    assert first_line.startswith(f"Error: state is locked by {getpass.getuser()} since ")
    assert first_line.endswith(" (apply)")
    assert "Next step: wait for that run to finish; if it was killed" in error_text(rm)
    assert f"process {lock_holder.pid}" in error_text(rm)

    refused = run("state", "unlock", "--state", path)
    assert isinstance(refused.exception, StateLocked)
    assert f"its process {lock_holder.pid} is still running on this host" in error_text(refused)

    lock_holder.send_signal(signal.SIGKILL)
    lock_holder.wait()
    released = run("state", "unlock", "--state", path)
    assert released.exit_code == 0, released.output
    assert released.output.startswith(f"Released the lock of {getpass.getuser()} since ")
    assert f"(apply, pid {lock_holder.pid} on " in released.output
    assert "is not locked" in run("state", "unlock", "--state", path).output


def test_unlock_force_releases_a_live_holders_lock(
    lock_holder: subprocess.Popen[str], state_path: Path
) -> None:
    result = run("state", "unlock", "--force", "--state", str(state_path))
    assert result.exit_code == 0
    assert "Released the lock" in result.output
    assert lock_holder.poll() is None  # the holder itself is untouched


def test_a_specs_state_path_is_relative_to_the_spec_file(tmp_path: Path) -> None:
    spec = tmp_path / "project" / "migration.yaml"
    assert state_path_for_spec(spec, name="oplacrm-to-twenty", configured=None) == (
        tmp_path / "project" / ".migrator" / "oplacrm-to-twenty.state.db"
    )
    assert state_path_for_spec(spec, name="x", configured="state/prod.db") == (
        tmp_path / "project" / "state" / "prod.db"
    )
