"""The AeronaClinic export bundle schema (sources.md §6, PROPOSED there, extended for #7).

Every object §6.2 lists, plus ``care_plans`` with their instalment schedules and the rebuild
inventory inputs ``reminder_rules`` and ``payment_integrations``. Ids are integers of at most 11
digits; cross references use the ``…Id`` suffix. Every clinical object is ``clinical`` (all its
fields sensitive); practices, staff and lookups are not (DESIGN.md "Security and privacy").
"""

from __future__ import annotations

from migrator.sources.schema_builders import T, enum_, fld, money, ref, refs, subs
from migrator.sources.schema_types import Sensitivity, SourceField, SourceObject, SourceSchema

C = Sensitivity.CLINICAL
CURRENCY = fld("currency", check="currency", description="GBP or EUR")


def _id(name: str) -> SourceField:
    return fld(name, T.INT, required=True, check="aerona_id")


def _ref(name: str, target: str, *, required: bool = False) -> SourceField:
    return ref(name, target, T.INT, required=required)


def _obj(
    name: str,
    fields: tuple[SourceField, ...],
    sensitivity: Sensitivity = C,
    *,
    migrated: bool = True,
    description: str = "",
) -> SourceObject:
    return SourceObject(
        name=name,
        file=f"{name}.jsonl",
        primary_key=fields[0].name,
        fields=fields,
        sensitivity=sensitivity,
        migrated=migrated,
        description=description,
    )


def _patient() -> SourceField:
    return _ref("patientId", "patients", required=True)


PRACTICES = _obj(
    "practices",
    (
        _id("practiceId"),
        _ref("parentPracticeId", "practices"),
        enum_("practiceType", "GROUP", "SITE"),
        fld("name", required=True, check="name"),
        fld("address1"),
        fld("address2"),
        fld("town"),
        fld("county"),
        fld("postcode", check="postcode"),
        enum_("country", "GB", "IE"),
        fld("phone", check="phone"),
        fld("email", check="email"),
        fld("odsCode"),
        fld("practicePin", description="4-digit PIN; a credential, never migrated or shown"),
        CURRENCY,
        fld("timezone"),
        fld("active", T.BOOL),
    ),
    Sensitivity.BUSINESS,
    description="clinics and groups; the hierarchy must be acyclic, depth at most 5",
)

USERS = _obj(
    "users",
    (
        _id("userId"),
        refs("practiceIds", "practices", T.INT),
        fld("title"),
        fld("forename"),
        fld("surname"),
        fld("email", check="email"),
        enum_(
            "role",
            "DENTIST",
            "HYGIENIST",
            "THERAPIST",
            "NURSE",
            "ORTHODONTIST",
            "CLINICIAN_OTHER",
            "RECEPTIONIST",
            "PRACTICE_MANAGER",
            "ADMIN",
        ),
        fld("isClinician", T.BOOL),
        fld("gdcNumber", check="gdc_number"),
        fld("sdsUserId", check="sds_user_id"),
        fld("sdsRoleProfileId", check="sds_role_profile_id"),
        fld("active", T.BOOL),
    ),
    Sensitivity.BUSINESS,
    description="staff and clinicians (the API's Clinician list)",
)

APPOINTMENT_TYPES = _obj(
    "appointment_types",
    (
        _id("appointmentTypeId"),
        fld("name", required=True),
        fld("defaultDuration", T.INT),
        fld("colour"),
        fld("active", T.BOOL),
    ),
    Sensitivity.CONFIGURATION,
)

APPOINTMENT_STATUSES = _obj(
    "appointment_statuses",
    (_id("appointmentStatusId"), fld("code", required=True), fld("label")),
    Sensitivity.CONFIGURATION,
    description="id -> code lookup; ids differ per deployment, the tool maps by code",
)

