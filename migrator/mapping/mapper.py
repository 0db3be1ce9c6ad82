"""The mapper: source rows in, desired Twenty records and the fate of every row out.

``Mapper(spec, bundle, members=..., namespace=...)`` compiles every mapping once; then
:meth:`Mapper.run` is called once per phase (:mod:`migrator.mapping.phases`) in an order meeting
the phases' ``needs`` — :meth:`Mapper.phases` gives one — and yields
:class:`~migrator.mapping.model.DesiredRecord`, :class:`~migrator.mapping.model.RowOutcome` and
:class:`~migrator.mapping.model.Finding` values; :meth:`Mapper.result` gives a phase's counts.

What the mapper carries from one phase to the next is small: per mapping, the identities and
``key`` values other mappings refer to, the rows that were not written and the deduplicated rows
with their winners (:mod:`migrator.mapping.refs`); the lookup tables and aggregate folds
(:mod:`migrator.mapping.tables`); the owners' emails; and, for note and task mappings, the spool
of target keys. Each source object is streamed once per phase that reads it (a child mapping
reads its parent's rows again), lookups and aggregated objects once in all.

Conservation: in every records and targets phase, ``source_rows`` equals ``desired`` plus the
sum of ``fates``, by construction. An aggregated phase counts each row of its object as
AGGREGATED when some aggregate folded it in, SKIPPED otherwise; a skipped phase counts the rows
the manifest lists.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from migrator.errors import PlanError
from migrator.graph.compile import compile_graph
from migrator.graph.nodes import NodeKind
from migrator.identity import id_maker
from migrator.mapping.compiler import CompiledBody, CompileEnv, compile_body
from migrator.mapping.model import DesiredRecord, Fate, Link, MappingResult
from migrator.mapping.owners import OwnerResolver
from migrator.mapping.phases import Phase, PhaseKind, phase_order, spec_phases
from migrator.mapping.refs import MappingIndex
from migrator.mapping.runner import BodyRun, Item, row_identity, spool_targets
from migrator.mapping.tables import Tables
from migrator.mapping.targets import Spool
from migrator.mapping.values import ValueEnv
from migrator.sources.bundle import Bundle
from migrator.sources.schema_types import SourceObject, SourceType
from migrator.spec.models import MigrationSpec
from migrator.spec.target_model import build_target_model
from migrator.spec.walk import iter_values


def _exported_on(bundle: Bundle, zone: ZoneInfo) -> dt.date:
    """The export's calendar date (birth dates after it are errors); far future if unknown."""
    try:
        moment = dt.datetime.fromisoformat(bundle.manifest.exported_at)
    except ValueError:
        return dt.date.max
    return moment.astimezone(zone).date() if moment.tzinfo else moment.date()


def member_emails(members: Mapping[str, str] | Iterable[Any]) -> dict[str, str]:
    """Lower-cased email → member id, from a mapping or from member objects (``id``,
    ``user_email``); members without an email are left out."""
    if isinstance(members, Mapping):
        return {str(email).lower(): str(ident) for email, ident in members.items()}
    found: dict[str, str] = {}
    member: Any
    for member in members:
        email = getattr(member, "user_email", None)
        if isinstance(email, str) and email:
            found.setdefault(email.lower(), str(member.id))
    return found


def _indexes(spec: MigrationSpec, bundle: Bundle) -> dict[str, MappingIndex]:
    system = spec.source.system
    indexes: dict[str, MappingIndex] = {}
    writers: set[tuple[str, str]] = set()
    for name, mapping in spec.objects.items():
        obj = bundle.schema.object(mapping.from_)
        pk = obj.field(obj.primary_key) if obj is not None else None
        uuid_ids = mapping.identity is None and pk is not None and pk.type is SourceType.UUID
        suffix = f"#{name}" if (mapping.from_, mapping.to) in writers else ""
        writers.add((mapping.from_, mapping.to))
        prefix = f"{system}:{mapping.from_}:"
        indexes[name] = MappingIndex(name, prefix, suffix, uuid_ids)
        for child in mapping.children:
            indexes[child] = MappingIndex(child, prefix, f"#{child}", uuid_ids)
    return indexes


