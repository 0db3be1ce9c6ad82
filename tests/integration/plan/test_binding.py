"""A plan records exactly what it was made against, and the same inputs give the same bytes.

Planned twice without changes, the file is byte-identical; a changed source record, a changed
spec, another destination and a newer state each change the header's binding (fingerprint, spec
digest, destination, prior state) — and only that part.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from migrator.destination import open_destination
from migrator.errors import LineageMismatch
from migrator.identity import migration_namespace
from migrator.model import Action
from migrator.plan.model import PlanHeader
from migrator.plan.planfile import iter_record_changes, read_plan_header
from migrator.state.location import open_state
from migrator.state.model import Destination, RecordEntry, RecordStatus
from migrator.workflows.plan import plan
from tests.integration.plan.conftest import sandbox_url
from tests.integration.plan.fakes import FakeMapper

STATE = Path(".migrator") / "fake-plan.state.db"


def _plan(project: Path, name: str) -> PlanHeader:
    out = project / name
    result = plan(project / "migration.yaml", environ={}, out=out, mapper_factory=FakeMapper)
    return result.header


def _binding(header: PlanHeader) -> tuple[object, ...]:
    return (header.source, header.spec_digest, header.destination, header.prior_state)


def _edit_first_contact(project: Path) -> None:
    bundle = project / "data"
    path = bundle / "contacts.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    row = json.loads(lines[0])
    row["first_name"] = "Changed"
    lines[0] = json.dumps(row, ensure_ascii=False).encode() + b"\n"
    path.write_bytes(b"".join(lines))
    manifest = json.loads((bundle / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["name"] == "contacts.jsonl":
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest, indent=2))


def _bind_state(project: Path, serials: int) -> None:
    with open_destination(sandbox_url(project), None) as destination:
        identity = destination.identity
    store = open_state(project / STATE, create=True)
    try:
        for serial in range(serials):
            with store.batch() as tx:
                tx.bind(
                    Destination(base_url=identity.base_url, workspace_id=identity.workspace_id),
                    migration_name="fake-plan",
                    namespace=str(migration_namespace("fake-plan")),
                )
                tx.record_written(
                    RecordEntry(
                        address=f"record.people[oplacrm:contacts:gone-{serial}]",
                        mapping="people",
                        source_key=f"oplacrm:contacts:gone-{serial}",
                        twenty_object="person",
                        twenty_id="00000000-0000-4000-8000-00000000000{serial}",
                        payload_digest="sha256:" + "0" * 64,
                        status=RecordStatus.WRITTEN,
                    )
                )
    finally:
        store.close()


def test_the_same_inputs_give_the_same_bytes(project: Path) -> None:
    first = _plan(project, "a.plan")
    second = _plan(project, "b.plan")
    assert (project / "a.plan").read_bytes() == (project / "b.plan").read_bytes()
    assert first == second == read_plan_header(project / "a.plan")
    assert first.prior_state is None and first.source is not None
    assert first.destination.base_url == f"sandbox:{project / '.migrator' / 'sandbox.db'}"
    assert first.spec_dir == str(project)
    assert first.has_changes and first.record_change_count == 46 + 12 + 3


def test_a_changed_source_record_changes_the_fingerprint_and_that_record(project: Path) -> None:
    before = _plan(project, "a.plan")
    _edit_first_contact(project)
    after = _plan(project, "b.plan")
    assert after.source is not None and before.source is not None
    assert after.source.digest != before.source.digest
    assert _binding(after)[1:] == _binding(before)[1:]
    old = {c.address: c.payload_digest for c in iter_record_changes(project / "a.plan")}
    new = {c.address: c.payload_digest for c in iter_record_changes(project / "b.plan")}
    assert [a for a in old if old[a] != new[a]] == [next(a for a in old if "contacts" in a)]


def test_a_changed_spec_changes_the_spec_digest(project: Path) -> None:
    before = _plan(project, "a.plan")
    spec = project / "migration.yaml"
    spec.write_text(spec.read_text().replace("label: Parent", "label: Parent company"))
    after = _plan(project, "b.plan")
    assert after.spec_digest != before.spec_digest
    assert after.spec["schema"]["company"]["fields"]["oplaParent"]["label"] == "Parent company"
    assert (after.source, after.destination, after.prior_state) == (
        before.source,
        before.destination,
        before.prior_state,
    )


def test_another_destination_changes_the_destination(project: Path) -> None:
    before = _plan(project, "a.plan")
    spec = project / "migration.yaml"
    spec.write_text(spec.read_text().replace("sandbox:.migrator/sandbox.db", "sandbox:other.db"))
    after = _plan(project, "b.plan")
    assert after.destination.base_url == f"sandbox:{project / 'other.db'}"
    assert after.destination.workspace_id != before.destination.workspace_id
    assert after.source == before.source and after.prior_state == before.prior_state


def test_a_newer_state_changes_the_prior_state(project: Path) -> None:
    _bind_state(project, 1)
    first = _plan(project, "a.plan")
    _bind_state(project, 2)
    second = _plan(project, "b.plan")
    assert first.prior_state is not None and second.prior_state is not None
    assert first.prior_state.lineage == second.prior_state.lineage
    assert second.prior_state.serial > first.prior_state.serial
    assert (second.source, second.spec_digest, second.destination) == (
        first.source,
        first.spec_digest,
        first.destination,
    )
    # the state's records the source no longer has are reported, not deleted
    (left,) = [w for w in second.warnings if w.code == "not_in_source"]
    assert left.count == 2
    assert all(c.action is not Action.DELETE for c in iter_record_changes(project / "b.plan"))


def test_a_state_of_another_destination_is_refused(project: Path) -> None:
    _bind_state(project, 1)
    spec = project / "migration.yaml"
    spec.write_text(spec.read_text().replace("sandbox:.migrator/sandbox.db", "sandbox:other.db"))
    with pytest.raises(LineageMismatch):
        _plan(project, "a.plan")
