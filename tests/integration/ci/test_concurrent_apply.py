"""Two real ``migrator apply`` processes on one PostgreSQL state: the second is refused.

What the team workflow relies on when two approved runs race (or someone applies by hand while
CI does): the first apply holds the state lock for its whole run, and the second is told who
holds it, since when and doing what, and writes nothing. The sandbox is served in its own
process with a small latency per request, so the first apply is still running when the second
starts.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from migrator.state.location import PostgresLocation, open_existing_state
from tests.conftest import REPO_ROOT
from tests.integration.apply.served import serve_sandbox
from tests.unit.state.pgserver import drop_schema, new_schema_name, require_dsn, without_password

EXAMPLE = REPO_ROOT / "examples" / "oplacrm"


def migrator(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "migrator", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finished(process: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str]:
    out, _ = process.communicate(timeout=timeout)
    return process.returncode, out


def lock_holder_appears(location: PostgresLocation, apply: subprocess.Popen[str]) -> bool:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and apply.poll() is None:
        store = open_existing_state(location)
        if store is not None:
            with store:
                if store.lock_info() is not None:
                    return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_a_second_apply_is_refused_while_the_first_holds_the_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dsn, password = without_password(require_dsn())
    schema = new_schema_name()
    monkeypatch.setenv("PGPASSWORD", password)
    spec_dir = tmp_path / "oplacrm"
    shutil.copytree(EXAMPLE, spec_dir, ignore=shutil.ignore_patterns(".migrator"))
    spec = spec_dir / "migration.yaml"
    text = spec.read_text(encoding="utf-8")
    sqlite_state = "state:\n  backend: sqlite\n  path: .migrator/oplacrm-to-twenty.state.db\n"
    assert sqlite_state in text
    spec.write_text(
        text.replace(
            sqlite_state,
            f"state:\n  backend: postgres\n  dsn: ${{MIGRATOR_STATE_DSN}}\n  schema: {schema}\n",
        ),
        encoding="utf-8",
    )
    location = PostgresLocation(dsn=SecretStr(dsn), schema_name=schema)
    flags = ["--no-rate-limit", "--latency", "0.05:0.1"]
    try:
        with serve_sandbox(tmp_path / "sandbox.db", flags) as served:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("MIGRATOR_")},
                "TWENTY_API_URL": served.url,
                "TWENTY_API_KEY": served.api_key,
                "MIGRATOR_STATE_DSN": dsn,
                "PGPASSWORD": password,
            }
            code, out = finished(
                migrator("plan", str(spec), "-o", "plan.bin", env=env, cwd=tmp_path)
            )
            assert code == 0, out
            sha256 = hashlib.sha256((tmp_path / "plan.bin").read_bytes()).hexdigest()
            apply = ("apply", "--expect-digest", sha256, "plan.bin")

            first = migrator(*apply, env=env, cwd=tmp_path)
            try:
                assert lock_holder_appears(location, first), "the first apply never took the lock"
                code, out = finished(migrator(*apply, env=env, cwd=tmp_path))
                assert first.poll() is None, "the first apply ended before the second was refused"
            finally:
                first_code, first_out = finished(first)
        assert code == 1, out
        assert f"Error: state is locked by {getpass.getuser()} since " in out
        assert " (apply)" in out
        assert f"process {first.pid}" in out
        assert password not in out
        assert first_code == 0, first_out
        assert "Apply complete: " in first_out

        store = open_existing_state(location)
        assert store is not None
        with store:
            (run,) = store.runs()  # the refused apply left no trace in the journal
            assert run.status.value == "complete"
            assert store.lock_info() is None
    finally:
        drop_schema(require_dsn(), schema)
