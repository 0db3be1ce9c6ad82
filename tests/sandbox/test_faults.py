"""FaultMiddleware as a unit: the knobs, the dice and /_sandbox/faults in front of a small store.

The store app stands in for the sandbox core: it keeps every record POSTed to ``/rest/…`` so a
test can see whether a faulty write was stored. Through httpx's plain WSGI transport the
``ConnectionDropped`` signal reaches the caller as itself (the sandbox's own transport and server
turn it into a real drop; see test_faults_sandbox.py). Sleeping is recorded, not done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from migrator.clock import FixedClock
from migrator.errors import SandboxError
from migrator.sandbox.config import ConnectionDropped, Faults, FaultSettings
from migrator.sandbox.faults import FaultMiddleware, apply_fault_changes, parse_latency, parse_rate

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


NO_FAULTS = Faults()


class StoreApp:
    """Stores the JSON body of every POST under /rest/ (400 when it has no name)."""

    def __init__(self) -> None:
        self.records: list[dict[str, object]] = []
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self._lock:
            self.calls += 1
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"null")
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].startswith("/rest/"):
            if not isinstance(body, dict) or "name" not in body:
                start_response("400 Bad Request", [("Content-Type", "application/json")])
                return [b'{"statusCode":400}']
            with self._lock:
                self.records.append(body)
            start_response("201 Created", [("Content-Type", "application/json")])
            return [json.dumps({"data": body}).encode()]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"data":{}}']


class Harness:
    """A store behind a FaultMiddleware, with its settings and the sleeps it asked for."""

    def __init__(self, faults: Faults = NO_FAULTS, seed: int = 0) -> None:
        self.store = StoreApp()
        self.settings = FaultSettings()
        self.settings.set(faults)
        self.sleeps: list[float] = []
        self.middleware = FaultMiddleware(
            self.store, self.settings, seed=seed, sleep=self.sleeps.append
        )
        self.client = httpx.Client(
            transport=httpx.WSGITransport(app=self.middleware), base_url="http://sandbox"
        )

    def knobs(self) -> dict[str, object]:
        response = self.client.get("/_sandbox/faults")
        assert response.status_code == 200
        document: dict[str, object] = response.json()
        return document

    def counters(self) -> dict[str, int]:
        counters = self.knobs()["counters"]
        assert isinstance(counters, dict)
        return {str(name): int(count) for name, count in counters.items()}


@pytest.fixture
def harness() -> Iterator[Harness]:
    built = Harness()
    yield built
    built.client.close()


def test_faults_are_off_by_default(harness):
    for index in range(20):
        assert harness.client.post("/rest/companies", json={"name": f"c{index}"}).status_code == 201
    assert len(harness.store.records) == 20
    assert harness.sleeps == []
    assert harness.knobs() == {
        "latency": [0.0, 0.0],
        "error_rate": 0.0,
        "drop_rate": 0.0,
        "lost_response_rate": 0.0,
        "seed": 0,
        "counters": {"errors": 0, "drops": 0, "lost_responses": 0},
    }


def test_error_rate_one_answers_503_and_writes_nothing(harness):
    harness.settings.set(Faults(error_rate=1.0))

    for method in ("POST", "PATCH", "PUT", "DELETE"):
        response = harness.client.request(method, "/rest/companies", json={"name": "Acme"})
        assert response.status_code == 503
        assert response.json() == {
            "statusCode": 503,
            "error": "ServiceUnavailableException",
            "messages": ["Service Unavailable"],
        }
    assert harness.client.post("/rest/batch/people", json=[{"name": "x"}]).status_code == 503

    assert harness.store.records == []
    assert harness.store.calls == 0
    assert harness.counters() == {"errors": 5, "drops": 0, "lost_responses": 0}


def test_reads_metadata_and_graphql_are_never_broken(harness):
    harness.settings.set(Faults(error_rate=1.0, drop_rate=1.0, lost_response_rate=1.0))

    assert harness.client.get("/rest/companies").status_code == 200
    assert harness.client.post("/rest/metadata/fields", json={"name": "f"}).status_code == 201
    assert harness.client.post("/metadata", json={"query": "{}"}).status_code == 200
    assert harness.client.post("/graphql", json={"query": "{}"}).status_code == 200
    assert harness.client.post("/_sandbox/reset", json={}).status_code == 200
    assert harness.counters() == {"errors": 0, "drops": 0, "lost_responses": 0}


def test_drop_rate_one_drops_before_the_app_sees_the_write(harness):
    harness.settings.set(Faults(drop_rate=1.0))

    with pytest.raises(ConnectionDropped) as dropped:
        harness.client.post("/rest/companies", json={"name": "Acme"})

    assert dropped.value.committed is False
    assert harness.store.calls == 0
    assert harness.counters()["drops"] == 1


def test_a_lost_response_stores_the_write_then_drops(harness):
    harness.settings.set(Faults(lost_response_rate=1.0))

    with pytest.raises(ConnectionDropped) as dropped:
        harness.client.post("/rest/companies", json={"name": "Acme"})

    assert dropped.value.committed is True
    assert harness.store.records == [{"name": "Acme"}]
    assert harness.counters()["lost_responses"] == 1


def test_a_lost_response_to_a_refused_write_reports_nothing_committed(harness):
    harness.settings.set(Faults(lost_response_rate=1.0))

    with pytest.raises(ConnectionDropped) as dropped:
        harness.client.post("/rest/companies", json={"no": "name"})

    assert dropped.value.committed is False
    assert harness.store.records == []


def test_latency_is_drawn_in_range_before_every_api_request(harness):
    harness.settings.set(Faults(latency=(0.1, 0.3)))
    paths = ["/rest/companies", "/rest/metadata/objects", "/graphql", "/metadata"]
    for path in paths * 10:
        harness.client.get(path)
    harness.client.get("/_sandbox/requests")

    assert len(harness.sleeps) == 40
    assert all(0.1 <= delay <= 0.3 for delay in harness.sleeps)
    assert len(set(harness.sleeps)) > 30

    harness.settings.set(Faults(latency=(0.05, 0.05)))
    harness.client.get("/rest/people")
    assert harness.sleeps[-1] == 0.05


def outcomes(seed: int, count: int) -> list[str]:
    harness = Harness(Faults(error_rate=0.2, drop_rate=0.1, lost_response_rate=0.1), seed=seed)
    seen = []
    for index in range(count):
        try:
            status = harness.client.post("/rest/people", json={"name": str(index)}).status_code
            seen.append(str(status))
        except ConnectionDropped as dropped:
            seen.append("lost" if dropped.committed else "drop")
    harness.client.close()
    return seen


def test_the_dice_are_seeded_and_follow_the_rates():
    first, again, other = outcomes(7, 2000), outcomes(7, 2000), outcomes(8, 2000)

    assert first == again
    assert first != other
    shares = {kind: first.count(kind) / len(first) for kind in ("503", "drop", "lost", "201")}
    assert shares["503"] == pytest.approx(0.2, abs=0.03)
    assert shares["drop"] == pytest.approx(0.1, abs=0.025)
    assert shares["lost"] == pytest.approx(0.1, abs=0.025)
    assert shares["201"] == pytest.approx(0.6, abs=0.04)


def test_rates_adding_past_one_leave_the_later_knobs_what_remains():
    harness = Harness(Faults(error_rate=0.75, drop_rate=0.75))
    for index in range(400):
        with contextlib.suppress(ConnectionDropped):
            harness.client.post("/rest/people", json={"name": str(index)})
    counters = harness.counters()
    assert counters["errors"] + counters["drops"] == 400
    assert 0.2 < counters["drops"] / 400 < 0.3
    assert harness.store.records == []


def test_put_changes_the_knobs_at_run_time(harness):
    changed = harness.client.put("/_sandbox/faults", json={"error_rate": 1, "latency": [0.0, 0.2]})

    assert changed.status_code == 200
    assert changed.json()["error_rate"] == 1.0
    assert harness.settings.get() == Faults(latency=(0.0, 0.2), error_rate=1.0)
    assert harness.client.post("/rest/companies", json={"name": "Acme"}).status_code == 503

    partial = harness.client.put("/_sandbox/faults", json={"error_rate": 0, "latency": 0.01})
    assert partial.json()["latency"] == [0.01, 0.01]
    assert harness.client.post("/rest/companies", json={"name": "Acme"}).status_code == 201
    assert harness.store.records == [{"name": "Acme"}]
    assert harness.counters() == {"errors": 1, "drops": 0, "lost_responses": 0}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error_rate": 1.5}, "Invalid fault setting error_rate: 1.5 is not a probability"),
        ({"drop_rate": -0.1}, "Invalid fault setting drop_rate: -0.1 is not a probability"),
        ({"lost_response_rate": "often"}, "lost_response_rate: 'often' is not a number"),
        ({"error_rate": True}, "Invalid fault setting error_rate: bool is not a number"),
        ({"latency": [0.3, 0.1]}, "latency: the minimum 0.3 is above the maximum 0.1"),
        ({"latency": [0.1, 0.2, 0.3]}, "latency: expected one number or a pair MIN:MAX"),
        ({"latency": -1}, "latency: seconds cannot be negative"),
        ({"latency": "nan"}, "latency: 'nan' is not a finite number"),
        ({"latency": None}, "latency: NoneType is not a number"),
        ({"speed": 1, "error_rate": 0.5}, "Invalid fault setting body: unknown knob(s) speed"),
        ([0.5], "Invalid fault setting body: expected a JSON object of knobs"),
    ],
)
def test_put_refuses_bad_values_with_400_and_changes_nothing(harness, body, message):
    harness.settings.set(Faults(drop_rate=0.25))

    refused = harness.client.put("/_sandbox/faults", json=body)

    assert refused.status_code == 400
    assert refused.json()["error"] == "BadRequestException"
    assert message in refused.json()["messages"][0]
    assert harness.settings.get() == Faults(drop_rate=0.25)


def test_put_refuses_a_body_that_is_not_json(harness):
    refused = harness.client.put("/_sandbox/faults", content=b"error_rate=1")
    assert refused.status_code == 400
    assert refused.json()["messages"] == ["The body is not valid JSON."]


def test_other_methods_on_the_knobs_are_refused(harness):
    refused = harness.client.post("/_sandbox/faults", json={})
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, PUT"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.5", (0.5, 0.5)), ("0.1:0.3", (0.1, 0.3)), ("0:0", (0.0, 0.0)), (2, (2.0, 2.0))],
)
def test_parse_latency_accepts_seconds_or_a_range(text, expected):
    assert parse_latency(text) == expected


@pytest.mark.parametrize("text", ["", "a:b", "0.3:0.1", "1:2:3", "-1", "inf"])
def test_parse_latency_refuses_nonsense_with_a_hint(text):
    with pytest.raises(SandboxError) as error:
        parse_latency(text)
    assert error.value.summary.startswith("Invalid fault setting latency:")
    assert "MIN:MAX" in error.value.hint


def test_parse_rate_bounds():
    assert parse_rate("error_rate", "0.25") == 0.25
    assert parse_rate("error_rate", 1) == 1.0
    with pytest.raises(SandboxError, match="drop_rate: 2 is not a probability"):
        parse_rate("drop_rate", 2)


def test_apply_fault_changes_keeps_unnamed_knobs():
    current = Faults(latency=(0.1, 0.2), error_rate=0.5, drop_rate=0.25, lost_response_rate=0.125)
    assert apply_fault_changes(current, {"drop_rate": 0}) == Faults(
        latency=(0.1, 0.2), error_rate=0.5, drop_rate=0.0, lost_response_rate=0.125
    )
    assert apply_fault_changes(current, {}) == current


def test_with_a_key_the_knobs_answer_only_its_holder():
    store, settings = StoreApp(), FaultSettings()
    middleware = FaultMiddleware(store, settings, api_key="k-123")
    with httpx.Client(transport=httpx.WSGITransport(app=middleware), base_url="http://s") as client:
        missing = client.put("/_sandbox/faults", json={"error_rate": 1})
        wrong = client.put(
            "/_sandbox/faults", json={"error_rate": 1}, headers={"Authorization": "Bearer nope"}
        )
        right = client.put(
            "/_sandbox/faults", json={"error_rate": 1}, headers={"Authorization": "Bearer k-123"}
        )

    assert (missing.status_code, missing.json()["messages"]) == (
        403,
        ["Missing authentication token"],
    )
    assert (wrong.status_code, wrong.json()["messages"]) == (401, ["Token invalid."])
    assert right.status_code == 200
    assert settings.get() == Faults(error_rate=1.0)


def test_each_injected_503_goes_to_the_request_log():
    entries: list[dict[str, object]] = []
    settings = FaultSettings()
    settings.set(Faults(error_rate=1.0))
    middleware = FaultMiddleware(
        StoreApp(),
        settings,
        log=entries.append,
        clock=FixedClock(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
    )
    with httpx.Client(transport=httpx.WSGITransport(app=middleware), base_url="http://s") as client:
        client.post("/rest/batch/companies?upsert=true", json=[{"name": "a"}])

    assert entries == [
        {
            "method": "POST",
            "path": "/rest/batch/companies",
            "query": "upsert=true",
            "status": 503,
            "recordCount": 0,
            "time": "2026-01-02T03:04:05.000Z",
            "durationMs": 0.0,
        }
    ]
