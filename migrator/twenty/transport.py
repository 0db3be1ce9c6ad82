"""Building the ``httpx.Client`` the Twenty client talks through.

:func:`build_http_client` sets the base URL, the bearer token, explicit timeouts, a user agent and
a connection pool large enough for the client's concurrency. Tests and the in-process sandbox
pass their own ``transport``; production passes none and gets httpx's real one. Debug logging
goes through httpx event hooks and prints the method, the URL *path* and the status only: never a
header value (the Authorization header is redacted) and never the query string, which can carry
filter values taken from source records.
"""

from __future__ import annotations

import logging

import httpx

from migrator import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"twenty-migrator/{__version__} (+httpx)"

#: Explicit timeouts: connecting is quick or broken; a batch of 200 records can take seconds.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=120.0, write=60.0, pool=600.0)


def redacted_headers(headers: httpx.Headers) -> dict[str, str]:
    """The headers with the Authorization (and any cookie) value replaced."""
    hidden = {"authorization", "cookie", "set-cookie", "proxy-authorization"}
    return {k: ("<redacted>" if k.lower() in hidden else v) for k, v in headers.items()}


def _log_request(request: httpx.Request) -> None:
    if log.isEnabledFor(logging.DEBUG):
        headers = redacted_headers(request.headers)
        log.debug("→ %s %s headers=%s", request.method, request.url.path, headers)


def _log_response(response: httpx.Response) -> None:
    if log.isEnabledFor(logging.DEBUG):
        request = response.request
        log.debug("← %s %s %s", request.method, request.url.path, response.status_code)


def build_http_client(
    base_url: str,
    api_key: str,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    max_connections: int = 32,
) -> httpx.Client:
    """A client for one destination: base URL, auth, timeouts, user agent, pool, debug hooks."""
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        headers={
            "Authorization": f"Bearer {api_key}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        },
        timeout=timeout,
        transport=transport,
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        event_hooks={"request": [_log_request], "response": [_log_response]},
        follow_redirects=False,
    )
