"""The retry policy: transient failures only, backoff by kind, idempotency respected."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from migrator.clock import FixedClock
from migrator.errors import TwentyError, TwentyUnavailable, TwentyValidationError
from migrator.twenty.errors import TwentyNoResponse, error_from_response, parse_retry_after
from migrator.twenty.retry import Attempts, Idempotency, RetryPolicy, call_with_retries


def _status(status: int) -> TwentyError:
    return error_from_response("POST", "/rest/batch/people", status, None, is_metadata=False)


def _script(*outcomes: BaseException | str) -> Callable[[Attempts], str]:
    queue = list(outcomes)

    def send(_attempts: Attempts) -> str:
        outcome = queue.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return send


def _run(
    send: Callable[[Attempts], str],
    *,
    idempotency: Idempotency = Idempotency.SAFE,
    policy: RetryPolicy | None = None,
    paced: bool = True,
    clock: FixedClock | None = None,
    attempts: Attempts | None = None,
) -> str:
    return call_with_retries(
        send,
        idempotency=idempotency,
        policy=policy or RetryPolicy(jitter_s=0.0),
        clock=clock or FixedClock(),
        paced=paced,
        rng=random.Random(0),
        attempts=attempts,
    )


def test_transient_statuses_are_retried_with_exponential_backoff() -> None:
    clock = FixedClock()
    attempts = Attempts()
    send = _script(_status(503), _status(502), _status(504), "ok")
    assert _run(send, clock=clock, attempts=attempts) == "ok"
    assert attempts.sends == 4
    assert clock.monotonic() == pytest.approx(0.5 + 1.0 + 2.0)
    assert attempts.maybe_stored


def test_a_429_waits_for_the_pacer_not_for_backoff() -> None:
    clock = FixedClock()
    attempts = Attempts()
    assert _run(_script(*[_status(429)] * 20, "ok"), clock=clock, attempts=attempts) == "ok"
    assert attempts.rate_limited == 20
    assert clock.monotonic() == 0.0
    assert not attempts.maybe_stored


def test_an_unpaced_429_backs_off() -> None:
    clock = FixedClock()
    assert _run(_script(_status(429), "ok"), clock=clock, paced=False) == "ok"
    assert clock.monotonic() == pytest.approx(0.5)


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_terminal_errors_raise_at_once(status: int) -> None:
    attempts = Attempts()
    with pytest.raises(TwentyError) as info:
        _run(_script(_status(status), "ok"), attempts=attempts)
    assert info.value.status == status
    assert attempts.sends == 1


def test_data_validation_500_is_terminal() -> None:
    body = {"statusCode": 500, "messages": ["Data validation error."]}
    error = error_from_response("POST", "/rest/people", 500, body, is_metadata=False)
    with pytest.raises(TwentyValidationError):
        _run(_script(error, "ok"))


def test_giving_up_reraises_the_last_unavailable_error() -> None:
    policy = RetryPolicy(max_attempts=3, jitter_s=0.0)
    attempts = Attempts()
    with pytest.raises(TwentyUnavailable) as info:
        _run(_script(*[_status(503)] * 5), policy=policy, attempts=attempts)
    assert info.value.status == 503
    assert attempts.sends == 3


def test_a_429_storm_is_bounded_by_the_total_time_budget() -> None:
    clock = FixedClock()
    policy = RetryPolicy(max_elapsed_s=10.0)

    def send(_attempts: Attempts) -> str:
        clock.advance(1.0)  # the pacer's wait for the next group
        raise _status(429)

    with pytest.raises(TwentyUnavailable):
        _run(send, policy=policy, clock=clock)
    assert clock.monotonic() == pytest.approx(10.0)


def test_unsafe_requests_are_resent_only_when_nothing_can_have_been_stored() -> None:
    never_sent = TwentyNoResponse("POST", "/metadata", "ConnectError", may_have_committed=False)
    assert _run(_script(never_sent, _status(503), "ok"), idempotency=Idempotency.UNSAFE) == "ok"
    maybe_sent = TwentyNoResponse("POST", "/metadata", "ReadTimeout", may_have_committed=True)
    with pytest.raises(TwentyNoResponse):
        _run(_script(maybe_sent, "ok"), idempotency=Idempotency.UNSAFE)
    with pytest.raises(TwentyUnavailable):
        _run(_script(_status(504), "ok"), idempotency=Idempotency.UNSAFE)


def test_guarded_requests_are_resent_and_flagged_as_maybe_stored() -> None:
    attempts = Attempts()
    lost = TwentyNoResponse("POST", "/rest/batch/x", "RemoteProtocolError", may_have_committed=True)
    send = _script(lost, "ok")
    assert _run(send, idempotency=Idempotency.GUARDED, attempts=attempts) == "ok"
    assert attempts.maybe_stored and attempts.sends == 2


def test_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(initial_backoff_s=1.0, max_backoff_s=8.0, jitter_s=0.5)
    dice = random.Random(3)
    waits = [policy.backoff(n, dice) for n in range(1, 8)]
    assert all(1.0 <= w <= 8.5 for w in waits)
    assert waits[-1] >= 8.0


def test_a_retry_after_sent_by_a_proxy_is_honoured_and_capped() -> None:
    busy = error_from_response(
        "GET", "/rest/people", 503, None, is_metadata=False, retry_after_s=7.0
    )
    clock = FixedClock()
    assert _run(_script(busy, "ok"), clock=clock) == "ok"
    assert clock.monotonic() == pytest.approx(7.0)
    slow = error_from_response(
        "GET", "/rest/people", 429, None, is_metadata=False, retry_after_s=500.0
    )
    clock = FixedClock()
    assert _run(_script(slow, "ok"), clock=clock, paced=True) == "ok"
    assert clock.monotonic() == pytest.approx(30.0)  # capped at max_backoff_s


def test_retry_after_headers_in_seconds_are_parsed() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-3") is None
