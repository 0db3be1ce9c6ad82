"""Apply, verify, destroy on both examples: the sandbox ends as it began (issue #11, done when).

The sandbox already holds records of its users before the migration: a person whose email a
source contact (patient) has — apply merges into it —, a soft-deleted company a source account
matches — apply restores it —, and unrelated people and companies. After apply, verify exits
clean; after destroy the sandbox's canonical snapshot equals the one taken before, apart from
``updatedBy`` (only the server sets it) and the ``updatedAt`` of the metadata of the standard
field migrator added options to and removed them from again (a metadata PATCH stamps it and the
metadata API cannot write it back). The state then holds no records.
"""

from __future__ import annotations

from typing import Any

import pytest
from deepdiff import DeepDiff

from migrator.model import Action
from migrator.plan.planfile import iter_record_changes
from migrator.state import open_sqlite_state
from migrator.state.model import RecordStatus
from migrator.workflows.destroy import destroy
from migrator.workflows.verify import verify
from tests.integration.cutover.conftest import Project, copy_example, without_updated_by

pytestmark = pytest.mark.e2e


def _seed_users(project: Project, person_mapping: str, company_mapping: str) -> None:
    person = next(iter(project.desired(person_mapping))).payload
    company = next(iter(project.desired(company_mapping))).payload
    project.seed(
        "people",
        [
            {
                "name": {"firstName": "Kept", "lastName": "Here"},
                "emails": {"primaryEmail": person["emails"]["primaryEmail"]},
                "jobTitle": "kept by destroy",
            },
            {
                "name": {"firstName": "Un", "lastName": "Related"},
                "emails": {"primaryEmail": "unrelated@example.org"},
            },
        ],
    )
    deleted = {"name": company["name"], "domainName": {"primaryLinkUrl": "https://old.example"}}
    if "address" in company:
        deleted["address"] = company["address"]
    ids = project.seed("companies", [deleted, {"name": "Unrelated Ltd"}])
    project.soft_delete("companies", ids[:1])


def _comparable(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot without ``updatedBy`` and without metadata ``updatedAt`` stamps."""
    plain: dict[str, Any] = without_updated_by(snapshot)
    for obj in plain["objects"]:
        obj.pop("updatedAt", None)
        for item in obj["fields"]:
            item.pop("updatedAt", None)
    return plain


@pytest.mark.parametrize(
    ("name", "people", "companies"),
    [("oplacrm", "people", "companies"), ("aeronaclinic", "patients", "practices")],
)
def test_apply_verify_destroy_leaves_the_sandbox_as_it_was(
    name: str, people: str, companies: str, tmp_path: Any
) -> None:
    project = copy_example(name, tmp_path)
    _seed_users(project, people, companies)
    before = project.snapshot()

    project.apply()
    state_path = project.root / ".migrator" / f"{project.spec().name}.state.db"
    with open_sqlite_state(state_path) as store:
        statuses = {e.status for e in store.records()}
    assert RecordStatus.MERGED in statuses
    if name == "oplacrm":  # the account matched by name and address: a restore
        assert RecordStatus.RESTORED in statuses
    report = verify(project.spec_path, environ={})
    assert report.ok, report.findings[:3]
    assert report.checked > 300 and report.reads == report.budget

    result = destroy(project.spec_path, environ={})
    assert result.conflicts.conflicts == []
    assert result.applied is not None
    changes = list(iter_record_changes(result.plan.path))  # type: ignore[arg-type]
    assert changes and {c.action for c in changes} == {Action.DELETE}
    if name == "oplacrm":  # two attachments with uploaded files: listed, then gone with them
        [files] = [w for w in result.plan.header.warnings if w.code == "uploaded_files"]
        assert files.count == 2
    budget = result.plan.header.budget.requests
    assert budget["batch_destroy"] >= 1 and budget["batch_upsert"] >= 1
    assert result.applied.requests <= result.plan.header.budget.total_requests

    after = project.snapshot()
    assert DeepDiff(_comparable(before), _comparable(after)) == {}
    with open_sqlite_state(state_path) as store:
        assert list(store.records()) == [] and store.schema_resources() == ()
        assert list(store.quarantined()) == [] and list(store.held()) == []
        assert store.runs()[-1].kind.value == "destroy"
