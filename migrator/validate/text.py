"""Text clean-up: Unicode NFC, control characters, over-long names, tags (sources.md §5.1, §7.7).

Clinical free text is kept verbatim except line endings; other text is NFC-normalised with
control characters other than newline and tab removed (FIX). Names over 255 characters are a
WARN and truncated. Tags are split on commas (OplaCRM keeps some as one comma-delimited string),
trimmed, NFC-normalised and de-duplicated case-insensitively (the first spelling wins).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from migrator.validate.findings import Issue, Outcome, fix, warn

NAME_MAX = 255
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

FIX_TEXT = fix("text_normalised", "text NFC-normalised or control characters removed")
FIX_LINE_ENDINGS = fix("line_endings", "line endings normalised to LF")
WARN_NAME_LONG = warn("name_too_long", "name longer than 255 characters; truncated")
FIX_TAGS = fix("tags_normalised", "tags split, trimmed or de-duplicated")


def clean_text(value: str) -> Outcome[str]:
    """NFC, CRLF/CR to LF, control characters except newline and tab removed."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    return Outcome(text, (FIX_TEXT,) if text != value else ())


def clean_clinical_text(value: str) -> Outcome[str]:
    """Clinical text: only line endings change (CRLF and CR become LF)."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return Outcome(text, (FIX_LINE_ENDINGS,) if text != value else ())


def check_name(value: str) -> Outcome[str]:
    """A cleaned display name, truncated to 255 characters with a WARN."""
    cleaned = clean_text(value)
    text = cleaned.value or ""
    if len(text) > NAME_MAX:
        return Outcome(text[:NAME_MAX], (*cleaned.issues, WARN_NAME_LONG))
    return cleaned


def split_tags(value: str | Iterable[str]) -> Outcome[tuple[str, ...]]:
    """Tags as a clean tuple from a list or a comma/semicolon-delimited string."""
    items = [value] if isinstance(value, str) else list(value)
    result: list[str] = []
    seen: set[str] = set()
    for item in items:
        for part in re.split(r"[,;]", str(item)):
            tag = unicodedata.normalize("NFC", part.strip())
            if tag and tag.casefold() not in seen:
                seen.add(tag.casefold())
                result.append(tag)
    changed = isinstance(value, str) or result != items
    issues: tuple[Issue, ...] = (FIX_TAGS,) if changed else ()
    return Outcome(tuple(result), issues)
