"""NHS numbers: modulus 11 check, placeholder policy and jurisdiction (sources.md §7.1).

Ten digits, the tenth a modulus-11 check digit over the first nine weighted 10..2. Spaces,
hyphens and dots are stripped (FIX). A stem whose check digit would be 10 has no valid number.
``0000000000`` passes the arithmetic but is a placeholder (ERROR); ten equal digits is a WARN.
999 000 0000-999 999 9999 is the never-issued test range; Scottish CHI and Northern Irish H&C
numbers share the check and are accepted with their jurisdiction recorded; any other range WARNs.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from migrator.validate.findings import Issue, Outcome, error, fix, warn

_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_STRIP = str.maketrans("", "", " -.\t")


class Jurisdiction(enum.StrEnum):
    """Which numbering scheme a valid number's range belongs to."""

    ENGLAND_WALES_IOM = "ENGLAND_WALES_IOM"
    NORTHERN_IRELAND = "NORTHERN_IRELAND"
    SCOTLAND_CHI = "SCOTLAND_CHI"
    TEST_RANGE = "TEST_RANGE"
    UNASSIGNED = "UNASSIGNED"


@dataclass(frozen=True, slots=True)
class NhsNumber:
    """A checked number: the 10 digits and its jurisdiction."""

    digits: str
    jurisdiction: Jurisdiction

    @property
    def display(self) -> str:
        """The ``3 3 4`` display form (``943 476 5919``)."""
        return f"{self.digits[:3]} {self.digits[3:6]} {self.digits[6:]}"


FIX_SEPARATORS = fix("nhs_separators", "NHS number separators removed")
ERROR_FORMAT = error("nhs_format", "NHS number is not 10 digits")
ERROR_STEM = error("nhs_no_check_digit", "NHS number stem has no valid check digit (remainder 1)")
ERROR_CHECK = error("nhs_check_digit", "NHS number check digit is wrong")
ERROR_PLACEHOLDER = error("nhs_placeholder", "NHS number is the all-zeros placeholder")
WARN_REPEATED = warn("nhs_repeated_digits", "NHS number is one digit repeated")
WARN_RANGE = warn("nhs_unissued_range", "NHS number lies outside every issued range")


def check_digit(stem: str) -> int | None:
    """The check digit for a 9-digit stem, or None when the stem has none (C = 10)."""
    total = sum(int(d) * w for d, w in zip(stem, _WEIGHTS, strict=True))
    c = 11 - total % 11
    if c == 11:
        return 0
    return None if c == 10 else c


def jurisdiction(digits: str) -> Jurisdiction:
    """The scheme a 10-digit number's range belongs to (by its first 9/10 digits)."""
    value = int(digits)
    if 9_990_000_000 <= value <= 9_999_999_999:
        return Jurisdiction.TEST_RANGE
    if 3_200_000_010 <= value <= 3_999_999_999:
        return Jurisdiction.NORTHERN_IRELAND
    if 101_000_000 <= value <= 3_112_999_999:
        return Jurisdiction.SCOTLAND_CHI
    if 3_000_000_000 <= value <= 4_999_999_999 or 6_000_000_000 <= value <= 7_999_999_999:
        return Jurisdiction.ENGLAND_WALES_IOM
    return Jurisdiction.UNASSIGNED


def check_nhs_number(value: str) -> Outcome[NhsNumber]:
    """Normalise and check an NHS (or CHI/H&C) number; see the module doc for the policy."""
    issues: list[Issue] = []
    digits = value.translate(_STRIP)
    if digits != value:
        issues.append(FIX_SEPARATORS)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return Outcome(None, (*issues, ERROR_FORMAT))
    expected = check_digit(digits[:9])
    if expected is None:
        return Outcome(None, (*issues, ERROR_STEM))
    if expected != int(digits[9]):
        return Outcome(None, (*issues, ERROR_CHECK))
    if digits == "0000000000":
        return Outcome(None, (*issues, ERROR_PLACEHOLDER))
    if len(set(digits)) == 1:
        issues.append(WARN_REPEATED)
    where = jurisdiction(digits)
    if where is Jurisdiction.UNASSIGNED and len(set(digits)) > 1:
        issues.append(WARN_RANGE)
    return Outcome(NhsNumber(digits, where), tuple(issues))


def iter_test_numbers(start: int = 0) -> Iterator[str]:
    """Distinct valid NHS numbers from the 999 test range, in order, for synthetic data.

    Begins at stem ``999 000 000 + start`` and skips the stems that have no check digit.
    """
    for stem in range(999_000_000 + start, 1_000_000_000):
        digit = check_digit(f"{stem:09d}")
        if digit is not None:
            yield f"{stem:09d}{digit}"
