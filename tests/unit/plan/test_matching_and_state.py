"""Unique values and match keys read the same from payloads and Twenty; the state view packs."""

from __future__ import annotations

from migrator.plan.fetch import ALL_ROWS, choose_strategy, in_filter
from migrator.plan.matching import ExistingIndex, lookup_terms, match_key, unique_paths
from migrator.plan.stateview import MappingState
from migrator.state.model import RecordDigest, RecordStatus
from tests.unit.plan.factories import NAMESPACE, key, rid


def test_unique_paths_come_from_unique_fields_and_single_unique_subfields() -> None:
    fields = [
        ("id", "UUID", True),
        ("emails", "EMAILS", True),
        ("domainName", "LINKS", True),
        ("phones", "PHONES", True),
        ("legacyId", "TEXT", True),
        ("name", "TEXT", False),
    ]
    assert unique_paths(fields) == ("domainName.primaryLinkUrl", "emails.primaryEmail", "legacyId")


def test_match_keys_ignore_case_spaces_and_empty_composite_parts() -> None:
    desired = {"name": "Acme  ", "address": {"addressStreet1": "1 Main St"}}
    twenty = {
        "name": "ACME",
        "address": {"addressStreet1": "1 main st", "addressCity": "", "addressLat": None},
    }
    rule = ("name", "address")
    assert match_key(desired, rule) == match_key(twenty, rule) is not None
    assert match_key({"name": "Acme"}, rule) is None  # a rule needs every field


def test_index_matches_live_and_deleted_rows_by_value_and_rule() -> None:
    index = ExistingIndex("company", paths=("domainName.primaryLinkUrl",), rules=(("name",),))
    index.add(
        {
            "id": "a",
            "domainName": {"primaryLinkUrl": "https://acme.example"},
            "deletedAt": "2026-01-01T00:00:00Z",
        },
        source_id_field="migrationSourceId",
    )
    index.add(
        {"id": "b", "name": "Globex", "migrationSourceId": "oplacrm:accounts:9"},
        source_id_field="migrationSourceId",
    )
    (hit,) = index.matches({"domainName": {"primaryLinkUrl": "https://acme.example"}})
    assert hit[0].id == "a" and hit[0].deleted and hit[1] == "domainName.primaryLinkUrl"
    assert index.matches({"domainName": {"primaryLinkUrl": "http://acme.example"}}) == ()
    (by_rule,) = index.matches({"name": "globex"})
    assert by_rule[0].source_id == "oplacrm:accounts:9" and by_rule[1] == "name"
    assert index.matches({"name": "globex"}, rules=()) == ()
    assert lookup_terms(
        {"emails": {"primaryEmail": "A@x.io"}, "name": "Globex"},
        ("emails.primaryEmail",),
        (("name",),),
    ) == [("emails.primaryEmail", "A@x.io"), ("emails.primaryEmail", "a@x.io"), ("name", "Globex")]


def test_strategy_scans_small_objects_and_looks_up_in_big_ones() -> None:
    assert choose_strategy(0, 1_000_000, 2).strategy == "none"
    assert choose_strategy(150, 1_000, 1).strategy == "scan"
    big = choose_strategy(5_000_000, 1_000, 2)
    assert big.strategy == "lookup" and (big.scan_requests, big.lookup_requests) == (25_000, 10)
    assert in_filter("name", ['a"b', "c", "d'e\"f"]) == f'{ALL_ROWS},name[in]:[\'a"b\',"c"]'


def test_mapping_state_packs_rows_and_gives_them_back_once() -> None:
    rows = [
        RecordDigest(
            f"record.people[{key('contacts', i)}]",
            key("contacts", i),
            rid("contacts", i),
            "sha256:" + f"{i:064x}",
            RecordStatus.WRITTEN,
        )
        for i in range(3)
    ]
    merged = RecordDigest(
        "record.people[oplacrm:contacts:9]",
        key("contacts", 9),
        "99999999-0000-4000-8000-000000000000",
        "sha256:odd",
        RecordStatus.MERGED,
    )
    view = MappingState("people", iter([*rows, merged]))
    assert view.merged(NAMESPACE) == {rid("contacts", 9): "99999999-0000-4000-8000-000000000000"}
    assert view.take(rows[1].address) == rows[1]
    assert view.take(rows[1].address) is None
    assert view.take(merged.address) == merged
    assert view.left() == [rows[0].address, rows[2].address]