class Mapper:
    """Maps a spec's source bundle into desired records, phase by phase (module doc).

    ``members`` maps workspace member emails to member ids, or lists the members (objects with
    ``id`` and ``user_email``, as :class:`migrator.twenty.models.WorkspaceMember`); emails compare
    case-insensitively. ``namespace`` is the migration's id namespace (the state's, when there is
    a state). ``spec_dir`` is accepted for callers that have it; the bundle carries its own root.
    """

    def __init__(
        self,
        spec: MigrationSpec,
        bundle: Bundle,
        *,
        members: Mapping[str, str] | Iterable[Any],
        namespace: uuid.UUID,
        spec_dir: Path | None = None,
    ) -> None:
        self.spec = spec
        self.bundle = bundle
        self.ids = id_maker(namespace)
        self.tables = Tables(bundle)
        self.zone = ZoneInfo(spec.source.timezone)
        self._exported_on = _exported_on(bundle, self.zone)
        self.indexes = _indexes(spec, bundle)
        emails = member_emails(members)
        owners = OwnerResolver(spec.owners, bundle, emails) if spec.owners else None
        self._values: dict[str, ValueEnv] = {}
        env = CompileEnv(
            spec, bundle, build_target_model(spec), owners, self.indexes, self.ids, self._env
        )
        self.bodies: dict[str, CompiledBody] = {n: compile_body(env, n) for n in self.indexes}
        holders = {n: b.targets.holder for n, b in self.bodies.items() if b.targets is not None}
        graph = compile_graph(spec)
        preferred = [n.mapping for n in graph.phases() if n.mapping and n.kind is not NodeKind.LINK]
        self._phases = phase_order(spec_phases(spec, target_objects=holders), preferred)
        self._by_name = {phase.name: phase for phase in self._phases}
        self._tables_of = self._table_objects()
        self._results: dict[str, MappingResult] = {}
        self._spools: dict[str, Spool] = {}

    def _env(self, source: SourceObject) -> ValueEnv:
        if source.name not in self._values:
            self._values[source.name] = ValueEnv(
                source, self.tables, self.zone, self.spec.source.currency, self._exported_on
            )
        return self._values[source.name]

    def _table_objects(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for site in iter_values(self.spec):
            for item in (site.value.lookup, site.value.aggregate):
                if item is not None:
                    found.setdefault(site.mapping, set()).add(item.from_)
        return found

    # -- the public API ---------------------------------------------------------------------

    def phases(self) -> tuple[Phase, ...]:
        """Every phase, in an order that meets every phase's ``needs``."""
        return tuple(self._phases)

    def run(self, name: str) -> Iterator[Item]:
        """Run the phase ``name``: its items in source order (self-referencing rows last).

        A phase may run again (the planner first collects a mapping's values to look them up):
        it yields the same items, provided the phases it needs have not run again in between.
        """
        phase = self._by_name.get(name)
        if phase is None:
            raise PlanError(
                f"The mapper has no phase `{name}`",
                hint="use a name from Mapper.phases(): a mapping, <mapping>-targets, "
                "<object>-aggregated or <object>-skipped",
            )
        self._check_needs(phase)
        if phase.kind is PhaseKind.RECORDS:
            return self._records(phase)
        if phase.kind is PhaseKind.TARGETS:
            return self._targets(phase)
        self._counted(phase)
        return iter(())

    def result(self, name: str) -> MappingResult:
        """The counts of a phase that has run (or is running)."""
        if name not in self._results:
            raise PlanError(f"The mapper phase `{name}` has not run")
        return self._results[name]

    def resolve_link(self, link: Link) -> Link | None:
        """The link to write once every mapping has run: retargeted at the winner when its
        target was deduplicated, None when its target is not written."""
        mapping, _, rest = link.target_address.removeprefix("record.").partition("[")
        index = self.indexes.get(mapping)
        identity = index.identity_of(rest[:-1]) if index is not None else None
        if index is None or identity is None or not index.ran:
            return link
        target = index.final(identity)
        if target in index.unwritten:
            return None
        if target == identity:
            return link
        return Link(link.field, index.address(target), self.ids(index.key(target)))

    def close(self) -> None:
        """Drop the target spools (anonymous temporary files; also dropped when collected)."""
        for spool in self._spools.values():
            spool.close()
        self._spools = {}

    # -- phases -------------------------------------------------------------------------------

    def _check_needs(self, phase: Phase) -> None:
        missing = [need for need in phase.needs if need not in self._results]
        if missing:
            raise PlanError(
                f"The mapper phase `{phase.name}` needs {', '.join(missing)} to have run",
                hint="run the phases in the order Mapper.phases() gives (or the graph's order)",
            )

    def _records(self, phase: Phase) -> Iterator[Item]:
        body = self.bodies[phase.name]
        result = MappingResult(body.name, body.to)
        self._results[phase.name] = result
        body.index.forget_fates()
        for ref in sorted(body.links_to):
            index = self.indexes[ref]
            if not index.ran and not index.prepared:
                self._prepass(self.bodies[ref])
        for obj in sorted(self._tables_of.get(body.name, ())):
            self.tables.ensure(obj)
        spool = None
        if body.targets is not None:
            if body.name in self._spools:
                self._spools.pop(body.name).close()
            spool = self._spools[body.name] = Spool()
        run = BodyRun(body, self.ids, self.spec.provenance.source_id_field, result, spool)
        yield from run.run(self.bundle.read(body.source.name))

    def _prepass(self, body: CompiledBody) -> None:
        """Read a mapping's rows for its indexes only (a link to it before it runs)."""
        index = body.index
        index.start()
        register = index.registrar()
        if register is not None:
            for seq, record in enumerate(self.bundle.read(body.source.name)):
                register(record, row_identity(body, record), seq)
        index.prepared = True

    def _targets(self, phase: Phase) -> Iterator[Item]:
        body = self.bodies[phase.mapping]
        assert body.targets is not None
        result = MappingResult(phase.name, body.targets.holder)
        self._results[phase.name] = result
        spool = self._spools.pop(phase.mapping, None) or self._respool(body)
        try:
            for item in body.targets.records(spool):
                result.source_rows += 1
                if isinstance(item, DesiredRecord):
                    result.desired += 1
                else:
                    result.fates[item.fate] = result.fates.get(item.fate, 0) + 1
                yield item
        finally:
            spool.close()

    def _respool(self, body: CompiledBody) -> Spool:
        """The target keys of a note mapping read again (its targets phase runs a second time)."""
        spool = Spool()
        index = body.index
        for record in self.bundle.read(body.source.name):
            identity = row_identity(body, record)
            if body.where is not None and not body.where(record):
                continue
            if identity not in index.redirect:
                spool_targets(body, spool, record, identity)
        return spool

    def _counted(self, phase: Phase) -> None:
        result = MappingResult(phase.name, "")
        self._results[phase.name] = result
        if phase.kind is PhaseKind.AGGREGATED:
            self.tables.ensure(phase.source_object)
            seen = self.tables.seen.get(phase.source_object, 0)
            taken = self.tables.taken.get(phase.source_object, 0)
            result.source_rows = seen
            result.fates = {Fate.AGGREGATED: taken, Fate.SKIPPED: seen - taken}
        else:
            count = self.bundle.count(phase.source_object)
            result.source_rows = count
            result.fates = {Fate.SKIPPED: count}
