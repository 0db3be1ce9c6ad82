"""AeronaClinic → Twenty, the guide's rows (seeds/003) that land in Twenty, read back after apply.

The example is applied once per session (``aerona``); each test compares what the sandbox holds
with the bundle's rows read as plain JSON. Rows 11 and 12 (recall rules, reminders, payment
integrations) have no equivalent: they are skipped and listed in the rebuild inventory (#14);
here they are only counted.
"""

from __future__ import annotations

from collections import defaultdict

from tests.e2e.aeronaclinic.conftest import ALUMNI_APPOINTMENT, SDS_NUMBER, SDS_PATIENT
from tests.e2e.aeronaclinic.helpers import (
    FALLBACK_EMAIL,
    latest,
    member_by_user,
    members_by_email,
)
from tests.e2e.project import AppliedExample, Record
from tests.e2e.sources import instant, same_instant

IMPORT = "IMPORT"
CONSENT_FIELDS = {
    "TREATMENT": "consentTreatment",
    "TREATMENT_PLAN": "consentTreatmentPlan",
    "GDPR_DATA_PROCESSING": "consentDataProcessing",
    "SMS_REMINDERS": "consentSmsReminders",
    "EMAIL_REMINDERS": "consentEmailReminders",
    "MARKETING": "consentMarketing",
    "PHOTOGRAPHY": "consentPhotography",
    "SHARING_WITH_THIRD_PARTY": "consentThirdParty",
}


def _micros(amount: str) -> int:
    return round(float(amount) * 1_000_000)


def _by_patient(aerona: AppliedExample, source_object: str) -> dict[int, list[Record]]:
    grouped: dict[int, list[Record]] = defaultdict(list)
    for row in aerona.rows(source_object):
        grouped[int(row["patientId"])].append(row)
    return grouped


def test_the_example_applies_and_replans_to_no_changes(aerona: AppliedExample) -> None:
    assert aerona.replan_run.exit_code == 0, aerona.replan_run.output[-2000:]
    assert "No changes" in aerona.replan_run.stdout


def test_row_01_patient_to_person_with_nhs_and_sds_numbers(aerona: AppliedExample) -> None:
    for name in ("nhsNumber", "sdsNumber"):
        field = aerona.metadata_field("person", name)
        assert (field["type"], field["isCustom"]) == ("TEXT", True)
    people = aerona.by_source("people", "patients")
    practices = aerona.by_source("companies", "practices")
    rows = aerona.written_rows("patients", "patients", "patientId")
    assert len(rows) == len(people) >= 15
    for row in rows:
        person = people[str(row["patientId"])]
        assert person["name"] == {"firstName": row["forename"], "lastName": row["surname"]}
        assert person["nhsNumber"] == (row.get("nhsNumber") or "").replace(" ", "")  # normalised
        assert person["sdsNumber"] == (row.get("sdsNumber") or "")
        assert person["dateOfBirth"] == row["dateOfBirth"]
        assert person["homeAddress"]["addressPostcode"] == row["postcode"]
        assert person["homeAddress"]["addressStreet1"] == row["address1"]
        assert person["companyId"] == practices[str(row["practiceId"])]["id"]
        assert same_instant(person["createdAt"], row["createdAt"])
        assert person["createdBy"]["source"] == IMPORT
        if row.get("email") and "@" in row["email"]:
            assert person["emails"]["primaryEmail"].lower() == row["email"].lower()


def test_row_01_sds_number_kept_as_an_opaque_string(aerona_planted: AppliedExample) -> None:
    people = aerona_planted.by_source("people", "patients")
    assert people[str(SDS_PATIENT)]["sdsNumber"] == SDS_NUMBER


def test_row_01_invalid_nhs_numbers_are_quarantined_with_the_reason(
    aerona: AppliedExample,
) -> None:
    quarantined = {e.source_key: e for e in aerona.quarantined("patients")}
    nhs = {k: e for k, e in quarantined.items() if e.code.startswith("nhs_")}
    assert {e.code for e in nhs.values()} >= {"nhs_check_digit", "nhs_placeholder"}
    people = aerona.by_source("people", "patients")
    for key, entry in nhs.items():
        assert key.rsplit(":", 1)[1] not in people
        assert "nhsNumber" in entry.reason
    by_id = {str(r["patientId"]): r for r in aerona.rows("patients")}
    for key in nhs:
        number = str(by_id[key.rsplit(":", 1)[1]]["nhsNumber"])
        assert number not in quarantined[key].reason  # the reason never quotes the value


