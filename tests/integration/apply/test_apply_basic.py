"""Apply a hand-made plan to the sandbox: schema, records in phases, state, journal, audit."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx

from migrator.apply.progress import RecordingProgress
from migrator.model import digest
from migrator.plan.model import DestinationIdentity
from migrator.state import RecordStatus, RunStatus, open_sqlite_state
from tests.integration.apply.conftest import ApplyPlan
from tests.integration.apply.harness import Scenario, records_of, requests_log

STATE = Path(".migrator/test.state.db")


def test_apply_writes_every_record_once_and_records_it(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=30, people_per_company=4, batch_size=40)
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)
    progress = RecordingProgress()

    result = apply_plan(plan, scenario.source(), progress=progress)

    companies = records_of(http, "companies")
    people = records_of(http, "people")
    assert sorted(c["id"] for c in companies) == sorted(c.twenty_id for c in scenario.companies)
    assert sorted(p["id"] for p in people) == sorted(p.twenty_id for p in scenario.people)
    by_id = {p["id"]: p for p in people}
    for wanted in scenario.people:
        assert by_id[wanted.twenty_id]["companyId"] == wanted.payload["companyId"]
        assert by_id[wanted.twenty_id]["migrationSourceId"] == wanted.source_key
    # every record is in the state with its payload digest
    with open_sqlite_state(tmp_path / STATE) as store:
        entries = {e.address: e for e in store.records()}
        assert len(entries) == 150
        for wanted in scenario.companies + scenario.people:
            entry = entries[wanted.address]
            assert entry.twenty_id == wanted.twenty_id
            assert entry.payload_digest == digest(dict(wanted.payload))
            assert entry.status is RecordStatus.WRITTEN
        assert store.schema_resource("field.company.migrationSourceId") is not None
        (run,) = store.runs()
        assert run.status is RunStatus.COMPLETE
        assert run.plan_digest == result.plan_digest
        assert [p.phase for p in run.phases] == ["mapping.companies", "mapping.people"]
        assert all(p.is_balanced for p in run.phases)
        assert run.phases[1].written == 120
    assert [r.counts.written for r in result.phases] == [30, 120]
    assert progress.done == {"mapping.companies": 30, "mapping.people": 120}
    assert progress.notes[0].startswith("Destination: sandbox::memory:")
    # batched: no request carries a single record where a batch exists
    writes = [r for r in requests_log(http) if r["method"] == "POST" and "/batch/" in r["path"]]
    assert len(writes) == 1 + 3  # 30 companies in one batch, 120 people in batches of 40


def test_audit_log_has_a_line_per_record_and_is_private(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=5, people_per_company=2)
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)
    audit = tmp_path / "logs" / "audit.jsonl"

    result = apply_plan(plan, scenario.source(), audit_path=audit)

    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in audit.read_text().splitlines()]
    records = [line for line in lines if line["event"] == "record"]
    assert sorted(r["address"] for r in records) == sorted(
        d.address for d in scenario.companies + scenario.people
    )
    for line in records:
        assert line["run_id"] == result.run_id
        assert line["action"] == "create"
        assert line["payload_digest"].startswith("sha256:")
        assert set(line) == {
            "event",
            "run_id",
            "time",
            "address",
            "action",
            "twenty_id",
            "payload_digest",
            "rules",
        }
    decisions = [line for line in lines if line["event"] == "decision"]
    assert [d["phase"] for d in decisions] == ["mapping.companies", "mapping.people"]
    assert {r["rules"] for r in records} == {d["rules"] for d in decisions}
    text = audit.read_text()
    assert "Company 1" not in text and "p1@example.test" not in text


def test_applying_a_completed_plan_again_does_nothing(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=3, people_per_company=1)
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)
    first = apply_plan(plan, scenario.source())
    http.delete("/_sandbox/requests")

    progress = RecordingProgress()
    again = apply_plan(plan, scenario.source(), progress=progress)

    assert again.run_id == first.run_id and again.requests == 0
    assert "already applied completely" in progress.notes[-1]
    assert [r for r in requests_log(http) if r["method"] != "GET"] == []
