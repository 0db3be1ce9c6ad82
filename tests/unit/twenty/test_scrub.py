"""Twenty's echoed values never survive scrubbing; field names and schema do (captures 23-38)."""

from __future__ import annotations

import pytest

from migrator.twenty.scrub import REDACTED, scrub_data_message, scrub_generic, scrub_message
from tests.unit.twenty.conftest import load_capture


def _message(number: str) -> str:
    return str(load_capture(number)["response_body"]["messages"][0])


def test_scrub_invalid_email_keeps_field_and_drops_value() -> None:
    assert scrub_data_message(_message("35")) == (
        f"Invalid string value '{REDACTED}' for email field \"emails.primaryEmail\""
    )


def test_scrub_invalid_email_with_quote_inside_value() -> None:
    text = "Invalid string value 'o'brien@@nhs.example' for email field \"emails.primaryEmail\""
    scrubbed = scrub_data_message(text)
    assert "brien" not in scrubbed and "nhs" not in scrubbed
    assert scrubbed.endswith('for email field "emails.primaryEmail"')


def test_scrub_number_as_string_drops_the_number() -> None:
    assert scrub_data_message(_message("38")) == (
        f"Invalid number value '{REDACTED}' for field \"employees\""
    )


def test_scrub_invalid_select_keeps_the_valid_values() -> None:
    assert scrub_data_message(_message("34")) == (
        f'Invalid value "{REDACTED}" for field "sourceSystem". '
        "Valid values are: HUBSPOT, PIPEDRIVE, CSV"
    )


def test_scrub_ambiguous_upsert_keeps_field_names_only() -> None:
    scrubbed = scrub_data_message(_message("23"))
    assert scrubbed == (
        "Multiple records found with the same unique field values for "
        f"domainName.primaryLinkUrl: {REDACTED}, legacyId: {REDACTED}. "
        "Cannot determine which record to update."
    )
    assert "acme" not in scrubbed and "csv-3003" not in scrubbed


@pytest.mark.parametrize("number", ["14", "32", "33", "36", "39", "42", "74", "78", "79", "26"])
def test_scrub_leaves_messages_without_values_unchanged(number: str) -> None:
    assert scrub_data_message(_message(number)) == _message(number)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Duplicate value 'jane.doe@nhs.example' for emails", "jane.doe"),
        ('Key ("emailsPrimaryEmail")=(jane@x.example) already exists', "jane@x.example"),
        ("Patient 943 476 5919 not valid", "943 476 5919"),
        ("Unknown domain https://clinic.example/path", "clinic.example"),
        ("token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4eXoifQ.c2lnbmF0dXJlMTIz leaked", "eyJhbGci"),
        ("Header Bearer abc.def.ghi was refused", "abc.def"),
    ],
)
def test_scrub_unknown_messages_redacts_every_value_shape(text: str, secret: str) -> None:
    scrubbed = scrub_data_message(text)
    assert secret not in scrubbed
    assert REDACTED in scrubbed


def test_scrub_generic_keeps_a_quoted_field_name_after_the_word_field() -> None:
    assert scrub_generic('Cannot filter on field "emails.primaryEmail" with "Jane"') == (
        f'Cannot filter on field "emails.primaryEmail" with "{REDACTED}"'
    )


def test_scrub_metadata_messages_keep_spec_names() -> None:
    text = 'Name "employees" is not available as it is already used by another field'
    assert scrub_message(text, is_metadata=True) == text
    assert scrub_message(text, is_metadata=False) != text
