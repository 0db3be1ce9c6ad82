"""The real sandbox's fault knobs, over loopback (real sockets really drop) and in-process.

Every test runs both ways: through ``serve_in_thread`` on 127.0.0.1 with a plain httpx client,
and through the sandbox's own in-process transport. Knobs are changed at run time through
``PUT /_sandbox/faults``; what was stored is read back through the API and ``/_sandbox/snapshot``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from migrator.sandbox.app import Sandbox, make_sandbox
from migrator.sandbox.config import Faults, SandboxConfig
from migrator.sandbox.server import serve_in_thread
from migrator.sandbox.transport import in_process_transport


@pytest.fixture(params=["loopback", "in-process"])
def client(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[httpx.Client]:
    auth = {"Authorization": f"Bearer {sandbox.api_key}"}
    if request.param == "in-process":
        transport = in_process_transport(sandbox)
        with httpx.Client(transport=transport, base_url="http://sb", headers=auth) as http:
            yield http
    else:
        with (
            serve_in_thread(sandbox) as served,
            httpx.Client(base_url=served.url, headers=auth, timeout=10) as http,
        ):
            yield http


def set_faults(client: httpx.Client, **knobs: object) -> dict[str, Any]:
    answer = client.put("/_sandbox/faults", json=knobs)
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()
    return document


def company(name: str) -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "name": name}


def stored_names(client: httpx.Client) -> list[str]:
    snapshot = json.loads(client.get("/_sandbox/snapshot").content)
    return sorted(str(record["name"]) for record in snapshot["records"]["companies"])


def test_a_dropped_connection_really_drops_and_stores_nothing(client):
    set_faults(client, drop_rate=1.0)

    with pytest.raises(httpx.TransportError):
        client.post("/rest/companies", json=company("Dropped Ltd"))

    assert set_faults(client, drop_rate=0.0)["counters"]["drops"] == 1
    assert stored_names(client) == []
    listed = client.get("/rest/companies").json()
    assert listed["totalCount"] == 0


def test_a_lost_response_leaves_the_record_stored(client):
    set_faults(client, lost_response_rate=1.0)
    record = company("Lost Response Ltd")

    with pytest.raises(httpx.TransportError):
        client.post("/rest/companies", json=record)

    assert set_faults(client, lost_response_rate=0.0)["counters"]["lost_responses"] == 1
    fetched = client.get(f"/rest/companies/{record['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["data"]["company"]["name"] == "Lost Response Ltd"
    assert stored_names(client) == ["Lost Response Ltd"]


def test_error_rate_one_answers_503_and_writes_nothing(client):
    set_faults(client, error_rate=1.0)

    batch = [company(f"Refused {index}") for index in range(3)]
    refused = client.post("/rest/batch/companies", json=batch)
    single = client.post("/rest/companies", json=company("Refused single"))
    reading = client.get("/rest/companies")

    assert (refused.status_code, single.status_code) == (503, 503)
    assert refused.json()["error"] == "ServiceUnavailableException"
    assert reading.status_code == 200  # reads are never broken
    assert stored_names(client) == []
    log = client.get("/_sandbox/requests").json()["requests"]
    assert [entry["status"] for entry in log] == [503, 503, 200]


def test_run_time_changes_take_effect_and_bad_values_are_refused(client):
    assert set_faults(client, error_rate=1.0)["error_rate"] == 1.0
    assert client.post("/rest/companies", json=company("A")).status_code == 503

    refused = client.put("/_sandbox/faults", json={"error_rate": 0, "latency": [0.2, 0.1]})
    assert refused.status_code == 400
    assert client.post("/rest/companies", json=company("B")).status_code == 503

    document = set_faults(client, error_rate=0, latency=0.05)
    assert document["latency"] == [0.05, 0.05]
    started = time.monotonic()
    assert client.post("/rest/companies", json=company("C")).status_code == 201
    assert time.monotonic() - started >= 0.05
    assert stored_names(client) == ["C"]
    assert document["counters"] == {"errors": 2, "drops": 0, "lost_responses": 0}


def test_the_knobs_need_the_api_key(client):
    assert client.get("/_sandbox/faults", headers={"Authorization": ""}).status_code == 403
    wrong = client.put(
        "/_sandbox/faults", json={"drop_rate": 1}, headers={"Authorization": "Bearer x"}
    )
    assert wrong.status_code == 401
    assert client.get("/_sandbox/faults").json()["drop_rate"] == 0.0


def test_faults_configured_at_start_are_in_force():
    config = SandboxConfig(faults=Faults(latency=(0.0, 0.01), error_rate=1.0), seed=42)
    with make_sandbox(config) as sandbox:
        auth = {"Authorization": f"Bearer {sandbox.api_key}"}
        transport = in_process_transport(sandbox)
        with httpx.Client(transport=transport, base_url="http://sb", headers=auth) as client:
            document = client.get("/_sandbox/faults").json()
            refused = client.post("/rest/companies", json=company("Nope"))
    assert document["latency"] == [0.0, 0.01]
    assert document["error_rate"] == 1.0
    assert document["seed"] == 42
    assert refused.status_code == 503


def test_concurrent_writers_see_exactly_the_faults_the_sandbox_counted(client):
    # Each write ends one of four ways; only 201s and lost responses may be stored.
    set_faults(client, error_rate=0.2, drop_rate=0.2, lost_response_rate=0.2)
    outcomes: dict[str, list[str]] = {"201": [], "503": [], "transport": []}
    lock = threading.Lock()

    def writer(worker: int) -> None:
        for index in range(25):
            record = company(f"w{worker}-{index:02d}")
            try:
                kind = str(client.post("/rest/companies", json=record).status_code)
            except httpx.TransportError:
                kind = "transport"
            with lock:
                outcomes[kind].append(str(record["name"]))

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    counters = set_faults(client, error_rate=0, drop_rate=0, lost_response_rate=0)["counters"]
    stored = set(stored_names(client))
    assert sum(len(names) for names in outcomes.values()) == 100
    assert counters["errors"] == len(outcomes["503"]) > 0
    assert counters["drops"] + counters["lost_responses"] == len(outcomes["transport"])
    assert set(outcomes["201"]) <= stored
    assert not stored & set(outcomes["503"])
    assert len(stored & set(outcomes["transport"])) == counters["lost_responses"] > 0
