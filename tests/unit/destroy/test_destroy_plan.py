"""The destroy plan read from a real SQLite state: order, kinds of change, schema, budget."""

from __future__ import annotations

import uuid
from pathlib import Path

from migrator.clock import FixedClock
from migrator.destroy.plan import build_destroy_plan, phase_order, schema_deletes
from migrator.identity import twenty_id
from migrator.model import Action
from migrator.plan.build import PlanContext
from migrator.plan.model import DestinationIdentity, PriorState
from migrator.plan.planfile import iter_record_changes, read_plan_header
from migrator.state import open_sqlite_state
from migrator.state.model import (
    Destination,
    PreImage,
    RecordEntry,
    RecordStatus,
    RunKind,
    SchemaKind,
    SchemaResource,
)

NAMESPACE = uuid.UUID("6f0b3a52-1c1e-4a55-9d7e-3b2a1c0d9e8f")
MERGED_ID = "0b6f7a1e-2c3d-4e5f-8a9b-1c2d3e4f5a6b"


def _entry(mapping: str, key: str, obj: str, status: RecordStatus, **extra: object) -> RecordEntry:
    return RecordEntry(
        address=f"record.{mapping}[{key}]",
        mapping=mapping,
        source_key=key,
        twenty_object=obj,
        twenty_id=str(extra.pop("twenty_id", twenty_id(NAMESPACE, key))),
        payload_digest="sha256:" + "0" * 64,
        status=status,
        **extra,  # type: ignore[arg-type]
    )


def _state(path: Path) -> None:
    image = PreImage(
        values={"id": MERGED_ID, "jobTitle": "kept"},
        updated_at="2024-01-01T00:00:00.000Z",
        deleted_at=None,
    )
    gone = PreImage(
        values={"id": "x"},
        updated_at="2024-01-01T00:00:00.000Z",
        deleted_at="2024-02-01T00:00:00.000Z",
    )
    with open_sqlite_state(path, create=True, clock=FixedClock()) as store, store.batch() as tx:
        tx.bind(
            Destination(base_url="sandbox::memory:", workspace_id="w"),
            migration_name="m",
            namespace=str(NAMESPACE),
        )
        tx.start_run(RunKind.APPLY, "sha256:" + "1" * 64)
        for i in range(250):
            tx.record_written(
                _entry("companies", f"opla:accounts:{i}", "company", RecordStatus.WRITTEN)
            )
        tx.record_written(
            _entry(
                "people",
                "opla:contacts:1",
                "person",
                RecordStatus.MERGED,
                twenty_id=MERGED_ID,
                pre_image=image,
            )
        )
        tx.record_written(
            _entry(
                "people",
                "opla:contacts:2",
                "person",
                RecordStatus.RESTORED,
                twenty_id="5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
                pre_image=gone,
            )
        )
        tx.record_written(_entry("people", "opla:contacts:3", "person", RecordStatus.WRITTEN))
        for resource in (
            SchemaResource(
                address="object.invoice", kind=SchemaKind.OBJECT, twenty_id="o1", created_by_us=True
            ),
            SchemaResource(
                address="field.company.oplaScore",
                kind=SchemaKind.FIELD,
                twenty_id="f1",
                created_by_us=True,
            ),
            SchemaResource(
                address="relation.person.owner",
                kind=SchemaKind.RELATION,
                twenty_id="r1",
                created_by_us=True,
            ),
            SchemaResource(
                address="option.opportunity.stage.LOST",
                kind=SchemaKind.OPTION,
                twenty_id="s1",
                created_by_us=True,
                options_before=({"value": "NEW"},),
            ),
            SchemaResource(
                address="field.person.city",
                kind=SchemaKind.FIELD,
                twenty_id="f2",
                created_by_us=False,
            ),
        ):
            tx.record_schema_resource(resource)


def _context() -> PlanContext:
    return PlanContext(
        name="m",
        spec={},
        spec_digest="sha256:" + "2" * 64,
        spec_dir="",
        source=None,
        destination=DestinationIdentity(base_url="sandbox::memory:", workspace_id="w"),
        prior_state=PriorState(lineage="l", serial=1),
        kind="destroy",
    )


def test_phases_go_children_first_with_unknown_mappings_before() -> None:
    order = phase_order(["companies", "people", "old"], ["mapping.companies", "mapping.people"])
    assert order == ["mapping.old", "mapping.people", "mapping.companies"]


def test_the_destroy_plan_deletes_every_record_children_first(tmp_path: Path) -> None:
    _state(tmp_path / "s.db")
    with open_sqlite_state(tmp_path / "s.db") as store:
        header = build_destroy_plan(
            store,
            _context(),
            apply_phases=("mapping.companies", "mapping.people"),
            namespace=NAMESPACE,
            per_minute=100,
            reads_for_plan=3,
            out=tmp_path / "d.plan",
        )
    assert read_plan_header(tmp_path / "d.plan") == header
    changes = list(iter_record_changes(tmp_path / "d.plan"))
    assert [c.phase for c in changes[:3]] == ["mapping.people"] * 3
    assert {c.action for c in changes} == {Action.DELETE} and len(changes) == 253
    merged = next(c for c in changes if c.source_key == "opla:contacts:1")
    assert merged.existing_id == MERGED_ID and "pre-image" in merged.reason
    assert header.kind == "destroy" and header.source is None
    # 250 + 1 destroyed (2 requests of 200), 2 put back (1 upsert), 1 soft-deleted again
    assert header.budget.requests == {
        "batch_destroy": 3,
        "batch_upsert": 1,
        "metadata": 6,
        "patch_one": 1,
    }
    assert header.budget.reads_for_plan == 3
    assert [c.address for c in header.schema_changes] == [
        "option.opportunity.stage.LOST",
        "relation.person.owner",
        "field.company.oplaScore",
        "object.invoice",
    ]


def test_schema_deletes_leave_what_migrator_did_not_create() -> None:
    kept = SchemaResource(
        address="field.person.city", kind=SchemaKind.FIELD, twenty_id="f", created_by_us=False
    )
    assert schema_deletes([kept]) == ()
