"""A destroyed record whose text embeds images also destroys the attachments holding them."""

from __future__ import annotations

import uuid
from pathlib import Path

from migrator.apply.inline_images import attachment_ids, embedded_attachment_ids
from migrator.clock import FixedClock
from migrator.destroy.plan import build_destroy_plan
from migrator.plan.build import PlanContext
from migrator.plan.model import DestinationIdentity, PriorState
from migrator.state import open_sqlite_state
from migrator.state.model import Destination, RecordEntry, RecordStatus, RunKind

NAMESPACE = uuid.UUID("6f0b3a52-1c1e-4a55-9d7e-3b2a1c0d9e8f")
NOTE_ID = "0b6f7a1e-2c3d-4e5f-8a9b-1c2d3e4f5a6b"
FILES = ("1a6f7a1e-2c3d-4e5f-8a9b-1c2d3e4f5a6b", "2b6f7a1e-2c3d-4e5f-8a9b-1c2d3e4f5a6b")


def _entry(
    mapping: str, number: int, obj: str, twenty_id: str, files: tuple[str, ...]
) -> RecordEntry:
    return RecordEntry(
        address=f"record.{mapping}[aeronaclinic:{mapping}:{number}]",
        mapping=mapping,
        source_key=f"aeronaclinic:{mapping}:{number}",
        twenty_object=obj,
        twenty_id=twenty_id,
        payload_digest="sha256:" + "0" * 64,
        status=RecordStatus.WRITTEN,
        file_ids=files,
    )


def test_attachment_ids_are_derived_from_the_record_and_position() -> None:
    first = attachment_ids(NOTE_ID, 2)
    assert first == attachment_ids(NOTE_ID, 2) and len(set(first)) == 2
    assert attachment_ids(NOTE_ID, 1) == first[:1]
    assert embedded_attachment_ids("note", NOTE_ID, FILES) == first
    assert embedded_attachment_ids("attachment", NOTE_ID, FILES[:1]) == []
    assert embedded_attachment_ids("note", NOTE_ID, ()) == []


def test_the_destroy_budget_counts_the_embedded_images_attachments(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with open_sqlite_state(path, create=True, clock=FixedClock()) as store, store.batch() as tx:
        tx.bind(Destination(base_url="sandbox::memory:", workspace_id="w"), migration_name="m",
                namespace=str(NAMESPACE))  # fmt: skip
        tx.start_run(RunKind.APPLY, "sha256:" + "1" * 64)
        tx.record_written(_entry("clinical_notes", 1, "note", NOTE_ID, FILES))
        tx.record_written(_entry("clinical_notes", 2, "note", str(uuid.uuid4()), ()))
        tx.record_written(_entry("documents", 1, "attachment", str(uuid.uuid4()), FILES[:1]))
    context = PlanContext(
        name="m", spec={}, spec_digest="sha256:" + "2" * 64, spec_dir="", source=None,
        destination=DestinationIdentity(base_url="sandbox::memory:", workspace_id="w"),
        prior_state=PriorState(lineage="l", serial=1), kind="destroy",
    )  # fmt: skip
    with open_sqlite_state(path) as store:
        header = build_destroy_plan(
            store, context, apply_phases=("mapping.clinical_notes", "mapping.documents"),
            namespace=NAMESPACE, per_minute=100, reads_for_plan=0, out=tmp_path / "d.plan",
        )  # fmt: skip
    # notes (1 request), attachments (1), the note's two embedded images' attachments (1)
    assert header.budget.requests["batch_destroy"] == 3
    (warning,) = [w for w in header.warnings if w.code == "uploaded_files"]
    assert len(warning.addresses) == 2
