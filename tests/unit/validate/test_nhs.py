"""NHS number vectors from sources.md §7.1."""

from __future__ import annotations

import itertools

import pytest

from migrator.validate.findings import Severity
from migrator.validate.nhs import (
    Jurisdiction,
    check_digit,
    check_nhs_number,
    iter_test_numbers,
    jurisdiction,
)


@pytest.mark.parametrize("value", ["9434765919", "943 476 5919", "943-476-5919", "943.476.5919"])
def test_check_nhs_number_accepts_the_worked_example_in_every_spelling(value: str) -> None:
    outcome = check_nhs_number(value)
    assert outcome.ok
    assert outcome.value is not None
    assert outcome.value.digits == "9434765919"
    assert outcome.value.display == "943 476 5919"


def test_check_nhs_number_fixes_separators_and_counts_the_fix() -> None:
    outcome = check_nhs_number("943 476 5919")
    assert "nhs_separators" in outcome.codes()
    assert check_nhs_number("9434765919").codes().count("nhs_separators") == 0


def test_check_nhs_number_warns_for_unissued_ranges_but_loads_them() -> None:
    outcome = check_nhs_number("9434765919")
    assert outcome.worst is Severity.WARN
    assert outcome.codes() == ("nhs_unissued_range",)


@pytest.mark.parametrize("value", ["9990000018", "9990000026"])
def test_check_nhs_number_accepts_the_test_range_silently(value: str) -> None:
    outcome = check_nhs_number(value)
    assert outcome.issues == ()
    assert outcome.value is not None
    assert outcome.value.jurisdiction is Jurisdiction.TEST_RANGE


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("943 476 5918", "nhs_check_digit"),
        ("9990000001", "nhs_no_check_digit"),
        ("0000000000", "nhs_placeholder"),
        ("94347659", "nhs_format"),
        ("94347659191", "nhs_format"),
        ("94347659X9", "nhs_format"),
        ("", "nhs_format"),
        ("９９９０００００１８", "nhs_format"),
    ],
)
def test_check_nhs_number_refuses_bad_numbers_with_an_error(value: str, code: str) -> None:
    outcome = check_nhs_number(value)
    assert outcome.value is None
    assert not outcome.ok
    assert outcome.codes()[-1] == code


def test_check_digit_of_a_stem_whose_remainder_is_one_is_none() -> None:
    assert check_digit("999000000") is None
    assert check_digit("943476591") == 9
    assert check_digit("999000001") == 8


def test_check_nhs_number_warns_for_repeated_digits_that_pass_the_arithmetic() -> None:
    outcome = check_nhs_number("1111111111")
    assert outcome.ok
    assert "nhs_repeated_digits" in outcome.codes()


def test_check_nhs_number_records_scottish_and_northern_irish_jurisdictions() -> None:
    assert jurisdiction("0101000000") is Jurisdiction.SCOTLAND_CHI
    assert jurisdiction("3200000010") is Jurisdiction.NORTHERN_IRELAND
    assert jurisdiction("4000000000") is Jurisdiction.ENGLAND_WALES_IOM
    assert jurisdiction("9990000018") is Jurisdiction.TEST_RANGE
    assert jurisdiction("5000000000") is Jurisdiction.UNASSIGNED


def test_check_nhs_number_messages_never_quote_the_number() -> None:
    for value in ("9434765918", "9990000001", "0000000000", "943476591X"):
        for item in check_nhs_number(value).issues:
            assert value not in item.message
            assert "943" not in item.message


def test_iter_test_numbers_gives_distinct_valid_test_range_numbers() -> None:
    numbers = list(itertools.islice(iter_test_numbers(), 200))
    assert len(set(numbers)) == 200
    assert numbers[0] == "9990000018"
    for number in numbers:
        outcome = check_nhs_number(number)
        assert outcome.issues == ()
