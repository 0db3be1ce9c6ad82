"""The planner: walks the graph's record phases, streaming desired records through the diff.

For each phase in apply order (:meth:`Planner.run`):

* **records** (``mapping.<m>``, and the note/task targets ``mapping.<m>-targets``): load the
  state's record map of the mapping, then stream the mapper's output once — each desired record
  is decided (:func:`~migrator.plan.diff.decide_record`) and goes to the builder; row outcomes
  and findings are counted; records whose parents the planner will not write are held (the
  cascade); second-pass links are spooled for their phases. A record the state does not know is
  checked against the existing records of its object (:mod:`migrator.plan.collisions`: nothing,
  a scan, or batched lookups);
* **links** (``link.<m>.<field>``): the spooled links (:mod:`migrator.plan.links`);
* then the mapper's phases that write nothing (objects only aggregated or skipped), for counts.

Updates, merges and restores of up to ``diff_sample`` records per mapping get field-level
differences from their current values in Twenty, read 200 ids a request (at most
:data:`DIFF_READS` requests per mapping); ``--refresh`` reads every record the state has and
diffs them all (drift). Changes are always written in the order the mapper yields their records
(apply pairs them with its own recomputation in one forward pass): while lookups and reads are
batched, the records after them wait in a bounded queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from migrator.addresses import record_address
from migrator.errors import PlanError
from migrator.graph import GraphNode, MigrationGraph, NodeKind
from migrator.identity import twenty_id
from migrator.mapping.inline_images import as_in_bundle
from migrator.mapping.model import DesiredRecord, Finding, Link, MappingResult, RowOutcome
from migrator.model import Action
from migrator.plan.build import PlanBuilder
from migrator.plan.collisions import Collisions
from migrator.plan.diff import RecordDecision, decide_record, field_diffs
from migrator.plan.fetch import CHUNK, TwentyReader
from migrator.plan.links import LinkIntent, plan_links
from migrator.plan.matching import MatchRule
from migrator.plan.model import HoldEntry
from migrator.plan.spool import Spool
from migrator.plan.stateview import MappingState, load_mapping_state
from migrator.spec.models import MigrationSpec
from migrator.state.model import RecordDigest
from migrator.state.store import StateReader
from migrator.twenty.models import ObjectMetadata

DIFF_SAMPLE = 200
"""Updates, merges and restores per mapping whose field differences are read from Twenty."""
DIFF_READS = 5
"""Read requests per mapping spent at most on field differences (``--refresh`` aside)."""
QUEUE_LIMIT = 5_000
"""Records held back at most while lookups and reads are batched."""


class RecordSource(Protocol):
    """What the planner needs of the mapper (:mod:`migrator.mapping`)."""

    def run(self, mapping: str) -> Iterator[DesiredRecord | RowOutcome | Finding]:
        """Every desired record, row outcome and finding of one phase, in source order."""
        ...

    def result(self, mapping: str) -> MappingResult:
        """The counts of the phase's last run."""
        ...

    def resolve_link(self, link: Link) -> Link | None:
        """The link to write once every mapping has run (retargeted at a deduplication's
        winner), or None when its target will not be written."""
        ...

    def close(self) -> None:
        """Release what the runs hold (temporary spools)."""
        ...


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


@dataclass(slots=True)
class _Item:
    """A record in the queue: decided (or not yet: a lookup or a refresh read is pending)."""

    desired: DesiredRecord
    entry: RecordDigest | None
    decision: RecordDecision | None
    read: bool = False
    """Its current values are read (field differences, or ``--refresh``)."""


