"""A run killed (SIGKILL) at a chosen moment of a real OplaCRM plan resumes and completes.

Regression tests of issue #10: a run killed once every mapping phase was done — between two
second-pass link phases, or in the middle of one — used to leave a resume that refused with
"the plan no longer matches the source … record.opportunities[…]: the source no longer produces
it": the resumed run asked the mapper for a link phase without running any mapping phase first,
so it had no links to pair the plan's with. Each test generates a small bundle, plans it against
the embedded sandbox (batches of 20, so a phase takes several), applies it in a child process
that kills itself at the moment (:mod:`tests.integration.apply.kill_at`), releases the dead
process's lock as ``migrator state unlock`` does, and applies the same plan again: it completes,
the sandbox holds every record the plan creates exactly once, the state records each, and a new
plan has nothing to do.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from migrator.model import Action
from migrator.plan.planfile import iter_record_changes
from migrator.sandbox.app import make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.sandbox.transport import in_process_transport
from migrator.sources.generator import generate_bundle
from migrator.sources.generator.members import write_members_file
from migrator.state import RunStatus, open_sqlite_state
from migrator.twenty.transport import build_http_client
from migrator.workflows.apply import apply_plan_file
from migrator.workflows.plan import plan
from migrator.workflows.state import unlock_state
from tests.conftest import REPO_ROOT
from tests.integration.apply.harness import snapshot

ENVIRON = {"TWENTY_API_KEY": "sandbox"}
KILL_AT = Path(__file__).with_name("kill_at.py")
STATE = Path(".migrator") / "oplacrm-to-twenty.state.db"
MOMENTS = {
    "between-link-phases": ("link.opportunities.oplaJointOpportunity", "start"),
    "mid-link-phase": ("link.opportunities.oplaJointOpportunity", "advanced"),
    "mid-opportunities-phase": ("mapping.opportunities", "advanced"),
    "first-targets-phase": ("mapping.activities-targets", "start"),
}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1,000-record OplaCRM bundle with the active users as workspace members."""
    root = tmp_path_factory.mktemp("bundle")
    generate_bundle("oplacrm", root / "data", records=1000, seed=7)
    write_members_file(root / "data", root / "workspace-members.json")
    return root


def _project(bundle: Path, tmp_path: Path) -> Path:
    root = tmp_path / "oplacrm"
    shutil.copytree(bundle, root)
    spec = (REPO_ROOT / "examples" / "oplacrm" / "migration.yaml").read_text(encoding="utf-8")
    assert "batch_size: 200" in spec
    (root / "migration.yaml").write_text(spec.replace("batch_size: 200", "batch_size: 20"))
    return root


def _stored(root: Path) -> dict[str, list[dict[str, object]]]:
    with make_sandbox(SandboxConfig(db_path=root / ".migrator" / "sandbox.db")) as box:
        transport = in_process_transport(box)
        with build_http_client("http://sandbox.invalid", box.api_key, transport=transport) as http:
            records: dict[str, list[dict[str, object]]] = snapshot(http)["records"]
    return records


@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_a_run_killed_at_the_moment_resumes_and_completes(
    moment: str, bundle: Path, tmp_path: Path
) -> None:
    root = _project(bundle, tmp_path)
    planned = plan(root / "migration.yaml", environ=ENVIRON, out=root / "p.plan")
    phase, event = MOMENTS[moment]
    assert phase in planned.header.phases
    killed = subprocess.run(
        [sys.executable, str(KILL_AT), str(root / "p.plan"), phase, event],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    unlock_state(root / STATE)  # `migrator state unlock`: the holder is gone

    result = apply_plan_file(root / "p.plan", environ=ENVIRON)

    assert result.resumed
    assert phase in [report.counts.phase for report in result.phases]
    assert all(report.counts.is_balanced for report in result.phases)
    creates = {c.address for c in iter_record_changes(root / "p.plan") if c.action is Action.CREATE}
    with open_sqlite_state(root / STATE) as store:
        entries = {entry.address: entry for entry in store.records()}
        runs = store.runs()
    assert len(runs) == 2 and runs[-1].status is RunStatus.COMPLETE
    assert runs[0].plan_digest == runs[1].plan_digest
    assert set(entries) == creates
    stored = _stored(root)
    provenance = Counter(
        str(row["migrationSourceId"])
        for rows in stored.values()
        for row in rows
        if row.get("migrationSourceId")
    )
    assert len(provenance) == len(creates)
    assert max(provenance.values()) == 1, provenance.most_common(3)
    ids = {str(row["id"]) for rows in stored.values() for row in rows}
    assert {entry.twenty_id for entry in entries.values()} <= ids
    again = plan(root / "migration.yaml", environ=ENVIRON)
    assert not again.header.has_changes
