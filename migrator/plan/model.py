"""The plan document: what a run will do, computed once, reviewed, then executed exactly.

A plan is data (style.md 3.1): a frozen :class:`PlanHeader` (everything a reviewer reads: what the
plan was made against, schema changes, counts, warnings, the API budget, bounded samples) plus a
stream of :class:`RecordChange` lines in apply order. Record changes are streamed rather than held
in one tuple so a 1,000,000-record plan stays within memory; :mod:`migrator.plan.planfile` writes
both into one deterministic file.

Nothing in a plan is wall-clock time, a secret, or a sensitive value: sensitive fields appear only
as markers (``FieldDiff.sensitive``), and digests are of whole payloads (never of one short value
that could be reversed by guessing).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from migrator.model import Action, FrozenModel
from migrator.twenty.identity import (  # plans bind the destination as the client names it
    DestinationIdentity as DestinationIdentity,
)

PLAN_FORMAT_VERSION = 1

PlanKind = Literal["apply", "delta", "destroy", "sample"]

SENSITIVE_MARKER = "(sensitive)"

#: Quarantine and hold entries kept in a plan header (each); the file holds the whole quarantine.
HEADER_OUTCOMES = 1_000


class PriorState(FrozenModel):
    """The state a plan was made against; apply refuses when the state has moved on."""

    lineage: str
    """The state's lineage (uuid4, never changes for one state)."""
    serial: int
    """The state's serial when the plan was made."""


class SourceFingerprint(FrozenModel):
    """Which source data a plan was made from; apply refuses when it changed."""

    system: str
    digest: str
    """``sha256:…`` of the bundle manifest (every file's sha256 and record count)."""
    records: dict[str, int] = Field(default_factory=dict)
    """Record count per source object, for the reader; the digest is what binds."""


class FieldDiff(FrozenModel):
    """One field that an update or merge changes. Sensitive fields carry no values."""

    path: str
    """Dotted path in the Twenty payload (``emails.primaryEmail``)."""
    before: Any = None
    """The value Twenty holds now (``None`` when sensitive or absent)."""
    after: Any = None
    """The value that will be written (``None`` when sensitive)."""
    sensitive: bool = False
    """True: the values are withheld; renderers show a marker."""


class SchemaChange(FrozenModel):
    """A change to Twenty's data model: a custom object, field, relation, or options added.

    ``before`` is the current definition (for options on a standard field: the option list as it
    is, which destroy puts back); ``after`` is the metadata payload apply will send.
    """

    address: str
    action: Action
    kind: Literal["object", "field", "relation", "options"]
    twenty_object: str
    name: str
    reason: str
    """For humans only; apply must not branch on it."""
    before: Any = None
    after: Any = None


class RecordChange(FrozenModel):
    """One record apply will write (or leave alone).

    ``action`` is create (a new record with the deterministic ``twenty_id``), update (a record
    migrator owns whose payload changed), merge (a pre-existing Twenty record matched by a unique
    value; ``existing_id`` names it and its pre-image is read just before writing), restore (a
    soft-deleted record matched by a unique value), delete, or no-op. ``payload_digest`` covers
    the exact payload apply will send; apply recomputes it and refuses on any difference.
    """

    address: str
    mapping: str
    source_key: str
    twenty_object: str
    twenty_id: str
    action: Action
    reason: str
    """For humans only; apply must not branch on it."""
    payload_digest: str
    phase: str
    """The graph node this change belongs to (a mapping or a second-pass link node)."""
    existing_id: str | None = None
    """The Twenty id of a record migrator did not create: the record a merge or restore lands
    on, and the same record in every later change of it. ``None`` when the record has (or will
    have) the deterministic ``twenty_id``. Payloads pointing at ``twenty_id`` are resolved to
    it (:mod:`migrator.plan.payloads`)."""
    field_diffs: tuple[FieldDiff, ...] = ()
    """Fields an update, merge or restore changes, when the planner read the record's current
    values (a bounded sample per mapping, or every record with ``--refresh``)."""


class QuarantineEntry(FrozenModel):
    """A source record that will not be written, with a reason free of sensitive values."""

    address: str
    mapping: str
    source_key: str
    code: str
    """Machine-readable reason (``invalid_nhs_number``, ``orphan_reference``, …)."""
    reason: str


class HoldEntry(FrozenModel):
    """A source record held back: its owner is unresolved, or a record it needs is not written."""

    address: str
    mapping: str
    source_key: str
    code: str
    """``owner_unresolved`` or ``parent_not_written`` (the mapper may name finer causes)."""
    reason: str
    blocked_by: str = ""
    """The address (or owner key) that holds it back."""


class PlanWarning(FrozenModel):
    """Something a reviewer must see that does not stop the plan (locked records, collisions)."""

    code: str
    message: str
    addresses: tuple[str, ...] = ()
    """A bounded list of examples; ``count`` says how many there are in all."""
    count: int = 0


