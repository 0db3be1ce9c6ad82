"""Delta on the OplaCRM example: 1% of the source changed, 1% added, 1% removed (issue #11).

The sandbox is served on loopback so its request log covers every request of the run. After a
full apply, the bundle copy is edited (notes and activities: bodies changed, rows added with new
ids, rows removed — both mappings say ``on_source_delete: delete``) and its manifest rewritten;
the delta plan holds changes for exactly those source rows (their records and note/task targets),
applying it sends only batch writes for them, verify then exits clean, and a second delta plan
has no changes and its apply would send nothing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from migrator.model import Action
from migrator.plan.planfile import iter_record_changes
from migrator.sandbox.app import make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.sandbox.server import serve_in_thread
from migrator.state import open_sqlite_state
from migrator.workflows.delta import apply_delta, plan_delta
from migrator.workflows.verify import verify
from tests.integration.cutover.conftest import Project

pytestmark = pytest.mark.e2e

EDITS = 3
"""Rows of each of the two objects changed, added and removed (about 1% of ~600 rows each)."""


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _write(data: Path, name: str, rows: list[dict[str, Any]]) -> None:
    """Write ``name``.jsonl and put its new sha256 and count in the manifest."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    (data / f"{name}.jsonl").write_bytes(text)
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["name"] == f"{name}.jsonl":
            entry["sha256"] = hashlib.sha256(text).hexdigest()
            entry["records"] = len(rows)
    (data / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _edit(project: Project, name: str, mapping: str, text_field: str) -> set[str]:
    """Change, add and remove EDITS rows of ``name`` among those in the state; return their ids."""
    with open_sqlite_state(project.root / ".migrator" / "oplacrm-to-twenty.state.db") as store:
        written = {e.source_key.rsplit(":", 1)[1] for e in store.records(mapping)}
    rows = _rows(project.root / "data" / f"{name}.jsonl")
    ours = [r for r in rows if r["id"] in written]
    changed, removed = ours[:EDITS], ours[EDITS : 2 * EDITS]
    added = [
        dict(r, id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}-{i}")))
        for i, r in enumerate(ours[-EDITS:])
    ]
    for row in changed:
        row[text_field] = f"{row[text_field]} (edited at source)"
    gone = {r["id"] for r in removed}
    _write(project.root / "data", name, [r for r in rows if r["id"] not in gone] + added)
    return {r["id"] for r in (*changed, *removed, *added)}


@pytest.fixture
def served(oplacrm: Project) -> Iterator[httpx.Client]:
    """The project's sandbox on loopback; the spec's pacing raised (the sandbox does not limit)."""
    spec = oplacrm.spec_path.read_text(encoding="utf-8")
    oplacrm.spec_path.write_text(
        spec.replace("per_minute: 100, per_second: 100", "per_minute: 100000, per_second: 10000"),
        encoding="utf-8",
    )
    config = SandboxConfig(
        db_path=oplacrm.root / ".migrator" / "sandbox.db",
        members_file=oplacrm.root / "workspace-members.json",
    )
    with make_sandbox(config) as box, serve_in_thread(box) as server:
        oplacrm.environ = {"TWENTY_API_URL": server.url, "TWENTY_API_KEY": box.api_key}
        auth = {"Authorization": f"Bearer {box.api_key}"}
        with httpx.Client(base_url=server.url, headers=auth, timeout=60) as http:
            yield http


def _writes(http: httpx.Client) -> list[dict[str, Any]]:
    log = http.get("/_sandbox/requests").json()["requests"]
    return [r for r in log if r["method"] != "GET" and r["path"].startswith("/rest/")]


def test_delta_plans_and_writes_only_what_changed(oplacrm: Project, served: httpx.Client) -> None:
    oplacrm.apply()
    edited = _edit(oplacrm, "notes", "notes", "body") | _edit(
        oplacrm, "activities", "activities", "subject"
    )
    assert len(edited) == 6 * EDITS  # per object: EDITS changed, EDITS removed, EDITS added

    result = plan_delta(oplacrm.spec_path, environ=oplacrm.environ)
    assert result.header.kind == "delta" and result.path is not None
    changes = list(iter_record_changes(result.path))
    sources = {c.source_key.split(":")[2].split("#")[0] for c in changes}
    assert sources == edited
    actions = {a: sum(1 for c in changes if c.action is a) for a in Action}
    parents = [c for c in changes if c.mapping in ("notes", "activities")]
    assert sum(c.action is Action.UPDATE for c in parents) == 2 * EDITS
    assert sum(c.action is Action.CREATE for c in parents) == 2 * EDITS
    assert sum(c.action is Action.DELETE for c in parents) == 2 * EDITS
    assert result.header.budget.requests.get("batch_destroy", 0) >= 1

    served.delete("/_sandbox/requests")
    applied = apply_delta(result.path, environ=oplacrm.environ)
    assert applied.phases
    writes = _writes(served)
    per_record = [w for w in writes if w["method"] == "POST" and "/rest/batch/" not in w["path"]]
    assert per_record == []
    written = sum(w["recordCount"] or 0 for w in writes if w["method"] == "POST")
    assert written == actions[Action.CREATE] + actions[Action.UPDATE]
    deletes = [w for w in writes if w["method"] == "DELETE"]
    assert deletes and all("id%5Bin%5D" in w["query"] or "id[in]" in w["query"] for w in deletes)
    assert len(writes) <= 12  # a few batches, never one request per record

    with open_sqlite_state(oplacrm.root / ".migrator" / "oplacrm-to-twenty.state.db") as store:
        in_state = {e.source_key.split(":")[2].split("#")[0] for e in store.records()}
    removed = {
        c.source_key.split(":")[2].split("#")[0] for c in parents if c.action is Action.DELETE
    }
    assert not removed & in_state  # their records and their targets are gone from the state

    report = verify(oplacrm.spec_path, environ=oplacrm.environ)
    assert report.ok, report.findings[:3]

    again = plan_delta(oplacrm.spec_path, environ=oplacrm.environ)
    assert not again.header.has_changes


def test_an_unchanged_source_gives_an_empty_delta(oplacrm: Project, served: httpx.Client) -> None:
    oplacrm.apply()
    served.delete("/_sandbox/requests")
    result = plan_delta(oplacrm.spec_path, environ=oplacrm.environ)
    assert not result.header.has_changes and result.header.record_change_count == 0
    assert _writes(served) == []


def test_drift_is_a_conflict_left_alone_unless_overwritten(oplacrm: Project) -> None:
    oplacrm.apply()
    with open_sqlite_state(oplacrm.root / ".migrator" / "oplacrm-to-twenty.state.db") as store:
        entry = next(e for e in store.records("companies") if e.pre_image is None)
    oplacrm.update("companies", entry.twenty_id, {"name": "Edited in Twenty"})

    kept = plan_delta(oplacrm.spec_path, environ={}, refresh=True)
    assert not kept.header.has_changes
    [conflict] = [w for w in kept.header.warnings if w.code == "drift_conflict"]
    assert conflict.addresses == (entry.address,) and conflict.count == 1

    overwritten = plan_delta(oplacrm.spec_path, environ={}, refresh=True, overwrite_drift=True)
    assert overwritten.path is not None
    changes = list(iter_record_changes(overwritten.path))
    assert {c.address for c in changes} == {entry.address}  # the record (and its links, if any)
    [change] = [c for c in changes if c.phase == "mapping.companies"]
    assert change.action is Action.UPDATE
    assert "name" in {d.path for d in change.field_diffs}
    apply_delta(overwritten.path, environ={})
    assert verify(oplacrm.spec_path, environ={}).ok


def test_a_patient_removed_at_source_is_flagged_once(aeronaclinic: Project) -> None:
    aeronaclinic.apply()
    state_path = aeronaclinic.root / ".migrator" / "aeronaclinic-to-twenty.state.db"
    with open_sqlite_state(state_path) as store:
        entry = next(e for e in store.records("patients") if e.pre_image is None)
    source_id = entry.source_key.rsplit(":", 1)[1]
    data = aeronaclinic.root / "data"
    rows = _rows(data / "patients.jsonl")
    _write(data, "patients", [r for r in rows if str(r["patientId"]) != source_id])

    result = plan_delta(aeronaclinic.spec_path, environ={})
    assert result.path is not None
    flagged = [c for c in iter_record_changes(result.path) if c.address == entry.address]
    assert [(c.action, [(d.path, d.after) for d in c.field_diffs]) for c in flagged] == [
        (Action.UPDATE, [("migrationSourceDeleted", True)])
    ]
    counts = next(c for c in result.header.counts if c.mapping == "patients")
    assert counts.is_balanced and counts.links == 1
    apply_delta(result.path, environ={})
    people = aeronaclinic.snapshot()["records"]["people"]
    assert next(p for p in people if p["id"] == entry.twenty_id)["migrationSourceDeleted"] is True

    again = plan_delta(aeronaclinic.spec_path, environ={})
    assert again.path is not None
    assert [c for c in iter_record_changes(again.path) if c.address == entry.address] == []
