"""The state store keeps every kind of record, moves serial and lineage as promised, and binds."""

from __future__ import annotations

import pydantic
import pytest

from migrator import __version__
from migrator.errors import LineageMismatch, StateLocked
from migrator.state import (
    Destination,
    OwnerQueueEntry,
    PhaseCounts,
    RecordCount,
    RecordDigest,
    RecordStatus,
    RunKind,
    RunStatus,
    SchemaKind,
    SchemaResource,
)
from migrator.state.reader import PAGE_SIZE
from migrator.state.sqlstore import SqlStateStore
from tests.unit.state.conftest import StoreFactory, held, merged, quarantined, written

SANDBOX = Destination(base_url="sandbox:.migrator/sandbox.db", workspace_id="ws-sandbox")
NAMESPACE = "88061255-52e7-5622-8ba5-c768793a5dc5"

OPTION = SchemaResource(
    address="option.opportunity.stage.CLOSE_LOST",
    kind=SchemaKind.OPTION,
    twenty_id="f1e1d000-0000-4000-8000-000000000002",
    created_by_us=False,
    options_before=(
        {"id": "o1", "value": "NEW", "label": "New", "color": "red", "position": 0},
        {"id": "o2", "value": "CUSTOMER", "label": "Customer", "color": "green", "position": 1},
    ),
)
FIELD = SchemaResource(
    address="field.company.oplaHealthscore",
    kind=SchemaKind.FIELD,
    twenty_id="f1e1d000-0000-4000-8000-000000000003",
    created_by_us=True,
)


def test_a_new_store_is_empty_with_serial_zero_and_no_lineage(store: SqlStateStore) -> None:
    meta = store.meta()
    assert (meta.format_version, meta.serial, meta.lineage, meta.destination) == (1, 0, None, None)
    assert meta.is_empty
    assert list(store.records()) == []
    assert store.runs() == ()
    assert store.lock_info() is None


def test_every_record_kind_round_trips_through_a_reopen(make_store: StoreFactory) -> None:
    records = [
        written("companies", "oplacrm:accounts:1", file_ids=("file-b", "file-a", "file-b")),
        merged("companies", "oplacrm:accounts:2"),
        merged("companies", "oplacrm:accounts:3", restored=True),
        written("contacts", "oplacrm:contacts:1", status=RecordStatus.ADOPTED),
    ]
    store = make_store()
    with store.batch(run_id="run-1") as tx:
        tx.bind(SANDBOX, migration_name="oplacrm-to-twenty", namespace=NAMESPACE)
        for entry in records:
            tx.record_written(entry)
        tx.record_schema_resource(OPTION)
        tx.record_schema_resource(FIELD)
        tx.quarantine(quarantined("patients", "aeronaclinic:patients:7"))
        tx.hold(held("opportunities", "oplacrm:opportunities:9"))
        tx.advance_cursor(
            "oplacrm:accounts",
            cursor_field="updated_at",
            last_value="2026-01-01T00:00:00Z",
            boundary_keys=("oplacrm:accounts:2", "oplacrm:accounts:1"),
        )
    store.close()

    again = make_store(create=False)
    stamped = [entry.model_copy(update={"run_id": "run-1"}) for entry in records]
    assert list(again.records()) == stamped
    assert again.record(records[1].address) == stamped[1]
    assert again.record("record.companies[oplacrm:accounts:404]") is None
    assert stamped[0].file_ids == ("file-a", "file-b")
    assert again.schema_resources() == (
        FIELD.model_copy(update={"run_id": "run-1"}),
        OPTION.model_copy(update={"run_id": "run-1"}),
    )
    assert again.schema_resource(OPTION.address) == OPTION.model_copy(update={"run_id": "run-1"})
    [quarantine] = again.quarantined()
    assert (quarantine.code, quarantine.run_id) == ("invalid_nhs_number", "run-1")
    [hold] = again.held()
    assert hold.blocked_by == "oplacrm:users:MNV_009"
    cursor = again.cursor("oplacrm:accounts")
    assert cursor is not None
    assert cursor.boundary_keys == ("oplacrm:accounts:1", "oplacrm:accounts:2")
    assert cursor.updated_serial == 1
    meta = again.meta()
    assert meta.destination == SANDBOX
    assert (meta.migration_name, meta.namespace) == ("oplacrm-to-twenty", NAMESPACE)
    assert meta.migrator_version == __version__


