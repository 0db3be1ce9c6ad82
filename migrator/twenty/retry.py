"""When a request to Twenty is sent again, and how long the client waits first (tenacity).

Only transient failures are retried: connect and read timeouts, connection resets and other
dropped connections, 429, 502, 503 and 504 (all :class:`~migrator.errors.TwentyUnavailable`).
Terminal answers (400, 401, 403, 404, the 500 "Data validation error.") raise at once. A 429 is
not backed off exponentially: the pacer has just emptied its bucket model, so the next attempt
waits exactly until Twenty refills (Twenty sends no Retry-After; one sent by a proxy is
honoured); 429s are bounded by the total time budget only. Other transient failures back off
exponentially with jitter, capped per wait, in number and in total time. After the last attempt
the caller sees the last :class:`~migrator.errors.TwentyUnavailable` itself (``reraise``), never
tenacity's ``RetryError``.

Which calls are retried, and why it is safe (a request that failed without an answer may still
have been carried out by Twenty):

* **SAFE** — sending twice has the effect of sending once: reads (lists, ``id[in]`` lookups),
  batch upserts (every row carries its full deterministic id and only the fields it sets, so a
  second send rewrites the same values), PATCH of one record or a field with absolute values (the
  full option list, never an increment), deletes and destroys by ``id[in]`` (a second send finds
  fewer rows), restores by ``id[in]``. Retried on every transient failure.
* **GUARDED** — not idempotent by itself but safe behind a create-then-lookup guard: batch
  creates with client ids (a re-send of a stored batch is refused as a duplicate, and the client
  then looks the ids up and reports them as already written) and metadata creates (a re-send
  refused because the name is taken is resolved by reading the object or field back). Retried on
  every transient failure; :class:`Attempts` tells the guard that a send may have been stored.
* **UNSAFE** — file uploads: a second send would store a second, orphan file. Retried only when
  Twenty certainly did not process the first send (connection never made, 429, 503).
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from migrator.clock import Clock
from migrator.errors import TwentyUnavailable
from migrator.twenty.errors import may_have_committed, retry_after_of

T = TypeVar("T")


class Idempotency(enum.Enum):
    """How safe a request is to send again (see the module docstring)."""

    SAFE = "safe"
    GUARDED = "guarded"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class RetryPolicy:
    """Limits of the retry loop. Waits are capped exponential backoff plus uniform jitter."""

    max_attempts: int = 6
    """Sends allowed per request for failures other than 429 (the first send included)."""
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    jitter_s: float = 0.5
    max_elapsed_s: float = 900.0
    """Give up once this long has passed since the first send, 429s included."""

    def backoff(self, failures: int, rng: random.Random) -> float:
        """The wait before the next send after ``failures`` consecutive non-429 failures."""
        growth = 2.0 ** max(failures - 1, 0)
        base = min(self.max_backoff_s, self.initial_backoff_s * growth)
        return base + rng.uniform(0.0, self.jitter_s)


@dataclass
class Attempts:
    """What happened while one request was being sent (filled in by :func:`call_with_retries`)."""

    sends: int = 0
    rate_limited: int = 0
    failures: int = 0
    """Transient failures other than 429."""
    maybe_stored: bool = False
    """An earlier send failed in a way that may have left its write stored in Twenty."""


def is_rate_limited(error: BaseException) -> bool:
    """True for a 429."""
    return isinstance(error, TwentyUnavailable) and error.status == 429


def is_retryable(error: BaseException, idempotency: Idempotency) -> bool:
    """Whether ``error`` may be retried for a request of this idempotency class."""
    if not isinstance(error, TwentyUnavailable):
        return False
    if idempotency is Idempotency.UNSAFE:
        return not may_have_committed(error)
    return True


class _Loop:
    """The state tenacity's callbacks share while one request is retried."""

    def __init__(
        self, policy: RetryPolicy, clock: Clock, paced: bool, rng: random.Random, attempts: Attempts
    ) -> None:
        self.policy = policy
        self.clock = clock
        self.paced = paced
        self.rng = rng
        self.attempts = attempts
        self.started = clock.monotonic()

    def should_stop(self, state: tenacity.RetryCallState) -> bool:
        del state  # tenacity computes the wait (which notes the failure) before asking to stop
        if self.clock.monotonic() - self.started >= self.policy.max_elapsed_s:
            return True
        return self.attempts.failures >= self.policy.max_attempts

    def wait(self, state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if error is None:
            return 0.0
        if is_rate_limited(error):
            self.attempts.rate_limited += 1
        else:
            self.attempts.failures += 1
        if isinstance(error, TwentyUnavailable) and may_have_committed(error):
            self.attempts.maybe_stored = True
        told = retry_after_of(error)
        if is_rate_limited(error) and self.paced:
            return min(told, self.policy.max_backoff_s) if told else 0.0
        backoff = self.policy.backoff(max(self.attempts.failures, 1), self.rng)
        return max(backoff, min(told, self.policy.max_backoff_s)) if told else backoff


def call_with_retries(
    send: Callable[[Attempts], T],
    *,
    idempotency: Idempotency,
    policy: RetryPolicy,
    clock: Clock,
    paced: bool,
    rng: random.Random | None = None,
    on_retry: Callable[[BaseException], None] | None = None,
    attempts: Attempts | None = None,
) -> T:
    """Call ``send`` until it returns, raises a terminal error, or the policy gives up.

    ``send`` receives the shared :class:`Attempts` record. ``paced`` says whether the pacer
    already delays the next send after a 429 (else a 429 backs off like any failure). A
    ``Retry-After`` the server sent (Twenty sends none; a proxy may) is honoured, capped at
    ``max_backoff_s``. Pass ``attempts`` to read what happened even when the call finally raises.
    """
    loop = _Loop(policy, clock, paced, rng or random.Random(), attempts or Attempts())

    def before_sleep(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        if on_retry is not None and error is not None:
            on_retry(error)

    def attempt() -> T:
        loop.attempts.sends += 1
        return send(loop.attempts)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(lambda e: is_retryable(e, idempotency)),
        stop=loop.should_stop,
        wait=loop.wait,
        sleep=clock.sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(attempt)
