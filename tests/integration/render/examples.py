"""Plans of the committed examples against an empty sandbox, made once per test session.

A plan binds absolute paths (the spec's directory and the sandbox database), so the same plan
file, and the sha256 its Markdown names, come out only from the same place: each example is
copied to one fixed directory, :data:`WORK_ROOT`, and planned there against a new sandbox with a
fixed workspace id, under a file lock (several checkouts may run the tests at once). What a
test needs (header, views, the decompressed plan file, every log record) is kept as data, so no
test depends on the directory afterwards.

The examples plan only with the real mapper (``migrator.mapping.Mapper``, issue #8); until it
lands every test using them is skipped with :data:`MAPPER_MISSING` as the reason.
"""

from __future__ import annotations

import fcntl
import functools
import gzip
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from migrator import mapping as mapping_package
from migrator.plan.model import PlanHeader
from migrator.plan.planfile import iter_plan_outcomes, iter_record_changes, plan_file_sha256
from migrator.render.views import PLAN_FORMATS, render_plan
from migrator.sandbox.app import make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.spec.validation import load_spec
from migrator.workflows.graph import graph
from migrator.workflows.plan import plan
from tests.conftest import REPO_ROOT

EXAMPLES = ("oplacrm", "aeronaclinic")
WORK_ROOT = Path("/tmp/migrator-example-plans")
WORKSPACE_ID = "7e5a0b1c-9d2f-4e3a-8b6c-0d1e2f3a4b5c"
FAKE_API_KEY = "tk_example_0f1e2d3c4b5a69788796a5b4c3d2e1f0"
"""Handed to the planner as TWENTY_API_KEY; it must appear in nothing the plan produces."""

MAPPER_MISSING = (
    "the example plans need the real mapper, migrator.mapping.Mapper (issue #8), which is not "
    "in this tree yet: `migrator plan` cannot plan examples/ without it"
)
needs_mapper = pytest.mark.skipif(
    getattr(mapping_package, "Mapper", None) is None, reason=MAPPER_MISSING
)


@dataclass(frozen=True)
class ExamplePlan:
    """One example planned against an empty sandbox, with everything the tests read."""

    name: str
    header: PlanHeader
    sha256: str
    views: dict[str, str]
    """``text``, ``markdown`` and ``json`` renderings (no colour; Markdown with the graph)."""
    plan_file_text: str
    """The plan file, decompressed."""
    logs: str
    """Every log record emitted while planning, at DEBUG, messages formatted."""
    sandbox_api_key: str
    """The key the sandbox minted for itself; it must not leak either."""


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


@contextmanager
def captured_logs() -> Iterator[_Collector]:
    """Collect every record of every logger at DEBUG while the block runs."""
    root = logging.getLogger()
    collector, level = _Collector(), root.level
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    try:
        yield collector
    finally:
        root.removeHandler(collector)
        root.setLevel(level)


@contextmanager
def _exclusive() -> Iterator[None]:
    WORK_ROOT.parent.mkdir(parents=True, exist_ok=True)
    with (WORK_ROOT.parent / "migrator-example-plans.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _members_file(spec_path: Path, environ: dict[str, str]) -> Path | None:
    """The members file the spec seeds a new sandbox with (``destination.sandbox.members``)."""
    spec = load_spec(spec_path, environ=environ).spec
    members = getattr(getattr(spec.destination, "sandbox", None), "members", None)
    return (spec_path.parent / str(members)).resolve() if members else None


def _fresh_copy(name: str, environ: dict[str, str]) -> tuple[Path, str]:
    """The example as the repository holds it, and its sandbox made as the planner would make
    it (same members) but with the fixed workspace id; returns the sandbox's own API key."""
    root = WORK_ROOT / name
    shutil.rmtree(root, ignore_errors=True)
    ignore = shutil.ignore_patterns(".migrator", "*.plan")
    shutil.copytree(REPO_ROOT / "examples" / name, root, ignore=ignore)
    (root / ".migrator").mkdir(mode=0o700)
    config = SandboxConfig(
        db_path=root / ".migrator" / "sandbox.db",
        workspace_id=WORKSPACE_ID,
        members_file=_members_file(root / "migration.yaml", environ),
    )
    with make_sandbox(config) as sandbox:
        key = sandbox.api_key
    return root, key


@functools.cache
def example_plan(name: str) -> ExamplePlan:
    """Plan ``examples/<name>`` against an empty sandbox (once per session)."""
    environ = {"TWENTY_API_KEY": FAKE_API_KEY}
    with _exclusive():
        root, sandbox_key = _fresh_copy(name, environ)
        spec, path = root / "migration.yaml", root / f"{name}.plan"
        with captured_logs() as logs:
            result = plan(spec, environ=environ, out=path, display_path="migration.yaml")
            mermaid = graph(spec, environ=environ, display_path="migration.yaml")
        sha = plan_file_sha256(path)
        views: dict[str, str] = {
            fmt: "".join(
                render_plan(
                    fmt,
                    result.header,
                    iter_record_changes(path),
                    plan_sha256=sha,
                    mermaid=mermaid,
                    outcomes=iter_plan_outcomes(path),
                )
            )
            for fmt in PLAN_FORMATS
        }
        plan_file_text = gzip.decompress(path.read_bytes()).decode("utf-8")
    return ExamplePlan(
        name=name,
        header=result.header,
        sha256=sha,
        views=views,
        plan_file_text=plan_file_text,
        logs="\n".join(logs.lines),
        sandbox_api_key=sandbox_key,
    )
