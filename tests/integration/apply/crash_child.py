"""The apply process the SIGKILL test kills: applies a scenario's plan to a served sandbox.

``python -m tests.integration.apply.crash_child PLAN STATE URL COMPANIES PEOPLE_PER BATCH``, the
API key in ``CRASH_CHILD_API_KEY``. Exits 0 when the apply completes, 1 on a refusal or failure
(message on stderr), so the parent can tell a finished run from a killed one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from migrator.errors import MigratorError
from migrator.twenty.client import ClientSettings, TwentyClient
from migrator.twenty.identity import DestinationIdentity, identify
from migrator.twenty.pacing import PacingLimits
from migrator.twenty.transport import build_http_client
from migrator.workflows.apply import ApplyRequest, run_apply
from tests.integration.apply.harness import FINGERPRINT, Scenario


def main(argv: list[str]) -> int:
    """Apply once; 0 when complete."""
    plan, state, url, companies, per, batch = argv
    key = os.environ["CRASH_CHILD_API_KEY"]
    scenario = Scenario.make(int(companies), int(per), batch_size=int(batch))
    identity: DestinationIdentity = identify(url, key)
    settings = ClientSettings(limits=PacingLimits.off(), concurrency=4)
    with build_http_client(url, key) as http, TwentyClient(http, settings=settings) as client:
        try:
            run_apply(
                ApplyRequest(plan_path=Path(plan), state_path=Path(state)),
                client=client,
                identity=identity,
                source=scenario.source(),
                fingerprint=FINGERPRINT,
            )
        except MigratorError as error:
            print(f"{type(error).__name__}: {error.summary}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