def test_row_02_consents_aggregated_per_type_latest_status(aerona: AppliedExample) -> None:
    people = aerona.by_source("people", "patients")
    consents = _by_patient(aerona, "consents")
    checked = 0
    for patient_id, person in people.items():
        rows = consents.get(int(patient_id), [])
        for consent_type, field in CONSENT_FIELDS.items():
            chosen = latest((r for r in rows if r["consentType"] == consent_type), "givenAt")
            if chosen is None:
                assert person[field] is None and person[f"{field}At"] is None
                continue
            assert person[field] == chosen["status"], (patient_id, consent_type)
            assert same_instant(person[f"{field}At"], chosen["givenAt"])
            checked += 1
        given = {r["consentType"] for r in rows if r["status"] == "GIVEN"}
        assert set(person["consentTypesGiven"] or []) == given
    assert checked >= 15
    several = [p for p, rows in consents.items() if len({r["consentType"] for r in rows}) > 1]
    assert several  # some patients have several consent types folded into one person
    assert aerona.metadata_field("person", "consentTreatment")["type"] == "SELECT"
    assert aerona.metadata_field("person", "consentTreatmentAt")["type"] == "DATE_TIME"


def test_row_03_medical_history_structured_fields(aerona: AppliedExample) -> None:
    people = aerona.by_source("people", "patients")
    histories = _by_patient(aerona, "medical_histories")
    alerts = _by_patient(aerona, "medical_alerts")
    checked = 0
    for patient_id, person in people.items():
        history = latest(histories.get(int(patient_id), []), "completedAt")
        if history is not None:
            for name in ("smoker", "pregnant", "anticoagulants", "bisphosphonates"):
                assert person[name] == history[name], (patient_id, name)
            assert same_instant(person["medicalHistoryAt"], history["completedAt"])
            substances = [a["substance"] for a in history["allergies"]]
            assert all(s in person["allergies"] for s in substances)
            checked += 1
        active = [a for a in alerts.get(int(patient_id), []) if a["active"]]
        for alert in active:
            assert f"[{alert['severity']}] {alert['text']}" in person["medicalAlerts"]
    assert checked >= 10
    assert aerona.metadata_field("person", "allergies")["type"] == "TEXT"


def test_row_03_clinical_notes_are_notes_linked_to_the_person(aerona: AppliedExample) -> None:
    notes = aerona.by_source("notes", "clinical_notes")
    people = aerona.by_source("people", "patients")
    targets: dict[str, set[str | None]] = defaultdict(set)
    for target in aerona.records("noteTargets"):
        targets[str(target["noteId"])].add(target["targetPersonId"])
    linked = 0
    rows = aerona.written_rows("clinical_notes", "clinical_notes", "noteId")
    assert len(rows) == len(notes) >= 30
    held = {e.source_key: e.code for e in aerona.held("clinical_notes")}
    for row in aerona.rows("clinical_notes"):
        if str(row["noteId"]) not in notes:  # none of its targets is written: it waits too
            assert held[aerona.key("clinical_notes", row["noteId"])] == "parent_not_written"
    for row in rows:
        note = notes[str(row["noteId"])]
        assert note["bodyV2"]["markdown"].splitlines() == row["text"].splitlines()
        assert same_instant(note["createdAt"], row["createdAt"])
        assert note["createdBy"]["source"] == IMPORT
        person = people.get(str(row["patientId"]))
        if person is not None:
            assert person["id"] in targets[note["id"]]
            linked += 1
    assert linked >= 30


def test_row_03_tooth_chart_is_structured(aerona: AppliedExample) -> None:
    entries = aerona.by_source("toothChartEntries", "tooth_chart")
    people = aerona.by_source("people", "patients")
    rows = aerona.written_rows("tooth_chart", "chart_entries", "chartEntryId")
    assert len(rows) == len(entries) >= 50
    rows = [r for r in rows if str(r["patientId"]) in people]  # see the shared-email test
    for row in rows:
        entry = entries[str(row["chartEntryId"])]
        assert entry["fdiTooth"] == row["fdiTooth"]
        assert entry["quadrant"] == row["quadrant"]
        assert entry["toothNumber"] == row["toothNumber"]
        assert entry["notationSource"] == row["notationSource"]
        assert sorted(entry["surfaces"]) == sorted(row.get("surfaces") or "")  # normalised order
        assert entry["patientId"] == people[str(row["patientId"])]["id"]
    assert {r["notationSource"] for r in rows} >= {"PALMER"}
    quarantined = {e.source_key: e.code for e in aerona.quarantined("chart_entries")}
    assert "tooth_invalid" in quarantined.values()


