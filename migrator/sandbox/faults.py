"""Injected faults before the sandbox: latency, 5xx answers, dropped connections, lost responses.

:class:`FaultMiddleware` wraps the sandbox's WSGI app (outermost, so an injected fault spends no
rate-limit token). Latency is added before every ``/rest/``, ``/graphql`` and ``/metadata``
request. Each write to the data API (POST, PATCH, PUT or DELETE on ``/rest/…`` outside
``/rest/metadata/``) rolls one die against the knobs, taken in this order: ``error_rate`` answers
503 and writes nothing, ``drop_rate`` drops the connection before the app sees the request,
``lost_response_rate`` lets the app store the write and then drops the connection; if the rates
add up to more than 1, the later ones get what is left. The dice come from one seeded generator
under a lock, so a single-threaded run is reproducible. ``GET /_sandbox/faults`` shows the knobs
and what was injected so far; ``PUT /_sandbox/faults`` changes knobs at run time (both need the
API key when one is given, as every ``/_sandbox/`` route does).
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from migrator.clock import Clock, SystemClock
from migrator.errors import SandboxError
from migrator.sandbox.config import ConnectionDropped, Faults, FaultSettings
from migrator.sandbox.http import ApiError, error_response, send
from migrator.sandbox.identity import Authenticator
from migrator.sandbox.ratelimit import (
    RequestLogger,
    is_data_api_call,
    json_answer,
    log_entry,
    read_request_body,
)

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

FAULTS_PATH = "/_sandbox/faults"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
RATE_KNOBS = ("error_rate", "drop_rate", "lost_response_rate")
_LATENCY_HINT = (
    "Give latency as SECONDS or MIN:MAX (JSON: a number or [min, max]), 0 <= MIN <= MAX."
)
_RATE_HINT = "Give each rate as a probability between 0 and 1."

Outcome = Literal["pass", "error", "drop", "lost"]


def parse_latency(value: object) -> tuple[float, float]:
    """Latency as (min, max) seconds from ``S``, ``MIN:MAX``, a number or a [min, max] pair.

    Raises :class:`SandboxError` unless both bounds are finite, non-negative and min <= max.
    """
    if isinstance(value, str):
        parts: list[object] = list(value.split(":")) if ":" in value else [value, value]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        parts = [value, value]
    if len(parts) != 2:
        raise _invalid("latency", "expected one number or a pair MIN:MAX")
    low, high = (_number("latency", part) for part in parts)
    if low < 0 or high < 0:
        raise _invalid("latency", "seconds cannot be negative")
    if low > high:
        raise _invalid("latency", f"the minimum {low:g} is above the maximum {high:g}")
    return (low, high)


def parse_rate(name: str, value: object) -> float:
    """A probability in [0, 1]; raises :class:`SandboxError` naming the knob otherwise."""
    rate = _number(name, value)
    if not 0.0 <= rate <= 1.0:
        raise _invalid(name, f"{rate:g} is not a probability between 0 and 1")
    return rate


def apply_fault_changes(current: Faults, changes: object) -> Faults:
    """The knobs after a ``PUT /_sandbox/faults`` body; knobs it does not name keep their value.

    The body must be a JSON object with only ``latency``, ``error_rate``, ``drop_rate`` and
    ``lost_response_rate``; nothing is changed when any value is invalid.
    """
    if not isinstance(changes, Mapping):
        raise _invalid("body", "expected a JSON object of knobs")
    unknown = sorted(str(key) for key in changes if key not in ("latency", *RATE_KNOBS))
    if unknown:
        raise _invalid("body", f"unknown knob(s) {', '.join(unknown)}")

    def knob(name: str, value: float) -> float:
        return parse_rate(name, changes[name]) if name in changes else value

    latency = parse_latency(changes["latency"]) if "latency" in changes else current.latency
    return Faults(
        latency=latency,
        error_rate=knob("error_rate", current.error_rate),
        drop_rate=knob("drop_rate", current.drop_rate),
        lost_response_rate=knob("lost_response_rate", current.lost_response_rate),
    )


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _invalid(name, f"{type(value).__name__} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise _invalid(name, f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise _invalid(name, f"{value!r} is not a finite number")
    return number


def _invalid(name: str, reason: str) -> SandboxError:
    hint = _LATENCY_HINT if name == "latency" else _RATE_HINT
    return SandboxError(f"Invalid fault setting {name}: {reason}.", hint=hint)


@dataclass
class FaultCounters:
    """How many faults were injected since the sandbox started (read under the middleware lock)."""

    errors: int = 0
    drops: int = 0
    lost_responses: int = 0


class FaultMiddleware:
    """Inject the faults of ``settings`` in front of ``app``; serve ``/_sandbox/faults``.

    Guarantees: an injected error or drop never reaches ``app`` (nothing is written); a lost
    response reaches ``app`` and its whole answer is consumed before the connection is dropped;
    every injected fault is counted, and each injected 503 is passed to ``log`` (if given) as a
    request-log entry timed by ``clock``. With ``api_key``, ``/_sandbox/faults`` answers only
    callers with that key (Twenty's 403/401 otherwise). ``sleep`` is injectable so tests need
    not wait.
    """

    def __init__(
        self,
        app: WSGIApplication,
        settings: FaultSettings,
        *,
        seed: int = 0,
        sleep: Callable[[float], None] = time.sleep,
        api_key: str | None = None,
        log: RequestLogger | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._app = app
        self._auth = Authenticator(api_key) if api_key is not None else None
        self._log = log
        self._clock = clock or SystemClock()
        self._settings = settings
        self._seed = seed
        self._sleep = sleep
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._counters = FaultCounters()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve the knobs, or delay and perhaps break the request before handing it on."""
        path = str(environ.get("PATH_INFO", ""))
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        if path == FAULTS_PATH:
            return self._serve_knobs(method, environ, start_response)
        faults = self._settings.get()
        if faults.is_off or not _is_api_path(path):
            return self._app(environ, start_response)
        delay = self._roll_latency(faults)
        if delay > 0:
            self._sleep(delay)
        is_write = method in WRITE_METHODS and is_data_api_call(method, path) and path != "/graphql"
        outcome = self._roll_outcome(faults) if is_write else "pass"
        if outcome == "pass":
            return self._app(environ, start_response)
        if outcome == "lost":
            committed = _run_to_completion(self._app, environ)
            raise ConnectionDropped(committed=committed)
        read_request_body(environ)
        if outcome == "drop":
            raise ConnectionDropped(committed=False)
        if self._log is not None:
            self._log(log_entry(environ, 503, self._clock))
        body = {
            "statusCode": 503,
            "error": "ServiceUnavailableException",
            "messages": ["Service Unavailable"],
        }
        return json_answer(start_response, "503 Service Unavailable", body)

    def _roll_latency(self, faults: Faults) -> float:
        low, high = faults.latency
        if high <= low:
            return low
        with self._lock:
            return self._random.uniform(low, high)

    def _roll_outcome(self, faults: Faults) -> Outcome:
        if faults.error_rate == faults.drop_rate == faults.lost_response_rate == 0.0:
            return "pass"
        with self._lock:
            roll = self._random.random()
            if roll < faults.error_rate:
                self._counters.errors += 1
                return "error"
            if roll < faults.error_rate + faults.drop_rate:
                self._counters.drops += 1
                return "drop"
            if roll < faults.error_rate + faults.drop_rate + faults.lost_response_rate:
                self._counters.lost_responses += 1
                return "lost"
        return "pass"

    def _serve_knobs(
        self, method: str, environ: WSGIEnvironment, start_response: StartResponse
    ) -> list[bytes]:
        if self._auth is not None:
            try:
                self._auth.check(environ.get("HTTP_AUTHORIZATION"))
            except ApiError as error:
                return send(error_response(error), start_response)
        if method == "PUT":
            try:
                changes = json.loads(read_request_body(environ) or b"null")
            except ValueError:
                return _bad_request(start_response, "The body is not valid JSON.")
            try:
                faults = apply_fault_changes(self._settings.get(), changes)
            except SandboxError as error:
                return _bad_request(start_response, error.summary)
            self._settings.set(faults)
        elif method != "GET":
            body = {"statusCode": 405, "error": "MethodNotAllowed", "messages": ["Use GET or PUT."]}
            return json_answer(
                start_response, "405 Method Not Allowed", body, [("Allow", "GET, PUT")]
            )
        return json_answer(start_response, "200 OK", self.describe())

    def describe(self) -> dict[str, object]:
        """The knobs in force, the seed and the counts of injected faults (``GET`` document)."""
        faults = self._settings.get()
        with self._lock:
            counters = replace(self._counters)
        return {
            "latency": list(faults.latency),
            "error_rate": faults.error_rate,
            "drop_rate": faults.drop_rate,
            "lost_response_rate": faults.lost_response_rate,
            "seed": self._seed,
            "counters": {
                "errors": counters.errors,
                "drops": counters.drops,
                "lost_responses": counters.lost_responses,
            },
        }


def _is_api_path(path: str) -> bool:
    return path.startswith("/rest/") or path in ("/graphql", "/metadata")


def _run_to_completion(app: WSGIApplication, environ: WSGIEnvironment) -> bool:
    """Let ``app`` answer in full, discard the answer, and say whether it succeeded (2xx)."""
    statuses: list[str] = []

    def capture(
        status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
    ) -> Callable[[bytes], object]:
        del headers, exc_info
        statuses.append(status)
        return lambda data: None

    output = app(environ, capture)
    try:
        for _chunk in output:
            pass
    finally:
        close = getattr(output, "close", None)
        if close is not None:
            close()
    return bool(statuses) and statuses[-1].startswith("2")


def _bad_request(start_response: StartResponse, message: str) -> list[bytes]:
    body = {"statusCode": 400, "error": "BadRequestException", "messages": [message]}
    return json_answer(start_response, "400 Bad Request", body)
