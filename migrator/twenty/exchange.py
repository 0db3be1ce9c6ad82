"""The one place a request to Twenty is sent: pacing, retries, error mapping, audit, counters.

An :class:`Exchange` wraps the injected ``httpx.Client``. For each :class:`Call` it takes a token
from the pacer (data calls only: ``/rest/…`` outside ``/rest/metadata`` and ``/graphql``), sends,
reports the exchange to the audit hook (method, path without query, status, duration, record
count: never a body, never a header), maps a refusal to a typed ``Twenty*`` error with scrubbed
messages, and lets ``retry.py`` decide whether to send again. Transport exceptions never escape
raw: they become :class:`~migrator.twenty.errors.TwentyNoResponse`, chained to nothing, because
httpx's own messages can quote the URL's query string. An ``Exchange`` is safe to share between
threads.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from migrator.clock import Clock
from migrator.errors import TwentyError
from migrator.twenty.errors import (
    TwentyNoResponse,
    error_from_graphql,
    error_from_response,
    parse_retry_after,
)
from migrator.twenty.models import AuditEvent, ClientStats
from migrator.twenty.pacing import Pacer
from migrator.twenty.retry import Attempts, Idempotency, RetryPolicy, call_with_retries

AuditHook = Callable[[AuditEvent], None]

#: Transport failures that prove the request never reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def is_metadata_path(path: str) -> bool:
    """True for the metadata API (REST ``/rest/metadata/…`` and GraphQL ``/metadata``)."""
    return path == "/metadata" or path.startswith("/rest/metadata")


def is_rate_limited_path(path: str) -> bool:
    """True for the calls Twenty's throttler counts (the data API, REST and GraphQL)."""
    return path == "/graphql" or (path.startswith("/rest/") and not is_metadata_path(path))


@dataclass(frozen=True)
class Call:
    """One logical request. ``path`` has no query string; ``params`` carry the query."""

    method: str
    path: str
    idempotency: Idempotency
    params: Mapping[str, str] | None = None
    json_body: Any = None
    form: Mapping[str, str] | None = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    record_count: int = 0
    """Records sent; 0 lets the audit count the records returned."""
    graphql: bool = False
    """A GraphQL call: errors come back with HTTP 200 in ``errors``."""


class _Counters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, int] = dict.fromkeys(ClientStats.model_fields, 0)

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._values[name] += amount

    def snapshot(self) -> ClientStats:
        with self._lock:
            return ClientStats(**self._values)


def count_records(body: Any) -> int:
    """How many records a data-API response carries (0 when it is not a record response)."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or len(data) != 1:
        return 0
    (value,) = data.values()
    if isinstance(value, list):
        return len(value)
    return 1 if isinstance(value, dict) else 0


class Exchange:
    """Sends :class:`Call` objects through the injected client, paced and retried."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        pacer: Pacer,
        policy: RetryPolicy,
        clock: Clock,
        audit: AuditHook | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.http = http
        self.pacer = pacer
        self.policy = policy
        self.clock = clock
        self._audit = audit
        self._rng = rng or random.Random()
        self._counters = _Counters()

    @property
    def stats(self) -> ClientStats:
        """Counters since this exchange was made."""
        return self._counters.snapshot()

    def count_recovery(self, requests: int) -> None:
        """Record requests spent recovering a batch (lookups, re-sends, bisection)."""
        self._counters.add("recovery_requests", requests)

    def send(self, call: Call, attempts: Attempts | None = None) -> Any:
        """Send ``call`` until it succeeds; return the decoded JSON body (``None`` if empty).

        Raises the typed ``Twenty*`` error of a terminal refusal at once, and
        :class:`~migrator.errors.TwentyUnavailable` once the retry policy gives up.
        """
        paced = is_rate_limited_path(call.path) and not self.pacer.is_off
        return call_with_retries(
            lambda a: self._send_once(call, a, paced),
            idempotency=call.idempotency,
            policy=self.policy,
            clock=self.clock,
            paced=paced,
            rng=self._rng,
            on_retry=lambda _error: self._counters.add("retries"),
            attempts=attempts,
        )

    def _send_once(self, call: Call, attempts: Attempts, paced: bool) -> Any:
        # The body is encoded before the token is taken: the pacer's clock should see the
        # request leave, not the JSON encoder at work.
        request = self.http.build_request(
            call.method,
            call.path,
            params=dict(call.params) if call.params else None,
            json=call.json_body,
            data=dict(call.form) if call.form else None,
            files=dict(call.files) if call.files else None,
        )
        if paced:
            self.pacer.acquire()
        self._counters.add("requests")
        if is_rate_limited_path(call.path):
            self._counters.add("data_requests")
        started = self.clock.monotonic()
        try:
            response = self.http.send(request)
            response.read()
        except httpx.TransportError as exc:
            self._counters.add("transport_errors")
            self._report(call, None, started, attempts.sends, 0, type(exc).__name__)
            reason = f"{type(exc).__name__} (no response)"
            raise TwentyNoResponse(
                call.method, call.path, reason, may_have_committed=not isinstance(exc, _NOT_SENT)
            ) from None
        body = _decode(response)
        records = call.record_count or count_records(body)
        self._report(call, response.status_code, started, attempts.sends, records, None)
        wait = parse_retry_after(response.headers.get("Retry-After"))
        return self._check(call, response.status_code, body, paced, wait)

    def _check(
        self, call: Call, status: int, body: Any, paced: bool, retry_after_s: float | None
    ) -> Any:
        metadata = is_metadata_path(call.path)
        error: TwentyError | None = None
        if not 200 <= status < 300:
            error = error_from_response(
                call.method,
                call.path,
                status,
                body,
                is_metadata=metadata,
                retry_after_s=retry_after_s,
            )
        elif call.graphql and isinstance(body, dict) and body.get("errors"):
            error = error_from_graphql(call.method, call.path, body, is_metadata=metadata)
        if error is None:
            return body
        if error.status == 429:
            self._counters.add("rate_limited")
            if paced:
                self.pacer.on_rate_limited()
        raise error

    def _report(
        self,
        call: Call,
        status: int | None,
        started: float,
        attempt: int,
        records: int,
        error: str | None,
    ) -> None:
        if self._audit is None:
            return
        self._audit(
            AuditEvent(
                method=call.method,
                path=call.path,
                status=status,
                duration_s=max(self.clock.monotonic() - started, 0.0),
                record_count=records,
                attempt=attempt,
                error=error,
            )
        )


def _decode(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return {"messages": [response.text[:300]]}
