"""Pacing data calls so a long run stays at Twenty's rate limit without meeting a 429.

The :class:`Pacer` keeps a client-side copy of the destination's two token buckets
(``migrator.buckets``, the exact model of Twenty's throttler) and makes every data call take a
token from it before it is sent. Two facts about Twenty's throttler shape the policy:

* A bucket's ``lastRefillAt`` is reset on every accepted call, so the fraction of a token earned
  since the previous call is lost. Calls arriving a little early are refused. The server sees
  *arrival* times, which jitter with latency, so the model records each take ``margin_s`` later
  than it happens: the next call is released only once the server has refilled even if this
  call arrived late and the next one early.
* That margin, and the time a group of calls takes to leave, are paid once per refill restart.
  Paying them on every call would cost 5% at 600 calls/min with a 5 ms margin. So once the
  bucket is empty the pacer waits until a *group* of tokens has refilled and then opens a short
  *release* (``window_s``): the threads waiting are let through together, and the server sees
  them within milliseconds, restarting its clock once. A thread that comes back after its
  release closed waits for the next one instead of spending a token alone (which would restart
  the server's clock mid-refill); the tokens it left count towards the next release. The group
  is the concurrency (each thread sends one request per group), capped by the bucket's limit
  and by ``max_group_s`` of refill.

A 429 means the model was wrong (arrivals jittered more than the margin allows, someone else
spends the workspace's tokens, or the server restarted): :meth:`Pacer.on_rate_limited` empties
the model, so the retry waits a full group, and doubles the margin (up to ``MAX_MARGIN_S``), so
a run on a jittery network corrects itself.
Metadata calls are not rate-limited and are not paced. All times come from an injected
:class:`~migrator.clock.Clock`; the pacer is safe to share between threads.

Measured (``bench/client_throughput.py``, sandbox in its own process, 600 calls/min, 1.5 s per
call, 2 cores shared with other work at load 4-8): a group of 40 leaves the client within 15-50 ms
of its release; with a 50 ms margin a 3-minute run met one 429 (then the margin doubled), with
100 ms none. The default, 100 ms, costs about 3% of the ceiling with groups of 40.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from migrator.buckets import TokenBucket
from migrator.clock import Clock

#: Default safety margin (seconds) against arrival jitter; measured by bench/client_throughput.py.
DEFAULT_MARGIN_S = 0.1
#: The margin doubles after each 429, up to this.
MAX_MARGIN_S = 0.4
#: A group holds at most this much refill (seconds); the margin is paid once per group.
DEFAULT_MAX_GROUP_S = 4.0
#: How long a release stays open for the threads woken together to take their tokens.
DEFAULT_WINDOW_S = 0.05


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
        max_group_s: float = DEFAULT_MAX_GROUP_S,
        window_s: float = DEFAULT_WINDOW_S,
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
        self._window = max(window_s, 0.0)
        self._open_until = -math.inf
        self._lock = threading.Lock()
        self.waited_s = 0.0
        """Total time callers spent waiting for tokens."""

    @property
    def is_off(self) -> bool:
        """True when neither bucket limits anything (the pacer never waits)."""
        return all(bucket.is_off for bucket in self._buckets)

    def _ready_in(self, now: float) -> float:
        """Seconds until every bucket holds a full group (0 if it does now)."""
        wait = 0.0
        for bucket, group in zip(self._buckets, self._groups, strict=True):
            if bucket.is_off or bucket.available(now) >= group:
                continue
            ready = bucket.last_refill_at + (group - bucket.tokens) / bucket.refill_per_second
            wait = max(wait, ready - now + 1e-6)
        return wait

    def _can_take(self, now: float) -> bool:
        return all(bucket.is_off or bucket.available(now) >= 1 for bucket in self._buckets)

    def _take(self, now: float) -> None:
        for bucket in self._buckets:
            if not bucket.is_off:
                bucket.try_take(now)
                bucket.last_refill_at = now + self._margin

    def acquire(self) -> float:
        """Block until the model lets one data call through; take its token. Returns the wait.

        A call passes while a release is open (a group was ready less than ``window_s`` ago and
        tokens remain), or when a full group is ready (which opens a release). A thread that
        comes back after its release closed waits for the next one, so tokens are spent in
        tight groups and the server restarts its refill clock once per group.
        """
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock.monotonic()
                is_open = now <= self._open_until
                if not is_open and self._ready_in(now) <= 0:
                    self._open_until, is_open = now + self._window, True
                if is_open and self._can_take(now):
                    self._take(now)
                    self.waited_s += waited
                    return waited
                self._open_until = -math.inf
                wait = self._ready_in(now)
            self._clock.sleep(wait)
            waited += wait

    @property
    def margin_s(self) -> float:
        """The safety margin in force (it grows after a 429)."""
        with self._lock:
            return self._margin

    def on_rate_limited(self) -> None:
        """A 429 arrived: the server's buckets are empty now, whatever the model thought.

        The margin doubles (up to ``MAX_MARGIN_S``): arrivals jittered more than it allowed for,
        or someone else spends this workspace's tokens; either way, leave more room.
        """
        with self._lock:
            now = self._clock.monotonic()
            self._margin = min(max(self._margin * 2, 0.01), max(MAX_MARGIN_S, self._margin))
            for bucket in self._buckets:
                if not bucket.is_off:
                    bucket.drain(now + self._margin)