def test_reads_by_mapping_source_key_and_counts(store: SqlStateStore) -> None:
    with store.batch() as tx:
        tx.record_written(written("companies", "oplacrm:accounts:1"))
        tx.record_written(written("company_notes", "oplacrm:accounts:1"))
        tx.record_written(merged("companies", "oplacrm:accounts:2"))
        tx.record_written(written("contacts", "oplacrm:contacts:1"))
    by_key = store.records_by_source_key("oplacrm:accounts:1")
    assert [r.mapping for r in by_key] == ["companies", "company_notes"]
    assert [r.source_key for r in store.records("companies")] == [
        "oplacrm:accounts:1",
        "oplacrm:accounts:2",
    ]
    digests = list(store.record_digests("companies"))
    assert digests == [
        RecordDigest(r.address, r.source_key, r.twenty_id, r.payload_digest, r.status)
        for r in store.records("companies")
    ]
    assert digests[1].status is RecordStatus.MERGED
    assert len(list(store.record_digests())) == 4
    assert store.record_counts() == (
        RecordCount(mapping="companies", status=RecordStatus.MERGED, count=1),
        RecordCount(mapping="companies", status=RecordStatus.WRITTEN, count=1),
        RecordCount(mapping="company_notes", status=RecordStatus.WRITTEN, count=1),
        RecordCount(mapping="contacts", status=RecordStatus.WRITTEN, count=1),
    )


def test_records_iterate_across_pages_in_address_order(store: SqlStateStore) -> None:
    total = PAGE_SIZE * 2 + 7
    for start in range(0, total, 200):
        with store.batch() as tx:
            for n in range(start, min(start + 200, total)):
                tx.record_written(written("m", f"s:o:{n}"))
                tx.record_written(written("other", f"s:o:{n}"))
    addresses = [r.address for r in store.records("m")]
    assert len(addresses) == total
    assert addresses == sorted(addresses)
    assert len(list(store.records())) == 2 * total


def test_first_write_mints_lineage_and_each_changed_batch_bumps_serial_once(
    store: SqlStateStore,
) -> None:
    with store.batch() as tx:
        for n in range(200):
            tx.record_written(written("m", f"s:o:{n}"))
    first = store.meta()
    assert first.serial == 1
    assert first.lineage == "00000000-0000-0000-0000-000000000001"

    with store.batch() as tx:  # the same content again: nothing changes
        for n in range(200):
            tx.record_written(written("m", f"s:o:{n}"))
    assert store.meta().serial == 1

    with store.batch() as tx:
        tx.record_written(written("m", "s:o:5", digest="sha256:bb"))
        tx.record_written(written("m", "s:o:6", digest="sha256:bb"))
    after = store.meta()
    assert (after.serial, after.lineage) == (2, first.lineage)

    with store.batch() as tx:
        tx.forget_record("record.m[s:o:404]")  # nothing to forget: no change
    assert store.meta().serial == 2


def test_a_failed_batch_writes_nothing(store: SqlStateStore) -> None:
    with store.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
    with pytest.raises(RuntimeError, match="Twenty refused"), store.batch() as tx:
        tx.record_written(written("m", "s:o:2"))
        tx.quarantine(quarantined("m", "s:o:3"))
        raise RuntimeError("Twenty refused the batch")
    assert [r.source_key for r in store.records()] == ["s:o:1"]
    assert list(store.quarantined()) == []
    assert store.meta().serial == 1


def test_writing_a_record_releases_it_from_quarantine_and_holds(store: SqlStateStore) -> None:
    with store.batch() as tx:
        tx.quarantine(quarantined("m", "s:o:1"))
        tx.hold(held("m", "s:o:2"))
        tx.hold(held("m", "s:o:3"))
    with store.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
        tx.record_written(written("m", "s:o:2"))
        tx.quarantine(quarantined("m", "s:o:3"))  # a hold becomes a quarantine
    assert [q.source_key for q in store.quarantined()] == ["s:o:3"]
    assert list(store.held()) == []


