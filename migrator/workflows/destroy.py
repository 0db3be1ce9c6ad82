"""``migrator plan --destroy SPEC`` and ``migrator destroy SPEC``: roll the migration back.

:func:`plan_destroy` reads the spec's state and writes the inverse plan (:mod:`migrator.destroy.
plan`) bound to that state and the destination, without reading the source. :func:`destroy`
makes that plan, checks what users did since the migration (:mod:`migrator.destroy.conflicts`),
refuses without ``force`` when they did anything the destroy would undo or break, and runs the
plan through apply's executor (:func:`migrator.workflows.apply.run_apply`) — the same batches,
state commits, journal (a ``destroy`` run) and audit log as any apply. Afterwards the state holds
no records, schema resources, quarantine, holds or cursors, and no sample mark (destroying a
sample migration is how the full run is prepared); its journal keeps the history.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrator.apply.model import ApplyResult, DesiredItem
from migrator.apply.progress import ProgressSink
from migrator.clock import Clock
from migrator.destroy.conflicts import ConflictReport, find_conflicts
from migrator.destroy.plan import build_destroy_plan
from migrator.errors import PlanError, UsageError
from migrator.graph import NodeKind, compile_graph
from migrator.identity import migration_namespace
from migrator.model import digest
from migrator.plan.build import PlanContext
from migrator.plan.model import DestinationIdentity, PlanHeader, PriorState
from migrator.plan.planfile import plan_file_sha256
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import load_spec
from migrator.state.location import open_existing_state, open_state, state_location_for_spec
from migrator.state.model import StateMeta
from migrator.state.sqlstore import SqlStateStore
from migrator.workflows.apply import ApplyRequest, check_plan_file, run_apply
from migrator.workflows.plan import PlanResult, spec_document
from migrator.workflows.spec_inputs import open_spec_destination

FORCE_HINT = (
    "look at what they changed (listed above); run `migrator destroy SPEC --force` to destroy "
    "anyway, losing or breaking exactly that"
)


class EmptySource:
    """The :class:`~migrator.apply.model.DesiredSource` of a destroy plan: it writes nothing
    recomputed from the source (every change is a delete, built from the state)."""

    def phase_items(self, phase: str) -> Iterator[DesiredItem]:
        """No items: a destroy reads no source row."""
        del phase
        return iter(())

    def source_rows(self, phase: str) -> int | None:
        """No source rows."""
        del phase
        return 0

    def phase_rules(self, phase: str) -> Mapping[str, Any]:
        """No mapping rules are involved."""
        del phase
        return {}

    @property
    def bundle_root(self) -> Path | None:
        """Nothing is uploaded."""
        return None


@dataclass(frozen=True)
class DestroyResult:
    """A finished destroy: the plan it ran, what users had changed, and the run."""

    plan: PlanResult
    conflicts: ConflictReport
    applied: ApplyResult | None
    """``None`` when the plan had nothing to do."""


def _spec(spec_path: Path, environ: Mapping[str, str]) -> tuple[MigrationSpec, Path]:
    loaded = load_spec(spec_path, environ=environ, display_path=str(spec_path))
    return loaded.spec, spec_path.resolve().parent


def _state(spec_path: Path, spec: MigrationSpec) -> SqlStateStore:
    location = state_location_for_spec(spec.state, spec_path=spec_path, name=spec.name)
    state = open_existing_state(location)
    if state is None or state.meta().lineage is None:
        if state is not None:
            state.close()
        raise UsageError(
            f"there is nothing to destroy: {spec.name!r} has no state yet",
            hint="destroy removes what an apply wrote; run `migrator apply` first",
        )
    return state


def _context(
    spec: MigrationSpec, spec_dir: Path, destination: DestinationIdentity, meta: StateMeta
) -> PlanContext:
    """What a destroy plan is made against: the state (lineage, serial) and the destination."""
    assert meta.lineage is not None
    return PlanContext(
        name=spec.name,
        spec=spec_document(spec),
        spec_digest=digest(spec_document(spec)),
        spec_dir=str(spec_dir),
        source=None,
        destination=destination,
        prior_state=PriorState(lineage=meta.lineage, serial=meta.serial),
        kind="destroy",
    )


def plan_destroy(
    spec_path: Path,
    *,
    environ: Mapping[str, str],
    out: Path | None,
    on_conflicts: Callable[[ConflictReport], None] | None = None,
    clock: Clock | None = None,
) -> tuple[PlanResult, ConflictReport]:
    """Write the destroy plan of the spec's state to ``out``; also find the conflicts."""
    spec, spec_dir = _spec(spec_path, environ)
    apply_phases = tuple(
        n.address for n in compile_graph(spec).phases() if n.kind is NodeKind.RECORDS
    )
    state = _state(spec_path, spec)
    try:
        meta = state.meta()
        api_key = environ.get(spec.destination.api_key_env)
        with open_spec_destination(spec, spec_dir, api_key, clock=clock) as dest:
            state.check_binding(dest.identity.base_url, dest.identity.workspace_id)
            objects = dest.client.metadata.list_objects()
            with state.snapshot():
                conflicts = find_conflicts(dest.client, state, objects)
                if on_conflicts is not None:
                    on_conflicts(conflicts)
                identity = DestinationIdentity(
                    base_url=dest.identity.base_url, workspace_id=dest.identity.workspace_id
                )
                context = _context(spec, spec_dir, identity, meta)
                namespace = (
                    uuid.UUID(meta.namespace) if meta.namespace else migration_namespace(spec.name)
                )
                header = build_destroy_plan(
                    state,
                    context,
                    apply_phases=apply_phases,
                    namespace=namespace,
                    per_minute=spec.destination.rate_limit.per_minute,
                    reads_for_plan=conflicts.reads,
                    out=out,
                )
    finally:
        state.close()
    sha = plan_file_sha256(out) if out is not None else None
    return PlanResult(header, out, sha), conflicts


