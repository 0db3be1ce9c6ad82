"""Companies, people and opportunities from a tiny OplaCRM bundle: exact payloads and fates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from migrator.identity import twenty_id
from migrator.mapping.model import Fate, Link, UniqueValue
from migrator.model import digest
from tests.unit.mapping.helpers import (
    NAMESPACE,
    Run,
    conserved,
    member_id,
    run_all,
    setup,
    spec_document,
)

A1, A2, A3, A4 = (f"a0000000-0000-4000-8000-00000000000{i}" for i in range(1, 5))
C1, C2, C3, C4 = (f"c0000000-0000-4000-8000-00000000000{i}" for i in range(1, 5))
O1, O2, O3, O4 = (f"e0000000-0000-4000-8000-00000000000{i}" for i in range(1, 5))
JOINT = "f0000000-0000-4000-8000-000000000001"
MEMBER = "owner.one@example.com"

USERS: list[dict[str, Any]] = [
    {"id": "b0000000-0000-4000-8000-000000000001", "external_id": "MNV_001", "email": MEMBER},
    {"id": "b0000000-0000-4000-8000-000000000002", "external_id": "MNV_002",
     "email": "gone@alumni.example.net"},
]  # fmt: skip
DEFINITIONS: list[dict[str, Any]] = [
    {"id": "cf-001", "object_type": "ACCOUNT", "name": "Quận", "key": "quan",
     "data_type": "SELECT", "options": [{"id": "opt-1", "value": "Quận 1"}]},
]  # fmt: skip
PHONE = {"phone": "0984849251", "call_code": "+84", "country_code": "VN"}
ACCOUNTS: list[dict[str, Any]] = [
    {"id": A1, "external_id": "ACC-1", "name": "Công ty Việt Tiến", "website": "Example.COM/",
     "email": "LienHe@Example.com; sales@example.com", "phone": PHONE, "address": "1 Pasteur",
     "healthscore": "72.5", "locked": True, "tags": ["Chuỗi", "VIP"], "owner_id": "MNV_001",
     "created_at": "2025-09-27T08:33:35.005+07:00", "updated_at": "2025-12-03T14:22:42.463Z",
     "custom_field_values": [{"custom_field_id": "cf-001", "key": "quan", "value": "opt-1"}]},
    {"id": A2, "name": "Chi nhánh", "parent_account_id": A1, "owner_id": "MNV_002"},
    {"id": A3, "name": "Trùng tên miền", "website": "https://example.com"},
    {"id": A4, "website": "other.example.org"},
]  # fmt: skip
CONTACTS: list[dict[str, Any]] = [
    {"id": C1, "account_id": A1, "first_name": "Châu", "last_name": "Nguyễn Văn",
     "email": "Chau@Example.com", "owner_id": "MNV_001", "job_title": "Giám đốc"},
    {"id": C2, "account_id": A2, "first_name": "Hà", "email": "ha@example.com"},
    {"id": C3, "account_id": A1, "first_name": "Châu", "email": "chau@example.com"},
    {"id": C4, "account_id": "a0000000-0000-4000-8000-0000000000ff", "first_name": "Mồ côi"},
]  # fmt: skip
OPPORTUNITIES: list[dict[str, Any]] = [
    {"id": O1, "name": "Gói POS", "account_id": A1, "contact_ids": [C3.upper()],
     "amount": "9405000", "currency": "VND", "stage_name": "Mới", "date_closed": "2026-03-17",
     "created_at": "2026-02-12T03:16:07.975Z"},
    {"id": O2, "name": "Lạ", "account_id": A1, "stage_name": "Không rõ"},
    {"id": O3, "name": "Chung 1", "account_id": A1, "opportunities_joint_id": JOINT,
     "created_at": "2025-01-01T00:00:00Z"},
    {"id": O4, "name": "Chung 2", "account_id": A1, "opportunities_joint_id": JOINT,
     "parent_opportunity_id": O3, "created_at": "2025-02-01T00:00:00Z"},
]  # fmt: skip

SCHEMA: dict[str, Any] = {
    "company": {
        "fields": {
            "oplaExternalId": {"type": "TEXT", "label": "External id"},
            "oplaHealthscore": {"type": "NUMBER", "label": "Healthscore"},
            "oplaLocked": {"type": "BOOLEAN", "label": "Locked"},
            "oplaTags": {"type": "ARRAY", "label": "Tags"},
            "oplaEmail": {"type": "EMAILS", "label": "Email"},
            "oplaPhone": {"type": "PHONES", "label": "Phone"},
            "oplaDistrict": {"type": "SELECT", "label": "Quận",
                             "options": [{"value": "QUAN_1", "label": "Quận 1"}]},
            "oplaParentCompany": {"type": "RELATION", "to": "company", "label": "Parent",
                                  "inverse_label": "Subsidiaries"},
        }
    },
    "person": {
        "fields": {
            "contactOwner": {"type": "RELATION", "to": "workspaceMember", "label": "Owner",
                             "inverse_label": "Owned contacts"},
            "oplaGreeting": {"type": "TEXT", "label": "Greeting"},
        }
    },
    "opportunity": {
        "fields": {
            "oplaJoint": {"type": "RELATION", "to": "opportunity", "label": "Joint",
                          "inverse_label": "Joint partners"},
            "oplaParent": {"type": "RELATION", "to": "opportunity", "label": "Parent",
                           "inverse_label": "Children"},
        }
    },
}  # fmt: skip
OBJECTS: dict[str, Any] = {
    "companies": {
        "from": "accounts",
        "to": "company",
        "match": ["oplaExternalId", ["name", "address"]],
        "fields": {
            "name": "name",
            "address": {"addressStreet1": "address"},
            "domainName": {"primaryLinkUrl": {"from": "website", "transforms": ["url"]}},
            "accountOwner": {"owner": "owner_id"},
            "oplaExternalId": "external_id",
            "oplaHealthscore": {"from": "healthscore", "transforms": ["number"]},
            "oplaLocked": "locked",
            "oplaTags": "tags",
            "oplaEmail": {"from": "email", "transforms": ["emails"]},
            "oplaPhone": {"from": "phone", "transforms": [{"phone": "VN"}]},
            "oplaDistrict": {"from": "custom_fields.quan", "transforms": ["transliterate"]},
            "oplaParentCompany": {"ref": "companies", "by": "parent_account_id"},
            "createdAt": "created_at",
            "updatedAt": "updated_at",
        },
    },
    "people": {
        "from": "contacts",
        "to": "person",
        "match": ["emails"],
        "fields": {
            "name": {"firstName": "first_name", "lastName": "last_name"},
            "emails": {"from": "email", "transforms": ["emails"]},
            "jobTitle": "job_title",
            "company": {"ref": "companies", "by": "account_id"},
            "contactOwner": {"owner": "owner_id"},
            "oplaGreeting": {"template": "Xin chào {first_name}"},
        },
    },
    "opportunities": {
        "from": "opportunities",
        "to": "opportunity",
        "fields": {
            "name": "name",
            "amount": {"amountMicros": {"from": "amount", "transforms": ["micros"]},
                       "currencyCode": "currency"},
            "closeDate": "date_closed",
            "stage": {"from": "stage_name", "map": {"Mới": "NEW"}, "default": "error"},
            "company": {"ref": "companies", "by": "account_id"},
            "pointOfContact": {"ref": "people", "by": "contact_ids[0]"},
            "oplaParent": {"ref": "opportunities", "by": "parent_opportunity_id"},
            "oplaJoint": {"ref": "opportunities", "by": "opportunities_joint_id",
                          "key": "opportunities_joint_id", "pick": "first",
                          "order_by": "created_at", "not_self": True},
            "createdAt": "created_at",
        },
    },
}  # fmt: skip
SKIP = {"custom_field_definitions": "definitions only"}


def _id(obj: str, ident: str) -> str:
    return twenty_id(NAMESPACE, f"oplacrm:{obj}:{ident}")


@pytest.fixture
def run(tmp_path: Path) -> Run:
    objects: dict[str, list[dict[str, Any]]] = {
        "users": USERS,
        "custom_field_definitions": DEFINITIONS,
        "accounts": ACCOUNTS,
        "contacts": CONTACTS,
        "opportunities": OPPORTUNITIES,
    }
    document = spec_document(
        "oplacrm",
        owners={"from": "users", "key": "external_id", "email": "email", "fallback": "hold"},
        schema=SCHEMA,
        objects=OBJECTS,
        skip=SKIP,
    )
    _, mapper = setup(tmp_path, "oplacrm", objects, document, members={MEMBER: member_id(MEMBER)})
    return run_all(mapper)


def test_company_payload_is_exact(run: Run) -> None:
    record = run.record("companies", A1)
    expected = {
        "accountOwnerId": member_id(MEMBER),
        "address": {"addressStreet1": "1 Pasteur"},
        "createdAt": "2025-09-27T01:33:35.005Z",
        "createdBy": {"name": "Test import", "source": "IMPORT"},
        "domainName": {"primaryLinkUrl": "https://example.com"},
        "id": _id("accounts", A1),
        "migrationSourceId": f"oplacrm:accounts:{A1}",
        "name": "Công ty Việt Tiến",
        "oplaDistrict": "QUAN_1",
        "oplaEmail": {
            "additionalEmails": ["sales@example.com"],
            "primaryEmail": "lienhe@example.com",
        },
        "oplaExternalId": "ACC-1",
        "oplaHealthscore": 72.5,
        "oplaLocked": True,
        "oplaPhone": {
            "primaryPhoneCallingCode": "+84",
            "primaryPhoneCountryCode": "VN",
            "primaryPhoneNumber": "984849251",
        },
        "oplaTags": ["Chuỗi", "VIP"],
        "updatedAt": "2025-12-03T14:22:42.463Z",
    }
    assert dict(record.payload) == expected
    assert list(record.payload) == sorted(expected)
    assert record.payload_digest == digest(expected)
    assert record.twenty_id == _id("accounts", A1)
    assert record.address == f"record.companies[oplacrm:accounts:{A1}]"
    assert record.owner_key == "MNV_001"
    assert record.unique_values == (
        UniqueValue("domainName.primaryLinkUrl", "https://example.com"),
    )
    assert [m.path for m in record.match_keys] == ["oplaExternalId", "name+address"]
    assert record.match_keys[0].value == "acc-1"


def test_self_reference_becomes_a_second_pass_link_and_owner_without_member_holds(run: Run) -> None:
    held = run.outcome("companies", A2)
    assert (held.fate, held.code, held.blocked_by) == (Fate.HELD, "owner_unresolved", "MNV_002")
    assert "gone@" not in held.reason
    assert "accountOwner" in held.reason


def test_duplicate_domain_is_deduplicated_into_the_first_row(run: Run) -> None:
    loser = run.outcome("companies", A3)
    assert loser.fate is Fate.DEDUPLICATED
    assert loser.code == "duplicate_domain"
    assert loser.blocked_by == f"record.companies[oplacrm:accounts:{A1}]"


def test_missing_required_name_quarantines_without_the_value(run: Run) -> None:
    bad = run.outcome("companies", A4)
    assert (bad.fate, bad.code) == (Fate.QUARANTINED, "missing_required_value")
    assert "`name`" in bad.reason


def test_locked_records_are_reported(run: Run) -> None:
    locked = [f for f in run.findings("companies") if f.code == "locked_record"]
    assert [f.address for f in locked] == [f"record.companies[oplacrm:accounts:{A1}]"]


def test_person_points_at_its_company_and_emails_dedupe_case_insensitively(run: Run) -> None:
    person = run.record("people", C1)
    assert person.payload["companyId"] == _id("accounts", A1)
    assert person.payload["name"] == {"firstName": "Châu", "lastName": "Nguyễn Văn"}
    assert person.payload["emails"] == {"primaryEmail": "chau@example.com", "additionalEmails": []}
    assert person.payload["contactOwnerId"] == member_id(MEMBER)
    assert person.payload["oplaGreeting"] == "Xin chào Châu"
    assert person.depends_on == (f"record.companies[oplacrm:accounts:{A1}]",)
    assert person.unique_values == (UniqueValue("emails.primaryEmail", "chau@example.com"),)
    assert person.match_keys == ()
    duplicate = run.outcome("people", C3)
    assert (duplicate.fate, duplicate.code) == (Fate.DEDUPLICATED, "duplicate_email")


def test_cascade_holds_dependants_of_unwritten_records_and_quarantines_orphans(run: Run) -> None:
    held = run.outcome("people", C2)
    assert (held.fate, held.code) == (Fate.HELD, "parent_not_written")
    assert held.blocked_by == f"record.companies[oplacrm:accounts:{A2}]"
    orphan = run.outcome("people", C4)
    assert (orphan.fate, orphan.code) == (Fate.QUARANTINED, "orphan_reference")


def test_reference_to_a_deduplicated_row_resolves_to_its_winner(run: Run) -> None:
    deal = run.record("opportunities", O1)
    assert deal.payload["pointOfContactId"] == _id("contacts", C1)
    assert deal.payload["amount"] == {"amountMicros": 9405000000000, "currencyCode": "VND"}
    assert deal.payload["closeDate"] == "2026-03-16T17:00:00.000Z"
    assert deal.payload["stage"] == "NEW"
    assert f"record.people[oplacrm:contacts:{C1}]" in deal.depends_on


def test_unmapped_value_with_default_error_quarantines(run: Run) -> None:
    bad = run.outcome("opportunities", O2)
    assert (bad.fate, bad.code) == (Fate.QUARANTINED, "unmapped_value")
    assert "Không rõ" not in bad.reason


def test_joint_and_parent_self_references_are_links_to_the_right_rows(run: Run) -> None:
    first, second = run.record("opportunities", O3), run.record("opportunities", O4)
    address = "record.opportunities[oplacrm:opportunities:{}]"
    assert first.links == (Link("oplaJoint", address.format(O4), _id("opportunities", O4)),)
    assert set(second.links) == {
        Link("oplaParent", address.format(O3), _id("opportunities", O3)),
        Link("oplaJoint", address.format(O3), _id("opportunities", O3)),
    }
    assert "oplaJointId" not in first.payload and "oplaParentId" not in second.payload


def test_every_row_is_accounted_for(run: Run) -> None:
    conserved(run)
    assert run.fates("companies") == {"desired": 1, "held": 1, "deduplicated": 1, "quarantined": 1}
    assert run.fates("people") == {"desired": 1, "held": 1, "deduplicated": 1, "quarantined": 1}
    assert run.fates("opportunities") == {"desired": 3, "quarantined": 1}
    assert run.fates("custom_field_definitions-skipped") == {"desired": 0, "skipped": 1}
