"""The records of the state: frozen values read from and written to a state store.

The state is a store, not one document (style.md 3.3): these models are its rows. Each is a
:class:`~migrator.model.FrozenModel`, so it is immutable, refuses unknown keys and never echoes
its input in a validation error (pre-images may hold personal data). Maps are keyed by address
(:mod:`migrator.addresses`) and every collection a reader returns is in address order.

Invariants a planner or apply may rely on are stated on each field. Nothing here is local-only
(the lock lives in :mod:`migrator.state.lock`), so everything below is part of ``state show
--json`` and of the content whose changes bump the serial.
"""

from __future__ import annotations

import enum
import re
from typing import NamedTuple, Self

from pydantic import Field, JsonValue, field_validator, model_validator

from migrator.addresses import record_address
from migrator.model import FrozenModel, sha256_hex

CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
REASON_MAX_LENGTH = 500


def _check_record_address(address: str, mapping: str, source_key: str) -> None:
    if address != record_address(mapping, source_key):
        raise ValueError("address must be record.<mapping>[<source_key>]")


class Destination(FrozenModel):
    """The Twenty workspace a state is bound to (DESIGN.md, Binding)."""

    base_url: str
    """Base URL as normalised by :func:`normalize_base_url` (``sandbox:PATH`` for the sandbox)."""
    workspace_id: str
    """The workspace id the API key's token names (or the sandbox's own)."""


def normalize_base_url(url: str) -> str:
    """The comparable form of a base URL: scheme and host lower-cased, trailing ``/`` dropped.

    ``sandbox:`` URLs name a file and are kept as written apart from surrounding spaces.
    """
    url = url.strip()
    match = re.match(r"^(https?)://([^/]+)(.*)$", url, flags=re.IGNORECASE)
    if not match:
        return url
    scheme, host, rest = match.groups()
    return f"{scheme.lower()}://{host.lower()}{rest.rstrip('/')}"


class StateMeta(FrozenModel):
    """The header of a state: format, writer, lineage, serial, migration and destination."""

    format_version: int
    """The schema version of the store; a newer one than this migrator knows is refused."""
    migrator_version: str
    """The migrator version of the last committed write ("" before the first write)."""
    lineage: str | None
    """uuid4 minted on the first committed write and never changed; ``None`` for an empty state."""
    serial: int
    """+1 on every committed write whose content changed; 0 for an empty state."""
    migration_name: str | None = None
    """The spec's ``name`` this state was written for (set by the first bind)."""
    namespace: str | None = None
    """The UUID namespace of the deterministic ids (:mod:`migrator.identity`); never changes."""
    destination: Destination | None = None
    """The workspace this state belongs to (set by the first bind, never changed)."""
    sample: int | None = None
    """The size asked of the sample migration the state's records come from (``apply
    --sample N``, :mod:`migrator.sample`); ``None`` (the default, and every state written before
    samples existed) when they come from full runs or the state holds none. Destroy clears it."""

    @property
    def is_empty(self) -> bool:
        """True before the first committed write."""
        return self.lineage is None


class SchemaKind(enum.StrEnum):
    """Kinds of schema resource the state remembers."""

    OBJECT = "object"
    FIELD = "field"
    RELATION = "relation"
    OPTION = "option"
    """A SELECT option added to a field migrator did not create (e.g. opportunity ``stage``)."""


class SchemaResource(FrozenModel):
    """A piece of Twenty's data model migrator created or changed."""

    address: str
    """``object.…``, ``field.…``, ``relation.…`` or ``option.…`` (the key)."""
    kind: SchemaKind
    twenty_id: str | None
    """The metadata id (object or field id; for an option, the id of the field it was added to)."""
    created_by_us: bool
    """True: destroy drops it. False: it pre-existed and only ``options_before`` is put back."""
    options_before: tuple[dict[str, JsonValue], ...] | None = None
    """For an option: the field's whole option list just before migrator added it, as Twenty
    returned it; destroy writes the earliest one back. ``None`` for other kinds."""
    run_id: str | None = None
    """The run that recorded it (``None`` when recorded outside a run, e.g. by ``state import``)."""


class RecordStatus(enum.StrEnum):
    """How a record in the record map came to be in Twenty."""

    WRITTEN = "written"
    """Created by migrator with its deterministic id; destroy deletes it."""
    MERGED = "merged"
    """A pre-existing live record matched by a unique value and updated; destroy puts the
    pre-image back."""
    RESTORED = "restored"
    """A pre-existing soft-deleted record matched by a unique value, restored and updated; destroy
    puts the pre-image back and soft-deletes it again."""
    ADOPTED = "adopted"
    """A record already in Twenty adopted by ``state import``; destroy deletes it."""


class PreImage(FrozenModel):
    """A pre-existing Twenty record as it was just before migrator first wrote into it."""

    values: dict[str, JsonValue]
    """The record as Twenty returned it (may hold personal data: never rendered by default)."""
    updated_at: str | None
    """Its ``updatedAt`` then, written back by destroy."""
    deleted_at: str | None
    """Its ``deletedAt`` then (non-null for a restored record), written back by destroy."""