RECALL_RULES = _obj(
    "recall_rules",
    (
        _id("recallRuleId"),
        _ref("practiceId", "practices"),
        fld("name", required=True),
        _ref("appointmentTypeId", "appointment_types"),
        fld("intervalMonths", T.INT),
        fld("reminderOffsetsDays", T.LIST, item_type=T.INT),
        fld("channels", T.LIST, item_type=T.STRING),
        fld("active", T.BOOL),
    ),
    Sensitivity.CONFIGURATION,
    description="recall automation: written to the rebuild inventory and kept as a lookup",
)

PATIENTS = _obj(
    "patients",
    (
        _id("patientId"),
        _ref("practiceId", "practices", required=True),
        _ref("preferredClinicianUserId", "users"),
        fld("title"),
        fld("forename", required=True, check="name"),
        fld("middleNames"),
        fld("surname", required=True, check="name"),
        fld("preferredName"),
        fld("dateOfBirth", T.DATE, required=True, check="birth_date"),
        enum_("sex", "MALE", "FEMALE", "OTHER", "UNKNOWN"),
        fld("address1"),
        fld("address2"),
        fld("address3"),
        fld("town"),
        fld("county"),
        fld("postcode", check="postcode"),
        enum_("country", "GB", "IE"),
        fld("mobilePhone", check="phone"),
        fld("homePhone", check="phone"),
        fld("workPhone", check="phone"),
        fld("email", check="email"),
        fld("nhsNumber", check="nhs_number"),
        fld("sdsNumber", check="patient_sds"),
        enum_("patientCategory", "NHS", "PRIVATE", "MIXED", "CARE_PLAN", "INSURANCE"),
        fld("recallExempt", T.BOOL),
        fld("householdGroupId", T.INT),
        fld("nextOfKin", T.OBJECT, subfields=subs("name", "relationship", "phone")),
        fld(
            "marketingConsent",
            T.OBJECT,
            subfields=tuple(fld(n, T.BOOL) for n in ("sms", "email", "post")),
        ),
        enum_("status", "ACTIVE", "INACTIVE", "ARCHIVED", "DECEASED", "MERGED"),
        _ref("mergedIntoPatientId", "patients"),
        fld("createdAt", T.DATETIME),
        fld("updatedAt", T.DATETIME),
    ),
)

CONSENTS = _obj(
    "consents",
    (
        _id("consentId"),
        _patient(),
        enum_(
            "consentType",
            "TREATMENT",
            "TREATMENT_PLAN",
            "GDPR_DATA_PROCESSING",
            "SMS_REMINDERS",
            "EMAIL_REMINDERS",
            "MARKETING",
            "PHOTOGRAPHY",
            "SHARING_WITH_THIRD_PARTY",
            required=True,
        ),
        enum_("status", "GIVEN", "REFUSED", "WITHDRAWN", required=True),
        fld("givenAt", T.DATETIME),
        fld("withdrawnAt", T.DATETIME),
        enum_("method", "PAPER", "DIGITAL_SIGNATURE", "VERBAL"),
        _ref("capturedByUserId", "users"),
        _ref("treatmentPlanId", "treatment_plans"),
        _ref("attachmentId", "attachments"),
    ),
)

MEDICAL_HISTORIES = _obj(
    "medical_histories",
    (
        _id("medicalHistoryId"),
        _patient(),
        fld("completedAt", T.DATETIME),
        _ref("reviewedByUserId", "users"),
        fld("reviewedAt", T.DATETIME),
        enum_("source", "PORTAL", "IN_PRACTICE", "PAPER"),
        fld(
            "allergies", T.LIST, item_type=T.OBJECT, description="[{substance, reaction, severity}]"
        ),
        fld("conditions", T.LIST, item_type=T.OBJECT, description="[{name, notes}]"),
        fld("medications", T.LIST, item_type=T.OBJECT, description="[{name, dose, frequency}]"),
        fld("smoker", T.BOOL),
        fld("pregnant", T.BOOL),
        fld("anticoagulants", T.BOOL),
        fld("bisphosphonates", T.BOOL),
        fld("notes"),
    ),
)

