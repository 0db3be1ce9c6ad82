"""Findings: what a validator says about a value, and where (record, field) it was said.

:class:`Issue` is what a value validator returns (severity, stable code, message without the
value); :class:`Finding` is an issue attached to a record and field, the unit reports and the
quarantine store. :class:`Outcome` pairs a validator's normalised value with its issues.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from migrator.model import FrozenModel, fast_init

V = TypeVar("V")


class Severity(enum.StrEnum):
    """What happens to a record with this finding (sources.md §7)."""

    ERROR = "ERROR"
    """The record is not loaded; it goes to the quarantine with the finding as its reason."""
    WARN = "WARN"
    """The record is loaded and flagged; the raw value is kept."""
    FIX = "FIX"
    """The value was normalised; the change is counted."""


class Issue(FrozenModel):
    """One problem (or normalisation) of a single value. The message never quotes the value."""

    severity: Severity
    code: str
    """A stable machine-readable reason (``nhs_check_digit``, ``orphan_reference`` …)."""
    message: str
    """A human sentence about the value's shape or rule, never the value itself."""
    field_only: bool = False
    """An ERROR that empties the field instead of quarantining the record (a phone number with
    fewer than 6 digits, sources.md §7.5)."""


class Finding(FrozenModel):
    """An issue located in a bundle: system, object, record id, field, line.

    Reports and the quarantine store these; ``record_id`` is the source primary key (never
    sensitive), ``field`` the field name or path, and the message never quotes the value.
    """

    severity: Severity
    code: str
    message: str
    system: str
    object: str
    record_id: str
    field: str = ""
    """The field or path (``phone_work``, ``items[2].surfaces``); empty for a whole record."""
    line: int = 0
    """The 1-based line of the record in its file; 0 when unknown."""
    field_only: bool = False
    """See :attr:`Issue.field_only`: the field is dropped, the record still loads."""

    @property
    def is_error(self) -> bool:
        """True for an ERROR."""
        return self.severity is Severity.ERROR

    @property
    def quarantines(self) -> bool:
        """True when the record must go to the quarantine: an ERROR that is not field-only."""
        return self.severity is Severity.ERROR and not self.field_only

    def render(self) -> str:
        """``SEVERITY system:object:id field: message (code)``, safe to print."""
        where = f"{self.system}:{self.object}:{self.record_id}"
        if self.field:
            where += f" {self.field}"
        return f"{self.severity.value} {where}: {self.message} ({self.code})"


def issue(severity: Severity, code: str, message: str) -> Issue:
    """Shorthand constructor."""
    return Issue(severity=severity, code=code, message=message)


def error(code: str, message: str) -> Issue:
    """An ERROR issue."""
    return Issue(severity=Severity.ERROR, code=code, message=message)


def warn(code: str, message: str) -> Issue:
    """A WARN issue."""
    return Issue(severity=Severity.WARN, code=code, message=message)


def fix(code: str, message: str) -> Issue:
    """A FIX issue."""
    return Issue(severity=Severity.FIX, code=code, message=message)


@fast_init
@dataclass(frozen=True, slots=True)
class Outcome(Generic[V]):
    """A validator's result: the normalised ``value`` (None when unusable) and its issues.

    ``value`` is what should be loaded: the normalised form after FIXes, the raw value kept for
    a WARN the validator could not normalise, None after an ERROR.
    """

    value: V | None
    issues: tuple[Issue, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no issue is an ERROR (field-only ERRORs included)."""
        return not any(i.severity is Severity.ERROR for i in self.issues)

    @property
    def worst(self) -> Severity | None:
        """The most severe issue's severity (ERROR > WARN > FIX), or None."""
        for level in (Severity.ERROR, Severity.WARN, Severity.FIX):
            if any(i.severity is level for i in self.issues):
                return level
        return None

    def codes(self) -> tuple[str, ...]:
        """The issue codes, in order (handy in tests and counters)."""
        return tuple(i.code for i in self.issues)


def locate(
    issues: Iterable[Issue],
    *,
    system: str,
    object_name: str,
    record_id: str,
    field: str = "",
    line: int = 0,
) -> list[Finding]:
    """Attach ``issues`` to a record and field."""
    return [
        Finding(
            severity=i.severity,
            code=i.code,
            message=i.message,
            system=system,
            object=object_name,
            record_id=record_id,
            field=field,
            line=line,
            field_only=i.field_only,
        )
        for i in issues
    ]