class RecordEntry(FrozenModel):
    """One source record that is in Twenty because of migrator (the record map)."""

    address: str
    """``record.<mapping>[<source key>]``; always equals ``record_address(mapping, source_key)``."""
    mapping: str
    source_key: str
    """``system:object:id``: the source record's identity."""
    twenty_object: str
    """The Twenty object's singular name (``company``, ``person``, ``oplaInvoice``)."""
    twenty_id: str
    """The record's id in Twenty (deterministic for written records, Twenty's for merged ones)."""
    payload_digest: str
    """``sha256:…`` of the exact payload last written; delta compares it with the new one."""
    status: RecordStatus
    pre_image: PreImage | None = None
    """Required for merged and restored records, absent otherwise."""
    run_id: str | None = None
    """The run that last wrote it (a batch stamps its own run id when this is ``None``)."""
    file_ids: tuple[str, ...] = ()
    """Ids of files uploaded for its attachments (sorted, unique); destroy deletes them."""

    @field_validator("file_ids")
    @classmethod
    def _sorted_unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_record_address(self.address, self.mapping, self.source_key)
        needs_pre_image = self.status in (RecordStatus.MERGED, RecordStatus.RESTORED)
        if needs_pre_image != (self.pre_image is not None):
            raise ValueError("merged and restored records, and only they, carry a pre-image")
        return self


class RecordDigest(NamedTuple):
    """The few columns of a record a planner compares, without the cost of a model.

    What :meth:`~migrator.state.store.StateReader.record_digests` yields: at a million records a
    tuple is several times cheaper than a :class:`RecordEntry`, and immutable all the same.
    """

    address: str
    source_key: str
    twenty_id: str
    payload_digest: str
    status: RecordStatus


class CursorState(FrozenModel):
    """A delta cursor for one source stream, in dlt's shape (style.md 3.3, Cursors)."""

    stream: str
    """The source stream (``oplacrm:contacts``); the key."""
    cursor_field: str
    """The source field the cursor follows (``updated_at``)."""
    initial_value: JsonValue = None
    """Where the first run started (``None``: from the beginning); set once, when created."""
    last_value: JsonValue = None
    """Where the next delta starts (inclusive: boundary keys are skipped)."""
    boundary_keys: tuple[str, ...] = ()
    """Source keys already applied *at* ``last_value`` (sorted, unique)."""
    updated_serial: int = 0
    """The serial of the write that last moved this cursor (set by the store)."""

    @field_validator("boundary_keys")
    @classmethod
    def _sorted_unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value)))


class RunKind(enum.StrEnum):
    """What a run did."""

    APPLY = "apply"
    DELTA = "delta"
    DESTROY = "destroy"
    SAMPLE = "sample"
    IMPORT = "import"


class RunStatus(enum.StrEnum):
    """How a run ended (``running`` while it runs, or forever if its process was killed)."""

    RUNNING = "running"
    COMPLETE = "complete"
    PARTIAL = "partial"
    FAILED = "failed"


class PhaseCounts(FrozenModel):
    """The reconciliation of one phase of a run: where every source record went."""

    phase: str
    """The graph node (``mapping.companies``, ``link.practices.parent``, ``schema``)."""
    source: int = Field(default=0, ge=0)
    written: int = Field(default=0, ge=0)
    merged: int = Field(default=0, ge=0)
    deduplicated: int = Field(default=0, ge=0)
    quarantined: int = Field(default=0, ge=0)
    held: int = Field(default=0, ge=0)
    skipped: int = Field(default=0, ge=0)

    @property
    def accounted(self) -> int:
        """Records accounted for by an outcome."""
        outcomes = (self.written, self.merged, self.deduplicated, self.quarantined, self.held)
        return sum(outcomes) + self.skipped

    @property
    def is_balanced(self) -> bool:
        """True when source = written + merged + deduplicated + quarantined + held + skipped."""
        return self.source == self.accounted


class RunEntry(FrozenModel):
    """One run in the journal."""

    run_id: str
    kind: RunKind
    plan_digest: str
    """``sha256:…`` of the plan file the run executed."""
    started_at: str
    """ISO-8601 UTC (``…Z``), from the injected clock."""
    finished_at: str | None = None
    status: RunStatus = RunStatus.RUNNING
    phases: tuple[PhaseCounts, ...] = ()
    """Per phase, in the order the run first recorded them."""
    first_serial: int
    """The serial of the write that started the run."""
    last_serial: int
    """The serial of the run's latest write: the run wrote every serial in between (the lock
    keeps runs from interleaving), which is how apply tells its own writes from others'."""
    migrator_version: str


class QuarantineEntry(FrozenModel):
    """A source record that is not in Twenty because it failed a check or was rejected."""

    address: str
    mapping: str
    source_key: str
    code: str = Field(pattern=CODE_PATTERN)
    """Machine-readable reason (``invalid_nhs_number``, ``rejected_by_twenty``, …)."""
    reason: str = Field(max_length=REASON_MAX_LENGTH)
    """Scrubbed human text: the caller guarantees it holds no sensitive value."""
    run_id: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_record_address(self.address, self.mapping, self.source_key)
        return self


class HoldEntry(FrozenModel):
    """A source record held back: its owner is unresolved, or a record it needs is not written."""

    address: str
    mapping: str
    source_key: str
    code: str = Field(pattern=CODE_PATTERN)
    """``owner_unresolved``, ``parent_not_written``, …"""
    reason: str = Field(max_length=REASON_MAX_LENGTH)
    """Scrubbed human text: the caller guarantees it holds no sensitive value."""
    blocked_by: str = ""
    """The owner's source key, or the address of the record it waits for."""
    owner_email_hash: str | None = None
    """:func:`owner_email_hash` of the unresolved owner's email (never the email itself)."""
    run_id: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_record_address(self.address, self.mapping, self.source_key)
        return self


class OwnerQueueEntry(FrozenModel):
    """One unresolved owner and how many records wait for them (derived from the holds)."""

    owner_key: str
    owner_email_hash: str | None
    records_held: int
    code: str


class RecordCount(FrozenModel):
    """How many records of one mapping have one status."""

    mapping: str
    status: RecordStatus
    count: int


def owner_email_hash(email: str) -> str:
    """``sha256:…`` of an email, trimmed and lower-cased: lets the owner queue match without
    storing the address."""
    return "sha256:" + sha256_hex(email.strip().lower())
