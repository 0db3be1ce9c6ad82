"""The verify report: frozen data, rendered by :mod:`migrator.verify.render` or dumped as JSON.

A report never holds a sensitive value: a field that differs in a sensitive field carries only
its path and ``sensitive=True``.
"""

from __future__ import annotations

from typing import Any, Literal

from migrator.model import FrozenModel

FindingKind = Literal["differs", "missing_in_twenty", "not_written", "unexpected", "not_in_source"]


class FieldDifference(FrozenModel):
    """One field whose value in Twenty is not what the source and spec give."""

    path: str
    """Dotted path in the Twenty record (``emails.primaryEmail``)."""
    twenty: Any = None
    """What Twenty holds (``None`` when sensitive)."""
    expected: Any = None
    """What the source and spec give (``None`` when sensitive)."""
    sensitive: bool = False


class RecordFinding(FrozenModel):
    """A record that is not as it should be.

    ``differs``: fields differ; ``missing_in_twenty``: the state has it, Twenty does not (or only
    soft-deleted); ``not_written``: the source gives it, neither the state nor the quarantine nor
    the holds have it; ``unexpected``: Twenty has a record carrying migrator's provenance that the
    state does not know; ``not_in_source``: the state has it, the source no longer gives it and
    the spec says to delete such records.
    """

    kind: FindingKind
    address: str
    twenty_object: str
    twenty_id: str = ""
    fields: tuple[FieldDifference, ...] = ()


class Conservation(FrozenModel):
    """Per mapping: source = written + merged + deduplicated + quarantined + held + skipped
    (+ aggregated into another mapping's records, + outside the sample when the state holds a
    sample migration); ``not_written`` breaks the balance."""

    mapping: str
    twenty_object: str
    source: int = 0
    written: int = 0
    merged: int = 0
    deduplicated: int = 0
    quarantined: int = 0
    held: int = 0
    skipped: int = 0
    aggregated: int = 0
    not_written: int = 0
    outside_sample: int = 0
    """Source rows a sample migration left out on purpose (0 unless the state holds a sample,
    :mod:`migrator.sample.conservation`)."""

    @property
    def accounted(self) -> int:
        """Rows with an outcome."""
        return (
            self.written
            + self.merged
            + self.deduplicated
            + self.quarantined
            + self.held
            + self.skipped
            + self.aggregated
            + self.outside_sample
        )

    @property
    def is_balanced(self) -> bool:
        """True when every source row has an outcome and none is missing."""
        return self.not_written == 0 and self.source == self.accounted


class QuarantinedRecord(FrozenModel):
    """A source record the migration left out on purpose, with its reason (no values)."""

    address: str
    code: str
    reason: str


class VerifyReport(FrozenModel):
    """What verify found."""

    name: str
    checked: int
    """Records read back and compared."""
    sample: int | None = None
    """The sample size asked for (``None``: every record)."""
    migration_sample: int | None = None
    """The size of the sample migration the state holds (``apply --sample N``); ``None`` when
    the state holds a full migration. Rows outside it count as ``outside_sample``."""
    findings: tuple[RecordFinding, ...] = ()
    finding_count: int = 0
    """All findings (``findings`` lists at most a bounded number)."""
    conservation: tuple[Conservation, ...] = ()
    reads: int = 0
    """Data requests verify made."""
    budget: int = 0
    """Data requests verify said it would make, before making them."""
    notes: tuple[str, ...] = ()
    """Expected differences (records kept or flagged after their source row went)."""
    quarantine: tuple[QuarantinedRecord, ...] = ()
    """The state's quarantine (at most a bounded number; ``quarantine_count`` counts all): what
    conservation counts as quarantined, record by record, with the reason."""
    quarantine_count: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing unexpected was found."""
        return self.finding_count == 0 and all(c.is_balanced for c in self.conservation)
