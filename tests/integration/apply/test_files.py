"""Files are uploaded just before their attachment records; a record found already written keeps
the file its first send attached, and the state records that one."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx

from migrator.addresses import record_address
from migrator.apply.model import Desired
from migrator.identity import twenty_id
from migrator.mapping.model import FileRef
from migrator.plan.model import DestinationIdentity, PriorState
from migrator.state import open_sqlite_state
from migrator.workflows.state import remove_from_state
from tests.integration.apply.conftest import ApplyPlan
from tests.integration.apply.harness import NAMESPACE, Scenario, records_of

STATE = Path(".migrator/test.state.db")


def _attachment(number: int, company: Desired, root: Path) -> Desired:
    content = f"scan {number}\n".encode()
    (root / f"a{number}.txt").write_bytes(content)
    key = f"oplacrm:attachments:{number}"
    ident = twenty_id(NAMESPACE, key)
    ref = FileRef(
        "file", f"a{number}.txt", len(content), hashlib.sha256(content).hexdigest(), "Scan"
    )
    payload = {"id": ident, "name": f"Scan {number}", "targetCompanyId": company.twenty_id}
    return Desired(
        record_address("files", key), "files", key, "attachment", ident, payload,
        depends_on=(company.address,), files=(ref,),
    )  # fmt: skip


def test_uploads_then_records_and_a_rewritten_record_keeps_its_first_file(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    scenario = Scenario.make(companies=2, people_per_company=0)
    scenario.people = [_attachment(n, scenario.companies[n], bundle) for n in range(2)]
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)

    apply_plan(plan, scenario.source(bundle))

    stored = {r["id"]: r for r in records_of(http, "attachments")}
    first_files = {}
    with open_sqlite_state(tmp_path / STATE) as store:
        for item in scenario.people:
            entry = store.record(item.address)
            assert entry is not None and len(entry.file_ids) == 1
            assert [f["fileId"] for f in stored[item.twenty_id]["file"]] == list(entry.file_ids)
            first_files[item.address] = entry.file_ids
        meta = store.meta()
    assert meta.lineage is not None

    # the state forgets one attachment (as after a crash between Twenty's answer and the
    # state's commit); applying its create again finds it written and keeps its first file
    forgotten = scenario.people[0]
    remove_from_state(tmp_path / STATE, [forgotten.address])
    again = Scenario([], [forgotten])
    prior = PriorState(lineage=meta.lineage, serial=meta.serial + 1)
    again.write_plan(tmp_path / "again.gz", plan_identity, prior)

    apply_plan(tmp_path / "again.gz", again.source(bundle))

    with open_sqlite_state(tmp_path / STATE) as store:
        entry = store.record(forgotten.address)
        assert entry is not None and entry.file_ids == first_files[forgotten.address]
    assert len(records_of(http, "attachments")) == 2
