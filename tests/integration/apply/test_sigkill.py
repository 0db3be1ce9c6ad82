"""Kill the apply process with SIGKILL at 20 random moments; every resume completes the run.

The sandbox is served in its own process (it survives the kills, as Twenty would) with a little
latency so that kills land mid-batch, mid-commit and between phases. After each kill the stale
lock is released the way an operator would (``state unlock``, which checks the process is
gone), and the same plan is applied again. At the end the sandbox holds every expected record
exactly once and the state records every one of them.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from migrator.plan.model import DestinationIdentity
from migrator.state import RunStatus, open_sqlite_state
from migrator.twenty.identity import identify
from migrator.workflows.state import unlock_state
from tests.conftest import REPO_ROOT
from tests.integration.apply.harness import Scenario
from tests.integration.apply.served import serve_sandbox

COMPANIES, PER_COMPANY, BATCH = 1000, 4, 100  # 5,000 records
KILLS = 20


def _start(args: list[str], key: str, *, capture: bool = False) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATOR_", "TWENTY_"))}
    env["CRASH_CHILD_API_KEY"] = key
    env["PYTHONPATH"] = str(REPO_ROOT)
    command = [sys.executable, "-m", "tests.integration.apply.crash_child", *args]
    errors = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(command, env=env, stderr=errors, cwd=REPO_ROOT)


@pytest.mark.slow
def test_sigkill_at_twenty_random_moments_then_resume(tmp_path: Path) -> None:
    rng = random.Random(7)
    scenario = Scenario.make(COMPANIES, PER_COMPANY, batch_size=BATCH)
    state = tmp_path / ".migrator" / "kill.state.db"
    with serve_sandbox(tmp_path / "sandbox.db", ["--latency", "0.01:0.04"]) as served:
        identity = identify(served.url, served.api_key)
        plan = scenario.write_plan(
            tmp_path / "plan.gz", DestinationIdentity(**identity.model_dump())
        )
        args = [str(plan), str(state), served.url, str(COMPANIES), str(PER_COMPANY), str(BATCH)]
        outcomes = []
        for _ in range(KILLS):
            child = _start(args, served.api_key)
            time.sleep(rng.uniform(0.2, 2.5))
            child.send_signal(signal.SIGKILL)
            child.wait()
            outcomes.append(child.returncode)
            if state.exists():
                unlock_state(state)
        final = _start(args, served.api_key, capture=True)
        _, errors = final.communicate(timeout=300)
        assert final.returncode == 0, errors.decode()
        auth = {"Authorization": f"Bearer {served.api_key}"}
        with httpx.Client(base_url=served.url, headers=auth) as http:
            snapshot = json.loads(http.get("/_sandbox/snapshot").content)
    assert outcomes.count(-signal.SIGKILL) >= KILLS // 2, outcomes
    for plural, wanted in (("companies", scenario.companies), ("people", scenario.people)):
        stored = Counter(record["id"] for record in snapshot["records"][plural])
        assert stored == Counter(item.twenty_id for item in wanted)
    with open_sqlite_state(state) as store:
        assert sum(count.count for count in store.record_counts()) == 5000
        runs = store.runs()
        assert runs[-1].status is RunStatus.COMPLETE
        assert {run.plan_digest for run in runs} == {runs[-1].plan_digest}
        assert list(store.quarantined()) == [] and list(store.held()) == []
