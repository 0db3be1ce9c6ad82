"""Synthetic AeronaClinic money and follow-up: invoices, payments, adjustments, care plans with
instalment schedules, recalls and attachments.

Dirt kinds: ``invoice_total_mismatch``, ``invoice_due_before_issue``,
``payment_reference_mismatch``, ``attachment_mime_mismatch``, ``attachment_file_missing``, and
the on-demand oversized attachment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from migrator.sources.generator.aeronaclinic import AeronaState, local
from migrator.sources.generator.aeronaclinic_patients import PatientCtx
from migrator.sources.generator.content import large_file, mime_type, small_file
from migrator.sources.generator.randomness import EXPORTED_AT, cumulative

_METHODS = ("CARD", "CASH", "GOCARDLESS", "STRIPE", "BANK_TRANSFER", "FINANCE")
_METHOD_WEIGHTS = cumulative((0.4, 0.15, 0.2, 0.15, 0.07, 0.03))
_ALNUM = "0123456789ABCDEFGHJKLMNPQRSTVWXYZ"
_ATTACHMENTS = (
    ("CONSENT_FORM", "pdf"),
    ("XRAY", "dcm"),
    ("XRAY", "png"),
    ("INTRAORAL_PHOTO", "jpg"),
    ("REFERRAL_LETTER", "pdf"),
    ("LAB_DOCKET", "pdf"),
)


def _reference(state: AeronaState, method: str, prefix: str = "PM") -> str | None:
    rng = state.rng
    if method == "GOCARDLESS":
        ref = prefix + "".join(rng.pick(_ALNUM) for _ in range(12))
    elif method == "STRIPE":
        ref = "pi_" + "".join(rng.pick(_ALNUM + "abcdefghijk") for _ in range(14))
    else:
        return None
    return ref.lower() if state.dirt("payment_reference_mismatch") else ref


def write_invoice(state: AeronaState, patient: PatientCtx) -> None:
    """An invoice for the patient's treatments, and the payment that settled it (if any)."""
    rng, dirt = state.rng, state.dirt
    lines = [
        {"treatmentRecordId": t, "description": d, "amount": a} for t, d, a in patient.treatments
    ]
    total = sum((Decimal(a) for _, _, a in patient.treatments), Decimal("0.00"))
    issued = rng.moment(after=patient.created)
    due = issued + dt.timedelta(days=30)
    if dirt("invoice_due_before_issue"):
        due = issued - dt.timedelta(days=5)
    status = rng.pick(("PAID", "PAID", "PAID", "ISSUED", "PARTIALLY_PAID", "WRITTEN_OFF"))
    paid = total if status == "PAID" else (total / 2 if status == "PARTIALLY_PAID" else Decimal(0))
    paid = paid.quantize(Decimal("0.01"))
    ident = state.next("invoice", 90_000)
    stated = total + (Decimal("5.00") if dirt("invoice_total_mismatch") else Decimal(0))
    state.out.write(
        "invoices",
        {
            "invoiceId": ident,
            "invoiceNumber": f"INV-{patient.site.id}-{ident}",
            "patientId": patient.id,
            "practiceId": patient.site.id,
            "issuedAt": local(issued, patient.zone),
            "dueAt": local(due, patient.zone),
            "currency": patient.site.currency,
            "status": status,
            "total": str(stated),
            "amountPaid": str(paid),
            "balance": str(stated - paid),
            "lines": lines,
        },
    )
    if paid > 0:
        write_payment(state, patient, ident, paid, issued)
    if status == "WRITTEN_OFF" or rng.chance(0.1):
        state.out.write(
            "adjustments",
            {
                "adjustmentId": state.next("adjustment", 30_000),
                "patientId": patient.id,
                "invoiceId": ident,
                "amount": str(-(stated - paid) or Decimal("-10.00")),
                "currency": patient.site.currency,
                "reason": "BAD_DEBT"
                if status == "WRITTEN_OFF"
                else rng.pick(("DISCOUNT", "GOODWILL")),
                "createdAt": local(due, patient.zone),
                "userId": rng.pick(state.staff),
            },
        )


def write_payment(
    state: AeronaState,
    patient: PatientCtx,
    invoice: int | None,
    amount: Decimal,
    after: dt.datetime,
) -> None:
    """A payment (and, now and then, its refund as a separate row)."""
    rng = state.rng
    method = rng.weighted(_METHODS, _METHOD_WEIGHTS)
    ident = state.next("payment", 120_000)
    received = after + dt.timedelta(days=rng.between(0, 20))
    base = {
        "patientId": patient.id,
        "invoiceId": invoice,
        "currency": patient.site.currency,
        "method": method,
        "isDeposit": False,
    }
    state.out.write(
        "payments",
        {
            "paymentId": ident,
            **base,
            "amount": str(amount),
            "status": rng.pick(("CONFIRMED", "PAID_OUT"))
            if method == "GOCARDLESS"
            else "CONFIRMED",
            "providerReference": _reference(state, method),
            "allocatedAt": local(received, patient.zone),
            "receivedAt": local(received, patient.zone),
        },
    )
    if rng.chance(0.03):
        state.out.write(
            "payments",
            {
                "paymentId": state.next("payment", 120_000),
                **base,
                "amount": str(amount),
                "status": "REFUNDED",
                "providerReference": _reference(state, method),
                "refundOfPaymentId": ident,
                "receivedAt": local(received + dt.timedelta(days=3), patient.zone),
            },
        )


