"""The pure diff: how each desired record is decided, and field-level differences."""

from __future__ import annotations

from migrator.addresses import record_address
from migrator.mapping.model import DesiredRecord, Link
from migrator.model import Action
from migrator.plan.diff import Reason, decide_record, field_diffs
from migrator.plan.matching import ExistingIndex
from migrator.plan.payloads import applied_digest, payload_digest, write_payload
from migrator.state.model import RecordStatus
from tests.unit.plan.factories import key, make_desired, rid, state_row

PHASE = "mapping.people"
EMAIL = "emails.primaryEmail"
EXISTING = "11111111-2222-4333-8444-555555555555"


def _person(ident: int, email: str, **fields: object) -> DesiredRecord:
    return make_desired(
        "people",
        "contacts",
        ident,
        "person",
        {"emails": {"primaryEmail": email}, **fields},
        sensitive=frozenset({"emails"}),
    )


def _index(*rows: dict[str, object]) -> ExistingIndex:
    index = ExistingIndex("person", paths=(EMAIL, "migrationSourceId"), rules=(("name",),))
    for row in rows:
        index.add(row, source_id_field="migrationSourceId")
    return index


def test_a_record_nobody_has_is_created_with_its_exact_payload_digest() -> None:
    desired = _person(1, "a@example.com")
    decision = decide_record(desired, phase=PHASE, entry=None, index=_index(), id_map={})
    assert decision.change is not None
    assert decision.change.action is Action.CREATE
    assert decision.change.payload_digest == desired.payload_digest
    assert decision.change.reason == Reason.NEW


def test_state_digest_decides_noop_update_and_pending_links() -> None:
    link = Link("oplaParent", record_address("people", key("contacts", 2)), rid("contacts", 2))
    desired = make_desired("people", "contacts", 1, "person", {"name": "A"}, links=(link,))
    own = payload_digest(write_payload(desired.payload, id_map={}))
    done = applied_digest(own, [("oplaParent", rid("contacts", 2))])
    noop = decide_record(
        desired, phase=PHASE, entry=state_row(desired, done), index=None, id_map={}
    )
    assert noop.change is not None and noop.change.action is Action.NOOP and noop.links_done
    pending = decide_record(
        desired, phase=PHASE, entry=state_row(desired, own), index=None, id_map={}
    )
    assert pending.change is not None and pending.change.action is Action.NOOP
    assert not pending.links_done and pending.change.reason == Reason.LINKS_PENDING
    changed = decide_record(
        desired, phase=PHASE, entry=state_row(desired, "sha256:" + "0" * 64), index=None, id_map={}
    )
    assert changed.change is not None and changed.change.action is Action.UPDATE
    assert not changed.links_done


def test_a_unique_value_match_is_a_merge_and_a_deleted_one_a_restore() -> None:
    index = _index({"id": EXISTING, "emails": {"primaryEmail": "A@Example.com"}, "deletedAt": None})
    merge = decide_record(
        _person(1, "a@example.com"), phase=PHASE, entry=None, index=index, id_map={}
    )
    assert merge.change is not None and merge.change.action is Action.MERGE
    assert merge.existing_id == EXISTING == merge.change.existing_id
    assert merge.change.reason == "merge into the existing person with the same emails.primaryEmail"
    assert merge.body is not None and merge.body["id"] == EXISTING
    deleted = _index(
        {
            "id": EXISTING,
            "emails": {"primaryEmail": "a@example.com"},
            "deletedAt": "2026-01-01T00:00:00Z",
        }
    )
    restore = decide_record(
        _person(1, "a@example.com"), phase=PHASE, entry=None, index=deleted, id_map={}
    )
    assert restore.change is not None and restore.change.action is Action.RESTORE


def test_no_existing_record_is_merged_into_twice_or_ambiguously() -> None:
    index = _index(
        {"id": EXISTING, "emails": {"primaryEmail": "a@example.com"}},
        {"id": "22222222-2222-4333-8444-555555555555", "name": "Same Name"},
    )
    first = decide_record(
        _person(1, "a@example.com"), phase=PHASE, entry=None, index=index, id_map={}
    )
    assert first.change is not None and first.change.action is Action.MERGE
    second = decide_record(
        _person(2, "a@example.com"), phase=PHASE, entry=None, index=index, id_map={}
    )
    assert second.change is None and second.quarantine is not None
    assert second.quarantine.code == "match_taken"
    assert "a@example.com" not in second.quarantine.reason
    both = decide_record(
        _person(3, "a@example.com", name="same name "),
        phase=PHASE,
        entry=None,
        index=index,
        id_map={},
        rules=(("name",),),
    )
    assert both.quarantine is not None and both.quarantine.code == "ambiguous_match"


