"""Money vectors from sources.md §5.1 and §7.7."""

from __future__ import annotations

from decimal import Decimal

import pytest

from migrator.validate.money import (
    check_amount,
    check_currency,
    check_invoice_total,
    check_line_total,
    line_total,
    to_micros,
)


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("150000000", "VND"), ("1250.50", "GBP"), ("0.5", "EUR"), ("12", "GBP")],
)
def test_check_amount_accepts_places_within_the_minor_unit(amount: str, currency: str) -> None:
    outcome = check_amount(Decimal(amount), currency)
    assert outcome.value == Decimal(amount) and outcome.issues == ()


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("1250.50", "VND", "1250"),
        ("1251.50", "VND", "1252"),
        ("10.005", "GBP", "10.00"),
        ("10.015", "GBP", "10.02"),
    ],
)
def test_check_amount_rounds_extra_places_half_even_with_a_warning(
    amount: str, currency: str, rounded: str
) -> None:
    outcome = check_amount(Decimal(amount), currency)
    assert outcome.value == Decimal(rounded)
    assert outcome.codes() == ("money_too_many_places",)


def test_check_amount_negative_is_an_error_unless_signed_amounts_are_allowed() -> None:
    assert check_amount(Decimal("-5"), "GBP").codes() == ("money_negative",)
    assert check_amount(Decimal("-5.00"), "GBP", allow_negative=True).issues == ()


def test_check_currency() -> None:
    assert check_currency("vnd").value == "VND"
    assert check_currency("XXY").codes() == ("currency_unknown",)


def test_to_micros_is_exact_and_fits_large_vnd_amounts() -> None:
    assert to_micros(Decimal("18000000")) == 18_000_000_000_000
    assert to_micros(Decimal("1250.50")) == 1_250_500_000
    assert to_micros(Decimal("9200000000000")) < 2**63


def test_line_total_and_its_check() -> None:
    assert line_total(Decimal(3), Decimal("100000"), Decimal(10), "VND") == Decimal(270000)
    assert (
        check_line_total(Decimal(3), Decimal("100000"), Decimal(10), Decimal(270001), "VND") == ()
    )
    issues = check_line_total(Decimal(3), Decimal("100000"), Decimal(10), Decimal(270002), "VND")
    assert [i.code for i in issues] == ["line_total_mismatch"]


def test_check_invoice_total() -> None:
    lines = [Decimal("10.00"), Decimal("5.50")]
    assert check_invoice_total(lines, Decimal("15.51"), "GBP") == ()
    assert [i.code for i in check_invoice_total(lines, Decimal("15.60"), "GBP")] == [
        "invoice_total_mismatch"
    ]
