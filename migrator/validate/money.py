"""Money: decimal places against the currency's minor unit, signs, line and invoice totals.

Amounts are :class:`~decimal.Decimal`. More places than the currency allows (VND 0; GBP, EUR 2)
is a WARN and the amount is rounded half-even. Negative amounts are an ERROR where the object
forbids them (opportunities, products, payments); refunds and adjustments carry their own sign.
A line total or invoice total more than one minor unit from the recomputed value is a WARN.
Twenty stores ``amountMicros`` = amount x 1 000 000 as an integer (:func:`to_micros`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal

from migrator.validate.findings import Issue, Outcome, error, warn

#: ISO 4217 minor units of the currencies the sources use (and a few neighbours).
MINOR_UNITS: dict[str, int] = {
    "VND": 0, "GBP": 2, "EUR": 2, "USD": 2, "JPY": 0, "KRW": 0, "CNY": 2, "SGD": 2, "THB": 2,
    "AUD": 2, "CHF": 2, "KWD": 3, "BHD": 3,
}  # fmt: skip

WARN_CURRENCY = warn("currency_unknown", "currency code is not a known ISO 4217 code")
WARN_PLACES = warn("money_too_many_places", "more decimal places than the currency allows; rounded")
ERROR_NEGATIVE = error("money_negative", "negative amount where only positive ones are allowed")
WARN_LINE_TOTAL = warn("line_total_mismatch", "line total differs from quantity x price")
WARN_INVOICE_TOTAL = warn("invoice_total_mismatch", "invoice total differs from its lines")
MICROS = Decimal(1_000_000)


def minor_unit(currency: str) -> int | None:
    """The number of decimal places of ``currency``, or None when unknown."""
    return MINOR_UNITS.get(currency.upper())


def check_currency(code: str) -> Outcome[str]:
    """A known ISO 4217 code (upper-cased); unknown codes are a WARN, value kept."""
    upper = code.strip().upper()
    return Outcome(upper, () if upper in MINOR_UNITS else (WARN_CURRENCY,))


def check_amount(
    amount: Decimal, currency: str, *, allow_negative: bool = False
) -> Outcome[Decimal]:
    """Check places against ``currency`` (rounding half-even with a WARN) and the sign."""
    if amount < 0 and not allow_negative:
        return Outcome(None, (ERROR_NEGATIVE,))
    places = minor_unit(currency)
    exponent = amount.as_tuple().exponent
    if places is None or not isinstance(exponent, int) or -exponent <= places:
        return Outcome(amount, ())
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return Outcome(rounded, (WARN_PLACES,))


def to_micros(amount: Decimal) -> int:
    """Twenty's ``amountMicros``: the amount times one million, exactly (rounded half-even)."""
    return int((amount * MICROS).to_integral_value(rounding=ROUND_HALF_EVEN))


def _unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-(minor_unit(currency) or 0))


def line_total(
    quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, currency: str
) -> Decimal:
    """quantity x unit price x (1 - discount), rounded half-even to the currency's minor unit."""
    raw = quantity * unit_price * (1 - discount_percent / 100)
    return raw.quantize(_unit(currency), rounding=ROUND_HALF_EVEN)


def check_line_total(
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal,
    stated: Decimal,
    currency: str,
) -> tuple[Issue, ...]:
    """WARN when ``stated`` is more than one minor unit from the recomputed line total."""
    expected = line_total(quantity, unit_price, discount_percent, currency)
    return (WARN_LINE_TOTAL,) if abs(expected - stated) > _unit(currency) else ()


def check_invoice_total(
    line_totals: Iterable[Decimal], stated: Decimal, currency: str
) -> tuple[Issue, ...]:
    """WARN when the invoice total is more than one minor unit from the sum of its lines."""
    total = sum(line_totals, Decimal(0))
    return (WARN_INVOICE_TOTAL,) if abs(total - stated) > _unit(currency) else ()
