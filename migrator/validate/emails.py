"""Email addresses: clean-up, syntax check with email-validator, several per field (§7.4).

FIX: trim, strip ``mailto:`` and ``<…>``, lower-case the domain after IDNA normalisation (the
local part is kept as given), split several addresses into a primary and additional ones.
WARN (the address is not loaded; the raw value stays in the record): placeholders (``Email``,
``n/a``, ``test@test.com`` …), more than one ``@``, a domain without a dot, over 254 characters,
or anything email-validator refuses. No network is used (``check_deliverability=False``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from migrator.validate.findings import Issue, Outcome, fix, warn

PLACEHOLDERS = frozenset(
    {"email", "e-mail", "n/a", "na", "none", "null", "nil", "-", "--", ".", "x", "no email",
     "test@test.com", "noemail@noemail.com", "email@email.com"}
)  # fmt: skip
MAX_LENGTH = 254
_SPLIT = re.compile(r"[;,\s]+")
# A strict subset of what email-validator accepts: plain ASCII dot-atoms, lower-case domains.
_SIMPLE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$"
)
_SPECIAL_TLDS = ("arpa", "invalid", "local", "localhost", "onion", "test")

FIX_CLEANED = fix("email_normalised", "email trimmed, unwrapped or domain lower-cased")
FIX_SPLIT = fix("email_split", "several emails in one field; the first is primary")
WARN_PLACEHOLDER = warn("email_placeholder", "email is a placeholder; not loaded")
WARN_INVALID = warn("email_invalid", "email is not a valid address; not loaded, raw kept")
WARN_TWO_AT = warn("email_several_at", "email has more than one @; not loaded, raw kept")
WARN_TOO_LONG = warn("email_too_long", "email is longer than 254 characters; not loaded")
WARN_NO_DOT = warn("email_domain_without_dot", "email domain has no dot; not loaded")


@dataclass(frozen=True, slots=True)
class Emails:
    """A field's addresses: the primary one, the others, and the de-duplication key."""

    primary: str
    additional: tuple[str, ...] = ()

    @property
    def dedupe_key(self) -> str:
        """The primary address lower-cased: only for finding duplicates, never loaded."""
        return self.primary.lower()


def _unwrap(text: str) -> str:
    text = text.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:].strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    return text


@functools.lru_cache(maxsize=4096)
def _normalise_one(address: str, allow_dotless: bool) -> tuple[str | None, Issue | None]:
    if address.lower() in PLACEHOLDERS:
        return None, WARN_PLACEHOLDER
    if len(address) > MAX_LENGTH:
        return None, WARN_TOO_LONG
    if address.count("@") > 1:
        return None, WARN_TWO_AT
    if _SIMPLE.match(address) and not address.endswith(_SPECIAL_TLDS):
        return address, None
    domain = address.rpartition("@")[2]
    if "." not in domain and not allow_dotless:
        return None, WARN_NO_DOT
    try:
        result = validate_email(
            address, check_deliverability=False, globally_deliverable=not allow_dotless
        )
    except EmailNotValidError:
        return None, WARN_INVALID
    return result.local_part + "@" + result.domain, None


def check_email(value: str, *, allow_dotless_domain: bool = False) -> Outcome[Emails]:
    """Normalise an email field (see module doc). ``value`` is None when no address is usable.

    ``allow_dotless_domain`` admits ``user@host`` (tests only).
    """
    text = _unwrap(value)
    issues: list[Issue] = []
    parts = [p for p in (_unwrap(x) for x in _SPLIT.split(text)) if p]
    if not parts:
        return Outcome(None, (WARN_PLACEHOLDER,))
    if len(parts) > 1:
        issues.append(FIX_SPLIT)
    good: list[str] = []
    for part in parts:
        normalised, problem = _normalise_one(part, allow_dotless_domain)
        if problem is not None:
            issues.append(problem)
        elif normalised is not None and normalised not in good:
            good.append(normalised)
    if not good:
        return Outcome(None, tuple(issues))
    if len(parts) == 1 and good[0] != value:
        issues.insert(0, FIX_CLEANED)
    return Outcome(Emails(good[0], tuple(good[1:])), tuple(issues))