def test_row_04_practice_to_company_with_parent_relation(aerona: AppliedExample) -> None:
    field = aerona.metadata_field("company", "parentPractice")
    assert field["type"] == "RELATION"  # Company has no parentId: a custom self relation
    companies = aerona.by_source("companies", "practices")
    rows = aerona.rows("practices")
    assert len(companies) == len(rows)
    with_parent = 0
    for row in rows:
        company = companies[str(row["practiceId"])]
        assert company["name"] == row["name"]
        assert company["address"]["addressPostcode"] == row["postcode"]
        assert company["odsCode"] == (row.get("odsCode") or "")
        assert company["createdBy"]["source"] == IMPORT
        assert "practicePin" not in company and row["practicePin"] not in str(company)
        parent = row.get("parentPracticeId")
        expected = companies[str(parent)]["id"] if parent else None
        assert company["parentPracticeId"] == expected
        with_parent += parent is not None
    assert with_parent >= 3


def test_row_05_appointment_to_opportunity(aerona: AppliedExample) -> None:
    opportunities = aerona.by_source("opportunities", "appointments")
    people = aerona.by_source("people", "patients")
    practices = aerona.by_source("companies", "practices")
    statuses = {s["appointmentStatusId"]: s["code"] for s in aerona.rows("appointment_statuses")}
    owners = member_by_user(aerona)
    rows = aerona.written_rows("appointments", "appointments", "appointmentId")
    assert len(rows) == len(opportunities) >= 40
    # A patient deduplicated into another is asserted by test_patients_sharing_an_email_...
    rows = [r for r in rows if str(r["patientId"]) in people]
    for row in rows:
        opportunity = opportunities[str(row["appointmentId"])]
        assert opportunity["aeronaRecordKind"] == "APPOINTMENT"  # the discriminator
        assert same_instant(opportunity["closeDate"], row["appointmentTime"])
        assert opportunity["appointmentStatus"] == statuses[row["appointmentStatusId"]]
        assert opportunity["stage"] == "MEETING"
        assert opportunity["pointOfContactId"] == people[str(row["patientId"])]["id"]
        assert opportunity["companyId"] == practices[str(row["practiceId"])]["id"]
        assert opportunity["ownerId"] == owners[row["userId"]]
        assert opportunity["durationMinutes"] == row["duration"]
        assert same_instant(opportunity["createdAt"], row["createdAt"])
    assert len({o["appointmentStatus"] for o in opportunities.values()}) >= 3


def test_row_06_treatment_plan_to_opportunity(aerona: AppliedExample) -> None:
    stages = {"PROPOSED": "PROPOSAL", "ACCEPTED": "CUSTOMER"}
    stages |= {"IN_PROGRESS": "IN_PROGRESS", "COMPLETED": "COMPLETED"}
    opportunities = aerona.by_source("opportunities", "treatment_plans")
    rows = aerona.written_rows("treatment_plans", "treatment_plans", "treatmentPlanId")
    assert len(rows) == len(opportunities) >= 5
    for row in rows:
        opportunity = opportunities[str(row["treatmentPlanId"])]
        assert opportunity["aeronaRecordKind"] == "TREATMENT_PLAN"
        assert opportunity["stage"] == stages[row["status"]]
        if row.get("nhsBand"):  # a plan without a band: test_row_06_plan_without_nhs_band...
            assert opportunity["treatmentType"] == row["nhsBand"]
        codes = [item["treatmentCode"] for item in row["items"]]
        assert sorted(opportunity["procedures"]) == sorted(set(codes))
        assert opportunity["estimatedCost"] == {
            "amountMicros": _micros(row["totalFee"]),
            "currencyCode": row["currency"],
        }
        teeth = [str(item["fdiTooth"]) for item in row["items"] if item.get("fdiTooth")]
        assert all(tooth in opportunity["toothNumbers"] for tooth in teeth)
        assert same_instant(opportunity["createdAt"], row["createdAt"])
    stage = aerona.metadata_field("opportunity", "stage")
    assert {"IN_PROGRESS", "COMPLETED"} <= {o["value"] for o in stage["options"]}


