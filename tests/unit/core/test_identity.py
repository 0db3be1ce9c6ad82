"""Deterministic Twenty ids are stable UUIDv5 values (golden values pin the contract)."""

from __future__ import annotations

import uuid

import pytest

from migrator.addresses import AddressError, SourceKey
from migrator.identity import ROOT_NAMESPACE, migration_namespace, twenty_id


def test_root_namespace_is_the_documented_derivation() -> None:
    derived = uuid.uuid5(uuid.NAMESPACE_URL, "urn:twenty-migrator:migration-namespace")
    assert derived == ROOT_NAMESPACE


def test_migration_namespace_golden_value() -> None:
    namespace = migration_namespace("oplacrm-to-twenty")
    assert str(namespace) == "88061255-52e7-5622-8ba5-c768793a5dc5"
    assert namespace.version == 5


def test_twenty_id_golden_values() -> None:
    namespace = migration_namespace("oplacrm-to-twenty")
    assert twenty_id(namespace, "oplacrm:account:0b7e5d2a") == (
        "3a4df993-3ec6-51f8-b52d-6a2a3b0e7e29"
    )
    assert twenty_id(namespace, "aeronaclinic:patient:12345") == (
        "d59938ad-c68d-512c-b07f-452e0af2811c"
    )


def test_twenty_id_accepts_a_parsed_source_key_and_gives_the_same_id() -> None:
    namespace = migration_namespace("m")
    assert twenty_id(namespace, SourceKey("oplacrm", "contact", "42")) == twenty_id(
        namespace, "oplacrm:contact:42"
    )


def test_twenty_id_differs_per_migration_and_per_key() -> None:
    first, second = migration_namespace("one"), migration_namespace("two")
    ids = {
        twenty_id(first, "oplacrm:contact:1"),
        twenty_id(first, "oplacrm:contact:2"),
        twenty_id(first, "oplacrm:account:1"),
        twenty_id(second, "oplacrm:contact:1"),
    }
    assert len(ids) == 4
    assert all(uuid.UUID(value).version == 5 for value in ids)
    assert all(value == value.lower() for value in ids)


def test_twenty_id_refuses_a_key_that_is_not_a_source_key() -> None:
    with pytest.raises(AddressError, match="source key"):
        twenty_id(migration_namespace("m"), "contact-42")


@pytest.mark.parametrize("name", ["", " padded ", "x\n"])
def test_migration_namespace_refuses_blank_or_padded_names(name: str) -> None:
    with pytest.raises(ValueError, match="migration name"):
        migration_namespace(name)
