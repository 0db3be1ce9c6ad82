"""Unique values and match keys read the same from payloads and Twenty; the state view packs."""

from __future__ import annotations

from migrator.plan.fetch import ALL_ROWS, choose_strategy, ilike_filter, in_filter, like_pattern
from migrator.plan.matching import (
    ExistingIndex,
    ilike_rule_count,
    lookup_terms,
    match_key,
    unique_paths,
)
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
        {"emails": {"primaryEmail": "A@x.io"}, "name": " Globex ", "address": {"addressCity": "Y"}},
        ("emails.primaryEmail",),
        (("name",), ("address", "name")),
    ) == [
        ("in", "emails.primaryEmail", "A@x.io"),
        ("in", "emails.primaryEmail", "a@x.io"),
        ("ilike", "name", "Globex"),
        ("ilike", "address.addressCity", "Y"),
    ]


def test_strategy_scans_small_objects_and_looks_up_in_big_ones() -> None:
    assert choose_strategy(0, 1_000_000, 2).strategy == "none"
    assert choose_strategy(150, 1_000, 1).strategy == "scan"
    big = choose_strategy(5_000_000, 1_000, 2)
    assert big.strategy == "lookup" and (big.scan_requests, big.lookup_requests) == (25_000, 10)
    assert in_filter("name", ['a"b', "c", "d'e\"f"]) == f'{ALL_ROWS},name[in]:[\'a"b\',"c"]'
    # rule heads cost a request per 50 values: 1,000 records x 1 rule = 20 requests
    heads = choose_strategy(5_000_000, 1_000, 2, 1)
    assert heads.strategy == "lookup" and heads.lookup_requests == 10 + 20
    assert choose_strategy(3_000, 1_000, 0, 1).strategy == "scan"  # 15 pages <= 20 lookups
    assert choose_strategy(5_000, 1_000, 0, 1).strategy == "lookup"  # 25 pages > 20 lookups


def test_rule_heads_are_looked_up_case_insensitively_and_backslashes_stay_literal() -> None:
    assert ilike_filter("name", ["Acme", "Bình Minh", "50% off", 'a"b']) == (
        f'{ALL_ROWS},or(name[ilike]:"Acme",name[ilike]:"Bình Minh",'
        f'name[ilike]:"50% off",name[ilike]:\'a"b\')'
    )
    assert ilike_filter("name", ["C:\\dir"]) == f'{ALL_ROWS},name[ilike]:"C:_dir"'
    assert like_pattern("C:\\dir") == "C:_dir"
    # a rule headed by a unique email needs no ilike: emails are stored lower-cased
    email_rule = (("emails",),)
    paths = ("emails.primaryEmail",)
    assert lookup_terms({"emails": {"primaryEmail": "a@x.io"}}, paths, email_rule) == [
        ("in", "emails.primaryEmail", "a@x.io")
    ]
    assert ilike_rule_count((("emails",), ("name", "address"), ("domainName",)), paths) == 2
    assert ilike_filter("name", ["d'e\"f"]) is None


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
