"""References in depth: optional refs, deferred links to later mappings, link resolution after
deduplication and quarantine, ``pick`` rules, switches, discriminators, re-runs, determinism."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from migrator.errors import PlanError
from migrator.identity import twenty_id
from migrator.mapping.mapper import Mapper
from migrator.mapping.model import DesiredRecord, Fate, Link, RowOutcome
from migrator.mapping.refs import Ambiguous, MappingIndex, Orphan, choose
from tests.unit.mapping.helpers import NAMESPACE, conserved, run_all, setup, spec_document

A1, A2 = "a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"
C1, C2, C3 = (f"c0000000-0000-4000-8000-00000000000{i}" for i in range(1, 4))
O1, O2, O3 = (f"e0000000-0000-4000-8000-00000000000{i}" for i in range(1, 4))

OBJECTS: dict[str, list[dict[str, Any]]] = {
    "accounts": [
        {"id": A1, "name": "Alpha", "external_id": "X1", "created_at": "2025-01-01T00:00:00Z"},
        {"id": A2, "name": "Beta"},
    ],
    "contacts": [
        {"id": C1, "account_id": A1, "first_name": "An", "email": "first@example.com",
         "job_title": "CEO", "created_at": "2025-01-02T00:00:00Z"},
        {"id": C2, "account_id": A1, "first_name": "Bo", "email": "FIRST@example.com",
         "created_at": "2025-01-01T00:00:00Z"},
        {"id": C3, "account_id": "a0000000-0000-4000-8000-0000000000ff", "first_name": "Cu"},
    ],
    "opportunities": [
        {"id": O1, "name": "One", "account_id": A1, "stage_name": "Mới",
         "created_at": "2025-03-01T00:00:00Z"},
        {"id": O2, "name": "Two", "account_id": A1, "stage_name": "??",
         "created_at": "2025-02-01T00:00:00Z"},
        {"id": O3, "name": "Three", "account_id": A2, "stage_name": "Mới", "contact_ids": [C2]},
    ],
}  # fmt: skip

SCHEMA: dict[str, Any] = {
    "company": {
        "fields": {
            "oplaMainContact": {"type": "RELATION", "to": "person", "label": "Main contact",
                                "inverse_label": "Main contact of"},
            "oplaFirstDeal": {"type": "RELATION", "to": "opportunity", "label": "First deal",
                              "inverse_label": "First deal of"},
            "oplaKind": {"type": "SELECT", "label": "Kind",
                         "options": [{"value": "ACCOUNT", "label": "Account"}]},
            "oplaLegacy": {"type": "TEXT", "label": "Legacy", "when": "legacy_text"},
            "oplaNote": {"type": "TEXT", "label": "Note"},
        }
    },
}  # fmt: skip
MAPPINGS: dict[str, Any] = {
    "companies": {
        "from": "accounts",
        "to": "company",
        "discriminator": {"field": "oplaKind", "value": "ACCOUNT"},
        "fields": {
            "name": "name",
            "oplaMainContact": {"ref": "people", "by": "id", "key": "account_id", "pick": "first",
                                "order_by": "created_at", "deferred": True},
            "oplaFirstDeal": {"ref": "opportunities", "by": "id", "key": "account_id",
                              "pick": "first", "order_by": "created_at", "deferred": True},
            "oplaLegacy": {"from": "external_id", "when": "legacy_text"},
            "oplaNote": {"const": None},
        },
    },
    "people": {
        "from": "contacts",
        "to": "person",
        "fields": {
            "name": {"firstName": "first_name"},
            "emails": {"from": "email", "transforms": ["emails"]},
            "jobTitle": "job_title",
            "company": {"ref": "companies", "by": "account_id", "on_invalid": "drop"},
        },
    },
    "opportunities": {
        "from": "opportunities",
        "to": "opportunity",
        "fields": {
            "name": "name",
            "stage": {"from": "stage_name", "map": {"Mới": "NEW"}, "default": "error"},
            "company": {"ref": "companies", "by": "account_id"},
            "pointOfContact": {"ref": "people", "by": "contact_ids[0]", "deferred": True},
        },
    },
}  # fmt: skip


def _mapper(root: Path) -> Mapper:
    document = spec_document(
        "oplacrm", switches={"legacy_text": False}, schema=SCHEMA, objects=MAPPINGS
    )
    return setup(root, "oplacrm", OBJECTS, document)[1]


@pytest.fixture
def mapper(tmp_path: Path) -> Mapper:
    return _mapper(tmp_path)


def _address(mapping: str, obj: str, ident: str) -> str:
    return f"record.{mapping}[oplacrm:{obj}:{ident}]"


def _id(obj: str, ident: str) -> str:
    return twenty_id(NAMESPACE, f"oplacrm:{obj}:{ident}")


def test_deferred_links_to_later_mappings_are_resolved_once_everything_ran(mapper: Mapper) -> None:
    run = run_all(mapper)
    alpha = run.record("companies", A1)
    deal, contact = alpha.links  # by field name: oplaFirstDeal, oplaMainContact
    assert contact == Link(
        "oplaMainContact", _address("people", "contacts", C2), _id("contacts", C2)
    )
    assert deal.target_address == _address("opportunities", "opportunities", O2)
    assert mapper.resolve_link(contact) == Link(
        "oplaMainContact", _address("people", "contacts", C1), _id("contacts", C1)
    )
    assert mapper.resolve_link(deal) is None  # its target was quarantined
    three = run.record("opportunities", O3)  # the graph puts it before people (no first-pass ref)
    (link,) = three.links
    assert link == Link("pointOfContact", _address("people", "contacts", C2), _id("contacts", C2))
    assert mapper.resolve_link(link) == Link(
        "pointOfContact", _address("people", "contacts", C1), _id("contacts", C1)
    )
    assert "pointOfContactId" not in three.payload
    conserved(run)


def test_optional_reference_is_left_empty_with_a_finding(mapper: Mapper) -> None:
    run = run_all(mapper)
    orphan = run.record("people", C3)
    assert "companyId" not in orphan.payload
    codes = [(f.address, f.code) for f in run.findings("people")]
    assert codes == [(_address("people", "contacts", C3), "orphan_reference")]


def test_switches_discriminators_constants_and_implicit_created_at(mapper: Mapper) -> None:
    run = run_all(mapper)
    alpha = run.record("companies", A1)
    assert alpha.payload["oplaKind"] == "ACCOUNT"
    assert "oplaLegacy" not in alpha.payload
    assert alpha.payload["oplaNote"] is None and "oplaNote" in alpha.payload
    assert alpha.payload["createdAt"] == "2025-01-01T00:00:00.000Z"
    assert "createdAt" not in run.record("companies", A2).payload


def test_personal_fields_are_sensitive_on_sales_sources(mapper: Mapper) -> None:
    run = run_all(mapper)
    person = run.record("people", C1)
    assert {"emails", "name"} <= person.sensitive_fields
    assert "jobTitle" not in person.sensitive_fields
    assert run.record("companies", A1).sensitive_fields == frozenset()


def test_phases_follow_the_graph_and_refuse_to_run_before_their_needs(tmp_path: Path) -> None:
    mapper = _mapper(tmp_path)
    assert [p.name for p in mapper.phases()] == ["companies", "opportunities", "people"]
    with pytest.raises(PlanError) as caught:
        list(mapper.run("people"))
    assert "companies" in caught.value.summary
    with pytest.raises(PlanError):
        mapper.run("no_such_phase")


def _signature(items: list[DesiredRecord | RowOutcome | Any]) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    for item in items:
        if isinstance(item, DesiredRecord):
            found.append((item.address, item.payload_digest, item.links, item.depends_on))
        elif isinstance(item, RowOutcome):
            found.append((item.address, item.fate, item.code, item.reason, item.blocked_by))
        else:
            found.append((item.address, item.code, item.message))
    return found


def test_same_input_gives_the_same_records_and_a_phase_may_run_again(tmp_path: Path) -> None:
    first = run_all(_mapper(tmp_path / "one"))
    second = run_all(_mapper(tmp_path / "two"))
    assert first.items.keys() == second.items.keys()
    for phase in first.items:
        assert _signature(first.items[phase]) == _signature(second.items[phase])
    mapper = _mapper(tmp_path / "three")
    once = list(mapper.run("companies"))
    again = list(mapper.run("companies"))
    assert _signature(once) == _signature(again)
    assert mapper.result("companies").source_rows == 2


def test_choose_applies_key_pick_and_not_self() -> None:
    index = MappingIndex("deals", "oplacrm:opportunities:", "", uuid_ids=False)
    index.want_identities()
    index.want_key("joint", "created_at", lower=False)
    rows = [("d1", "g", "2025-03-01"), ("d2", "g", "2025-01-01"), ("d3", "h", None)]
    for seq, (ident, group, created) in enumerate(rows):
        assert index.identities is not None
        index.identities.add(ident)
        entries = index.keyed[("joint", "created_at")].entries
        rank = (3, created) if created else (9, 0)
        entries.setdefault(group, []).append((rank, seq, ident))
    key = ("joint", "created_at")
    assert choose(index, "g", key=key, pick="first", exclude=None) == "d2"
    assert choose(index, "g", key=key, pick="last", exclude=None) == "d1"
    assert choose(index, "g", key=key, pick="first", exclude="d2") == "d1"
    assert choose(index, "h", key=key, pick="first", exclude="d3") is None
    with pytest.raises(Ambiguous):
        choose(index, "g", key=key, pick="only", exclude=None)
    with pytest.raises(Orphan):
        choose(index, "zz", key=key, pick="first", exclude=None)
    assert choose(index, "d3", key=None, pick="only", exclude=None) == "d3"
    with pytest.raises(Orphan):
        choose(index, "d9", key=None, pick="only", exclude=None)


def test_quarantine_of_the_first_deal_is_reported_with_its_reason(mapper: Mapper) -> None:
    run = run_all(mapper)
    bad = run.outcome("opportunities", O2)
    assert (bad.fate, bad.code) == (Fate.QUARANTINED, "unmapped_value")
    assert bad.reason == (
        f"{_address('opportunities', 'opportunities', O2)} field `stage`: the value is not in "
        "the value map (`default: error`)"
    )
    assert bad.line == 2
