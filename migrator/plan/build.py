"""The plan builder: the one mutable object of planning, ending in a frozen :class:`PlanHeader`.

The planner (:mod:`migrator.plan.planner`) feeds it, phase by phase in apply order: schema
changes, record changes (streamed straight to a :class:`~migrator.plan.planfile.PlanWriter`, so
a million changes never sit in memory; no-ops are counted, not written), the mapper's row
outcomes and findings, and the planner's own quarantines, holds and warnings. The builder keeps
the per-mapping counts, the per-phase tallies the budget is computed from, the quarantine and holds
(every entry to the file's outcomes section, the first ones to the header), a bounded sample of
payloads per mapping (sensitive values replaced by :data:`SENSITIVE_MARKER`) and warnings
grouped by code with a bounded list of example addresses. :meth:`PlanBuilder.finish` writes the
file (or, without a path, only returns the header) and the builder is done.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrator import __version__
from migrator.errors import PlanError
from migrator.mapping.model import Fate, Finding, MappingResult, RowOutcome
from migrator.model import Action
from migrator.plan.budget import PhaseTally
from migrator.plan.model import (
    HEADER_OUTCOMES,
    SENSITIVE_MARKER,
    ApiBudget,
    DestinationIdentity,
    HoldEntry,
    MappingCounts,
    PlanHeader,
    PlanKind,
    PlanWarning,
    PriorState,
    QuarantineEntry,
    RecordChange,
    SamplePayload,
    SchemaChange,
    SourceFingerprint,
)
from migrator.plan.planfile import PlanWriter

SAMPLES_PER_MAPPING = 3
EXAMPLES_PER_WARNING = 5

_COUNTED = {
    Action.CREATE: "create",
    Action.UPDATE: "update",
    Action.MERGE: "merge",
    Action.RESTORE: "restore",
    Action.NOOP: "noop",
    Action.DELETE: "delete",
}
_FATES = {
    Fate.QUARANTINED: "quarantined",
    Fate.HELD: "held",
    Fate.DEDUPLICATED: "deduplicated",
    Fate.SKIPPED: "skipped",
    Fate.AGGREGATED: "aggregated",
}


@dataclass(frozen=True)
class PlanContext:
    """What a plan is made against (everything in its header that is not computed)."""

    name: str
    spec: dict[str, Any]
    spec_digest: str
    spec_dir: str
    source: SourceFingerprint | None
    destination: DestinationIdentity
    prior_state: PriorState | None
    targets: tuple[str, ...] = ()
    kind: PlanKind = "apply"
    namespace: str = ""
    """The id namespace of the plan's records (lines then leave out deterministic ids)."""


@dataclass
class _Warning:
    code: str
    message: str
    addresses: list[str] = field(default_factory=list)
    count: int = 0


def masked(payload: Mapping[str, Any], sensitive: Iterable[str]) -> dict[str, Any]:
    """``payload`` with the values of sensitive top-level fields replaced by the marker."""
    hidden = set(sensitive)
    return {k: (SENSITIVE_MARKER if k in hidden else v) for k, v in payload.items()}