def test_a_record_already_holding_migrators_id_is_updated_not_merged() -> None:
    desired = _person(1, "a@example.com")
    index = _index(
        {
            "id": desired.twenty_id,
            "emails": {"primaryEmail": "a@example.com"},
            "migrationSourceId": desired.source_key,
        }
    )
    decision = decide_record(desired, phase=PHASE, entry=None, index=index, id_map={})
    assert decision.change is not None and decision.change.action is Action.UPDATE
    assert decision.change.existing_id is None and decision.change.reason == Reason.OWN_ID


def test_merged_records_keep_their_id_and_dependants_point_at_it() -> None:
    company = make_desired("companies", "accounts", 7, "company", {"name": "Acme"})
    person = _person(1, "a@example.com", companyId=company.twenty_id)
    id_map = {company.twenty_id: EXISTING}
    decision = decide_record(person, phase=PHASE, entry=None, index=None, id_map=id_map)
    assert decision.body is not None and decision.body["companyId"] == EXISTING
    # a record migrator merged into earlier: later plans compare the merge-shaped payload
    body = write_payload(company.payload, id_map={}, existing_id=EXISTING)
    assert "createdAt" not in body and body["id"] == EXISTING
    entry = state_row(company, payload_digest(body), status=RecordStatus.MERGED, twenty=EXISTING)
    again = decide_record(company, phase="mapping.companies", entry=entry, index=None, id_map={})
    assert again.change is not None and again.change.action is Action.NOOP
    assert again.existing_id == EXISTING


def test_refresh_sees_drift_deletion_and_soft_deletion() -> None:
    desired = _person(1, "a@example.com", jobTitle="CEO", name={"firstName": "An"})
    digest = payload_digest(write_payload(desired.payload, id_map={}))
    entry = state_row(desired, digest)
    twenty = {
        "id": desired.twenty_id,
        "emails": {"primaryEmail": "a@example.com", "additionalEmails": []},
        "jobTitle": "CTO",
        "name": {"firstName": "An", "lastName": ""},
        "migrationSourceId": desired.source_key,
        "deletedAt": None,
    }
    drift = decide_record(
        desired, phase=PHASE, entry=entry, index=None, id_map={}, refreshed=twenty, refresh=True
    )
    assert drift.change is not None and drift.change.action is Action.UPDATE
    assert drift.change.reason == Reason.DRIFT
    assert [(d.path, d.before, d.after) for d in drift.change.field_diffs] == [
        ("jobTitle", "CTO", "CEO")
    ]
    same = decide_record(
        desired,
        phase=PHASE,
        entry=entry,
        index=None,
        id_map={},
        refreshed={**twenty, "jobTitle": "CEO"},
        refresh=True,
    )
    assert same.change is not None and same.change.action is Action.NOOP
    gone = decide_record(desired, phase=PHASE, entry=entry, index=None, id_map={}, refresh=True)
    assert gone.change is not None and gone.change.action is Action.CREATE
    trashed = decide_record(
        desired,
        phase=PHASE,
        entry=entry,
        index=None,
        id_map={},
        refreshed={**twenty, "deletedAt": "2026-01-02T00:00:00.000Z"},
        refresh=True,
    )
    assert trashed.change is not None and trashed.change.action is Action.RESTORE


def test_field_diffs_compare_only_what_is_sent_and_hide_sensitive_values() -> None:
    before = {
        "name": {"firstName": "An", "lastName": "Le"},
        "emails": {"primaryEmail": "old@example.com", "additionalEmails": []},
        "createdAt": "2024-01-01T00:00:00.000Z",
        "tags": ["a", "b"],
        "amount": {"amountMicros": 1000000, "currencyCode": "VND"},
        "jobTitle": "kept",
        "city": "",
    }
    after = {
        "id": "x",
        "name": {"firstName": "Anh"},
        "emails": {"primaryEmail": "new@example.com"},
        "createdAt": "2024-01-01T00:00:00Z",
        "tags": ["a"],
        "amount": {"amountMicros": 1000000.0},
        "city": None,
    }
    diffs = field_diffs(before, after, sensitive={"emails"})
    assert [(d.path, d.before, d.after, d.sensitive) for d in diffs] == [
        ("emails", None, None, True),
        ("name.firstName", "An", "Anh", False),
        ("tags", ["a", "b"], ["a"], False),
    ]
    assert field_diffs(None, {"name": "A"}) == field_diffs({}, {"name": "A"})
