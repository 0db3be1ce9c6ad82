"""Identifier vectors from sources.md §7.7."""

from __future__ import annotations

import pytest

from migrator.validate.identifiers import (
    check_aerona_id,
    check_gdc_number,
    check_mime_type,
    check_provider_reference,
    check_sha256,
    check_sku,
    check_uuid,
    check_vn_tax_id,
)

UUID = "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b"


def test_check_uuid_accepts_canonical_and_fixes_case() -> None:
    assert check_uuid(UUID, primary=True).issues == ()
    fixed = check_uuid(UUID.upper(), primary=True)
    assert fixed.value == UUID and fixed.codes() == ("uuid_case",)


@pytest.mark.parametrize(
    "value",
    [
        "6f1c2a9e3b4d4e5f8a7b1c2d3e4f5a6b",
        "6f1c2a9e-3b4d-4e5f-8a7b",
        "{" + UUID + "}",
        "zzzzzzzz-3b4d-4e5f-8a7b-1c2d3e4f5a6b",
        "",
    ],
)
def test_check_uuid_refuses_other_shapes_error_for_keys_warn_for_references(value: str) -> None:
    assert check_uuid(value, primary=True).codes() == ("uuid_invalid",)
    as_reference = check_uuid(value, primary=False)
    assert as_reference.value is None and as_reference.codes() == ("uuid_reference_invalid",)
    assert as_reference.ok


@pytest.mark.parametrize(
    ("value", "expected", "codes"),
    [
        (1, 1, ()),
        (99_999_999_999, 99_999_999_999, ()),
        ("100234", 100234, ("id_from_string",)),
    ],
)
def test_check_aerona_id_accepts_up_to_eleven_digits(
    value: int | str, expected: int, codes: tuple[str, ...]
) -> None:
    outcome = check_aerona_id(value)
    assert outcome.value == expected and outcome.codes() == codes


@pytest.mark.parametrize("value", [0, -5, 100_000_000_000, "12a", "", "1.5", True])
def test_check_aerona_id_refuses_anything_else(value: int | str) -> None:
    assert check_aerona_id(value).codes() == ("aerona_id_invalid",)


def test_check_sha256() -> None:
    digest = "ab" * 32
    assert check_sha256(digest).issues == ()
    assert check_sha256(digest.upper()).value == digest
    assert check_sha256("ab" * 31).codes() == ("sha256_invalid",)


@pytest.mark.parametrize(
    ("mime", "name", "ok"),
    [
        ("application/pdf", "consent.pdf", True),
        ("image/png", "x.PNG", True),
        ("application/dicom", "pano.dcm", True),
        ("image/jpeg", "consent.pdf", False),
        ("application/octet-stream", "blob.bin", True),
    ],
)
def test_check_mime_type_against_extension(mime: str, name: str, ok: bool) -> None:
    assert (check_mime_type(mime, name).issues == ()) is ok


def test_check_vn_tax_id_sku_and_gdc() -> None:
    assert check_vn_tax_id("0312345678").issues == ()
    assert check_vn_tax_id("0312345678-001").issues == ()
    assert check_vn_tax_id("12345").codes() == ("tax_id_format",)
    assert check_sku("POS-12M/v2.1").issues == ()
    assert check_sku("gói pos").codes() == ("sku_format",)
    assert check_gdc_number("123456").issues == ()
    assert check_gdc_number("GDC123").codes() == ("gdc_number_format",)


@pytest.mark.parametrize(
    ("provider", "ref", "kind", "ok"),
    [
        ("GOCARDLESS", "PM0012345ABCDE", "payment", True),
        ("GOCARDLESS", "pm0012345abcde", "payment", False),
        ("GOCARDLESS", "MD000ABCDEFGH1", "mandate", True),
        ("GOCARDLESS", "PM0012345ABCDE", "mandate", False),
        ("STRIPE", "pi_3NabcDEF123", "payment", True),
        ("STRIPE", "PM0012345ABCDE", "payment", False),
        ("CASH", "anything", "payment", True),
    ],
)
def test_check_provider_reference(provider: str, ref: str, kind: str, ok: bool) -> None:
    outcome = check_provider_reference(provider, ref, kind)
    assert (outcome.issues == ()) is ok
    assert outcome.value == ref
