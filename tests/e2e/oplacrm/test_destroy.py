"""Guide row 3's schema change is reversible: destroy removes the LOST option it added.

The issue asks that the option added to Twenty's standard ``stage`` field be shown by the plan
and removed by destroy. A separate copy of the example is applied, then destroyed through the
CLI (``migrator destroy --auto-approve``), and the workspace is read back: the stage options are
Twenty's five again, migrator's custom objects and fields are gone, and so are its records.
"""

from __future__ import annotations

import pytest

from tests.e2e.project import AppliedExample, apply_example, run_cli

STANDARD_STAGES = ["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"]


@pytest.fixture(scope="module")
def destroyed(tmp_path_factory: pytest.TempPathFactory) -> AppliedExample:
    """The example applied, then destroyed."""
    example = apply_example("oplacrm", tmp_path_factory.mktemp("opla-destroy"))
    stage = example.metadata_field("opportunity", "stage")
    assert "LOST" in [o["value"] for o in stage["options"]]
    run = run_cli(example.root, "destroy", "migration.yaml", "--auto-approve")
    assert run.exit_code == 0, run.output[-3000:]
    example.runs.append(run)
    example.reread()
    return example


def test_row_03_plan_shows_the_added_stage_option(destroyed: AppliedExample) -> None:
    (change,) = [c for c in destroyed.header.schema_changes if c.kind == "options"]
    assert change.address == "option.opportunity.stage.LOST"
    assert "+ option.opportunity.stage.LOST" in destroyed.plan_run.stdout


def test_row_03_destroy_removes_the_added_stage_option(destroyed: AppliedExample) -> None:
    stage = destroyed.metadata_field("opportunity", "stage")
    assert [o["value"] for o in stage["options"]] == STANDARD_STAGES
    singulars = {o["nameSingular"] for o in destroyed.snapshot["objects"]}
    assert not singulars & {"product", "productLine", "invoice"}
    fields = {f["name"] for f in destroyed.metadata_object("company")["fields"]}
    assert not {"oplaHealthscore", "oplaLocked", "migrationSourceId"} & fields
    for plural in ("companies", "people", "opportunities", "tasks", "notes"):
        assert destroyed.records(plural) == [], plural
