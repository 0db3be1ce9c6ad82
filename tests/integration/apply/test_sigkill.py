"""Kill ``migrator apply`` with SIGKILL at 20 random moments; every resume completes the run.

A 5,000-record OplaCRM bundle is generated (``migrator examples generate oplacrm --records 5000
--seed 7``) and planned against a sandbox served in its own process (it survives the kills, as
Twenty would; a little latency makes kills land mid-batch as well as while starting, verifying,
committing, between phases). After each kill the stale lock is released the way an operator
would (what ``migrator state unlock`` runs: it checks the process is gone), and the same plan is
applied again. At the end: the last apply exits 0, a new plan shows no changes, the sandbox holds
every record the plan creates exactly once (no two records with one ``migrationSourceId``) and
the state records each of them.

The kill moments come from one seed: ``SIGKILL_SEED=<n>`` in the environment picks it (default
7); every failure message names it, so a failing set of moments can be replayed (as far as the
machine's speed allows: the moments are delays after each start).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from migrator.model import Action
from migrator.plan.planfile import iter_record_changes
from migrator.sources.generator.members import write_members_file
from migrator.state import RunStatus, open_sqlite_state
from migrator.workflows.state import unlock_state
from tests.conftest import REPO_ROOT
from tests.integration.apply.served import ServedProcess, serve_sandbox

KILLS = 20
SEED = 7
"""The bundle's seed."""
KILL_SEED_ENV = "SIGKILL_SEED"


def _env(served: ServedProcess) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATOR_", "TWENTY_"))}
    return env | {"TWENTY_API_URL": served.url, "TWENTY_API_KEY": served.api_key}


def _migrator(root: Path, served: ServedProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migrator", *args],
        cwd=root,
        env=_env(served),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "oplacrm"
    root.mkdir()
    shutil.copy(REPO_ROOT / "examples" / "oplacrm" / "migration.yaml", root)
    made = subprocess.run(
        [
            *(sys.executable, "-m", "migrator", "examples", "generate", "oplacrm"),
            *("--records", "5000", "--seed", str(SEED), "--out", str(root / "data")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    write_members_file(root / "data", root / "workspace-members.json")
    return root


@pytest.mark.slow
def test_sigkill_at_twenty_random_moments_then_resume(tmp_path: Path) -> None:
    seed = int(os.environ.get(KILL_SEED_ENV, "7"))
    rng = random.Random(seed)
    root = _project(tmp_path)
    state = root / ".migrator" / "oplacrm-to-twenty.state.db"
    members = str(root / "workspace-members.json")
    flags = ["--no-rate-limit", "--members", members, "--latency", "0.01:0.05"]
    with serve_sandbox(tmp_path / "sandbox.db", flags) as served:
        planned = _migrator(root, served, "plan", "migration.yaml", "-o", "p.plan")
        assert planned.returncode == 0, planned.stderr
        outcomes: list[tuple[float, int]] = []
        for _ in range(KILLS):
            child = subprocess.Popen(
                [sys.executable, "-m", "migrator", "apply", "p.plan"],
                cwd=root,
                env=_env(served),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            moment = round(rng.uniform(0.3, 6.0), 2)
            time.sleep(moment)
            child.send_signal(signal.SIGKILL)
            outcomes.append((moment, child.wait()))
            if state.exists():
                unlock_state(state)  # `migrator state unlock`: checks the holder is gone
        replay = f"{KILL_SEED_ENV}={seed}; (moment s, exit code) of each kill: {outcomes}\n"
        final = _migrator(root, served, "apply", "p.plan")
        assert final.returncode == 0, replay + final.stdout + final.stderr
        again = _migrator(root, served, "plan", "migration.yaml", "--detailed-exitcode")
        assert again.returncode == 0, replay + again.stdout + again.stderr
        auth = {"Authorization": f"Bearer {served.api_key}"}
        with httpx.Client(base_url=served.url, headers=auth, timeout=60) as http:
            snapshot = json.loads(http.get("/_sandbox/snapshot").content)
    codes = [code for _, code in outcomes]
    assert set(codes) <= {-signal.SIGKILL, 0}, replay  # no resume refused or failed
    assert codes.count(-signal.SIGKILL) >= KILLS // 2, replay
    creates = {c.address for c in iter_record_changes(root / "p.plan") if c.action is Action.CREATE}
    provenance: Counter[str] = Counter()
    ids: dict[str, set[str]] = {}
    for plural, rows in snapshot["records"].items():
        ids[plural] = {row["id"] for row in rows}
        provenance.update(
            f"{plural}/{row['migrationSourceId']}" for row in rows if row.get("migrationSourceId")
        )
    assert provenance and max(provenance.values()) == 1, (replay, provenance.most_common(3))
    plural = {o["nameSingular"]: o["namePlural"] for o in snapshot["objects"]}
    with open_sqlite_state(state) as store:
        entries = {entry.address: entry for entry in store.records()}
        runs = store.runs()
    assert set(entries) == creates, replay
    for entry in entries.values():
        assert entry.twenty_id in ids[plural[entry.twenty_object]], entry.address
    assert runs[-1].status is RunStatus.COMPLETE
    assert len({run.plan_digest for run in runs}) == 1
    with gzip.open(root / "p.plan") as plan:  # the plan file is still whole
        assert plan.read(2) == b'{"'
