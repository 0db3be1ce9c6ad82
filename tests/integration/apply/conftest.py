"""Fixtures for apply against the sandbox in-process: a sandbox, its client, and a runner.

``apply_plan`` runs :func:`migrator.workflows.apply.run_apply` with the scenario's source; the
assertions read the sandbox's own snapshot and the state, never call counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from migrator.apply.model import ApplyResult, DesiredSource
from migrator.apply.progress import RecordingProgress
from migrator.plan.model import DestinationIdentity as PlanDestination
from migrator.sandbox.app import Sandbox, make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.sandbox.transport import in_process_transport
from migrator.twenty.client import ClientSettings, TwentyClient
from migrator.twenty.identity import DestinationIdentity
from migrator.twenty.pacing import PacingLimits
from migrator.twenty.transport import build_http_client
from migrator.workflows.apply import ApplyRequest, run_apply
from tests.integration.apply.harness import FINGERPRINT

IN_PROCESS_URL = "http://sandbox.invalid"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """An in-memory sandbox (Twenty 2.15)."""
    with make_sandbox(SandboxConfig()) as box:
        yield box


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """httpx on the in-process sandbox."""
    with build_http_client(
        IN_PROCESS_URL, sandbox.api_key, transport=in_process_transport(sandbox)
    ) as client:
        yield client


@pytest.fixture
def identity(sandbox: Sandbox) -> DestinationIdentity:
    """The sandbox's identity as a destination."""
    return DestinationIdentity(base_url="sandbox::memory:", workspace_id=sandbox.workspace_id)


@pytest.fixture
def plan_identity(identity: DestinationIdentity) -> PlanDestination:
    """The same identity, as a plan records it."""
    return PlanDestination(base_url=identity.base_url, workspace_id=identity.workspace_id)


@pytest.fixture
def client(http: httpx.Client) -> Iterator[TwentyClient]:
    """A client without pacing (the in-process sandbox has no rate limit)."""
    with TwentyClient(
        http, settings=ClientSettings(limits=PacingLimits.off(), concurrency=4)
    ) as made:
        yield made


ApplyPlan = Callable[..., ApplyResult]


@pytest.fixture
def apply_plan(client: TwentyClient, identity: DestinationIdentity, tmp_path: Path) -> ApplyPlan:
    """Apply a plan file with a source; extra keywords go to :class:`ApplyRequest`."""

    def run(
        plan: Path,
        source: DesiredSource,
        *,
        progress: RecordingProgress | None = None,
        fingerprint: str | None = FINGERPRINT,
        **request: Any,
    ) -> ApplyResult:
        request.setdefault("state_path", tmp_path / ".migrator" / "test.state.db")
        return run_apply(
            ApplyRequest(plan_path=plan, **request),
            client=client,
            identity=identity,
            source=source,
            fingerprint=fingerprint,
            progress=progress,
        )

    return run
