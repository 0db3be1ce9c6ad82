"""The pacer keeps a simulated Twenty (the exact bucket model) free of 429s at >=95% of its ceiling.

Time is an injected :class:`FixedClock`; concurrent workers are simulated as events, and the
server bucket sees each call at its *arrival* time: the take time plus a random network jitter.
"""

from __future__ import annotations

import heapq
import random

import pytest

from migrator.buckets import DualBucket
from migrator.clock import FixedClock
from migrator.twenty.pacing import Pacer, PacingLimits


def simulate(
    limits: PacingLimits,
    *,
    concurrency: int,
    latency: float,
    jitter: float,
    margin: float,
    duration: float,
    seed: int = 1,
) -> tuple[list[float], int]:
    """Run ``concurrency`` workers for ``duration`` s; return take times and the server's 429s."""
    clock = FixedClock()
    # Both buckets start empty, as after the bench's drain: the run measures steady state.
    pacer = Pacer(limits, clock, concurrency=concurrency, margin_s=margin, assume_full=False)
    dice = random.Random(seed)
    ready = [(0.0, worker) for worker in range(concurrency)]
    heapq.heapify(ready)
    takes: list[float] = []
    arrivals: list[float] = []
    while ready:
        at, worker = heapq.heappop(ready)
        clock.advance(at - clock.monotonic())
        if clock.monotonic() >= duration:
            break
        pacer.acquire()
        now = clock.monotonic()
        takes.append(now)
        arrivals.append(now + dice.uniform(0.0, jitter))
        heapq.heappush(ready, (now + latency, worker))
    server = DualBucket(
        short_limit=limits.short_limit,
        short_ttl_ms=limits.short_ttl_ms,
        long_limit=limits.long_limit,
        long_ttl_ms=limits.long_ttl_ms,
        now=0.0,
    )
    server.drain(now=0.0)
    refused = sum(not server.try_take(now=t) for t in sorted(arrivals))
    return takes, refused


def steady_rate_per_minute(takes: list[float], start: float, end: float) -> float:
    """Calls per minute taken in [start, end): long enough that group edges do not count."""
    return sum(start <= t < end for t in takes) / (end - start) * 60.0


@pytest.mark.parametrize(
    ("per_minute", "concurrency", "latency"),
    [(600, 20, 1.5), (100, 4, 1.5), (100, 1, 0.2), (6000, 100, 0.3)],
)
def test_pacer_reaches_95_percent_of_the_ceiling_without_a_429(
    per_minute: int, concurrency: int, latency: float
) -> None:
    limits = PacingLimits.per_minute(per_minute)
    takes, refused = simulate(
        limits, concurrency=concurrency, latency=latency, jitter=0.02, margin=0.03, duration=600
    )
    assert refused == 0
    rate = steady_rate_per_minute(takes, start=0.0, end=600.0)
    assert 0.95 * per_minute <= rate <= per_minute * 1.005


def test_pacer_without_margin_meets_429s_when_arrivals_jitter() -> None:
    limits = PacingLimits.per_minute(600)
    _, refused = simulate(
        limits, concurrency=20, latency=1.5, jitter=0.02, margin=0.0, duration=300
    )
    assert refused > 0


def test_pacer_lets_the_initial_burst_through_at_once() -> None:
    clock = FixedClock()
    pacer = Pacer(PacingLimits.per_minute(100), clock, concurrency=8)
    waits = [pacer.acquire() for _ in range(100)]
    assert waits == [0.0] * 100
    assert pacer.acquire() > 0


def test_pacer_after_a_429_waits_a_full_group_before_the_next_call() -> None:
    clock = FixedClock()
    pacer = Pacer(PacingLimits.per_minute(600), clock, concurrency=10, margin_s=0.05)
    pacer.acquire()
    pacer.on_rate_limited()
    waited = pacer.acquire()
    assert waited == pytest.approx(10 / 10.0 + 0.1, abs=1e-3)  # the margin doubled
    assert pacer.margin_s == pytest.approx(0.1)
    for _ in range(10):
        pacer.on_rate_limited()
    assert pacer.margin_s == pytest.approx(0.4)


def test_pacer_that_assumes_an_empty_bucket_waits_from_the_start() -> None:
    clock = FixedClock()
    pacer = Pacer(
        PacingLimits.per_minute(100), clock, concurrency=1, margin_s=0.05, assume_full=False
    )
    assert pacer.acquire() == pytest.approx(0.6 + 0.05, abs=1e-3)


def test_pacer_off_never_waits_and_limits_report_their_ceiling() -> None:
    clock = FixedClock()
    pacer = Pacer(PacingLimits.off(), clock, concurrency=4)
    assert pacer.is_off
    assert all(pacer.acquire() == 0.0 for _ in range(10_000))
    assert PacingLimits.per_minute(600).requests_per_minute == pytest.approx(600)
    assert PacingLimits.off().requests_per_minute == float("inf")


def test_a_thread_late_for_its_release_waits_for_the_next_one() -> None:
    clock = FixedClock()
    pacer = Pacer(
        PacingLimits.per_minute(600), clock, concurrency=4, margin_s=0.05, assume_full=False
    )
    assert pacer.acquire() == pytest.approx(0.45, abs=1e-5)  # 4 tokens refill in 0.4 s, + margin
    assert pacer.acquire() == 0.0 and pacer.acquire() == 0.0  # released together
    clock.advance(0.2)  # the fourth thread comes back after the release closed
    # It does not spend the token left over alone: it waits until, with that token, a full
    # group is ready again (3 more tokens after the last take, counted from take + margin).
    assert pacer.acquire() == pytest.approx(0.5 + 0.3 - 0.65, abs=1e-5)