def test_row_07_invoice_to_opportunity_amount_is_outstanding_balance(
    aerona: AppliedExample,
) -> None:
    opportunities = aerona.by_source("opportunities", "invoices")
    payments: dict[int, list[Record]] = defaultdict(list)
    for payment in aerona.rows("payments"):
        payments[int(payment["invoiceId"])].append(payment)
    statuses = {"ISSUED": "OUTSTANDING", "PARTIALLY_PAID": "PARTIAL"}
    rows = aerona.written_rows("invoices", "invoices", "invoiceId")
    assert len(rows) == len(opportunities) >= 10
    for row in rows:
        opportunity = opportunities[str(row["invoiceId"])]
        assert opportunity["aeronaRecordKind"] == "INVOICE"
        assert opportunity["amount"]["amountMicros"] == _micros(row["balance"])  # outstanding
        assert opportunity["invoiceAmount"]["amountMicros"] == _micros(row["total"])
        assert opportunity["amountPaid"]["amountMicros"] == _micros(row["amountPaid"])
        assert opportunity["invoiceNumber"] == row["invoiceNumber"]
        assert opportunity["paymentStatus"] == statuses.get(row["status"], row["status"])
        assert same_instant(opportunity["invoiceDate"], row["issuedAt"])
        assert same_instant(opportunity["createdAt"], row["issuedAt"])
        paid = payments.get(int(row["invoiceId"]), [])
        history = opportunity["paymentHistory"]
        assert len(history.splitlines()) == len(paid)
        newest = latest(paid, "receivedAt")
        if newest is not None:
            assert opportunity["paymentMethod"] == newest["method"]
    assert any(payments.get(int(r["invoiceId"])) for r in rows)


def test_row_08_treatment_record_custom_object_and_notes(aerona: AppliedExample) -> None:
    assert aerona.metadata_object("treatmentRecord")["isCustom"] is True
    records = aerona.by_source("treatmentRecords", "treatments")
    appointments = aerona.by_source("opportunities", "appointments")
    owners = member_by_user(aerona)
    notes = aerona.by_source("notes", "treatments")
    note_targets: dict[str, set[str | None]] = defaultdict(set)
    for target in aerona.records("noteTargets"):
        note_targets[str(target["noteId"])].add(target["targetTreatmentRecordId"])
    rows = aerona.written_rows("treatments", "treatment_records", "treatmentRecordId")
    assert len(rows) == len(records) >= 20
    for row in rows:
        record = records[str(row["treatmentRecordId"])]
        assert record["appointmentId"] == appointments[str(row["appointmentId"])]["id"]
        assert record["procedureCode"] == row["treatmentCode"]
        assert record["fdiTooth"] == row.get("fdiTooth")
        assert record["surfaces"] == (row.get("surfaces") or "")
        chart = f"{row.get('fdiTooth') or ''} {row.get('surfaces') or ''}".strip()
        assert record["toothChart"] == chart
        assert record["clinicianId"] == owners[row["userId"]]
        assert same_instant(record["createdAt"], row["completedAt"])
        note = notes[f"{row['treatmentRecordId']}#treatment_notes"]  # one row, two records
        assert record["id"] in note_targets[note["id"]]
        assert row["description"] in note["bodyV2"]["markdown"]


def test_row_09_clinicians_to_members_by_email(aerona: AppliedExample) -> None:
    members = members_by_email(aerona)
    users = {int(u["userId"]): str(u["email"]).lower() for u in aerona.rows("users")}
    assert {uid for uid, email in users.items() if email not in members}  # staff not invited
    records = aerona.by_source("treatmentRecords", "treatments")
    rows = aerona.written_rows("treatments", "treatment_records", "treatmentRecordId")
    for row in rows:
        expected = members[users[row["userId"]]]
        assert records[str(row["treatmentRecordId"])]["clinicianId"] == expected
    people = aerona.by_source("people", "patients")
    for row in aerona.written_rows("patients", "patients", "patientId"):
        expected = members[users[row["preferredClinicianUserId"]]]
        assert people[str(row["patientId"])]["preferredClinicianId"] == expected
    # No record lands without an owner; none waits in an owner queue.
    assert all(o["ownerId"] for o in aerona.by_source("opportunities", "appointments").values())
    assert not [e for e in aerona.held() if e.code == "owner_unresolved"]


