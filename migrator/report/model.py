"""The hand-off report as data: what the migration did, and what the customer's admin must do.

A :class:`HandoffReport` is a view of the state (runs with their per-phase reconciliation, the
record map's counts, the quarantine, the holds and the owner queue) joined with the bundle and
the spec for the lists the guides ask for at hand-off: locked records, the joint-opportunity
mapping table, renumbered invoices, care-plan instalment schedules awaiting sign-off, and every
lossy mapping. Values appear only where the spec says they are not sensitive; otherwise rows
name records by key.
"""

from __future__ import annotations

from pydantic import Field

from migrator.model import FrozenModel
from migrator.state import OwnerQueueEntry, PhaseCounts, QuarantineEntry, RecordCount


class RunSummary(FrozenModel):
    """One run of the journal and its per-phase reconciliation."""

    run_id: str
    kind: str
    status: str
    started_at: str
    finished_at: str | None
    plan_digest: str
    phases: tuple[PhaseCounts, ...]

    @property
    def is_balanced(self) -> bool:
        """True when every phase accounts for every source record."""
        return all(p.is_balanced for p in self.phases)


class HeldGroup(FrozenModel):
    """Held records of one mapping for one reason."""

    mapping: str
    code: str
    count: int
    examples: tuple[str, ...]
    """Source keys of the first few."""


class LockedRecord(FrozenModel):
    """A record locked (read-only) in the source, and where it is in Twenty."""

    mapping: str
    source_key: str
    twenty_object: str
    twenty_id: str | None
    """None when the record is not in Twenty (quarantined, held, not yet applied)."""
    state: str
    """``written``, ``merged``, ``restored``, ``adopted``, ``quarantined``, ``held`` or
    ``not applied``."""


class LockedSection(FrozenModel):
    """Locked records per object, the field carrying the flag, and how to restrict editing."""

    flag_fields: dict[str, str]
    """Twenty object → the field holding the flag (``company`` → ``oplaLocked``); objects
    whose flag the spec does not carry are absent."""
    records: tuple[LockedRecord, ...]
    instructions: tuple[str, ...]


class JointLink(FrozenModel):
    """One member of a co-selling group and the opportunity it is linked to in Twenty."""

    group: str
    """The OplaCRM ``opportunities_joint_id`` (a group UUID, not personal data)."""
    source_key: str
    twenty_id: str | None
    linked_source_key: str | None
    """The member it points at (the spec's pick), or None for a group of one."""
    linked_twenty_id: str | None


class JointSection(FrozenModel):
    """The joint-opportunity mapping table for manual recreation or review."""

    field: str | None
    """The Twenty field written (a self relation, or the text fallback), None when not mapped."""
    mode: str
    """``relation``, ``text`` (the guide's fallback) or ``not mapped``."""
    links: tuple[JointLink, ...]


class RenumberedRecord(FrozenModel):
    """A record whose number the migration changed (the ``opla_`` invoice prefix)."""

    mapping: str
    field: str
    source_key: str
    source_value: str | None
    """The original number; None when the value is sensitive."""
    twenty_value: str | None
    twenty_id: str | None


class CarePlanSchedule(FrozenModel):
    """A care plan whose instalment schedule needs manual sign-off before it is recreated."""

    source_key: str
    instalments: int = Field(ge=0)


class LossyMapping(FrozenModel):
    """Something that does not arrive in Twenty as it was in the source."""

    topic: str
    """``healthscore``, ``locked``, ``custom field``, ``renamed``, ``folded``, ``skipped`` …"""
    source: str
    """The source object and path (``accounts.healthscore``)."""
    target: str
    """Where it lands (``company.oplaHealthscore``), or ``not migrated``."""
    note: str
    flagged_by_guide: bool = False
    """The guide marks this mapping ``lossy``."""


class HandoffReport(FrozenModel):
    """Everything the hand-off needs, from the state, the spec and the bundle."""

    spec_name: str
    system: str
    state_location: str | None
    """The state file, or None when nothing was applied yet."""
    lineage: str | None = None
    serial: int = 0
    runs: tuple[RunSummary, ...] = ()
    record_counts: tuple[RecordCount, ...] = ()
    quarantine: tuple[QuarantineEntry, ...] = ()
    held: tuple[HeldGroup, ...] = ()
    owner_queue: tuple[OwnerQueueEntry, ...] = ()
    locked: LockedSection
    joint: JointSection | None = None
    renumbered: tuple[RenumberedRecord, ...] = ()
    care_plans: tuple[CarePlanSchedule, ...] = ()
    lossy: tuple[LossyMapping, ...] = ()