def refuse_on_conflicts(conflicts: ConflictReport) -> None:
    """Raise when users changed anything the destroy would undo or break."""
    if not conflicts.conflicts:
        return
    raise PlanError(
        f"destroy refused: users changed {len(conflicts.conflicts)} thing(s) since the "
        "migration that a destroy would undo or break; nothing was written",
        detail="\n".join(conflicts.lines()),
        hint=FORCE_HINT,
    )


def destroy(
    spec_path: Path,
    *,
    environ: Mapping[str, str],
    force: bool = False,
    plan_path: Path | None = None,
    confirm: Callable[[PlanHeader, ConflictReport], None] | None = None,
    progress: ProgressSink | None = None,
    clock: Clock | None = None,
) -> DestroyResult:
    """Plan the destroy, check conflicts (refused unless ``force``), confirm, and run it.

    ``confirm`` is shown the plan and the conflicts before anything is written and raises to
    stop. ``plan_path`` defaults to ``.migrator/<spec stem>.destroy.plan`` beside the spec.
    """
    out = plan_path or spec_path.resolve().parent / ".migrator" / f"{spec_path.stem}.destroy.plan"
    out.parent.mkdir(parents=True, exist_ok=True)
    planned, conflicts = plan_destroy(spec_path, environ=environ, out=out, clock=clock)
    if not force:
        refuse_on_conflicts(conflicts)
    if confirm is not None:
        confirm(planned.header, conflicts)
    spec, spec_dir = _spec(spec_path, environ)
    location = state_location_for_spec(spec.state, spec_path=spec_path, name=spec.name)
    if not planned.header.has_changes:
        clear_sample_mark(location, clock)  # a sample that wrote nothing is removed all the same
        return DestroyResult(planned, conflicts, None)
    request = ApplyRequest(plan_path=out, state_path=location)
    api_key = environ.get(spec.destination.api_key_env)
    with open_spec_destination(spec, spec_dir, api_key, clock=clock) as dest:
        applied = run_apply(
            request,
            client=dest.client,
            identity=dest.identity,
            source=EmptySource(),
            fingerprint=None,
            clock=clock,
            progress=progress,
            checked=check_plan_file(request),
        )
    _clear_leftovers(location, applied.run_id, clock)
    return DestroyResult(planned, conflicts, applied)


def clear_sample_mark(location: Any, clock: Clock | None) -> None:
    """Drop the state's sample mark (``StateMeta.sample``), if it has one."""
    with open_state(location, create=False, clock=clock) as store:
        if store.meta().sample is None:
            return
        with store.batch() as tx:
            tx.mark_sample(None)


def _clear_leftovers(location: Any, run_id: str, clock: Clock | None) -> None:
    """Drop the quarantine, holds, cursors and sample mark: they describe a migration that is
    gone."""
    with open_state(location, create=False, clock=clock) as store:
        quarantined = [q.address for q in store.quarantined()]
        held = [h.address for h in store.held()]
        cursors = [c.stream for c in store.cursors()]
        sampled = store.meta().sample is not None
        if not (quarantined or held or cursors or sampled):
            return
        with store.batch(run_id=run_id) as tx:
            for address in (*quarantined, *held):
                tx.release(address)
            for stream in cursors:
                tx.forget_cursor(stream)
            if sampled:
                tx.mark_sample(None)
