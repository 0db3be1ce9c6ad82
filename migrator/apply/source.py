"""The mapper as apply's :class:`~migrator.apply.model.DesiredSource`: the same records, again.

The mapper (:mod:`migrator.mapping`) runs each of its phases once per instance and in order (a
phase needs what earlier phases learnt: identities, deduplication winners, rows not written), so
:class:`MapperSource` keeps one mapper per pass over the plan: asked for a phase, it first runs
(and drains) every earlier mapper phase it has not run yet — phases a resumed run skips, and the
mapper's own aggregate and skip phases — and when asked for a phase its mapper already ran (the
executor's second pass, after the up-front verification), it starts a fresh mapper. Second-pass
links come from the records' ``links`` as their mapping ran, kept until their link phase, exactly
as the planner spools them, and are resolved as the planner resolves them (a deduplicated target
becomes its winner; a link to a record that is not written is left out). A link phase is served
once per pass and only once every mapping phase of that pass has run: a run resumed at a link
phase (every mapping phase completed by an earlier run, so none is asked for) and the executor's
second pass over a link phase each start a fresh mapper and run every mapping phase first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from migrator.addresses import AddressKind, address_kind
from migrator.apply.model import Desired, DesiredItem
from migrator.apply.rules import describe_mapping_rules, rules_digest
from migrator.mapping.model import DesiredRecord, Finding, Link, MappingResult, RowOutcome
from migrator.mapping.phases import PhaseKind


class PhaseInfo(Protocol):
    """What apply reads of one mapper phase."""

    @property
    def name(self) -> str:
        """What :meth:`PhasedMapper.run` takes."""
        ...

    @property
    def kind(self) -> PhaseKind:
        """Records, targets, aggregated or skipped."""
        ...


class PhasedMapper(Protocol):
    """The mapper's interface as apply uses it."""

    def phases(self) -> tuple[Any, ...]:
        """Every phase (each with a ``name``), in the order they must run."""
        ...

    def run(self, name: str) -> Iterator[DesiredRecord | RowOutcome | Finding]:
        """Run one phase once."""
        ...

    def result(self, name: str) -> MappingResult:
        """The counts of a phase that ran."""
        ...

    def resolve_link(self, link: Link) -> Link | None:
        """The link to write once every mapping has run (retargeted at a deduplication's
        winner), or ``None`` when its target is not written."""
        ...

    def close(self) -> None:
        """Release what the runs hold (temporary spools)."""
        ...


def desired_of(record: DesiredRecord, rules: str = "") -> Desired:
    """The executor's view of a mapper record."""
    return Desired(
        address=record.address,
        mapping=record.mapping,
        source_key=record.source_key,
        twenty_object=record.twenty_object,
        twenty_id=record.twenty_id,
        payload=record.payload,
        depends_on=record.depends_on,
        files=record.files,
        links=record.links,
        rules=rules,
    )


@dataclass
class MapperSource:
    """Recomputes a plan's writes with fresh mappers (see the module docstring)."""

    make_mapper: Callable[[], PhasedMapper]
    spec: Mapping[str, Any]
    """The spec as the plan embeds it (for the rule descriptions of the audit log)."""
    root: Path | None = None
    _mapper: PhasedMapper | None = None
    _ran: set[str] = field(default_factory=set)
    _links: dict[str, list[Desired]] = field(default_factory=dict)
    _served: set[str] = field(default_factory=set)
    """Link phases already handed out by the current mapper's pass."""
    _rules: dict[str, str] = field(default_factory=dict)

    @property
    def bundle_root(self) -> Path | None:
        """The bundle folder file references are relative to."""
        return self.root

    def _fresh(self) -> PhasedMapper:
        if self._mapper is not None:
            self._mapper.close()
        self._mapper = self.make_mapper()
        self._ran = set()
        self._links = {}
        self._served = set()
        return self._mapper

    def phase_rules(self, phase: str) -> Mapping[str, Any]:
        """The rules of the phase's mapping (no values)."""
        mapping = _mapping_of(phase)
        if not mapping:
            return {}
        return describe_mapping_rules(self.spec, mapping.removesuffix("-targets"))

    def _rules_id(self, mapping: str) -> str:
        if mapping not in self._rules:
            rules = self.phase_rules(f"mapping.{mapping}")
            self._rules[mapping] = rules_digest(rules) if rules else ""
        return self._rules[mapping]

    def source_rows(self, phase: str) -> int | None:
        """Rows the mapper read for a mapping phase (``None`` for link phases)."""
        name = _mapping_of(phase)
        if not name or self._mapper is None or name not in self._ran:
            return None
        return self._mapper.result(name).source_rows

    def phase_items(self, phase: str) -> Iterator[DesiredItem]:
        """The items of ``phase`` (module docstring)."""
        name = _mapping_of(phase)
        if name:
            return self._records(name)
        return self._link_items(phase)

    def _link_items(self, phase: str) -> Iterator[DesiredItem]:
        """The links of ``phase`` from a pass in which every mapping phase has run."""
        mapper = self._mapper
        if mapper is None or phase in self._served:
            mapper = self._fresh()
        for info in mapper.phases():
            if info.kind is PhaseKind.RECORDS and info.name not in self._ran:
                for _ in self._run(mapper, info.name):
                    pass
        self._served.add(phase)
        return _resolved(mapper, self._links.pop(phase, []))

    def _records(self, name: str) -> Iterator[DesiredItem]:
        mapper = self._mapper if self._mapper is not None and name not in self._ran else None
        mapper = mapper or self._fresh()
        for phase in mapper.phases():
            if phase.name == name:
                break
            if phase.name not in self._ran:
                for _ in self._run(mapper, phase.name):
                    pass
        return self._run(mapper, name)

    def _run(self, mapper: PhasedMapper, name: str) -> Iterator[DesiredItem]:
        self._ran.add(name)
        for item in mapper.run(name):
            if isinstance(item, Finding):
                continue
            if isinstance(item, DesiredRecord):
                desired = desired_of(item, self._rules_id(item.mapping))
                for link in item.links:
                    phase = f"link.{item.mapping}.{link.field}"
                    needs = (desired.address, link.target_address)
                    # a link's body is {id, <field>Id}: the record's payload is not kept
                    item_link = replace(desired, payload={}, files=(), link=link, depends_on=needs)
                    self._links.setdefault(phase, []).append(item_link)
                yield desired
            else:
                yield item


def _resolved(mapper: PhasedMapper, links: list[Desired]) -> Iterator[DesiredItem]:
    """``links`` as the planner writes them: retargeted at a deduplicated target's winner, and
    without those whose target is not written."""
    for item in links:
        assert item.link is not None
        link = mapper.resolve_link(item.link)
        if link is None:
            continue
        if link != item.link:
            item = replace(item, link=link, depends_on=(item.address, link.target_address))
        yield item


def _mapping_of(phase: str) -> str:
    if address_kind(phase) is AddressKind.MAPPING:
        return phase.split(".", 1)[1]
    return ""
