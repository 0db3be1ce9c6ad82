"""RateLimitMiddleware as a unit: Twenty's throttling rules in front of a small recording WSGI app.

The app stands in for the sandbox core (it checks the key the way Twenty does and records every
request it sees), so these tests show what the middleware lets through and what it answers by
itself. The clock is a plain counter, so a minute of traffic replays in milliseconds. The live
figures come from twenty-api.md §10 and captures 74-76 (copied into tests/data/captures/).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from migrator.clock import FixedClock
from migrator.sandbox.config import NO_RATE_LIMIT, RateLimit
from migrator.sandbox.ratelimit import RateLimitMiddleware, root_field_names
from tests.conftest import DATA_DIR

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

API_KEY = "test-key-0123"
AUTH = {"Authorization": f"Bearer {API_KEY}"}


def load_capture(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((DATA_DIR / "captures" / name).read_text())
    return data


class RecordingApp:
    """A WSGI app answering 200 to the right key, 403/401 otherwise, and logging what it saw."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        with self._lock:
            self.seen.append((method, path))
        authorization = environ.get("HTTP_AUTHORIZATION")
        body: dict[str, object]
        if authorization is None and not path.startswith("/_sandbox/"):
            status, body = "403 Forbidden", {"statusCode": 403}
        elif authorization not in (None, f"Bearer {API_KEY}"):
            status, body = "401 Unauthorized", {"statusCode": 401}
        else:
            status, body = "200 OK", {"data": {"path": path}}
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def app() -> RecordingApp:
    return RecordingApp()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


TWENTY_DEFAULTS = RateLimit()


def make_client(
    app: RecordingApp, clock: FakeClock, limit: RateLimit = TWENTY_DEFAULTS
) -> httpx.Client:
    middleware = RateLimitMiddleware(app, limit, api_key=API_KEY, monotonic=clock)
    return httpx.Client(transport=httpx.WSGITransport(app=middleware), base_url="http://sandbox")


@pytest.fixture
def client(app: RecordingApp, clock: FakeClock) -> Iterator[httpx.Client]:
    with make_client(app, clock) as http:
        yield http


def burst(client: httpx.Client, clock: FakeClock, count: int, spacing: float) -> list[int]:
    """``count`` sequential data calls ``spacing`` seconds apart; their status codes."""
    statuses = []
    for _ in range(count):
        statuses.append(client.get("/rest/companies?limit=1", headers=AUTH).status_code)
        clock.advance(spacing)
    return statuses


def test_fresh_sandbox_passes_100_calls_and_refuses_the_101st_as_twenty(client, clock, app):
    # Capture 74: a sequential loop of 104 calls in 1.7 s got 100 x 200 then 429s.
    statuses = burst(client, clock, 104, 1.7 / 104)

    assert statuses == [200] * 100 + [429] * 4
    assert len(app.seen) == 100  # refused calls never reach the app

    refused = client.get("/rest/companies?limit=1", headers=AUTH)
    expected = load_capture("74-rest-rate-limit-429.json")
    assert refused.status_code == expected["status"] == 429
    assert refused.json() == expected["response_body"]
    assert refused.headers["content-type"] == "application/json; charset=utf-8"
    assert "retry-after" not in refused.headers
    assert not any(name.lower().startswith("x-ratelimit") for name in refused.headers)


@pytest.mark.parametrize(
    ("request_time", "expected_low", "expected_high"),
    [((0.0, 0.0), 1.60, 1.70), ((0.002, 0.020), 1.45, 1.60)],
    ids=["exact-0.1s", "loopback-request-time"],
)
def test_drained_bucket_polled_every_tenth_of_a_second_passes_about_1_5_calls_per_second(
    client, clock, request_time, expected_low, expected_high
):
    # twenty-api.md §10: once drained, polling every 0.1 s got 1.53 calls/s through live.
    burst(client, clock, 110, 0.017)
    jitter = random.Random(5)
    start, passed = clock.now, 0
    while clock.now - start < 120.0:
        clock.advance(0.1 + jitter.uniform(*request_time))
        passed += client.get("/rest/companies", headers=AUTH).status_code == 200

    rate = passed / (clock.now - start)
    assert 1.45 <= rate <= 1.70
    assert expected_low <= rate <= expected_high


