"""PostgreSQL's ``LIKE`` and ``ILIKE``, for the sandbox's SQLite (registered as ``pg_like``).

SQLite's ``LIKE`` and ``lower()`` fold ASCII letters only, and know no escape character unless
told; Twenty runs on PostgreSQL, where ``ILIKE`` folds every letter (``CÔNG TY`` matches
``công ty``) and a backslash escapes the next pattern character (``\\%`` is a literal percent
sign). The sandbox compares with these semantics so a filter finds on it what it finds on Twenty.
Case folding is ``str.lower`` on both sides (what PostgreSQL's ILIKE does under a UTF-8 locale),
not ``casefold``: ``ß`` does not match ``ss``.
"""

from __future__ import annotations

import functools
import re


class BadPattern(ValueError):
    """The pattern ends with the escape character (PostgreSQL rejects it)."""


@functools.lru_cache(maxsize=1024)
def compile_like(pattern: str, *, insensitive: bool) -> re.Pattern[str]:
    """The regular expression matching exactly what ``LIKE pattern`` (or ``ILIKE``) matches."""
    if insensitive:
        pattern = pattern.lower()
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            escaped = next(chars, None)
            if escaped is None:
                raise BadPattern("LIKE pattern must not end with escape character")
            parts.append(re.escape(escaped))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def pg_like(text: object, pattern: object, insensitive: object) -> int | None:
    """SQL function: 1 when ``text`` matches, 0 when not, NULL when either side is NULL."""
    if text is None or pattern is None:
        return None
    fold = bool(insensitive)
    value = str(text).lower() if fold else str(text)
    return int(compile_like(str(pattern), insensitive=fold).fullmatch(value) is not None)
