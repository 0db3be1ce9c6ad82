"""Sandbox fixtures: an in-memory sandbox, the same served on loopback, and a client for it.

Copy the pattern elsewhere: ``sandbox`` for direct use (its ``workspace`` for preconditions),
``sandbox_client`` for HTTP through the in-process transport, ``served_sandbox`` for a real socket.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from migrator.sandbox.app import Sandbox, make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.sandbox.server import Served, serve_in_thread
from migrator.sandbox.transport import in_process_transport


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh in-memory sandbox (Twenty 2.15 behaviour, no rate limit, no faults)."""
    with make_sandbox(SandboxConfig()) as opened:
        yield opened


@pytest.fixture
def served_sandbox(sandbox: Sandbox) -> Iterator[Served]:
    """``sandbox`` served on 127.0.0.1 from a thread; ``.url`` is its base URL."""
    with serve_in_thread(sandbox) as served:
        yield served


@pytest.fixture
def sandbox_client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client authenticated to ``sandbox`` through the in-process transport."""
    with httpx.Client(
        transport=in_process_transport(sandbox),
        base_url="http://sandbox.local",
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
    ) as client:
        yield client
