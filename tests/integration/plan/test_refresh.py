"""``--refresh`` reads back what migrator wrote: edits and deletions in Twenty become changes.

The OplaCRM example is planned and applied to a fresh sandbox; then a user renames a migrated
company and trashes a migrated note. A plain plan still sees no change (it trusts the state); a
refreshed plan, after announcing what the read-back costs, writes the company back (drift, with
its field difference) and restores the note, and nothing else.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migrator.destination import open_destination
from migrator.model import Action
from migrator.plan.diff import Reason
from migrator.plan.planfile import iter_record_changes
from migrator.workflows.apply import apply_plan_file
from migrator.workflows.plan import plan
from migrator.workflows.spec_inputs import resolve_destination_url
from tests.conftest import REPO_ROOT


@pytest.mark.slow
def test_refresh_finds_drift_and_deletions_and_nothing_else(tmp_path: Path) -> None:
    root = tmp_path / "oplacrm"
    shutil.copytree(
        REPO_ROOT / "examples" / "oplacrm",
        root,
        ignore=shutil.ignore_patterns(".migrator", "*.plan"),
    )
    spec = root / "migration.yaml"
    first = plan(spec, environ={}, out=root / "a.plan")
    apply_plan_file(root / "a.plan", environ={})
    created = list(iter_record_changes(root / "a.plan"))
    company = next(c for c in created if c.phase == "mapping.companies")
    note = next(c for c in created if c.phase == "mapping.notes")
    url = resolve_destination_url("sandbox:.migrator/sandbox.db", root)
    with open_destination(url, None) as destination:
        destination.client.records.update_one(
            "companies", company.twenty_id, {"name": "Renamed by a user"}
        )
        destination.client.records.delete_many("notes", [note.twenty_id])

    trusting = plan(spec, environ={}, out=root / "b.plan")
    assert not trusting.header.has_changes

    budgets: list[int] = []
    refreshed = plan(
        spec, environ={}, out=root / "c.plan", refresh=True, on_refresh_budget=budgets.append
    )
    changes = list(iter_record_changes(root / "c.plan"))
    assert sorted((c.address, c.action, c.reason) for c in changes) == [
        (company.address, Action.UPDATE, Reason.DRIFT),
        (note.address, Action.RESTORE, Reason.DELETED),
    ]
    drift = next(c for c in changes if c.address == company.address)
    assert [(d.path, d.before) for d in drift.field_diffs] == [("name", "Renamed by a user")]
    written = sum(c.create for c in first.header.counts)
    assert budgets and budgets[0] >= 1
    assert refreshed.header.budget.reads_for_plan >= budgets[0]
    assert written > len(changes)
