"""Turning Twenty's error responses into ``migrator.errors.Twenty*`` errors.

One function, :func:`error_from_response`, maps a status and a body to the typed error the rest
of the tool catches: 401/403 → :class:`TwentyAuthError`, 404 → :class:`TwentyNotFound`, a
duplicate or an ambiguous upsert → :class:`TwentyConflict`, other 4xx and the 500 "Data validation
error." → :class:`TwentyValidationError`, 429/502/503/504 → :class:`TwentyUnavailable` (transient;
the retry policy decides whether to try again). Every message is scrubbed (``scrub.py``) before it
is stored, and no error ever carries the request's headers, body or query string.
"""

from __future__ import annotations

import re
from typing import Any

from migrator.errors import (
    TwentyAuthError,
    TwentyConflict,
    TwentyError,
    TwentyNotFound,
    TwentyUnavailable,
    TwentyValidationError,
)
from migrator.twenty.scrub import scrub_message

TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})

_DUPLICATE = re.compile(r"(?i)duplicate (?:entry|key)")
_AMBIGUOUS_UPSERT = re.compile(r"(?i)^Multiple records found")
_MAX_RECORDS = re.compile(r"(?i)Maximum number of records to \w+ is (\d+)")
_DATA_VALIDATION = "Data validation error."


def messages_of(body: Any) -> tuple[str, ...]:
    """Twenty's messages from an error body, REST, metadata or GraphQL (unscrubbed)."""
    if not isinstance(body, dict):
        return (str(body)[:500],) if body else ()
    found: list[str] = []
    raw = body.get("messages")
    if isinstance(raw, list):
        found.extend(str(m) for m in raw)
    elif isinstance(body.get("message"), str):
        found.append(body["message"])
    errors = body.get("errors")
    if isinstance(errors, dict):  # METADATA_VALIDATION_ERROR: errors.<entity>[].errors[].message
        for entries in errors.values():
            for entry in entries if isinstance(entries, list) else ():
                for item in entry.get("errors", ()) if isinstance(entry, dict) else ():
                    if isinstance(item, dict) and isinstance(item.get("message"), str):
                        found.append(item["message"])
    elif isinstance(errors, list):  # GraphQL: errors[].message
        found.extend(str(e.get("message")) for e in errors if isinstance(e, dict))
    return tuple(dict.fromkeys(found))


def is_duplicate(error: TwentyError) -> bool:
    """True for Twenty's "A duplicate entry was detected" (a unique value or id collides)."""
    return isinstance(error, TwentyConflict) and any(_DUPLICATE.search(m) for m in error.messages)


def max_records_of(error: TwentyError) -> int | None:
    """The batch limit a "Maximum number of records to … is N." refusal names, else ``None``."""
    if error.status != 400:
        return None
    for message in error.messages:
        match = _MAX_RECORDS.search(message)
        if match:
            return int(match.group(1))
    return None


def _kind(status: int, messages: tuple[str, ...]) -> type[TwentyError]:
    if status in (401, 403):
        return TwentyAuthError
    if status == 404:
        return TwentyNotFound
    if status in TRANSIENT_STATUSES:
        return TwentyUnavailable
    if status == 400 and any(_DUPLICATE.search(m) or _AMBIGUOUS_UPSERT.match(m) for m in messages):
        return TwentyConflict
    if 400 <= status < 500 or (status == 500 and _DATA_VALIDATION in messages):
        return TwentyValidationError
    return TwentyError


_HINTS: dict[type[TwentyError], str] = {
    TwentyAuthError: "Check the API key (its role needs data and data-model permissions).",
    TwentyNotFound: "The object, field or record is gone; plan again to see the current state.",
    TwentyConflict: "Another record holds the same unique value; see the quarantine.",
    TwentyValidationError: "Twenty refused the values sent; see the message and the spec.",
    TwentyUnavailable: "Twenty is overloaded or unreachable; run the command again later.",
}


class TwentyRetryLater(TwentyUnavailable):
    """A transient refusal that said when to come back (``Retry-After``, in seconds)."""

    def __init__(self, summary: str, *, retry_after_s: float, **context: Any) -> None:
        super().__init__(summary, **context)
        self.retry_after_s = retry_after_s


def retry_after_of(error: BaseException) -> float:
    """The wait a transient refusal asked for (0 when it named none)."""
    return error.retry_after_s if isinstance(error, TwentyRetryLater) else 0.0


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds (HTTP dates are ignored)."""
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 86_400 else None


def error_from_response(
    method: str,
    path: str,
    status: int,
    body: Any,
    *,
    is_metadata: bool,
    retry_after_s: float | None = None,
) -> TwentyError:
    """The typed error for a refused request; messages scrubbed, path without query string."""
    messages = tuple(scrub_message(m, is_metadata=is_metadata) for m in messages_of(body))
    kind = _kind(status, messages)
    first = messages[0] if messages else "no message"
    if kind is TwentyUnavailable and retry_after_s is not None:
        return TwentyRetryLater(
            f"Twenty refused {method} {path} ({status}): {first}",
            retry_after_s=retry_after_s,
            method=method,
            path=path,
            status=status,
            messages=messages,
            hint=_HINTS[TwentyUnavailable],
        )
    return kind(
        f"Twenty refused {method} {path} ({status}): {first}",
        method=method,
        path=path,
        status=status,
        messages=messages,
        detail="\n".join(messages[1:]),
        hint=_HINTS.get(kind, ""),
    )


def error_from_graphql(method: str, path: str, body: Any, *, is_metadata: bool) -> TwentyError:
    """The typed error for a GraphQL answer carrying ``errors`` (HTTP 200, capture 75).

    ``LIMIT_REACHED`` becomes a 429 (transient); ``UNAUTHENTICATED``/``FORBIDDEN`` an auth error;
    ``NOT_FOUND`` a not-found; anything else a validation error (or a conflict for a duplicate).
    """
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    raw = first.get("extensions")
    extensions: dict[str, Any] = raw if isinstance(raw, dict) else {}
    codes = {str(extensions.get("code", "")), str(extensions.get("subCode", ""))}
    status = 400
    if "LIMIT_REACHED" in codes:
        status = 429
    elif codes & {"UNAUTHENTICATED"}:
        status = 401
    elif codes & {"FORBIDDEN", "FORBIDDEN_EXCEPTION", "PERMISSION_DENIED"}:
        status = 403
    elif codes & {"NOT_FOUND"}:
        status = 404
    return error_from_response(method, path, status, body, is_metadata=is_metadata)


class TwentyNoResponse(TwentyUnavailable):
    """No response arrived: a timeout, a reset, a dropped connection (transient).

    ``may_have_committed`` is False only when the request certainly never reached Twenty (the
    connection was never made); a write that failed any later may have been stored.
    """

    def __init__(self, method: str, path: str, reason: str, *, may_have_committed: bool) -> None:
        super().__init__(
            f"Twenty did not answer {method} {path}: {reason}",
            method=method,
            path=path,
            hint=_HINTS[TwentyUnavailable],
        )
        self.may_have_committed = may_have_committed


def may_have_committed(error: TwentyError) -> bool:
    """Whether the failed request may nevertheless have been carried out by Twenty.

    A 429 is refused before any work (the throttle is the first step), and a 503 means nothing
    behind the proxy took the request; a 502/504 or a lost connection may hide a stored write.
    """
    if isinstance(error, TwentyNoResponse):
        return error.may_have_committed
    return error.status in (502, 504)
