"""The planner: walks the graph's record phases, streaming desired records through the diff.

For each phase in apply order (:meth:`Planner.run`):

* **records** (``mapping.<m>``): load the state's record map of the mapping; prepare the index of
  existing Twenty records it may collide with (:mod:`migrator.plan.fetch` chooses scan or
  lookup; a lookup first runs the mapper once to collect the values to look up); then stream the
  mapper's output — each desired record is decided (:func:`~migrator.plan.diff.decide_record`)
  and goes to the builder; row outcomes and findings are counted; records whose parents will not
  be written are held (the cascade); second-pass links are spooled for their phases;
* **links** (``link.<m>.<field>``): the spooled links, their targets resolved through the final
  id map, each a partial upsert unless already written;
* **targets** (``mapping.<m>-targets``): the note/task target rows, which the mapper makes in
  their own run once every record they point at is planned; decided like records.

Updates, merges and restores of up to ``diff_sample`` records per mapping get field-level
differences from their current values in Twenty, read 200 ids a request (at most
:data:`DIFF_READS` requests per mapping); ``--refresh`` reads every record the state has and
diffs them all (drift). Changes are always written in the order the mapper yields their records
(apply pairs them with its own recomputation in one forward pass): while reads are batched, the
decisions after them wait in a bounded queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from migrator.errors import PlanError
from migrator.graph import GraphNode, MigrationGraph, NodeKind
from migrator.mapping.model import (
    DesiredRecord,
    Finding,
    Link,
    MappingResult,
    RowOutcome,
)
from migrator.model import Action
from migrator.plan.build import PlanBuilder
from migrator.plan.diff import Reason, RecordDecision, decide_record, field_diffs
from migrator.plan.fetch import (
    CHUNK,
    LookupBatcher,
    TwentyReader,
    choose_strategy,
    fill_by_scan,
    new_index,
)
from migrator.plan.matching import ExistingIndex, MatchRule, lookup_terms
from migrator.plan.model import HoldEntry, RecordChange
from migrator.plan.payloads import link_payload, payload_digest
from migrator.plan.spool import Spool
from migrator.plan.stateview import MappingState, load_mapping_state
from migrator.spec.models import MigrationSpec
from migrator.state.model import RecordDigest
from migrator.state.store import StateReader
from migrator.twenty.models import ObjectMetadata

DIFF_SAMPLE = 200
"""Updates, merges and restores per mapping whose field differences are read from Twenty."""


class RecordSource(Protocol):
    """What the planner needs of the mapper (:mod:`migrator.mapping`)."""

    def run(self, mapping: str) -> Iterator[DesiredRecord | RowOutcome | Finding]:
        """Every desired record, row outcome and finding of one mapping, in source order."""
        ...

    def result(self, mapping: str) -> MappingResult:
        """The counts of the mapping's last run."""
        ...

    def resolve_link(self, link: Link) -> Link | None:
        """The link to write once every mapping has run (retargeted at a deduplication's
        winner), or None when its target will not be written."""
        ...

    def close(self) -> None:
        """Release what the runs hold (temporary spools)."""
        ...


@dataclass(frozen=True, slots=True)
class LinkIntent:
    """A second-pass link found while its record was planned (spooled for its phase)."""

    address: str
    mapping: str
    source_key: str
    twenty_object: str
    twenty_id: str
    existing_id: str | None
    field: str
    target_id: str
    target_address: str
    done: bool


@dataclass
class PlannerSettings:
    """What the planner is told besides its collaborators."""

    spec: MigrationSpec
    graph: MigrationGraph
    namespace: uuid.UUID
    metadata: Mapping[str, ObjectMetadata]
    expected_rows: Mapping[str, int] = field(default_factory=dict)
    """Source rows per mapping (the bundle manifest's count), to choose scan or lookup."""
    refresh: bool = False
    diff_sample: int = DIFF_SAMPLE
    counted_phases: tuple[str, ...] = ()
    """Mapper phases that write nothing but account for source rows (objects only aggregated
    or skipped); run after the graph's phases, for the counts."""


