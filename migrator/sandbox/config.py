"""How a sandbox is set up: identity, Twenty version, rate limits and fault knobs.

:class:`SandboxConfig` is fixed when the sandbox starts (``migrator sandbox serve`` flags, or the
in-process transport for a ``sandbox:PATH`` destination). The fault knobs can also be changed at
run time through ``/_sandbox/faults``; :class:`FaultSettings` is that mutable, lock-protected
holder (the sandbox's only mutable configuration).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

TwentyVersion = Literal["2.15", "upstream"]

DEFAULT_API_KEY_NAME = "migrator sandbox"


@dataclass(frozen=True)
class RateLimit:
    """Twenty's two token buckets (twenty-api.md §10). A limit of 0 turns that bucket off."""

    short_limit: int = 100
    short_ttl_ms: int = 1_000
    long_limit: int = 100
    long_ttl_ms: int = 60_000

    @property
    def is_off(self) -> bool:
        """True when neither bucket limits anything."""
        return self.short_limit <= 0 and self.long_limit <= 0


NO_RATE_LIMIT = RateLimit(short_limit=0, long_limit=0)


@dataclass(frozen=True)
class Faults:
    """Injected faults, all off by default.

    ``latency`` is (min, max) seconds added before each data or metadata request; the rates are
    probabilities per write request: ``error_rate`` answers 5xx without writing, ``drop_rate``
    drops the connection before the write, ``lost_response_rate`` stores the write and then drops
    the connection.
    """

    latency: tuple[float, float] = (0.0, 0.0)
    error_rate: float = 0.0
    drop_rate: float = 0.0
    lost_response_rate: float = 0.0

    @property
    def is_off(self) -> bool:
        """True when no fault is injected."""
        return (
            self.latency == (0.0, 0.0)
            and self.error_rate == 0.0
            and self.drop_rate == 0.0
            and self.lost_response_rate == 0.0
        )


@dataclass(frozen=True)
class SandboxConfig:
    """Everything fixed at start-up. ``db_path`` ``None`` means an in-memory database."""

    db_path: Path | None = None
    api_key: str | None = None
    """The bearer token clients must send; ``None`` mints one bound to the workspace id."""
    workspace_id: str | None = None
    """Fixed workspace id; ``None`` keeps the one stored in the database (or mints one)."""
    twenty_version: TwentyVersion = "2.15"
    rate_limit: RateLimit = NO_RATE_LIMIT
    faults: Faults = Faults()
    members_file: Path | None = None
    """JSON or YAML list of workspace members to seed; ``None`` seeds a default few."""
    seed: int = 0
    """Seed for the fault dice, so a faulty run can be reproduced."""


@dataclass
class FaultSettings:
    """The run-time fault knobs (changed through ``/_sandbox/faults``), safe across threads."""

    _faults: Faults = field(default_factory=Faults)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self) -> Faults:
        """The faults in force now."""
        with self._lock:
            return self._faults

    def set(self, faults: Faults) -> None:
        """Replace every knob."""
        with self._lock:
            self._faults = faults

    def update(self, **changes: object) -> Faults:
        """Change some knobs; return the new faults."""
        with self._lock:
            self._faults = replace(self._faults, **changes)  # type: ignore[arg-type]
            return self._faults


class ConnectionDropped(Exception):
    """Raised inside the sandbox app to make the server close the connection without answering.

    Over loopback the server closes the socket (the client sees a reset or an empty reply); the
    in-process transport turns it into ``httpx.RemoteProtocolError``, as a real drop would be.
    ``committed`` says whether the write was stored before the drop (a lost response).
    """

    def __init__(self, *, committed: bool) -> None:
        suffix = " after commit" if committed else ""
        super().__init__(f"connection dropped by the sandbox{suffix}")
        self.committed = committed
