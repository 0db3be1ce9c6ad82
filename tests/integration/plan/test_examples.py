"""Both examples planned against a fresh sandbox with the real mapper (issue #8, done when).

A second plan without changes is byte-identical to the first; a changed source record, a
changed spec, another destination and a newer state each change what the plan says it was made
against. Every mapping's counts add up, and the embedded spec is the spec.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from migrator.destination import open_destination
from migrator.identity import migration_namespace
from migrator.plan.model import PlanHeader
from migrator.plan.planfile import iter_record_changes
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import load_spec
from migrator.state.location import open_state
from migrator.state.model import Destination, RecordEntry, RecordStatus
from migrator.workflows.plan import plan
from migrator.workflows.spec_inputs import resolve_destination_url
from tests.conftest import REPO_ROOT

#: Per example: a source file whose first record becomes a written record, and a field of it
#: that its mapping writes.
EDITS = {"oplacrm": ("notes.jsonl", "title"), "aeronaclinic": ("clinical_notes.jsonl", "text")}


@pytest.fixture(params=sorted(EDITS))
def example(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A copy of one example (spec and bundle) in a fresh folder: a fresh sandbox."""
    root = tmp_path / str(request.param)
    shutil.copytree(
        REPO_ROOT / "examples" / str(request.param),
        root,
        ignore=shutil.ignore_patterns(".migrator", "*.plan"),
    )
    return root


def _plan(root: Path, name: str) -> PlanHeader:
    return plan(root / "migration.yaml", environ={}, out=root / name).header


def _edit_first_record(root: Path) -> None:
    file_name, field = EDITS[root.name]
    path = root / "data" / file_name
    lines = path.read_bytes().splitlines(keepends=True)
    row = json.loads(lines[0])
    row[field] = f"{row[field]} (edited)"
    lines[0] = json.dumps(row, ensure_ascii=False).encode() + b"\n"
    path.write_bytes(b"".join(lines))
    manifest_path = root / "data" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["name"] == file_name:
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


def _write_state(root: Path, spec: MigrationSpec, serial: int) -> None:
    """One committed state write (a record the source does not have) bound to the sandbox."""
    url = resolve_destination_url(spec.destination.url, root)
    with open_destination(url, None) as destination:
        identity = destination.identity
    mapping = next(iter(spec.objects))
    key = f"{spec.source.system}:gone:{serial}"
    entry = RecordEntry(
        address=f"record.{mapping}[{key}]",
        mapping=mapping,
        source_key=key,
        twenty_object=spec.objects[mapping].to,
        twenty_id=f"00000000-0000-4000-8000-{serial:012d}",
        payload_digest="sha256:" + "0" * 64,
        status=RecordStatus.WRITTEN,
    )
    bound = Destination(base_url=identity.base_url, workspace_id=identity.workspace_id)
    store = open_state(root / spec.state_path, create=True)
    try:
        with store.batch() as tx:
            tx.bind(bound, migration_name=spec.name, namespace=str(migration_namespace(spec.name)))
            tx.record_written(entry)
    finally:
        store.close()


def test_a_second_plan_is_byte_identical_and_counts_add_up(example: Path) -> None:
    first = _plan(example, "a.plan")
    second = _plan(example, "b.plan")
    assert (example / "a.plan").read_bytes() == (example / "b.plan").read_bytes()
    assert first == second
    spec = load_spec(example / "migration.yaml", environ={}).spec
    assert MigrationSpec.model_validate(first.spec) == spec
    assert first.prior_state is None and first.has_changes
    assert all(c.is_balanced for c in first.counts), [c for c in first.counts if not c.is_balanced]
    assert {c.mapping for c in first.counts} >= set(spec.all_mappings())
    changes = list(iter_record_changes(example / "a.plan"))
    assert len(changes) == first.record_change_count
    assert [c.phase for c in changes] == sorted((c.phase for c in changes), key=first.phases.index)


def test_each_input_changes_what_the_plan_was_made_against(example: Path) -> None:
    spec = load_spec(example / "migration.yaml", environ={}).spec
    base = _plan(example, "base.plan")

    _edit_first_record(example)
    edited = _plan(example, "edited.plan")
    assert edited.source != base.source
    assert (edited.spec_digest, edited.destination, edited.prior_state) == (
        base.spec_digest,
        base.destination,
        base.prior_state,
    )
    old = {
        (c.phase, c.address): c.payload_digest for c in iter_record_changes(example / "base.plan")
    }
    new = {
        (c.phase, c.address): c.payload_digest for c in iter_record_changes(example / "edited.plan")
    }
    assert old.keys() == new.keys()
    assert len([k for k in old if old[k] != new[k]]) == 1

    text = (example / "migration.yaml").read_text(encoding="utf-8")
    (example / "migration.yaml").write_text(
        text.replace("  concurrency: 4", "  concurrency: 3", 1), encoding="utf-8"
    )
    respec = _plan(example, "respec.plan")
    assert respec.spec_digest != edited.spec_digest
    assert respec.spec["destination"]["concurrency"] == 3
    assert (respec.source, respec.destination, respec.prior_state) == (
        edited.source,
        edited.destination,
        edited.prior_state,
    )
    (example / "migration.yaml").write_text(text, encoding="utf-8")

    elsewhere = example.parent / f"{example.name}-elsewhere.db"
    (example / "migration.yaml").write_text(
        text.replace("sandbox:.migrator/sandbox.db", f"sandbox:{elsewhere}"), encoding="utf-8"
    )
    moved = _plan(example, "moved.plan")
    assert moved.destination.base_url == f"sandbox:{elsewhere}"
    assert moved.destination != edited.destination
    assert (moved.source, moved.prior_state) == (edited.source, edited.prior_state)
    (example / "migration.yaml").write_text(text, encoding="utf-8")

    _write_state(example, spec, 0)
    older = _plan(example, "older.plan")
    _write_state(example, spec, 1)
    newer = _plan(example, "newer.plan")
    assert older.prior_state is not None and newer.prior_state is not None
    assert older.prior_state.lineage == newer.prior_state.lineage
    assert newer.prior_state.serial > older.prior_state.serial
    assert (newer.source, newer.spec_digest, newer.destination) == (
        edited.source,
        edited.spec_digest,
        edited.destination,
    )
