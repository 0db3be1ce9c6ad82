"""``state show --json`` is canonical: equal states print identical bytes, without the lock."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from migrator.model import canonical_json
from migrator.state import Destination, PhaseCounts, RunKind, RunStatus
from migrator.state.reader import PAGE_SIZE
from migrator.state.show import render_state_summary, state_json, summarize_state
from migrator.state.sqlstore import SqlStateStore
from tests.unit.state.conftest import StoreFactory, held, merged, quarantined, written

DEST = Destination(base_url="https://crm.example.com", workspace_id="ws-1")


def fill(store: SqlStateStore, *, reverse: bool) -> None:
    """The same content, reached through calls in a different order."""
    order = range(30)
    keys = list(reversed(order)) if reverse else list(order)
    run = store.start_run(RunKind.APPLY, "sha256:plan", run_id="run-1")
    with store.batch(run_id=run.run_id) as tx:
        tx.bind(DEST, migration_name="m", namespace="ns")
        for n in keys:
            tx.record_written(written("companies", f"oplacrm:accounts:{n}"))
        calls: list[Callable[[], None]] = [
            lambda: tx.record_written(merged("companies", "oplacrm:accounts:merged")),
            lambda: tx.quarantine(quarantined("contacts", "oplacrm:contacts:1")),
            lambda: tx.hold(held("contacts", "oplacrm:contacts:2")),
            lambda: tx.advance_cursor("oplacrm:accounts", cursor_field="updated_at", last_value=7),
            lambda: tx.record_phase(run.run_id, PhaseCounts(phase="mapping.companies", source=31)),
        ]
        for call in reversed(calls) if reverse else calls:
            call()
    store.finish_run(run.run_id, RunStatus.COMPLETE)


def test_equal_states_print_identical_bytes(make_store: StoreFactory, tmp_path: Path) -> None:
    first = make_store(tmp_path / "a.state.db")
    second = make_store(tmp_path / "b.state.db")
    fill(first, reverse=False)
    fill(second, reverse=True)
    assert state_json(first) == state_json(second)
    second.acquire_lock("apply")  # the lock is local-only: not in the view
    assert state_json(first) == state_json(second)


def test_the_view_is_canonical_json_across_pages(store: SqlStateStore) -> None:
    with store.batch() as tx:
        for n in range(PAGE_SIZE + 5):
            tx.record_written(written("m", f"s:o:{n}"))
            tx.quarantine(quarantined("q", f"s:o:{n}"))
    text = state_json(store)
    document = json.loads(text)
    assert canonical_json(document, indent=2) == text
    assert len(document["records"]) == PAGE_SIZE + 5
    assert len(document["quarantine"]) == PAGE_SIZE + 5
    assert document["holds"] == {}


def test_an_empty_state_has_a_canonical_view(store: SqlStateStore) -> None:
    text = state_json(store)
    assert canonical_json(json.loads(text), indent=2) == text
    assert json.loads(text) == {
        "cursors": {},
        "destination": None,
        "format_version": 1,
        "holds": {},
        "lineage": None,
        "migration": {"name": None, "namespace": None},
        "migrator_version": "",
        "quarantine": {},
        "records": {},
        "runs": [],
        "schema": {},
        "serial": 0,
    }


def test_pre_image_values_are_shown_only_when_asked(store: SqlStateStore) -> None:
    with store.batch() as tx:
        tx.record_written(merged("companies", "oplacrm:accounts:1"))
    address = "record.companies[oplacrm:accounts:1]"
    hidden = json.loads(state_json(store))["records"][address]["pre_image"]
    assert "Existing Co" not in state_json(store)
    assert set(hidden) == {"deleted_at", "updated_at", "values_digest"}
    assert hidden["values_digest"].startswith("sha256:")
    shown = json.loads(state_json(store, include_pre_images=True))["records"][address]
    assert shown["pre_image"]["values"]["name"] == "Existing Co"


def test_the_summary_counts_what_the_state_holds(store: SqlStateStore) -> None:
    fill(store, reverse=False)
    store.acquire_lock("apply")
    text = render_state_summary(summarize_state(store))
    lines = text.splitlines()
    assert "serial:       3" in lines
    assert "destination:  https://crm.example.com (workspace ws-1)" in lines
    assert "records:      31" in lines
    assert "  companies: 1 merged" in lines
    assert "  companies: 30 written" in lines
    assert "quarantine:   1; held: 1 (1 owners waiting)" in lines
    assert "runs:         1 (last: apply run-1 complete)" in lines
    assert any(line.startswith("lock:         ") and "(apply, pid" in line for line in lines)
