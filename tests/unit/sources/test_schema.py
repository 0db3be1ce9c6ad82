"""The bundle schemas are consistent and classify sensitivity as DESIGN.md requires."""

from __future__ import annotations

import pytest

from migrator.errors import SourceError
from migrator.sources.schema import (
    SCHEMAS,
    Sensitivity,
    SourceType,
    source_object,
    source_schema,
)

CLINICAL = {
    "patients", "consents", "medical_histories", "medical_alerts", "clinical_notes",
    "tooth_chart", "perio_readings", "treatment_plans", "treatments", "appointments",
    "invoices", "payments", "adjustments", "care_plans", "patient_recalls", "attachments",
}  # fmt: skip


@pytest.mark.parametrize("system", sorted(SCHEMAS))
def test_every_reference_names_an_object_and_field_of_the_same_system(system: str) -> None:
    schema = source_schema(system)
    for obj in schema.objects:
        assert obj.file == f"{obj.name}.jsonl"
        assert obj.field(obj.primary_key) is not None
        assert obj.field(obj.primary_key).required  # type: ignore[union-attr]
        for field in obj.references:
            target = schema.object(field.references or "")
            assert target is not None, (obj.name, field.name)
            if field.references_field:
                assert target.field(field.references_field) is not None
            if field.type is SourceType.LIST:
                assert field.item_type is not None


def test_aeronaclinic_clinical_objects_are_clinical_and_lookups_are_not() -> None:
    schema = source_schema("aeronaclinic")
    for obj in schema.objects:
        expected = Sensitivity.CLINICAL if obj.name in CLINICAL else None
        if expected:
            assert obj.sensitivity is expected, obj.name
        else:
            assert obj.sensitivity is not Sensitivity.CLINICAL, obj.name
    patients = source_object("aeronaclinic", "patients")
    assert patients.is_sensitive("nhsNumber")
    assert patients.is_sensitive("nextOfKin.phone")
    assert not patients.is_sensitive("patientId")
    assert not source_object("aeronaclinic", "practices").is_sensitive("name")


def test_oplacrm_personal_fields_are_flagged() -> None:
    contacts = source_object("oplacrm", "contacts")
    assert contacts.sensitivity is Sensitivity.PERSONAL
    for name in ("email", "birthday", "phone_work", "first_name", "custom_fields.name"):
        assert contacts.is_sensitive(name), name
    assert not contacts.is_sensitive("account_id")
    assert not source_object("oplacrm", "accounts").is_sensitive("name")


def test_names_follow_sources_md_and_the_issue() -> None:
    opla = set(source_schema("oplacrm").object_names)
    assert {"accounts", "contacts", "opportunities", "activities", "notes", "automations",
            "sequences", "gamification_streaks", "gamification_leaderboards",
            "gamification_goals"} <= opla  # fmt: skip
    aerona = source_schema("aeronaclinic")
    assert {"patients", "appointments", "care_plans", "recall_rules", "reminder_rules",
            "payment_integrations"} <= set(aerona.object_names)  # fmt: skip
    assert not aerona.object("reminder_rules").migrated  # type: ignore[union-attr]
    assert source_object("aeronaclinic", "care_plans").field("instalments") is not None


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("name", None),
        ("phone_work.call_code", None),
        ("custom_fields.quan", None),
        ("raw.legacy", None),
        ("phone_work.extension", "has no part `extension`"),
        ("nickname", "has no field `nickname`"),
        ("email.domain", "is a string, not an object"),
        ("custom_fields", "needs a key"),
    ],
)
def test_path_problem(path: str, problem: str | None) -> None:
    found = source_object("oplacrm", "contacts").path_problem(path)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_unknown_system_and_object_raise_source_errors() -> None:
    with pytest.raises(SourceError, match="Unknown source system"):
        source_schema("salesforce")
    with pytest.raises(SourceError, match="no source object `deals`"):
        source_object("oplacrm", "deals")