class PlanBuilder:
    """Collects a plan as it is computed (see the module docstring)."""

    def __init__(
        self,
        context: PlanContext,
        phases: Sequence[str],
        twenty_objects: Mapping[str, str],
        *,
        spool_dir: Path | None = None,
    ) -> None:
        self.context = context
        self.phases = tuple(phases)
        self._rank = {phase: index for index, phase in enumerate(self.phases)}
        self._current = -1
        self._objects = dict(twenty_objects)
        namespace = uuid.UUID(context.namespace) if context.namespace else None
        self._writer = PlanWriter(spool_dir, namespace=namespace)
        self.schema_changes: tuple[SchemaChange, ...] = ()
        self._counts: dict[str, dict[str, int]] = {}
        self._source_rows: dict[str, int] = {}
        self.tallies: dict[str, PhaseTally] = {}
        self._samples: dict[str, list[SamplePayload]] = {}
        self._warnings: dict[tuple[str, str], _Warning] = {}
        self._plain_warnings: list[PlanWarning] = []
        self._quarantine: list[QuarantineEntry] = []
        self._holds: list[HoldEntry] = []
        self.holds_total = 0

    # -- inputs -------------------------------------------------------------------------------

    def set_schema(self, changes: Sequence[SchemaChange], warnings: Sequence[PlanWarning]) -> None:
        """The schema changes (apply order) and the warnings the schema diff raised."""
        self.schema_changes = tuple(changes)
        self._plain_warnings.extend(warnings)

    def start_phase(self, phase: str) -> None:
        """Record changes from now on belong to ``phase`` (phases go in apply order)."""
        rank = self._rank.get(phase)
        if rank is None or rank < self._current:
            raise PlanError(f"phase {phase} is not next in the plan's apply order")
        self._current = rank
        self.tallies.setdefault(phase, PhaseTally(phase))

    def add_change(
        self,
        change: RecordChange,
        *,
        counts_as: str = "record",
        owner: str | None = None,
        body: Mapping[str, Any] | None = None,
        sensitive: Iterable[str] = (),
        files: int = 0,
        trusted: bool = False,
        attachments: int = 0,
    ) -> None:
        """One record change of the current phase.

        ``counts_as`` is ``record`` (a source row's record) or ``link`` (a second-pass link of
        it); ``owner`` is the mapping it counts under (default: the change's own mapping);
        ``files`` are its uploads and ``attachments`` the batches that attach its embedded
        images once it is written (:mod:`migrator.apply.inline_images`);
        ``trusted`` says its address and id are the mapper's (the file line can leave them out
        unchecked, :func:`~migrator.plan.planfile.change_line`).
        """
        if self._current < 0 or change.phase != self.phases[self._current]:
            raise PlanError(f"a change of {change.phase} arrived outside its phase")
        mapping = owner or change.mapping
        counts = self._counter(mapping, change.twenty_object)
        if counts_as == "record":
            counts[_COUNTED[change.action]] += 1
        elif change.action is not Action.NOOP:
            counts["links"] += 1
        if change.action is Action.NOOP:
            return
        self._writer.add(change, trusted=trusted)
        self._tally(change, files)
        if attachments:
            extra = self.tallies[change.phase].extra
            extra["batch_create"] = extra.get("batch_create", 0) + attachments
        samples = self._samples.setdefault(mapping, [])
        if body is not None and len(samples) < SAMPLES_PER_MAPPING and counts_as == "record":
            payload = masked(body, sensitive)
            samples.append(
                SamplePayload(address=change.address, action=change.action, payload=payload)
            )

    def _tally(self, change: RecordChange, files: int) -> None:
        tally = self.tallies[change.phase]
        if change.action is Action.CREATE:
            tally.creates += 1
        else:
            tally.upserts += 1
        if change.action in (Action.MERGE, Action.RESTORE) and change.existing_id is not None:
            tally.preimages += 1
        tally.files += files

    def _counter(self, mapping: str, twenty_object: str) -> dict[str, int]:
        if mapping not in self._counts:
            self._counts[mapping] = dict.fromkeys(
                (*_COUNTED.values(), *_FATES.values(), "links"), 0
            )
            self._objects.setdefault(mapping, twenty_object)
        return self._counts[mapping]

    def add_outcome(self, outcome: RowOutcome, twenty_object: str) -> None:
        """A source row that yields no record (its fate counts; quarantine and holds listed)."""
        self._counter(outcome.mapping, twenty_object)[_FATES[outcome.fate]] += 1
        if outcome.fate not in (Fate.QUARANTINED, Fate.HELD):
            return
        fields = {
            "address": outcome.address,
            "mapping": outcome.mapping,
            "source_key": outcome.source_key,
            "code": outcome.code,
            "reason": outcome.reason,
        }
        if outcome.fate is Fate.QUARANTINED:
            self._writer.add_outcome_fields("quarantine", fields)
            if len(self._quarantine) < HEADER_OUTCOMES:
                self._quarantine.append(QuarantineEntry(**fields))
        else:
            self.holds_total += 1
            if len(self._holds) < HEADER_OUTCOMES:
                self._holds.append(HoldEntry(**fields, blocked_by=outcome.blocked_by))

    def add_quarantine(self, entry: QuarantineEntry, twenty_object: str) -> None:
        """A record the planner itself quarantines (an ambiguous or taken match)."""
        self._counter(entry.mapping, twenty_object)["quarantined"] += 1
        self._listed(entry)

    def add_hold(self, entry: HoldEntry, twenty_object: str) -> None:
        """A record the planner holds because a record it needs will not be written."""
        self._counter(entry.mapping, twenty_object)["held"] += 1
        self._listed(entry)

    def _listed(self, entry: QuarantineEntry | HoldEntry) -> None:
        """Quarantine entries go to the file's outcomes section; the first few of each kind to
        the header (holds only there: ``PlanHeader.holds``)."""
        if isinstance(entry, QuarantineEntry):
            self._writer.add_outcome(entry)
            if len(self._quarantine) < HEADER_OUTCOMES:
                self._quarantine.append(entry)
        else:
            self.holds_total += 1
            if len(self._holds) < HEADER_OUTCOMES:
                self._holds.append(entry)

    def add_finding(self, finding: Finding) -> None:
        """A mapper warning: about records, grouped by mapping and code (a count and a few
        examples); about anything else (a renamed field), one warning each."""
        group = finding.mapping if finding.address.startswith("record.") else finding.address
        self.warn(finding.code, group, finding.message, [finding.address])

    def warn(self, code: str, group: str, message: str, addresses: Sequence[str]) -> None:
        """Count ``addresses`` under warning ``code`` of ``group``; the first message stays."""
        found = self._warnings.setdefault((code, group), _Warning(code, message))
        room = EXAMPLES_PER_WARNING - len(found.addresses)
        found.addresses.extend(addresses[: max(room, 0)])
        found.count += len(addresses)

    def add_result(self, result: MappingResult) -> None:
        """The counts of a phase that writes nothing (rows only aggregated or skipped)."""
        counts = self._counter(result.mapping, result.twenty_object)
        for fate, count in result.fates.items():
            counts[_FATES[fate]] += count
        self._source_rows[result.mapping] = result.source_rows

    def set_source_rows(self, mapping: str, rows: int, twenty_object: str) -> None:
        """The source rows the mapper read for ``mapping`` (what its outcomes must add up to)."""
        self._counter(mapping, twenty_object)
        self._source_rows[mapping] = rows

    # -- output -------------------------------------------------------------------------------

    def counts(self) -> tuple[MappingCounts, ...]:
        """Per mapping, in the order the mappings first appeared."""
        found = []
        for mapping, values in self._counts.items():
            item = MappingCounts(mapping=mapping, twenty_object=self._objects[mapping], **values)
            rows = self._source_rows.get(mapping, item.accounted)
            found.append(item.model_copy(update={"source": rows}))
        return tuple(found)

    def warnings(self) -> tuple[PlanWarning, ...]:
        """Every warning: the schema's, then the grouped ones, sorted by code and message."""
        grouped = [
            PlanWarning(code=w.code, message=w.message, addresses=tuple(w.addresses), count=w.count)
            for w in self._warnings.values()
        ]
        for item in self.counts():
            if not item.is_balanced:
                grouped.append(
                    PlanWarning(
                        code="conservation",
                        message=f"{item.mapping}: {item.source} source rows but {item.accounted} "
                        "accounted for (written, merged, quarantined, held, deduplicated, skipped, "
                        "aggregated)",
                        count=abs(item.source - item.accounted),
                    )
                )
        ordered = sorted(grouped, key=lambda w: (w.code, w.message))
        return (*self._plain_warnings, *ordered)

    def header(self, budget: ApiBudget) -> PlanHeader:
        """The header as it stands (the record-change count is filled in by :meth:`finish`)."""
        ctx = self.context
        samples = [s for mapping in self._samples for s in self._samples[mapping]]
        return PlanHeader(
            migrator_version=__version__,
            kind=ctx.kind,
            name=ctx.name,
            spec=ctx.spec,
            spec_digest=ctx.spec_digest,
            spec_dir=ctx.spec_dir,
            namespace=ctx.namespace,
            source=ctx.source,
            destination=ctx.destination,
            prior_state=ctx.prior_state,
            targets=ctx.targets,
            schema_changes=self.schema_changes,
            phases=self.phases,
            counts=self.counts(),
            quarantine=tuple(self._quarantine),
            holds=tuple(self._holds),
            quarantine_total=self._writer.quarantined,
            holds_total=self.holds_total,
            warnings=self.warnings(),
            budget=budget,
            samples=tuple(samples),
            record_change_count=self._writer.count,
        )

    def finish(self, budget: ApiBudget, path: Path | None) -> PlanHeader:
        """Write the plan to ``path`` (or only build the header when None); returns it."""
        header = self.header(budget)
        if path is None:
            self._writer.discard()
            return header
        return self._writer.finish(header, path)

    def discard(self) -> None:
        """Drop what was spooled (the plan failed)."""
        self._writer.discard()
