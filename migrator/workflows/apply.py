"""``migrator apply``: run a saved plan exactly, against the destination and state it was made for.

:func:`run_apply` is the core: given the plan file, an open Twenty client with its identity, the
state path and the source of recomputed payloads, it checks the plan before anything is written
(approved digest, errored plan, destination, source fingerprint; lineage and serial under the
state lock), tells the progress sink where it is about to write, and executes it
(:mod:`migrator.apply.executor`). The CLI (``migrator/cli/apply.py``) reads the environment, opens
the destination from the spec embedded in the plan and passes everything down.

A sample plan (``plan``/``apply SPEC --sample N``) recomputes its records from the same sample
(:mod:`migrator.sample`), runs as a ``sample`` run, and leaves the state marked as holding a
sample (``StateMeta.sample``) so that verify checks the sample and a full plan is refused until
``destroy`` removes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from migrator.apply.adopt import AdoptResult, adopt_records
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
from migrator.apply.source import MapperSource
from migrator.clock import Clock, SystemClock
from migrator.errors import PlanError, UsageError
from migrator.identity import migration_namespace
from migrator.plan.model import PlanHeader
from migrator.plan.planfile import plan_file_sha256, read_plan_header
from migrator.sample import sample_bundle, sample_size_of, sample_status
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import load_spec
from migrator.state.location import (
    PostgresLocation,
    SqliteLocation,
    StateLocation,
    open_existing_state,
    open_state,
    state_location_for_spec,
)
from migrator.state.model import Destination as StateDestination
from migrator.twenty.client import TwentyClient
from migrator.twenty.identity import DestinationIdentity
from migrator.workflows.plan import (
    MapperFactory,
    PlanResult,
    default_mapper_factory,
    spec_document,
)
from migrator.workflows.plan import plan as plan_spec
from migrator.workflows.spec_inputs import open_spec_bundle, open_spec_destination


@dataclass(frozen=True)
class ApplyRequest:
    """What to apply and where its outputs go."""

    plan_path: Path
    state_path: Path | StateLocation
    """The state: a file, or a PostgreSQL schema (:mod:`migrator.state.location`)."""
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
    location = request.state_path
    if isinstance(location, PostgresLocation):
        return default_audit_path(Path.cwd(), header.name)
    path = location.path if isinstance(location, SqliteLocation) else location
    state_dir = path.parent
    base = state_dir.parent if state_dir.name == ".migrator" else state_dir
    return default_audit_path(base, header.name)


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
    store = open_state(request.state_path, create=True, clock=clock)
    try:
        store.check_binding(identity.base_url, identity.workspace_id)
    except BaseException:
        store.close()
        raise
    progress.note(
        f"Destination: {identity.base_url} (workspace {identity.workspace_id}); "
        f"state: {store.location}"
    )
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
        )
        return execute(inputs)
    finally:
        store.close()


# --- from a plan file or a spec, with the destination, state and mapper the spec names ----------


@dataclass(frozen=True)
class OpenedPlan:
    """What a plan file's embedded spec resolves to on this machine."""

    header: PlanHeader
    plan_digest: str
    spec: MigrationSpec
    spec_dir: Path
    state_path: Path | StateLocation


def embedded_spec(header: PlanHeader) -> MigrationSpec:
    """The spec a plan embeds, as the model the loader gave: the plan embeds only what the spec
    wrote (:func:`~migrator.workflows.plan.spec_document`), so what was written stays written."""
    return MigrationSpec.model_validate(header.spec)


def open_plan(
    request: ApplyRequest | None, plan_path: Path, state: Path | StateLocation | None
) -> OpenedPlan:
    """Read and check a plan file; resolve its spec, spec directory and state path."""
    probe = request or ApplyRequest(plan_path=plan_path, state_path=Path())
    header, plan_digest = check_plan_file(probe)
    try:
        spec = embedded_spec(header)
    except ValidationError:
        raise PlanError(
            f"plan file {plan_path} embeds a spec this migrator cannot read",
            hint="make the plan again with this version of migrator",
        ) from None
    spec_dir = Path(header.spec_dir) if header.spec_dir else Path.cwd()
    state_path = state or state_location_for_spec(
        spec.state, spec_path=spec_dir / "migration.yaml", name=spec.name
    )
    return OpenedPlan(header, plan_digest, spec, spec_dir, state_path)


def _namespace(state_path: Path | StateLocation, name: str) -> uuid.UUID:
    store = open_existing_state(state_path)
    if store is not None:
        with store:
            text = store.meta().namespace
        if text:
            return uuid.UUID(text)
    return migration_namespace(name)


