"""One record phase: batching, concurrent sends, and a state commit per batch Twenty accepted.

:class:`PhaseRunner` walks a phase's paired changes in plan order. It skips what an earlier run
of the same plan finished (resumed runs), holds what needs a record that was not written
(cascade: "parent not written"), and groups the rest into jobs of at most ``batch_size`` changes
of one kind into one object. Jobs run on up to ``concurrency`` worker threads (the client paces
them to the rate limit); each result is committed to the state in one transaction on this
thread as soon as it arrives, after its audit lines are handed to the operating system. So a
killed process loses at most the batches in flight, which the next run resolves through the
client's duplicate lookup. When a job fails outright (Twenty unavailable after retries, the key
refused), no new job starts, the jobs in flight are finished and committed, and the error is
raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from migrator.apply.audit import AuditLog
from migrator.apply.handlers import HANDLERS, HandlerContext, Job, JobKind, JobResult, job_kind
from migrator.apply.join import Mismatch, Pair
from migrator.apply.progress import ProgressSink
from migrator.errors import StalePlanError
from migrator.model import Action
from migrator.plan.payloads import applied_digest
from migrator.state.model import HoldEntry, QuarantineEntry, RecordEntry, RecordStatus
from migrator.state.store import StateStore

PARENT_NOT_WRITTEN = "parent_not_written"


@dataclass
class PhaseTally:
    """What a phase did, change by change (a builder read by the executor)."""

    created: int = 0
    updated: int = 0
    merged: int = 0
    linked: int = 0
    deleted: int = 0
    patched: int = 0
    """Updates decided from the state alone (a record flagged after its source row went): not
    source rows of the phase, so outside its reconciliation, like deletes."""
    done_written: int = 0
    done_merged: int = 0
    done_quarantined: int = 0
    done_held: int = 0
    rejected: int = 0
    cascaded: int = 0
    requests: int = 0
    state_delta: int = 0
    """Records the phase added to the state minus those it removed."""


@dataclass
class RunContext:
    """What every phase of a run shares."""

    store: StateStore
    run_id: str
    earlier_runs: frozenset[str]
    """Run ids of earlier runs of this same plan (their quarantine and holds count as done)."""
    resuming: bool
    audit: AuditLog
    progress: ProgressSink
    handlers: HandlerContext
    plurals: dict[str, str]
    batch_size: int
    concurrency: int
    phase_index: dict[str, int] = field(default_factory=dict)
    """Position of every phase in the plan (to know a record's last link phase)."""
    id_map: dict[str, str] = field(default_factory=dict)
    """Deterministic id → Twenty id of records migrator merged into or restored."""
    failed: set[str] = field(default_factory=set)
    """Addresses not written in this plan's runs (rejected or held): their dependants are held."""
    link_bases: dict[str, str] = field(default_factory=dict)
    """Resumed runs: the digest the plan's record phase wrote for each record with links (an
    earlier run may already have stored the record's digest with its links)."""


class PhaseRunner:
    """Runs one record phase (see the module docstring)."""

    def __init__(self, ctx: RunContext, phase: str, rules: str) -> None:
        self.ctx = ctx
        self.phase = phase
        self.rules = rules
        self.tally = PhaseTally()
        self._held: list[HoldEntry] = []
        self._error: BaseException | None = None
        self._jobs = 0

    # --- the walk -----------------------------------------------------------------------
    def run(self, items: Iterable[Pair | Mismatch]) -> PhaseTally:
        """Execute every change of the phase; raise the first outright failure."""
        groups: dict[tuple[JobKind, str], list[Pair]] = {}
        with ThreadPoolExecutor(self.ctx.concurrency, thread_name_prefix="apply") as pool:
            flying: dict[Future[JobResult], Job] = {}
            try:
                for item in items:
                    if self._error is not None:
                        break
                    if isinstance(item, Mismatch):
                        self._error = _mismatch_error(item)
                        break
                    if self._settled_before(item) or self._cascade(item):
                        continue
                    key = (job_kind(item), item.change.twenty_object)
                    group = groups.setdefault(key, [])
                    group.append(item)
                    if len(group) >= self.ctx.batch_size:
                        self._submit(pool, flying, key, groups.pop(key))
                for key in sorted(groups):
                    if self._error is None:
                        self._submit(pool, flying, key, groups[key])
                while flying:
                    self._settle(flying)
            except BaseException:
                for future in flying:
                    future.cancel()
                raise
        self._commit_holds()
        if self._error is not None:
            raise self._error
        return self.tally

    def _submit(
        self,
        pool: ThreadPoolExecutor,
        flying: dict[Future[JobResult], Job],
        key: tuple[JobKind, str],
        pairs: list[Pair],
    ) -> None:
        kind, twenty_object = key
        job = Job(kind, twenty_object, self.ctx.plurals[twenty_object], pairs, index=self._jobs)
        self._jobs += 1
        if kind in ("upsert", "delete"):
            job.existing = self._existing(pairs)
        while len(flying) >= self.ctx.concurrency:
            self._settle(flying)
        if self._error is None:
            flying[pool.submit(HANDLERS[job.kind], self.ctx.handlers, job)] = job

    def _existing(self, pairs: list[Pair]) -> dict[str, RecordEntry]:
        found: dict[str, RecordEntry] = {}
        for pair in pairs:
            entry = self.ctx.store.record(pair.change.address)
            if entry is not None:
                found[pair.change.address] = entry
        return found

    def _settle(self, flying: dict[Future[JobResult], Job]) -> None:
        done, _ = wait(list(flying), return_when=FIRST_COMPLETED)
        for future in done:
            flying.pop(future)
            error = future.exception()
            if error is not None:
                self._error = self._error or error
            else:
                self._commit(future.result())

    # --- resumed runs and cascade -------------------------------------------------------
    def _settled_before(self, pair: Pair) -> bool:
        """True (and counted) when an earlier run of this plan finished this change."""
        if not self.ctx.resuming or pair.is_link:
            return False
        store, change = self.ctx.store, pair.change
        entry = store.record(change.address)
        if change.action is Action.DELETE:
            settled = entry is None
            if settled:
                self.tally.deleted += 1
        elif pair.desired is None and entry is not None:  # a state patch (join.state_patch)
            settled = entry.payload_digest == change.payload_digest
            if settled:
                self.tally.patched += 1
        elif entry is not None and entry.payload_digest == change.payload_digest:
            merged = entry.status in (RecordStatus.MERGED, RecordStatus.RESTORED)
            if merged:
                self.tally.done_merged += 1
            else:
                self.tally.done_written += 1
            settled = True
        else:
            settled = self._settled_as_failure(change.address)
        if settled:
            self.ctx.progress.advanced(self.phase, 1)
        return settled

    def _settled_as_failure(self, address: str) -> bool:
        store, ours = self.ctx.store, self.ctx.earlier_runs
        quarantined = store.quarantine_entry(address)
        if quarantined is not None and quarantined.run_id in ours:
            self.tally.done_quarantined += 1
            self.ctx.failed.add(address)
            return True
        held = store.hold_entry(address)
        if held is not None and held.run_id in ours and held.code == PARENT_NOT_WRITTEN:
            self.tally.done_held += 1
            self.ctx.failed.add(address)
            return True
        return False

    def _cascade(self, pair: Pair) -> bool:
        """Hold ``pair`` when a record it needs was not written (and count it)."""
        if pair.desired is None or not self.ctx.failed:
            return False
        blocker = next((d for d in pair.desired.depends_on if d in self.ctx.failed), None)
        if blocker is None:
            return False
        change = pair.change
        self.tally.cascaded += 1
        reason = f"A record it needs ({blocker}) was not written."
        self.ctx.audit.event(
            "hold", {"address": change.address, "code": PARENT_NOT_WRITTEN, "blocked_by": blocker}
        )
        self.ctx.progress.advanced(self.phase, 1)
        if pair.is_link:
            return True
        self.ctx.failed.add(change.address)
        self._held.append(
            HoldEntry(
                address=change.address,
                mapping=change.mapping,
                source_key=change.source_key,
                code=PARENT_NOT_WRITTEN,
                reason=reason,
                blocked_by=blocker,
            )
        )
        if len(self._held) >= self.ctx.batch_size:
            self._commit_holds()
        return True

    def _commit_holds(self) -> None:
        if not self._held:
            return
        self.ctx.audit.flush()
        with self.ctx.store.batch(run_id=self.ctx.run_id) as tx:
            for entry in self._held:
                tx.hold(entry)
        self._held.clear()

    # --- committing a job ---------------------------------------------------------------
    def _commit(self, result: JobResult) -> None:
        ctx, tally = self.ctx, self.tally
        tally.requests += result.requests
        tally.state_delta += result.fresh_pre_images
        for pair, entry in result.done:
            self._count_done(result.job, pair, entry)
            ctx.audit.record(
                address=pair.change.address,
                action="link" if result.job.kind == "link" else pair.change.action.value,
                twenty_id=entry.twenty_id if entry is not None else pair.change.twenty_id,
                payload_digest=pair.change.payload_digest,
                rules=self.rules,
            )
        quarantine = []
        for pair, code, reason in result.refused:
            tally.rejected += 1
            ctx.failed.add(pair.change.address)
            ctx.audit.event("quarantine", {"address": pair.change.address, "code": code})
            if result.job.kind != "link":
                quarantine.append(_quarantine_entry(pair, code, reason))
        ctx.audit.flush()
        linked = self._links_complete(result) if result.job.kind == "link" else []
        with ctx.store.batch(run_id=ctx.run_id) as tx:
            for _, entry in result.done:
                if entry is not None:
                    tx.record_written(entry)
            for entry in linked:
                tx.record_written(entry)
            for pair, _ in result.done:
                if result.job.kind == "delete":
                    tx.forget_record(pair.change.address)
            for q in quarantine:
                tx.quarantine(q)
        ctx.progress.advanced(self.phase, len(result.done) + len(result.refused))

    def _links_complete(self, result: JobResult) -> list[RecordEntry]:
        """State entries of records whose last link this job wrote, with their applied digest
        (record digest and links), so a later plan sees the links as done."""
        here = self.ctx.phase_index.get(self.phase, -1)
        updated = []
        for pair, _ in result.done:
            desired = pair.desired
            assert desired is not None
            phases = [f"link.{desired.mapping}.{link.field}" for link in desired.links]
            if max((self.ctx.phase_index.get(p, -1) for p in phases), default=-1) != here:
                continue
            entry = self.ctx.store.record(pair.change.address)
            if entry is None:
                continue
            pairs = [(link.field, link.target_id) for link in desired.links]
            base = self.ctx.link_bases.get(pair.change.address, entry.payload_digest)
            full = applied_digest(base, pairs)
            updated.append(entry.model_copy(update={"payload_digest": full, "run_id": None}))
        return updated

    def _count_done(self, job: Job, pair: Pair, entry: RecordEntry | None) -> None:
        tally, action = self.tally, pair.change.action
        if job.kind == "link":
            tally.linked += 1
        elif job.kind == "delete":
            tally.deleted += 1
            if pair.change.address in job.existing:
                tally.state_delta -= 1
        elif pair.desired is None:  # a state patch: no source row of this phase
            tally.patched += 1
        elif action is Action.CREATE:
            tally.created += 1
            tally.state_delta += 1
        elif action is Action.UPDATE and (
            entry is None or entry.status in (RecordStatus.WRITTEN, RecordStatus.ADOPTED)
        ):
            tally.updated += 1
        else:
            tally.merged += 1


def _quarantine_entry(pair: Pair, code: str, reason: str) -> QuarantineEntry:
    change = pair.change
    return QuarantineEntry(
        address=change.address,
        mapping=change.mapping,
        source_key=change.source_key,
        code=code,
        reason=reason,
    )


def _mismatch_error(item: Mismatch) -> StalePlanError:
    return StalePlanError(
        f"the source changed while applying: {item.address} {item.problem}",
        detail="Nothing was written for it; what was written before is recorded in the state.",
        hint="make a new plan with `migrator plan SPEC -o FILE`, review it, and apply that",
    )