def test_refused_calls_spend_nothing(client, clock, app):
    burst(client, clock, 100, 0.0)
    assert burst(client, clock, 50, 0.0) == [429] * 50

    clock.advance(0.6)  # one long-bucket token (100 per 60 s) flows back; the refusals took none
    assert burst(client, clock, 2, 0.0) == [200, 429]
    assert len(app.seen) == 101


def test_metadata_and_sandbox_endpoints_are_never_limited(client, clock, app):
    burst(client, clock, 101, 0.0)
    expected = load_capture("76-rest-metadata-while-rate-limited.json")

    metadata = client.get("/rest/metadata/objects?limit=1", headers=AUTH)
    assert metadata.status_code == expected["status"] == 200
    assert client.post("/metadata", headers=AUTH, json={"query": "{ objects { totalCount } }"})
    assert client.get("/rest/metadata", headers=AUTH).status_code == 200
    assert client.get("/_sandbox/requests").status_code == 200
    assert client.get("/rest/companies", headers=AUTH).status_code == 429
    assert ("GET", "/rest/metadata/objects") in app.seen


def test_calls_without_the_right_key_pass_untouched_and_spend_nothing(client, clock, app):
    wrong = {"Authorization": "Bearer not-the-key"}
    assert {client.get("/rest/companies", headers=wrong).status_code for _ in range(120)} == {401}
    assert {client.get("/rest/companies").status_code for _ in range(120)} == {403}

    assert burst(client, clock, 101, 0.0) == [200] * 100 + [429]


def test_graphql_shares_the_bucket_and_is_refused_with_200_limit_reached(client, clock):
    expected = load_capture("75-graphql-rate-limited.json")
    query = expected["request_body"]
    for _ in range(60):
        assert client.post("/graphql", headers=AUTH, json=query).status_code == 200
        clock.advance(0.017)
    assert burst(client, clock, 41, 0.017) == [200] * 40 + [429]

    refused = client.post("/graphql", headers=AUTH, json=query)
    assert refused.status_code == expected["status"] == 200
    assert refused.json() == expected["response_body"]
    assert "retry-after" not in refused.headers


def test_graphql_refusal_nulls_every_root_field_by_its_response_key(client, clock):
    burst(client, clock, 101, 0.017)
    query = (
        "query Q($n: Int) { firms: companies(first: $n) { totalCount } "
        "people { edges { node { id } } } }"
    )

    body = client.post("/graphql", headers=AUTH, json={"query": query}).json()

    assert body["data"] == {"firms": None, "people": None}
    assert body["errors"][0]["extensions"]["subCode"] == "LIMIT_REACHED"
    not_json = client.post("/graphql", headers=AUTH, content=b"{not json").json()
    assert not_json["data"] is None
    assert not_json["errors"][0]["message"] == "Limit reached (100 tokens per 60000 ms)"


def test_get_graphql_is_not_a_data_call(client, clock, app):
    burst(client, clock, 101, 0.0)
    assert client.get("/graphql", headers=AUTH).status_code == 200
    assert app.seen[-1] == ("GET", "/graphql")


def test_the_short_bucket_refuses_with_its_own_message(app, clock):
    limit = RateLimit(short_limit=5, short_ttl_ms=1_000, long_limit=100, long_ttl_ms=60_000)
    with make_client(app, clock, limit) as client:
        assert burst(client, clock, 6, 0.0) == [200] * 5 + [429]
        refused = client.get("/rest/companies", headers=AUTH)
        assert refused.json()["messages"] == ["Limit reached (5 tokens per 1000 ms)"]

        clock.advance(0.2)  # 5 per second: one token back
        assert burst(client, clock, 2, 0.0) == [200, 429]


