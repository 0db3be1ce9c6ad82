"""The team CI workflow (``examples/ci/migration.yml``): valid for GitHub, safe by construction,
and its shell steps run here, as written, against the sandbox and the PostgreSQL state.

The schema check is offline: check-jsonschema ships GitHub's workflow schema. The steps are
taken from the workflow file itself and run with bash in a copy of the repository layout it
expects (``migrations/oplacrm/``); what reaches them through ``${{ }}`` on GitHub is given as
environment variables here, as the workflow's ``env:`` blocks do there.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from ruamel.yaml import YAML

from migrator.state.location import PostgresLocation, open_state
from migrator.state.postgres import state_schema_exists
from tests.conftest import REPO_ROOT
from tests.unit.state.conftest import written
from tests.unit.state.pgserver import (
    drop_schema,
    new_schema_name,
    require_dsn,
    without_password,
)

WORKFLOW = REPO_ROOT / "examples" / "ci" / "migration.yml"
EXAMPLE = REPO_ROOT / "examples" / "oplacrm"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def load_workflow(path: Path = WORKFLOW) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


def step(job: str, name: str) -> dict[str, Any]:
    for found in load_workflow()["jobs"][job]["steps"]:
        if found.get("name") == name:
            return dict(found)
    raise AssertionError(f"no step {name!r} in job {job!r}")


def check_workflow(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_workflow_is_valid_against_githubs_schema_offline(tmp_path: Path) -> None:
    result = check_workflow(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout
    broken = tmp_path / "broken.yml"  # the check does catch a mistake
    broken.write_text(
        WORKFLOW.read_text(encoding="utf-8").replace("runs-on: ubuntu-24.04", "runs_on: x", 1)
    )
    refused = check_workflow(broken)
    assert refused.returncode == 1
    assert "runs_on" in refused.stdout + refused.stderr


def test_plans_run_on_pull_requests_of_this_repository_only_with_read_only_keys() -> None:
    workflow = load_workflow()
    assert set(workflow["on"]) == {"pull_request"}  # never pull_request_target
    assert "migrations/oplacrm/**" in workflow["on"]["pull_request"]["paths"]
    assert workflow["permissions"] == {"contents": "read"}
    plan = workflow["jobs"]["plan"]
    assert plan["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert "environment" not in plan
    assert plan["env"]["TWENTY_API_KEY"] == "${{ secrets.TWENTY_READONLY_API_KEY }}"
    assert plan["env"]["PGPASSWORD"] == "${{ secrets.STATE_READER_PASSWORD }}"
    assert plan["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "pull-requests": "write",
    }


def test_only_the_approved_environment_gets_the_write_key_and_applies_that_plan_file() -> None:
    workflow = load_workflow()
    apply = workflow["jobs"]["apply"]
    assert apply["needs"] == "plan"
    assert apply["environment"] == "twenty-production"
    assert apply["env"]["TWENTY_API_KEY"] == "${{ secrets.TWENTY_WRITE_API_KEY }}"
    assert apply["env"]["PLAN_SHA256"] == "${{ needs.plan.outputs.plan_sha256 }}"
    assert workflow["jobs"]["plan"]["outputs"]["plan_sha256"] == "${{ steps.plan.outputs.sha256 }}"
    text = WORKFLOW.read_text(encoding="utf-8")
    assert text.count("secrets.TWENTY_WRITE_API_KEY") == 1
    assert text.count("secrets.STATE_WRITER_PASSWORD") == 1
    uploaded = next(
        s for s in workflow["jobs"]["plan"]["steps"] if "upload-artifact" in s.get("uses", "")
    )
    downloaded = next(s for s in apply["steps"] if "download-artifact" in s.get("uses", ""))
    assert uploaded["with"]["path"] == "plan.bin"
    assert uploaded["with"]["name"] == downloaded["with"]["name"]
    assert step("apply", "Apply the approved plan")["run"].splitlines() == [
        'echo "${PLAN_SHA256}  plan.bin" | sha256sum --check --strict',
        'migrator apply --expect-digest "${PLAN_SHA256}" plan.bin',
    ]
    assert "environment" not in step("apply", "Apply the approved plan")


def test_no_script_interpolates_an_expression_and_every_action_is_pinned() -> None:
    for job in load_workflow()["jobs"].values():
        for each in job["steps"]:
            assert "${{" not in each.get("run", ""), each.get("name")
            if "uses" in each:
                _, _, version = each["uses"].partition("@")
                assert version.startswith("v") and version[1:].isdigit(), each["uses"]
            if "actions/checkout" in each.get("uses", ""):
                assert each["with"]["persist-credentials"] is False


def test_the_plan_comment_is_one_comment_updated_in_place_naming_the_sha256() -> None:
    script = step("plan", "Post or update the plan comment")["with"]["script"]
    assert "const marker = `<!-- migrator-plan: ${process.env.SPEC} -->`;" in script
    assert "c.body.startsWith(marker)" in script
    assert "updateComment" in script and "createComment" in script
    assert "Plan file sha256: \\`${process.env.PLAN_SHA256}\\`" in script


# --- the steps, run here ------------------------------------------------------------------------


def run_step(
    job: str, name: str, cwd: Path, env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run one step's script as the runner does: ``bash -e`` in the repository root."""
    workflow = load_workflow()
    environ = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(cwd)),
        **{k: str(v) for k, v in workflow["env"].items()},
        "PGSSLMODE": "disable",  # the test server has no TLS
        **env,
    }
    environ.pop("PGSSLROOTCERT", None)
    return subprocess.run(
        ["bash", "-e", "-c", step(job, name)["run"]],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def state_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The state variables of a job, on a fresh schema of the test server."""
    dsn, password = without_password(require_dsn())
    schema = new_schema_name()
    yield {
        "MIGRATOR_STATE_DSN": dsn,
        "PGPASSWORD": password,
        "STATE_SCHEMA": schema,
        "TWENTY_API_URL": "",
        "GITHUB_OUTPUT": os.devnull,
    }
    drop_schema(require_dsn(), schema)


@pytest.fixture
def repository(tmp_path: Path, state_env: dict[str, str]) -> Path:
    """The layout the workflow expects: the spec (its state in PostgreSQL, in the test's own
    schema), its bundle's checksum, and the fetched bundle."""
    root = tmp_path / "repo"
    spec_dir = root / "migrations" / "oplacrm"
    spec_dir.mkdir(parents=True)
    for entry in EXAMPLE.iterdir():  # what the repository holds beside the spec (not the data)
        if entry.is_file():
            shutil.copy2(entry, spec_dir / entry.name)
    spec = (EXAMPLE / "migration.yaml").read_text(encoding="utf-8")
    spec = spec.replace(
        "state:\n  backend: sqlite\n  path: .migrator/oplacrm-to-twenty.state.db\n",
        "state:\n  backend: postgres\n  dsn: ${MIGRATOR_STATE_DSN}\n"
        f"  schema: {state_env['STATE_SCHEMA']}\n",
    )
    assert "backend: postgres" in spec
    (spec_dir / "migration.yaml").write_text(spec, encoding="utf-8")
    bundle = spec_dir / "bundle.tar.gz"
    with tarfile.open(bundle, "w:gz") as archive:
        for path in sorted((EXAMPLE / "data").iterdir()):
            archive.add(path, arcname=path.name)
    digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
    (spec_dir / "bundle.sha256").write_text(f"{digest}  bundle.tar.gz\n", encoding="utf-8")
    return root


def test_the_bundle_check_refuses_a_bundle_that_is_not_the_reviewed_one(
    repository: Path, state_env: dict[str, str]
) -> None:
    spec_dir = repository / "migrations" / "oplacrm"
    unpacked = run_step("plan", "Check and unpack the bundle", repository, state_env)
    assert unpacked.returncode == 0, unpacked.stderr
    assert "bundle.tar.gz: OK" in unpacked.stdout
    assert (spec_dir / "data" / "accounts.jsonl").read_bytes() == (
        EXAMPLE / "data" / "accounts.jsonl"
    ).read_bytes()
    assert not (spec_dir / "bundle.tar.gz").exists()

    (spec_dir / "bundle.tar.gz").write_bytes(b"another export")
    refused = run_step("apply", "Check and unpack the bundle", repository, state_env)
    assert refused.returncode == 1
    assert "bundle.tar.gz: FAILED" in refused.stdout
    assert (spec_dir / "data" / "accounts.jsonl").exists()  # nothing replaced


@pytest.mark.slow
def test_validate_and_audit_steps_run_with_a_postgres_state_spec(
    repository: Path, state_env: dict[str, str]
) -> None:
    assert run_step("plan", "Check and unpack the bundle", repository, state_env).returncode == 0
    validated = run_step("plan", "Validate", repository, state_env)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "valid (no problems found)" in validated.stdout

    audited = run_step("plan", "Audit", repository, state_env)
    assert audited.returncode == 0, audited.stdout + audited.stderr
    status = (repository / "audit.status").read_text().strip()
    assert status in ("0", "1")
    assert (repository / "audit.txt").read_text() in audited.stdout
    assert "Summary:" in audited.stdout

    leaky = {**state_env, "MIGRATOR_STATE_DSN": "postgresql://ci:hunter2@db.example.com/crm"}
    refused = run_step("plan", "Validate", repository, leaky)
    assert refused.returncode == 1
    assert "the state DSN holds a password: a spec must never hold secrets" in refused.stdout
    assert "hunter2" not in refused.stdout + refused.stderr


def plan_step(repository: Path, env: dict[str, str], outputs: Path) -> dict[str, str]:
    """Run the Plan step; return what it wrote to GITHUB_OUTPUT."""
    outputs.unlink(missing_ok=True)
    planned = run_step("plan", "Plan", repository, {**env, "GITHUB_OUTPUT": str(outputs)})
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert env["PGPASSWORD"] not in planned.stdout + planned.stderr
    return dict(line.split("=", 1) for line in outputs.read_text().splitlines())


@pytest.mark.slow
def test_plan_apply_and_show_steps_against_the_sandbox_and_a_postgres_state(
    repository: Path, state_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", state_env["PGPASSWORD"])
    dsn, schema = state_env["MIGRATOR_STATE_DSN"], state_env["STATE_SCHEMA"]
    assert run_step("plan", "Check and unpack the bundle", repository, state_env).returncode == 0

    first = plan_step(repository, state_env, tmp_path / "output")
    sha256 = hashlib.sha256((repository / "plan.bin").read_bytes()).hexdigest()
    assert first == {"sha256": sha256, "changes": "true"}
    markdown = (repository / "plan.md").read_text(encoding="utf-8")
    assert markdown.startswith("## migrator plan: `oplacrm-to-twenty`")
    assert sha256 in markdown
    assert "no state yet" in markdown
    assert not state_schema_exists(dsn, schema)  # planning reads; it never creates a state

    applied = run_step(
        "apply", "Apply the approved plan", repository, {**state_env, "PLAN_SHA256": sha256}
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "plan.bin: OK" in applied.stdout
    assert "Apply complete: " in applied.stdout
    assert state_env["PGPASSWORD"] not in applied.stdout + applied.stderr

    shown = run_step("apply", "Show the state", repository, state_env)
    assert shown.returncode == 0, shown.stderr
    location = PostgresLocation(dsn=SecretStr(dsn), schema_name=schema)
    with open_state(location) as store:
        meta = store.meta()
        assert meta.serial > 0 and meta.lineage is not None
        assert store.lock_info() is None
        assert f"serial:       {meta.serial}" in shown.stdout
    assert f"state:        {location.display()}" in shown.stdout
    assert "lock:         not locked" in shown.stdout

    again = plan_step(repository, state_env, tmp_path / "output")
    assert again["changes"] == "false"  # apply then plan: nothing left to do


def test_the_apply_step_refuses_a_plan_file_that_is_not_the_approved_one(
    repository: Path, state_env: dict[str, str]
) -> None:
    approved = hashlib.sha256(b"the plan that was reviewed").hexdigest()
    env = {**state_env, "PLAN_SHA256": approved}
    for swapped in (b"version: 1\nname: a-spec-instead\n", gzip.compress(b"another plan")):
        (repository / "plan.bin").write_bytes(swapped)
        result = run_step("apply", "Apply the approved plan", repository, env)
        assert result.returncode == 1
        assert "plan.bin: FAILED" in result.stdout
        assert "WARNING: 1 computed checksum did NOT match" in result.stderr


HOLD_LOCK = """
import sys, time
from migrator.state.location import open_state, parse_state_location
store = open_state(parse_state_location(sys.argv[1]))
store.acquire_lock("apply")
print("locked", flush=True)
time.sleep(120)
"""


@pytest.mark.slow
def test_a_cancelled_apply_leaves_a_lock_the_unlock_step_releases(
    repository: Path, state_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", state_env["PGPASSWORD"])
    location = PostgresLocation(
        dsn=SecretStr(state_env["MIGRATOR_STATE_DSN"]), schema_name=state_env["STATE_SCHEMA"]
    )
    with open_state(location, create=True) as store, store.batch() as tx:
        tx.record_written(written("companies", "oplacrm:accounts:1"))
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, location.display()],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "locked\n"
        alive = run_step("apply", "Release the lock of a cancelled apply", repository, state_env)
        assert alive.returncode == 1
        assert "is still connected to the state database" in alive.stdout + alive.stderr
        child.send_signal(signal.SIGKILL)  # what a cancelled job does to its processes, at worst
        child.wait()
        released = alive
        for _ in range(200):
            released = run_step(
                "apply", "Release the lock of a cancelled apply", repository, state_env
            )
            if released.returncode == 0:
                break
        assert released.returncode == 0, released.stdout + released.stderr
        assert released.stdout.startswith("Released the lock of ")
        shown = run_step("apply", "Show the state", repository, state_env)
        assert shown.returncode == 0, shown.stderr
        assert f"state:        {location.display()}" in shown.stdout
        assert "records:      1" in shown.stdout
        assert "lock:         not locked" in shown.stdout
        assert state_env["PGPASSWORD"] not in shown.stdout
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def test_the_workflow_removes_the_bundle_in_both_jobs() -> None:
    for job in ("plan", "apply"):
        removal = step(job, "Remove the bundle")
        assert removal["if"] == "always()"
        assert removal["run"] == 'rm -rf "${BUNDLE_DIR}/data" "${BUNDLE_DIR}/bundle.tar.gz"'
    assert shutil.which("sha256sum") is not None  # the check the jobs rely on exists here too
