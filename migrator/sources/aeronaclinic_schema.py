"""The AeronaClinic export bundle schema (sources.md §6, PROPOSED there, extended for #7).

Every object §6.2 lists, plus ``care_plans`` with their instalment schedules and the rebuild
inventory inputs ``reminder_rules`` and ``payment_integrations``. Ids are integers of at most 11
digits; cross references use the ``…Id`` suffix. Every clinical object is ``clinical`` (all its
fields sensitive); practices, staff and lookups are not (DESIGN.md "Security and privacy").
"""

from __future__ import annotations

from migrator.sources.aeronaclinic_fields import (
    CURRENCY,
    aerona_object,
    int_id,
    int_ref,
    patient_ref,
)
from migrator.sources.aeronaclinic_money_schema import (
    ADJUSTMENTS,
    ATTACHMENTS,
    CARE_PLANS,
    INVOICES,
    PATIENT_RECALLS,
    PAYMENT_INTEGRATIONS,
    PAYMENTS,
    REMINDER_RULES,
)
from migrator.sources.schema_builders import T, enum_, fld, money, refs, subs
from migrator.sources.schema_types import Sensitivity, SourceSchema

PRACTICES = aerona_object(
    "practices",
    (
        int_id("practiceId"),
        int_ref("parentPracticeId", "practices"),
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

USERS = aerona_object(
    "users",
    (
        int_id("userId"),
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

APPOINTMENT_TYPES = aerona_object(
    "appointment_types",
    (
        int_id("appointmentTypeId"),
        fld("name", required=True),
        fld("defaultDuration", T.INT),
        fld("colour"),
        fld("active", T.BOOL),
    ),
    Sensitivity.CONFIGURATION,
)

APPOINTMENT_STATUSES = aerona_object(
    "appointment_statuses",
    (int_id("appointmentStatusId"), fld("code", required=True), fld("label")),
    Sensitivity.CONFIGURATION,
    description="id -> code lookup; ids differ per deployment, the tool maps by code",
)

RECALL_RULES = aerona_object(
    "recall_rules",
    (
        int_id("recallRuleId"),
        int_ref("practiceId", "practices"),
        fld("name", required=True),
        int_ref("appointmentTypeId", "appointment_types"),
        fld("intervalMonths", T.INT),
        fld("reminderOffsetsDays", T.LIST, item_type=T.INT),
        fld("channels", T.LIST, item_type=T.STRING),
        fld("active", T.BOOL),
    ),
    Sensitivity.CONFIGURATION,
    description="recall automation: written to the rebuild inventory and kept as a lookup",
)

PATIENTS = aerona_object(
    "patients",
    (
        int_id("patientId"),
        int_ref("practiceId", "practices", required=True),
        int_ref("preferredClinicianUserId", "users"),
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
        int_ref("mergedIntoPatientId", "patients"),
        fld("createdAt", T.DATETIME),
        fld("updatedAt", T.DATETIME),
    ),
)

CONSENTS = aerona_object(
    "consents",
    (
        int_id("consentId"),
        patient_ref(),
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
        int_ref("capturedByUserId", "users"),
        int_ref("treatmentPlanId", "treatment_plans"),
        int_ref("attachmentId", "attachments"),
    ),
)

MEDICAL_HISTORIES = aerona_object(
    "medical_histories",
    (
        int_id("medicalHistoryId"),
        patient_ref(),
        fld("completedAt", T.DATETIME),
        int_ref("reviewedByUserId", "users"),
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

MEDICAL_ALERTS = aerona_object(
    "medical_alerts",
    (
        int_id("alertId"),
        patient_ref(),
        fld("text", required=True),
        enum_("severity", "INFO", "WARNING", "CRITICAL"),
        fld("active", T.BOOL),
        fld("createdAt", T.DATETIME),
        int_ref("createdByUserId", "users"),
    ),
)

CLINICAL_NOTES = aerona_object(
    "clinical_notes",
    (
        int_id("noteId"),
        patient_ref(),
        int_ref("appointmentId", "appointments"),
        int_ref("userId", "users"),
        fld("createdAt", T.DATETIME),
        enum_("noteType", "EXAMINATION", "TREATMENT", "GENERAL", "PHONE_CALL", "LAB"),
        fld("text", required=True, description="verbatim clinical text; never normalised"),
        fld("locked", T.BOOL, description="signed notes cannot change"),
    ),
)

TOOTH_CHART = aerona_object(
    "tooth_chart",
    (
        int_id("chartEntryId"),
        patient_ref(),
        fld("recordedAt", T.DATETIME),
        int_ref("userId", "users"),
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
        int_ref("treatmentRecordId", "treatments"),
        fld("notes"),
    ),
)

PERIO_READINGS = aerona_object(
    "perio_readings",
    (
        int_id("perioReadingId"),
        patient_ref(),
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

TREATMENT_PLANS = aerona_object(
    "treatment_plans",
    (
        int_id("treatmentPlanId"),
        patient_ref(),
        int_ref("practiceId", "practices"),
        int_ref("userId", "users"),
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

APPOINTMENTS = aerona_object(
    "appointments",
    (
        int_id("appointmentId"),
        int_ref("practiceId", "practices", required=True),
        patient_ref(),
        int_ref("userId", "users", required=True),
        int_ref("appointmentTypeId", "appointment_types", required=True),
        int_ref("appointmentStatusId", "appointment_statuses", required=True),
        fld("statusCode", description="resolved from the status lookup when missing"),
        fld("appointmentTime", T.DATETIME, required=True, check="appointment_time"),
        fld("duration", T.INT, required=True, check="duration"),
        fld("emergency", T.BOOL),
        fld("appointmentNotes"),
        fld("createdViaApi", T.BOOL),
        fld("createdAt", T.DATETIME),
        fld("cancelledAt", T.DATETIME),
        fld("cancellationReason"),
        int_ref("treatmentPlanId", "treatment_plans"),
    ),
)

TREATMENTS = aerona_object(
    "treatments",
    (
        int_id("treatmentRecordId"),
        patient_ref(),
        int_ref("practiceId", "practices"),
        int_ref("appointmentId", "appointments"),
        fld("treatmentPlanItemId", T.INT),
        int_ref("userId", "users"),
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