def test_calls_in_one_batch_take_effect_in_order(store: SqlStateStore) -> None:
    with store.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
        tx.forget_record("record.m[s:o:1]")
        tx.record_written(written("m", "s:o:2"))
        tx.forget_record("record.m[s:o:2]")
        tx.record_written(written("m", "s:o:2", digest="sha256:cc"))
        tx.hold(held("m", "s:o:3"))
        tx.release("record.m[s:o:3]")
    assert [(r.source_key, r.payload_digest) for r in store.records()] == [("s:o:2", "sha256:cc")]
    assert list(store.held()) == []


def test_schema_resources_and_cursors_can_be_forgotten(store: SqlStateStore) -> None:
    with store.batch() as tx:
        tx.record_schema_resource(FIELD)
        tx.advance_cursor("s:o", cursor_field="updated_at", last_value=5)
    with store.batch() as tx:
        tx.forget_schema_resource(FIELD.address)
        tx.forget_cursor("s:o")
    assert store.schema_resources() == ()
    assert store.cursors() == ()
    assert store.meta().serial == 2


def test_a_cursor_moves_with_its_records_and_records_that_serial(store: SqlStateStore) -> None:
    with store.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
        tx.advance_cursor(
            "s:o", cursor_field="updated_at", last_value="2026-01-01", initial_value=0
        )
    with store.batch() as tx:
        tx.record_written(written("m", "s:o:2"))
        tx.advance_cursor(
            "s:o", cursor_field="updated_at", last_value="2026-01-02", boundary_keys=("s:o:2",)
        )
    cursor = store.cursor("s:o")
    assert cursor is not None
    assert (cursor.last_value, cursor.initial_value, cursor.updated_serial) == ("2026-01-02", 0, 2)
    with store.batch() as tx:  # the same cursor again: no change, serial stays
        tx.advance_cursor(
            "s:o", cursor_field="updated_at", last_value="2026-01-02", boundary_keys=("s:o:2",)
        )
    assert store.meta().serial == 2
    assert store.cursors() == (cursor,)


def test_the_journal_records_runs_phases_and_the_serials_each_run_wrote(
    store: SqlStateStore, clock: object
) -> None:
    run = store.start_run(RunKind.APPLY, "sha256:plan")
    assert (run.status, run.first_serial, run.last_serial) == (RunStatus.RUNNING, 1, 1)
    assert run.started_at == "2026-01-01T00:00:00.000Z"
    with store.batch(run_id=run.run_id) as tx:
        tx.record_written(written("m", "s:o:1"))
        tx.record_phase(run.run_id, PhaseCounts(phase="mapping.m", source=3, written=1, held=2))
    with store.batch(run_id=run.run_id) as tx:
        tx.record_phase(run.run_id, PhaseCounts(phase="link.m.parent", source=1, written=1))
        tx.record_phase(run.run_id, PhaseCounts(phase="mapping.m", source=3, written=3))
    done = store.finish_run(run.run_id, RunStatus.COMPLETE)
    assert (done.first_serial, done.last_serial) == (1, 4)
    assert done.status is RunStatus.COMPLETE
    assert done.finished_at == "2026-01-01T00:00:00.000Z"
    assert [p.phase for p in done.phases] == ["mapping.m", "link.m.parent"]
    assert done.phases[0].written == 3
    assert all(p.is_balanced for p in done.phases)
    assert store.record("record.m[s:o:1]").run_id == run.run_id  # type: ignore[union-attr]

    other = store.start_run(RunKind.DELTA, "sha256:plan2", run_id="explicit-run")
    assert [r.run_id for r in store.runs()] == [run.run_id, "explicit-run"]
    assert other.first_serial == 5
    with pytest.raises(KeyError, match="no run"), store.batch() as tx:
        tx.finish_run("missing", RunStatus.FAILED)