@dataclass
class _Queue:
    """Records in mapper order, some waiting for lookups or reads."""

    plural: str
    items: list[_Item] = field(default_factory=list)
    longest_lookup: int = 0
    """The most values queued for lookup on one path."""
    reads: int = 0
    """Queued records whose current values are to be read."""


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
        self._rules_of: dict[str, tuple[MatchRule, ...]] = {}
        self.id_map: dict[str, str] = {}
        """Deterministic id → Twenty id of records migrator merged into or restored."""
        self.blocked: set[str] = set()
        """Addresses the planner itself will not write (its quarantines and holds)."""
        self.collisions = Collisions(
            reader,
            settings.metadata,
            self._rules_by_object(),
            source_id_field=self.spec.provenance.source_id_field,
        )
        self.spools: dict[str, Spool] = {}
        self._sampled: dict[str, int] = {}
        self._diff_reads: dict[str, int] = {}
        self._checked: set[str] = set()
        """Mappings whose records' addresses and ids were checked (:meth:`_check_ids`)."""

    def run(self) -> None:
        """Plan every record, link and target phase of the graph, in apply order."""
        try:
            for node in self.settings.graph.phases():
                self.builder.start_phase(node.address)
                if node.kind is NodeKind.LINK:
                    spool = self.spools.pop(node.address, None)
                    plan_links(
                        node.address,
                        spool.drain() if spool is not None else (),
                        resolve=self.mapper.resolve_link,
                        id_map=self.id_map,
                        blocked=self.blocked,
                        builder=self.builder,
                    )
                else:
                    self._records(node)
            for name in self.settings.counted_phases:
                for item in self.mapper.run(name):
                    if isinstance(item, RowOutcome):
                        self.builder.add_outcome(item, "")
                self.builder.add_result(self.mapper.result(name))
        finally:
            for spool in self.spools.values():
                spool.discard()

    def _rules(self, mapping: str) -> tuple[MatchRule, ...]:
        rules = self._rules_of.get(mapping)
        if rules is None:
            body = self.spec.objects.get(mapping)
            rules = tuple(rule.fields for rule in body.match) if body is not None else ()
            self._rules_of[mapping] = rules
        return rules

    def _check_ids(self, desired: DesiredRecord) -> None:
        """Check once per mapping that the mapper's addresses and ids are the deterministic
        ones of this plan's namespace (its record lines then leave them out)."""
        address = record_address(desired.mapping, desired.source_key)
        if desired.address != address or desired.twenty_id != twenty_id(
            self.settings.namespace, desired.source_key
        ):
            raise PlanError(
                f"the mapper gave {desired.address} another address or id than the plan's",
                hint="this is a bug in migrator; please report it with the spec",
            )
        self._checked.add(desired.mapping)

    def _rules_by_object(self) -> dict[str, list[MatchRule]]:
        found: dict[str, list[MatchRule]] = {}
        for name, body in self.spec.objects.items():
            found.setdefault(body.to, []).extend(self._rules(name))
        return found

    # -- record phases ------------------------------------------------------------------------

    def _records(self, node: GraphNode) -> None:
        mapping = node.mapping or ""
        states = {mapping: self._load(mapping)}
        meta = self.settings.metadata.get(node.twenty_object)
        queue = _Queue(meta.name_plural if meta is not None else "")
        expected = self.settings.expected_rows.get(mapping, 0) - states[mapping].loaded
        for item in self.mapper.run(mapping):
            if isinstance(item, DesiredRecord):
                self._desired(node, item, states, queue, expected)
            elif isinstance(item, RowOutcome):
                self.builder.add_outcome(item, node.twenty_object)
            else:
                self.builder.add_finding(item)
        self._flush(node, queue)
        for view in states.values():
            self._left(node, view)
        result = self.mapper.result(mapping)
        self.builder.set_source_rows(mapping, result.source_rows, node.twenty_object)

    def _left(self, node: GraphNode, view: MappingState) -> None:
        """Records the state has but the source no longer yields, once ``node``'s records are
        planned: kept and reported here; the delta planner (:mod:`migrator.delta.planner`)
        overrides this hook to delete or flag them as the spec says."""
        del node
        left = view.left()
        if left:
            self.builder.warn(
                "not_in_source",
                view.mapping,
                f"{view.mapping}: records the state has but the source no longer yields are "
                "kept (a delta run decides what happens to them)",
                left,
            )

    def _load(self, mapping: str) -> MappingState:
        view = load_mapping_state(self.state, mapping)
        self.id_map.update(view.merged(self.settings.namespace))
        return view

    def _desired(
        self,
        node: GraphNode,
        desired: DesiredRecord,
        states: dict[str, MappingState],
        queue: _Queue,
        expected: int,
    ) -> None:
        if desired.mapping not in states:
            states[desired.mapping] = self._load(desired.mapping)
        if desired.mapping not in self._checked:
            self._check_ids(desired)
        entry = states[desired.mapping].take(desired.address)
        if self._held(desired):
            return
        if entry is not None and self.settings.refresh:
            self._queue(node, queue, _Item(desired, entry, None, read=True))
            return
        obj = desired.twenty_object
        if entry is None and self.collisions.prepare(obj, expected) == "lookup":
            rules = self._rules(desired.mapping)
            longest = self.collisions.queue(obj, desired.payload, rules)
            queue.longest_lookup = max(queue.longest_lookup, longest)
            self._queue(node, queue, _Item(desired, None, None))
            return
        decision = self._decide(node, desired, entry)
        read = self._samples_diff(desired.mapping, decision)
        if read or queue.items:
            self._queue(node, queue, _Item(desired, entry, decision, read))
        else:
            self._emit(desired, decision)

    def _decide(
        self,
        node: GraphNode,
        desired: DesiredRecord,
        entry: RecordDigest | None,
        *,
        refresh: bool = False,
        refreshed: Mapping[str, object] | None = None,
    ) -> RecordDecision:
        """Decide one record and note what it means for later records (id map, cascade)."""
        decision = decide_record(
            desired,
            phase=node.address,
            entry=entry,
            index=self.collisions.index(desired.twenty_object) if entry is None else None,
            id_map=self.id_map,
            rules=self._rules(desired.mapping),
            refreshed=refreshed,
            refresh=refresh,
        )
        if decision.existing_id is not None:
            self.id_map[desired.twenty_id] = decision.existing_id
        if decision.quarantine is not None:
            self.blocked.add(desired.address)
        return decision

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

    def _queue(self, node: GraphNode, queue: _Queue, item: _Item) -> None:
        queue.items.append(item)
        queue.reads += item.read
        full = max(queue.reads, queue.longest_lookup) >= CHUNK or len(queue.items) >= QUEUE_LIMIT
        if full:
            self._flush(node, queue)

    def _flush(self, node: GraphNode, queue: _Queue) -> None:
        """Look up, decide, read and emit the queued records, in their order."""
        if not queue.items:
            return
        if queue.longest_lookup:
            self.collisions.look_up()
            queue.longest_lookup = 0
        for item in queue.items:
            if item.decision is None and not item.read:
                item.decision = self._decide(node, item.desired, None)
                item.read = self._samples_diff(item.desired.mapping, item.decision)
        wanted = [self._current_id(item) for item in queue.items if item.read]
        rows = self.reader.by_ids(queue.plural, wanted) if wanted and queue.plural else {}
        if wanted and node.mapping is not None and not self.settings.refresh:
            self._diff_reads[node.mapping] = self._diff_reads.get(node.mapping, 0) + 1
        for item in queue.items:
            row = rows.get(self._current_id(item)) if item.read else None
            decision = item.decision
            if decision is None:  # a --refresh read: decided on what Twenty holds
                decision = self._decide(node, item.desired, item.entry, refresh=True, refreshed=row)
            elif decision.change is not None and row is not None and decision.body is not None:
                held = as_in_bundle(row, item.desired.files) if item.desired.files else row
                diffs = field_diffs(held, decision.body, item.desired.sensitive_fields)
                change = decision.change.model_copy(update={"field_diffs": diffs})
                decision = RecordDecision(
                    change, None, decision.existing_id, decision.links_done, decision.body
                )
            self._emit(item.desired, decision)
        queue.items.clear()
        queue.reads = 0

    @staticmethod
    def _current_id(item: _Item) -> str:
        if item.decision is not None and item.decision.existing_id is not None:
            return item.decision.existing_id
        return item.entry.twenty_id if item.entry is not None else item.desired.twenty_id

    def _emit(self, desired: DesiredRecord, decision: RecordDecision) -> None:
        """Hand one decided record to the builder; spool its links for their phases."""
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
            trusted=desired.mapping in self._checked,
            attachments=1 if any(ref.inline for ref in desired.files) else 0,
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

    def _held(self, desired: DesiredRecord) -> bool:
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
        self.builder.add_hold(hold, desired.twenty_object)
        return True

    def _spool(self, phase: str) -> Spool:
        if phase not in self.spools:
            if phase not in self.settings.graph.order:
                raise PlanError(
                    f"the mapper produced a second pass ({phase}) the graph does not have",
                    hint="this is a bug in migrator; please report it with the spec",
                )
            self.spools[phase] = Spool()
        return self.spools[phase]
