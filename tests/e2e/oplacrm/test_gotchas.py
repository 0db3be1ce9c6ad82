"""The Twenty gotchas of the OplaCRM guide (seeds/000), each shown on the applied example.

The OplaCRM gotchas have their own row tests (rows 7, 8, 9); these are Twenty's: import order,
soft-deleted records that count toward uniqueness and are restored, the API rate limit, and the
missing email sequences. (Twenty's 20,000-row export limit does not bind migrator: verify reads
every record back through the API, see test_history.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrator.state.model import RecordStatus
from tests.e2e.project import AppliedExample, Record, apply_example, run_cli, sandbox_http

REFERENCES = {
    "person": ("companyId",),
    "opportunity": ("companyId", "pointOfContactId"),
    "productLine": ("opportunityId", "productId"),
    "invoice": ("opportunityId", "companyId"),
    "taskTarget": ("taskId", "targetCompanyId", "targetPersonId", "targetOpportunityId"),
    "noteTarget": ("noteId", "targetCompanyId", "targetPersonId", "targetOpportunityId"),
    "attachment": ("targetCompanyId", "targetPersonId", "targetOpportunityId"),
}
MERGED_CONTACT = "CONTACT-0000022"
MATCHED_ACCOUNT = "ACCOUNT-000004"
PLURALS = {
    "person": "people",
    "opportunity": "opportunities",
    "productLine": "productLines",
    "invoice": "invoices",
    "taskTarget": "taskTargets",
    "noteTarget": "noteTargets",
    "attachment": "attachments",
}


def _audit(example: AppliedExample) -> list[dict[str, object]]:
    lines = example.audit_log.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_twenty_gotcha_import_order_parents_are_written_first(opla: AppliedExample) -> None:
    events = _audit(opla)
    first: dict[str, int] = {}
    last_schema = max(i for i, e in enumerate(events) if e["event"] == "schema")
    for index, event in enumerate(events):
        if event["event"] == "record" and event["action"] == "create":
            assert index > last_schema  # the data model exists before any record
            first.setdefault(str(event["twenty_id"]), index)
    checked = 0
    for singular, fields in REFERENCES.items():
        for record in opla.records(PLURALS[singular]):
            if str(record["id"]) not in first:
                continue
            for field in fields:
                parent = record.get(field)
                if parent and str(parent) in first:
                    assert first[str(parent)] < first[str(record["id"])], (singular, field)
                    checked += 1
    assert checked >= 300
    # Self references (parent account, parent opportunity) go in a second pass: link events
    # after both records exist.
    links = [e for e in events if e["event"] == "record" and e["action"] == "link"]
    assert len(links) == sum(c.links for c in opla.header.counts) >= 5
    for event in links:
        assert first[str(event["twenty_id"])] < events.index(event)
    # Each phase reports its row counts (the guide's reconciliation per phase).
    phases = [e for e in events if e["event"] == "phase"]
    assert {str(p["counts"]["phase"]) for p in phases} >= {"mapping.companies", "mapping.people"}  # type: ignore[index]


def _rows(root: Path, source_object: str) -> list[Record]:
    text = (root / "data" / f"{source_object}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _existing_records(root: Path) -> None:
    """Before any plan: a person the customer deleted (soft) with a contact's email, and a
    company the customer created with an account's name and address."""
    email = next(c["email"] for c in _rows(root, "contacts") if c["external_id"] == MERGED_CONTACT)
    account = next(a for a in _rows(root, "accounts") if a["external_id"] == MATCHED_ACCOUNT)
    with sandbox_http(root) as http:
        company = {"name": account["name"], "address": {"addressStreet1": account["address"]}}
        http.post("/rest/companies", json=company).raise_for_status()
        body = {
            "name": {"firstName": "Old", "lastName": "Record"},
            "emails": {"primaryEmail": email},
        }
        created = http.post("/rest/people", json=body)
        created.raise_for_status()
        person: Record = created.json()["data"]["createPerson"]
        http.delete(
            f"/rest/people/{person['id']}", params={"soft_delete": "true"}
        ).raise_for_status()


@pytest.fixture(scope="module")
def restored(tmp_path_factory: pytest.TempPathFactory) -> AppliedExample:
    """The example applied over a workspace holding a soft-deleted person and a company that
    match source records."""
    return apply_example(
        "oplacrm", tmp_path_factory.mktemp("opla-restore"), prepare=_existing_records
    )


def test_twenty_gotcha_soft_deleted_records_count_toward_uniqueness_and_are_restored(
    restored: AppliedExample,
) -> None:
    counts = {c.mapping: c for c in restored.header.counts}
    assert counts["people"].restore == 1  # the plan shows it before anything is written
    assert "1 to restore" in restored.plan_run.stdout
    (entry,) = [e for e in restored.state_records("people") if e.status is RecordStatus.RESTORED]
    assert entry.pre_image is not None and entry.pre_image.deleted_at  # destroy puts it back
    person = restored.by_id("people")[entry.twenty_id]
    assert person["deletedAt"] is None
    assert person["name"] == {"firstName": "Trung", "lastName": "Nguyễn Đức"}
    assert person["migrationSourceId"] == entry.source_key
    emails = [p["emails"]["primaryEmail"] for p in restored.snapshot["records"]["people"]]
    assert emails.count(person["emails"]["primaryEmail"]) == 1  # no duplicate was created


def test_twenty_gotcha_rate_limit_requests_are_batched(opla: AppliedExample) -> None:
    budget = opla.header.budget
    assert budget.rate_limit_per_minute == 100  # Twenty's default bucket, not the guide's 200
    creates = {c.mapping: c.create for c in opla.header.counts if c.create}
    assert budget.requests["batch_create"] == sum(-(-n // 200) for n in creates.values())
    data_requests = budget.total_requests - budget.requests.get("metadata", 0)
    assert data_requests * 20 < sum(creates.values())  # far fewer requests than records
    assert "data requests" in opla.apply_run.stdout


def test_twenty_gotcha_no_email_sequences_listed_for_rebuild(opla: AppliedExample) -> None:
    inventory = run_cli(opla.root, "inventory", "migration.yaml")
    assert inventory.exit_code == 0, inventory.output[-2000:]
    assert "| Sequences | 2 |" in inventory.stdout
    for row in opla.rows("sequences"):
        assert row["name"] in inventory.stdout
    assert "sequences" in opla.header.spec["skip"]


def test_row_01_existing_company_matched_by_name_and_address(restored: AppliedExample) -> None:
    counts = {c.mapping: c for c in restored.header.counts}
    assert counts["companies"].merge == 1  # shown in the plan before anything is written
    (entry,) = [e for e in restored.state_records("companies") if e.status is RecordStatus.MERGED]
    assert entry.pre_image is not None  # destroy puts the customer's values back
    company = restored.by_id("companies")[entry.twenty_id]
    assert company["oplaExternalId"] == MATCHED_ACCOUNT  # kept for the next import's match
    assert company["migrationSourceId"] == entry.source_key
    names = [c["name"] for c in restored.records("companies")]
    assert names.count(company["name"]) == 1  # merged into, not duplicated
