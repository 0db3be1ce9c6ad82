"""Synthetic AeronaClinic clinical records: appointments, consents, histories, alerts, notes,
tooth chart, perio readings, treatment plans and treatments.

Dirt kinds: ``appointment_orphan_patient``, ``appointment_naive_time``,
``appointment_long_duration``, ``appointment_outcome_in_future``,
``appointment_unknown_status``, ``chart_invalid_tooth``, ``chart_palatal_on_lower``,
``chart_box_symbol``, ``chart_surfaces_unordered``, ``chart_lingual_on_upper``,
``chart_completed_in_future``, ``plan_completed_with_planned_items``,
``clinical_note_emoji_and_crlf``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from migrator.sources.generator.aeronaclinic import STATUSES, AeronaState, local
from migrator.sources.generator.aeronaclinic_patients import PatientCtx
from migrator.sources.generator.names import (
    ALLERGENS,
    APPOINTMENT_TYPES,
    CLINICAL_LINES,
    CONDITIONS,
    MEDICATIONS,
    TREATMENTS,
)
from migrator.sources.generator.randomness import EXPORTED_AT, cumulative
from migrator.validate.teeth import Tooth

_PAST = cumulative((0.75, 0.08, 0.12, 0.03, 0.02))
_PAST_CODES = ("COMPLETED", "NO_SHOW", "CANCELLED", "ARRIVED", "IN_TREATMENT")
_STATUS_ID = {code: ident for ident, code, _ in STATUSES}
_SURFACES = ("", "M", "O", "MO", "DO", "MOD", "B", "DB", "MODB")
_CHART_CODES = ("CARIES", "FILLING_COMPOSITE", "MISSING", "CROWN", "EXTRACTION", "RCT")


def write_appointment(state: AeronaState, patient: PatientCtx) -> None:
    """One appointment; completed ones get a clinical note and usually a treatment."""
    rng, dirt = state.rng, state.dirt
    ident = state.next("appointment", 700_000)
    type_index = rng.below(len(APPOINTMENT_TYPES))
    moment = rng.moment(after=patient.created)
    moment = moment.replace(minute=(moment.minute // 10) * 10, second=0, microsecond=0)
    if rng.chance(0.1):
        moment = EXPORTED_AT + dt.timedelta(days=rng.between(1, 60), hours=rng.between(0, 8))
    future = moment > EXPORTED_AT
    code = (
        ("BOOKED" if rng.chance(0.9) else "CANCELLED")
        if future
        else rng.weighted(_PAST_CODES, _PAST)
    )
    if future and dirt("appointment_outcome_in_future"):
        code = "COMPLETED"
    name, duration, _ = APPOINTMENT_TYPES[type_index]
    record: dict[str, Any] = {
        "appointmentId": ident,
        "practiceId": patient.site.id,
        "patientId": patient.id if not dirt("appointment_orphan_patient") else 99_999_999,
        "userId": patient.clinician if rng.chance(0.8) else rng.pick(state.clinicians),
        "appointmentTypeId": type_index + 1,
        "appointmentStatusId": _STATUS_ID[code] if not dirt("appointment_unknown_status") else 99,
        "appointmentTime": local(moment, patient.zone),
        "duration": duration if not dirt("appointment_long_duration") else 900,
        "emergency": name == "Emergency",
        "appointmentNotes": "Patient prefers mornings" if rng.chance(0.05) else None,
        "createdViaApi": rng.chance(0.07),
        "createdAt": local(moment - dt.timedelta(days=rng.between(1, 60)), patient.zone),
    }
    if code == "CANCELLED":
        record["cancelledAt"] = local(moment - dt.timedelta(hours=rng.between(2, 72)), patient.zone)
        record["cancellationReason"] = rng.pick(("Patient unwell", "Clinician unavailable"))
    if dirt("appointment_naive_time"):
        record["appointmentTime"] = record["appointmentTime"][:19]
    state.out.write("appointments", record)
    patient.appointments.append((ident, moment, code))
    if code == "COMPLETED" and not future:
        write_clinical_note(state, patient, ident, moment)
        if rng.chance(0.8):
            write_treatment(state, patient, ident, moment)


def write_clinical_note(
    state: AeronaState, patient: PatientCtx, appointment: int | None, moment: dt.datetime
) -> None:
    """A clinical note (verbatim text; most are signed and locked)."""
    rng = state.rng
    text = "\n".join(rng.pick(CLINICAL_LINES) for _ in range(rng.between(1, 3)))
    if state.dirt("clinical_note_emoji_and_crlf"):
        text = text.replace("\n", "\r\n") + " 🦷"
    state.out.write(
        "clinical_notes",
        {
            "noteId": state.next("note", 300_000),
            "patientId": patient.id,
            "appointmentId": appointment,
            "userId": patient.clinician,
            "createdAt": local(moment + dt.timedelta(minutes=30), patient.zone),
            "noteType": rng.pick(("EXAMINATION", "TREATMENT", "GENERAL", "PHONE_CALL", "LAB")),
            "text": text,
            "locked": rng.chance(0.7),
        },
    )


def pick_tooth(state: AeronaState, patient: PatientCtx) -> Tooth:
    """A tooth plausible for the patient's age (deciduous for children under 10)."""
    rng = state.rng
    if patient.age(EXPORTED_AT.date()) < 10:
        return Tooth(rng.between(5, 8), rng.between(1, 5))
    return Tooth(rng.between(1, 4), rng.between(1, 8))