def apply_plan_file(
    plan_path: Path,
    *,
    environ: Mapping[str, str],
    state_path: Path | StateLocation | None = None,
    audit_path: Path | None = None,
    expect_digest: str | None = None,
    lock_timeout: float = 0.0,
    clock: Clock | None = None,
    progress: ProgressSink | None = None,
    mapper_factory: MapperFactory | None = None,
) -> ApplyResult:
    """``migrator apply PLANFILE``: open what the plan's spec names and run :func:`run_apply`.

    ``environ`` supplies the API key (the spec's ``destination.api_key_env``); the destination
    URL, bundle and state come from the spec embedded in the plan, relative to its ``spec_dir``.
    """
    probe = ApplyRequest(plan_path=plan_path, state_path=Path(), expect_digest=expect_digest)
    opened = open_plan(probe, plan_path, state_path)
    spec, spec_dir = opened.spec, opened.spec_dir
    request = ApplyRequest(
        plan_path=plan_path,
        state_path=opened.state_path,
        audit_path=audit_path,
        expect_digest=expect_digest,
        lock_timeout=lock_timeout,
    )
    if opened.header.kind == "destroy":  # made from the state alone: no source to recompute
        from migrator.workflows.destroy import EmptySource, clear_sample_mark

        api_key = environ.get(spec.destination.api_key_env)
        with open_spec_destination(spec, spec_dir, api_key, clock=clock) as dest:
            result = run_apply(
                request,
                client=dest.client,
                identity=dest.identity,
                source=EmptySource(),
                fingerprint=None,
                clock=clock,
                progress=progress,
                checked=(opened.header, opened.plan_digest),
            )
        clear_sample_mark(opened.state_path, clock)  # the sample (if any) is gone
        return result
    bundle = open_spec_bundle(spec, spec_dir)
    size = sample_size_of(opened.header)
    if size is not None:
        bundle = sample_bundle(spec, bundle, size)
    api_key = environ.get(spec.destination.api_key_env)
    factory: Callable[..., Any] = mapper_factory or default_mapper_factory()
    namespace = _namespace(opened.state_path, spec.name)
    with open_spec_destination(spec, spec_dir, api_key, clock=clock) as dest:
        members = _members(dest.client, spec)
        source = MapperSource(
            lambda: factory(spec, bundle, spec_dir=spec_dir, members=members, namespace=namespace),
            opened.header.spec,
            bundle.root,
        )
        try:
            return run_apply(
                request,
                client=dest.client,
                identity=dest.identity,
                source=source,
                fingerprint=bundle.fingerprint,
                clock=clock,
                progress=progress,
                checked=(opened.header, opened.plan_digest),
            )
        finally:
            if size is not None:
                mark_sample(opened.state_path, size, clock)


def mark_sample(location: Path | StateLocation, size: int, clock: Clock | None) -> None:
    """Mark the state as holding a sample of ``size`` once a sample run has written to it (also
    after a partial run: what it wrote is a sample's); nothing when no sample run is recorded."""
    store = open_existing_state(location)
    if store is None:
        return
    with store:
        if store.meta().sample is not None or not sample_status(store).holds_sample:
            return
    with open_state(location, create=False, clock=clock) as writer, writer.batch() as tx:
        tx.mark_sample(size)


def _members(client: TwentyClient, spec: MigrationSpec) -> dict[str, str]:
    """Workspace members by lower-cased email (owners resolve to them), if the spec maps owners."""
    if spec.owners is None:
        return {}
    return {
        member.user_email.strip().lower(): member.id
        for member in client.members()
        if member.user_email
    }


def plan_for_apply(
    spec_path: Path,
    *,
    environ: Mapping[str, str],
    display_path: str | None = None,
    sample: int | None = None,
) -> PlanResult:
    """``migrator apply SPEC [--sample N]``, first half: plan into ``.migrator/<name>.apply.plan``
    beside the spec, for the CLI to show and confirm before :func:`apply_plan_file` runs it."""
    out = spec_path.resolve().parent / ".migrator" / f"{spec_path.stem}.apply.plan"
    return plan_spec(spec_path, environ=environ, out=out, display_path=display_path, sample=sample)


def import_state_records(
    spec_path: Path,
    mapping: str,
    *,
    environ: Mapping[str, str],
    by: str | None = None,
    state_path: Path | StateLocation | None = None,
    lock_timeout: float = 0.0,
    clock: Clock | None = None,
    mapper_factory: MapperFactory | None = None,
) -> AdoptResult:
    """``migrator state import MAPPING``: adopt the mapping's records already in Twenty, matched
    by the provenance field (default) or by a unique field such as ``emails.primaryEmail``."""
    spec = load_spec(spec_path, environ=environ, display_path=str(spec_path)).spec
    spec_dir = spec_path.resolve().parent
    body = spec.all_mappings().get(mapping)
    if body is None:
        raise UsageError(
            f"the spec has no mapping {mapping!r}",
            hint="name a mapping under `objects:` (or a child mapping)",
        )
    location = state_path or state_location_for_spec(
        spec.state, spec_path=spec_path, name=spec.name
    )
    bundle = open_spec_bundle(spec, spec_dir, verify=False)
    factory: Callable[..., Any] = mapper_factory or default_mapper_factory()
    namespace = _namespace(location, spec.name)
    api_key = environ.get(spec.destination.api_key_env)
    with open_spec_destination(spec, spec_dir, api_key, clock=clock) as dest:
        members = _members(dest.client, spec)
        source = MapperSource(
            lambda: factory(spec, bundle, spec_dir=spec_dir, members=members, namespace=namespace),
            spec_document(spec),
            bundle.root,
        )
        meta = dest.client.metadata.find_object(body.to)
        if meta is None:
            raise UsageError(f"Twenty has no object {body.to!r} yet", hint="apply the schema first")
        with open_state(location, create=True, clock=clock) as store:
            store.acquire_lock("state import", timeout=lock_timeout)
            return adopt_records(
                mapping=mapping,
                by=by or spec.provenance.source_id_field,
                source_field=spec.provenance.source_id_field,
                source=source,
                client=dest.client,
                plural=meta.name_plural,
                store=store,
                destination=StateDestination(
                    base_url=dest.identity.base_url, workspace_id=dest.identity.workspace_id
                ),
                migration_name=spec.name,
                namespace=str(namespace),
            )
