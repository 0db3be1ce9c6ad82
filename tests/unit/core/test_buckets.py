"""The token-bucket model reproduces Twenty's measured behaviour (twenty-api.md §10)."""

from __future__ import annotations

from migrator.buckets import DualBucket


def test_dual_bucket_burst_of_101_in_under_two_seconds_refuses_the_101st() -> None:
    bucket = DualBucket(now=0.0)
    passed = [bucket.try_take(now=i * 0.017) for i in range(101)]
    assert passed[:100] == [True] * 100
    assert passed[100] is False
    assert bucket.refusal_message == "Limit reached (100 tokens per 60000 ms)"


def test_dual_bucket_drained_and_polled_every_tenth_second_passes_1_45_to_1_70_per_second() -> None:
    bucket = DualBucket(now=0.0)
    for _ in range(100):
        assert bucket.try_take(now=0.0)
    now, passed = 0.0, 0
    for _ in range(600):
        now += 0.1
        passed += bucket.try_take(now=now)
    assert 1.45 <= passed / 60.0 <= 1.70


def test_dual_bucket_polled_every_second_passes_one_per_second() -> None:
    bucket = DualBucket(now=0.0)
    bucket.drain(now=0.0)
    passed = sum(bucket.try_take(now=float(t)) for t in range(1, 61))
    assert passed == 60


def test_dual_bucket_wait_time_is_exact_for_a_drained_long_bucket() -> None:
    bucket = DualBucket(now=0.0)
    bucket.drain(now=0.0)
    assert abs(bucket.seconds_until_available(now=0.0) - 0.6) < 1e-9
    assert not bucket.try_take(now=0.59)
    assert bucket.try_take(now=0.6)


def test_dual_bucket_with_zero_limits_is_off() -> None:
    bucket = DualBucket(short_limit=0, long_limit=0, now=0.0)
    assert bucket.is_off
    assert all(bucket.try_take(now=0.0) for _ in range(10_000))


def test_dual_bucket_short_refusal_names_the_short_bucket() -> None:
    bucket = DualBucket(long_limit=1000, now=0.0)
    for _ in range(100):
        assert bucket.try_take(now=0.0)
    assert not bucket.try_take(now=0.001)
    assert bucket.refusal_message == "Limit reached (100 tokens per 1000 ms)"
