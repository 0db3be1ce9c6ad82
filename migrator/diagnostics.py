"""Positioned diagnostics: what validation returns instead of raising.

A :class:`Diagnostic` names a severity, a message, and where in which file the problem is. A
:class:`Diagnostics` collection keeps them in a deterministic order (file, line, column, message)
so output is stable. Messages never quote sensitive values.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


class Severity(enum.StrEnum):
    """How bad a diagnostic is: errors fail the command, warnings are only shown."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based line and column in a file; 0 means unknown (the whole file)."""

    file: str
    line: int = 0
    column: int = 0

    def render(self) -> str:
        """``file:line:col``, leaving out unknown parts."""
        if self.line <= 0:
            return self.file
        if self.column <= 0:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem: severity, message, location and an optional hint (the next step)."""

    severity: Severity
    message: str
    location: Location
    hint: str = ""

    @property
    def is_error(self) -> bool:
        """True for errors (which fail the command)."""
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        """Deterministic order: file, line, column, message."""
        loc = self.location
        return (loc.file, loc.line, loc.column, self.message)

    def render(self) -> str:
        """``path:LINE:COL: error: message`` (the form editors and CI annotations understand)."""
        text = f"{self.location.render()}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


def error(message: str, file: str, line: int = 0, column: int = 0, hint: str = "") -> Diagnostic:
    """Shorthand for an error diagnostic."""
    return Diagnostic(Severity.ERROR, message, Location(file, line, column), hint)


def warning(message: str, file: str, line: int = 0, column: int = 0, hint: str = "") -> Diagnostic:
    """Shorthand for a warning diagnostic."""
    return Diagnostic(Severity.WARNING, message, Location(file, line, column), hint)


@dataclass
class Diagnostics:
    """An ordered, de-duplicated collection of diagnostics (a builder; iterate to read)."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        """Add one diagnostic unless an identical one is already present."""
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Add several diagnostics."""
        for item in diagnostics:
            self.add(item)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(sorted(self.items, key=Diagnostic.sort_key))

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        """The errors, in order."""
        return [d for d in self if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        """The warnings, in order."""
        return [d for d in self if not d.is_error]

    @property
    def has_errors(self) -> bool:
        """True when at least one error is present."""
        return any(d.is_error for d in self.items)

    def summary_line(self) -> str:
        """One line such as ``2 errors, 1 warning`` (or ``no problems found``)."""
        n_err, n_warn = len(self.errors), len(self.warnings)
        if not n_err and not n_warn:
            return "no problems found"
        parts = []
        if n_err:
            parts.append(f"{n_err} error" + ("" if n_err == 1 else "s"))
        if n_warn:
            parts.append(f"{n_warn} warning" + ("" if n_warn == 1 else "s"))
        return ", ".join(parts)
