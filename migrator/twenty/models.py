"""The typed, frozen results the Twenty client returns.

Two kinds of model live here. *Wire models* (:class:`WireModel` subclasses) are parsed from
Twenty's JSON: they accept Twenty's camelCase keys, ignore keys this tool does not use (Twenty adds
keys between versions) and never print the input they failed on. *Outcome models* describe what a
client call did (a batch's created rows, the rows that were already there, the rows refused with
their reason, the extra requests spent). All are immutable; records themselves are plain JSON
objects (``dict[str, Any]``) because their fields are the workspace's own.
"""

from __future__ import annotations

import enum
from typing import Any

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from migrator.model import FrozenModel

#: One record as Twenty returns it: a JSON object keyed by field name.
Record = dict[str, Any]


class WireModel(FrozenModel):
    """Base of models parsed from Twenty: camelCase aliases, unknown keys ignored."""

    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True)


class SelectOption(WireModel):
    """One option of a SELECT or MULTI_SELECT field. ``id`` is ``None`` for a new option."""

    value: str
    """UPPER_SNAKE_CASE value stored in records."""
    label: str
    color: str | None = None
    position: int | None = None
    id: str | None = None
    """Twenty's id of an existing option; keep it when sending the list back (capture 84)."""


class FieldMetadata(WireModel):
    """A field of an object, standard or custom, as the metadata API describes it."""

    id: str
    object_metadata_id: str | None = None
    name: str
    label: str
    type: str
    """A ``migrator.catalogue.FieldType`` value (kept a string: newer servers add types)."""
    description: str | None = None
    icon: str | None = None
    is_custom: bool = False
    is_active: bool = True
    is_system: bool = False
    is_nullable: bool | None = None
    is_unique: bool | None = None
    default_value: Any = None
    options: tuple[SelectOption, ...] | None = None
    settings: dict[str, Any] | None = None
    """Type settings; for a RELATION: ``relationType``, ``joinColumnName``, ``onDelete``."""


class ObjectMetadata(WireModel):
    """An object (standard or custom) with its fields."""

    id: str
    name_singular: str
    name_plural: str
    label_singular: str
    label_plural: str
    description: str | None = None
    icon: str | None = None
    is_custom: bool = False
    is_active: bool = True
    is_system: bool = False
    fields: tuple[FieldMetadata, ...] = ()

    def field(self, name: str) -> FieldMetadata | None:
        """The field named ``name``, or ``None``."""
        return next((f for f in self.fields if f.name == name), None)


class FullName(WireModel):
    """Twenty's FULL_NAME composite."""

    first_name: str = ""
    last_name: str = ""


class WorkspaceMember(WireModel):
    """A member of the workspace (owners are mapped to members by ``user_email``)."""

    id: str
    user_email: str | None = None
    name: FullName = FullName()
    user_id: str | None = None


class UploadedFile(WireModel):
    """A file stored by ``uploadFilesFieldFile``; attach it with ``{"fileId": id, "label": …}``."""

    id: str
    path: str
    size: int | None = None
    created_at: str | None = None
    url: str | None = Field(default=None, repr=False)
    """A signed download URL: it carries a token, so it is never printed or logged."""


class RecordPage(FrozenModel):
    """One page of a list request."""

    records: tuple[Record, ...]
    total_count: int | None
    has_next_page: bool
    end_cursor: str | None


class RestorePath(enum.StrEnum):
    """Which REST restore route the server answers (twenty-api.md §3.1)."""

    V2_15 = "2.15"
    """``PATCH /rest/restore/{plural}?filter=…``."""
    UPSTREAM = "upstream"
    """``PATCH /rest/{plural}/restore?filter=…``."""


class FailureKind(enum.StrEnum):
    """Why Twenty refused one row (the quarantine's reason code)."""

    DUPLICATE = "duplicate"
    """Another record already holds one of the row's unique values (email, domain, a custom key)."""
    SOFT_DELETED_ID = "soft-deleted-id"
    """The row's own id belongs to a soft-deleted record (restore it instead of creating it)."""
    CONFLICT = "conflict"
    """An upsert matched two different records."""
    INVALID_VALUE = "invalid-value"
    """A value Twenty does not accept (type, option, email format, unknown field)."""
    MISSING_RELATION = "missing-relation"
    """A relation id points at no record (Twenty's 500 "Data validation error.")."""


class RowFailure(FrozenModel):
    """One row Twenty refused, isolated by bisection."""

    id: str | None
    """The row's client id (``None`` when the row carried none)."""
    index: int
    """Position of the row in the caller's batch."""
    kind: FailureKind
    status: int
    message: str
    """Twenty's message, scrubbed of the values it echoed."""


class BatchResult(FrozenModel):
    """What one batch create or upsert did, after recovery."""

    records: tuple[Record, ...]
    """Records Twenty returned for the rows written by this call (any order)."""
    already_present: tuple[str, ...] = ()
    """Client ids that were already in Twenty (an earlier send whose response was lost)."""
    failed: tuple[RowFailure, ...] = ()
    """Rows refused, each with its reason; every other row is written or already present."""
    requests: int = 1
    """Requests this batch cost, the first send included."""
    batch_index: int = 0
    """Position of the batch among those the caller submitted together."""

    @property
    def extra_requests(self) -> int:
        """Requests beyond the one a clean batch costs (lookups, re-sends, bisection)."""
        return self.requests - 1

    @property
    def written_ids(self) -> tuple[str, ...]:
        """Ids of the records this call wrote."""
        return tuple(str(r["id"]) for r in self.records if "id" in r)


class AuditEvent(FrozenModel):
    """One exchange with Twenty, reported to the audit hook. Never carries bodies or the key."""

    method: str
    path: str
    """URL path only: query strings can carry filter values and are left out."""
    status: int | None
    """HTTP status, or ``None`` when no response arrived (timeout, dropped connection)."""
    duration_s: float
    record_count: int
    """Records sent (writes) or returned (reads)."""
    attempt: int
    """1 for the first send, 2+ for retries of the same request."""
    error: str | None = None
    """The transport failure's class name when no response arrived."""


class ClientStats(FrozenModel):
    """Counters since the client was made (for the apply summary and benches)."""

    requests: int = 0
    data_requests: int = 0
    rate_limited: int = 0
    retries: int = 0
    transport_errors: int = 0
    recovery_requests: int = 0
    """Lookups, re-sends and bisection requests spent recovering batches."""
