"""Apply a plan file and SIGKILL this very process at one chosen moment (a test helper).

``python kill_at.py PLAN PHASE EVENT``: runs ``migrator apply PLAN`` through the Python API and
kills itself with SIGKILL when ``PHASE`` starts (``EVENT`` ``start``) or when its first batch is
committed (``EVENT`` ``advanced``). A run that ends without meeting the moment raises, so the
caller sees exit 1 rather than the kill's -9.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from migrator.apply.progress import NullProgress
from migrator.workflows.apply import apply_plan_file


class KillAt(NullProgress):
    """A progress sink that kills the process at ``phase``'s ``event``."""

    def __init__(self, phase: str, event: str) -> None:
        self.phase = phase
        self.event = event

    def phase_started(self, phase: str, total: int, ceiling_per_minute: float) -> None:
        """Kill when the phase starts (``start``)."""
        if self.event == "start" and phase == self.phase:
            os.kill(os.getpid(), signal.SIGKILL)

    def advanced(self, phase: str, done: int) -> None:
        """Kill once the phase's first batch is committed (``advanced``)."""
        if self.event == "advanced" and phase == self.phase:
            os.kill(os.getpid(), signal.SIGKILL)


def main(plan: str, phase: str, event: str) -> None:
    """Apply ``plan``; raise when the moment never came."""
    environ = {"TWENTY_API_KEY": "sandbox"}
    apply_plan_file(Path(plan), environ=environ, progress=KillAt(phase, event))
    raise RuntimeError(f"the apply finished without reaching {phase} ({event})")


if __name__ == "__main__":
    main(*sys.argv[1:4])
