"""Phone validation on the mapper's hot path: the validators' exact results, without re-parsing.

:func:`migrator.validate.phones.check_phone` parses free text with ``phonenumbers.parse``, about
half of its cost, and numbers are different on every row, so its cache rarely helps. Most
numbers a bundle holds are already international digits (OplaCRM rebuilds ``+<calling code>``
plus the national digits; AeronaClinic stores E.164): for a text that is exactly ``+`` and
digits, :func:`check_phone` builds the number with the very steps ``parse`` takes for such text
(country code by the calling-code table, the national prefix stripped on the same condition,
through phonenumbers' own helpers) and then judges it exactly as the validator does. Anything
else goes to the validator itself, so the outcome is always the validator's (a test compares
both on many numbers). :func:`check_opla_phone` is the validator's wrapper for OplaCRM phone
objects, on top of this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumber, phonenumberutil
from phonenumbers.phonemetadata import PhoneMetadata

from migrator.validate import phones as validator
from migrator.validate.findings import Issue, Outcome
from migrator.validate.phones import Phone

_E164 = re.compile(r"^\+[1-9][0-9]{6,16}$")
_NOT_STRIPPED = (
    phonenumberutil.ValidationResult.TOO_SHORT,
    phonenumberutil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    phonenumberutil.ValidationResult.INVALID_LENGTH,
)
_DIALLING_CODES = phonenumberutil.COUNTRY_CODE_TO_REGION_CODE


def _number(text: str) -> PhoneNumber | None:
    """``parse(text)`` for ``+`` and digits, or None when it would take another path."""
    digits = text[1:]
    code = next((int(digits[:n]) for n in (1, 2, 3) if int(digits[:n]) in _DIALLING_CODES), 0)
    if code == 0:
        return None
    national = digits[len(str(code)) :]
    region = phonenumbers.region_code_for_country_code(code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    if metadata is None or len(national) < 2:
        return None
    _carrier, stripped, _ = phonenumberutil._maybe_strip_national_prefix_carrier_code(
        national, metadata
    )
    if phonenumberutil._test_number_length(stripped, metadata) not in _NOT_STRIPPED:
        national = stripped
    if not 2 <= len(national) <= 17:
        return None
    number = PhoneNumber(country_code=code)
    phonenumberutil._set_italian_leading_zeros_for_phone_number(national, number)
    number.national_number = int(national)
    return number


def _phone(number: PhoneNumber, default_region: str) -> Phone:
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


def check_phone(value: str, default_region: str) -> Outcome[Phone]:
    """:func:`migrator.validate.phones.check_phone`, faster for ``+`` and digits."""
    if not _E164.match(value):
        return validator.check_phone(value, default_region)
    number = _number(value)
    if number is None:
        return validator.check_phone(value, default_region)
    if not phonenumbers.is_possible_number(number):
        return Outcome(None, (validator.WARN_UNPARSEABLE,))
    phone = _phone(number, default_region)
    if validator._DRAMA.match(phone.e164) or phonenumbers.is_valid_number(number):
        return Outcome(phone, ())
    return Outcome(phone, (validator.WARN_NOT_VALID,))


def check_opla_phone(value: Mapping[str, Any], default_region: str) -> Outcome[Phone]:
    """:func:`migrator.validate.phones.check_opla_phone` on top of :func:`check_phone`."""
    digits = str(value.get("phone") or "").strip()
    call_code = str(value.get("call_code") or "").strip()
    country = str(value.get("country_code") or "").strip().upper()
    issues: list[Issue] = []
    if call_code:
        if digits.startswith("0"):
            digits = digits[1:]
            issues.append(validator.FIX_TRUNK_ZERO)
        code = call_code if call_code.startswith("+") else "+" + call_code
        outcome = check_phone(code + digits, country or default_region)
    else:
        outcome = check_phone(digits, country or default_region)
    issues.extend(i for i in outcome.issues if i is not validator.FIX_INTERNATIONAL)
    phone = outcome.value
    if phone is not None and country and country != phone.country_code:
        regions = phonenumbers.region_codes_for_country_code(int(phone.calling_code[1:]))
        if country not in regions:
            issues.append(validator.WARN_COUNTRY)
    return Outcome(phone, tuple(issues))
