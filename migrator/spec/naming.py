"""Pure text functions for Twenty names and option values, shared by validation and the mapper.

:func:`to_camel_case` proposes a valid Twenty field name for a guide's or source's name
(``opla_healthscore__c`` → ``oplaHealthscore``); :func:`to_option_value` is the ``transliterate``
transform (``Quận 1`` → ``QUAN_1``): ASCII UPPER_SNAKE, what Twenty requires of SELECT values.
Both are deterministic and total (they always return a string, possibly empty).
"""

from __future__ import annotations

import re
import unicodedata

#: Letters that Unicode decomposition does not reduce to ASCII (Vietnamese đ, German ß …).
_SPECIAL_LETTERS = str.maketrans(
    {"đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}
)
#: Salesforce-style custom suffixes the guides use (``__c``), dropped from proposals.
_CUSTOM_SUFFIX = re.compile(r"__c$", re.IGNORECASE)
_WORDS = re.compile(r"[A-Za-z0-9]+")
_CAMEL_SPLIT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def to_ascii(text: str) -> str:
    """``text`` with diacritics removed and special letters spelt in ASCII (``Quận`` → ``Quan``).

    Characters with no ASCII spelling are dropped.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
    return (
        "".join(c for c in decomposed if not unicodedata.combining(c))
        .encode("ascii", "ignore")
        .decode("ascii")
    )


def words_of(text: str) -> list[str]:
    """The ASCII words of ``text``: split on non-alphanumerics and on camelCase humps."""
    words: list[str] = []
    for chunk in _WORDS.findall(to_ascii(_CUSTOM_SUFFIX.sub("", text))):
        words.extend(part for part in _CAMEL_SPLIT.split(chunk) if part)
    return words


def to_camel_case(text: str) -> str:
    """A camelCase Twenty name for ``text`` (``Appointment_Status__c`` → ``appointmentStatus``).

    Leading digits are dropped (a Twenty name starts with a letter); the result is cut to 63
    characters. It may still be reserved: check it with :func:`migrator.catalogue.name_problem`.
    """
    words = words_of(text)
    while words and words[0][0].isdigit():
        words[0] = words[0].lstrip("0123456789")
        if not words[0]:
            words.pop(0)
    if not words:
        return ""
    head, *rest = words
    name = head.lower() + "".join(w[:1].upper() + w[1:].lower() for w in rest)
    return name[:63]


def to_option_value(text: str) -> str:
    """The ASCII UPPER_SNAKE option value for a label (``Đã ký hợp đồng`` → ``DA_KY_HOP_DONG``)."""
    return "_".join(word.upper() for word in words_of(text))
