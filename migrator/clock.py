"""Injected time: every timestamp migrator records comes from a :class:`Clock`.

Tests pass a :class:`FixedClock` so outputs are reproducible; production uses :class:`SystemClock`.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    """Source of wall-clock time (for records) and monotonic time (for pacing)."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait (a fake clock advances instead)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> dt.datetime:
        """The current UTC time."""
        return dt.datetime.now(dt.UTC)

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """``time.sleep`` (ignores non-positive durations)."""
        if seconds > 0:
            time.sleep(seconds)


class FixedClock:
    """A manual clock for tests: ``sleep`` and :meth:`advance` move it forward; nothing waits."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        self._mono = 0.0

    def now(self) -> dt.datetime:
        """The fixed current time."""
        return self._now

    def monotonic(self) -> float:
        """The fixed monotonic time."""
        return self._mono

    def sleep(self, seconds: float) -> None:
        """Advance instead of waiting."""
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        """Move both clocks forward by ``seconds``."""
        if seconds > 0:
            self._mono += seconds
            self._now += dt.timedelta(seconds=seconds)


def isoformat_z(moment: dt.datetime) -> str:
    """ISO-8601 in UTC with millisecond precision and a ``Z`` suffix, as Twenty writes it."""
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
