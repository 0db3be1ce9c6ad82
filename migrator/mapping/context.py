"""The per-row working state of the mapper, and how a value's problems decide a row's fate.

One :class:`RowContext` is reused for every row of a run (reset per row, no per-row allocation
beyond what a row actually produces). Compiled field writers put payload keys into ``out`` and
record links, files, dependencies and findings on it. A data problem that must stop the row
raises :class:`Quarantine`; a row that must wait (owner without a member, parent not written)
is marked with :meth:`RowContext.hold`, so that a quarantine found later in the same row still
wins (a data error is reported before a wait).

:meth:`RowContext.judge` applies a field's ``on_invalid`` to a validator's issues:

* ``None`` (the rules' own severity, sources.md §7): ERROR quarantines the row, a field-only
  ERROR drops the value with a finding, WARN keeps the validator's value (None when it could not
  be loaded) with a finding, FIX keeps the normalised value silently;
* ``quarantine``: any ERROR or WARN quarantines the row;
* ``warn``: any ERROR or WARN is a finding and the raw value is written as it is;
* ``drop``: any ERROR or WARN is a finding and the value is dropped.

Messages name the record address and the field, never a value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from migrator.mapping.model import FileRef, Finding, Link
from migrator.sources.records import SourceRecord
from migrator.validate.findings import Issue, Severity

#: Codes reported once per run rather than once per row (sources.md §7.2).
ONCE_PER_RUN: frozenset[str] = frozenset({"patient_sds_meaning_unknown"})


class Quarantine(Exception):
    """Stops the current row: it goes to the quarantine with ``code`` and ``reason``."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason


class RowContext:
    """What one row produces while its fields are written (reused across rows)."""

    __slots__ = (
        "address",
        "depends",
        "files",
        "findings",
        "hold",
        "identity",
        "key",
        "links",
        "mapping",
        "once",
        "out",
        "owner_key",
        "pending",
        "record",
    )

    def __init__(self, mapping: str) -> None:
        self.mapping = mapping
        self.once: set[str] = set()
        self.record: SourceRecord | None = None
        self.address = ""
        self.key = ""
        self.identity = ""
        self.out: dict[str, Any] = {}
        self.findings: list[Finding] | None = None
        self.links: list[Link] | None = None
        self.files: list[FileRef] | None = None
        self.depends: list[str] | None = None
        self.pending: list[tuple[Any, ...]] | None = None
        self.hold: tuple[str, str, str] | None = None
        self.owner_key: str | None = None

    def reset(self, record: SourceRecord, identity: str, key: str, address: str) -> None:
        """Start a new row."""
        self.record = record
        self.identity = identity
        self.key = key
        self.address = address
        self.out = {}
        self.findings = None
        self.links = None
        self.files = None
        self.depends = None
        self.pending = None
        self.hold = None
        self.owner_key = None

    def finding(self, code: str, message: str) -> None:
        """Record a warning about this row (it is still written)."""
        if code in ONCE_PER_RUN:
            if code in self.once:
                return
            self.once.add(code)
        if self.findings is None:
            self.findings = []
        self.findings.append(Finding(self.mapping, self.address, code, message))

    def depend(self, address: str) -> None:
        """This row's payload points at the record ``address``."""
        if self.depends is None:
            self.depends = [address]
        elif address not in self.depends:
            self.depends.append(address)

    def link(self, item: Link) -> None:
        """A relation written in the second pass."""
        if self.links is None:
            self.links = []
        self.links.append(item)

    def file(self, item: FileRef) -> None:
        """A bundle file to upload for this row."""
        if self.files is None:
            self.files = []
        self.files.append(item)

    def hold_for(self, code: str, reason: str, blocked_by: str) -> None:
        """Mark the row held (the first reason wins; a later quarantine still overrides)."""
        if self.hold is None:
            self.hold = (code, reason, blocked_by)

    def judge(
        self, field: str, policy: str | None, value: Any, issues: Iterable[Issue], raw: Any
    ) -> Any:
        """The value to write after a validator's ``issues`` under ``policy`` (module doc)."""
        result = value
        for item in issues:
            severity = item.severity
            if severity is Severity.FIX:
                continue
            message = f"{self.address} field `{field}`: {item.message}"
            if policy is None:
                if severity is Severity.ERROR and not item.field_only:
                    raise Quarantine(item.code, message)
                if severity is Severity.ERROR:
                    result = None
                self.finding(item.code, message)
            elif policy == "quarantine":
                raise Quarantine(item.code, message)
            elif policy == "warn":
                result = raw
                self.finding(item.code, message)
            else:
                result = None
                self.finding(item.code, message)
        return result