class MappingCounts(FrozenModel):
    """Per mapping: where every source record goes. ``source`` equals the sum of the rest."""

    mapping: str
    twenty_object: str
    source: int = 0
    create: int = 0
    update: int = 0
    merge: int = 0
    restore: int = 0
    delete: int = 0
    noop: int = 0
    quarantined: int = 0
    held: int = 0
    deduplicated: int = 0
    skipped: int = 0
    aggregated: int = 0
    """Rows folded into another mapping's records (consents into patients); they are source
    rows of this mapping's object, accounted for by the record they were folded into."""
    links: int = 0
    """Second-pass link writes of this mapping's records (not source rows; outside the sum).
    Note/task targets are a mapping of their own (``<mapping>-targets``), counted like one."""

    @property
    def accounted(self) -> int:
        """Records accounted for; equals ``source`` when nothing is lost."""
        return (
            self.create
            + self.update
            + self.merge
            + self.restore
            + self.noop
            + self.quarantined
            + self.held
            + self.deduplicated
            + self.skipped
            + self.aggregated
        )

    @property
    def is_balanced(self) -> bool:
        """True when ``source`` equals the records accounted for."""
        return self.source == self.accounted


class ApiBudget(FrozenModel):
    """What the plan cost to make and what applying it will cost, at the destination's limit."""

    requests: dict[str, int] = Field(default_factory=dict)
    """Requests apply needs, by kind (``metadata``, ``batch_create``, ``batch_upsert``, …)."""
    total_requests: int = 0
    rate_limit_per_minute: int = 100
    estimated_seconds: float = 0.0
    """``total data requests / rate × 60`` (metadata calls are not rate-limited)."""
    reads_for_plan: int = 0
    """Data requests the plan itself made against Twenty."""
    metadata_reads_for_plan: int = 0
    """Metadata requests the plan made (not rate-limited)."""


class SamplePayload(FrozenModel):
    """A bounded sample of what will be written, for reviewers; sensitive values are markers."""

    address: str
    action: Action
    payload: dict[str, Any]


class PlanHeader(FrozenModel):
    """Everything about a plan except its record changes (which stream after it in the file)."""

    format_version: int = PLAN_FORMAT_VERSION
    migrator_version: str
    kind: PlanKind = "apply"
    name: str
    """The migration's name (from the spec)."""
    spec: dict[str, Any]
    """The spec, embedded as canonical JSON data: apply runs this, not a file on disk."""
    spec_digest: str
    namespace: str = ""
    """The UUID namespace of the deterministic ids (:mod:`migrator.identity`): a record change
    line may leave out a ``twenty_id`` that is ``uuid5(namespace, source_key)``, and readers
    put it back (:mod:`migrator.plan.planfile`). Empty: every line carries its id."""
    spec_dir: str = ""
    """The absolute directory the spec's relative paths (bundle, state, sandbox) resolve
    against: where the spec file was when the plan was made."""
    source: SourceFingerprint | None
    destination: DestinationIdentity
    prior_state: PriorState | None
    """``None`` for a plan made with no state: it applies only while there is still none."""
    targets: tuple[str, ...] = ()
    """Mappings the plan was limited to (``--target``); empty means all."""
    schema_changes: tuple[SchemaChange, ...] = ()
    phases: tuple[str, ...] = ()
    """Graph nodes in apply order; record changes come in this order."""
    counts: tuple[MappingCounts, ...] = ()
    quarantine: tuple[QuarantineEntry, ...] = ()
    """The quarantine in apply order, complete unless ``quarantine_total`` says more: a large
    one is cut to :data:`HEADER_OUTCOMES` entries here and is whole in the plan file's outcomes
    section (:func:`migrator.plan.planfile.iter_plan_outcomes`)."""
    holds: tuple[HoldEntry, ...] = ()
    """The first held records in apply order (``holds_total`` says how many there are). Holds
    beyond these are not stored anywhere in the plan: a million-record plan may hold as many
    (an owner not invited holds every record of theirs and their dependants), which would not
    fit the file, and apply recomputes every row's outcome anyway (the counts bind them)."""
    quarantine_total: int = 0
    """Every quarantined record of the plan (``len(quarantine)`` when nothing was cut)."""
    holds_total: int = 0
    """Every held record of the plan (``len(holds)`` when nothing was cut)."""
    warnings: tuple[PlanWarning, ...] = ()
    budget: ApiBudget = ApiBudget()
    samples: tuple[SamplePayload, ...] = ()
    record_change_count: int = 0
    """How many record-change lines follow the header (no-ops excluded)."""
    errored: bool = False
    """An errored plan can be shown, never applied."""

    @property
    def outcomes_cut(self) -> bool:
        """True when the header lists only part of the quarantine or the holds."""
        return self.quarantine_total > len(self.quarantine) or self.holds_total > len(self.holds)

    @property
    def has_changes(self) -> bool:
        """True when applying would change Twenty."""
        return bool(self.schema_changes) or self.record_change_count > 0
