"""verify catches an edit made behind migrator's back; destroy refuses while users depend on
what it would remove, and goes ahead with ``--force`` (issue #11, done when).

Runs on the OplaCRM example in-process; the CLI test at the end runs the real commands.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migrator.destroy.conflicts import CLOCK_SLACK_S
from migrator.errors import PlanError
from migrator.state import open_sqlite_state
from migrator.workflows.destroy import destroy, plan_destroy
from migrator.workflows.spec_inputs import open_spec_destination
from migrator.workflows.verify import verify
from tests.integration.cutover.conftest import Project

pytestmark = pytest.mark.e2e


def _state_path(project: Project) -> Path:
    return project.root / ".migrator" / f"{project.spec().name}.state.db"


def _written(project: Project, mapping: str) -> tuple[str, str]:
    with open_sqlite_state(_state_path(project)) as store:
        entry = next(e for e in store.records(mapping) if e.pre_image is None)
    return entry.address, entry.twenty_id


def test_verify_names_the_record_and_field_edited_in_twenty(oplacrm: Project) -> None:
    oplacrm.apply()
    address, company_id = _written(oplacrm, "companies")
    oplacrm.update("companies", company_id, {"name": "Renamed by a user"})
    report = verify(oplacrm.spec_path, environ={})
    assert not report.ok
    assert [(f.kind, f.address, [d.path for d in f.fields]) for f in report.findings] == [
        ("differs", address, ["name"])
    ]
    assert report.findings[0].fields[0].twenty == "Renamed by a user"

    sampled = verify(oplacrm.spec_path, environ={}, sample=50)
    assert 10 <= sampled.checked <= 150
    assert sampled.reads == sampled.budget


def test_a_sensitive_field_is_named_without_its_values(aeronaclinic: Project) -> None:
    aeronaclinic.apply()
    address, person_id = _written(aeronaclinic, "patients")
    changed = {"name": {"firstName": "Secretvalue", "lastName": "Fortytwo"}}
    aeronaclinic.update("people", person_id, changed)
    report = verify(aeronaclinic.spec_path, environ={})
    found = [f for f in report.findings if f.address == address]
    assert found and found[0].fields
    assert all(d.sensitive and d.twenty is None and d.expected is None for d in found[0].fields)
    assert [d.path for d in found[0].fields] == ["name"]
    assert "Secretvalue" not in report.model_dump_json()


def test_destroy_refuses_while_a_user_record_points_at_a_migrated_company(
    oplacrm: Project,
) -> None:
    oplacrm.apply()
    address, company_id = _written(oplacrm, "companies")
    [theirs] = oplacrm.seed(
        "people",
        [{"name": {"firstName": "Their", "lastName": "Contact"}, "companyId": company_id}],
    )
    _plan, conflicts = plan_destroy(oplacrm.spec_path, environ={}, out=None)
    assert [(c.kind, c.record_id) for c in conflicts.conflicts] == [("points_at", theirs)]
    with pytest.raises(PlanError) as refused:
        destroy(oplacrm.spec_path, environ={})
    assert "--force" in refused.value.hint and theirs in refused.value.detail
    assert address in refused.value.detail
    with open_sqlite_state(_state_path(oplacrm)) as store:
        assert store.record(address) is not None  # nothing was written

    result = destroy(oplacrm.spec_path, environ={}, force=True)
    assert result.applied is not None
    with open_sqlite_state(_state_path(oplacrm)) as store:
        assert list(store.records()) == []
    people = oplacrm.snapshot()["records"]["people"]
    kept = next(p for p in people if p["id"] == theirs)
    assert kept["companyId"] is None  # the relation was emptied, their person kept


def test_destroy_lists_edits_filled_fields_and_used_options(oplacrm: Project) -> None:
    oplacrm.apply()
    _address, company_id = _written(oplacrm, "companies")
    time.sleep(CLOCK_SLACK_S + 0.5)  # an edit made later than the clocks' agreed slack
    oplacrm.update("companies", company_id, {"name": "Edited since"})
    [filled] = oplacrm.seed("companies", [{"name": "Theirs", "oplaHealthscore": 7}])
    [lost] = oplacrm.seed("opportunities", [{"name": "Their deal", "stage": "LOST"}])
    _plan, conflicts = plan_destroy(oplacrm.spec_path, environ={}, out=None)
    found = {(c.kind, c.record_id) for c in conflicts.conflicts}
    assert found == {("edited", company_id), ("filled_field", filled), ("uses_option", lost)}


def _cli(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATOR_", "TWENTY_"))}
    return subprocess.run(
        [sys.executable, "-m", "migrator", *args],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_cli_verify_and_destroy(oplacrm: Project) -> None:
    oplacrm.apply()
    _address, company_id = _written(oplacrm, "companies")
    verified = _cli(oplacrm, "verify", "migration.yaml")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "read requests" in verified.stderr
    oplacrm.update("companies", company_id, {"name": "Renamed"})
    assert _cli(oplacrm, "verify", "migration.yaml", "--format", "json").returncode == 1
    refused = _cli(oplacrm, "destroy", "migration.yaml", "--auto-approve")
    assert refused.returncode == 1 and "--force" in refused.stderr
    planned = _cli(oplacrm, "plan", "--destroy", "migration.yaml", "--detailed-exitcode")
    assert planned.returncode == 2, planned.stderr
    done = _cli(oplacrm, "destroy", "migration.yaml", "--auto-approve", "--force")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Destroy complete" in done.stdout


def test_verify_finds_records_missing_in_twenty_and_unexpected_ones(oplacrm: Project) -> None:
    oplacrm.apply()
    address, company_id = _written(oplacrm, "companies")
    assert address.startswith("record.companies[")
    with open_spec_destination(oplacrm.spec(), oplacrm.root, None) as dest:
        dest.client.records.destroy_many("companies", [company_id])
    [stray] = oplacrm.seed(
        "companies", [{"name": "Stray", "migrationSourceId": "oplacrm:accounts:not-in-state"}]
    )
    report = verify(oplacrm.spec_path, environ={})
    kinds = {(f.kind, f.twenty_id) for f in report.findings}
    assert ("missing_in_twenty", company_id) in kinds and ("unexpected", stray) in kinds
    assert not report.ok
