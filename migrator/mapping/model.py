"""What the mapper produces: desired Twenty records and the fate of every source row.

The mapper (:mod:`migrator.mapping`) turns source rows into these values, mapping by mapping in
graph order; the planner diffs them against the state and Twenty; apply recomputes them and
checks their digests against the plan. They are the contract between those three.

They are frozen dataclasses with slots rather than pydantic models because a plan of 1,000,000
records creates millions of them on the hot path; they are never persisted as they are (the plan
and the state store their own documents).

Guarantees every producer keeps:

* ``payload`` is exactly the JSON body apply sends for a create (Twenty field names; composite
  values in Twenty's shapes; foreign keys as ``<field>Id`` with the deterministic ids of their
  targets; ``id``, ``createdAt``, ``createdBy`` and the provenance field included), and
  ``payload_digest`` is :func:`migrator.model.digest` of it. Second-pass links are not in it.
* Every source row of a mapped object yields exactly one :class:`DesiredRecord` or one
  :class:`RowOutcome` per mapping that reads it, so conservation holds by construction.
* Nothing here carries a sensitive value outside ``payload``: reasons and codes name fields and
  records, never values. ``sensitive_fields`` names the payload's sensitive top-level fields.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from migrator.model import fast_init


class Fate(enum.StrEnum):
    """What happened to a source row that did not become a record to write."""

    QUARANTINED = "quarantined"
    """Invalid (bad NHS number, unmapped value with ``default: error``, orphan reference…)."""
    HELD = "held"
    """Waiting: its owner has no workspace member (``hold``), or a record it needs is unwritten."""
    DEDUPLICATED = "deduplicated"
    """Another source row of the same mapping carries the same unique value and wins."""
    SKIPPED = "skipped"
    """Deliberately not migrated (a ``skip`` entry, a child whose ``where`` does not hold)."""
    AGGREGATED = "aggregated"
    """Folded into another mapping's record (consents, histories per patient)."""


@fast_init
@dataclass(frozen=True, slots=True)
class Link:
    """A relation written in a second pass, once both records exist (self references, cycles).

    Apply sends it as a batch upsert ``{id: record_id, <field>Id: target_id}``. A link to a
    mapping that had not run when its record was made names the raw target: once every mapping
    has run, :meth:`migrator.mapping.Mapper.resolve_link` gives the link to write (retargeted at
    the winner of a deduplicated target) or None when the target is not written.
    """

    field: str
    """The relation field (``oplaParentCompany``); the payload key is ``<field>Id``."""
    target_address: str
    target_id: str


@dataclass(frozen=True, slots=True)
class FileRef:
    """A bundle file to upload for a FILES field (``attachment.file``) before the record, or an
    image embedded in a RICH_TEXT field (``inline``).

    The FILES field itself is not in the record's payload (its file id exists only after the
    upload): apply uploads the file and adds ``{<field>: [{"fileId": <id>, "label": label}]}``.
    """

    field: str
    bundle_path: str
    """Path relative to the bundle root."""
    size: int
    sha256: str
    """The file's sha256 as its bundle name states it (empty when the name is not one)."""
    label: str
    media_type: str = ""
    """The MIME type the bundle declares for the file (empty: none); sent with the upload."""
    inline: str = ""
    """For an image embedded in the RICH_TEXT ``field`` (:mod:`migrator.mapping.inline_images`):
    the link target as the markdown writes it, which apply replaces by the uploaded file's URL
    (the file is attached to the record through an ``attachment``, as Twenty's editor does).
    Empty for a file of a FILES field."""


@fast_init
@dataclass(frozen=True, slots=True)
class UniqueValue:
    """A value Twenty enforces uniqueness on, normalised as Twenty compares it.

    ``path`` is the Twenty field or sub-field (``emails.primaryEmail``,
    ``domainName.primaryLinkUrl``, ``oplaExternalId``); ``value`` is normalised (emails
    lower-cased; URLs as written, since Twenty compares them exactly).
    """

    path: str
    value: str


@fast_init
@dataclass(frozen=True, slots=True)
class DesiredRecord:
    """One Twenty record the spec wants, with its identity and exact payload."""

    mapping: str
    """The mapping (or child mapping) name that made it; ``<mapping>-targets`` for the
    ``noteTarget``/``taskTarget`` records of a note or task mapping."""
    address: str
    """``record.<mapping>[<source_key>]`` (:mod:`migrator.addresses`)."""
    source_key: str
    """The namespaced identity ``system:object:id``."""
    twenty_object: str
    """Singular Twenty object name."""
    twenty_id: str
    """The deterministic id (:mod:`migrator.identity`)."""
    payload: Mapping[str, Any]
    payload_digest: str
    sensitive_fields: frozenset[str] = frozenset()
    unique_values: tuple[UniqueValue, ...] = ()
    """Every unique value this record carries (for dedupe and merge/restore detection)."""
    match_keys: tuple[UniqueValue, ...] = ()
    """Values of the mapping's ``match`` rules that are not Twenty-unique (a name+address hash):
    they find pre-existing Twenty records to merge into, as planned ``merge`` changes."""
    depends_on: tuple[str, ...] = ()
    """Addresses of records this one's payload points at (written first; cascade on failure)."""
    links: tuple[Link, ...] = ()
    files: tuple[FileRef, ...] = ()
    owner_key: str | None = None
    """The source owner reference resolved for this record (for the owner queue), if any."""
    line: int = 0
    """Line of the source row in its bundle file (for messages)."""


@fast_init
@dataclass(frozen=True, slots=True)
class RowOutcome:
    """A source row (for one mapping) that yields no record to write, and why."""

    mapping: str
    address: str
    source_key: str
    fate: Fate
    code: str
    """Machine-readable reason: ``invalid_nhs_number``, ``unmapped_value``, ``orphan_reference``,
    ``owner_unresolved``, ``parent_not_written``, ``duplicate_email``, …"""
    reason: str
    """Human-readable reason naming the record and field, never a value."""
    blocked_by: str = ""
    """For held and deduplicated rows: the address (or owner key) responsible."""
    line: int = 0


@fast_init
@dataclass(frozen=True, slots=True)
class Finding:
    """A warning about a row that is still written (WARN/FIX findings, locked records, renames)."""

    mapping: str
    address: str
    code: str
    message: str
    """Names the record and field, never a value."""


@dataclass
class MappingResult:
    """Counts of one mapping's run through the mapper (a builder; read when the mapping is done)."""

    mapping: str
    twenty_object: str
    source_rows: int = 0
    desired: int = 0
    fates: dict[Fate, int] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    """Warning counts by code."""