def test_row_09_unmatched_clinician_falls_back_to_the_named_member(
    aerona_planted: AppliedExample,
) -> None:
    members = members_by_email(aerona_planted)
    appointments = aerona_planted.by_source("opportunities", "appointments")
    alumni = appointments[str(ALUMNI_APPOINTMENT)]
    assert alumni["ownerId"] == members[FALLBACK_EMAIL]
    assert not [e for e in aerona_planted.held("appointments") if e.code == "owner_unresolved"]
    assert "staff509" not in aerona_planted.plan_run.output  # the plan names users by id


def test_row_10_attachments_uploaded_and_linked(aerona: AppliedExample) -> None:
    attachments = aerona.by_source("attachments", "attachments")
    people = aerona.by_source("people", "patients")
    appointments = aerona.by_source("opportunities", "appointments")
    files = {f["id"]: f for f in aerona.snapshot["files"]}
    rows = aerona.written_rows("attachments", "documents", "attachmentId")
    assert len(rows) == len(attachments) >= 5
    rows = [r for r in rows if str(r["patientId"]) in people]  # see the email test below
    for row in rows:
        attachment = attachments[str(row["attachmentId"])]
        assert attachment["name"] == row["fileName"]
        (stored,) = attachment["file"]
        assert files[stored["fileId"]]["size"] == row["sizeBytes"]
        assert attachment["targetPersonId"] == people[str(row["patientId"])]["id"]
        linked = row.get("linkedAppointmentId")
        if linked and str(linked) in appointments:
            assert attachment["targetOpportunityId"] == appointments[str(linked)]["id"]
        assert same_instant(attachment["createdAt"], row["createdAt"])
    # A file that is not in the bundle (sha256 mismatch): quarantined with the reason.
    quarantined = {e.source_key: e for e in aerona.quarantined("documents")}
    (missing,) = quarantined.values()
    assert missing.code == "file_missing" and "not in the bundle" in missing.reason


def test_rows_11_12_and_perio_readings_are_skipped_with_reasons(aerona: AppliedExample) -> None:
    counts = {c.mapping: c for c in aerona.header.counts}
    for source_object in (
        "recall_rules",
        "reminder_rules",
        "patient_recalls",
        "payment_integrations",
        "perio_readings",
    ):
        count = counts[f"{source_object}-skipped"]
        assert count.skipped == count.source == len(aerona.rows(source_object)) > 0
    skip = aerona.header.spec["skip"]
    assert "perio" in str(skip["perio_readings"]).lower() or "readings" in str(
        skip["perio_readings"]
    )
    assert "Twenty has no payment gateway" in str(skip["payment_integrations"])
    # Payment history itself migrates onto the invoice opportunities (row 12).
    assert counts["payments-aggregated"].aggregated == len(aerona.rows("payments"))


def test_original_created_at_and_import_source_everywhere(aerona: AppliedExample) -> None:
    timed = (
        ("people", "patients", "patientId", "createdAt"),
        ("opportunities", "appointments", "appointmentId", "createdAt"),
        ("opportunities", "treatment_plans", "treatmentPlanId", "createdAt"),
        ("opportunities", "invoices", "invoiceId", "issuedAt"),
        ("treatmentRecords", "treatments", "treatmentRecordId", "completedAt"),
        ("toothChartEntries", "tooth_chart", "chartEntryId", "recordedAt"),
        ("notes", "clinical_notes", "noteId", "createdAt"),
        ("attachments", "attachments", "attachmentId", "createdAt"),
    )
    for plural, source_object, id_field, column in timed:
        stored = aerona.by_source(plural, source_object)
        assert stored, source_object
        source = {str(r[id_field]): r for r in aerona.rows(source_object)}
        for source_id, record in stored.items():
            assert same_instant(record["createdAt"], source[source_id][column]), source_id
    for plural in ("companies", "people", "opportunities", "notes", "attachments"):
        for record in aerona.records(plural):
            if record.get("migrationSourceId"):
                assert record["createdBy"] == {
                    "context": None,
                    "name": "AeronaClinic import",
                    "source": IMPORT,
                    "workspaceMemberId": None,
                }
    assert instant("2020-01-01T00:00:00Z")
