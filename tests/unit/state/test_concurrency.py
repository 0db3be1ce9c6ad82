"""Concurrent applies in separate processes, on both backends: the lock lets one in.

Each child process does what apply does to the state: open it, take the lock for ``apply``,
open a run, commit batches, close the run. Both start at the same moment (a go-file barrier).
"""

from __future__ import annotations

import getpass
import json
import subprocess
import sys
import time
from pathlib import Path

from migrator.state import RunStatus
from tests.conftest import REPO_ROOT
from tests.unit.state.conftest import LocationFactory, StoreFactory, state_arg

APPLY = """
import json, sys, time
from pathlib import Path
from migrator.errors import StateLocked
from migrator.state import RecordEntry, RunKind, RunStatus
from migrator.state.location import open_state, parse_state_location

where, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
wait, batches = float(sys.argv[4]), int(sys.argv[5])
store = open_state(parse_state_location(where), create=True)
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
try:
    store.acquire_lock("apply", timeout=wait)
except StateLocked as exc:
    print(json.dumps({"locked": exc.summary}), flush=True)
    sys.exit(0)
run = store.start_run(RunKind.APPLY, "sha256:" + name)
for b in range(batches):
    with store.batch(run_id=run.run_id) as tx:
        for i in range(20):
            key = f"s:{name}:{b:03d}-{i:02d}"
            tx.record_written(RecordEntry(
                address=f"record.{name}[{key}]", mapping=name, source_key=key,
                twenty_object="company", twenty_id="00000000-0000-4000-8000-%012d" % (b * 100 + i),
                payload_digest="sha256:aa", status="written"))
    time.sleep(0.02)
store.finish_run(run.run_id, RunStatus.COMPLETE)
store.close()
print(json.dumps({"applied": run.run_id}), flush=True)
"""

WRITE_ONLY = """
import sys
from migrator.state import RecordEntry
from migrator.state.location import open_state, parse_state_location

where, name, batches = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_state(parse_state_location(where), create=True)
print("ready", flush=True)
sys.stdin.readline()
for b in range(batches):
    with store.batch() as tx:
        key = f"s:{name}:{b:03d}"
        tx.record_written(RecordEntry(
            address=f"record.{name}[{key}]", mapping=name, source_key=key,
            twenty_object="company", twenty_id="00000000-0000-4000-8000-000000000001",
            payload_digest="sha256:aa", status="written"))
store.close()
print("done", flush=True)
"""


def start(script: str, *args: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    return child


def finish(child: subprocess.Popen[str]) -> dict[str, str]:
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0, out
    result: dict[str, str] = json.loads(out.strip().splitlines()[-1])
    return result


def race(where: str, go: Path, *, wait: float) -> list[dict[str, str]]:
    children = [start(APPLY, where, name, str(go), str(wait), "5") for name in ("ana", "ben")]
    go.touch()
    return [finish(child) for child in children]


def test_two_concurrent_applies_one_wins_and_the_other_is_told_who_holds_the_lock(
    make_store: StoreFactory, locations: LocationFactory, state_path: Path, tmp_path: Path
) -> None:
    make_store().close()  # an existing state, as after a first apply
    results = race(state_arg(locations(state_path)), tmp_path / "go", wait=0.0)
    applied = [r["applied"] for r in results if "applied" in r]
    locked = [r["locked"] for r in results if "locked" in r]
    assert len(applied) == 1 and len(locked) == 1, results
    assert locked[0].startswith(f"state is locked by {getpass.getuser()} since ")
    assert locked[0].endswith(" (apply)")

    store = make_store(create=False)
    (run,) = store.runs()
    assert (run.run_id, run.status) == (applied[0], RunStatus.COMPLETE)
    winner = run.plan_digest.removeprefix("sha256:")
    assert {r.mapping for r in store.records()} == {winner}
    assert sum(1 for _ in store.records()) == 100
    assert store.meta().serial == 7  # start, five batches, finish
    assert (run.first_serial, run.last_serial) == (1, 7)
    assert store.lock_info() is None


def test_an_apply_that_waits_for_the_lock_runs_after_the_other_never_interleaved(
    make_store: StoreFactory, locations: LocationFactory, state_path: Path, tmp_path: Path
) -> None:
    make_store().close()
    results = race(state_arg(locations(state_path)), tmp_path / "go", wait=30.0)
    assert all("applied" in r for r in results), results
    store = make_store(create=False)
    first, second = store.runs()
    assert (first.first_serial, first.last_serial) == (1, 7)
    assert (second.first_serial, second.last_serial) == (8, 14)
    assert sum(1 for _ in store.records()) == 200


def test_writers_without_the_lock_still_commit_one_serial_each(
    make_store: StoreFactory, locations: LocationFactory, state_path: Path
) -> None:
    """A batch reads the serial and writes serial + 1: writers must queue, or bumps are lost
    (SQLite: BEGIN IMMEDIATE; PostgreSQL: the advisory transaction lock)."""
    make_store().close()
    where = state_arg(locations(state_path))
    children = [start(WRITE_ONLY, where, name, "20") for name in ("ana", "ben")]
    started = time.monotonic()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        out, _ = child.communicate(timeout=60)
        assert out == "done\n"
    assert time.monotonic() - started < 60
    store = make_store(create=False)
    assert sum(1 for _ in store.records()) == 40
    assert store.meta().serial == 40