def write_care_plan(state: AeronaState, patient: PatientCtx) -> None:
    """A monthly GoCardless care plan with its 12-instalment schedule."""
    rng = state.rng
    monthly = rng.pick(("12.50", "17.95", "24.00"))
    start = (patient.created + dt.timedelta(days=rng.below(300))).date().replace(day=1)
    instalments = []
    for n in range(12):
        due = dt.date(start.year + (start.month - 1 + n) // 12, (start.month - 1 + n) % 12 + 1, 1)
        past = due <= EXPORTED_AT.date()
        status = ("PAID" if rng.chance(0.95) else "FAILED") if past else "SCHEDULED"
        instalments.append(
            {
                "instalmentNumber": n + 1,
                "dueDate": due.isoformat(),
                "amount": monthly,
                "status": status,
                "paymentId": None,
            }
        )
    status = rng.pick(("ACTIVE", "ACTIVE", "PAUSED", "CANCELLED"))
    state.out.write(
        "care_plans",
        {
            "carePlanId": state.next("care_plan", 8000),
            "patientId": patient.id,
            "practiceId": patient.site.id,
            "planName": rng.pick(("Essential", "Family", "Premium")),
            "monthlyAmount": monthly,
            "currency": patient.site.currency,
            "provider": "GOCARDLESS",
            "mandateReference": _reference(state, "GOCARDLESS", "MD"),
            "status": status,
            "startDate": start.isoformat(),
            "endDate": instalments[-1]["dueDate"] if status == "CANCELLED" else None,
            "instalments": instalments,
        },
    )


def write_recall(state: AeronaState, patient: PatientCtx) -> None:
    """The patient's next recall under one of the practice's rules."""
    rng = state.rng
    due = (EXPORTED_AT + dt.timedelta(days=rng.between(-120, 180))).date()
    booked = [a for a, moment, code in patient.appointments if code == "BOOKED"]
    status = "BOOKED" if booked else ("OVERDUE" if due < EXPORTED_AT.date() else "DUE")
    state.out.write(
        "patient_recalls",
        {
            "recallId": state.next("recall", 20_000),
            "patientId": patient.id,
            "recallRuleId": rng.pick(state.recall_rules[patient.site.id]),
            "dueDate": due.isoformat(),
            "status": status,
            "lastReminderAt": local(
                EXPORTED_AT - dt.timedelta(days=rng.between(1, 30)), patient.zone
            )
            if status == "OVERDUE"
            else None,
            "bookedAppointmentId": booked[0] if booked else None,
        },
    )


def write_attachment(
    state: AeronaState, patient: PatientCtx, *, size: int | None = None, largest: bool = False
) -> None:
    """A consent form, radiograph, photo or letter; ``size`` forces an exact (large) size and
    ``largest`` makes the bundle's deliberately largest small file (about 9 KB)."""
    rng, dirt = state.rng, state.dirt
    kind, extension = rng.pick(_ATTACHMENTS)
    if size is not None:
        data = large_file(rng, extension, size)
    elif largest:
        data = small_file(rng, extension, low=9000, high=9200)
    else:
        data = small_file(rng, extension)
    sha, relative = state.out.write_attachment(data, extension)
    if size is None and dirt("attachment_file_missing"):
        sha = "f" * 64
        relative = f"attachments/ff/{sha}.{extension}"
    declared = mime_type(extension)
    if size is None and dirt("attachment_mime_mismatch"):
        declared = "application/pdf" if extension != "pdf" else "image/jpeg"
    linked = patient.consents[0] if kind == "CONSENT_FORM" and patient.consents else None
    state.out.write(
        "attachments",
        {
            "attachmentId": state.next("attachment", 10_000),
            "patientId": patient.id,
            "kind": kind,
            "fileName": f"{kind.lower()}-{patient.id}.{extension}",
            "mimeType": declared,
            "sizeBytes": len(data),
            "sha256": sha,
            "relativePath": relative,
            "takenAt": None,
            "createdAt": local(rng.moment(after=patient.created), patient.zone),
            "uploadedByUserId": rng.pick(state.staff or state.clinicians),
            "linkedConsentId": linked,
            "linkedAppointmentId": patient.appointments[0][0] if patient.appointments else None,
        },
    )
