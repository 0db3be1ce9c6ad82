"""UK postcode and Eircode vectors from sources.md §7.6."""

from __future__ import annotations

import pytest

from migrator.validate.findings import Severity
from migrator.validate.postcodes import check_eircode, check_postcode, check_uk_postcode

GOOD = [
    "SW1A 1AA",
    "EC1A 1BB",
    "W1A 0AX",
    "M1 1AE",
    "B33 8TH",
    "CR2 6XH",
    "DN55 1PT",
    "BT48 7BH",
    "E1W 1AA",
    "N1C 4AG",
    "GX11 1AA",
    "GIR 0AA",
]


@pytest.mark.parametrize("value", GOOD)
def test_check_uk_postcode_accepts_the_reference_vectors(value: str) -> None:
    outcome = check_uk_postcode(value)
    assert outcome.value == value
    assert outcome.issues == ()


@pytest.mark.parametrize(
    ("raw", "expected"), [("sw1a1aa", "SW1A 1AA"), (" bt48  7bh ", "BT48 7BH"), ("M11AE", "M1 1AE")]
)
def test_check_uk_postcode_fixes_case_and_spacing(raw: str, expected: str) -> None:
    outcome = check_uk_postcode(raw)
    assert outcome.value == expected
    assert outcome.codes() == ("postcode_normalised",)


@pytest.mark.parametrize("value", ["QA1 1AA", "AA1 1AC", "V1 1AA", "SW1A 1AI", "12345", "X"])
def test_check_uk_postcode_warns_and_keeps_bad_formats(value: str) -> None:
    outcome = check_uk_postcode(value)
    assert outcome.value == value
    assert outcome.codes() == ("postcode_format",)
    assert outcome.worst is Severity.WARN


@pytest.mark.parametrize(
    ("raw", "expected", "code"),
    [
        ("ZZ99 3VZ", "ZZ99 3VZ", "postcode_pseudo"),
        ("zz993cz", "ZZ99 3CZ", "postcode_pseudo"),
        ("BFPO 123", "BFPO 123", "postcode_bfpo"),
        ("bfpo1", "BFPO 1", "postcode_bfpo"),
        ("STHL 1ZZ", "STHL 1ZZ", "postcode_overseas_territory"),
    ],
)
def test_check_uk_postcode_allows_special_cases_with_a_warning(
    raw: str, expected: str, code: str
) -> None:
    outcome = check_uk_postcode(raw)
    assert outcome.value == expected
    assert code in outcome.codes()
    assert outcome.ok


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("A65 F4E2", "A65 F4E2"), ("d02x285", "D02 X285"), ("D6W 1234", "D6W 1234")],
)
def test_check_eircode_accepts_and_spaces(raw: str, expected: str) -> None:
    assert check_eircode(raw).value == expected


@pytest.mark.parametrize("value", ["T12 AB34", "B12 3456", "A65F4E", "SW1A 1AA"])
def test_check_eircode_warns_on_bad_formats(value: str) -> None:
    assert check_eircode(value).codes() == ("eircode_format",)


def test_check_postcode_picks_the_scheme_by_country() -> None:
    assert check_postcode("a65f4e2", "IE").value == "A65 F4E2"
    assert check_postcode("bt487bh", "GB").value == "BT48 7BH"
    assert check_postcode("bt487bh", None).value == "BT48 7BH"