def test_a_limit_of_zero_turns_that_bucket_off(app, clock):
    long_only = RateLimit(short_limit=0, long_limit=3, long_ttl_ms=60_000)
    with make_client(app, clock, long_only) as client:
        assert burst(client, clock, 4, 0.0) == [200, 200, 200, 429]
    with make_client(app, clock, NO_RATE_LIMIT) as client:
        assert set(burst(client, clock, 500, 0.0)) == {200}


def test_writes_and_batch_paths_spend_tokens_too(app, clock):
    with make_client(app, clock, RateLimit(short_limit=0, long_limit=3)) as client:
        assert client.post("/rest/batch/companies", headers=AUTH, json=[{}]).status_code == 200
        assert client.patch("/rest/companies/x", headers=AUTH, json={}).status_code == 200
        assert client.delete("/rest/companies/x", headers=AUTH).status_code == 200
        refused = client.post("/rest/companies", headers=AUTH, json={"name": "Acme"})
    assert refused.status_code == 429
    assert ("POST", "/rest/companies") not in app.seen


def test_threads_together_get_exactly_the_bucket(app, clock):
    limit = RateLimit(short_limit=0, long_limit=100, long_ttl_ms=60_000)
    statuses: list[int] = []
    lock = threading.Lock()
    with make_client(app, clock, limit) as client:

        def worker() -> None:
            mine = [client.get("/rest/people", headers=AUTH).status_code for _ in range(40)]
            with lock:
                statuses.extend(mine)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert statuses.count(200) == 100
    assert statuses.count(429) == 220
    assert len(app.seen) == 100


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("query { companies(first: 1) { totalCount } }", ["companies"]),
        ("{ a: people { id } b: people { id } }", ["a", "b"]),
        ('mutation M { createCompany(data: {name: "x}"}) { id } }', ["createCompany"]),
        ("fragment F on Company { id } query { companies { ...F } }", ["companies"]),
        ("# comment {\n{ tasks @include(if: true) { id } }", ["tasks"]),
        ("not graphql at all", []),
    ],
)
def test_root_field_names_reads_the_response_keys(query, keys):
    assert root_field_names(query) == keys


def test_the_key_is_recognised_as_the_sandbox_recognises_it(app, clock):
    # The sandbox accepts any case of "Bearer" and surrounding spaces; such calls must pay.
    with make_client(app, clock, RateLimit(short_limit=0, long_limit=2)) as client:
        for authorization in (f"bearer {API_KEY}", f"  BEARER {API_KEY} "):
            client.get("/rest/companies", headers={"Authorization": authorization})
        assert burst(client, clock, 1, 0.0) == [429]


def test_each_refusal_goes_to_the_request_log_with_the_sandbox_entry_shape(app, clock):
    entries: list[dict[str, object]] = []
    middleware = RateLimitMiddleware(
        app,
        RateLimit(short_limit=0, long_limit=1),
        api_key=API_KEY,
        monotonic=clock,
        log=entries.append,
        clock=FixedClock(dt.datetime(2026, 11, 22, 15, 22, 37, tzinfo=dt.UTC)),
    )
    with httpx.Client(transport=httpx.WSGITransport(app=middleware), base_url="http://s") as client:
        client.get("/rest/companies?limit=1", headers=AUTH)
        client.get("/rest/companies?limit=1", headers=AUTH)
        client.post("/graphql", headers=AUTH, json={"query": "{ people { totalCount } }"})

    assert entries == [
        {
            "method": "GET",
            "path": "/rest/companies",
            "query": "limit=1",
            "status": 429,
            "recordCount": 0,
            "time": "2026-11-22T15:22:37.000Z",
            "durationMs": 0.0,
        },
        {
            "method": "POST",
            "path": "/graphql",
            "query": "",
            "status": 200,
            "recordCount": 0,
            "time": "2026-11-22T15:22:37.000Z",
            "durationMs": 0.0,
        },
    ]
