"""UK postcodes (BS 7666) and Irish Eircodes (sources.md §7.6).

Normalisation (FIX): upper-case, drop whitespace, one space before the last 3 characters (UK) or
after the 3-character routing key (Eircode). A UK postcode failing the format is a WARN, value
kept; NHS pseudo-postcodes ``ZZ99``, BFPO numbers and the overseas-territory codes are accepted
with a WARN. A format check does not prove a postcode exists.
"""

from __future__ import annotations

import re

from migrator.validate.findings import Issue, Outcome, fix, warn

UK_POSTCODE = re.compile(
    r"^(GIR 0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2})$"
)
EIRCODE = re.compile(r"^(?:[AC-FHKNPRTV-Y][0-9]{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}$")
OVERSEAS = frozenset(
    {"ASCN 1ZZ", "BIQQ 1ZZ", "FIQQ 1ZZ", "PCRN 1ZZ", "SIQQ 1ZZ", "STHL 1ZZ", "TDCU 1ZZ", "TKCA 1ZZ"}
)
_BFPO = re.compile(r"^BFPO ?([0-9]{1,4})$")

FIX_POSTCODE = fix("postcode_normalised", "postcode upper-cased and spaced")
WARN_POSTCODE = warn("postcode_format", "not a UK postcode format; kept as given")
WARN_PSEUDO = warn("postcode_pseudo", "NHS pseudo-postcode (no fixed abode or unknown)")
WARN_BFPO = warn("postcode_bfpo", "BFPO (forces) address")
WARN_OVERSEAS = warn("postcode_overseas_territory", "British overseas territory postcode")
FIX_EIRCODE = fix("eircode_normalised", "Eircode upper-cased and spaced")
WARN_EIRCODE = warn("eircode_format", "not an Eircode format; kept as given")


def check_uk_postcode(value: str) -> Outcome[str]:
    """Normalise and check a UK postcode (see module doc)."""
    compact = "".join(value.split()).upper()
    bfpo = _BFPO.match(compact)
    if bfpo:
        return Outcome(f"BFPO {bfpo.group(1)}", (WARN_BFPO,))
    if not 5 <= len(compact) <= 7:
        return Outcome(value, (WARN_POSTCODE,))
    spaced = f"{compact[:-3]} {compact[-3:]}"
    issues: list[Issue] = [FIX_POSTCODE] if spaced != value else []
    if UK_POSTCODE.match(spaced):
        return Outcome(spaced, tuple(issues))
    if spaced.startswith("ZZ99"):
        return Outcome(spaced, (*issues, WARN_PSEUDO))
    if spaced in OVERSEAS:
        return Outcome(spaced, (*issues, WARN_OVERSEAS))
    return Outcome(value, (WARN_POSTCODE,))


def check_eircode(value: str) -> Outcome[str]:
    """Normalise and check an Irish Eircode (``A65 F4E2``, ``D02 X285``)."""
    compact = "".join(value.split()).upper()
    if len(compact) != 7 or not EIRCODE.match(compact):
        return Outcome(value, (WARN_EIRCODE,))
    spaced = f"{compact[:3]} {compact[3:]}"
    return Outcome(spaced, (FIX_EIRCODE,) if spaced != value else ())


def check_postcode(value: str, country: str | None) -> Outcome[str]:
    """A postcode for a practice or patient in ``country`` (``IE`` -> Eircode, else UK)."""
    if (country or "").upper() == "IE":
        return check_eircode(value)
    return check_uk_postcode(value)
