"""Tooth notation: FDI (ISO 3950) and UK Palmer, conversion both ways, surfaces (sources.md §7.3).

:func:`parse_tooth` reads ``16``, ``1.6``, ``1-6`` (FDI) or ``UR6``, ``URQ6``, ``lrb``, ``6┘``
(Palmer) into a :class:`Tooth` whose canonical form is the two-digit FDI number.
:func:`normalise_surfaces` puts surface letters in canonical order (M, O/I, D, B, L/P) after
applying the aliases and the palatal/lingual rules for the tooth's arch.
:func:`age_issues` holds the cross-field checks that need the patient's age.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migrator.validate.findings import Issue, Outcome, error, fix, warn

_PALMER_QUADRANTS = {"UR": 1, "UL": 2, "LL": 3, "LR": 4}
_QUADRANT_PREFIX = {1: "UR", 2: "UL", 3: "LL", 4: "LR"}
_PALMER = re.compile(r"^(UR|UL|LL|LR)Q?([1-8]|[A-E])$")
_FDI = re.compile(r"^([1-8])[.\-]?([1-8])$")
_BOX = {"┘": ("UR", True), "└": ("UL", False), "┐": ("LR", True), "┌": ("LL", False)}

FIX_FDI_SPELLING = fix("tooth_fdi_spelling", "FDI tooth written with a separator; normalised")
WARN_PALMER_SYMBOL = warn(
    "tooth_palmer_symbol", "Palmer box-symbol notation converted (lossy input)"
)
ERROR_TOOTH = error("tooth_invalid", "not a valid FDI or Palmer tooth")
ERROR_SURFACE_LETTER = error("surface_unknown", "surface code is not one of M O I D B L P")
ERROR_PALATAL_LOWER = error("surface_palatal_on_mandibular", "palatal surface on a lower tooth")
ERROR_TOO_MANY = error("surfaces_too_many", "more than 5 distinct surfaces")
FIX_SURFACES = fix("surfaces_normalised", "surfaces upper-cased, de-duplicated and reordered")
FIX_LINGUAL = fix("surface_lingual_to_palatal", "lingual surface on an upper tooth made palatal")
WARN_OCCLUSAL_ANTERIOR = warn("surface_occlusal_on_anterior", "occlusal surface on a front tooth")
WARN_INCISAL_POSTERIOR = warn("surface_incisal_on_posterior", "incisal surface on a back tooth")
WARN_DECIDUOUS_AGE = warn("tooth_deciduous_at_14_plus", "deciduous tooth on a patient aged 14+")
WARN_MOLAR_AGE = warn("tooth_molar_under_6", "second or third permanent molar under age 6")


@dataclass(frozen=True, slots=True)
class Tooth:
    """One tooth: FDI quadrant 1-8 and position, with derived classes and notations."""

    quadrant: int
    position: int

    @property
    def fdi(self) -> int:
        """The two-digit FDI number (16, 38, 64, 82)."""
        return self.quadrant * 10 + self.position

    @property
    def is_deciduous(self) -> bool:
        """Quadrants 5-8."""
        return self.quadrant >= 5

    @property
    def is_maxillary(self) -> bool:
        """Upper arch: quadrants 1, 2, 5, 6."""
        return self.quadrant in (1, 2, 5, 6)

    @property
    def is_anterior(self) -> bool:
        """Incisors and canines: position 1-3 in either dentition."""
        return self.position <= 3

    @property
    def palmer(self) -> str:
        """The UK alphanumeric Palmer form (UR6, ULD)."""
        prefix = _QUADRANT_PREFIX[(self.quadrant - 1) % 4 + 1]
        if self.is_deciduous:
            return prefix + "ABCDE"[self.position - 1]
        return prefix + str(self.position)

    @property
    def dentition(self) -> str:
        """``PERMANENT`` or ``DECIDUOUS``."""
        return "DECIDUOUS" if self.is_deciduous else "PERMANENT"


def tooth_from_fdi(fdi: int) -> Tooth | None:
    """The tooth an FDI number names, or None for areas and impossible codes."""
    quadrant, position = divmod(fdi, 10)
    if 1 <= quadrant <= 4 and 1 <= position <= 8:
        return Tooth(quadrant, position)
    if 5 <= quadrant <= 8 and 1 <= position <= 5:
        return Tooth(quadrant, position)
    return None


def palmer_to_fdi(prefix: str, tooth: str) -> Tooth:
    """Palmer quadrant prefix and tooth (1-8 or A-E) to the FDI tooth (exact mapping)."""
    quadrant = _PALMER_QUADRANTS[prefix]
    if tooth.isdigit():
        return Tooth(quadrant, int(tooth))
    return Tooth(quadrant + 4, "ABCDE".index(tooth) + 1)


def _parse_box(text: str) -> Tooth | None:
    for symbol, (prefix, after) in _BOX.items():
        body = text[:-1] if after and text.endswith(symbol) else None
        if not after and text.startswith(symbol):
            body = text[1:]
        if body and len(body) == 1 and (body in "12345678" or body.upper() in "ABCDE"):
            return palmer_to_fdi(prefix, body.upper())
    return None


def parse_tooth(value: str | int) -> Outcome[Tooth]:
    """Read a tooth in FDI or Palmer notation (see module doc); ERROR when it is neither."""
    if isinstance(value, int) and not isinstance(value, bool):
        found = tooth_from_fdi(value)
        return Outcome(found, ()) if found else Outcome(None, (ERROR_TOOTH,))
    text = "".join(str(value).split())
    fdi = _FDI.match(text)
    if fdi:
        found = tooth_from_fdi(int(fdi.group(1) + fdi.group(2)))
        if found is None:
            return Outcome(None, (ERROR_TOOTH,))
        return Outcome(found, (FIX_FDI_SPELLING,) if len(text) == 3 else ())
    palmer = _PALMER.match(text.upper())
    if palmer:
        return Outcome(palmer_to_fdi(palmer.group(1), palmer.group(2)), ())
    boxed = _parse_box(text)
    if boxed is not None:
        return Outcome(boxed, (WARN_PALMER_SYMBOL,))
    return Outcome(None, (ERROR_TOOTH,))


_ALIASES = {"Lab": "B", "La": "B", "lab": "B", "la": "B", "Li": "L", "li": "L", "F": "B", "V": "B"}
_TOKEN = re.compile(r"Lab|La|Li|lab|la|li|[A-Za-z]")
_ORDER = "MOIDBLP"


def normalise_surfaces(value: str, tooth: Tooth | None) -> Outcome[str]:
    """Canonical surfaces for ``tooth`` (``DOM`` -> ``MOD``, ``PD`` -> ``DP``); "" = whole tooth.

    Aliases La/Lab/F/V become B and Li becomes L (FIX); L on an upper tooth becomes P (FIX);
    P on a lower tooth is an ERROR; O on a front tooth or I on a back tooth is a WARN; an
    unknown letter or more than 5 surfaces is an ERROR. Without a tooth only letters, aliases,
    duplicates and order are checked.
    """
    compact = re.sub(r"[\s,;/+]", "", value)
    tokens = _TOKEN.findall(compact)
    letters = [_ALIASES.get(token, token.upper()) for token in tokens]
    if "".join(tokens) != compact or any(letter not in _ORDER for letter in letters):
        return Outcome(None, (ERROR_SURFACE_LETTER,))
    issues: list[Issue] = []
    plain = value
    if tooth is not None:
        if tooth.is_maxillary and "L" in letters:
            letters = ["P" if s == "L" else s for s in letters]
            plain = value.replace("L", "P")
            issues.append(FIX_LINGUAL)
        if not tooth.is_maxillary and "P" in letters:
            return Outcome(None, (ERROR_PALATAL_LOWER,))
        if tooth.is_anterior and "O" in letters:
            issues.append(WARN_OCCLUSAL_ANTERIOR)
        if not tooth.is_anterior and "I" in letters:
            issues.append(WARN_INCISAL_POSTERIOR)
    distinct = sorted(set(letters), key=_ORDER.index)
    if len(distinct) > 5:
        return Outcome(None, (ERROR_TOO_MANY,))
    canonical = "".join(distinct)
    if canonical != plain:
        issues.insert(0, FIX_SURFACES)
    return Outcome(canonical, tuple(issues))


def age_issues(tooth: Tooth, age_years: int) -> tuple[Issue, ...]:
    """Cross-field checks: deciduous teeth at 14+, second or third permanent molars under 6."""
    if tooth.is_deciduous and age_years >= 14:
        return (WARN_DECIDUOUS_AGE,)
    if not tooth.is_deciduous and tooth.position >= 7 and age_years < 6:
        return (WARN_MOLAR_AGE,)
    return ()
