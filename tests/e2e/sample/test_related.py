"""Related records travel together in a sample, read from the bundle's rows as plain JSON.

An OplaCRM opportunity comes with its company, its contacts, its product lines, invoices, notes,
tasks, stage history and attachments; an AeronaClinic patient with their appointments, clinical
notes, chart, treatment plans, treatments, invoices and documents. And in Twenty itself, every
relation a sampled record carries points at a record of the sample.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.e2e.sample.conftest import SampledExample
from tests.e2e.sources import opportunity_account

Row = dict[str, Any]


def _ids(rows: Iterable[Row], key: str = "id") -> set[str]:
    return {str(row[key]) for row in rows}


def _referring(rows: list[Row], field: str, value: object) -> list[Row]:
    return [row for row in rows if row.get(field) is not None and str(row[field]) == str(value)]


def _contact_ids(opp: Row) -> set[str]:
    """The opportunity's contacts, flat (``contact_ids``) or nested (``opportunities_contacts``)."""
    if opp.get("contact_ids") is not None:
        return {str(c) for c in opp["contact_ids"]}
    links = opp.get("opportunities_contacts") or []
    return {str(link.get("contact", {}).get("id") or link.get("contact_id")) for link in links}


def test_opportunity_comes_with_company_contacts_lines_invoices_notes(
    opla_sample: SampledExample,
) -> None:
    sample, rows = opla_sample, opla_sample.applied.rows
    accounts, contacts = _ids(rows("accounts")), _ids(rows("contacts"))
    opportunities = [r for r in rows("opportunities") if r["id"] in sample.kept("opportunities")]
    assert opportunities
    for opp in opportunities:
        account = opportunity_account(opp)
        if account is not None and account.lower() in {a.lower() for a in accounts}:
            kept = {a.lower() for a in sample.kept("accounts")}
            assert account.lower() in kept, opp["id"]
        assert _contact_ids(opp) & contacts <= sample.kept("contacts"), opp["id"]
        for obj in ("opportunity_products", "invoices", "activities", "notes",
                    "opportunity_stage_logs", "attachments"):  # fmt: skip
            mine = _ids(_referring(rows(obj), "opportunity_id", opp["id"]))
            assert mine <= sample.kept(obj), (opp["id"], obj)


def test_rows_sharing_a_unique_email_are_sampled_together(opla_sample: SampledExample) -> None:
    by_email: dict[str, set[str]] = {}
    for contact in opla_sample.applied.rows("contacts"):
        if contact.get("email"):
            by_email.setdefault(contact["email"].strip().lower(), set()).add(contact["id"])
    kept = opla_sample.kept("contacts")
    shared = [ids for ids in by_email.values() if len(ids) > 1]
    assert shared  # the example plants a duplicate email
    for ids in shared:
        assert ids <= kept or not ids & kept, ids


def test_patient_comes_with_appointments_notes_chart_and_documents(
    aerona_sample: SampledExample,
) -> None:
    sample, rows = aerona_sample, aerona_sample.applied.rows
    patients = [r for r in rows("patients") if str(r["patientId"]) in sample.kept("patients")]
    assert patients
    dependants = {
        "appointments": "appointmentId",
        "clinical_notes": "noteId",
        "tooth_chart": "chartEntryId",
        "treatment_plans": "treatmentPlanId",
        "treatments": "treatmentRecordId",
        "invoices": "invoiceId",
        "attachments": "attachmentId",
    }
    for patient in patients:
        assert str(patient["practiceId"]) in sample.kept("practices")
        for obj, key in dependants.items():
            mine = _ids(_referring(rows(obj), "patientId", patient["patientId"]), key)
            assert mine <= sample.kept(obj), (patient["patientId"], obj)


def test_appointment_comes_with_its_patient_practice_and_plan(
    aerona_sample: SampledExample,
) -> None:
    sample, rows = aerona_sample, aerona_sample.applied.rows
    patients = _ids(rows("patients"), "patientId")
    plans = _ids(rows("treatment_plans"), "treatmentPlanId")
    for appointment in rows("appointments"):
        if str(appointment["appointmentId"]) not in sample.kept("appointments"):
            continue
        assert str(appointment["practiceId"]) in sample.kept("practices")
        if str(appointment["patientId"]) in patients:  # the bundle plants an orphan
            assert str(appointment["patientId"]) in sample.kept("patients")
        if str(appointment.get("treatmentPlanId")) in plans:
            assert str(appointment["treatmentPlanId"]) in sample.kept("treatment_plans")


def test_folded_rows_follow_their_patients(aerona_sample: SampledExample) -> None:
    kept_patients = aerona_sample.kept("patients")
    consents = aerona_sample.applied.rows("consents")
    in_sample = [c for c in consents if str(c["patientId"]) in kept_patients]
    counts = {c.mapping: c for c in aerona_sample.applied.header.counts}
    consents_phase = counts["consents-aggregated"]
    assert consents_phase.source == len(in_sample) < len(consents)


def _dangling(sample: SampledExample, plural: str, field: str, target: str) -> list[str]:
    records = sample.snapshot_after_apply["records"]
    targets = {str(r["id"]) for r in records.get(target, []) if not r.get("deletedAt")}
    return [
        str(r["id"])
        for r in records.get(plural, [])
        if r.get(field) and not r.get("deletedAt") and str(r[field]) not in targets
    ]


def test_no_sampled_record_points_outside_the_sample(
    opla_sample: SampledExample, aerona_sample: SampledExample
) -> None:
    assert _dangling(opla_sample, "opportunities", "companyId", "companies") == []
    assert _dangling(opla_sample, "opportunities", "pointOfContactId", "people") == []
    assert _dangling(opla_sample, "people", "companyId", "companies") == []
    assert _dangling(opla_sample, "productLines", "opportunityId", "opportunities") == []
    assert _dangling(opla_sample, "invoices", "opportunityId", "opportunities") == []
    assert _dangling(aerona_sample, "opportunities", "pointOfContactId", "people") == []
    assert _dangling(aerona_sample, "opportunities", "companyId", "companies") == []
    assert _dangling(aerona_sample, "people", "companyId", "companies") == []
