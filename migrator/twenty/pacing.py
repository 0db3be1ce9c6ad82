"""Pacing data calls so a long run stays at Twenty's rate limit without meeting a 429.

The :class:`Pacer` keeps a client-side copy of the destination's two token buckets
(``migrator.buckets``, the exact model of Twenty's throttler) and makes every data call take a
token from it before it is sent. Two facts about Twenty's throttler shape the policy:

* A bucket's ``lastRefillAt`` is reset on every accepted call, so the fraction of a token earned
  since the previous call is lost. Calls spaced exactly one refill interval apart lose nothing;
  calls arriving a little early are refused. The server sees *arrival* times, which jitter with
  latency, so the model records each take ``margin_s`` later than it happens: the next call is
  released only once the server has refilled even if this one arrived late and the next early.
* That margin is paid once per refill restart. Spending it on every call would cost 5% at
  600 calls/min with a 5 ms margin, so when the bucket is empty the pacer waits until a *group*
  of ``group`` tokens has refilled and then releases the waiting threads together (the server
  sees them within milliseconds, restarting its clock once). The group is the concurrency (every
  thread sends one request per group), capped by the bucket limit and by ``max_group_s`` of
  refill.

A 429 means the model was wrong (someone else spends the workspace's tokens, or the server
restarted): :meth:`Pacer.on_rate_limited` empties the model, so the retry waits a full group.
Metadata calls are not rate-limited and are not paced. All times come from an injected
:class:`~migrator.clock.Clock`; the pacer is safe to share between threads.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from migrator.buckets import TokenBucket
from migrator.clock import Clock

#: Default safety margin (seconds) against arrival jitter; measured by bench/client_throughput.py.
DEFAULT_MARGIN_S = 0.05


@dataclass(frozen=True)
class PacingLimits:
    """The destination's two buckets (Twenty's defaults); a limit of 0 turns a bucket off."""

    short_limit: int = 100
    short_ttl_ms: int = 1_000
    long_limit: int = 100
    long_ttl_ms: int = 60_000

    @classmethod
    def per_minute(cls, requests: int) -> PacingLimits:
        """The default short bucket and a long bucket of ``requests`` per minute (0: no limit)."""
        return cls(long_limit=max(requests, 0))

    @classmethod
    def off(cls) -> PacingLimits:
        """No rate limit at all."""
        return cls(short_limit=0, long_limit=0)

    @property
    def requests_per_minute(self) -> float:
        """The sustained ceiling: the slower bucket's refill rate, per minute (inf if off)."""
        buckets = ((self.short_limit, self.short_ttl_ms), (self.long_limit, self.long_ttl_ms))
        rates = [limit * 60_000.0 / ttl for limit, ttl in buckets if limit > 0 and ttl > 0]
        return min(rates) if rates else math.inf


class Pacer:
    """Hands out the destination's tokens to data calls, one ``acquire()`` per request."""

    def __init__(
        self,
        limits: PacingLimits,
        clock: Clock,
        *,
        concurrency: int = 1,
        margin_s: float = DEFAULT_MARGIN_S,
        max_group_s: float = 4.0,
        assume_full: bool = True,
    ) -> None:
        now = clock.monotonic()
        self._clock = clock
        self._margin = max(margin_s, 0.0)
        self._buckets = tuple(
            TokenBucket.full(limit, ttl, now)
            for limit, ttl in (
                (limits.short_limit, limits.short_ttl_ms),
                (limits.long_limit, limits.long_ttl_ms),
            )
        )
        if not assume_full:
            for bucket in self._buckets:
                bucket.drain(now + self._margin)
        self._groups = tuple(
            1
            if bucket.is_off
            else max(1, min(concurrency, bucket.limit, int(max_group_s * bucket.refill_per_second)))
            for bucket in self._buckets
        )
        self._lock = threading.Lock()
        self.waited_s = 0.0
        """Total time callers spent waiting for tokens."""

    @property
    def is_off(self) -> bool:
        """True when neither bucket limits anything (the pacer never waits)."""
        return all(bucket.is_off for bucket in self._buckets)

    def _wait(self, now: float) -> float:
        wait = 0.0
        for bucket, group in zip(self._buckets, self._groups, strict=True):
            if bucket.is_off or bucket.tokens >= 1:
                continue
            if bucket.available(now) >= group:
                continue
            ready = bucket.last_refill_at + group / bucket.refill_per_second
            wait = max(wait, ready - now + 1e-6)
        return wait

    def acquire(self) -> float:
        """Block until the model lets one data call through; take its token. Returns the wait."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock.monotonic()
                wait = self._wait(now)
                if wait <= 0:
                    for bucket in self._buckets:
                        if not bucket.is_off:
                            bucket.try_take(now)
                            bucket.last_refill_at = now + self._margin
                    self.waited_s += waited
                    return waited
            self._clock.sleep(wait)
            waited += wait

    def on_rate_limited(self) -> None:
        """A 429 arrived: the server's buckets are empty now, whatever the model thought."""
        with self._lock:
            now = self._clock.monotonic()
            for bucket in self._buckets:
                if not bucket.is_off:
                    bucket.drain(now + self._margin)
