"""Stable resource addresses: the one parser, formatter and total order.

Every resource migrator plans, writes or remembers is named by an address string, the key of
plans, state and reports:

* ``object.<object>`` — a custom object;
* ``field.<object>.<field>`` — a custom field (``migrationSourceId`` included);
* ``relation.<object>.<field>`` — a relation field (both sides are created as one resource);
* ``option.<object>.<field>.<VALUE>`` — a SELECT option added to a field migrator did not create;
* ``mapping.<mapping>`` — the record phase of one mapping (a graph node);
* ``link.<mapping>.<field>`` — a second-pass link of one mapping (a graph node);
* ``record.<mapping>[<system>:<object>:<id>]`` — one source record written through a mapping.

The part inside the brackets is a **source key**: the source system, the source object and the
source system's own primary id, which may contain any printable character (``:`` and ``]``
included), so a record address is read as "everything between the first ``[`` and the final
``]``". Names never contain ``.``, ``[``, ``]`` or ``:``.

Addresses sort totally by (kind rank, address text): schema kinds first in dependency order
(object, field, relation, option), then mappings, links and records. Within a kind the order is
plain code-point order of the text, which is also SQLite's ``BINARY`` and PostgreSQL's ``"C"``
order of the same column, so a database ``ORDER BY address`` agrees with :func:`sort_addresses`.
Parsers raise :class:`AddressError` (a ``ValueError``); callers that take addresses from a user
turn it into a :class:`~migrator.errors.UsageError`.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass


class AddressError(ValueError):
    """A string is not a well-formed address or source key (the message says which part)."""


class AddressKind(enum.StrEnum):
    """The kinds of address, declared in their sort order."""

    OBJECT = "object"
    FIELD = "field"
    RELATION = "relation"
    OPTION = "option"
    MAPPING = "mapping"
    LINK = "link"
    RECORD = "record"


#: Sort rank of each kind: schema in dependency order, then graph phases, then records.
KIND_RANK: dict[str, int] = {kind.value: rank for rank, kind in enumerate(AddressKind)}

#: Number of dotted name segments after the kind, for every kind but ``record``.
_SEGMENTS: dict[AddressKind, int] = {
    AddressKind.OBJECT: 1,
    AddressKind.FIELD: 2,
    AddressKind.RELATION: 2,
    AddressKind.OPTION: 3,
    AddressKind.MAPPING: 1,
    AddressKind.LINK: 2,
}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAPPING = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_OPTION_VALUE = re.compile(r"[A-Za-z0-9_]+")
_SYSTEM = re.compile(r"[a-z][a-z0-9_-]*")
_SOURCE_OBJECT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _check(pattern: re.Pattern[str], value: str, what: str) -> str:
    if not pattern.fullmatch(value):
        raise AddressError(f"invalid {what} {value!r} (expected {pattern.pattern})")
    return value


@dataclass(frozen=True, slots=True)
class SourceKey:
    """A source record's identity: ``<system>:<object>:<id>`` (e.g. ``oplacrm:contact:42``).

    ``id`` is the source system's own primary id as text; it is never an editable field.
    """

    system: str
    object: str
    id: str

    def __str__(self) -> str:
        return f"{self.system}:{self.object}:{self.id}"


def parse_source_key(text: str) -> SourceKey:
    """Split ``system:object:id``; the id is everything after the second colon."""
    parts = text.split(":", 2)
    if len(parts) != 3:
        raise AddressError(f"invalid source key {text!r} (expected system:object:id)")
    system, obj, ident = parts
    _check(_SYSTEM, system, "source system")
    _check(_SOURCE_OBJECT, obj, "source object")
    if not ident or _CONTROL.search(ident):
        raise AddressError(f"invalid source id in {text!r} (empty or control characters)")
    return SourceKey(system, obj, ident)


def source_key(system: str, obj: str, ident: str | int) -> str:
    """The canonical source key text of one source record (validated)."""
    return str(parse_source_key(f"{system}:{obj}:{ident}"))


@functools.total_ordering
@dataclass(frozen=True, slots=True, eq=True)
class Address:
    """A parsed address: its kind and its parts.

    For ``record`` the parts are ``(mapping, source_key)``; for the other kinds they are the
    dotted names after the kind. ``str(address)`` is the canonical text; ordering follows
    :func:`address_sort_key`.
    """

    kind: AddressKind
    parts: tuple[str, ...]

    def __str__(self) -> str:
        if self.kind is AddressKind.RECORD:
            return f"record.{self.parts[0]}[{self.parts[1]}]"
        return ".".join((self.kind.value, *self.parts))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Address):
            return NotImplemented
        return address_sort_key(str(self)) < address_sort_key(str(other))

    @property
    def source_key(self) -> SourceKey:
        """The source key of a record address (``AddressError`` for other kinds)."""
        if self.kind is not AddressKind.RECORD:
            raise AddressError(f"{self} is not a record address")
        return parse_source_key(self.parts[1])


def _parse_record(text: str) -> Address:
    rest = text[len("record.") :]
    bracket = rest.find("[")
    if bracket < 0 or not rest.endswith("]"):
        raise AddressError(f"invalid record address {text!r} (expected record.<mapping>[<key>])")
    mapping = _check(_MAPPING, rest[:bracket], "mapping name")
    key = parse_source_key(rest[bracket + 1 : -1])
    return Address(AddressKind.RECORD, (mapping, str(key)))


def parse_address(text: str) -> Address:
    """Parse an address; raises :class:`AddressError` naming the part that is wrong."""
    head, dot, _rest = text.partition(".")
    try:
        kind = AddressKind(head)
    except ValueError:
        kinds = ", ".join(k.value for k in AddressKind)
        raise AddressError(
            f"invalid address {text!r} (it must start with one of {kinds})"
        ) from None
    if not dot:
        raise AddressError(f"invalid address {text!r} (nothing after {head!r})")
    if kind is AddressKind.RECORD:
        return _parse_record(text)
    parts = tuple(text.split(".")[1:])
    if len(parts) != _SEGMENTS[kind]:
        raise AddressError(f"invalid {kind.value} address {text!r} (wrong number of parts)")
    for index, part in enumerate(parts):
        if kind in (AddressKind.MAPPING, AddressKind.LINK) and index == 0:
            _check(_MAPPING, part, "mapping name")
        elif kind is AddressKind.OPTION and index == 2:
            _check(_OPTION_VALUE, part, "option value")
        else:
            _check(_NAME, part, "name")
    return Address(kind, parts)


def format_address(address: Address) -> str:
    """The canonical text of ``address`` (the inverse of :func:`parse_address`)."""
    return str(address)


def object_address(obj: str) -> str:
    """``object.<obj>``."""
    return str(parse_address(f"object.{obj}"))


def field_address(obj: str, field: str) -> str:
    """``field.<obj>.<field>``."""
    return str(parse_address(f"field.{obj}.{field}"))


def relation_address(obj: str, field: str) -> str:
    """``relation.<obj>.<field>``."""
    return str(parse_address(f"relation.{obj}.{field}"))


def option_address(obj: str, field: str, value: str) -> str:
    """``option.<obj>.<field>.<VALUE>``."""
    return str(parse_address(f"option.{obj}.{field}.{value}"))


def mapping_address(mapping: str) -> str:
    """``mapping.<mapping>``: the record phase of one mapping."""
    return str(parse_address(f"mapping.{mapping}"))


def link_address(mapping: str, field: str) -> str:
    """``link.<mapping>.<field>``: a second-pass link of one mapping."""
    return str(parse_address(f"link.{mapping}.{field}"))


def record_address(mapping: str, key: str | SourceKey) -> str:
    """``record.<mapping>[<system>:<object>:<id>]``."""
    _check(_MAPPING, mapping, "mapping name")
    text = str(key) if isinstance(key, SourceKey) else str(parse_source_key(key))
    return f"record.{mapping}[{text}]"


def address_kind(text: str) -> AddressKind:
    """The kind of an address, read from its prefix only (no full validation)."""
    try:
        return AddressKind(text.partition(".")[0])
    except ValueError:
        raise AddressError(f"invalid address {text!r} (unknown kind)") from None


def address_sort_key(text: str) -> tuple[int, str]:
    """The total-order key of an address: (kind rank, text)."""
    return (KIND_RANK[address_kind(text)], text)


def sort_addresses(addresses: Iterable[str]) -> list[str]:
    """``addresses`` in the total order (schema first, then phases, then records)."""
    return sorted(addresses, key=address_sort_key)
