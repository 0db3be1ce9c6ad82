"""One field mapping's value, compiled: source, check, transforms, value map, type.

:func:`compile_value` turns a :class:`~migrator.spec.values.ValueSpec` whose source is ``from``,
``const``, ``template``, ``lookup`` or ``aggregate`` into ``(record, ctx) -> value``, in this order:

1. the source value (``from`` reads the row; a required source field that is missing is the
   ERROR ``missing_required_value``; the field's schema ``check`` runs on it, see
   :mod:`migrator.mapping.checks`);
2. the transforms, in order;
3. the value map: by text (``"7"`` matches 7; Unicode NFC so composed and decomposed Vietnamese
   compare equal), element by element for lists; an unlisted value takes ``default``, or
   quarantines the row (``unmapped_value``) with ``default: error``; no value (None) is never
   mapped: a source with no value writes ``if_missing`` when the spec gives it (a target value,
   through neither transforms nor map: ``if_missing: PRIVATE  # no NHS band``), else no value;
4. the conversion into the field's type (:mod:`migrator.mapping.coerce`).

Problems go through the field's ``on_invalid`` (:meth:`RowContext.judge`); a conversion that fails
under ``warn`` drops the value, since Twenty would refuse it. ``ref``, ``owner`` and ``file`` are
compiled by :mod:`migrator.mapping.fields`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from migrator.catalogue import FieldType
from migrator.mapping.checks import Check, checker_for
from migrator.mapping.coerce import Coercer, Invalid, coercer, sub_coercer
from migrator.mapping.context import Quarantine, RowContext
from migrator.mapping.paths import RecordGetter, key_text, path_head, record_getter
from migrator.mapping.render import compile_template, placeholders
from migrator.mapping.tables import Tables
from migrator.mapping.transforms import StepEnv, compile_transforms
from migrator.sources.records import SourceRecord
from migrator.sources.schema_types import SourceObject
from migrator.spec.models import ValueSpec, transform_name
from migrator.spec.transforms import FormatTransform
from migrator.validate.findings import error

ValueFn = Callable[[SourceRecord, RowContext], Any]

_ABSENT = object()
MISSING_REQUIRED = error("missing_required_value", "a value the source always has is missing")


@dataclass(frozen=True)
class ValueEnv:
    """What compiling a value needs beyond the value itself."""

    source: SourceObject
    """The source object of the mapping's rows."""
    tables: Tables
    zone: ZoneInfo
    currency: str
    exported_on: dt.date


@dataclass(frozen=True)
class Target:
    """Where a value goes: a whole field of ``kind``, or one ``sub`` field of a composite."""

    label: str
    """``field`` or ``field.sub`` (for messages)."""
    kind: FieldType
    options: tuple[str, ...] = ()
    sub: str | None = None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _mapper(spec: ValueSpec, label: str) -> Callable[[Any, RowContext], Any]:
    table = {_nfc(k): v for k, v in (spec.map or {}).items()}
    failing, default = spec.default_is_error, spec.default

    def one(value: Any, ctx: RowContext) -> Any:
        text = key_text(value)
        if text is None:
            return None
        if text in table:
            return table[text]
        text = _nfc(text)
        if text in table:
            return table[text]
        if failing:
            raise Quarantine(
                "unmapped_value",
                f"{ctx.address} field `{label}`: the value is not in the value map "
                "(`default: error`)",
            )
        return default

    def apply(value: Any, ctx: RowContext) -> Any:
        if isinstance(value, list | tuple):
            found = (one(item, ctx) for item in value if item is not None)
            return [item for item in found if item is not None]
        return one(value, ctx)

    return apply


def _check_of(spec: ValueSpec, env: ValueEnv) -> tuple[Check | None, bool]:
    """The schema check run on a ``from`` value, and whether the source field is required."""
    path = spec.from_ or ""
    declared = env.source.field(path_head(path))
    if declared is None or path != declared.name:
        return None, False
    names = frozenset(transform_name(t) for t in spec.transforms)
    check = checker_for(
        env.source,
        declared,
        transforms=names,
        default_currency=env.currency,
        exported_on=env.exported_on,
    )
    return check, declared.required


def plain_source(spec: ValueSpec, env: ValueEnv) -> RecordGetter | None:
    """The path getter of a value that is nothing but a source path (no check, not required,
    no transforms, no map): writers read it directly, the fastest path."""
    if spec.from_ is None or spec.transforms or spec.map is not None or spec.if_missing is not None:
        return None
    check, required = _check_of(spec, env)
    return record_getter(spec.from_) if check is None and not required else None


