"""Checks that come from the spec meeting the data, each planted in a small edit of an example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from migrator import workflows
from migrator.audit.model import Category, Level
from migrator.audit.spec_checks import UI_EXPORT_LIMIT, volume_checks
from migrator.audit.tally import Tally
from migrator.spec.target_model import build_target_model
from migrator.spec.validation import load_spec
from tests.integration.preflight.workspace import edit_spec, make_example, rewrite_objects


def test_an_unmapped_stage_label_would_quarantine(tmp_path: Path) -> None:
    spec, _ = make_example(tmp_path, "oplacrm", records=300, seed=8)
    edit_spec(spec, '          "Mới": NEW\n', "")
    report = workflows.audit(spec, environ={}, check_destination=False)
    [check] = report.by_code("unmapped_value")
    assert (check.object, check.field, check.level) == ("opportunities", "stage_name", Level.ERROR)
    assert check.count > 0 and report.has_errors
    assert "Mới" not in check.message + check.hint + "".join(check.examples)


def test_a_custom_field_colliding_with_twenty_is_flagged_until_renamed(tmp_path: Path) -> None:
    spec, _ = make_example(tmp_path, "oplacrm", records=200, seed=8)
    report = workflows.audit(spec, environ={}, check_destination=False)
    handled = {(c.object, c.field) for c in report.by_code("custom_field_renamed")}
    assert ("accounts", "custom_fields.address") in handled
    assert ("contacts", "custom_fields.name") in handled
    edit_spec(spec, "      oplaName: custom_fields.name\n", "")
    report = workflows.audit(spec, environ={}, check_destination=False)
    [collision] = report.by_code("custom_field_name_collision")
    assert (collision.object, collision.field) == ("contacts", "custom_fields.name")
    assert collision.level is Level.WARN
    assert "person.name" in collision.message and "renamed_from" in collision.hint


def test_a_repeated_primary_key_and_an_unknown_option(tmp_path: Path) -> None:
    spec, _ = make_example(tmp_path, "oplacrm", records=200, seed=8)

    def repeat_and_spoil(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows[1]["custom_field_values"] = [
            {"custom_field_id": "cf-001", "key": "quan", "value": "opt-999"}
        ]
        return [*rows, dict(rows[0])]

    rewrite_objects(tmp_path / "data", "accounts", repeat_and_spoil)
    report = workflows.audit(spec, environ={}, check_destination=False)
    [dup] = report.by_code("duplicate_primary_key")
    assert dup.object == "accounts" and dup.level is Level.ERROR and dup.count == 1
    unknown = [c for c in report.by_code("invalid_option") if c.object == "accounts"]
    assert unknown and unknown[0].field == "custom_fields.quan"


def test_objects_past_the_ui_export_limit_say_how_to_export_them() -> None:
    from tests.conftest import REPO_ROOT

    spec = load_spec(REPO_ROOT / "examples/aeronaclinic/migration.yaml", environ={}).spec
    tally = Tally()
    counts = {"appointments": 15_000, "treatment_plans": 4_000, "invoices": 2_500, "patients": 900}
    volume_checks(spec, build_target_model(spec), counts, tally)
    [check] = tally.build()
    assert (check.category, check.level, check.object) == (
        Category.VOLUME,
        Level.INFO,
        "opportunity",
    )
    assert check.count == 21_500 > UI_EXPORT_LIMIT
    assert "GET /rest/opportunities?limit=200" in check.examples[0]
    assert "108 pages" in check.hint and "2 views" in check.hint


def test_on_invalid_warn_turns_a_quarantine_into_a_warning(tmp_path: Path) -> None:
    spec, _ = make_example(tmp_path, "aeronaclinic", records=400, seed=5, dirty_rate=0.3)
    before = workflows.audit(spec, environ={}, check_destination=False)
    assert {c.level for c in before.by_code("nhs_check_digit")} == {Level.ERROR}
    edit_spec(
        spec, "{from: nhsNumber, on_invalid: quarantine}", "{from: nhsNumber, on_invalid: warn}"
    )
    after = workflows.audit(spec, environ={}, check_destination=False)
    assert {c.level for c in after.by_code("nhs_check_digit")} == {Level.WARN}
    patients = {o.object: o.quarantined for o in before.objects}["patients"]
    assert {o.object: o.quarantined for o in after.objects}["patients"] < patients
