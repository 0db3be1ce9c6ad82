"""Copy an example, plan and apply it once through the CLI in process, and read back the result.

:func:`apply_example` runs exactly what a user runs (``migrator -vv plan SPEC -o FILE``,
``migrator -vv apply FILE``, then ``migrator plan SPEC --detailed-exitcode``) on a copy of
``examples/<name>`` whose destination is the built-in sandbox, and keeps everything the tool
printed. :class:`AppliedExample` then gives the tests what Twenty holds (the sandbox's canonical
snapshot, read through its ``/_sandbox/snapshot`` route), the saved plan's header (counts,
warnings, quarantine, holds), the state, and the source bundle's rows read as plain JSON (so a
reader bug cannot hide behind itself).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

from migrator.cli import cli
from migrator.cli.errors import run_with_error_handling
from migrator.plan.model import PlanHeader
from migrator.plan.planfile import read_plan_header
from migrator.sandbox.app import make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.sandbox.transport import in_process_transport
from migrator.state import open_sqlite_state
from migrator.state.model import HoldEntry, QuarantineEntry, RecordEntry
from tests.conftest import REPO_ROOT

Record = dict[str, Any]


@dataclass(frozen=True)
class Run:
    """One CLI invocation: its arguments, exit code and what it printed."""

    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Standard output and standard error together."""
        return self.stdout + self.stderr


def _environment(extra: Mapping[str, str]) -> dict[str, str | None]:
    """Unset every MIGRATOR_*/TWENTY_* variable of the caller, then set ``extra``."""
    env: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith(("MIGRATOR_", "TWENTY_", "OPLA_"))
    }
    env.update(extra)
    return env


def run_cli(root: Path, *args: str, env: Mapping[str, str] | None = None) -> Run:
    """Run ``migrator ARGS`` in process, as ``main`` does, with ``root`` as working directory.

    Errors go through the CLI's one error handler (a MigratorError prints its message and
    exits 1), so a test sees exactly what a user would.
    """
    runner = CliRunner()
    previous = Path.cwd()
    os.chdir(root)
    try:
        with runner.isolation(env=_environment(env or {})) as (stdout, stderr, _):
            code = run_with_error_handling(cli, list(args))
            out = stdout.getvalue().decode("utf-8", "replace")
            err = stderr.getvalue().decode("utf-8", "replace")
    finally:
        os.chdir(previous)
    return Run(tuple(args), code, out, err)


def copy_example(name: str, into: Path) -> Path:
    """A fresh copy of ``examples/<name>`` (without any local run's .migrator or plans)."""
    root = into / name
    shutil.copytree(
        REPO_ROOT / "examples" / name, root, ignore=shutil.ignore_patterns(".migrator", "*.plan")
    )
    return root


@contextmanager
def sandbox_http(root: Path) -> Iterator[httpx.Client]:
    """An HTTP client on the copied example's sandbox (in process, with its invited members)."""
    members = root / "workspace-members.json"
    config = SandboxConfig(
        db_path=root / ".migrator" / "sandbox.db",
        members_file=members if members.exists() else None,
    )
    (root / ".migrator").mkdir(mode=0o700, exist_ok=True)
    with make_sandbox(config) as sandbox:
        headers = {"Authorization": f"Bearer {sandbox.api_key}"}
        with httpx.Client(
            transport=in_process_transport(sandbox),
            base_url="http://sandbox.invalid",
            headers=headers,
        ) as http:
            yield http


