"""Lookup tables and aggregate folds: other source objects read once, kept small.

Every ``lookup`` and ``aggregate`` of the spec is registered when the mapper starts; the first
time a mapping needs one, its source object is streamed once for every lookup and aggregate that
reads it. A lookup keeps ``key → value`` (the first row of a key wins). An aggregate keeps, per
``by`` value, only its folded result: the picked row's value for ``latest``/``earliest``, the
values (or the few fields a ``format`` needs) for ``all``, a count or a decimal sum.

Ties in ``latest``/``earliest`` go to the later/earlier row in source order; rows without an
``order_by`` value lose to rows with one. ``all`` lists values in ``order_by`` order (source order
without one). With no rows, ``count`` and ``sum`` give 0 and the others give no value.

:attr:`Tables.taken` counts, per source object read only by aggregates, the rows some aggregate
folded in (the rest are reported as not aggregated): conservation for those objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from migrator.mapping.paths import (
    Predicate,
    RecordGetter,
    compile_where,
    key_text,
    record_getter,
)
from migrator.mapping.refs import OrderKey, order_key
from migrator.sources.bundle import Bundle
from migrator.sources.records import SourceRecord
from migrator.sources.schema_types import SourceType
from migrator.spec.models import Aggregate, Lookup


def _lowers(bundle: Bundle, obj_name: str, path: str | None) -> bool:
    obj = bundle.schema.object(obj_name)
    if obj is None:
        return False
    declared = obj.field((path or obj.primary_key).split(".", 1)[0].split("[", 1)[0])
    return declared is not None and declared.type is SourceType.UUID


@dataclass
class LookupTable:
    """``key → value`` of one looked-up object."""

    key: RecordGetter
    value: RecordGetter
    lower: bool
    rows: dict[str, Any] = field(default_factory=dict)

    def add(self, record: SourceRecord) -> bool:
        """Index one row (True: it is now in the table)."""
        found = key_text(self.key(record))
        if found is None:
            return False
        self.rows.setdefault(found.lower() if self.lower else found, self.value(record))
        return True

    def get(self, value: str, default: Any = None) -> Any:
        """The looked-up value (``default`` when no row has the key)."""
        return self.rows.get(value.lower() if self.lower else value, default)


@dataclass
class Fold:
    """One aggregate's folded values by ``by`` value (module doc)."""

    pick: str
    by: RecordGetter
    where: Predicate | None
    order: RecordGetter | None
    value: Callable[[SourceRecord], Any]
    lower: bool
    state: dict[str, Any] = field(default_factory=dict)

    def add(self, record: SourceRecord, seq: int) -> bool:
        """Fold one row in; True when it was taken."""
        if self.where is not None and not self.where(record):
            return False
        key = key_text(self.by(record))
        if key is None:
            return False
        if self.lower:
            key = key.lower()
        pick, state = self.pick, self.state
        if pick == "count":
            state[key] = state.get(key, 0) + 1
            return True
        if pick == "sum":
            amount = self.value(record)
            if isinstance(amount, int | Decimal) and not isinstance(amount, bool):
                state[key] = state.get(key, Decimal(0)) + amount
            return True
        rank: OrderKey = order_key(self.order(record)) if self.order is not None else (0, 0)
        entry = ((rank[0] != 9, rank, seq), self.value(record))
        if pick == "all":
            state.setdefault(key, []).append(entry)
        elif key not in state:
            state[key] = entry
        else:
            best = state[key][0]
            if (entry[0] > best) if pick == "latest" else (_earliest(entry[0]) < _earliest(best)):
                state[key] = entry
        return True

    def get(self, key: str) -> Any:
        """The folded value for the record whose key is ``key``."""
        found = self.state.get(key.lower() if self.lower else key)
        if self.pick in ("count", "sum"):
            return found if found is not None else 0
        if found is None:
            return None
        if self.pick == "all":
            ordered = sorted(found, key=lambda e: (not e[0][0], e[0][1], e[0][2]))
            return [value for _, value in ordered if value is not None]
        return found[1]


def _earliest(rank: tuple[bool, OrderKey, int]) -> tuple[bool, OrderKey, int]:
    has, order, seq = rank
    return (not has, order, seq)


def _projection(heads: tuple[str, ...] | None) -> Callable[[SourceRecord], Any]:
    if heads is None:
        return lambda record: dict(record.fields)
    return lambda record: {head: record.fields.get(head) for head in heads}


class Tables:
    """Every lookup and aggregate of a spec, each object read once when first needed."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self._lookups: dict[str, dict[tuple[str, str], LookupTable]] = {}
        self._folds: dict[str, dict[str, Fold]] = {}
        self._built: set[str] = set()
        self.seen: dict[str, int] = {}
        """Rows read per object read for aggregates."""
        self.taken: dict[str, int] = {}
        """Rows some aggregate folded in, per object read for aggregates."""

    def lookup(self, spec: Lookup) -> LookupTable:
        """Register (or find) the table of a ``lookup``; it is filled by :meth:`ensure`."""
        obj = self.bundle.schema.object(spec.from_)
        key_path = spec.key or (obj.primary_key if obj is not None else "id")
        tables = self._lookups.setdefault(spec.from_, {})
        if (key_path, spec.value) not in tables:
            tables[(key_path, spec.value)] = LookupTable(
                record_getter(key_path),
                record_getter(spec.value),
                _lowers(self.bundle, spec.from_, key_path),
            )
            self._built.discard(spec.from_)
        return tables[(key_path, spec.value)]

    def fold(self, spec: Aggregate, heads: tuple[str, ...] | None) -> Fold:
        """Register (or find) the fold of an ``aggregate`` (``heads``: the fields ``all`` keeps
        of each row when it has no ``value``; None keeps every field)."""
        ident = spec.model_dump_json(by_alias=True) + repr(heads)
        folds = self._folds.setdefault(spec.from_, {})
        if ident not in folds:
            value = record_getter(spec.value) if spec.value else _projection(heads)
            folds[ident] = Fold(
                pick=spec.pick,
                by=record_getter(spec.by),
                where=compile_where(spec.where),
                order=record_getter(spec.order_by) if spec.order_by else None,
                value=value,
                lower=_lowers(self.bundle, spec.from_, spec.by),
            )
            self._built.discard(spec.from_)
        return folds[ident]

    def ensure(self, obj: str) -> None:
        """Stream ``obj`` once to fill every table and fold registered on it."""
        if obj in self._built:
            return
        lookups = list(self._lookups.get(obj, {}).values())
        folds = list(self._folds.get(obj, {}).values())
        for table in lookups:
            table.rows = {}
        for fold in folds:
            fold.state = {}
        seen = taken = 0
        for seq, record in enumerate(self.bundle.read(obj)):
            seen += 1
            for table in lookups:
                table.add(record)
            hit = False
            for fold in folds:
                hit = fold.add(record, seq) or hit
            taken += hit
        if folds:
            self.seen[obj], self.taken[obj] = seen, taken
        self._built.add(obj)
