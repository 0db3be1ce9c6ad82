"""What the mapper remembers about each mapping's records, and how references find them.

A :class:`MappingIndex` per mapping holds only what references need, filled while that mapping
runs: the identities of its source rows (when something refers to it by identity), ``key`` indexes
(``key`` value → the rows holding it, with their ``order_by`` value for ``pick``), the identities
whose record is not written (quarantined, held, skipped) and the deduplicated rows with their
winner. Whole rows are never kept.

:func:`choose` applies a reference's ``key``/``pick``/``not_self`` to an index; the caller decides
what an orphan, an ambiguity or an unwritten target does (:mod:`migrator.mapping.fields`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from migrator.mapping.paths import RecordGetter, key_text, record_getter
from migrator.sources.records import SourceRecord

OrderKey = tuple[int, Any]


def order_key(value: Any) -> OrderKey:
    """A total order over ``order_by`` values of mixed types (unknown values sort apart)."""
    if value is None:
        return (9, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, int | float | Decimal):
        return (1, float(value))
    if isinstance(value, dt.datetime):
        return (2, value.timestamp() if value.tzinfo else value.replace(tzinfo=dt.UTC).timestamp())
    if isinstance(value, dt.date):
        return (2, dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp())
    return (3, key_text(value))


@dataclass
class KeyIndex:
    """Rows of one mapping by the value of one ``key`` path (with an optional ``order_by``)."""

    getter: RecordGetter
    order: RecordGetter | None
    lower: bool
    entries: dict[str, list[tuple[OrderKey, int, str]]] = field(default_factory=dict)

    def add(self, record: SourceRecord, identity: str, seq: int) -> None:
        """Index one row."""
        value = key_text(self.getter(record))
        if value is None:
            return
        if self.lower:
            value = value.lower()
        rank = order_key(self.order(record)) if self.order is not None else (0, 0)
        self.entries.setdefault(value, []).append((rank, seq, identity))


@dataclass
class MappingIndex:
    """What references need to know about one mapping's records (module doc)."""

    name: str
    key_prefix: str
    """``<system>:<object>:`` of the rows the mapping reads."""
    key_suffix: str
    """``#<child>`` for child mappings (each child record has its own source key)."""
    uuid_ids: bool
    """Identities are UUIDs: reference values are compared lower-cased."""
    identities: set[str] | None = None
    keyed: dict[tuple[str, str | None], KeyIndex] = field(default_factory=dict)
    unwritten: set[str] = field(default_factory=set)
    redirect: dict[str, str] = field(default_factory=dict)
    ran: bool = False
    prepared: bool = False
    """The identity and key indexes are complete (the mapping ran, or a pre-pass read them)."""

    def key(self, identity: str) -> str:
        """The source key of the record made from the row ``identity``."""
        return f"{self.key_prefix}{identity}{self.key_suffix}"

    def address(self, identity: str) -> str:
        """The address of that record."""
        return f"record.{self.name}[{self.key_prefix}{identity}{self.key_suffix}]"

    def identity_of(self, key: str) -> str | None:
        """The row identity of a source key of this mapping, or None if it is not one."""
        if not key.startswith(self.key_prefix) or not key.endswith(self.key_suffix):
            return None
        return key[len(self.key_prefix) : len(key) - len(self.key_suffix)]

    def forget_fates(self) -> None:
        """Forget what an earlier run of the mapping decided (it is about to run again)."""
        self.unwritten = set()
        self.redirect = {}
        self.ran = False

    def want_identities(self) -> None:
        """Something refers to this mapping by identity: remember every row's identity."""
        if self.identities is None:
            self.identities = set()

    def want_key(self, path: str, order_by: str | None, lower: bool) -> None:
        """Something refers to this mapping by ``path`` (ordered by ``order_by``)."""
        if (path, order_by) not in self.keyed:
            order = record_getter(order_by) if order_by else None
            self.keyed[(path, order_by)] = KeyIndex(record_getter(path), order, lower)

    def start(self) -> None:
        """Forget the row indexes before a fresh pass over the rows."""
        if self.identities is not None:
            self.identities = set()
        for item in self.keyed.values():
            item.entries = {}

    def registrar(self) -> Callable[[SourceRecord, str, int], None] | None:
        """The per-row function filling the indexes, or None when nothing is wanted."""
        identities = self.identities
        keyed = list(self.keyed.values())
        if identities is None and not keyed:
            return None
        if not keyed and identities is not None:
            add = identities.add
            return lambda _record, identity, _seq: add(identity)

        def register(record: SourceRecord, identity: str, seq: int) -> None:
            if identities is not None:
                identities.add(identity)
            for item in keyed:
                item.add(record, identity, seq)

        return register

    def final(self, identity: str) -> str:
        """The identity references end at: a deduplicated row's winner, else itself."""
        return self.redirect.get(identity, identity)


class Orphan(Exception):
    """No row of the referenced mapping has the value."""


class Ambiguous(Exception):
    """Several rows have the value and ``pick: only`` allows one."""


def choose(
    index: MappingIndex,
    value: str,
    *,
    key: tuple[str, str | None] | None,
    pick: str,
    exclude: str | None,
) -> str | None:
    """The identity a reference with ``value`` points at (before deduplication redirects).

    ``key`` None compares with identities; otherwise with the ``key`` index ``(path, order_by)``.
    ``exclude`` (``not_self``) removes the referring row itself; None is returned when only it
    matched. Raises :class:`Orphan` or :class:`Ambiguous`.
    """
    if index.uuid_ids and key is None:
        value = value.lower()
    if key is None:
        if index.identities is None or value not in index.identities:
            raise Orphan(value)
        return None if value == exclude else value
    keyed = index.keyed[key]
    found = keyed.entries.get(value.lower() if keyed.lower else value)
    if not found:
        raise Orphan(value)
    if exclude is not None:
        found = [entry for entry in found if entry[2] != exclude]
        if not found:
            return None
    if len(found) == 1:
        return found[0][2]
    if pick == "only":
        raise Ambiguous(value)
    if pick == "first":
        return min(found, key=lambda e: (e[0][0] == 9, e[0], e[1]))[2]
    return max(found, key=lambda e: (e[0][0] != 9, e[0], e[1]))[2]
