"""What the executor consumes and produces: desired writes, phase reports and the run's result.

Apply never re-decides anything (style.md 3.1): the plan says *what* to do to each address, and a
:class:`DesiredSource` recomputes *the bytes* to send (the mapper over the same source), which the
executor checks against the plan's digests before sending them. :class:`Desired` is that
recomputed write, for a record (its create payload) or for a second-pass link (``{id,
<field>Id}``); ``RowOutcome`` (from :mod:`migrator.mapping.model`) is a source row that yields no
write. Results are frozen: :class:`PhaseReport` is one phase's reconciliation and
:class:`ApplyResult` the whole run's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from migrator.mapping.model import FileRef, Link, RowOutcome
from migrator.model import FrozenModel
from migrator.state.model import PhaseCounts


@dataclass(frozen=True, slots=True)
class Desired:
    """One write recomputed from the source, as the mapper made it.

    ``payload`` is the mapper's desired payload (deterministic ids everywhere); the executor
    shapes the body it sends from it with :mod:`migrator.plan.payloads` — ids of records
    migrator merged into resolved, ``id`` and history keys set for merges — exactly as the
    planner did, and refuses the write when that body's digest is not the plan's. A second-pass
    link item carries ``link`` (the relation to set on the record ``twenty_id``) and the record's
    ``links`` (all of them: once the last is written the state stores the record's digest with
    its links). ``files`` are uploaded just before the record is created, their ids added to the
    body under each ``FileRef.field`` (file ids are not known at plan time, so they are outside
    the digest).
    """

    address: str
    mapping: str
    source_key: str
    twenty_object: str
    twenty_id: str
    payload: Mapping[str, Any]
    depends_on: tuple[str, ...] = ()
    files: tuple[FileRef, ...] = ()
    links: tuple[Link, ...] = ()
    link: Link | None = None
    rules: str = ""
    """Digest of the rule set (transforms, value maps, owner rule) that produced the payload."""


DesiredItem = Desired | RowOutcome


class DesiredSource(Protocol):
    """Recomputes the writes of one phase, in the same deterministic order the planner used.

    For ``mapping.<m>`` phases: one item per source row the mapping reads (a :class:`Desired`
    record or a :class:`~migrator.mapping.model.RowOutcome`); for ``link.<m>.<field>`` phases:
    one :class:`Desired` link per record of ``m`` that sets ``field`` in the second pass.
    """

    def phase_items(self, phase: str) -> Iterator[DesiredItem]:
        """The items of ``phase`` in planning order (a fresh pass over the source each call)."""
        ...

    def source_rows(self, phase: str) -> int | None:
        """Source rows the last :meth:`phase_items` pass of ``phase`` read (``None``: the items
        themselves are the rows)."""
        ...

    def phase_rules(self, phase: str) -> Mapping[str, Any]:
        """The rules that produce ``phase``'s payloads, described without any value."""
        ...

    @property
    def bundle_root(self) -> Path | None:
        """Where ``FileRef.bundle_path`` is relative to (``None``: the source has no files)."""
        ...


class PhaseReport(FrozenModel):
    """The reconciliation of one phase, as printed and stored in the run journal."""

    counts: PhaseCounts
    created: int = 0
    updated: int = 0
    linked: int = 0
    deleted: int = 0
    already_done: int = 0
    """Changes a previous run of the same plan had completed (resumed runs only)."""
    rejected: int = 0
    """Rows Twenty refused at apply (quarantined with a scrubbed reason)."""
    cascaded: int = 0
    """Rows held because a record they need was not written ("parent not written")."""
    requests: int = 0
    """Data requests this phase spent, recovery included."""
    seconds: float = 0.0

    @property
    def is_balanced(self) -> bool:
        """True when source = written + merged + deduplicated + quarantined + held + skipped."""
        return self.counts.is_balanced


class SchemaReport(FrozenModel):
    """What the schema phase did."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    already_done: int = 0


class ApplyResult(FrozenModel):
    """The outcome of a run that completed (failures raise ``ApplyError`` instead)."""

    run_id: str
    plan_digest: str
    serial: int
    """The state's serial after the run."""
    resumed: bool
    """True when this run continued an earlier, interrupted run of the same plan."""
    schema_report: SchemaReport
    phases: tuple[PhaseReport, ...]
    requests: int
    """Data requests the whole run spent (metadata calls excluded)."""
    seconds: float
    audit_log: str

    @property
    def written(self) -> int:
        """Records written or merged in all phases."""
        return sum(p.counts.written + p.counts.merged for p in self.phases)


@dataclass(frozen=True)
class ApplyOptions:
    """How to run: batch size and concurrency come from the plan's spec unless overridden."""

    batch_size: int = 200
    concurrency: int = 4
    lock_timeout: float = 0.0
    verify_first: bool = True
    """Recompute every payload of the plan before writing anything (refuse on any mismatch)."""
    max_listed: int = 10
    """How many example addresses an error lists."""
