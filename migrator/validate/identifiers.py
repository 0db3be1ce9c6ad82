"""Identifier formats: UUIDs, Aerona integer ids, sha256 digests, MIME types, tax ids, SKUs,
GDC numbers and payment-provider references (sources.md §5.1, §5.2, §7.7).
"""

from __future__ import annotations

import re

from migrator.validate.findings import Issue, Outcome, error, fix, warn

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_VN_TAX_ID = re.compile(r"^[0-9]{10}(?:-[0-9]{3})?$")
_SKU = re.compile(r"^[A-Za-z0-9._/-]{1,64}$")
AERONA_ID_MAX = 99_999_999_999

FIX_UUID_CASE = fix("uuid_case", "UUID lower-cased")
ERROR_UUID = error("uuid_invalid", "primary key is not a canonical UUID")
WARN_UUID_REF = warn("uuid_reference_invalid", "reference is not a canonical UUID; link left empty")
FIX_ID_FROM_STRING = fix("id_from_string", "id given as a digit string; converted to an integer")
ERROR_AERONA_ID = error("aerona_id_invalid", "id is not an integer from 1 to 99 999 999 999")
FIX_SHA_CASE = fix("sha256_case", "sha256 lower-cased")
ERROR_SHA = error("sha256_invalid", "sha256 is not 64 hex characters")
WARN_MIME = warn("mime_type_mismatch", "MIME type does not match the file extension")
WARN_TAX_ID = warn("tax_id_format", "tax id is not 10 digits or 10+3 digits")
WARN_SKU = warn("sku_format", "SKU has characters outside A-Z a-z 0-9 . _ / - or is too long")
WARN_GDC = warn("gdc_number_format", "GDC number is not all digits")
WARN_PROVIDER_REF = warn(
    "provider_reference_format", "provider reference does not match the provider's format"
)

#: File extension -> MIME types a bundle may declare for it.
MIME_BY_EXTENSION: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "png": frozenset({"image/png"}),
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "gif": frozenset({"image/gif"}),
    "tif": frozenset({"image/tiff"}),
    "tiff": frozenset({"image/tiff"}),
    "dcm": frozenset({"application/dicom"}),
    "txt": frozenset({"text/plain"}),
    "csv": frozenset({"text/csv"}),
    "doc": frozenset({"application/msword"}),
    "docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    "xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
}

#: Provider -> reference kind -> pattern (vendor conventions; verify before making stricter).
PROVIDER_PATTERNS: dict[str, dict[str, re.Pattern[str]]] = {
    "GOCARDLESS": {
        "payment": re.compile(r"^PM[0-9A-Z]{10,}$"),
        "mandate": re.compile(r"^MD[0-9A-Z]{10,}$"),
        "customer": re.compile(r"^CU[0-9A-Z]{10,}$"),
        "subscription": re.compile(r"^SB[0-9A-Z]{10,}$"),
    },
    "STRIPE": {
        "payment": re.compile(r"^(pi|ch|re)_[A-Za-z0-9]+$"),
        "customer": re.compile(r"^cus_[A-Za-z0-9]+$"),
        "mandate": re.compile(r"^(cus|sub|seti|pm)_[A-Za-z0-9]+$"),
    },
}


def check_uuid(value: str, *, primary: bool) -> Outcome[str]:
    """A canonical lower-case UUID; upper case is FIXed. Otherwise ERROR for a primary key,
    WARN (link left empty) for a reference."""
    lowered = value.strip().lower()
    if _UUID.match(lowered):
        return Outcome(lowered, (FIX_UUID_CASE,) if lowered != value else ())
    return Outcome(None, (ERROR_UUID if primary else WARN_UUID_REF,))


def check_aerona_id(value: int | str) -> Outcome[int]:
    """An AeronaClinic id: an integer 1..99 999 999 999; a digit string is FIXed to int."""
    issues: tuple[Issue, ...] = ()
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            return Outcome(None, (ERROR_AERONA_ID,))
        value, issues = int(text), (FIX_ID_FROM_STRING,)
    if isinstance(value, bool) or not 1 <= value <= AERONA_ID_MAX:
        return Outcome(None, (ERROR_AERONA_ID,))
    return Outcome(value, issues)


def check_sha256(value: str) -> Outcome[str]:
    """64 lower-case hex characters (upper case FIXed); anything else is an ERROR."""
    lowered = value.strip().lower()
    if _SHA256.match(lowered):
        return Outcome(lowered, (FIX_SHA_CASE,) if lowered != value else ())
    return Outcome(None, (ERROR_SHA,))


def check_mime_type(mime_type: str, file_name: str) -> Outcome[str]:
    """WARN when the declared MIME type does not fit the file's extension (unknown extensions
    are not judged)."""
    extension = file_name.rpartition(".")[2].lower() if "." in file_name else ""
    allowed = MIME_BY_EXTENSION.get(extension)
    if allowed is None or mime_type.strip().lower() in allowed:
        return Outcome(mime_type, ())
    return Outcome(mime_type, (WARN_MIME,))


def check_vn_tax_id(value: str) -> Outcome[str]:
    """A Vietnamese tax id (MST): 10 digits, or 10 + ``-`` + 3; WARN only."""
    text = value.strip()
    return Outcome(text, () if _VN_TAX_ID.match(text) else (WARN_TAX_ID,))


def check_sku(value: str) -> Outcome[str]:
    """A product SKU, ``^[A-Za-z0-9._/-]{1,64}$``; WARN only."""
    return Outcome(value, () if _SKU.match(value) else (WARN_SKU,))


def check_gdc_number(value: str) -> Outcome[str]:
    """A GDC registration number: digits, no published check; WARN only."""
    text = value.strip()
    return Outcome(text, () if text.isascii() and text.isdigit() else (WARN_GDC,))


def check_provider_reference(provider: str, reference: str, kind: str) -> Outcome[str]:
    """A GoCardless or Stripe ``kind`` reference (payment, mandate, customer, subscription).

    Checked only for providers and kinds with a known pattern; a mismatch is a WARN.
    """
    pattern = PROVIDER_PATTERNS.get(provider.upper(), {}).get(kind)
    if pattern is None or pattern.match(reference):
        return Outcome(reference, ())
    return Outcome(reference, (WARN_PROVIDER_REF,))
