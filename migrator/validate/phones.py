"""Phone numbers to E.164 and Twenty's split form, with phonenumbers (sources.md §7.5).

:func:`check_phone` parses free text with a default region (``GB`` or ``IE`` from the practice's
country for AeronaClinic, ``VN`` for OplaCRM); :func:`check_opla_phone` rebuilds OplaCRM's
``{phone, call_code, country_code}`` object. FIX: ``0044…``/``(0)``/a trunk ``0`` after the
calling code. WARN: possible but not valid (loaded), unparseable or impossible (not loaded, raw
kept), country code disagreeing with the calling code. ERROR for the field only: fewer than 6
digits. Ofcom's drama ranges (``07700 900xxx``, ``01632 960xxx``, ``020 7946 0xxx``,
``028 9649 6xxx``) are fictional by design and accepted as valid test numbers. Results are
cached: parsing costs tens of microseconds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber

from migrator.model import fast_init
from migrator.validate.findings import Issue, Outcome, Severity, fix, warn

FIX_INTERNATIONAL = fix("phone_normalised", "phone rewritten in international form")
FIX_TRUNK_ZERO = fix("phone_trunk_zero", "trunk 0 removed after the calling code")
WARN_NOT_VALID = warn("phone_not_valid", "phone is possible but not a valid number; loaded")
WARN_UNPARSEABLE = warn("phone_unparseable", "phone cannot be parsed; not loaded, raw kept")
WARN_COUNTRY = warn("phone_country_mismatch", "country code disagrees with the calling code")
ERROR_SHORT = Issue(
    severity=Severity.ERROR,
    code="phone_too_short",
    message="phone has fewer than 6 digits; field dropped",
    field_only=True,
)

_DRAMA = re.compile(r"^\+44(?:7700900|1632960|2079460|2896496)\d{3}$")
_ZERO_IN_BRACKETS = re.compile(r"\(\s*0\s*\)")


@fast_init
@dataclass(frozen=True, slots=True)
class Phone:
    """A parsed number: E.164, its parts as Twenty stores them, and any extension."""

    e164: str
    calling_code: str
    """``+44``: Twenty's ``primaryPhoneCallingCode``."""
    country_code: str
    """``GB``: Twenty's ``primaryPhoneCountryCode`` (empty when the region is ambiguous)."""
    national_number: str
    """The national significant number: Twenty's ``primaryPhoneNumber``."""
    extension: str | None = None

    def twenty(self) -> dict[str, str]:
        """The split form of a Twenty PHONES primary number."""
        return {
            "primaryPhoneNumber": self.national_number,
            "primaryPhoneCountryCode": self.country_code,
            "primaryPhoneCallingCode": self.calling_code,
        }


def phone_of(number: PhoneNumber, default_region: str) -> Phone:
    """The :class:`Phone` of a parsed, valid ``number`` (its region, else ``default_region`` when
    the calling code is shared by several, else the first region of the code)."""
    region = phonenumbers.region_code_for_number(number)
    calling = number.country_code or 0
    if region is None or region == "ZZ":
        regions = phonenumbers.region_codes_for_country_code(calling)
        region = default_region if default_region in regions else (regions[0] if regions else "")
    national = phonenumbers.national_significant_number(number)
    return Phone(
        e164=f"+{calling}{national}",
        calling_code=f"+{calling}",
        country_code=region,
        national_number=national,
        extension=number.extension or None,
    )


@functools.lru_cache(maxsize=8192)
def check_phone(value: str, default_region: str = "GB") -> Outcome[Phone]:
    """Parse a free-text phone number (see module doc)."""
    text = value.strip()
    issues: list[Issue] = []
    cleaned = _ZERO_IN_BRACKETS.sub("", text)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    digits = sum(c.isdigit() for c in cleaned)
    if 0 < digits < 6:
        return Outcome(None, (ERROR_SHORT,))
    try:
        number = phonenumbers.parse(cleaned, default_region)
    except NumberParseException:
        return Outcome(None, (WARN_UNPARSEABLE,))
    if not phonenumbers.is_possible_number(number):
        return Outcome(None, (WARN_UNPARSEABLE,))
    phone = phone_of(number, default_region)
    if cleaned != text:
        issues.append(FIX_INTERNATIONAL)
    if not _DRAMA.match(phone.e164) and not phonenumbers.is_valid_number(number):
        issues.append(WARN_NOT_VALID)
    return Outcome(phone, tuple(issues))


def check_opla_phone(value: Mapping[str, Any], default_region: str = "VN") -> Outcome[Phone]:
    """Rebuild an OplaCRM phone object ``{phone, call_code, country_code}`` (§2.1, §7.5).

    The national part is stored without its trunk 0 (one found is dropped, FIX); without a
    ``call_code`` the number is read in ``default_region``.
    """
    digits = str(value.get("phone") or "").strip()
    call_code = str(value.get("call_code") or "").strip()
    country = str(value.get("country_code") or "").strip().upper()
    issues: list[Issue] = []
    if call_code:
        if digits.startswith("0"):
            digits = digits[1:]
            issues.append(FIX_TRUNK_ZERO)
        code = call_code if call_code.startswith("+") else "+" + call_code
        outcome = check_phone(code + digits, country or default_region)
    else:
        outcome = check_phone(digits, country or default_region)
    issues.extend(i for i in outcome.issues if i is not FIX_INTERNATIONAL)
    phone = outcome.value
    if phone is not None and country and country != phone.country_code:
        regions = phonenumbers.region_codes_for_country_code(int(phone.calling_code[1:]))
        if country not in regions:
            issues.append(WARN_COUNTRY)
    return Outcome(phone, tuple(issues))
