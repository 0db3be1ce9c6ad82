"""Lost responses and interrupted runs: every record ends in Twenty exactly once.

Faults come from the sandbox's own knobs (a write stored and its answer dropped) or from a
transport that stops answering part-way (a destination going away mid-run); the assertions read
the sandbox's snapshot, its request log and the state.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from migrator.errors import ApplyError
from migrator.plan.model import DestinationIdentity as PlanDestination
from migrator.sandbox.app import Sandbox, make_sandbox
from migrator.sandbox.config import Faults, SandboxConfig
from migrator.sandbox.transport import in_process_transport
from migrator.state import RunStatus, open_sqlite_state
from migrator.twenty.client import ClientSettings, TwentyClient
from migrator.twenty.identity import DestinationIdentity
from migrator.twenty.pacing import PacingLimits
from migrator.twenty.retry import RetryPolicy
from migrator.twenty.transport import build_http_client
from migrator.workflows.apply import ApplyRequest, run_apply
from tests.integration.apply.harness import (
    FINGERPRINT,
    Scenario,
    records_of,
    requests_log,
)

URL = "http://sandbox.invalid"
FAST_RETRY = RetryPolicy(initial_backoff_s=0.01, max_backoff_s=0.02, jitter_s=0.0, max_attempts=4)


def _client(http: httpx.Client) -> TwentyClient:
    settings = ClientSettings(limits=PacingLimits.off(), concurrency=4, retry=FAST_RETRY)
    return TwentyClient(http, settings=settings)


def _apply(
    tmp_path: Path,
    plan: Path,
    scenario: Scenario,
    http: httpx.Client,
    identity: DestinationIdentity,
) -> None:
    with _client(http) as client:
        run_apply(
            ApplyRequest(plan_path=plan, state_path=tmp_path / ".migrator" / "t.state.db"),
            client=client,
            identity=identity,
            source=scenario.source(),
            fingerprint=FINGERPRINT,
        )


def _assert_exactly_once(http: httpx.Client, scenario: Scenario) -> None:
    for plural, wanted in (("companies", scenario.companies), ("people", scenario.people)):
        stored = Counter(record["id"] for record in records_of(http, plural))
        assert stored == Counter(item.twenty_id for item in wanted)


@pytest.fixture
def lossy_sandbox() -> Iterator[Sandbox]:
    """A sandbox that stores 5% of writes and then drops the connection (answer lost)."""
    config = SandboxConfig(faults=Faults(lost_response_rate=0.05), seed=11)
    with make_sandbox(config) as box:
        yield box


def test_lost_responses_leave_no_duplicate_and_no_per_record_request(
    lossy_sandbox: Sandbox, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=400, people_per_company=4, batch_size=40)
    identity = DestinationIdentity(
        base_url="sandbox::memory:", workspace_id=lossy_sandbox.workspace_id
    )
    plan = scenario.write_plan(tmp_path / "plan.gz", PlanDestination(**identity.model_dump()))
    transport = in_process_transport(lossy_sandbox)
    with build_http_client(URL, lossy_sandbox.api_key, transport=transport) as http:
        _apply(tmp_path, plan, scenario, http, identity)
        lossy_sandbox.fault_settings.set(Faults())
        _assert_exactly_once(http, scenario)
        log = requests_log(http)
    writes = [r for r in log if r["method"] == "POST" and not r["path"].startswith("/rest/meta")]
    refused = [r for r in writes if r["status"] == 400]
    assert refused, "no lost response was re-sent"
    assert all(r["path"].startswith("/rest/batch/") for r in writes)
    # 50 batches stored once each; every other write is the refused re-send of a lost one,
    # resolved by one id[in] lookup, never by bisection or a request per record
    assert len(writes) == 50 + len(refused)
    assert all(r["recordCount"] == 40 for r in writes if r["status"] == 201)
    lookups = [r for r in log if r["method"] == "GET" and "id%5Bin%5D" in r["query"]]
    assert len(lookups) == len(refused)
    with open_sqlite_state(tmp_path / ".migrator" / "t.state.db") as store:
        assert sum(c.count for c in store.record_counts()) == 2000


class StopAfter(httpx.BaseTransport):
    """Answers until ``budget`` batch writes went through, then refuses to connect."""

    def __init__(self, inner: httpx.BaseTransport, budget: int) -> None:
        self.inner = inner
        self.budget = budget

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and "/rest/batch/" in request.url.path:
            if self.budget <= 0:
                raise httpx.ConnectError("destination went away", request=request)
            self.budget -= 1
        return self.inner.handle_request(request)


def test_an_interrupted_run_resumes_where_it_stopped(sandbox: Sandbox, tmp_path: Path) -> None:
    scenario = Scenario.make(companies=60, people_per_company=5, batch_size=25)
    identity = DestinationIdentity(base_url="sandbox::memory:", workspace_id=sandbox.workspace_id)
    plan = scenario.write_plan(tmp_path / "plan.gz", PlanDestination(**identity.model_dump()))
    audit = tmp_path / ".migrator" / "apply-test.audit.jsonl"

    broken = StopAfter(in_process_transport(sandbox), budget=6)
    with (
        build_http_client(URL, sandbox.api_key, transport=broken) as http,
        pytest.raises(ApplyError) as caught,
    ):
        _apply(tmp_path, plan, scenario, http, identity)
    assert caught.value.summary.startswith("apply stopped:")
    assert "migrator apply PLANFILE" in caught.value.hint
    assert caught.value.run_id

    with build_http_client(URL, sandbox.api_key, transport=in_process_transport(sandbox)) as http:
        _apply(tmp_path, plan, scenario, http, identity)
        _assert_exactly_once(http, scenario)

    with open_sqlite_state(tmp_path / ".migrator" / "t.state.db") as store:
        first, second = store.runs()
        assert first.status is RunStatus.PARTIAL and second.status is RunStatus.COMPLETE
        assert first.plan_digest == second.plan_digest
        assert first.run_id == caught.value.run_id
        assert [p.phase for p in second.phases] == ["mapping.companies", "mapping.people"]
        assert all(p.is_balanced for p in second.phases)
    lines = [json.loads(line) for line in audit.read_text().splitlines()]
    starts = [line for line in lines if line["event"] == "run" and line["status"] == "started"]
    assert [s["resumed"] for s in starts] == [False, True]
    written = Counter(line["address"] for line in lines if line["event"] == "record")
    assert set(written) == {d.address for d in scenario.companies + scenario.people}