MEDICAL_ALERTS = _obj(
    "medical_alerts",
    (
        _id("alertId"),
        _patient(),
        fld("text", required=True),
        enum_("severity", "INFO", "WARNING", "CRITICAL"),
        fld("active", T.BOOL),
        fld("createdAt", T.DATETIME),
        _ref("createdByUserId", "users"),
    ),
)

CLINICAL_NOTES = _obj(
    "clinical_notes",
    (
        _id("noteId"),
        _patient(),
        _ref("appointmentId", "appointments"),
        _ref("userId", "users"),
        fld("createdAt", T.DATETIME),
        enum_("noteType", "EXAMINATION", "TREATMENT", "GENERAL", "PHONE_CALL", "LAB"),
        fld("text", required=True, description="verbatim clinical text; never normalised"),
        fld("locked", T.BOOL, description="signed notes cannot change"),
    ),
)

TOOTH_CHART = _obj(
    "tooth_chart",
    (
        _id("chartEntryId"),
        _patient(),
        fld("recordedAt", T.DATETIME),
        _ref("userId", "users"),
        enum_("notationSource", "FDI", "PALMER"),
        fld("toothRaw", check="tooth", description="as recorded: UR6, 16, LRB"),
        fld("fdiTooth", T.INT, check="fdi_tooth"),
        fld("quadrant", T.INT),
        fld("toothNumber", T.INT),
        enum_("dentition", "PERMANENT", "DECIDUOUS"),
        fld("surfaces", check="surfaces", description="canonical order; empty = whole tooth"),
        enum_("entryKind", "CONDITION", "EXISTING_RESTORATION", "PLANNED", "COMPLETED"),
        fld("code"),
        fld("treatmentPlanItemId", T.INT, description="an itemId inside treatment_plans.items"),
        _ref("treatmentRecordId", "treatments"),
        fld("notes"),
    ),
)

PERIO_READINGS = _obj(
    "perio_readings",
    (
        _id("perioReadingId"),
        _patient(),
        fld("recordedAt", T.DATETIME),
        fld("fdiTooth", T.INT, check="fdi_tooth"),
        enum_("site", "MB", "B", "DB", "ML", "L", "DL"),
        fld("pocketDepthMm", T.INT),
        fld("recessionMm", T.INT),
        fld("bleeding", T.BOOL),
        fld("mobility", T.INT),
        fld("furcation", T.INT),
    ),
)

TREATMENT_PLANS = _obj(
    "treatment_plans",
    (
        _id("treatmentPlanId"),
        _patient(),
        _ref("practiceId", "practices"),
        _ref("userId", "users"),
        fld("name"),
        enum_("status", "PROPOSED", "ACCEPTED", "IN_PROGRESS", "COMPLETED", required=True),
        fld("createdAt", T.DATETIME),
        fld("acceptedAt", T.DATETIME),
        fld("completedAt", T.DATETIME),
        CURRENCY,
        money("totalFee"),
        fld("nhsCourse", T.BOOL),
        enum_("nhsBand", "BAND_1", "BAND_2", "BAND_3", "URGENT"),
        fld(
            "items",
            T.LIST,
            item_type=T.OBJECT,
            description="[{itemId, treatmentCode, description, fdiTooth, surfaces, fee, discount,"
            " netFee, status, appointmentId}]",
        ),
    ),
)

APPOINTMENTS = _obj(
    "appointments",
    (
        _id("appointmentId"),
        _ref("practiceId", "practices", required=True),
        _patient(),
        _ref("userId", "users", required=True),
        _ref("appointmentTypeId", "appointment_types", required=True),
        _ref("appointmentStatusId", "appointment_statuses", required=True),
        fld("statusCode", description="resolved from the status lookup when missing"),
        fld("appointmentTime", T.DATETIME, required=True, check="appointment_time"),
        fld("duration", T.INT, required=True, check="duration"),
        fld("emergency", T.BOOL),
        fld("appointmentNotes"),
        fld("createdViaApi", T.BOOL),
        fld("createdAt", T.DATETIME),
        fld("cancelledAt", T.DATETIME),
        fld("cancellationReason"),
        _ref("treatmentPlanId", "treatment_plans"),
    ),
)

