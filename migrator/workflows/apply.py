"""``migrator apply``: run a saved plan exactly, against the destination and state it was made for.

:func:`run_apply` is the core: given the plan file, an open Twenty client with its identity, the
state path and the source of recomputed payloads, it checks the plan before anything is written
(approved digest, errored plan, destination, source fingerprint; lineage and serial under the
state lock), tells the progress sink where it is about to write, and executes it
(:mod:`migrator.apply.executor`). The CLI (``migrator/cli/apply.py``) reads the environment, opens
the destination from the spec embedded in the plan and passes everything down.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrator.apply.audit import default_audit_path
from migrator.apply.checks import (
    check_applicable,
    check_destination,
    check_expected_digest,
    check_source,
)
from migrator.apply.executor import ApplyInputs, execute
from migrator.apply.model import ApplyOptions, ApplyResult, DesiredSource
from migrator.apply.progress import NullProgress, ProgressSink
from migrator.clock import Clock, SystemClock
from migrator.plan.model import PlanHeader
from migrator.plan.planfile import plan_file_sha256, read_plan_header
from migrator.state.sqlite import open_sqlite_state
from migrator.twenty.client import TwentyClient
from migrator.twenty.identity import DestinationIdentity


@dataclass(frozen=True)
class ApplyRequest:
    """What to apply and where its outputs go."""

    plan_path: Path
    state_path: Path
    audit_path: Path | None = None
    """``None``: ``.migrator/<name>.audit.jsonl`` beside the state."""
    expect_digest: str | None = None
    lock_timeout: float = 0.0
    batch_size: int | None = None
    concurrency: int | None = None
    verify_first: bool = True


def options_from_spec(spec: Mapping[str, Any], request: ApplyRequest) -> ApplyOptions:
    """Batch size and concurrency from the plan's spec (``destination``), unless overridden."""
    destination = spec.get("destination")
    settings = destination if isinstance(destination, Mapping) else {}
    batch = request.batch_size or int(settings.get("batch_size", 200))
    concurrency = request.concurrency or int(settings.get("concurrency", 4))
    return ApplyOptions(
        batch_size=max(1, min(batch, 200)),
        concurrency=max(1, concurrency),
        lock_timeout=request.lock_timeout,
        verify_first=request.verify_first,
    )


def check_plan_file(request: ApplyRequest) -> tuple[PlanHeader, str]:
    """The plan's header and ``sha256:`` digest, after the approval and errored checks."""
    sha = plan_file_sha256(request.plan_path)
    check_expected_digest(sha, request.expect_digest)
    header = read_plan_header(request.plan_path)
    check_applicable(header)
    return header, "sha256:" + sha


def audit_path_for(request: ApplyRequest, header: PlanHeader) -> Path:
    """Where the audit log goes: ``--audit-log``, else beside the state's ``.migrator`` folder."""
    if request.audit_path is not None:
        return request.audit_path
    state_dir = request.state_path.parent
    base = state_dir.parent if state_dir.name == ".migrator" else state_dir
    return default_audit_path(base, header.name)


def file_field_ids(client: TwentyClient) -> dict[tuple[str, str], str]:
    """The metadata id of every FILES field, by (object, field): where uploads are attached."""
    found: dict[tuple[str, str], str] = {}
    for obj in client.metadata.list_objects():
        for field in obj.fields:
            if field.type == "FILES":
                found[(obj.name_singular, field.name)] = field.id
    return found


def run_apply(
    request: ApplyRequest,
    *,
    client: TwentyClient,
    identity: DestinationIdentity,
    source: DesiredSource,
    fingerprint: str | None,
    clock: Clock | None = None,
    progress: ProgressSink | None = None,
    checked: tuple[PlanHeader, str] | None = None,
) -> ApplyResult:
    """Check and execute the plan at ``request.plan_path`` (see the module docstring).

    ``fingerprint`` is the source bundle's fingerprint now (``None`` when the source has none);
    ``checked`` passes a header and digest already read by :func:`check_plan_file`.
    """
    clock = clock or SystemClock()
    progress = progress or NullProgress()
    header, plan_digest = checked or check_plan_file(request)
    check_destination(header, identity.base_url, identity.workspace_id)
    check_source(header, fingerprint)
    options = options_from_spec(header.spec, request)
    progress.note(
        f"Destination: {identity.base_url} (workspace {identity.workspace_id}); "
        f"state: {request.state_path}"
    )
    store = open_sqlite_state(request.state_path, create=True, clock=clock)
    try:
        inputs = ApplyInputs(
            header=header,
            plan_path=request.plan_path,
            plan_digest=plan_digest,
            client=client,
            store=store,
            source=source,
            audit_path=audit_path_for(request, header),
            clock=clock,
            progress=progress,
            options=options,
            file_field_ids=file_field_ids(client),
        )
        return execute(inputs)
    finally:
        store.close()
