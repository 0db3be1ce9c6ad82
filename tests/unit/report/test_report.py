"""The hand-off report is a view of the state joined with the spec and the bundle.

The state is filled through the StateStore write primitives, as apply fills it: a bound state, a
complete run with per-phase counts, written records (some locked, some in joint groups, the
invoices), a quarantined account and contacts held for an owner without a member.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from migrator import workflows
from migrator.addresses import record_address
from migrator.report.model import HandoffReport
from migrator.report.render import to_json, to_markdown
from migrator.state import (
    Destination,
    HoldEntry,
    PhaseCounts,
    QuarantineEntry,
    RecordEntry,
    RecordStatus,
    RunKind,
    RunStatus,
    open_sqlite_state,
    owner_email_hash,
)
from tests.integration.preflight.workspace import make_example, read_objects

STATE = ".migrator/oplacrm-to-twenty.state.db"


def _twenty_id(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def _written(mapping: str, obj: str, key: str) -> RecordEntry:
    return RecordEntry(
        address=record_address(mapping, key),
        mapping=mapping,
        source_key=key,
        twenty_object=obj,
        twenty_id=_twenty_id(key),
        payload_digest="sha256:" + "0" * 64,
        status=RecordStatus.WRITTEN,
    )


def _fill_state(folder: Path, bundle: Path) -> dict[str, Any]:
    accounts = read_objects(bundle, "accounts")
    contacts = read_objects(bundle, "contacts")
    opportunities = read_objects(bundle, "opportunities")
    invoices = read_objects(bundle, "invoices")
    bad = accounts[0]["id"]
    held = [c["id"] for c in contacts[:3]]
    store = open_sqlite_state(folder / STATE, create=True)
    with store.batch() as tx:
        tx.bind(
            Destination(base_url="sandbox:/tmp/x.db", workspace_id="ws-1"),
            migration_name="oplacrm-to-twenty",
            namespace=str(uuid.uuid4()),
        )
    run = store.start_run(RunKind.APPLY, "sha256:" + "1" * 64)
    with store.batch(run_id=run.run_id) as tx:
        for row in accounts[1:]:
            tx.record_written(_written("companies", "company", f"oplacrm:accounts:{row['id']}"))
        for row in opportunities:
            tx.record_written(
                _written("opportunities", "opportunity", f"oplacrm:opportunities:{row['id']}")
            )
        for row in invoices:
            tx.record_written(_written("invoices", "invoice", f"oplacrm:invoices:{row['id']}"))
        key = f"oplacrm:accounts:{bad}"
        tx.quarantine(
            QuarantineEntry(
                address=record_address("companies", key),
                mapping="companies",
                source_key=key,
                code="missing_required",
                reason="name is missing",
            )
        )
        for ident in held:
            key = f"oplacrm:contacts:{ident}"
            tx.hold(
                HoldEntry(
                    address=record_address("people", key),
                    mapping="people",
                    source_key=key,
                    code="owner_unresolved",
                    reason="owner has no workspace member",
                    blocked_by="oplacrm:users:MNV_009",
                    owner_email_hash=owner_email_hash("someone@example.invalid"),
                )
            )
        tx.record_phase(
            run.run_id,
            PhaseCounts(
                phase="mapping.companies",
                source=len(accounts),
                written=len(accounts) - 1,
                quarantined=1,
            ),
        )
        tx.record_phase(
            run.run_id,
            PhaseCounts(
                phase="mapping.people", source=len(contacts), written=len(contacts) - 4, held=3
            ),
        )
    store.finish_run(run.run_id, RunStatus.COMPLETE)
    store.close()
    return {
        "run": run.run_id,
        "bad": bad,
        "held": held,
        "opportunities": opportunities,
        "invoices": invoices,
        "accounts": accounts,
    }


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[HandoffReport, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("report")
    spec, _ = make_example(folder, "oplacrm", records=500, seed=9, dirty_rate=0.05)
    facts = _fill_state(folder, folder / "data")
    return workflows.report(spec, environ={}), facts


def test_runs_carry_their_per_phase_reconciliation(
    filled: tuple[HandoffReport, dict[str, Any]],
) -> None:
    report, facts = filled
    [run] = report.runs
    assert (run.run_id, run.kind, run.status) == (facts["run"], "apply", "complete")
    phases = {p.phase: p for p in run.phases}
    assert phases["mapping.companies"].is_balanced
    assert not phases["mapping.people"].is_balanced  # 1 contact unaccounted for
    assert not run.is_balanced
    markdown = to_markdown(report)
    assert "NOT balanced" in markdown and "| mapping.people |" in markdown


def test_quarantine_holds_and_owner_queue(filled: tuple[HandoffReport, dict[str, Any]]) -> None:
    report, facts = filled
    [entry] = report.quarantine
    assert (
        entry.source_key == f"oplacrm:accounts:{facts['bad']}" and entry.code == "missing_required"
    )
    [group] = report.held
    assert (group.mapping, group.code, group.count) == ("people", "owner_unresolved", 3)
    [owner] = report.owner_queue
    assert owner.records_held == 3 and owner.owner_email_hash == owner_email_hash(
        "someone@example.invalid"
    )


def test_locked_records_with_their_twenty_ids_and_steps(
    filled: tuple[HandoffReport, dict[str, Any]],
) -> None:
    report, facts = filled
    locked = report.locked
    assert locked.flag_fields == {
        "company": "oplaLocked",
        "person": "oplaLocked",
        "opportunity": "oplaLocked",
    }
    expected = {
        f"oplacrm:opportunities:{o['id']}" for o in facts["opportunities"] if o.get("locked")
    }
    on_opps = {r.source_key: r for r in locked.records if r.mapping == "opportunities"}
    assert set(on_opps) == expected
    assert all(
        r.twenty_id == _twenty_id(r.source_key) and r.state == "written" for r in on_opps.values()
    )
    people = [r for r in locked.records if r.mapping == "people"]
    assert all(r.twenty_id is None for r in people)
    assert any("Settings → Roles" in step for step in locked.instructions)


def test_joint_opportunity_table(filled: tuple[HandoffReport, dict[str, Any]]) -> None:
    report, facts = filled
    joint = report.joint
    assert joint is not None and (joint.field, joint.mode) == ("oplaJointOpportunity", "relation")
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in facts["opportunities"]:
        if row.get("opportunities_joint_id"):
            groups.setdefault(row["opportunities_joint_id"], []).append(row)
    assert {link.group for link in joint.links} == set(groups)
    for link in joint.links:
        members = sorted(groups[link.group], key=lambda r: (r["created_at"], r["id"]))
        if len(members) == 1:
            assert link.linked_source_key is None
            continue
        first = f"oplacrm:opportunities:{members[0]['id']}"
        second = f"oplacrm:opportunities:{members[1]['id']}"
        assert link.linked_source_key == (second if link.source_key == first else first)
        assert link.linked_twenty_id == _twenty_id(link.linked_source_key)


def test_renumbered_invoices(filled: tuple[HandoffReport, dict[str, Any]]) -> None:
    report, facts = filled
    rows = {r.source_key: r for r in report.renumbered}
    assert len(rows) == len(facts["invoices"])
    for invoice in facts["invoices"]:
        row = rows[f"oplacrm:invoices:{invoice['id']}"]
        assert (row.source_value, row.twenty_value) == (
            invoice["invoice_number"],
            "opla_" + invoice["invoice_number"],
        )
        assert row.twenty_id == _twenty_id(row.source_key)


def test_lossy_mappings_cover_the_guide_rows(filled: tuple[HandoffReport, dict[str, Any]]) -> None:
    report, _ = filled
    flagged = {m.topic for m in report.lossy if m.flagged_by_guide}
    assert flagged == {"healthscore", "locked", "custom field"}
    unmapped = [m for m in report.lossy if m.target == "not migrated" and m.topic == "custom field"]
    assert [m.source for m in unmapped] == ["leads.custom_fields.nguon_chi_tiet"]
    assert {m.source for m in report.lossy if m.topic == "renamed"} == {"address", "name"}


def test_json_is_the_same_report(filled: tuple[HandoffReport, dict[str, Any]]) -> None:
    report, _ = filled
    document = json.loads(to_json(report))
    assert document["runs"][0]["balanced"] is False
    assert len(document["quarantine"]) == 1 and document["serial"] == report.serial > 0
    assert to_json(report) == to_json(report)


def test_without_a_state_the_report_says_nothing_was_applied(tmp_path: Path) -> None:
    spec, _ = make_example(tmp_path, "aeronaclinic", records=300, seed=9)
    report = workflows.report(spec, environ={})
    assert report.state_location is None and not report.runs
    plans = read_objects(tmp_path / "data", "care_plans")
    assert plans
    assert [c.source_key for c in report.care_plans] == [
        f"aeronaclinic:care_plans:{p['carePlanId']}" for p in plans
    ]
    assert [c.instalments for c in report.care_plans] == [len(p["instalments"]) for p in plans]
    assert "No state yet" in to_markdown(report)
    assert report.joint is None and not report.renumbered