QUEUE_LIMIT = 5_000
"""Decisions held back at most while reads for field differences are batched (their order
is kept: a phase's changes are written in the order the mapper yields its records)."""
DIFF_READS = 5
"""Read requests per mapping spent at most on field differences (``--refresh`` aside)."""


@dataclass
class _Queue:
    """Decisions in mapper order, some waiting for their record's current values."""

    plural: str
    items: list[tuple[DesiredRecord, RecordDigest | None, RecordDecision | None, bool]] = field(
        default_factory=list
    )
    """``(desired, state row, decision or None until read, whether it needs a read)``."""
    reads: int = 0


class Planner:
    """Computes the record part of a plan into a :class:`PlanBuilder` (see the module doc)."""

    def __init__(
        self,
        settings: PlannerSettings,
        *,
        mapper: RecordSource,
        state: StateReader | None,
        reader: TwentyReader,
        builder: PlanBuilder,
    ) -> None:
        self.settings = settings
        self.spec = settings.spec
        self.mapper = mapper
        self.state = state
        self.reader = reader
        self.builder = builder
        self.id_map: dict[str, str] = {}
        self.blocked: set[str] = set()
        self.indexes: dict[str, ExistingIndex | None] = {}
        self.totals: dict[str, int] = {}
        """Rows per Twenty object, soft-deleted included (one count request each)."""
        self.scanned: set[str] = set()
        self.spools: dict[str, Spool] = {}
        self._sampled: dict[str, int] = {}
        self._diff_reads: dict[str, int] = {}

    def run(self) -> None:
        """Plan every record, link and target phase of the graph, in apply order."""
        try:
            for node in self.settings.graph.phases():
                self.builder.start_phase(node.address)
                if node.kind is NodeKind.LINK:
                    self._links(node)
                else:
                    self._records(node)
            for name in self.settings.counted_phases:
                for item in self.mapper.run(name):
                    if isinstance(item, RowOutcome):
                        self._outcome(item, "")
                self.builder.add_result(self.mapper.result(name))
        finally:
            for spool in self.spools.values():
                spool.discard()

    # -- record phases ------------------------------------------------------------------------

    def _rules(self, mapping: str) -> tuple[MatchRule, ...]:
        body = self.spec.objects.get(mapping)
        return tuple(rule.fields for rule in body.match) if body is not None else ()

    def _records(self, node: GraphNode) -> None:
        mapping = node.mapping or ""
        states = {mapping: load_mapping_state(self.state, mapping)}
        self.id_map.update(states[mapping].merged(self.settings.namespace))
        index = self._index(node, states[mapping])
        pending = _Queue(self._plural(node.twenty_object))
        for item in self.mapper.run(mapping):
            if isinstance(item, DesiredRecord):
                self._desired(node, item, states, index, pending)
            elif isinstance(item, RowOutcome):
                self._outcome(item, node.twenty_object)
            else:
                self.builder.add_finding(item)
        self._flush(node, pending)
        for view in states.values():
            self._report_left(view)
        result = self.mapper.result(mapping)
        self.builder.set_source_rows(mapping, result.source_rows, node.twenty_object)

    def _state_of(self, states: dict[str, MappingState], mapping: str) -> MappingState:
        if mapping not in states:
            states[mapping] = load_mapping_state(self.state, mapping)
            self.id_map.update(states[mapping].merged(self.settings.namespace))
        return states[mapping]

    def _desired(
        self,
        node: GraphNode,
        desired: DesiredRecord,
        states: dict[str, MappingState],
        index: ExistingIndex | None,
        pending: _Queue,
    ) -> None:
        entry = self._state_of(states, desired.mapping).take(desired.address)
        if self._held(desired, node.twenty_object):
            return
        if self.settings.refresh and entry is not None:
            self._queue(node, pending, (desired, entry, None, True))
            return
        decision = decide_record(
            desired,
            phase=node.address,
            entry=entry,
            index=index,
            id_map=self.id_map,
            rules=self._rules(desired.mapping),
        )
        self._note(desired, decision)
        needs_read = self._samples_diff(desired.mapping, decision)
        if needs_read or pending.items:
            self._queue(node, pending, (desired, entry, decision, needs_read))
        else:
            self._emit(desired, decision)

    def _samples_diff(self, mapping: str, decision: RecordDecision) -> bool:
        """Whether this change's field differences are read (a bounded sample per mapping)."""
        change = decision.change
        if change is None or change.action not in (Action.UPDATE, Action.MERGE, Action.RESTORE):
            return False
        sampled = self._sampled.get(mapping, 0)
        if sampled >= self.settings.diff_sample or self._diff_reads.get(mapping, 0) >= DIFF_READS:
            return False
        self._sampled[mapping] = sampled + 1
        return True

    def _queue(
        self,
        node: GraphNode,
        pending: _Queue,
        item: tuple[DesiredRecord, RecordDigest | None, RecordDecision | None, bool],
    ) -> None:
        pending.items.append(item)
        pending.reads += item[3]
        if pending.reads >= CHUNK or len(pending.items) >= QUEUE_LIMIT:
            self._flush(node, pending)

    def _flush(self, node: GraphNode, pending: _Queue) -> None:
        """Read what the queued records need, then decide or diff and emit them in order."""
        wanted = [self._current_id(d, e, c) for d, e, c, read in pending.items if read]
        rows = self.reader.by_ids(pending.plural, wanted) if wanted and pending.plural else {}
        if wanted and node.mapping is not None:
            self._diff_reads[node.mapping] = self._diff_reads.get(node.mapping, 0) + 1
        for desired, entry, decision, read in pending.items:
            row = rows.get(self._current_id(desired, entry, decision)) if read else None
            if decision is None:
                decision = decide_record(
                    desired,
                    phase=node.address,
                    entry=entry,
                    index=None,
                    id_map=self.id_map,
                    refreshed=row,
                    refresh=True,
                )
                self._note(desired, decision)
            elif decision.change is not None and row is not None and decision.body is not None:
                diffs = field_diffs(row, decision.body, desired.sensitive_fields)
                change = decision.change.model_copy(update={"field_diffs": diffs})
                decision = RecordDecision(
                    change, None, decision.existing_id, decision.links_done, decision.body
                )
            self._emit(desired, decision)
        pending.items.clear()
        pending.reads = 0

    @staticmethod
    def _current_id(
        desired: DesiredRecord, entry: RecordDigest | None, decision: RecordDecision | None
    ) -> str:
        if decision is not None and decision.existing_id is not None:
            return decision.existing_id
        return entry.twenty_id if entry is not None else desired.twenty_id

    def _note(self, desired: DesiredRecord, decision: RecordDecision) -> None:
        """Record what a decision means for later records (id map, cascade) at once."""
        if decision.existing_id is not None:
            self.id_map[desired.twenty_id] = decision.existing_id
        if decision.quarantine is not None:
            self.blocked.add(desired.address)

    def _emit(self, desired: DesiredRecord, decision: RecordDecision) -> None:
        """Hand one decided record to the builder (decisions are noted when made)."""
        if decision.quarantine is not None:
            self.builder.add_quarantine(decision.quarantine, desired.twenty_object)
            return
        change = decision.change
        if change is None:
            raise PlanError(f"no decision for {desired.address}")
        self.builder.add_change(
            change,
            body=decision.body,
            sensitive=desired.sensitive_fields,
            files=len(desired.files),
        )
        for link in desired.links:
            intent = LinkIntent(
                desired.address,
                desired.mapping,
                desired.source_key,
                desired.twenty_object,
                desired.twenty_id,
                decision.existing_id,
                link.field,
                link.target_id,
                link.target_address,
                decision.links_done,
            )
            self._spool(f"link.{desired.mapping}.{link.field}").append(intent)

    def _held(self, desired: DesiredRecord, twenty_object: str) -> bool:
        blocker = next((dep for dep in desired.depends_on if dep in self.blocked), None)
        if blocker is None:
            return False
        self.blocked.add(desired.address)
        hold = HoldEntry(
            address=desired.address,
            mapping=desired.mapping,
            source_key=desired.source_key,
            code="parent_not_written",
            reason=f"{blocker} will not be written",
            blocked_by=blocker,
        )
        self.builder.add_hold(hold, twenty_object)
        return True

    def _outcome(self, outcome: RowOutcome, twenty_object: str) -> None:
        # The mapper cascades its own quarantines and holds (and resolve_link drops links to
        # them); ``blocked`` holds only what the planner itself decides not to write.
        self.builder.add_outcome(outcome, twenty_object)

    def _report_left(self, view: MappingState) -> None:
        left = view.left()
        if left:
            self.builder.warn(
                "not_in_source",
                view.mapping,
                f"{view.mapping}: records the state has but the source no longer yields are "
                "kept (a delta run decides what happens to them)",
                left,
            )

    # -- collisions ---------------------------------------------------------------------------

    def _plural(self, twenty_object: str) -> str:
        meta = self.settings.metadata.get(twenty_object)
        return meta.name_plural if meta is not None else ""

    def _index(self, node: GraphNode, view: MappingState) -> ExistingIndex | None:
        """The index of existing records for the node's object, filled as the strategy says."""
        obj = node.twenty_object
        meta = self.settings.metadata.get(obj)
        if meta is None:
            return None  # the object is created by this plan: nothing to collide with
        rules = self._rules(node.mapping or "")
        if obj not in self.indexes:
            all_rules = sorted({r for m in self._writers(obj) for r in self._rules(m)})
            self.indexes[obj] = new_index(meta, all_rules, obj)
            self.totals[obj] = self.reader.count_all(meta.name_plural)
        index = self.indexes[obj]
        if index is None or obj in self.scanned:
            return index
        expected = max(self.settings.expected_rows.get(node.mapping or "", 0) - view.loaded, 0)
        choice = choose_strategy(self.totals[obj], expected, len(index.paths) + len(rules))
        if choice.strategy == "scan":
            fill_by_scan(
                self.reader,
                index,
                meta.name_plural,
                source_id_field=self.spec.provenance.source_id_field,
            )
            self.scanned.add(obj)
        elif choice.strategy == "lookup":
            self._look_up(node, index, view, meta.name_plural, rules)
        return index

    def _writers(self, twenty_object: str) -> list[str]:
        return [
            n.mapping or ""
            for n in self.settings.graph.phases()
            if n.kind is NodeKind.RECORDS and n.twenty_object == twenty_object
        ]

    def _look_up(
        self,
        node: GraphNode,
        index: ExistingIndex,
        view: MappingState,
        plural: str,
        rules: tuple[MatchRule, ...],
    ) -> None:
        """Run the mapper once to collect the values to look up, then look them up."""
        batcher = LookupBatcher(
            self.reader, index, plural, source_id_field=self.spec.provenance.source_id_field
        )
        for item in self.mapper.run(node.mapping or ""):
            if isinstance(item, DesiredRecord) and not view.has(item.address):
                batcher.add(lookup_terms(item.payload, index.paths, rules))
        batcher.finish()

    # -- second passes ------------------------------------------------------------------------

    def _spool(self, phase: str) -> Spool:
        if phase not in self.spools:
            if phase not in self.settings.graph.order:
                raise PlanError(
                    f"the mapper produced a second pass ({phase}) the graph does not have",
                    hint="this is a bug in migrator; please report it with the spec",
                )
            self.spools[phase] = Spool()
        return self.spools[phase]

    def _links(self, node: GraphNode) -> None:
        spool = self.spools.pop(node.address, None)
        for intent in spool.drain() if spool is not None else ():
            link = self.mapper.resolve_link(
                Link(intent.field, intent.target_address, intent.target_id)
            )
            if link is None or link.target_address in self.blocked:
                self.builder.warn(
                    "link_target_not_written",
                    intent.mapping,
                    f"{node.address}: links to records that will not be written are left out",
                    [intent.address],
                )
                continue
            record_id = intent.existing_id or intent.twenty_id
            body = link_payload(record_id, link.field, link.target_id, self.id_map)
            change = RecordChange(
                address=intent.address,
                mapping=intent.mapping,
                source_key=intent.source_key,
                twenty_object=intent.twenty_object,
                twenty_id=intent.twenty_id,
                action=Action.NOOP if intent.done else Action.UPDATE,
                reason=Reason.LINK_UNCHANGED if intent.done else Reason.LINK,
                payload_digest=payload_digest(body),
                phase=node.address,
                existing_id=intent.existing_id,
            )
            self.builder.add_change(change, counts_as="link", body=body)