def _surfaces(tooth: Tooth, base: str) -> str:
    if tooth.is_anterior:
        base = base.replace("O", "I")
    return "".join(sorted(set(base), key="MOIDBLP".index))


def write_chart_entry(state: AeronaState, patient: PatientCtx) -> None:
    """One tooth chart entry, in Palmer or FDI notation as recorded."""
    rng, dirt = state.rng, state.dirt
    tooth = pick_tooth(state, patient)
    surfaces = _surfaces(tooth, rng.pick(_SURFACES))
    palmer = rng.chance(0.7)
    raw: str = tooth.palmer if palmer else str(tooth.fdi)
    kind = rng.pick(("CONDITION", "EXISTING_RESTORATION", "PLANNED", "COMPLETED"))
    recorded = rng.moment(after=patient.created)
    if dirt("chart_invalid_tooth"):
        raw = "19"
    elif dirt("chart_box_symbol") and not tooth.is_deciduous:
        raw = f"{tooth.position}┘" if tooth.quadrant == 1 else raw
    if dirt("chart_palatal_on_lower") and not tooth.is_maxillary:
        surfaces = "DP"
    elif dirt("chart_lingual_on_upper") and tooth.is_maxillary:
        surfaces = "DL"
    elif dirt("chart_surfaces_unordered") and len(surfaces) > 1:
        surfaces = surfaces[::-1]
    if kind == "COMPLETED" and dirt("chart_completed_in_future"):
        recorded = EXPORTED_AT + dt.timedelta(days=3)
    state.out.write(
        "tooth_chart",
        {
            "chartEntryId": state.next("chart", 880_000),
            "patientId": patient.id,
            "recordedAt": local(recorded, patient.zone),
            "userId": patient.clinician,
            "notationSource": "PALMER" if palmer else "FDI",
            "toothRaw": raw,
            "fdiTooth": tooth.fdi,
            "quadrant": tooth.quadrant,
            "toothNumber": tooth.position,
            "dentition": tooth.dentition,
            "surfaces": surfaces,
            "entryKind": kind,
            "code": rng.pick(_CHART_CODES),
            "notes": None,
        },
    )


def write_perio(state: AeronaState, patient: PatientCtx) -> None:
    """A six-site perio chart of one or two teeth."""
    rng = state.rng
    recorded = local(rng.moment(after=patient.created), patient.zone)
    for _ in range(rng.between(1, 2)):
        tooth = Tooth(rng.between(1, 4), rng.between(1, 8))
        for site in ("MB", "B", "DB", "ML", "L", "DL"):
            state.out.write(
                "perio_readings",
                {
                    "perioReadingId": state.next("perio", 400_000),
                    "patientId": patient.id,
                    "recordedAt": recorded,
                    "fdiTooth": tooth.fdi,
                    "site": site,
                    "pocketDepthMm": rng.between(1, 7),
                    "recessionMm": rng.between(-1, 4),
                    "bleeding": rng.chance(0.2),
                    "mobility": rng.weighted((0, 1, 2), (0.85, 0.97, 1.0)),
                    "furcation": 0 if tooth.position < 6 else rng.between(0, 2),
                },
            )