TREATMENTS = _obj(
    "treatments",
    (
        _id("treatmentRecordId"),
        _patient(),
        _ref("practiceId", "practices"),
        _ref("appointmentId", "appointments"),
        fld("treatmentPlanItemId", T.INT),
        _ref("userId", "users"),
        fld("treatmentCode"),
        fld("description"),
        fld("fdiTooth", T.INT, check="fdi_tooth"),
        fld("surfaces", check="surfaces"),
        fld("materials"),
        fld("durationMinutes", T.INT),
        fld("completedAt", T.DATETIME),
        money("fee"),
        money("discount"),
        money("netPrice"),
        CURRENCY,
    ),
)

INVOICES = _obj(
    "invoices",
    (
        _id("invoiceId"),
        fld("invoiceNumber", required=True),
        _patient(),
        _ref("practiceId", "practices"),
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

PAYMENTS = _obj(
    "payments",
    (
        _id("paymentId"),
        _patient(),
        _ref("invoiceId", "invoices"),
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
        _ref("refundOfPaymentId", "payments"),
        fld("receivedAt", T.DATETIME),
    ),
)

ADJUSTMENTS = _obj(
    "adjustments",
    (
        _id("adjustmentId"),
        _patient(),
        _ref("invoiceId", "invoices"),
        money("amount", required=True, description="signed"),
        CURRENCY,
        enum_("reason", "DISCOUNT", "BAD_DEBT", "CORRECTION", "GOODWILL"),
        fld("createdAt", T.DATETIME),
        _ref("userId", "users"),
    ),
)

CARE_PLANS = _obj(
    "care_plans",
    (
        _id("carePlanId"),
        _patient(),
        _ref("practiceId", "practices"),
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

PATIENT_RECALLS = _obj(
    "patient_recalls",
    (
        _id("recallId"),
        _patient(),
        _ref("recallRuleId", "recall_rules"),
        fld("dueDate", T.DATE),
        enum_("status", "DUE", "BOOKED", "OVERDUE", "COMPLETED", "EXEMPT", "CANCELLED"),
        fld("lastReminderAt", T.DATETIME),
        _ref("bookedAppointmentId", "appointments"),
    ),
)

ATTACHMENTS = _obj(
    "attachments",
    (
        _id("attachmentId"),
        _patient(),
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
        _ref("uploadedByUserId", "users"),
        _ref("linkedConsentId", "consents"),
        _ref("linkedAppointmentId", "appointments"),
    ),
)

REMINDER_RULES = _obj(
    "reminder_rules",
    (
        _id("reminderRuleId"),
        _ref("practiceId", "practices"),
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

PAYMENT_INTEGRATIONS = _obj(
    "payment_integrations",
    (
        _id("integrationId"),
        _ref("practiceId", "practices"),
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

AERONACLINIC_SCHEMA = SourceSchema(
    system="aeronaclinic",
    schema_version="1.0",
    default_timezone="Europe/London",
    objects=(
        PRACTICES,
        USERS,
        APPOINTMENT_TYPES,
        APPOINTMENT_STATUSES,
        RECALL_RULES,
        REMINDER_RULES,
        PAYMENT_INTEGRATIONS,
        PATIENTS,
        MEDICAL_HISTORIES,
        MEDICAL_ALERTS,
        CONSENTS,
        TREATMENT_PLANS,
        APPOINTMENTS,
        TREATMENTS,
        CLINICAL_NOTES,
        TOOTH_CHART,
        PERIO_READINGS,
        INVOICES,
        PAYMENTS,
        ADJUSTMENTS,
        CARE_PLANS,
        PATIENT_RECALLS,
        ATTACHMENTS,
    ),
)