def converter(target: Target, zone: ZoneInfo) -> Coercer:
    """The conversion of a value into ``target``'s type."""
    if target.sub is not None:
        return sub_coercer(target.kind, target.sub)
    return coercer(target.kind, target.options, zone)


def _from_source(spec: ValueSpec, target: Target, env: ValueEnv) -> ValueFn:
    getter = record_getter(spec.from_ or "")
    check, required = _check_of(spec, env)
    label, policy = target.label, spec.on_invalid
    if check is None and not required:
        return lambda record, _ctx: getter(record)

    def read(record: SourceRecord, ctx: RowContext) -> Any:
        value = getter(record)
        if value is None:
            if required:
                ctx.judge(label, policy, None, (MISSING_REQUIRED,), None)
            return None
        if check is None:
            return value
        checked, issues = check(value, record)
        return ctx.judge(label, policy, checked, issues, value) if issues else checked

    return read


def _all_heads(spec: ValueSpec) -> tuple[str, ...] | None:
    """The row fields an ``aggregate: {pick: all}`` without ``value`` must keep."""
    first = spec.transforms[0] if spec.transforms else None
    if isinstance(first, FormatTransform):
        return tuple(sorted({path_head(p) for p in placeholders(first.format)}))
    return None


def _source(spec: ValueSpec, target: Target, env: ValueEnv) -> ValueFn:
    if spec.from_ is not None:
        return _from_source(spec, target, env)
    if spec.template is not None:
        render = compile_template(spec.template)
        return lambda record, _ctx: render(record)
    if spec.lookup is not None:
        table = env.tables.lookup(spec.lookup)
        by = record_getter(spec.lookup.by)
        label, looked_in = target.label, spec.lookup.from_

        def look(record: SourceRecord, ctx: RowContext) -> Any:
            key = key_text(by(record))
            if key is None:
                return None
            found = table.get(key, _ABSENT)
            if found is _ABSENT:
                ctx.finding(
                    "lookup_missing",
                    f"{ctx.address} field `{label}`: no `{looked_in}` row has its key; left empty",
                )
                return None
            return found

        return look
    if spec.aggregate is not None:
        agg = spec.aggregate
        fold = env.tables.fold(agg, _all_heads(spec) if agg.pick == "all" else None)
        key_of = record_getter(agg.key) if agg.key else None

        def folded(record: SourceRecord, ctx: RowContext) -> Any:
            key = key_text(key_of(record)) if key_of is not None else ctx.identity
            return None if key is None else fold.get(key)

        return folded
    const = spec.const
    return lambda _record, _ctx: const


def _plain_value(getter: RecordGetter, convert: Coercer, label: str, policy: str | None) -> ValueFn:
    judged = "drop" if policy == "warn" else policy

    def plain(record: SourceRecord, ctx: RowContext) -> Any:
        found = getter(record)
        if found is None:
            return None
        try:
            return convert(found)
        except Invalid as problem:
            return ctx.judge(label, judged, None, (problem.issue,), found)

    return plain


def compile_value(spec: ValueSpec, target: Target, env: ValueEnv) -> ValueFn:
    """The value of ``spec`` for ``target``, ready to write (None: no value)."""
    if spec.has_const and spec.const is None:
        return lambda _record, _ctx: None
    plain = plain_source(spec, env)
    if plain is not None:
        return _plain_value(plain, converter(target, env.zone), target.label, spec.on_invalid)
    source = _source(spec, target, env)
    steps = compile_transforms(spec.transforms, StepEnv(target.label, spec.on_invalid, env.zone))
    mapped = _mapper(spec, target.label) if spec.map is not None else None
    stages = [stage for stage in (steps, mapped) if stage is not None]
    convert = converter(target, env.zone)
    label = target.label
    judged = "drop" if spec.on_invalid == "warn" else spec.on_invalid

    missing = spec.if_missing
    if not stages and missing is None:

        def direct(record: SourceRecord, ctx: RowContext) -> Any:
            found = source(record, ctx)
            if found is None:
                return None
            try:
                return convert(found)
            except Invalid as problem:
                return ctx.judge(label, judged, None, (problem.issue,), found)

        return direct

    def value(record: SourceRecord, ctx: RowContext) -> Any:
        found = source(record, ctx)
        if found is None:
            found = missing
        else:
            for stage in stages:
                found = stage(found, ctx)
                if found is None:
                    return None
        if found is None:
            return None
        try:
            return convert(found)
        except Invalid as problem:
            return ctx.judge(label, judged, None, (problem.issue,), found)

    return value
