"""Both examples, as a user runs them, against a sandbox served on loopback (issue #10, done when).

``migrator plan -o``, ``migrator apply PLANFILE``, then ``migrator plan --detailed-exitcode``
exits 0: Twenty holds what the spec and the source describe. The sandbox's snapshot holds every
record the state says was written, exactly once. A second test fails an AeronaClinic apply half
way (the sandbox starts refusing every write) and searches its output, verbose log, audit log,
state and error log for every patient value of the example bundle.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from migrator.state import open_sqlite_state
from tests.conftest import REPO_ROOT
from tests.integration.apply.served import ServedProcess, serve_sandbox
from tests.integration.render.test_privacy import leaks, sensitive_values

pytestmark = pytest.mark.e2e


def _project(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(
        REPO_ROOT / "examples" / name, root, ignore=shutil.ignore_patterns(".migrator", "*.plan")
    )
    return root


def _run(root: Path, served: ServedProcess, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATOR_", "TWENTY_"))}
    env |= {"TWENTY_API_URL": served.url, "TWENTY_API_KEY": served.api_key}
    return subprocess.run(
        [sys.executable, "-m", "migrator", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _flags(root: Path) -> list[str]:
    members = root / "workspace-members.json"
    return ["--no-rate-limit", *(["--members", str(members)] if members.exists() else [])]


def _http(served: ServedProcess) -> httpx.Client:
    auth = {"Authorization": f"Bearer {served.api_key}"}
    return httpx.Client(base_url=served.url, headers=auth, timeout=60)


@pytest.mark.parametrize("name", ["oplacrm", "aeronaclinic"])
def test_apply_then_plan_shows_no_changes(name: str, tmp_path: Path) -> None:
    root = _project(name, tmp_path)
    with serve_sandbox(tmp_path / "sandbox.db", _flags(root)) as served:
        planned = _run(root, served, "plan", "migration.yaml", "-o", "first.plan")
        assert planned.returncode == 0, planned.stdout + planned.stderr
        applied = _run(root, served, "apply", "first.plan")
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "Apply complete" in applied.stdout
        assert f"Destination: {served.url}" in applied.stderr
        again = _run(root, served, "plan", "migration.yaml", "--detailed-exitcode")
        assert again.returncode == 0, again.stdout + again.stderr
        with _http(served) as http:
            snapshot = json.loads(http.get("/_sandbox/snapshot").content)
    plural = {o["nameSingular"]: o["namePlural"] for o in snapshot["objects"]}
    stored = {name: Counter(r["id"] for r in rows) for name, rows in snapshot["records"].items()}
    state = root / ".migrator" / f"{name}-to-twenty.state.db"
    with open_sqlite_state(state) as store:
        entries = list(store.records())
        phases = store.runs()[-1].phases
    assert entries and all(p.is_balanced for p in phases)
    for entry in entries:
        assert stored[plural[entry.twenty_object]][entry.twenty_id] == 1, entry.address


def _fail_writes_after(served: ServedProcess, writes: int, done: threading.Event) -> None:
    """Once ``writes`` batch writes went through, make the sandbox answer every write 503."""
    with _http(served) as http:
        while not done.is_set():
            log = http.get("/_sandbox/requests").json()["requests"]
            if sum(1 for r in log if "/rest/batch/" in r["path"]) >= writes:
                http.put("/_sandbox/faults", json={"error_rate": 1.0}).raise_for_status()
                return
            time.sleep(0.05)


@pytest.mark.slow
def test_a_failed_aeronaclinic_apply_leaks_no_patient_value(tmp_path: Path) -> None:
    root = _project("aeronaclinic", tmp_path)
    values = sensitive_values()
    with serve_sandbox(tmp_path / "sandbox.db", _flags(root)) as served:
        planned = _run(root, served, "plan", "migration.yaml", "-o", "p.plan")
        assert planned.returncode == 0, planned.stderr
        patient_email = next(iter(sorted(values["email"])))
        with _http(served) as http:  # a person of theirs holding a patient's email: a rejection
            body = {
                "name": {"firstName": "T", "lastName": "P"},
                "emails": {"primaryEmail": patient_email},
            }
            http.post("/rest/people", json=body).raise_for_status()
        done = threading.Event()
        watcher = threading.Thread(target=_fail_writes_after, args=(served, 6, done))
        watcher.start()
        try:
            applied = _run(root, served, "-vv", "apply", "p.plan", "--audit-log", "audit.jsonl")
        finally:
            done.set()
            watcher.join()
        shown = _run(
            root,
            served,
            "state",
            "show",
            "--json",
            "--state",
            str(root / ".migrator" / "aeronaclinic-to-twenty.state.db"),
        )
    assert applied.returncode == 1, applied.stdout + applied.stderr
    assert "apply stopped" in applied.stderr
    texts = {
        "stdout": applied.stdout,
        "stderr (-vv log)": applied.stderr,
        "audit log": (root / "audit.jsonl").read_text(encoding="utf-8"),
        "state show --json": shown.stdout,
    }
    for log in root.glob(".migrator/*.log"):
        texts[log.name] = log.read_text(encoding="utf-8")
    assert '"event":"record"' in texts["audit log"]
    for where, text in texts.items():
        assert leaks(text, values) == [], where
