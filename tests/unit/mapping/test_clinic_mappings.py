"""Patients, appointments, treatments and documents from a tiny AeronaClinic bundle.

Aggregates, lookups, children, note targets, files against the size policy, NHS validation and
the clinical allow-list of sensitive values.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from migrator.identity import twenty_id
from migrator.mapping.model import Fate, FileRef
from tests.unit.mapping.helpers import (
    NAMESPACE,
    Run,
    conserved,
    member_id,
    run_all,
    setup,
    spec_document,
)

CLINICIAN = "clinician.one@example.org"
FALLBACK = "practice.manager@example.org"
SMALL = b"%PDF-1.4 small synthetic file"
LARGE = b"x" * 3000


def _path(content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    return f"attachments/{digest[:2]}/{digest}.pdf"


SMALL_PATH, LARGE_PATH = _path(SMALL), _path(LARGE)
MISSING_PATH = "attachments/aa/" + "a" * 64 + ".pdf"

OBJECTS: dict[str, list[dict[str, Any]]] = {
    "practices": [
        {"practiceId": 1, "name": "Belfast Group", "practiceType": "GROUP", "country": "GB"},
        {"practiceId": 2, "parentPracticeId": 1, "name": "Belfast Site", "practiceType": "SITE"},
    ],
    "users": [
        {"userId": 11, "forename": "Ann", "email": CLINICIAN},
        {"userId": 12, "forename": "Bob", "email": "no.member@example.org"},
    ],
    "appointment_types": [{"appointmentTypeId": 7, "name": "Check-up"}],
    "appointment_statuses": [{"appointmentStatusId": 3, "code": "BOOKED"}],
    "patients": [
        {"patientId": 100, "practiceId": 1, "preferredClinicianUserId": 11, "forename": "Zoë",
         "surname": "Ó Briain", "dateOfBirth": "2009-01-12", "email": "Zoe@Example.org",
         "nhsNumber": "943 476 5919", "postcode": "bt9 2sz", "country": "GB",
         "createdAt": "2024-09-03T17:43:17+01:00"},
        {"patientId": 101, "practiceId": 2, "preferredClinicianUserId": 12, "forename": "Ciara",
         "surname": "Kelly", "dateOfBirth": "1980-05-01", "nhsNumber": "9434765918"},
        {"patientId": 102, "practiceId": 2, "preferredClinicianUserId": 12, "forename": "Dan",
         "surname": "Moore", "dateOfBirth": "1970-02-03"},
    ],
    "consents": [
        {"consentId": 1, "patientId": 100, "consentType": "TREATMENT", "status": "GIVEN",
         "givenAt": "2024-01-01T10:00:00+00:00"},
        {"consentId": 2, "patientId": 100, "consentType": "TREATMENT", "status": "WITHDRAWN",
         "givenAt": "2025-01-01T10:00:00+00:00"},
        {"consentId": 3, "patientId": 100, "consentType": "MARKETING", "status": "GIVEN",
         "givenAt": "2024-06-01T10:00:00+00:00"},
        {"consentId": 4, "patientId": 102, "consentType": "PHOTOGRAPHY", "status": "REFUSED",
         "givenAt": "2024-06-01T10:00:00+00:00"},
    ],
    "medical_alerts": [
        {"alertId": 1, "patientId": 100, "text": "Penicillin", "severity": "CRITICAL",
         "active": True, "createdAt": "2024-02-01T00:00:00Z"},
        {"alertId": 2, "patientId": 100, "text": "Latex", "severity": "WARNING", "active": True,
         "createdAt": "2024-01-01T00:00:00Z"},
        {"alertId": 3, "patientId": 100, "text": "Old", "severity": "INFO", "active": False},
    ],
    "appointments": [
        {"appointmentId": 700, "practiceId": 1, "patientId": 100, "userId": 11,
         "appointmentTypeId": 7, "appointmentStatusId": 3,
         "appointmentTime": "2025-02-16T12:00:00+00:00", "duration": 15},
        {"appointmentId": 701, "practiceId": 1, "patientId": 100, "userId": 11,
         "appointmentTypeId": 99, "appointmentStatusId": 3,
         "appointmentTime": "2025-03-16T12:00:00+00:00", "duration": 20},
    ],
    "treatments": [
        {"treatmentRecordId": 500, "patientId": 100, "appointmentId": 700, "treatmentCode": "CROWN",
         "description": "Porcelain crown", "completedAt": "2025-02-16T12:40:00+00:00"},
        {"treatmentRecordId": 501, "patientId": 100, "treatmentCode": "XRAY"},
    ],
    "attachments": [
        {"attachmentId": 1, "patientId": 100, "fileName": "consent.pdf", "sha256": "0" * 64,
         "relativePath": SMALL_PATH},
        {"attachmentId": 2, "patientId": 100, "fileName": "scan.pdf", "sha256": "0" * 64,
         "relativePath": LARGE_PATH},
        {"attachmentId": 3, "patientId": 100, "fileName": "lost.pdf", "sha256": "0" * 64,
         "relativePath": MISSING_PATH},
    ],
}  # fmt: skip

STATUS = [{"value": v, "label": v.title()} for v in ("GIVEN", "REFUSED", "WITHDRAWN")]
SCHEMA: dict[str, Any] = {
    "company": {"fields": {"parentPractice": {"type": "RELATION", "to": "company",
                                              "label": "Parent", "inverse_label": "Sites"}}},
    "person": {
        "fields": {
            "nhsNumber": {"type": "TEXT", "label": "NHS number"},
            "dateOfBirth": {"type": "DATE", "label": "Date of birth"},
            "homeAddress": {"type": "ADDRESS", "label": "Address"},
            "preferredClinician": {"type": "RELATION", "to": "workspaceMember",
                                   "label": "Clinician", "inverse_label": "Patients"},
            "consentTreatment": {"type": "SELECT", "label": "Treatment", "options": STATUS},
            "consentTreatmentAt": {"type": "DATE_TIME", "label": "Treatment at"},
            "consentTypesGiven": {"type": "MULTI_SELECT", "label": "Given", "options": [
                {"value": "TREATMENT", "label": "Treatment"},
                {"value": "MARKETING", "label": "Marketing"}]},
            "consentCount": {"type": "NUMBER", "label": "Consents"},
            "medicalAlerts": {"type": "TEXT", "label": "Alerts"},
        }
    },
    "opportunity": {
        "fields": {
            "appointmentStatus": {"type": "SELECT", "label": "Status",
                                  "options": [{"value": "BOOKED", "label": "Booked"}]},
            "durationMinutes": {"type": "NUMBER", "label": "Duration"},
        }
    },
    "treatmentRecord": {
        "create": {"name_plural": "treatmentRecords", "label_singular": "Treatment record",
                   "label_plural": "Treatment records"},
        "fields": {
            "patient": {"type": "RELATION", "to": "person", "label": "Patient",
                        "inverse_label": "Treatment records"},
            "appointment": {"type": "RELATION", "to": "opportunity", "label": "Appointment",
                            "inverse_label": "Treatment records"},
        },
    },
}  # fmt: skip
MAPPINGS: dict[str, Any] = {
    "practices": {
        "from": "practices",
        "to": "company",
        "fields": {"name": "name",
                   "parentPractice": {"ref": "practices", "by": "parentPracticeId"}},
    },
    "patients": {
        "from": "patients",
        "to": "person",
        "fields": {
            "name": {"firstName": "forename", "lastName": "surname"},
            "emails": {"from": "email", "transforms": ["emails"]},
            "company": {"ref": "practices", "by": "practiceId"},
            "nhsNumber": "nhsNumber",
            "dateOfBirth": "dateOfBirth",
            "homeAddress": {"addressPostcode": "postcode", "addressCountry": "country"},
            "preferredClinician": {"owner": "preferredClinicianUserId"},
            "consentTreatment": {"aggregate": {
                "from": "consents", "by": "patientId", "where": {"consentType": "TREATMENT"},
                "pick": "latest", "order_by": "givenAt", "value": "status"}},
            "consentTreatmentAt": {"aggregate": {
                "from": "consents", "by": "patientId", "where": {"consentType": "TREATMENT"},
                "pick": "earliest", "order_by": "givenAt", "value": "givenAt"}},
            "consentTypesGiven": {"aggregate": {
                "from": "consents", "by": "patientId", "where": {"status": "GIVEN"},
                "pick": "all", "order_by": "givenAt", "value": "consentType"}},
            "consentCount": {"aggregate": {"from": "consents", "by": "patientId", "pick": "count"}},
            "medicalAlerts": {
                "aggregate": {"from": "medical_alerts", "by": "patientId",
                              "where": {"active": True}, "pick": "all", "order_by": "createdAt"},
                "transforms": [{"format": "[{severity}] {text}"}, {"join": "; "}]},
        },
    },
    "appointments": {
        "from": "appointments",
        "to": "opportunity",
        "fields": {
            "name": {"lookup": {"from": "appointment_types", "by": "appointmentTypeId",
                                "value": "name"}},
            "closeDate": "appointmentTime",
            "appointmentStatus": {"lookup": {"from": "appointment_statuses",
                                             "by": "appointmentStatusId", "value": "code"}},
            "pointOfContact": {"ref": "patients", "by": "patientId"},
            "durationMinutes": {"from": "duration", "sensitive": False},
            "stage": {"const": "MEETING"},
        },
    },
    "treatment_records": {
        "from": "treatments",
        "to": "treatmentRecord",
        "fields": {
            "name": {"template": "{treatmentCode}: {description}"},
            "patient": {"ref": "patients", "by": "patientId"},
            "appointment": {"ref": "appointments", "by": "appointmentId"},
        },
        "children": {
            "treatment_notes": {
                "to": "note",
                "where": {"description": {"present": True}},
                "fields": {"title": {"template": "Treatment {treatmentCode}"},
                           "bodyV2": "description", "createdAt": "completedAt"},
                "targets": [{"ref": "treatment_records"}, {"ref": "patients", "by": "patientId"}],
            }
        },
    },
    "documents": {
        "from": "attachments",
        "to": "attachment",
        "fields": {"name": "fileName", "file": {"file": "relativePath"},
                   "targetPerson": {"ref": "patients", "by": "patientId"}},
    },
}  # fmt: skip


def _document() -> dict[str, Any]:
    return spec_document(
        "aeronaclinic",
        owners={"from": "users", "email": "email", "fallback": {"member": FALLBACK}},
        destination={"url": "sandbox:.migrator/sandbox.db", "files": {"max_mb": 0.002}},
        schema=SCHEMA,
        objects=MAPPINGS,
    )


@pytest.fixture
def run(tmp_path: Path) -> Run:
    members = {CLINICIAN: member_id(CLINICIAN), FALLBACK: member_id(FALLBACK)}
    files = {SMALL_PATH: SMALL, LARGE_PATH: LARGE}
    _, mapper = setup(tmp_path, "aeronaclinic", OBJECTS, _document(), members=members, files=files)
    return run_all(mapper)


def _id(obj: str, ident: str) -> str:
    return twenty_id(NAMESPACE, f"aeronaclinic:{obj}:{ident}")


def test_patient_payload_folds_consents_and_alerts_and_is_all_sensitive(run: Run) -> None:
    record = run.record("patients", "100")
    assert dict(record.payload) == {
        "companyId": _id("practices", "1"),
        "consentCount": 3,
        "consentTreatment": "WITHDRAWN",
        "consentTreatmentAt": "2024-01-01T10:00:00.000Z",
        "consentTypesGiven": ["TREATMENT", "MARKETING"],
        "createdAt": "2024-09-03T16:43:17.000Z",
        "createdBy": {"name": "Test import", "source": "IMPORT"},
        "dateOfBirth": "2009-01-12",
        "emails": {"additionalEmails": [], "primaryEmail": "zoe@example.org"},
        "homeAddress": {"addressCountry": "GB", "addressPostcode": "BT9 2SZ"},
        "id": _id("patients", "100"),
        "medicalAlerts": "[WARNING] Latex; [CRITICAL] Penicillin",
        "migrationSourceId": "aeronaclinic:patients:100",
        "name": {"firstName": "Zoë", "lastName": "Ó Briain"},
        "nhsNumber": "9434765919",
        "preferredClinicianId": member_id(CLINICIAN),
    }
    assert record.sensitive_fields >= {
        "name", "emails", "nhsNumber", "dateOfBirth", "homeAddress", "consentTreatment",
        "medicalAlerts", "createdAt",
    }  # fmt: skip
    assert not record.sensitive_fields & {"id", "companyId", "migrationSourceId", "createdBy"}


def test_bad_nhs_number_quarantines_without_the_number(run: Run) -> None:
    bad = run.outcome("patients", "101")
    assert (bad.fate, bad.code) == (Fate.QUARANTINED, "nhs_check_digit")
    assert "9434765918" not in bad.reason and "`nhsNumber`" in bad.reason


def test_owner_without_member_goes_to_the_fallback_member_with_a_finding(run: Run) -> None:
    record = run.record("patients", "102")
    assert record.payload["preferredClinicianId"] == member_id(FALLBACK)
    fallback = [f for f in run.findings("patients") if f.code == "owner_fallback"]
    assert [f.address for f in fallback] == ["record.patients[aeronaclinic:patients:102]"]


def test_lookups_and_constants_fill_appointments(run: Run) -> None:
    record = run.record("appointments", "700")
    assert record.payload["name"] == "Check-up"
    assert record.payload["appointmentStatus"] == "BOOKED"
    assert record.payload["stage"] == "MEETING"
    assert record.payload["closeDate"] == "2025-02-16T12:00:00.000Z"
    assert "durationMinutes" not in record.sensitive_fields
    assert "closeDate" in record.sensitive_fields
    unknown_type = run.record("appointments", "701")
    assert "name" not in unknown_type.payload
    assert [(f.address, f.code) for f in run.findings("appointments")] == [
        ("record.appointments[aeronaclinic:appointments:701]", "lookup_missing")
    ]


def test_a_child_makes_a_note_only_where_its_condition_holds(run: Run) -> None:
    note = run.record("treatment_notes", "500#treatment_notes")
    assert note.source_key == "aeronaclinic:treatments:500#treatment_notes"
    assert note.address == "record.treatment_notes[aeronaclinic:treatments:500#treatment_notes]"
    assert note.twenty_id == _id("treatments", "500#treatment_notes")
    assert note.payload["bodyV2"] == {"markdown": "Porcelain crown"}
    assert note.payload["title"] == "Treatment CROWN"
    skipped = run.outcome("treatment_notes", "501#treatment_notes")
    assert (skipped.fate, skipped.code) == (Fate.SKIPPED, "child_condition")


def test_note_targets_are_records_of_their_own_phase(run: Run) -> None:
    targets = run.records("treatment_notes-targets")
    note_id = _id("treatments", "500#treatment_notes")
    key = "aeronaclinic:treatments:500#treatment_notes#target."
    assert [dict(t.payload) for t in targets] == [
        {
            "createdBy": {"name": "Test import", "source": "IMPORT"},
            "id": _id("treatments", "500#treatment_notes#target.treatment_records"),
            "migrationSourceId": key + "treatment_records",
            "noteId": note_id,
            "targetTreatmentRecordId": _id("treatments", "500"),
        },
        {
            "createdBy": {"name": "Test import", "source": "IMPORT"},
            "id": _id("treatments", "500#treatment_notes#target.patients"),
            "migrationSourceId": key + "patients",
            "noteId": note_id,
            "targetPersonId": _id("patients", "100"),
        },
    ]
    assert {t.twenty_object for t in targets} == {"noteTarget"}
    assert targets[0].depends_on == (
        "record.treatment_notes[aeronaclinic:treatments:500#treatment_notes]",
        "record.treatment_records[aeronaclinic:treatments:500]",
    )


def test_files_are_checked_against_the_size_policy(run: Run) -> None:
    record = run.record("documents", "1")
    digest = hashlib.sha256(SMALL).hexdigest()
    assert record.files == (FileRef("file", SMALL_PATH, len(SMALL), digest, "consent.pdf"),)
    assert "file" not in record.payload
    assert record.payload["targetPersonId"] == _id("patients", "100")
    large = run.outcome("documents", "2")
    assert (large.fate, large.code) == (Fate.QUARANTINED, "file_too_large")
    missing = run.outcome("documents", "3")
    assert (missing.fate, missing.code) == (Fate.QUARANTINED, "file_missing")


def test_self_reference_of_practices_and_aggregated_objects_are_counted(run: Run) -> None:
    site = run.record("practices", "2")
    assert [link.field for link in site.links] == ["parentPractice"]
    assert run.fates("consents-aggregated") == {"desired": 0, "aggregated": 4}
    assert run.fates("medical_alerts-aggregated") == {"desired": 0, "aggregated": 2, "skipped": 1}
    conserved(run)
