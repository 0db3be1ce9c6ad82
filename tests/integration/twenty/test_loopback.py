"""The client against a sandbox served on 127.0.0.1: rate limits and real faults.

The sandbox runs Twenty's bucket model and its fault layer (503s, dropped connections, responses
lost after the write was stored) in a server thread; connections really drop. Every test checks
the result in the sandbox's snapshot: each record exactly once, none lost, none doubled. Rate
limits here are small and time-to-live short, so the suite stays quick; the long, steady-state
throughput run is ``bench/client_throughput.py``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from migrator.sandbox.app import Sandbox, make_sandbox
from migrator.sandbox.config import Faults, RateLimit, SandboxConfig
from migrator.sandbox.server import serve_in_thread
from migrator.twenty.client import ClientSettings, TwentyClient
from migrator.twenty.models import AuditEvent
from migrator.twenty.pacing import PacingLimits
from migrator.twenty.retry import RetryPolicy
from migrator.twenty.transport import build_http_client
from tests.integration.twenty.conftest import people

QUICK_RETRIES = RetryPolicy(
    max_attempts=12, initial_backoff_s=0.01, max_backoff_s=0.2, jitter_s=0.02
)


class Served:
    """A served sandbox: its URL, key, and a plain client for its inspection routes."""

    def __init__(self, sandbox: Sandbox, url: str) -> None:
        self.sandbox = sandbox
        self.url = url
        auth = {"Authorization": f"Bearer {sandbox.api_key}"}
        self.inspect = httpx.Client(base_url=url, headers=auth, timeout=30.0)

    def stored_ids(self, plural: str) -> list[str]:
        response = self.inspect.get("/_sandbox/snapshot")
        response.raise_for_status()
        return [str(r["id"]) for r in json.loads(response.content)["records"].get(plural, [])]

    def stored(self, plural: str) -> list[dict[str, Any]]:
        response = self.inspect.get("/_sandbox/snapshot")
        records: list[dict[str, Any]] = json.loads(response.content)["records"].get(plural, [])
        return records

    def statuses(self) -> list[int]:
        response = self.inspect.get("/_sandbox/requests")
        return [int(entry["status"]) for entry in response.json()["requests"]]

    def client(self, **settings: Any) -> TwentyClient:
        audit = settings.pop("audit", None)
        http = build_http_client(self.url, self.sandbox.api_key, max_connections=32)
        return TwentyClient(http, settings=ClientSettings(**settings), audit=audit, owns_http=True)


@pytest.fixture
def serve(twenty_version: str) -> Iterator[Callable[..., Served]]:
    """Serve a sandbox of the test's Twenty version with the given rate limit and faults."""
    opened: list[Any] = []

    def start(rate_limit: RateLimit | None = None, faults: Faults | None = None) -> Served:
        config = SandboxConfig(
            twenty_version=twenty_version,  # type: ignore[arg-type]
            rate_limit=rate_limit or RateLimit(short_limit=0, long_limit=0),
            faults=faults or Faults(),
            seed=7,
        )
        sandbox = make_sandbox(config)
        server = serve_in_thread(sandbox)
        served = Served(sandbox, server.__enter__().url)
        opened.append((sandbox, server, served))
        return served

    yield start
    for sandbox, server, served in reversed(opened):
        served.inspect.close()
        server.__exit__(None, None, None)
        sandbox.close()


