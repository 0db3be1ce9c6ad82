"""The executor: runs a checked plan phase by phase, reconciles each phase, journals the run.

:func:`execute` takes the state lock for the whole run and then:

1. checks the state against the plan (lineage, serial; an interrupted run of this same plan is
   resumed, a completed one is not run again);
2. recomputes every payload of every phase still to do and refuses, before writing anything, if
   one differs from the plan (``verify_first``);
3. binds the state to the destination and opens a run in the journal (with the plan's digest);
4. runs the schema changes, then each record phase in the plan's order (:mod:`.phases`); a
   ``destroy`` plan runs its record phases first and its schema changes (removals) last;
5. after each phase, reconciles it — source = written + merged + deduplicated + quarantined +
   held + skipped, the recomputation read as many rows as the plan counted, and the state gained
   exactly the records the phase wrote — stores the counts in the run journal and stops the run
   before the next phase if they do not add up;
6. closes the run as ``complete``; on any failure as ``partial`` (everything committed so far
   stays, and running the same plan again resumes), raising :class:`ApplyError` with the run id
   and serial.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from migrator.addresses import AddressKind, address_kind
from migrator.apply.audit import AuditLog
from migrator.apply.checks import Continuation, check_state
from migrator.apply.handlers import HandlerContext
from migrator.apply.join import ItemTally, Mismatch, iter_phases, join_phase
from migrator.apply.model import (
    ApplyOptions,
    ApplyResult,
    DesiredSource,
    PhaseReport,
    SchemaReport,
)
from migrator.apply.outcomes import PlanOutcomes
from migrator.apply.phases import PhaseRunner, PhaseTally, RunContext
from migrator.apply.progress import ProgressSink
from migrator.apply.reconcile import phase_counts, reconcile_error
from migrator.apply.rules import rules_digest
from migrator.apply.schema import SchemaRun
from migrator.clock import Clock
from migrator.errors import ApplyError, MigratorError, PlanError, StalePlanError
from migrator.identity import migration_namespace, twenty_id
from migrator.model import Action
from migrator.plan.model import PlanHeader, RecordChange
from migrator.plan.planfile import iter_record_changes
from migrator.state.model import (
    Destination,
    PhaseCounts,
    RecordEntry,
    RecordStatus,
    RunKind,
    RunStatus,
)
from migrator.state.store import StateStore
from migrator.twenty.client import TwentyClient
from migrator.twenty.models import ObjectMetadata

RESUME_HINT = "fix the cause, then run the same `migrator apply PLANFILE` again: it resumes"


@dataclass(frozen=True)
class ApplyInputs:
    """Everything one run needs, opened and checked by the caller (the workflow)."""

    header: PlanHeader
    plan_path: Path
    plan_digest: str
    """``sha256:…`` of the plan file: recorded in the run journal."""
    client: TwentyClient
    store: StateStore
    source: DesiredSource
    audit_path: Path
    clock: Clock
    progress: ProgressSink
    options: ApplyOptions


def file_field_ids(objects: Mapping[str, ObjectMetadata]) -> dict[tuple[str, str], str]:
    """The metadata id of every FILES field, by (object, field): where uploads are attached."""
    return {
        (name, item.name): item.id
        for name, obj in objects.items()
        for item in obj.fields
        if item.type == "FILES"
    }


def _is_record_phase(phase: str) -> bool:
    return address_kind(phase) in (AddressKind.MAPPING, AddressKind.LINK)


def _mapping_name(phase: str) -> str:
    """The mapping of a ``mapping.<name>`` phase ("" for any other phase)."""
    return phase.split(".", 1)[1] if address_kind(phase) is AddressKind.MAPPING else ""


def _completed_phases(continuation: Continuation) -> dict[str, PhaseCounts]:
    done: dict[str, PhaseCounts] = {}
    for run in continuation.runs:
        for counts in run.phases:
            if counts.is_balanced:
                done[counts.phase] = counts
    return done


def merged_id_map(store: StateStore, migration_name: str) -> dict[str, str]:
    """Deterministic id → Twenty id of every record the state says migrator merged into,
    restored or adopted under another id (the planner resolves foreign keys through it)."""
    namespace_text = store.meta().namespace
    namespace = uuid.UUID(namespace_text) if namespace_text else migration_namespace(migration_name)
    found: dict[str, str] = {}
    for row in store.record_digests():
        if row.status is RecordStatus.WRITTEN:
            continue
        own = twenty_id(namespace, row.source_key)
        if row.twenty_id != own:
            found[own] = row.twenty_id
    return found


def verify_payloads(
    inputs: ApplyInputs, skip: set[str], id_map: dict[str, str]
) -> dict[str, tuple[int, int]]:
    """Recompute every payload of the phases not in ``skip``; refuse on any mismatch.

    Returns the number of (writes, deletes) each phase holds.
    """
    sizes: dict[str, tuple[int, int]] = {}
    problems: list[Mismatch] = []
    total_problems = 0
    changes = iter_record_changes(inputs.plan_path)
    for phase, phase_changes in iter_phases(changes, inputs.header.phases):
        if phase in skip or not _is_record_phase(phase):
            sizes[phase] = (sum(1 for _ in phase_changes), 0)
            continue
        writes = deletes = 0
        tally = ItemTally()
        items = inputs.source.phase_items(phase)
        for item in join_phase(phase_changes, items, tally, id_map):
            if isinstance(item, Mismatch):
                total_problems += 1
                if len(problems) < inputs.options.max_listed:
                    problems.append(item)
            elif item.change.action is Action.DELETE:
                deletes += 1
            else:
                writes += 1
        sizes[phase] = (writes, deletes)
    if total_problems:
        listed = "\n".join(f"  {m.address}: {m.problem}" for m in problems)
        more = total_problems - len(problems)
        raise StalePlanError(
            f"the plan no longer matches the source: {total_problems} record(s) would be "
            "written differently; nothing was written",
            detail=listed + (f"\n  … and {more} more" if more > 0 else ""),
            hint="make a new plan with `migrator plan SPEC -o FILE`, review it, and apply that",
        )
    return sizes


class _Run:
    """One run of :func:`execute` (holds the context the phases share)."""

    def __init__(self, inputs: ApplyInputs, continuation: Continuation) -> None:
        self.inputs = inputs
        self.continuation = continuation
        self.store = inputs.store
        self.run_id = self._start()
        self.audit = AuditLog(inputs.audit_path, run_id=self.run_id, clock=inputs.clock)
        self.reports: list[PhaseReport] = []

    def _start(self) -> str:
        header, store = self.inputs.header, self.store
        meta = store.meta()
        namespace = meta.namespace or str(migration_namespace(header.name))
        destination = Destination(
            base_url=header.destination.base_url, workspace_id=header.destination.workspace_id
        )
        kind = (
            RunKind(header.kind) if header.kind in RunKind.__members__.values() else RunKind.APPLY
        )
        with store.batch() as tx:
            tx.bind(destination, migration_name=header.name, namespace=namespace)
            run = tx.start_run(kind, self.inputs.plan_digest)
        return run.run_id

    def commit_pre_images(self, entries: list[RecordEntry]) -> None:
        with self.store.batch(run_id=self.run_id) as tx:
            for entry in entries:
                tx.record_written(entry)

    def context(self, objects: Mapping[str, ObjectMetadata]) -> RunContext:
        options = self.inputs.options
        handlers = HandlerContext(
            client=self.inputs.client,
            commit_pre_images=self.commit_pre_images,
            file_field_ids=file_field_ids(objects),
            bundle_root=self.inputs.source.bundle_root,
        )
        ctx = RunContext(
            store=self.store,
            run_id=self.run_id,
            earlier_runs=frozenset(r.run_id for r in self.continuation.runs),
            resuming=self.continuation.resuming,
            audit=self.audit,
            progress=self.inputs.progress,
            handlers=handlers,
            plurals={},
            batch_size=options.batch_size,
            concurrency=options.concurrency,
            phase_index={phase: i for i, phase in enumerate(self.inputs.header.phases)},
        )
        if ctx.resuming:
            for entry in self.store.quarantined():
                if entry.run_id in ctx.earlier_runs:
                    ctx.failed.add(entry.address)
            for hold in self.store.held():
                if hold.run_id in ctx.earlier_runs and hold.code == "parent_not_written":
                    ctx.failed.add(hold.address)
        return ctx

    def finish(self, status: RunStatus) -> int:
        self.store.finish_run(self.run_id, status)
        serial = self.store.meta().serial
        self.audit.event("run", {"status": status.value, "serial": serial})
        self.audit.close()
        return serial


def _state_total(store: StateStore) -> int:
    return sum(count.count for count in store.record_counts())


def _phase_changes_stream(inputs: ApplyInputs) -> Iterator[tuple[str, Iterator[RecordChange]]]:
    return iter_phases(iter_record_changes(inputs.plan_path), inputs.header.phases)


def _run_phase(
    run: _Run,
    ctx: RunContext,
    phase: str,
    changes: Iterator[RecordChange],
    size: tuple[int, int],
    outcomes: PlanOutcomes,
) -> PhaseReport:
    inputs = run.inputs
    started = time.monotonic()
    mapping = _mapping_name(phase)
    if mapping:
        outcomes.start(mapping)
    rules = dict(inputs.source.phase_rules(phase))
    rules_id = rules_digest(rules) if rules else ""
    if rules:
        run.audit.event("decision", {"phase": phase, "rules": rules_id, "rule": rules})
    ceiling = inputs.client.settings.limits.requests_per_minute * ctx.batch_size
    inputs.progress.phase_started(phase, size[0] + size[1], ceiling)
    before = _state_total(run.store)
    items = ItemTally(observer=outcomes.observe if mapping else None)
    paired = join_phase(changes, inputs.source.phase_items(phase), items, ctx.id_map)
    tally: PhaseTally = PhaseRunner(ctx, phase, rules_id).run(paired)
    outcomes.flush()
    counts = phase_counts(inputs.header, phase, tally, planned=size[0])
    report = PhaseReport(
        counts=counts,
        created=tally.created,
        updated=tally.updated + tally.merged + tally.patched,
        linked=tally.linked,
        deleted=tally.deleted,
        already_done=tally.done_written
        + tally.done_merged
        + tally.done_quarantined
        + tally.done_held,
        rejected=tally.rejected,
        cascaded=tally.cascaded,
        requests=tally.requests,
        seconds=round(time.monotonic() - started, 3),
    )
    with run.store.batch(run_id=run.run_id) as tx:
        tx.record_phase(run.run_id, counts)
    run.audit.event("phase", {"counts": counts.model_dump(mode="json")})
    inputs.progress.phase_finished(report)
    rows = inputs.source.source_rows(phase)
    problem = reconcile_error(
        inputs.header,
        phase,
        counts,
        items.total if rows is None else rows,
        _state_total(run.store) - before,
        tally.state_delta,
    )
    if problem is not None:
        raise problem
    return report


def _plan_outcomes(run: _Run, ctx: RunContext, completed: set[str]) -> PlanOutcomes:
    header = run.inputs.header
    if not header.quarantine and not header.quarantine_total:  # nothing to read
        return PlanOutcomes(run.store, run.run_id)
    todo = {_mapping_name(p) for p in header.phases if p not in completed} - {""}
    return PlanOutcomes.load(run.store, run.run_id, run.inputs.plan_path, todo, ctx.batch_size)


def link_bases(plan_path: Path, phases: tuple[str, ...]) -> dict[str, str]:
    """The digest of the record change of every record the plan links (two passes over the
    plan: the linked addresses, then their record changes).

    A run killed after a link batch was committed has stored those records' digests with their
    links already; the resumed run stores ``applied_digest(base, links)`` from this base, not
    from what the state holds, so the links are not folded in twice.
    """
    stream = iter_phases(iter_record_changes(plan_path), phases)
    linked = {c.address for phase, changes in stream for c in changes if _is_link(phase)}
    if not linked:
        return {}
    found: dict[str, str] = {}
    for phase, changes in iter_phases(iter_record_changes(plan_path), phases):
        for change in changes:
            if change.address in linked and not _is_link(phase):
                found[change.address] = change.payload_digest
    return found


def _is_link(phase: str) -> bool:
    return address_kind(phase) is AddressKind.LINK


def _run_phases(run: _Run, ctx: RunContext, sizes: dict[str, tuple[int, int]]) -> None:
    completed = _completed_phases(run.continuation)
    outcomes = _plan_outcomes(run, ctx, set(completed))
    header = run.inputs.header
    if ctx.resuming and any(_is_link(p) and p not in completed for p in header.phases):
        ctx.link_bases.update(link_bases(run.inputs.plan_path, header.phases))
    for phase, changes in _phase_changes_stream(run.inputs):
        if not _is_record_phase(phase):
            for _ in changes:
                pass
            continue
        if phase in completed:
            for _ in changes:
                pass
            if outcomes.cascades and _mapping_name(phase):  # the planner's holds run on
                outcomes.learn(run.inputs.source.phase_items(phase))
            with run.store.batch(run_id=run.run_id) as tx:
                tx.record_phase(run.run_id, completed[phase])
            run.inputs.progress.note(f"{phase}: completed by an earlier run of this plan")
            continue
        size = sizes.get(phase, (0, 0))
        run.reports.append(_run_phase(run, ctx, phase, changes, size, outcomes))


def execute(inputs: ApplyInputs) -> ApplyResult:
    """Run the plan (see the module docstring). The caller has checked destination and source."""
    store, options = inputs.store, inputs.options
    store.acquire_lock("apply", timeout=options.lock_timeout)
    continuation = check_state(
        inputs.header, store.meta(), store.runs(), inputs.plan_digest, store.location
    )
    if continuation.completed is not None:
        return _already_applied(inputs, continuation)
    skip = set(_completed_phases(continuation))
    id_map = merged_id_map(store, inputs.header.name)
    sizes = verify_payloads(inputs, skip, dict(id_map)) if options.verify_first else {}
    started, requests0 = time.monotonic(), inputs.client.stats.data_requests
    run = _Run(inputs, continuation)
    run.audit.event(
        "run",
        {
            "status": "started",
            "plan_digest": inputs.plan_digest,
            "destination": inputs.header.destination.base_url,
            "resumed": continuation.resuming,
        },
    )
    try:
        schema = SchemaRun(inputs.client, store, run.run_id, continuation.resuming, run.audit)
        # A destroy plan removes records before the schema they use (a pre-image put back may
        # still name a field that is about to be dropped); every other plan creates schema first.
        schema_last = inputs.header.kind == "destroy"
        schema_report = SchemaReport()
        if not schema_last:
            schema_report = schema.run(inputs.header.schema_changes)
        objects = schema.objects()
        ctx = run.context(objects)
        ctx.id_map.update(id_map)
        ctx.plurals.update({name: o.name_plural for name, o in objects.items()})
        _run_phases(run, ctx, sizes)
        if schema_last:
            schema_report = schema.run(inputs.header.schema_changes)
    except BaseException as error:
        serial = _close_partial(run)
        if isinstance(error, MigratorError) and not isinstance(error, ApplyError):
            raise _stopped(error, run.run_id, serial) from None
        raise
    serial = run.finish(RunStatus.COMPLETE)
    return ApplyResult(
        run_id=run.run_id,
        plan_digest=inputs.plan_digest,
        serial=serial,
        resumed=continuation.resuming,
        schema_report=schema_report,
        phases=tuple(run.reports),
        requests=inputs.client.stats.data_requests - requests0,
        seconds=round(time.monotonic() - started, 3),
        audit_log=str(inputs.audit_path),
    )


def _close_partial(run: _Run) -> int | None:
    try:
        return run.finish(RunStatus.PARTIAL)
    except MigratorError:
        run.audit.close()
        return None


def _stopped(error: MigratorError, run_id: str, serial: int | None) -> ApplyError:
    where = f"run {run_id}" + (f", state serial {serial}" if serial is not None else "")
    detail = (error.detail + "\n" if error.detail else "") + (
        f"Everything written before the stop is recorded in the state ({where})."
    )
    return ApplyError(
        f"apply stopped: {error.summary}",
        run_id=run_id,
        serial=serial,
        detail=detail,
        hint=_resume_hint(error),
    )


def _resume_hint(error: MigratorError) -> str:
    """The error's own next step, and that running the same plan again resumes (unless the
    plan itself is what is wrong)."""
    if isinstance(error, StalePlanError | PlanError) or not error.hint:
        return error.hint or RESUME_HINT
    return (
        f"{error.hint.rstrip('.')}; then run the same `migrator apply PLANFILE` again: it resumes"
    )


def _already_applied(inputs: ApplyInputs, continuation: Continuation) -> ApplyResult:
    done = continuation.completed
    assert done is not None
    inputs.progress.note(
        f"This plan was already applied completely (run {done.run_id}); nothing to do."
    )
    return ApplyResult(
        run_id=done.run_id,
        plan_digest=inputs.plan_digest,
        serial=inputs.store.meta().serial,
        resumed=True,
        schema_report=SchemaReport(),
        phases=tuple(PhaseReport(counts=c) for c in done.phases),
        requests=0,
        seconds=0.0,
        audit_log=str(inputs.audit_path),
    )
