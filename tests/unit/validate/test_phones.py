"""Phone vectors from sources.md §7.5 (UK, IE, VN; Ofcom drama ranges for fiction)."""

from __future__ import annotations

import pytest

from migrator.validate.findings import Severity
from migrator.validate.phones import Phone, check_opla_phone, check_phone


def test_check_phone_uk_drama_mobile_is_a_clean_e164_in_twenty_split_form() -> None:
    outcome = check_phone("07700 900123", "GB")
    assert outcome.issues == ()
    assert outcome.value == Phone("+447700900123", "+44", "GB", "7700900123")
    assert outcome.value.twenty() == {
        "primaryPhoneNumber": "7700900123",
        "primaryPhoneCountryCode": "GB",
        "primaryPhoneCallingCode": "+44",
    }


@pytest.mark.parametrize("raw", ["0044 7700 900123", "+44 (0)7700 900123", "0044(0)7700900123"])
def test_check_phone_fixes_0044_and_bracketed_zero(raw: str) -> None:
    outcome = check_phone(raw, "GB")
    assert outcome.value is not None
    assert outcome.value.e164 == "+447700900123"
    assert outcome.codes() == ("phone_normalised",)


def test_check_phone_northern_ireland_geographic_number() -> None:
    outcome = check_phone("028 7136 0000", "GB")
    assert outcome.value is not None and outcome.value.e164 == "+442871360000"
    assert outcome.issues == ()


def test_check_phone_irish_mobile_with_the_ie_default_region() -> None:
    outcome = check_phone("087 123 4567", "IE")
    assert outcome.value == Phone("+353871234567", "+353", "IE", "871234567")


def test_check_phone_keeps_extensions_apart() -> None:
    outcome = check_phone("020 7946 0123 ext. 12", "GB")
    assert outcome.value is not None
    assert outcome.value.e164 == "+442079460123"
    assert outcome.value.extension == "12"


def test_check_phone_possible_but_invalid_is_loaded_with_a_warning() -> None:
    outcome = check_phone("+44 1999 000000", "GB")
    assert outcome.value is not None
    assert outcome.codes() == ("phone_not_valid",)


@pytest.mark.parametrize("raw", ["call me", "+84 90 123 4", "phone: n/a 1234567890123456789"])
def test_check_phone_unparseable_or_impossible_is_a_warning_and_not_loaded(raw: str) -> None:
    outcome = check_phone(raw, "GB")
    assert outcome.value is None
    assert outcome.codes() == ("phone_unparseable",)
    assert outcome.worst is Severity.WARN


@pytest.mark.parametrize("raw", ["12345", "0", "+44 12"])
def test_check_phone_fewer_than_six_digits_is_a_field_only_error(raw: str) -> None:
    outcome = check_phone(raw, "GB")
    assert outcome.value is None
    assert outcome.codes() == ("phone_too_short",)
    assert outcome.issues[0].field_only


def test_check_opla_phone_rebuilds_the_api_sample() -> None:
    sample = {
        "phone": "909080808",
        "call_code": "+84",
        "country_code": "VN",
        "country_name": "Vietnam",
    }
    outcome = check_opla_phone(sample)
    assert outcome.issues == ()
    assert outcome.value == Phone("+84909080808", "+84", "VN", "909080808")


def test_check_opla_phone_drops_a_trunk_zero() -> None:
    outcome = check_opla_phone({"phone": "0909080808", "call_code": "84", "country_code": "VN"})
    assert outcome.value is not None and outcome.value.e164 == "+84909080808"
    assert outcome.codes() == ("phone_trunk_zero",)


def test_check_opla_phone_without_call_code_defaults_to_vietnam() -> None:
    outcome = check_opla_phone({"phone": "0909080808"})
    assert outcome.value is not None and outcome.value.e164 == "+84909080808"


def test_check_opla_phone_warns_when_country_and_calling_code_disagree() -> None:
    outcome = check_opla_phone({"phone": "909080808", "call_code": "+84", "country_code": "TH"})
    assert outcome.value is not None
    assert "phone_country_mismatch" in outcome.codes()
