"""The standard map: how each known source object lands in Twenty, before any guessing.

A :class:`StandardMap` says, for one source object, the mapping's name, the Twenty object (and
the ``create`` block of a custom object), the standard Twenty fields and where their values come
from, the source fields those consume, the fields deliberately not proposed (with why), and
whatever the guide prescribes beyond that (match rules, a discriminator, note targets, options
added to a standard field, a few named custom fields). Everything else of the object becomes a
guessed custom field (:mod:`migrator.init.infer`). :class:`SystemMap` adds the owners, the
objects skipped (with reasons) and the provenance of one source system.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CustomField:
    """A custom field the guide names (not guessed): its schema entry and its mapping."""

    name: str
    schema: dict[str, Any]
    value: Any
    comment: str


@dataclass(frozen=True)
class StandardMap:
    """One source object's place in Twenty, as the guide describes it."""

    source: str
    mapping: str
    target: str
    comment: str
    fields: dict[str, Any] = field(default_factory=dict)
    """Standard Twenty field → its mapping, in spec form."""
    consumed: frozenset[str] = frozenset()
    """Source fields the standard fields (or the named custom fields) use up."""
    ignored: dict[str, str] = field(default_factory=dict)
    """Source fields not proposed, with the reason (shown as comments)."""
    create: dict[str, str] | None = None
    """The ``create`` block of a custom object (``name_plural``, labels)."""
    custom: tuple[CustomField, ...] = ()
    match: tuple[Any, ...] = ()
    """Match rules in spec form; ``@path`` stands for the custom field proposed for that source
    path."""
    discriminator: tuple[str, str] | None = None
    targets: tuple[dict[str, Any], ...] = ()
    add_options: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    on_source_delete: str | None = None
    guess_rest: bool = True
    """Propose a custom field for every other source field."""


@dataclass(frozen=True)
class SystemMap:
    """Everything standard about one source system."""

    system: str
    name: str
    """The proposed migration name."""
    timezone: str
    currency: str
    created_by: str
    prefix: str
    """The prefix of guessed custom fields on standard objects (``opla``), or ``""``."""
    region: str
    """The default phone region."""
    owners: dict[str, Any]
    objects: tuple[StandardMap, ...]
    skip: dict[str, dict[str, Any]]
    """Source objects not mapped: name → ``{reason, inventory}``."""
    discriminator_field: dict[str, Any] | None = None
    """The SELECT that tells apart several mappings into one object (AeronaClinic)."""
