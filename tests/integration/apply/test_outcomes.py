"""What apply does with each kind of change: rejections and their cascade, merges with their
pre-images, restores, second-pass links, and a phase that does not add up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from migrator.errors import ApplyError
from migrator.model import Action, digest
from migrator.plan.model import DestinationIdentity, PriorState
from migrator.plan.payloads import applied_digest, payload_digest, write_payload
from migrator.state import RecordStatus, RunStatus, open_sqlite_state
from tests.integration.apply.conftest import ApplyPlan
from tests.integration.apply.harness import Scenario, link_item, records_of

STATE = Path(".migrator/test.state.db")


def _create(http: httpx.Client, plural: str, body: dict[str, Any]) -> dict[str, Any]:
    response = http.post(f"/rest/{plural}", json=body)
    assert response.status_code == 201, response.text
    (created,) = response.json()["data"].values()
    record: dict[str, Any] = created
    return record


def test_a_rejected_company_is_quarantined_and_its_people_held(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=6, people_per_company=3)
    theirs = _create(
        http,
        "companies",
        {"name": "Theirs", "domainName": {"primaryLinkUrl": "https://c2.example.test"}},
    )
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)
    audit = tmp_path / "audit.jsonl"

    result = apply_plan(plan, scenario.source(), audit_path=audit)

    rejected = scenario.companies[2]
    blocked = [p for p in scenario.people if p.payload["companyId"] == rejected.twenty_id]
    ids = {c["id"] for c in records_of(http, "companies")}
    assert ids == {c.twenty_id for c in scenario.companies if c is not rejected} | {theirs["id"]}
    people_ids = {p["id"] for p in records_of(http, "people")}
    assert people_ids == {p.twenty_id for p in scenario.people if p not in blocked}
    with open_sqlite_state(tmp_path / STATE) as store:
        entry = store.quarantine_entry(rejected.address)
        assert entry is not None and entry.code == "rejected_duplicate"
        assert "c2.example.test" not in entry.reason
        assert entry.run_id == result.run_id
        for person in blocked:
            hold = store.hold_entry(person.address)
            assert hold is not None and hold.code == "parent_not_written"
            assert hold.blocked_by == rejected.address
        (run,) = store.runs()
        companies, people = run.phases
    assert (companies.written, companies.quarantined, companies.source) == (5, 1, 6)
    assert (people.written, people.held, people.source) == (15, 3, 18)
    assert result.phases[0].rejected == 1 and result.phases[1].cascaded == 3
    lines = [json.loads(line) for line in audit.read_text().splitlines()]
    assert {(x["event"], x["address"]) for x in lines if x["event"] in ("quarantine", "hold")} == {
        ("quarantine", rejected.address)
    } | {("hold", p.address) for p in blocked}


def test_merge_and_restore_keep_pre_images_and_resolve_references(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=8, people_per_company=2)
    person = scenario.people[5]
    existing_person = _create(
        http,
        "people",
        {
            "name": {"firstName": "Existing", "lastName": "Person"},
            "emails": {"primaryEmail": str(person.payload["emails"]["primaryEmail"])},
            "jobTitle": "Dentist",
        },
    )
    company = scenario.companies[7]
    gone = _create(
        http,
        "companies",
        {"name": "Old name", "domainName": {"primaryLinkUrl": "https://c7.example.test"}},
    )
    http.delete(f"/rest/companies/{gone['id']}", params={"soft_delete": "true"})
    scenario.actions[person.address] = (Action.MERGE, existing_person["id"])
    scenario.actions[company.address] = (Action.RESTORE, gone["id"])
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)

    apply_plan(plan, scenario.source())

    people = {p["id"]: p for p in records_of(http, "people")}
    merged = people[existing_person["id"]]
    assert person.twenty_id not in people
    assert merged["name"] == {"firstName": "First5", "lastName": "Last5"}
    assert merged["jobTitle"] == "Dentist"  # fields not sent are kept
    assert merged["createdAt"] == existing_person["createdAt"]
    companies = {c["id"]: c for c in records_of(http, "companies")}
    assert company.twenty_id not in companies
    assert companies[gone["id"]]["deletedAt"] is None
    assert companies[gone["id"]]["name"] == "Company 7"
    staff = [p for p in scenario.people if p.payload["companyId"] == company.twenty_id]
    assert {people[p.twenty_id]["companyId"] for p in staff} == {gone["id"]}
    with open_sqlite_state(tmp_path / STATE) as store:
        entry = store.record(person.address)
        assert entry is not None and entry.status is RecordStatus.MERGED
        assert entry.twenty_id == existing_person["id"]
        assert entry.pre_image is not None and entry.pre_image.values["jobTitle"] == "Dentist"
        body = write_payload(person.payload, id_map={}, existing_id=existing_person["id"])
        assert entry.payload_digest == payload_digest(body)
        restored = store.record(company.address)
        assert restored is not None and restored.status is RecordStatus.RESTORED
        assert restored.pre_image is not None and restored.pre_image.deleted_at is not None
        assert restored.pre_image.values["name"] == "Old name"
        (run,) = store.runs()
    assert [(p.written, p.merged) for p in run.phases] == [(7, 1), (15, 1)]


def test_second_pass_links_are_written_by_batch_upsert(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    base = Scenario.make(companies=4, people_per_company=3)
    people = []
    for item in base.people:
        payload = {k: v for k, v in item.payload.items() if k != "companyId"}
        people.append(type(item)(**{**_fields(item), "payload": payload, "depends_on": ()}))
    targets = {c.twenty_id: c for c in base.companies}
    links = [
        link_item(p, "company", targets[str(o.payload["companyId"])])
        for p, o in zip(people, base.people, strict=True)
    ]
    scenario = Scenario(base.companies, people, schema=base.schema, links=links)
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)

    result = apply_plan(plan, scenario.source())

    stored = {p["id"]: p for p in records_of(http, "people")}
    for original in base.people:
        assert stored[original.twenty_id]["companyId"] == original.payload["companyId"]
    assert [r.counts.phase for r in result.phases][-1] == "link.people.company"
    assert result.phases[-1].linked == 12
    with open_sqlite_state(tmp_path / STATE) as store:
        for person, link in zip(people, links, strict=True):
            entry = store.record(person.address)
            assert entry is not None
            record_digest = digest(dict(person.payload))
            assert entry.payload_digest == applied_digest(
                record_digest, [("company", str(link.link.target_id if link.link else ""))]
            )


def _fields(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}


def test_a_phase_that_does_not_add_up_stops_the_run_before_the_next(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=3, people_per_company=2)
    scenario.count_overrides["companies"] = {"source": 4}
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)

    with pytest.raises(ApplyError) as caught:
        apply_plan(plan, scenario.source())

    assert "mapping.companies does not add up: 4 source rows, 3 accounted for" in str(
        caught.value.summary
    )
    assert records_of(http, "people") == []
    assert len(records_of(http, "companies")) == 3
    with open_sqlite_state(tmp_path / STATE) as store:
        (run,) = store.runs()
        assert run.status is RunStatus.PARTIAL
        assert [(p.phase, p.source, p.written) for p in run.phases] == [("mapping.companies", 4, 3)]
        assert sum(c.count for c in store.record_counts()) == 3


def test_deletes_destroy_created_records_and_put_merged_ones_back(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=3, people_per_company=2)
    merged_person = scenario.people[1]
    theirs = _create(
        http,
        "people",
        {
            "name": {"firstName": "Their", "lastName": "Own"},
            "emails": {"primaryEmail": str(merged_person.payload["emails"]["primaryEmail"])},
            "jobTitle": "Nurse",
        },
    )
    scenario.actions[merged_person.address] = (Action.MERGE, theirs["id"])
    apply_plan(scenario.write_plan(tmp_path / "first.gz", plan_identity), scenario.source())
    with open_sqlite_state(tmp_path / STATE) as store:
        meta = store.meta()
    assert meta.lineage is not None
    gone = [scenario.people[0], merged_person]
    deletes = [
        change.model_copy(update={"action": Action.DELETE})
        for change in scenario.changes()
        if change.address in {g.address for g in gone}
    ]
    later = Scenario(scenario.companies, [p for p in scenario.people if p not in gone])
    later.actions = {
        a: (Action.NOOP, None) for a in (x.address for x in later.companies + later.people)
    }
    prior = PriorState(lineage=meta.lineage, serial=meta.serial)
    plan = later.write_plan(tmp_path / "second.gz", plan_identity, prior, changes=deletes)

    apply_plan(plan, later.source())

    people = {p["id"]: p for p in records_of(http, "people")}
    assert scenario.people[0].twenty_id not in people
    assert people[theirs["id"]]["name"] == {"firstName": "Their", "lastName": "Own"}
    assert people[theirs["id"]]["jobTitle"] == "Nurse"
    with open_sqlite_state(tmp_path / STATE) as store:
        assert store.record(scenario.people[0].address) is None
        assert store.record(merged_person.address) is None
        assert store.record(scenario.people[2].address) is not None
