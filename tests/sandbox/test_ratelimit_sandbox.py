"""The real sandbox rate-limits as live Twenty did (twenty-api.md §10), on loopback and in-process.

The sandbox runs on a :class:`FixedClock` (``make_sandbox(..., clock=...)``), which the rate
limiter reads, so the test moves time by hand: a minute of polling replays in a second or two.
Captures 74 and 76 (tests/data/captures/) give the refused and the unrefused answers.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from migrator.clock import FixedClock
from migrator.sandbox.app import Sandbox, make_sandbox
from migrator.sandbox.config import RateLimit, SandboxConfig
from migrator.sandbox.server import serve_in_thread
from migrator.sandbox.transport import in_process_transport
from tests.conftest import DATA_DIR


def load_capture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / "captures" / name).read_text())
    return data


class Limited:
    """A rate-limited sandbox on a manual clock, and a client reaching it one way or the other."""

    def __init__(self, sandbox: Sandbox, clock: FixedClock, client: httpx.Client) -> None:
        self.sandbox, self.clock, self.client = sandbox, clock, client

    def call(self) -> int:
        return self.client.get("/rest/companies?limit=1").status_code

    def burst(self, count: int, spacing: float) -> list[int]:
        statuses = []
        for _ in range(count):
            statuses.append(self.call())
            self.clock.advance(spacing)
        return statuses


@pytest.fixture(params=["loopback", "in-process"])
def limited(request: pytest.FixtureRequest) -> Iterator[Limited]:
    clock = FixedClock()
    config = SandboxConfig(rate_limit=RateLimit())  # Twenty's defaults: 100/1 s and 100/60 s
    with make_sandbox(config, clock=clock) as sandbox:
        auth = {"Authorization": f"Bearer {sandbox.api_key}"}
        if request.param == "in-process":
            transport = in_process_transport(sandbox)
            with httpx.Client(transport=transport, base_url="http://sb", headers=auth) as client:
                yield Limited(sandbox, clock, client)
        else:
            with (
                serve_in_thread(sandbox) as served,
                httpx.Client(base_url=served.url, headers=auth, timeout=10) as client,
            ):
                yield Limited(sandbox, clock, client)


def test_a_fresh_sandbox_passes_100_calls_and_refuses_the_101st(limited):
    # Capture 74: 104 sequential calls within 1.7 s -> 100 passed, then 429.
    assert limited.burst(104, 1.7 / 104) == [200] * 100 + [429] * 4

    refused = limited.client.get("/rest/companies?limit=1")
    assert refused.status_code == 429
    assert refused.json() == load_capture("74-rest-rate-limit-429.json")["response_body"]
    assert "retry-after" not in refused.headers


def test_once_drained_a_client_polling_every_tenth_of_a_second_gets_about_1_5_calls_a_second(
    limited,
):
    # Live: 1.53 calls/s at a 0.1 s poll interval. Each call also takes a few loopback ms.
    limited.burst(110, 0.017)
    request_time = random.Random(11)
    start, passed = limited.clock.monotonic(), 0
    while limited.clock.monotonic() - start < 60.0:
        limited.clock.advance(0.1 + request_time.uniform(0.002, 0.020))
        passed += limited.call() == 200

    rate = passed / (limited.clock.monotonic() - start)
    assert 1.45 <= rate <= 1.70


def test_metadata_still_answers_while_rate_limited(limited):
    limited.burst(101, 0.0)
    expected = load_capture("76-rest-metadata-while-rate-limited.json")

    metadata = limited.client.get("/rest/metadata/objects?limit=1")

    assert metadata.status_code == expected["status"] == 200
    body = metadata.json()
    assert set(body) == set(expected["response_body"])
    assert len(body["data"]["objects"]) == 1
    assert body["pageInfo"]["hasNextPage"] is True
    assert limited.client.get("/rest/metadata/fields?limit=1").status_code == 200
    assert limited.call() == 429


def test_refusals_appear_in_the_request_log_and_write_nothing(limited):
    limited.burst(100, 0.0)
    refused = limited.client.post("/rest/companies", json={"name": "Refused Ltd"})
    assert refused.status_code == 429

    log = limited.client.get("/_sandbox/requests").json()["requests"]
    assert [entry["status"] for entry in log] == [200] * 100 + [429]
    assert log[-1]["method"] == "POST"
    assert log[-1]["path"] == "/rest/companies"
    snapshot = json.loads(limited.client.get("/_sandbox/snapshot").content)
    assert snapshot["records"]["companies"] == []


def test_calls_with_a_wrong_key_spend_nothing(limited):
    wrong = {"Authorization": "Bearer wrong"}
    for _ in range(150):
        assert limited.client.get("/rest/companies", headers=wrong).status_code == 401
    assert limited.burst(101, 0.0) == [200] * 100 + [429]
