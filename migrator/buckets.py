"""Twenty's rate limit as a model: two token buckets, refilled the way Twenty refills them.

Twenty (``throttler.service.ts``, v2.15; twenty-api.md §10) keeps per workspace a short bucket
(100 tokens per 1,000 ms) and a long bucket (100 per 60,000 ms). Each data-API call goes through
the short bucket, then the long one. A bucket holds a whole number of tokens and a
``lastRefillAt``; a call sees ``min(limit, tokens + floor((now - lastRefillAt) * limit / ttl))``
available tokens; if none, it is refused and nothing is stored; otherwise one is taken and
``lastRefillAt`` becomes ``now`` — so the fraction of a token earned since the last call is lost.
That is why a burst of 101 calls within two seconds gets a 429 on the 101st although about three
tokens "flowed back" meanwhile, and why a drained bucket polled every 0.1 s passes about 1.5 calls
a second rather than 1.67 (both measured live).

The sandbox uses :class:`DualBucket` to refuse calls (429); the Twenty client uses the same model
to pace its calls. Time is passed in explicitly (seconds on a monotonic clock).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass


@dataclass
class TokenBucket:
    """One bucket. ``limit <= 0`` (or ``ttl_ms <= 0``) turns it off."""

    limit: int
    ttl_ms: int
    tokens: int
    last_refill_at: float

    @classmethod
    def full(cls, limit: int, ttl_ms: int, now: float) -> TokenBucket:
        """A bucket that starts full (as Twenty's does when its cache key is absent)."""
        return cls(limit=limit, ttl_ms=ttl_ms, tokens=max(limit, 0), last_refill_at=now)

    @property
    def is_off(self) -> bool:
        """True when this bucket limits nothing."""
        return self.limit <= 0 or self.ttl_ms <= 0

    @property
    def refill_per_second(self) -> float:
        """Tokens earned per second."""
        return 0.0 if self.is_off else self.limit * 1000.0 / self.ttl_ms

    def available(self, now: float) -> int:
        """Whole tokens a call at ``now`` would see."""
        if self.is_off:
            return 1
        earned = math.floor(max(0.0, now - self.last_refill_at) * self.refill_per_second + 1e-9)
        return min(self.tokens + earned, self.limit)

    def try_take(self, now: float) -> bool:
        """Take a token if one is available (restarting the refill clock); else change nothing."""
        if self.is_off:
            return True
        available = self.available(now)
        if available < 1:
            return False
        self.tokens = available - 1
        self.last_refill_at = now
        return True

    def seconds_until(self, now: float) -> float:
        """How long from ``now`` until a call would pass (0 if it would pass now)."""
        if self.is_off or self.available(now) >= 1:
            return 0.0
        ready_at = self.last_refill_at + (1 - self.tokens) / self.refill_per_second
        return max(0.0, ready_at - now)

    def drain(self, now: float) -> None:
        """Empty the bucket as of ``now``."""
        self.tokens = 0
        self.last_refill_at = now


class DualBucket:
    """Twenty's short and long buckets together, safe to share between threads."""

    def __init__(
        self,
        *,
        short_limit: int = 100,
        short_ttl_ms: int = 1_000,
        long_limit: int = 100,
        long_ttl_ms: int = 60_000,
        now: float = 0.0,
    ) -> None:
        self.short = TokenBucket.full(short_limit, short_ttl_ms, now)
        self.long = TokenBucket.full(long_limit, long_ttl_ms, now)
        self._lock = threading.Lock()
        self._last_refusal = ""

    @property
    def is_off(self) -> bool:
        """True when neither bucket limits anything."""
        return self.short.is_off and self.long.is_off

    def try_take(self, now: float) -> bool:
        """Pass a call through the short bucket, then the long one, as Twenty does.

        A call refused by the long bucket has already spent its short token (Twenty checks the
        buckets one after the other); a call refused by the short bucket spends nothing.
        """
        with self._lock:
            for bucket in (self.short, self.long):
                if not bucket.try_take(now):
                    self._last_refusal = (
                        f"Limit reached ({bucket.limit} tokens per {bucket.ttl_ms} ms)"
                    )
                    return False
            return True

    def seconds_until_available(self, now: float) -> float:
        """How long until a call would pass both buckets (0 if it would pass now)."""
        with self._lock:
            return max(self.short.seconds_until(now), self.long.seconds_until(now))

    def drain(self, now: float) -> None:
        """Empty both buckets (a client that meets a 429 assumes the worst)."""
        with self._lock:
            self.short.drain(now)
            self.long.drain(now)

    @property
    def refusal_message(self) -> str:
        """Twenty's 429 message for the bucket that refused the last refused call (capture 74)."""
        with self._lock:
            return self._last_refusal
