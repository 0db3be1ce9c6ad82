"""SELECT option values from labels: Vietnamese (and any) text to ASCII UPPER_SNAKE.

Twenty refuses non-ASCII option values (capture 121), so a label such as ``Đã ký hợp đồng``
needs a value ``DA_KY_HOP_DONG`` while the label keeps the original text. Diacritics are
stripped (``đ``/``Đ`` become ``D``), every run of other characters becomes one ``_``. Labels
whose values collide get ``_2``, ``_3`` … in input order, and every result is checked with
:func:`migrator.catalogue.option_value_problem`, the one rule for option values.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from migrator.catalogue import option_value_problem
from migrator.errors import SourceError

_SPECIAL = str.maketrans({"đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o",
                          "Ø": "O", "ł": "l", "Ł": "L", "œ": "oe", "Œ": "OE"})  # fmt: skip
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
FALLBACK = "OPTION"


def transliterate(label: str) -> str:
    """The ASCII UPPER_SNAKE value for one label (``Quận 1`` -> ``QUAN_1``); ``OPTION`` when
    nothing ASCII is left (an emoji-only label)."""
    text = unicodedata.normalize("NFKD", label.translate(_SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c))
    value = _NON_ALNUM.sub("_", text.upper().encode("ascii", "ignore").decode()).strip("_")
    return value or FALLBACK


def option_values(labels: Iterable[str]) -> dict[str, str]:
    """Label -> unique option value, in input order; repeated labels share one value.

    Raises :class:`SourceError` if a produced value breaks Twenty's rule (a bug guard).
    """
    result: dict[str, str] = {}
    used: set[str] = set()
    for label in labels:
        if label in result:
            continue
        base = transliterate(label)
        value, n = base, 1
        while value in used:
            n += 1
            value = f"{base}_{n}"
        problem = option_value_problem(value)
        if problem is not None:
            raise SourceError("Cannot derive a valid option value", detail=problem)
        used.add(value)
        result[label] = value
    return result
