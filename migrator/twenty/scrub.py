"""Removing the values Twenty echoes back from its error messages.

Twenty's data API quotes the offending value in its messages (captures 23, 34, 35, 38): an email,
a domain, a number, an option value. Those values come from source records and may be patient
data, so every data-API message is scrubbed before it is stored in an error, a log or the
quarantine. Known message templates keep their structure (field names, the list of valid option
values, which are schema, not data) and lose only the echoed value; any other message loses every
quoted span and anything that looks like an email, a URL, a long number or a token. The result is
``<redacted>`` where a value was.

Metadata messages (``/rest/metadata``) echo names and option values from the spec, which are
schema and safe to show; :func:`scrub_message` leaves tokens out of them and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable

REDACTED = "<redacted>"

#: A field path as Twenty names fields (camelCase, optionally ``.subField``).
_FIELD_PATH = r"[a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*"

_JWT = re.compile(r"\b[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b")
_BEARER = re.compile(r"(?i)bearer\s+\S+")
_EMAIL = re.compile(r"[^\s'\"<>(),;:]+@[^\s'\"<>(),;:]+")
_URL = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)[^\s'\"<>,]+")
_LONG_NUMBER = re.compile(r"(?<![\w.])\+?\d[\d\s().-]{4,}\d(?![\w.])")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
#: Quoted spans right after these words name schema (fields, objects, paths), not data.
_SCHEMA_WORDS = re.compile(r"(?i)(?:field|object|path|mean|column|relation)\s*$")


def _keep_all(match: re.Match[str]) -> str:
    return match.group(0)


def _invalid_value(match: re.Match[str]) -> str:
    return f"{match.group('head')}{REDACTED}{match.group('tail')}"


def _unique_values(match: re.Match[str]) -> str:
    keys = re.findall(rf"(?:^|, )({_FIELD_PATH}): ", match.group("pairs"))
    listed = ", ".join(f"{key}: {REDACTED}" for key in keys) or REDACTED
    return f"{match.group('head')}{listed}{match.group('tail')}"


#: (pattern, rewrite) for every data-API message template this tool has seen.
_TEMPLATES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    # Invalid string value 'x@y' for email field "emails.primaryEmail"   (capture 35)
    # Invalid number value '12' for field "employees"                     (capture 38)
    (
        re.compile(
            rf"^(?P<head>Invalid (?:[\w-]+ )?value ')(?:.*)(?P<tail>' for (?:[\w-]+ )?field "
            rf"\"{_FIELD_PATH}\"\.?)$",
            re.S,
        ),
        _invalid_value,
    ),
    # Invalid value "SALESFORCE" for field "sourceSystem". Valid values are: A, B  (capture 34)
    (
        re.compile(
            rf"^(?P<head>Invalid (?:[\w-]+ )?value \")(?:.*)(?P<tail>\" for (?:[\w-]+ )?field "
            rf"\"{_FIELD_PATH}\"(?:\. Valid values are: [A-Z0-9_, ]*)?\.?)$",
            re.S,
        ),
        _invalid_value,
    ),
    # Multiple records found with the same unique field values for k: v, k: v. Cannot …  (23)
    (
        re.compile(
            r"^(?P<head>Multiple records found with the same unique field values for )"
            r"(?P<pairs>.*)(?P<tail>\. Cannot determine which record to update\.?)$",
            re.S,
        ),
        _unique_values,
    ),
    # Object company doesn't have any "foo" field.   (capture 33: the key is ours, not data)
    (re.compile(r"^Object [a-zA-Z0-9]+ doesn't have any \"[A-Za-z0-9_.]*\" field\.?$"), _keep_all),
    (re.compile(r"^Limit reached \(\d+ tokens per \d+ ms\)$"), _keep_all),
    (re.compile(r"^Maximum number of records to \w+ is \d+\.?$"), _keep_all),
    (re.compile(r"^object '\w+' not found\.( Did you mean '\w+'\?)?$"), _keep_all),
    (re.compile(r"^Query path '[A-Za-z0-9/_-]*' invalid\..*$", re.S), _keep_all),
)


def _scrub_tokens(text: str) -> str:
    text = _BEARER.sub(f"Bearer {REDACTED}", text)
    return _JWT.sub(REDACTED, text)


def _scrub_quoted(text: str) -> str:
    parts: list[str] = []
    last = 0
    for match in _QUOTED.finditer(text):
        parts.append(text[last : match.start()])
        quote = match.group(0)[0]
        inner = match.group(0)[1:-1]
        keep = _SCHEMA_WORDS.search(text[: match.start()]) and re.fullmatch(_FIELD_PATH, inner)
        parts.append(match.group(0) if keep else f"{quote}{REDACTED}{quote}")
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def scrub_generic(text: str) -> str:
    """Redact every quoted value and every email, URL, long number or token in ``text``."""
    text = _scrub_tokens(text)
    text = _scrub_quoted(text)
    text = _URL.sub(REDACTED, text)
    text = _EMAIL.sub(REDACTED, text)
    return _LONG_NUMBER.sub(REDACTED, text)


def scrub_data_message(message: str) -> str:
    """A data-API message with every echoed value replaced by ``<redacted>``."""
    message = _scrub_tokens(message)
    for pattern, rewrite in _TEMPLATES:
        match = pattern.match(message)
        if match is not None:
            return rewrite(match)
    return scrub_generic(message)


def scrub_message(message: str, *, is_metadata: bool) -> str:
    """Scrub one of Twenty's messages: fully for the data API, tokens only for metadata."""
    if is_metadata:
        return _scrub_tokens(message)
    return scrub_data_message(message)
