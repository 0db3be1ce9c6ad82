"""Twenty's rate limit in front of the sandbox: a WSGI middleware over :class:`DualBucket`.

Twenty throttles in its data query runner (twenty-api.md §10), so only calls that reach it spend
a token: requests carrying the workspace's valid API key to the REST data API (``/rest/…`` except
``/rest/metadata/…``) or to ``POST /graphql``. Metadata (``/rest/metadata/…``, ``/metadata``),
the sandbox's own ``/_sandbox/…`` endpoints and requests without the right key (checked as the
app checks it; the app answers them 401/403) pass untouched and spend nothing. A refused REST
call gets Twenty's 429 body with no ``Retry-After`` (capture 74); a refused GraphQL call gets 200
with ``LIMIT_REACHED`` (capture 75). A refused call spends nothing and never reaches the app; it
can be written to the sandbox's request log. The clock is injectable, so a test can replay a
minute of traffic without waiting.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from migrator.buckets import DualBucket
from migrator.clock import Clock, SystemClock, isoformat_z
from migrator.sandbox.config import RateLimit
from migrator.sandbox.http import ApiError
from migrator.sandbox.identity import Authenticator

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
RequestLogger = Callable[[dict[str, Any]], None]
"""Receives one request-log entry (the shape of the sandbox's ``/_sandbox/requests``)."""
_GRAPHQL_USER_MESSAGE = "Rate limit reached. Please try again later."


def is_data_api_call(method: str, path: str) -> bool:
    """True for the calls Twenty's query runner throttles: REST data paths and ``POST /graphql``."""
    if path == "/graphql":
        return method == "POST"
    return path.startswith("/rest/") and not (
        path == "/rest/metadata" or path.startswith("/rest/metadata/")
    )


class RateLimitMiddleware:
    """Refuse data-API calls beyond Twenty's two token buckets; pass everything else through.

    Guarantees: one token per data-API call made with ``api_key``; a refused call reaches neither
    the app nor the buckets' balance; a limit of 0 (or :data:`NO_RATE_LIMIT`) turns a bucket off.
    Each refusal is passed to ``log`` (if given) as a request-log entry timed by ``clock``. Safe
    to call from several server threads at once.
    """

    def __init__(
        self,
        app: WSGIApplication,
        limit: RateLimit,
        *,
        api_key: str,
        monotonic: Callable[[], float] = time.monotonic,
        log: RequestLogger | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._app = app
        self._auth = Authenticator(api_key)
        self._monotonic = monotonic
        self._log = log
        self._clock = clock or SystemClock()
        self._buckets = DualBucket(
            short_limit=limit.short_limit,
            short_ttl_ms=limit.short_ttl_ms,
            long_limit=limit.long_limit,
            long_ttl_ms=limit.long_ttl_ms,
            now=monotonic(),
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer a refused data call with Twenty's limit error; hand anything else to the app."""
        if self._buckets.is_off or not self._spends_token(environ):
            return self._app(environ, start_response)
        if self._buckets.try_take(self._monotonic()):
            return self._app(environ, start_response)
        message = self._buckets.refusal_message
        request_body = read_request_body(environ)
        if environ.get("PATH_INFO", "") == "/graphql":
            status, body = 200, _graphql_refusal(request_body, message)
        else:
            status, body = 429, {"statusCode": 429, "error": "HttpException", "messages": [message]}
        if self._log is not None:
            self._log(log_entry(environ, status, self._clock))
        return json_answer(start_response, _STATUS_LINES[status], body)

    def _spends_token(self, environ: WSGIEnvironment) -> bool:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        if not is_data_api_call(method, str(environ.get("PATH_INFO", ""))):
            return False
        try:
            self._auth.check(environ.get("HTTP_AUTHORIZATION"))
        except ApiError:
            return False
        return True


_STATUS_LINES = {200: "200 OK", 429: "429 Too Many Requests"}


def log_entry(environ: WSGIEnvironment, status: int, clock: Clock) -> dict[str, Any]:
    """A request-log entry for an answer a middleware gave by itself (no records touched)."""
    return {
        "method": str(environ.get("REQUEST_METHOD", "GET")).upper(),
        "path": str(environ.get("PATH_INFO", "")),
        "query": str(environ.get("QUERY_STRING", "")),
        "status": status,
        "recordCount": 0,
        "time": isoformat_z(clock.now()),
        "durationMs": 0.0,
    }


def read_request_body(environ: WSGIEnvironment) -> bytes:
    """Read the whole request body (so a kept-alive connection stays in step) and return it."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    data: bytes = environ["wsgi.input"].read(length)
    return data


def json_answer(
    start_response: StartResponse,
    status: str,
    body: object,
    extra_headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    """Start a compact JSON response (Twenty's content type) and return its body."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    headers = [("Content-Type", JSON_CONTENT_TYPE), ("Content-Length", str(len(payload)))]
    start_response(status, headers + (extra_headers or []))
    return [payload]


def _graphql_refusal(request_body: bytes, message: str) -> dict[str, object]:
    """Capture 75: every root field of the operation is null and one LIMIT_REACHED error."""
    try:
        document = json.loads(request_body or b"{}")
        query = document.get("query", "") if isinstance(document, dict) else ""
    except ValueError:
        query = ""
    roots = root_field_names(query) if isinstance(query, str) else []
    error = {
        "message": message,
        "extensions": {
            "subCode": "LIMIT_REACHED",
            "userFriendlyMessage": _GRAPHQL_USER_MESSAGE,
            "code": "BAD_USER_INPUT",
        },
    }
    data = dict.fromkeys(roots) if roots else None
    return {"data": data, "errors": [error]}


_TOKEN = re.compile(r'"""(?:.|\n)*?"""|"(?:\\.|[^"\\])*"|#[^\n]*|[_A-Za-z][_0-9A-Za-z]*|\.\.\.|\S')


def root_field_names(query: str) -> list[str]:
    """Response keys (alias or name) of the first operation's root fields, best effort.

    Fragment definitions are skipped; fragment spreads at the root are not expanded. Anything
    that does not parse yields fewer names, never an error.
    """
    tokens = [t for t in _TOKEN.findall(query) if not t.startswith(("#", '"'))]
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token == "fragment":
            opening = tokens.index("{", position) if "{" in tokens[position:] else len(tokens)
            position = _skip_past_block(tokens, opening)
        elif token == "(":
            position = _skip_past_block(tokens, position)  # the operation's variables
        elif token == "{":
            return _selection_keys(tokens, position + 1)
        else:
            position += 1
    return []


def _skip_past_block(tokens: list[str], opening: int) -> int:
    depth = 0
    for position in range(opening, len(tokens)):
        if tokens[position] in "{(":
            depth += 1
        elif tokens[position] in "})":
            depth -= 1
            if depth == 0:
                return position + 1
    return len(tokens)


def _selection_keys(tokens: list[str], position: int) -> list[str]:
    keys: list[str] = []
    while position < len(tokens) and tokens[position] != "}":
        token = tokens[position]
        if token in "{(":
            position = _skip_past_block(tokens, position)
        elif token == "...":
            # a named spread is "... Name"; an inline fragment "... on Type {…}" keeps its block
            position += 3 if tokens[position + 1 : position + 2] == ["on"] else 2
        elif token == "@":
            position += 2  # a directive name; its arguments are skipped as a block
        elif token == ":" and keys:
            position += 2  # "alias: field": the alias is the key, the field name is skipped
        elif token[0].isalpha() or token[0] == "_":
            keys.append(token)
            position += 1
        else:
            position += 1
    return list(dict.fromkeys(keys))
