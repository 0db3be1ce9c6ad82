"""The row loop of one mapping: every source row becomes one record to write or one fate.

For each row, in source order:

1. a child mapping's ``where``: a row it does not hold for is SKIPPED (``child_condition``);
2. the unique fields are written and the row is deduplicated against the earlier rows of this run
   (:mod:`migrator.mapping.uniques`): a repeat is DEDUPLICATED into the first row;
3. a quarantining problem the reader found (no primary key, a required value of the wrong type)
   quarantines the row; a mapping ``identity`` path without a value too (``missing_identity``);
4. every other field is written; a data problem QUARANTINES the row at once; a wait (owner
   without a member, parent not written) HOLDS it unless a later field quarantines it;
5. the record is built: ``id`` (deterministic), the provenance field (the source key),
   ``createdBy`` (source ``IMPORT``) and the discriminator, keys sorted, digest taken once.

Findings are reported only for rows that are written. A row with self references is held back
until the run ends and every row is known, then its links are resolved and it is reported (so
such rows come last, still in source order among themselves). Rows of note and task mappings
leave their target keys in the targets spool (:mod:`migrator.mapping.targets`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from migrator.identity import IdMaker
from migrator.mapping.compiler import CompiledBody
from migrator.mapping.context import Quarantine, RowContext
from migrator.mapping.digests import payload_digest
from migrator.mapping.model import (
    DesiredRecord,
    Fate,
    Finding,
    MappingResult,
    RowOutcome,
    UniqueValue,
)
from migrator.mapping.paths import key_text
from migrator.mapping.refs import Ambiguous, Orphan, choose
from migrator.mapping.targets import Spool
from migrator.sources.records import SourceRecord

Item = DesiredRecord | RowOutcome | Finding


def row_identity(body: CompiledBody, record: SourceRecord) -> str:
    """The identity of a row for ``body``: its ``identity`` path's value, else the primary key
    (also when that path has no value: the row is then quarantined, ``missing_identity``)."""
    getter = body.identity
    if getter is None:
        return record.id
    found = key_text(getter(record))
    return found if found else record.id


def spool_targets(body: CompiledBody, spool: Spool, record: SourceRecord, identity: str) -> None:
    """Leave the target keys of the note (or task) row ``identity`` in ``spool``."""
    for number, getter in enumerate(body.target_keys):
        value = key_text(getter(record)) if getter is not None else identity
        if value is not None:
            spool.add(identity, number, value, record.line)


class BodyRun:
    """One run of a compiled mapping over its source rows."""

    def __init__(
        self,
        body: CompiledBody,
        ids: IdMaker,
        provenance: str,
        result: MappingResult,
        spool: Spool | None,
    ) -> None:
        self.body = body
        self.ids = ids
        self.provenance = provenance
        self.result = result
        self.spool = spool
        self.winners: dict[str, dict[str, str]] = {rule.path: {} for rule in body.uniques}
        self.held_back: list[tuple[RowContext, int]] = []

    def run(self, records: Iterable[SourceRecord]) -> Iterator[Item]:
        """Every item the rows produce (module doc)."""
        body, result = self.body, self.result
        index = body.index
        index.start()
        register = index.registrar()
        for address, message in body.renamed:
            yield self._count(Finding(body.name, address, "renamed_field", message))
        ctx = RowContext(body.name)
        for seq, record in enumerate(records):
            identity = self._identity(record)
            if register is not None:
                register(record, identity, seq)
            result.source_rows += 1
            ctx.reset(record, identity, index.key(identity), index.address(identity))
            item = self._row(record, ctx)
            if item is None:
                self.held_back.append((ctx, record.line))
                ctx = RowContext(body.name)
                continue
            yield self._count(item)
            if isinstance(item, DesiredRecord) and ctx.findings:
                yield from (self._count(f) for f in ctx.findings)
        index.ran = True
        yield from self._release()

    def _identity(self, record: SourceRecord) -> str:
        return row_identity(self.body, record)

    def _row(self, record: SourceRecord, ctx: RowContext) -> Item | None:
        body, index = self.body, self.body.index
        if body.where is not None and not body.where(record):
            index.unwritten.add(ctx.identity)
            return self._outcome(ctx, Fate.SKIPPED, "child_condition",
                                 "the child mapping's `where` does not hold")  # fmt: skip
        try:
            for write in body.unique_writers:
                write(record, ctx)
            duplicate = self._dedupe(ctx)
            if duplicate is not None:
                return duplicate
            if body.targets is not None:  # a note or task: its target keys, read once
                identity = ctx.identity
                keys = [key_text(get(record)) if get is not None else identity
                        for get in body.target_keys]  # fmt: skip
                if self.spool is not None:
                    for number, value in enumerate(keys):
                        if value is not None:
                            self.spool.add(identity, number, value, record.line)
                self._check_targets(keys, ctx)
            if body.identity is not None or record.findings:
                self._reader_problems(record, ctx)
            for write in body.writers:
                write(record, ctx)
        except Quarantine as problem:
            index.unwritten.add(ctx.identity)
            return self._outcome(ctx, Fate.QUARANTINED, problem.code, problem.reason, full=True)
        if ctx.hold is not None:
            index.unwritten.add(ctx.identity)
            code, reason, blocked = ctx.hold
            return self._outcome(ctx, Fate.HELD, code, reason, blocked, full=True)
        if ctx.pending:
            return None
        return self._record(ctx, record.line)

    def _dedupe(self, ctx: RowContext) -> RowOutcome | None:
        found: list[tuple[dict[str, str], str]] = []
        for rule in self.body.uniques:
            value = rule.value(ctx.out)
            if value is None:
                continue
            seen = self.winners[rule.path]
            winner = seen.get(value)
            if winner is not None:
                index = self.body.index
                index.unwritten.add(ctx.identity)
                address = index.address(winner)
                if not self.body.merge_duplicates:  # on_duplicate: quarantine — never fold
                    raise Quarantine(
                        rule.code,
                        f"{ctx.address}: same `{rule.path}` as {address}, which Twenty keeps "
                        "unique; resolve by hand (the records are not merged)",
                    )
                index.redirect[ctx.identity] = winner
                return self._outcome(ctx, Fate.DEDUPLICATED, rule.code,
                                     f"same `{rule.path}` as {address}", address)  # fmt: skip
            found.append((seen, value))
        for seen, value in found:
            seen[value] = ctx.identity
        return None

    def _reader_problems(self, record: SourceRecord, ctx: RowContext) -> None:
        if self.body.identity is not None and key_text(self.body.identity(record)) is None:
            raise Quarantine("missing_identity", f"{ctx.address}: the identity path has no value")
        for finding in record.findings:
            if finding.quarantines:
                where = f" field `{finding.field}`" if finding.field else ""
                raise Quarantine(finding.code, f"{ctx.address}{where}: {finding.message}")

    def _check_targets(self, keys: list[str | None], ctx: RowContext) -> None:
        """A note or task exists to be about its targets: when none of them can be written, the
        note is not written either (DESIGN.md, Cascade) — held while a target waits, quarantined
        when every target is an orphan. A clinical note must never land in Twenty unlinked.

        Decided only when every targeted mapping has already run; otherwise the targets phase
        decides each target on its own, as before. A note with no target keys is left alone.
        ``keys`` are the row's target keys, one per target (None: no key).
        """
        phase = self.body.targets
        if phase is None:
            return
        waiting: list[str] = []
        orphans = 0
        for number, value in enumerate(keys):
            plan = phase.plans[number]
            if value is None:
                continue
            if not plan.index.ran:
                return
            try:
                chosen = (
                    value
                    if plan.same_row
                    else choose(plan.index, value, key=plan.key, pick="only", exclude=None)
                )
            except (Orphan, Ambiguous):
                orphans += 1
                continue
            target = plan.index.final(chosen or value)
            if target not in plan.index.unwritten:
                return
            waiting.append(plan.index.address(target))
        if waiting:
            ctx.hold_for(
                "parent_not_written",
                f"{ctx.address}: no record it is about is written ({waiting[0]})",
                waiting[0],
            )
        elif orphans:
            raise Quarantine(
                "orphan_reference", f"{ctx.address}: no record it is about exists in the source"
            )

    def _outcome(self, ctx: RowContext, fate: Fate, code: str, why: str, blocked: str = "",
                 *, full: bool = False) -> RowOutcome:  # fmt: skip
        reason = why if full else f"{ctx.address}: {why}"
        return RowOutcome(self.body.name, ctx.address, ctx.key, fate, code, reason, blocked,
                          ctx.record.line if ctx.record is not None else 0)  # fmt: skip

    def _record(self, ctx: RowContext, line: int) -> DesiredRecord:
        body = self.body
        out = ctx.out
        out.update(body.constants)
        own = self.ids(ctx.key)
        out["id"] = own
        out[self.provenance] = ctx.key
        payload = dict(sorted(out.items()))
        uniques: tuple[UniqueValue, ...] = ()
        if body.uniques:
            uniques = tuple(
                UniqueValue(rule.path, value)
                for rule in body.uniques
                if (value := rule.value(payload)) is not None
            )
        matches: tuple[UniqueValue, ...] = ()
        if body.matches:
            matches = tuple(m for plan in body.matches if (m := plan.value(payload)) is not None)
        if body.locked is not None and ctx.record is not None and body.locked(ctx.record) is True:
            ctx.finding("locked_record", f"{ctx.address} is locked in the source; Twenty "
                        "cannot lock single records (field permissions are per field)")  # fmt: skip
        return DesiredRecord(
            mapping=body.name,
            address=ctx.address,
            source_key=ctx.key,
            twenty_object=body.to,
            twenty_id=own,
            payload=payload,
            payload_digest=payload_digest(payload, float_keys=body.float_keys),
            sensitive_fields=body.sensitive,
            unique_values=uniques,
            match_keys=matches,
            depends_on=tuple(ctx.depends) if ctx.depends else (),
            links=tuple(ctx.links) if ctx.links else (),
            files=tuple(ctx.files) if ctx.files else (),
            owner_key=ctx.owner_key,
            line=line,
        )

    def _release(self) -> Iterator[Item]:
        for ctx, line in self.held_back:
            for writer, text in ctx.pending or ():
                writer.resolve(ctx, text, ctx.identity)
            yield self._count(self._record(ctx, line))
            yield from (self._count(f) for f in ctx.findings or ())
        self.held_back = []

    def _count(self, item: Item) -> Item:
        result = self.result
        if isinstance(item, DesiredRecord):
            result.desired += 1
        elif isinstance(item, RowOutcome):
            result.fates[item.fate] = result.fates.get(item.fate, 0) + 1
        else:
            result.findings[item.code] = result.findings.get(item.code, 0) + 1
        return item