def test_phase_counts_say_when_they_do_not_add_up() -> None:
    counts = PhaseCounts(phase="mapping.m", source=10, written=5, merged=1, deduplicated=1)
    assert counts.accounted == 7
    assert not counts.is_balanced
    with pytest.raises(pydantic.ValidationError):
        PhaseCounts(phase="x", source=-1)


def test_owner_queue_groups_held_records_by_owner(store: SqlStateStore) -> None:
    with store.batch() as tx:
        tx.hold(held("m", "s:o:1", owner="oplacrm:users:A"))
        tx.hold(held("m", "s:o:2", owner="oplacrm:users:A"))
        tx.hold(held("n", "s:o:3", owner="oplacrm:users:B"))
        parent = held("n", "s:o:4").model_copy(
            update={"code": "parent_not_written", "blocked_by": "record.m[s:o:1]"}
        )
        tx.hold(parent)
    queue = store.owner_queue()
    assert [(q.owner_key, q.records_held) for q in queue] == [
        ("oplacrm:users:A", 2),
        ("oplacrm:users:B", 1),
    ]
    assert isinstance(queue[0], OwnerQueueEntry)
    assert [h.source_key for h in store.held("n")] == ["s:o:3", "s:o:4"]


def test_binding_is_set_once_and_checked(store: SqlStateStore) -> None:
    store.check_binding("https://crm.example.com", "ws-1")  # unbound: anything goes
    with store.batch() as tx:
        tx.bind(
            Destination(base_url="HTTPS://CRM.example.com/", workspace_id="ws-1"),
            migration_name="m",
            namespace=NAMESPACE,
        )
    store.check_binding("https://crm.example.com", "ws-1")
    with pytest.raises(LineageMismatch) as caught:
        store.check_binding("sandbox:.migrator/sandbox.db", "ws-sandbox")
    error = caught.value
    assert error.summary == (
        "the state belongs to another destination: https://crm.example.com (workspace ws-1), "
        "not sandbox:.migrator/sandbox.db (workspace ws-sandbox)"
    )
    assert "point the spec's destination back at https://crm.example.com" in error.hint
    assert "--state PATH" in error.hint

    serial = store.meta().serial
    with pytest.raises(LineageMismatch), store.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
        tx.bind(SANDBOX, migration_name="m", namespace=NAMESPACE)
    assert store.meta().serial == serial
    assert list(store.records()) == []


def test_binding_refuses_another_migration_namespace(store: SqlStateStore) -> None:
    with store.batch() as tx:
        tx.bind(SANDBOX, migration_name="first", namespace=NAMESPACE)
    mismatch = "belongs to migration 'first', not 'second'"
    with pytest.raises(LineageMismatch, match=mismatch), store.batch() as tx:
        tx.bind(SANDBOX, migration_name="second", namespace="another")
    with store.batch() as tx:  # binding again to the same is a no-op
        tx.bind(SANDBOX, migration_name="first", namespace=NAMESPACE)
    assert store.meta().serial == 1


def test_entries_refuse_inconsistent_addresses_and_missing_pre_images() -> None:
    with pytest.raises(pydantic.ValidationError, match="address must be"):
        written("m", "s:o:1", address="record.m[s:o:2]")
    with pytest.raises(pydantic.ValidationError, match="pre-image"):
        written("m", "s:o:1", status=RecordStatus.MERGED)
    with pytest.raises(pydantic.ValidationError, match="address must be"):
        quarantined("m", "s:o:1").model_validate(
            {**quarantined("m", "s:o:1").model_dump(), "mapping": "n"}
        )
    with pytest.raises(pydantic.ValidationError):
        quarantined("m", "s:o:1", code="Not A Code")


def test_a_batch_is_refused_while_another_store_holds_the_lock(
    make_store: StoreFactory,
) -> None:
    holder, other = make_store(), make_store()
    holder.acquire_lock("apply")
    locked = r"state is locked by .* \(apply\)"
    with pytest.raises(StateLocked, match=locked), other.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
    with holder.batch() as tx:
        tx.record_written(written("m", "s:o:1"))
    holder.release_lock()
    with other.batch() as tx:
        tx.record_written(written("m", "s:o:2"))
    assert other.meta().serial == 2
