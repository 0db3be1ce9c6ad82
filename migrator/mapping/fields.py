"""Field writers: each mapped Twenty field compiled into ``(record, ctx) -> None``.

A writer puts its payload key into ``ctx.out`` (nothing for no value; ``null`` only for an explicit
``const: null``): a plain field under its name, a composite as one object of its mapped sub-fields
(left out when they are all empty; a CURRENCY without an amount is left out, one without a code
takes the source's currency), a relation under its join column (``companyId``).

References (``ref``) resolve through the referenced mapping's :class:`MappingIndex`:

* a first-pass reference writes the target's deterministic id and records the dependency. An
  orphan (no row has the value) or an ambiguity (``pick: only``, several rows) quarantines the row
  (``orphan_reference``, ``ambiguous_reference``); a target that is not written holds the row
  (``parent_not_written``, ``blocked_by`` its address). With ``on_invalid: drop`` (or ``warn``) the
  reference is left empty with a finding instead: the spec's way to say a reference is optional.
* a self reference or a ``deferred`` one becomes a :class:`Link` written in a second pass. A link
  never changes its record's fate: an orphan, an ambiguity or a target that is not written drops
  the link with a finding. Self references are resolved when the mapping's run ends, once every
  row is known (:mod:`migrator.mapping.runner`).

Deduplicated targets are replaced by their winner. Owners resolve through
:mod:`migrator.mapping.owners`; files are checked against the size policy and become
:class:`FileRef` values carrying the media type the row declares (``mimeType``/``mime_type``),
which apply sends with the upload (the FILES field itself is filled by apply after the upload).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from migrator.catalogue import FieldType
from migrator.errors import SourceError
from migrator.identity import IdMaker
from migrator.mapping.coerce import Invalid, to_text
from migrator.mapping.context import Quarantine, RowContext
from migrator.mapping.model import FileRef, Link
from migrator.mapping.owners import OwnerResolver
from migrator.mapping.paths import RecordGetter, key_text, record_getter
from migrator.mapping.refs import Ambiguous, MappingIndex, Orphan, choose
from migrator.mapping.values import Target, ValueEnv, compile_value, converter, plain_source
from migrator.sources.bundle import Bundle
from migrator.sources.records import SourceRecord
from migrator.spec.models import ValueSpec
from migrator.spec.target_model import TargetField

Writer = Callable[[SourceRecord, RowContext], None]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class RefPlan:
    """A compiled ``ref``: where it points and how it is written."""

    field: str
    join: str
    index: MappingIndex
    by: RecordGetter | None
    key: tuple[str, str | None] | None
    pick: str
    not_self: bool
    mode: str
    """``payload`` (first pass), ``link`` (deferred) or ``self`` (resolved when the run ends)."""
    policy: str | None


class RefWriter:
    """Writes one reference (module doc); ``finish`` also resolves pending self references."""

    def __init__(self, plan: RefPlan, ids: IdMaker) -> None:
        self.plan = plan
        self.ids = ids

    def __call__(self, record: SourceRecord, ctx: RowContext) -> None:
        plan = self.plan
        if plan.by is None:
            self.finish(ctx, ctx.identity, ctx.identity)
            return
        text = key_text(plan.by(record))
        if text is None:
            return
        if plan.mode == "self":
            if ctx.pending is None:
                ctx.pending = []
            ctx.pending.append((self, text))
            return
        self.resolve(ctx, text, ctx.identity)

    def resolve(self, ctx: RowContext, text: str, own: str) -> None:
        """Resolve the reference value ``text`` of the row ``own`` and write it."""
        plan = self.plan
        try:
            chosen = choose(
                plan.index,
                text,
                key=plan.key,
                pick=plan.pick,
                exclude=own if plan.not_self else None,
            )
        except Orphan:
            self._problem(ctx, "orphan_reference", f"no `{plan.index.name}` row has its value")
            return
        except Ambiguous:
            self._problem(
                ctx, "ambiguous_reference", f"several `{plan.index.name}` rows have its value"
            )
            return
        if chosen is not None:
            self.finish(ctx, chosen, own)

    def _problem(self, ctx: RowContext, code: str, why: str) -> None:
        plan = self.plan
        message = f"{ctx.address} field `{plan.field}`: {why}"
        if plan.mode == "payload" and plan.policy not in ("drop", "warn"):
            raise Quarantine(code, message)
        ctx.finding(code, message + ("; link not written" if plan.mode != "payload" else ""))

    def finish(self, ctx: RowContext, chosen: str, own: str) -> None:
        """Write the reference to the row ``chosen`` (after deduplication redirects)."""
        plan, index = self.plan, self.plan.index
        target = index.final(chosen)
        address = index.address(target)
        if plan.mode == "payload":
            if target in index.unwritten:
                reason = f"{ctx.address} field `{plan.field}`: parent not written ({address})"
                if plan.policy in ("drop", "warn"):
                    ctx.finding("parent_not_written", reason)
                else:
                    ctx.hold_for("parent_not_written", reason, address)
                return
            ctx.out[plan.join] = self.ids(index.key(target))
            ctx.depend(address)
            return
        if plan.mode == "self" and target == own:
            return
        if index.ran and target in index.unwritten:
            ctx.finding(
                "link_target_not_written",
                f"{ctx.address} field `{plan.field}`: {address} is not written; link not written",
            )
            return
        ctx.link(Link(plan.field, address, self.ids(index.key(target))))


def owner_writer(field: str, join: str, path: str, owners: OwnerResolver) -> Writer:
    """Write a workspace member id for the owner reference at ``path``."""
    getter = record_getter(path)

    def write(record: SourceRecord, ctx: RowContext) -> None:
        reference = key_text(getter(record))
        if reference is None:
            return
        if ctx.owner_key is None:
            ctx.owner_key = reference
        found = owners.resolve(reference)
        if found.member_id is None:
            ctx.hold_for(
                "owner_unresolved", f"{ctx.address} field `{field}`: {found.problem}", reference
            )
            return
        ctx.out[join] = found.member_id
        if found.fallback:
            ctx.finding(
                "owner_fallback",
                f"{ctx.address} field `{field}`: {found.problem}; given to the fallback member",
            )

    return write


def file_writer(field: str, path: str, bundle: Bundle, max_bytes: int, max_mb: float) -> Writer:
    """Check the bundle file at ``path`` and record it for upload (module doc)."""
    getter = record_getter(path)

    def write(record: SourceRecord, ctx: RowContext) -> None:
        relative = getter(record)
        if not isinstance(relative, str) or not relative.strip():
            return
        where = f"{ctx.address} field `{field}`"
        try:
            local = bundle.attachment_path(relative)
            size = local.stat().st_size
        except SourceError:
            raise Quarantine("file_path_invalid", f"{where}: the path leaves the bundle") from None
        except OSError:
            raise Quarantine("file_missing", f"{where}: the file is not in the bundle") from None
        if size > max_bytes:
            raise Quarantine(
                "file_too_large",
                f"{where}: the file has {size} bytes, over the {max_mb:g} MB file policy",
            )
        stem = local.name.split(".", 1)[0]
        fields = record.fields
        label = fields.get("file_name") or fields.get("fileName") or local.name
        media = fields.get("mime_type") or fields.get("mimeType") or ""
        sha = stem if _SHA256.match(stem) else ""
        posix = relative.replace("\\", "/")
        ctx.file(FileRef(field, posix, size, sha, str(label), str(media).strip().lower()))

    return write


def scalar_writer(
    name: str, value: Callable[[SourceRecord, RowContext], Any], null: bool
) -> Writer:
    """Write one plain value under ``name`` (``null``: an explicit ``const: null``)."""
    if null:

        def write_null(record: SourceRecord, ctx: RowContext) -> None:
            ctx.out[name] = None

        return write_null

    def write(record: SourceRecord, ctx: RowContext) -> None:
        found = value(record, ctx)
        if found is not None:
            ctx.out[name] = found

    return write


def composite_writer(
    name: str,
    kind: FieldType,
    parts: list[tuple[str, Callable[[SourceRecord, RowContext], Any]]],
    currency: str,
) -> Writer:
    """Write a composite value built from its mapped sub-fields (module doc)."""
    is_currency = kind is FieldType.CURRENCY

    def write(record: SourceRecord, ctx: RowContext) -> None:
        built: dict[str, Any] = {}
        filled = False
        for sub, value in parts:
            found = value(record, ctx)
            built[sub] = found
            filled = filled or found is not None
        if not filled:
            return
        if is_currency:
            if built.get("amountMicros") is None:
                return
            if built.get("currencyCode") is None:
                built["currencyCode"] = currency
        ctx.out[name] = built

    return write


def value_writer(name: str, target: TargetField, spec: ValueSpec, env: ValueEnv) -> Writer:
    """A plain (non-reference, non-owner, non-file) field mapping."""
    where = Target(name, target.type, target.options)
    getter = plain_source(spec, env)
    if getter is not None:
        return _direct_writer(name, getter, converter(where, env.zone), spec.on_invalid)
    value = compile_value(spec, where, env)
    return scalar_writer(name, value, spec.has_const and spec.const is None)


def _direct_writer(
    name: str, getter: RecordGetter, convert: Callable[[Any], Any], policy: str | None
) -> Writer:
    """A bare source path into a field: read, convert, write (one call per row)."""
    judged = "drop" if policy == "warn" else policy

    def write(record: SourceRecord, ctx: RowContext) -> None:
        found = getter(record)
        if found is None:
            return
        if type(found) is str and convert is to_text:
            ctx.out[name] = found
            return
        try:
            ctx.out[name] = convert(found)
        except Invalid as problem:
            kept = ctx.judge(name, judged, None, (problem.issue,), found)
            if kept is not None:
                ctx.out[name] = kept

    return write