def write_history_and_consent(state: AeronaState, patient: PatientCtx) -> None:
    """Medical histories, an alert now and then, and the GDPR (and treatment) consents."""
    rng = state.rng
    for _ in range(rng.weighted((0, 1, 2), (0.3, 0.9, 1.0))):
        done = rng.moment(after=patient.created)
        meds = [
            dict(zip(("name", "dose", "frequency"), m, strict=True))
            for m in {rng.pick(MEDICATIONS) for _ in range(rng.below(3))}
        ]
        state.out.write(
            "medical_histories",
            {
                "medicalHistoryId": state.next("history", 200_000),
                "patientId": patient.id,
                "completedAt": local(done, patient.zone),
                "reviewedByUserId": patient.clinician,
                "reviewedAt": local(done + dt.timedelta(days=1), patient.zone),
                "source": rng.pick(("PORTAL", "IN_PRACTICE", "PAPER")),
                "allergies": [
                    {
                        "substance": rng.pick(ALLERGENS),
                        "reaction": "Rash",
                        "severity": rng.pick(("MILD", "MODERATE", "SEVERE")),
                    }
                ]
                if rng.chance(0.15)
                else [],
                "conditions": [{"name": rng.pick(CONDITIONS), "notes": None}]
                if rng.chance(0.2)
                else [],
                "medications": sorted(meds, key=lambda m: m["name"]),
                "smoker": rng.chance(0.15),
                "pregnant": False,
                "anticoagulants": any(m["name"] == "Warfarin" for m in meds),
                "bisphosphonates": False,
                "notes": None,
            },
        )
    if rng.chance(0.25):
        state.out.write(
            "medical_alerts",
            {
                "alertId": state.next("alert", 60_000),
                "patientId": patient.id,
                "text": rng.pick(
                    (
                        "Allergic to penicillin",
                        "On warfarin – check INR",
                        "Anxious patient",
                        "Latex allergy ⚠️",
                    )
                ),
                "severity": rng.pick(("INFO", "WARNING", "CRITICAL")),
                "active": rng.chance(0.9),
                "createdAt": local(rng.moment(after=patient.created), patient.zone),
                "createdByUserId": patient.clinician,
            },
        )
    for consent_type in ("GDPR_DATA_PROCESSING",) + (("TREATMENT",) if rng.chance(0.4) else ()):
        ident = state.next("consent", 50_000)
        patient.consents.append(ident)
        state.out.write(
            "consents",
            {
                "consentId": ident,
                "patientId": patient.id,
                "consentType": consent_type,
                "status": "GIVEN" if rng.chance(0.95) else "WITHDRAWN",
                "givenAt": local(patient.created, patient.zone),
                "method": rng.pick(("PAPER", "DIGITAL_SIGNATURE", "VERBAL")),
                "capturedByUserId": rng.pick(state.staff or state.clinicians),
            },
        )


def write_treatment(
    state: AeronaState, patient: PatientCtx, appointment: int, moment: dt.datetime
) -> None:
    """A performed treatment, priced in the practice's currency."""
    rng = state.rng
    code, description, fee = rng.pick(TREATMENTS)
    tooth = pick_tooth(state, patient) if code not in ("EXAM", "SCALE_POLISH", "XRAY_BW") else None
    discount = "10.00" if rng.chance(0.1) else "0.00"
    net = str(Decimal(fee) - Decimal(discount))
    ident = state.next("treatment", 500_000)
    patient.treatments.append((ident, description, net))
    state.out.write(
        "treatments",
        {
            "treatmentRecordId": ident,
            "patientId": patient.id,
            "practiceId": patient.site.id,
            "appointmentId": appointment,
            "userId": patient.clinician,
            "treatmentCode": code,
            "description": description,
            "fdiTooth": tooth.fdi if tooth else None,
            "surfaces": _surfaces(tooth, "MO") if tooth and code.startswith("FILLING") else None,
            "materials": "Composite A2" if code == "FILLING_COMPOSITE" else None,
            "durationMinutes": rng.between(10, 90),
            "completedAt": local(moment + dt.timedelta(minutes=40), patient.zone),
            "fee": fee,
            "discount": discount,
            "netPrice": net,
            "currency": patient.site.currency,
        },
    )


def write_treatment_plan(state: AeronaState, patient: PatientCtx) -> None:
    """A treatment plan with 1-4 items."""
    rng = state.rng
    status = rng.pick(("PROPOSED", "ACCEPTED", "IN_PROGRESS", "COMPLETED"))
    items: list[dict[str, Any]] = []
    total = Decimal("0.00")
    for _ in range(rng.between(1, 4)):
        code, description, fee = rng.pick(TREATMENTS)
        item_status = "COMPLETED" if status == "COMPLETED" else rng.pick(("PLANNED", "BOOKED"))
        tooth = pick_tooth(state, patient)
        items.append(
            {
                "itemId": state.next("plan_item", 7000),
                "treatmentCode": code,
                "description": description,
                "fdiTooth": tooth.fdi,
                "surfaces": _surfaces(tooth, "O") if code.startswith("FILLING") else "",
                "fee": fee,
                "discount": "0.00",
                "netFee": fee,
                "status": item_status,
                "appointmentId": None,
            }
        )
        total += Decimal(fee)
    if status == "COMPLETED" and state.dirt("plan_completed_with_planned_items"):
        items[-1]["status"] = "PLANNED"
    created = rng.moment(after=patient.created)
    state.out.write(
        "treatment_plans",
        {
            "treatmentPlanId": state.next("plan", 40_000),
            "patientId": patient.id,
            "practiceId": patient.site.id,
            "userId": patient.clinician,
            "name": f"Plan {items[0]['description'].lower()}",
            "status": status,
            "createdAt": local(created, patient.zone),
            "acceptedAt": local(created + dt.timedelta(days=2), patient.zone)
            if status != "PROPOSED"
            else None,
            "completedAt": local(created + dt.timedelta(days=60), patient.zone)
            if status == "COMPLETED"
            else None,
            "currency": patient.site.currency,
            "totalFee": str(total),
            "nhsCourse": patient.site.country == "GB" and rng.chance(0.4),
            "nhsBand": rng.pick(("BAND_1", "BAND_2", "BAND_3")) if rng.chance(0.3) else None,
            "items": items,
        },
    )
