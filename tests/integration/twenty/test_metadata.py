"""Objects, fields, options and relations through the metadata API of the sandbox."""

from __future__ import annotations

import httpx
import pytest

from migrator.errors import TwentyNotFound, TwentyValidationError
from migrator.twenty.client import TwentyClient
from migrator.twenty.metadata import NewField, NewObject, unwrap_list, unwrap_one
from migrator.twenty.models import ObjectMetadata, SelectOption
from tests.integration.twenty.conftest import client_id, snapshot


def _object(client: TwentyClient, name: str) -> ObjectMetadata:
    found = client.metadata.find_object(name)
    assert found is not None
    return found


def test_list_objects_gives_objects_with_typed_fields(client: TwentyClient) -> None:
    company = _object(client, "company")
    assert company.name_plural == "companies"
    domain = company.field("domainName")
    assert domain is not None and domain.type == "LINKS" and domain.is_unique
    stage = _object(client, "opportunity").field("stage")
    assert stage is not None and stage.options
    assert [o.value for o in stage.options][:2] == ["NEW", "SCREENING"]


def test_create_object_field_and_relation_then_write_records(
    client: TwentyClient, http: httpx.Client
) -> None:
    created = client.metadata.create_object(
        NewObject(
            name_singular="oplaInvoice",
            name_plural="oplaInvoices",
            label_singular="Invoice",
            label_plural="Invoices",
        )
    )
    assert created.name_plural == "oplaInvoices"
    number = client.metadata.create_field(
        NewField(
            object_metadata_id=created.id,
            type="TEXT",
            name="number",
            label="Number",
            is_unique=True,
        )
    )
    assert number.is_unique and number.is_custom
    company = _object(client, "company")
    relation = client.metadata.create_relation(
        created.id,
        "company",
        "Company",
        target_object_id=company.id,
        target_field_label="Opla invoices",
    )
    assert relation.settings and relation.settings["joinColumnName"] == "companyId"
    assert _object(client, "company").field("oplaInvoices") is not None

    client.records.create_batch("companies", [{"id": client_id("company", 1), "name": "A"}])
    rows = [
        {"id": client_id("invoice", 1), "number": "INV-1", "companyId": client_id("company", 1)}
    ]
    assert len(client.records.create_batch("oplaInvoices", rows).records) == 1
    assert snapshot(http)["records"]["oplaInvoices"][0]["number"] == "INV-1"

    client.metadata.delete_field(number.id)
    assert _object(client, "oplaInvoice").field("number") is None
    client.metadata.delete_object(created.id)
    assert client.metadata.find_object("oplaInvoice") is None


def test_select_options_are_added_and_removed_by_patching_the_full_list(
    client: TwentyClient,
) -> None:
    stage = _object(client, "opportunity").field("stage")
    assert stage is not None and stage.options
    before = {o.value: o.id for o in stage.options}
    lost = SelectOption(value="LOST", label="Lost", color="red")
    added = client.metadata.add_select_options(
        stage.id, [lost, SelectOption(value="NEW", label="x")]
    )
    assert [o.value for o in added.options or ()] == [*before, "LOST"]
    assert {o.value: o.id for o in added.options or () if o.value in before} == before
    assert client.metadata.add_select_options(stage.id, [lost]) == added  # nothing to add

    removed = client.metadata.remove_select_options(stage.id, ["LOST"])
    assert {o.value: o.id for o in removed.options or ()} == before


def test_metadata_refusals_are_typed_and_keep_twentys_words(client: TwentyClient) -> None:
    company = _object(client, "company")
    with pytest.raises(TwentyValidationError) as info:
        client.metadata.create_field(
            NewField(object_metadata_id=company.id, type="TEXT", name="Legacy Id", label="L")
        )
    assert any("Name is not valid" in message for message in info.value.messages)
    with pytest.raises(TwentyNotFound):
        client.metadata.delete_field(client_id("field", 1))


def test_legacy_envelopes_and_bare_dtos_are_both_accepted() -> None:
    dto = {"id": "x", "name": "n"}
    assert unwrap_one({"data": {"createOneField": dto}}) == dto
    assert unwrap_one(dto) == dto
    assert unwrap_list({"data": {"objects": [dto]}, "pageInfo": {"hasNextPage": False}}, "objects")[
        0
    ] == [dto]
    assert unwrap_list([dto], "objects") == ([dto], {})
