"""Fixtures for the Twenty client's tests against the sandbox, for both Twenty versions.

``client`` talks to an in-memory sandbox in-process (fast, no sockets); ``served`` serves a
sandbox on 127.0.0.1 from a thread for the fault and rate-limit tests, where connections really
drop. Assertions read the sandbox's own snapshot (``/_sandbox/snapshot``), never call counts.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from migrator.sandbox.app import Sandbox, make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.sandbox.transport import in_process_transport
from migrator.twenty.client import ClientSettings, TwentyClient
from migrator.twenty.pacing import PacingLimits
from migrator.twenty.transport import build_http_client

NAMESPACE = uuid.UUID("6f1d3c52-5a2b-4c0e-9d7e-2b8f0a4c1e93")
IN_PROCESS_URL = "http://sandbox.invalid"


def client_id(kind: str, number: int) -> str:
    """The deterministic id a migration would give source record ``kind:number``."""
    return str(uuid.uuid5(NAMESPACE, f"test:{kind}:{number}"))


def people(start: int, count: int, *, prefix: str = "p") -> list[dict[str, Any]]:
    """``count`` synthetic people with ids and unique emails."""
    return [
        {
            "id": client_id("person", number),
            "name": {"firstName": f"Test{number}", "lastName": "Person"},
            "emails": {"primaryEmail": f"{prefix}{number}@example.test"},
        }
        for number in range(start, start + count)
    ]


def snapshot(http: httpx.Client) -> dict[str, Any]:
    """The sandbox's canonical snapshot of every record (soft-deleted ones included)."""
    response = http.get("/_sandbox/snapshot")
    response.raise_for_status()
    data: dict[str, Any] = json.loads(response.content)
    return data


def stored(http: httpx.Client, plural: str) -> list[dict[str, Any]]:
    """Every stored record of ``plural``, from the snapshot."""
    records: list[dict[str, Any]] = snapshot(http)["records"].get(plural, [])
    return records


@pytest.fixture(params=["2.15", "upstream"])
def twenty_version(request: pytest.FixtureRequest) -> str:
    """Each test runs against both Twenty versions the sandbox imitates."""
    version: str = request.param
    return version


@pytest.fixture
def sandbox(twenty_version: str) -> Iterator[Sandbox]:
    """An in-memory sandbox of that version."""
    with make_sandbox(SandboxConfig(twenty_version=twenty_version)) as box:  # type: ignore[arg-type]
        yield box


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client on the in-process sandbox (also used to read its snapshot)."""
    with build_http_client(
        IN_PROCESS_URL, sandbox.api_key, transport=in_process_transport(sandbox)
    ) as c:
        yield c


@pytest.fixture
def make_client(http: httpx.Client) -> Iterator[Callable[..., TwentyClient]]:
    """Build clients on the in-process sandbox (no rate limit there, so no pacing)."""
    made: list[TwentyClient] = []

    def make(**settings: Any) -> TwentyClient:
        settings.setdefault("limits", PacingLimits.off())
        settings.setdefault("concurrency", 4)
        client = TwentyClient(http, settings=ClientSettings(**settings))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., TwentyClient]) -> TwentyClient:
    """A client on the in-process sandbox."""
    return make_client()
