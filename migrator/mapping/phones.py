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

The common case is faster still (:class:`_Plan`): a calling code of one region whose national
part neither starts with 0 nor matches the national prefix. Such a number needs no
``PhoneNumber`` at all: whether it is possible depends only on its length, and whether it is valid
on the region's number patterns, both read once per calling code from phonenumbers' metadata and
applied exactly as ``is_possible_number`` and ``is_valid_number`` apply them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


Matcher = tuple[frozenset[int] | None, Callable[[str], Any]] | None
"""A number description compiled: its possible lengths (None: any) and its pattern's fullmatch;
None for a description that matches nothing."""


def _matcher(desc: Any) -> Matcher:
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = frozenset(desc.possible_length) or None
    return lengths, re.compile(desc.national_number_pattern).fullmatch


def _matches(matcher: Matcher, national: str) -> bool:
    """``_is_number_matching_desc`` of phonenumbers."""
    if matcher is None:
        return False
    lengths, fullmatch = matcher
    return (lengths is None or len(national) in lengths) and fullmatch(national) is not None


@dataclass(frozen=True)
class _Plan:
    """One calling code of a single region, compiled from phonenumbers' metadata."""

    code: int
    region: str
    prefix: Callable[[str], Any] | None
    """The national prefix pattern's ``match`` (None: the region has none)."""
    possible: frozenset[int]
    """National number lengths ``is_possible_number`` accepts."""
    general: Matcher
    specific: tuple[Matcher, ...]
    """Premium rate … voicemail, then fixed line, then mobile (unless the same as fixed)."""

    def valid(self, national: str) -> bool:
        """``is_valid_number``: the number's type is not UNKNOWN (``_number_type_helper``)."""
        if not _matches(self.general, national):
            return False
        return any(_matches(item, national) for item in self.specific)


@functools.cache
def _plan(code: int) -> _Plan | None:
    """The plan of ``code``, or None when its numbers take the general path."""
    regions = _DIALLING_CODES.get(code, ())
    if len(regions) != 1 or regions[0] == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return None
    region = regions[0]
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    if metadata is None or phonenumbers.country_code_for_valid_region(region) != code:
        return None
    possible = frozenset(
        length
        for length in range(2, 18)
        if phonenumberutil._test_number_length("9" * length, metadata)
        in (phonenumberutil.ValidationResult.IS_POSSIBLE,
            phonenumberutil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY)
    )  # fmt: skip
    kinds = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
             "uan", "voicemail", "fixed_line")  # fmt: skip
    specific = [_matcher(getattr(metadata, kind)) for kind in kinds]
    if not metadata.same_mobile_and_fixed_line_pattern:
        specific.append(_matcher(metadata.mobile))
    pattern = metadata.national_prefix_for_parsing
    return _Plan(
        code=code,
        region=region,
        prefix=re.compile(pattern).match if pattern else None,
        possible=possible,
        general=_matcher(metadata.general_desc),
        specific=tuple(specific),
    )


def _planned(value: str) -> Outcome[Phone] | None:
    """The outcome of ``+`` and digits through its calling code's plan, or None when the number
    takes the general path (module doc)."""
    digits = value[1:]
    code = next((int(digits[:n]) for n in (1, 2, 3) if int(digits[:n]) in _DIALLING_CODES), 0)
    plan = _plan(code) if code else None
    if plan is None:
        return None
    national = digits[len(str(code)) :]
    if not 2 <= len(national) <= 17 or national[0] == "0" or not national.isdigit():
        return None
    if plan.prefix is not None and plan.prefix(national):
        return None
    if len(national) not in plan.possible:
        return Outcome(None, (validator.WARN_UNPARSEABLE,))
    e164 = f"+{code}{national}"
    phone = Phone(e164, f"+{code}", plan.region, national, None)
    if validator._DRAMA.match(e164) or plan.valid(national):
        return Outcome(phone, ())
    return Outcome(phone, (validator.WARN_NOT_VALID,))


def check_phone(value: str, default_region: str) -> Outcome[Phone]:
    """:func:`migrator.validate.phones.check_phone`, faster for ``+`` and digits."""
    if not _E164.match(value):
        return validator.check_phone(value, default_region)
    planned = _planned(value)
    if planned is not None:
        return planned
    number = _number(value)
    if number is None:
        return validator.check_phone(value, default_region)
    if not phonenumbers.is_possible_number(number):
        return Outcome(None, (validator.WARN_UNPARSEABLE,))
    phone = validator.phone_of(number, default_region)
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
