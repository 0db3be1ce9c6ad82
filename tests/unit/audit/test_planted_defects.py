"""Every defect class the generator plants is reported by the audit, on the right object.

Both examples' bundles are generated with a high dirt rate (every class appears) and one
attachment larger than the spec's file policy; the audit runs on the committed example specs.
Three planted variants are not defects and are accepted silently by the bundle reader, by design:
an emoji in a company name (Unicode must survive, sources.md §5.1), an amount written as a JSON
number instead of a string, and custom field values in the real API's nested shape
(``custom_api_shape``, sources.md §2.2). The test lists them, so a new class cannot slip by.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator import workflows
from migrator.audit.model import AuditReport, Level
from migrator.sources.generator import GenerateResult
from tests.integration.preflight.workspace import edit_spec, make_example

#: Planted class → (audit code, source object) that reports it.
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "oplacrm": {
        "account_missing_name": ("missing_required_value", "accounts"),
        "account_orphan_parent": ("orphan_reference", "accounts"),
        "activity_orphan_contact": ("orphan_reference", "activities"),
        "amount_extra_decimals": ("money_too_many_places", "opportunities"),
        "attachment_mime_mismatch": ("mime_type_mismatch", "attachments"),
        "attachment_oversized": ("file_over_size_policy", "attachments"),
        "bad_sku": ("sku_format", "products"),
        "contact_duplicate_email": ("duplicate_unique_value", "contacts"),
        "contact_junk_email": ("email_placeholder", "contacts"),
        "contact_missing_first_name": ("missing_required_value", "contacts"),
        "contact_orphan_account": ("orphan_reference", "contacts"),
        "contact_several_emails": ("email_split", "contacts"),
        "contact_upper_case_account_id": ("uuid_case", "contacts"),
        "custom_unknown_option": ("unknown_option", "accounts"),
        "invoice_due_before_issue": ("due_before_issue", "invoices"),
        "invoice_total_mismatch": ("invoice_total_mismatch", "invoices"),
        "joint_single_member": ("joint_group_single_member", "opportunities"),
        "line_negative_price": ("money_negative", "opportunity_products"),
        "line_orphan_product": ("orphan_reference", "opportunity_products"),
        "line_total_mismatch": ("line_total_mismatch", "opportunity_products"),
        "note_control_characters": ("text_normalised", "notes"),
        "opportunity_missing_account": ("missing_required_value", "opportunities"),
        "opportunity_parent_cycle": ("hierarchy_cycle", "opportunities"),
        "owner_without_user": ("orphan_reference", "contacts"),
        "phone_country_mismatch": ("phone_country_mismatch", "contacts"),
        "phone_junk": ("phone_unparseable", "contacts"),
        "phone_trunk_zero": ("phone_trunk_zero", "contacts"),
        "tags_comma_string": ("list_from_string", "accounts"),
        "won_stage_type_mismatch": ("stage_won_type_mismatch", "opportunities"),
        "won_without_close_date": ("stage_won_without_close_date", "opportunities"),
    },
    "aeronaclinic": {
        "appointment_long_duration": ("duration_over_12_hours", "appointments"),
        "appointment_naive_time": ("naive_datetime", "appointments"),
        "appointment_orphan_patient": ("orphan_reference", "appointments"),
        "appointment_outcome_in_future": ("appointment_outcome_in_future", "appointments"),
        "appointment_unknown_status": ("orphan_reference", "appointments"),
        "attachment_file_missing": ("attachment_file_missing", "attachments"),
        "attachment_mime_mismatch": ("mime_type_mismatch", "attachments"),
        "attachment_oversized": ("file_over_size_policy", "attachments"),
        "birth_date_in_future": ("birth_date_in_future", "patients"),
        "chart_box_symbol": ("tooth_palmer_symbol", "tooth_chart"),
        "chart_completed_in_future": ("completed_in_future", "tooth_chart"),
        "chart_invalid_tooth": ("tooth_invalid", "tooth_chart"),
        "chart_lingual_on_upper": ("surface_lingual_to_palatal", "tooth_chart"),
        "chart_palatal_on_lower": ("surface_palatal_on_mandibular", "tooth_chart"),
        "chart_surfaces_unordered": ("surfaces_normalised", "tooth_chart"),
        "clinical_note_emoji_and_crlf": ("line_endings", "clinical_notes"),
        "email_duplicate": ("duplicate_unique_value", "patients"),
        "email_junk": ("email_placeholder", "patients"),
        "invoice_due_before_issue": ("due_before_issue", "invoices"),
        "invoice_total_mismatch": ("invoice_total_mismatch", "invoices"),
        "nhs_check_digit": ("nhs_check_digit", "patients"),
        "nhs_duplicate": ("duplicate_nhs_number", "patients"),
        "nhs_no_check_digit": ("nhs_no_check_digit", "patients"),
        "nhs_placeholder": ("nhs_placeholder", "patients"),
        "nhs_spaces": ("nhs_separators", "patients"),
        "patient_missing_birth_date": ("missing_required_value", "patients"),
        "patient_missing_surname": ("missing_required_value", "patients"),
        "patient_sds_number": ("patient_sds_meaning_unknown", "patients"),
        "payment_reference_mismatch": ("provider_reference_format", ""),
        "phone_international_prefix": ("phone_normalised", "patients"),
        "phone_too_short": ("phone_too_short", "patients"),
        "plan_completed_with_planned_items": (
            "plan_completed_with_planned_items",
            "treatment_plans",
        ),
        "postcode_messy": ("postcode_normalised", "patients"),
        "postcode_pseudo": ("postcode_pseudo", "patients"),
        "practice_cycle": ("hierarchy_cycle", "practices"),
        "sds_user_id_format": ("sds_user_id_format", "users"),
    },
}
#: Planted variants the reader accepts silently: not defects (see the module docstring).
NOT_DEFECTS = frozenset({"account_emoji", "amount_as_number", "custom_api_shape"})


@pytest.fixture(scope="module", params=["oplacrm", "aeronaclinic"])
def dirty(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, GenerateResult, AuditReport]:
    system: str = request.param
    folder = tmp_path_factory.mktemp(system)
    spec, result = make_example(
        folder, system, records=500, seed=5, dirty_rate=0.3, oversized_bytes=2 * 1024 * 1024
    )
    edit_spec(spec, "files: {max_mb: 25}", "files: {max_mb: 1}")
    report = workflows.audit(spec, environ={}, check_destination=False)
    return system, result, report


def test_every_planted_class_is_reported(dirty: tuple[str, GenerateResult, AuditReport]) -> None:
    system, result, report = dirty
    planted = {kind for kind, count in result.dirt.items() if count > 0}
    assert planted - NOT_DEFECTS <= set(EXPECTED[system]), "a new planted class has no check"
    missing = []
    for kind in sorted(planted - NOT_DEFECTS):
        code, obj = EXPECTED[system][kind]
        found = [c for c in report.by_code(code) if not obj or c.object == obj]
        if not found or not all(c.count > 0 and c.examples for c in found):
            missing.append(f"{kind} -> {code} on {obj or 'any object'}")
    assert not missing, missing


def test_the_dirty_bundle_fails_the_gate(dirty: tuple[str, GenerateResult, AuditReport]) -> None:
    _, _, report = dirty
    assert report.has_errors
    assert report.quarantined == sum(o.quarantined for o in report.objects) > 0
    assert all(c.level is Level.ERROR for c in report.errors)


def test_examples_are_record_keys_of_the_bundle(
    dirty: tuple[str, GenerateResult, AuditReport],
) -> None:
    system, _, report = dirty
    for check in report.checks:
        if check.category.name in ("REQUIRED", "IDENTIFIERS", "VALUES", "REFERENCES", "FILES"):
            assert check.examples
            assert all(e.startswith(f"{system}:{check.object}:") for e in check.examples)


def test_a_clean_bundle_passes(tmp_path: Path) -> None:
    for system in ("oplacrm", "aeronaclinic"):
        spec, _ = make_example(tmp_path / system, system, records=300, seed=2)
        report = workflows.audit(spec, environ={}, check_destination=False)
        assert not report.has_errors, [c.code for c in report.errors]