@dataclass
class AppliedExample:
    """An example applied once to its sandbox; everything the tests read about the result."""

    name: str
    root: Path
    plan_run: Run
    apply_run: Run
    replan_run: Run
    runs: list[Run] = field(default_factory=list)

    @property
    def spec(self) -> Path:
        """The copied spec."""
        return self.root / "migration.yaml"

    @property
    def plan_file(self) -> Path:
        """The saved plan that was applied."""
        return self.root / "first.plan"

    @property
    def state_path(self) -> Path:
        """The state database the spec names."""
        return self.root / ".migrator" / f"{self.name}-to-twenty.state.db"

    @property
    def audit_log(self) -> Path:
        """The audit log apply wrote next to the state."""
        return self.root / ".migrator" / f"{self.name}-to-twenty.audit.jsonl"

    @cached_property
    def header(self) -> PlanHeader:
        """The applied plan's header: counts, warnings, schema changes, quarantine, holds."""
        return read_plan_header(self.plan_file)

    @cached_property
    def snapshot(self) -> dict[str, Any]:
        """The sandbox's canonical snapshot: every object's metadata and every record."""
        with sandbox_http(self.root) as http:
            response = http.get("/_sandbox/snapshot")
            response.raise_for_status()
            data: dict[str, Any] = json.loads(response.content)
        return data

    def reread(self) -> None:
        """Forget the cached snapshot, so the next read sees the workspace as it is now."""
        self.__dict__.pop("snapshot", None)

    def records(self, plural: str) -> list[Record]:
        """Every stored record of ``plural`` that is not soft-deleted."""
        rows: list[Record] = self.snapshot["records"].get(plural, [])
        return [row for row in rows if not row.get("deletedAt")]

    def by_source(self, plural: str, source_object: str) -> dict[str, Record]:
        """Records of ``plural`` that migrator wrote for ``source_object``, by source id."""
        prefix = f"{self.spec_system}:{source_object}:"
        found: dict[str, Record] = {}
        for row in self.records(plural):
            key = row.get("migrationSourceId") or ""
            if key.startswith(prefix):
                found[key[len(prefix) :]] = row
        return found

    def by_id(self, plural: str) -> dict[str, Record]:
        """Records of ``plural`` by their Twenty id."""
        return {str(row["id"]): row for row in self.records(plural)}

    @property
    def spec_system(self) -> str:
        """The source system's name (the first part of every source key)."""
        return self.name

    def metadata_object(self, singular: str) -> Record:
        """The metadata of Twenty object ``singular`` (fields included)."""
        for obj in self.snapshot["objects"]:
            if obj["nameSingular"] == singular:
                found: Record = obj
                return found
        raise KeyError(singular)

    def metadata_field(self, singular: str, name: str) -> Record:
        """The metadata of field ``name`` of object ``singular``."""
        for item in self.metadata_object(singular)["fields"]:
            if item["name"] == name:
                found: Record = item
                return found
        raise KeyError(f"{singular}.{name}")

    def rows(self, source_object: str) -> list[Record]:
        """The bundle's rows of ``source_object``, read as plain JSON lines."""
        path = self.root / "data" / f"{source_object}.jsonl"
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def state_records(self, mapping: str | None = None) -> list[RecordEntry]:
        """The state's written records (of ``mapping``)."""
        with open_sqlite_state(self.state_path) as store:
            return list(store.records(mapping))

    def quarantined(self, mapping: str | None = None) -> list[QuarantineEntry]:
        """The state's quarantine (of ``mapping``)."""
        with open_sqlite_state(self.state_path) as store:
            return list(store.quarantined(mapping))

    def held(self, mapping: str | None = None) -> list[HoldEntry]:
        """The state's held records (of ``mapping``)."""
        with open_sqlite_state(self.state_path) as store:
            return list(store.held(mapping))

    def warnings(self, code: str) -> Iterator[Any]:
        """The plan's warnings with ``code``."""
        return (w for w in self.header.warnings if w.code == code)

    def written_ids(self, mapping: str) -> set[str]:
        """Source ids of ``mapping`` that the state records as written to Twenty."""
        return {e.source_key.rsplit(":", 1)[1] for e in self.state_records(mapping)}

    def written_rows(self, source_object: str, mapping: str, id_field: str = "id") -> list[Record]:
        """The bundle rows of ``source_object`` that ``mapping`` wrote to Twenty."""
        ids = self.written_ids(mapping)
        return [row for row in self.rows(source_object) if str(row[id_field]) in ids]

    def key(self, source_object: str, source_id: object) -> str:
        """The namespaced source key of a bundle row."""
        return f"{self.spec_system}:{source_object}:{source_id}"


def apply_example(
    name: str, into: Path, *, env: Mapping[str, str] | None = None, prepare: Any = None
) -> AppliedExample:
    """Copy ``examples/<name>`` into ``into``, plan, apply and re-plan it on its sandbox.

    ``prepare(root)``, when given, edits the copy before planning. Fails (AssertionError) with
    the tool's output when a step does not exit as a user expects: plan 0, apply 0, re-plan 0.
    """
    root = copy_example(name, into)
    if prepare is not None:
        prepare(root)
    plan_run = run_cli(root, "-vv", "plan", "migration.yaml", "-o", "first.plan", env=env)
    assert plan_run.exit_code == 0, plan_run.output[-4000:]
    apply_run = run_cli(root, "-vv", "apply", "first.plan", env=env)
    assert apply_run.exit_code == 0, apply_run.output[-4000:]
    replan_run = run_cli(root, "plan", "migration.yaml", "--detailed-exitcode", env=env)
    return AppliedExample(name, root, plan_run, apply_run, replan_run)
