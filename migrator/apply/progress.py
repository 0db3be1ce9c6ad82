"""Progress events: what the executor tells whoever watches (only ``migrator/cli/`` prints).

The executor calls a :class:`ProgressSink` passed down from the CLI: a phase starts (with the
number of changes it holds and the ceiling rate at the destination's limit, for an ETA), records
are done, a phase ends (with its reconciliation), a line of news (the destination, a resumed
run). :class:`NullProgress` ignores everything; :class:`RecordingProgress` keeps the events (for
tests and for the Python API). Sinks are called from the executor's main thread only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from migrator.apply.model import PhaseReport


class ProgressSink(Protocol):
    """Receives progress events; must not raise."""

    def note(self, message: str) -> None:
        """A line of news for the user (never holds a sensitive value)."""
        ...

    def phase_started(self, phase: str, total: int, ceiling_per_minute: float) -> None:
        """``phase`` begins with ``total`` changes; ``ceiling_per_minute`` is records/min at the
        rate limit (``inf`` when unlimited)."""
        ...

    def advanced(self, phase: str, done: int) -> None:
        """``done`` more changes of ``phase`` are settled (written, quarantined or held)."""
        ...

    def phase_finished(self, report: PhaseReport) -> None:
        """``phase`` is reconciled."""
        ...


class NullProgress:
    """A sink that ignores every event."""

    def note(self, message: str) -> None:
        """Ignore."""

    def phase_started(self, phase: str, total: int, ceiling_per_minute: float) -> None:
        """Ignore."""

    def advanced(self, phase: str, done: int) -> None:
        """Ignore."""

    def phase_finished(self, report: PhaseReport) -> None:
        """Ignore."""


@dataclass
class RecordingProgress:
    """A sink that keeps what it is told (a builder; read it when the run is over)."""

    notes: list[str] = field(default_factory=list)
    started: list[tuple[str, int]] = field(default_factory=list)
    done: dict[str, int] = field(default_factory=dict)
    finished: list[PhaseReport] = field(default_factory=list)

    def note(self, message: str) -> None:
        """Keep the note."""
        self.notes.append(message)

    def phase_started(self, phase: str, total: int, ceiling_per_minute: float) -> None:
        """Keep the phase and its size."""
        self.started.append((phase, total))
        self.done.setdefault(phase, 0)

    def advanced(self, phase: str, done: int) -> None:
        """Add to the phase's count."""
        self.done[phase] = self.done.get(phase, 0) + done

    def phase_finished(self, report: PhaseReport) -> None:
        """Keep the report."""
        self.finished.append(report)
