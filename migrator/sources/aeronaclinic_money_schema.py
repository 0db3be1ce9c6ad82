"""The AeronaClinic schema's money and follow-up objects: invoices, payments, adjustments, care
plans with their instalment schedules, recalls and attachments, and the rebuild-inventory inputs
(reminder rules and payment integrations). Assembled into the schema by
:mod:`migrator.sources.aeronaclinic_schema`.
"""

from __future__ import annotations

from migrator.sources.aeronaclinic_fields import (
    CURRENCY,
    aerona_object,
    int_id,
    int_ref,
    patient_ref,
)
from migrator.sources.schema_builders import T, enum_, fld, money, refs
from migrator.sources.schema_types import Sensitivity

INVOICES = aerona_object(
    "invoices",
    (
        int_id("invoiceId"),
        fld("invoiceNumber", required=True),
        patient_ref(),
        int_ref("practiceId", "practices"),
        fld("issuedAt", T.DATETIME),
        fld("dueAt", T.DATETIME),
        CURRENCY,
        enum_("status", "DRAFT", "ISSUED", "PARTIALLY_PAID", "PAID", "VOID", "WRITTEN_OFF"),
        money("total"),
        money("amountPaid"),
        money("balance"),
        fld(
            "lines",
            T.LIST,
            item_type=T.OBJECT,
            description="[{treatmentRecordId, description, amount}]",
        ),
    ),
)

PAYMENT_METHODS = (
    "CASH", "CARD", "BANK_TRANSFER", "CHEQUE", "GOCARDLESS", "STRIPE", "DOJO", "PAYPAL",
    "WORLDPAY", "FINANCE", "OTHER",
)  # fmt: skip

PAYMENTS = aerona_object(
    "payments",
    (
        int_id("paymentId"),
        patient_ref(),
        int_ref("invoiceId", "invoices"),
        money("amount", required=True),
        CURRENCY,
        enum_("method", *PAYMENT_METHODS),
        enum_(
            "status",
            "PENDING",
            "SUBMITTED",
            "CONFIRMED",
            "PAID_OUT",
            "FAILED",
            "CANCELLED",
            "REFUNDED",
            "CHARGED_BACK",
        ),
        fld("providerReference", check="provider_reference"),
        fld("isDeposit", T.BOOL),
        fld("allocatedAt", T.DATETIME),
        int_ref("refundOfPaymentId", "payments"),
        fld("receivedAt", T.DATETIME),
    ),
)

ADJUSTMENTS = aerona_object(
    "adjustments",
    (
        int_id("adjustmentId"),
        patient_ref(),
        int_ref("invoiceId", "invoices"),
        money("amount", required=True, description="signed"),
        CURRENCY,
        enum_("reason", "DISCOUNT", "BAD_DEBT", "CORRECTION", "GOODWILL"),
        fld("createdAt", T.DATETIME),
        int_ref("userId", "users"),
    ),
)

CARE_PLANS = aerona_object(
    "care_plans",
    (
        int_id("carePlanId"),
        patient_ref(),
        int_ref("practiceId", "practices"),
        fld("planName"),
        money("monthlyAmount"),
        CURRENCY,
        enum_("provider", "GOCARDLESS", "STRIPE", "OTHER"),
        fld("mandateReference", check="provider_reference"),
        enum_("status", "ACTIVE", "PAUSED", "CANCELLED"),
        fld("startDate", T.DATE),
        fld("endDate", T.DATE),
        fld(
            "instalments",
            T.LIST,
            item_type=T.OBJECT,
            description="schedule [{instalmentNumber, dueDate, amount, status, paymentId}];"
            " migrated only after manual sign-off",
        ),
    ),
    description="monthly care plans (GoCardless) with their instalment schedules",
)

PATIENT_RECALLS = aerona_object(
    "patient_recalls",
    (
        int_id("recallId"),
        patient_ref(),
        int_ref("recallRuleId", "recall_rules"),
        fld("dueDate", T.DATE),
        enum_("status", "DUE", "BOOKED", "OVERDUE", "COMPLETED", "EXEMPT", "CANCELLED"),
        fld("lastReminderAt", T.DATETIME),
        int_ref("bookedAppointmentId", "appointments"),
    ),
)

ATTACHMENTS = aerona_object(
    "attachments",
    (
        int_id("attachmentId"),
        patient_ref(),
        enum_(
            "kind",
            "CONSENT_FORM",
            "XRAY",
            "INTRAORAL_PHOTO",
            "MEDICAL_HISTORY_FORM",
            "REFERRAL_LETTER",
            "LAB_DOCKET",
            "CORRESPONDENCE",
            "OTHER",
        ),
        fld("fileName", required=True),
        fld("mimeType", check="mime_type"),
        fld("sizeBytes", T.INT),
        fld("sha256", required=True, check="sha256"),
        fld("relativePath", required=True, description="attachments/<2 hex>/<sha256>.<ext>"),
        fld("takenAt", T.DATETIME),
        fld("createdAt", T.DATETIME),
        int_ref("uploadedByUserId", "users"),
        int_ref("linkedConsentId", "consents"),
        int_ref("linkedAppointmentId", "appointments"),
    ),
)

REMINDER_RULES = aerona_object(
    "reminder_rules",
    (
        int_id("reminderRuleId"),
        int_ref("practiceId", "practices"),
        fld("name", required=True),
        enum_("channel", "SMS", "EMAIL", "LETTER"),
        fld("offsetHours", T.INT, description="negative: before the appointment"),
        refs("appointmentTypeIds", "appointment_types", T.INT),
        fld("template"),
        fld("active", T.BOOL),
    ),
    Sensitivity.CONFIGURATION,
    migrated=False,
    description="appointment reminder automation: rebuild inventory only",
)

PAYMENT_INTEGRATIONS = aerona_object(
    "payment_integrations",
    (
        int_id("integrationId"),
        int_ref("practiceId", "practices"),
        enum_("provider", "GOCARDLESS", "STRIPE", "PAYPAL", "DOJO", "WORLDPAY"),
        fld("accountReference"),
        enum_("status", "CONNECTED", "DISCONNECTED", "ERROR"),
        fld("features", T.LIST, item_type=T.STRING),
        fld("connectedAt", T.DATETIME),
    ),
    Sensitivity.CONFIGURATION,
    migrated=False,
    description="payment gateways to rebuild outside Twenty: rebuild inventory only",
)
