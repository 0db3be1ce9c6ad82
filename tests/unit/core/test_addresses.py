"""Addresses parse, format and sort totally; source keys round-trip."""

from __future__ import annotations

import random

import pytest

from migrator.addresses import (
    Address,
    AddressError,
    AddressKind,
    SourceKey,
    address_kind,
    address_sort_key,
    field_address,
    format_address,
    link_address,
    mapping_address,
    object_address,
    option_address,
    parse_address,
    parse_source_key,
    record_address,
    relation_address,
    sort_addresses,
    source_key,
)

EXAMPLES = [
    ("object.oplaInvoice", AddressKind.OBJECT, ("oplaInvoice",)),
    ("field.company.oplaHealthscore", AddressKind.FIELD, ("company", "oplaHealthscore")),
    ("relation.oplaInvoice.opportunity", AddressKind.RELATION, ("oplaInvoice", "opportunity")),
    ("option.opportunity.stage.LOST", AddressKind.OPTION, ("opportunity", "stage", "LOST")),
    ("mapping.opportunity_products", AddressKind.MAPPING, ("opportunity_products",)),
    ("link.joint-opportunities.parent", AddressKind.LINK, ("joint-opportunities", "parent")),
    (
        "record.companies[oplacrm:accounts:0b7e]",
        AddressKind.RECORD,
        ("companies", "oplacrm:accounts:0b7e"),
    ),
    ("record.notes[oplacrm:note:a:b]c]", AddressKind.RECORD, ("notes", "oplacrm:note:a:b]c")),
]


@pytest.mark.parametrize(("text", "kind", "parts"), EXAMPLES)
def test_parse_address_gives_kind_and_parts_and_formats_back(
    text: str, kind: AddressKind, parts: tuple[str, ...]
) -> None:
    address = parse_address(text)
    assert address == Address(kind, parts)
    assert format_address(address) == text
    assert str(address) == text


def test_constructors_agree_with_the_parser() -> None:
    assert object_address("oplaInvoice") == "object.oplaInvoice"
    assert field_address("company", "migrationSourceId") == "field.company.migrationSourceId"
    assert relation_address("company", "parentCompany") == "relation.company.parentCompany"
    assert option_address("opportunity", "stage", "CLOSE_LOST") == (
        "option.opportunity.stage.CLOSE_LOST"
    )
    assert mapping_address("companies") == "mapping.companies"
    assert link_address("practices", "parentPractice") == "link.practices.parentPractice"
    assert record_address("patients", "aeronaclinic:patient:7") == (
        "record.patients[aeronaclinic:patient:7]"
    )
    assert record_address("patients", SourceKey("aeronaclinic", "patient", "7")) == (
        "record.patients[aeronaclinic:patient:7]"
    )


def test_record_address_exposes_its_source_key() -> None:
    address = parse_address("record.contacts[oplacrm:contact:MNV_001]")
    assert address.source_key == SourceKey("oplacrm", "contact", "MNV_001")
    with pytest.raises(AddressError, match="not a record address"):
        _ = parse_address("object.x").source_key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must start with one of"),
        ("thing.x", "must start with one of"),
        ("object", "nothing after"),
        ("object.", "invalid name"),
        ("object.a.b", "wrong number of parts"),
        ("field.company", "wrong number of parts"),
        ("field.company.bad-name", "invalid name"),
        ("option.opportunity.stage.ĐÃ_KÝ", "invalid option value"),
        ("record.companies", "expected record.<mapping>"),
        ("record.companies[oplacrm:account:1", "expected record.<mapping>"),
        ("record.com panies[oplacrm:account:1]", "invalid mapping name"),
        ("record.companies[oplacrm:account]", "invalid source key"),
        ("record.companies[Opla:account:1]", "invalid source system"),
        ("record.companies[oplacrm:account:]", "invalid source id"),
        ("record.companies[oplacrm:account:a\nb]", "invalid source id"),
    ],
)
def test_parse_address_refuses_malformed_text_naming_the_part(text: str, message: str) -> None:
    with pytest.raises(AddressError, match=message):
        parse_address(text)


def test_source_key_round_trip_keeps_colons_in_the_id() -> None:
    key = parse_source_key("aeronaclinic:appointment:2026:05:01")
    assert key == SourceKey("aeronaclinic", "appointment", "2026:05:01")
    assert str(key) == "aeronaclinic:appointment:2026:05:01"
    assert source_key("oplacrm", "opportunity_products", 17) == "oplacrm:opportunity_products:17"


def test_sort_puts_schema_first_in_dependency_order_then_phases_then_records() -> None:
    ordered = [
        "object.a",
        "object.b",
        "field.a.x",
        "relation.a.y",
        "option.opportunity.stage.LOST",
        "mapping.companies",
        "link.companies.parent",
        "record.aZ[s:o:1]",  # code-point order: "Z" < "[" < "_"
        "record.a[s:o:1]",
        "record.a_b[s:o:1]",
    ]
    shuffled = ordered[:]
    random.Random(7).shuffle(shuffled)
    assert sort_addresses(shuffled) == ordered
    assert sorted(parse_address(a) for a in shuffled) == [parse_address(a) for a in ordered]


def test_sort_within_a_kind_is_code_point_order_like_sqlite_binary() -> None:
    records = [record_address("m", f"s:o:{ident}") for ident in ["10", "2", "Ä", "a", "Z", "1"]]
    assert sort_addresses(records) == sorted(records)
    assert sorted(records, key=lambda t: t.encode("utf-8")) == sorted(records)


def test_order_is_total_and_consistent_with_equality() -> None:
    texts = [text for text, _, _ in EXAMPLES]
    keys = [address_sort_key(t) for t in texts]
    assert len(set(keys)) == len(texts)
    parsed = [parse_address(t) for t in texts]
    for left in parsed:
        for right in parsed:
            assert (left < right) + (right < left) + (left == right) == 1


def test_address_kind_reads_the_prefix_only() -> None:
    assert address_kind("record.m[s:o:1]") is AddressKind.RECORD
    with pytest.raises(AddressError, match="unknown kind"):
        address_kind("records.m")