def _batches(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _write_all(client: TwentyClient, rows: list[dict[str, Any]], size: int) -> set[str]:
    """Create every row; return the ids each result accounts for (written or already present)."""
    accounted: set[str] = set()
    for result in client.records.create_batches("people", _batches(rows, size)):
        assert result.failed == ()
        accounted.update(result.written_ids, result.already_present)
    return accounted


@pytest.mark.slow
def test_no_429_at_the_configured_ceiling(serve: Callable[..., Served]) -> None:
    limit = RateLimit(short_limit=100, short_ttl_ms=1_000, long_limit=20, long_ttl_ms=1_000)
    served = serve(rate_limit=limit)
    events: list[AuditEvent] = []
    pacing = PacingLimits(short_limit=100, short_ttl_ms=1_000, long_limit=20, long_ttl_ms=1_000)
    rows = people(0, 900)
    # Groups of 16 every 0.8 s; the margin is wider than the default because several test runs
    # share two cores here and a thread can wait 100 ms for one.
    with served.client(limits=pacing, concurrency=16, margin_s=0.15, audit=events.append) as c:
        started = time.monotonic()
        accounted = _write_all(c, rows, 10)  # 90 requests: 20 at once, then 20/s
        elapsed = time.monotonic() - started
    assert [e.status for e in events if e.status != 201] == []
    assert 429 not in served.statuses()
    assert sorted(served.stored_ids("people")) == sorted(accounted)
    assert len(accounted) == 900
    # Loose on purpose (a shared machine): the paced run is near the ceiling, not far below it.
    assert elapsed <= (90 - 20) / 20 / 0.6


@pytest.mark.slow
def test_recovery_from_a_429_storm_loses_and_doubles_nothing(serve: Callable[..., Served]) -> None:
    served = serve(rate_limit=RateLimit(short_limit=100, long_limit=20, long_ttl_ms=1_000))
    wrong = PacingLimits(long_limit=400, long_ttl_ms=1_000)  # the client believes 20x the truth
    rows = people(0, 600)
    with served.client(limits=wrong, concurrency=8, retry=QUICK_RETRIES) as client:
        accounted = _write_all(client, rows, 10)
        assert client.stats.rate_limited > 0
    assert 429 in served.statuses()
    assert sorted(served.stored_ids("people")) == sorted(str(r["id"]) for r in rows)
    assert accounted == {str(r["id"]) for r in rows}


@pytest.mark.parametrize(
    "faults",
    [
        Faults(error_rate=0.3),
        Faults(drop_rate=0.3),
        Faults(lost_response_rate=0.3),
        Faults(error_rate=0.1, drop_rate=0.1, lost_response_rate=0.1, latency=(0.0, 0.01)),
    ],
    ids=["5xx-burst", "dropped", "lost-responses", "mixed"],
)
def test_faults_lose_and_double_nothing(serve: Callable[..., Served], faults: Faults) -> None:
    served = serve(faults=faults)
    rows = people(0, 600)
    with served.client(limits=PacingLimits.off(), concurrency=4, retry=QUICK_RETRIES) as client:
        accounted = _write_all(client, rows, 20)
        assert client.stats.retries > 0
        ids = [str(r["id"]) for r in rows]
        partial = [{"id": i, "jobTitle": "Dental nurse"} for i in ids]
        for result in client.records.upsert_batches("people", _batches(partial, 50)):
            assert result.failed == ()
        client.records.delete_many("people", ids[:100])
        client.records.destroy_many("people", ids[500:])
    assert accounted == set(ids)
    records = served.stored("people")
    assert sorted(str(r["id"]) for r in records) == sorted(ids[:500])
    assert all(r["jobTitle"] == "Dental nurse" for r in records)
    assert sum(r["deletedAt"] is not None for r in records) == 100


@pytest.mark.slow
def test_over_loopback_10000_records_page_back_exactly_once(serve: Callable[..., Served]) -> None:
    served = serve()
    rows = [{"id": r["id"], "name": f"Clinic {n % 37}"} for n, r in enumerate(people(0, 10_000))]
    with served.client(limits=PacingLimits.off(), concurrency=4) as client:
        for result in client.records.create_batches("companies", _batches(rows, 200)):
            assert not result.failed
        seen = [str(r["id"]) for r in client.records.iter("companies", order_by="name")]
    assert len(seen) == len(set(seen)) == 10_000
    assert set(seen) == {str(r["id"]) for r in rows}


def test_over_loopback_one_email_collision_costs_at_most_2_log2_200_requests(
    serve: Callable[..., Served],
) -> None:
    served = serve()
    rows = people(0, 200)
    with served.client(limits=PacingLimits.off(), concurrency=2) as client:
        client.records.create_batch("people", people(500, 1))
        rows[137]["emails"] = {"primaryEmail": "p500@example.test"}
        result = client.records.create_batch("people", rows)
    assert [(f.index, f.kind.value) for f in result.failed] == [(137, "duplicate")]
    assert result.extra_requests <= 2 * math.log2(200)
    assert len(served.stored_ids("people")) == 200
