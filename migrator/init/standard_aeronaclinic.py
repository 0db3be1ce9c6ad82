"""The AeronaClinic standard map: the guide's object rows (seeds/003, "Object mapping") as data.

Practice → Company (a parent-practice self relation), Patient → Person (consents, the latest
medical history and the active alerts folded in as custom fields), Appointment, Treatment Plan
and Invoice → Opportunity (told apart by a record-kind SELECT; payments and adjustments folded
into their invoice), Treatment Record and tooth chart → custom objects, clinical notes → Notes,
attachments → Twenty attachments, clinicians → owners by email. Recall and reminder rules and
payment integrations go to the rebuild inventory; care plans wait for manual sign-off.
"""

from __future__ import annotations

from typing import Any

from migrator.init.standard import CustomField, StandardMap, SystemMap
from migrator.sources.aeronaclinic_schema import CONSENTS
from migrator.spec.naming import to_camel_case

_PATIENT = {"ref": "patients", "by": "patientId"}
_PRACTICE = {"ref": "practices", "by": "practiceId"}
_ADDRESS = {
    "addressStreet1": "address1",
    "addressStreet2": "address2",
    "addressCity": "town",
    "addressState": "county",
    "addressPostcode": "postcode",
    "addressCountry": "country",
}
_ADDRESS_FIELDS = frozenset(_ADDRESS.values())
_STATUS_OPTIONS = (
    {"value": "GIVEN", "label": "Given", "color": "green"},
    {"value": "REFUSED", "label": "Refused", "color": "red"},
    {"value": "WITHDRAWN", "label": "Withdrawn", "color": "orange"},
)


def _latest(source: str, value: str, order_by: str, **where: Any) -> dict[str, Any]:
    aggregate: dict[str, Any] = {
        "from": source,
        "by": "patientId",
        "pick": "latest",
        "order_by": order_by,
        "value": value,
    }
    if where:
        aggregate["where"] = where
    return {"aggregate": aggregate}


def _consent_fields() -> tuple[CustomField, ...]:
    kinds = CONSENTS.field("consentType")
    fields: list[CustomField] = []
    for code in kinds.values if kinds else ():
        name = to_camel_case(f"consent {code}")
        label = code.replace("_", " ").lower()
        fields.append(
            CustomField(
                name=name,
                schema={
                    "type": "SELECT",
                    "label": f"Consent — {label}",
                    "options": list(_STATUS_OPTIONS),
                },
                value=_latest("consents", "status", "givenAt", consentType=code),
                comment=f"Guide row 2: the latest {label} consent's status",
            )
        )
        fields.append(
            CustomField(
                name=f"{name}At",
                schema={"type": "DATE_TIME", "label": f"Consent — {label}: given at"},
                value=_latest("consents", "givenAt", "givenAt", consentType=code),
                comment="… and when it was given",
            )
        )
    return tuple(fields)


def _history_fields() -> tuple[CustomField, ...]:
    texts = {
        "allergies": "{substance} ({reaction}, {severity})",
        "conditions": "{name}: {notes}",
        "medications": "{name} {dose} {frequency}",
    }
    fields = [
        CustomField(
            name="medicalHistoryAt",
            schema={"type": "DATE_TIME", "label": "Medical history completed at"},
            value=_latest("medical_histories", "completedAt", "completedAt"),
            comment="Guide row 3: structured history from the latest questionnaire",
        )
    ]
    for name, line in texts.items():
        value = _latest("medical_histories", name, "completedAt")
        value["transforms"] = [{"format": line}, {"join": "; "}]
        fields.append(
            CustomField(
                name=to_camel_case(f"medical {name}"),
                schema={"type": "TEXT", "label": f"Medical {name}"},
                value=value,
                comment="",
            )
        )
    for flag in ("smoker", "pregnant", "anticoagulants", "bisphosphonates"):
        fields.append(
            CustomField(
                name=flag,
                schema={"type": "BOOLEAN", "label": flag.title()},
                value=_latest("medical_histories", flag, "completedAt"),
                comment="",
            )
        )
    fields.append(_alerts_field())
    return tuple(fields)


def _alerts_field() -> CustomField:
    alerts: dict[str, Any] = {
        "aggregate": {
            "from": "medical_alerts",
            "by": "patientId",
            "where": {"active": True},
            "pick": "all",
            "order_by": "createdAt",
        },
        "transforms": [{"format": "[{severity}] {text}"}, {"join": "\n"}],
    }
    return CustomField(
        name="medicalAlerts",
        schema={"type": "TEXT", "label": "Medical alerts"},
        value=alerts,
        comment="Every active medical alert",
    )


def _history_on_invoice(
    source: str, order_by: str, line: str, name: str, label: str
) -> CustomField:
    value = {
        "aggregate": {"from": source, "by": "invoiceId", "pick": "all", "order_by": order_by},
        "transforms": [{"format": line}, {"join": "\n"}],
    }
    return CustomField(
        name=name,
        schema={"type": "TEXT", "label": label},
        value=value,
        comment=f"Guide row 7: the invoice's {source}, one per line",
    )


PRACTICES = StandardMap(
    source="practices",
    mapping="practices",
    target="company",
    comment="Guide row 4: Clinic / Practice → Company; the hierarchy as a self relation",
    fields={"name": "name", "address": dict(_ADDRESS)},
    consumed=frozenset({"name", *_ADDRESS_FIELDS}),
    ignored={"practicePin": "a credential: never migrated"},
)

PATIENTS = StandardMap(
    source="patients",
    mapping="patients",
    target="person",
    comment="Guide rows 1-3: Patient → Person, with consents and medical history folded in",
    fields={
        "name": {"firstName": "forename", "lastName": "surname"},
        "emails": {"from": "email", "transforms": ["emails"]},
        "phones": {"from": "mobilePhone", "transforms": [{"phone": "GB"}]},
        "company": dict(_PRACTICE),
        "createdAt": "createdAt",
        "updatedAt": "updatedAt",
    },
    consumed=frozenset(
        {
            "forename",
            "surname",
            "email",
            "mobilePhone",
            "practiceId",
            "createdAt",
            "updatedAt",
            *_ADDRESS_FIELDS,
        }
    ),
    custom=(
        CustomField(
            name="homeAddress",
            schema={"type": "ADDRESS", "label": "Address"},
            value=dict(_ADDRESS),
            comment="Person has no address field: a custom ADDRESS",
        ),
        *_consent_fields(),
        *_history_fields(),
    ),
    match=("emails",),
    on_source_delete="flag",
)

_OPPORTUNITY_BASE = {
    "pointOfContact": dict(_PATIENT),
    "company": dict(_PRACTICE),
}

APPOINTMENTS = StandardMap(
    source="appointments",
    mapping="appointments",
    target="opportunity",
    comment="Guide row 5: Appointment → Opportunity; the date into closeDate, the clinical "
    "status into its own SELECT",
    fields={
        "name": {
            "lookup": {"from": "appointment_types", "by": "appointmentTypeId", "value": "name"}
        },
        "closeDate": "appointmentTime",
        "stage": {"const": "MEETING"},
        **_OPPORTUNITY_BASE,
        "owner": {"owner": "userId"},
        "createdAt": "createdAt",
    },
    consumed=frozenset(
        {"appointmentTime", "patientId", "practiceId", "userId", "createdAt", "statusCode"}
    ),
    discriminator=("aeronaRecordKind", "APPOINTMENT"),
)

TREATMENT_PLANS = StandardMap(
    source="treatment_plans",
    mapping="treatment_plans",
    target="opportunity",
    comment="Guide row 6: Treatment Plan → Opportunity; its status into the stage",
    fields={
        "name": "name",
        "stage": {
            "from": "status",
            "map": {
                "PROPOSED": "PROPOSAL",
                "ACCEPTED": "CUSTOMER",
                "IN_PROGRESS": "IN_PROGRESS",
                "COMPLETED": "COMPLETED",
            },
            "default": "error",
        },
        "amount": {
            "amountMicros": {"from": "totalFee", "transforms": ["micros"]},
            "currencyCode": "currency",
        },
        "closeDate": "completedAt",
        **_OPPORTUNITY_BASE,
        "owner": {"owner": "userId"},
        "createdAt": "createdAt",
    },
    consumed=frozenset(
        {
            "name",
            "status",
            "totalFee",
            "currency",
            "completedAt",
            "patientId",
            "practiceId",
            "userId",
            "createdAt",
        }
    ),
    discriminator=("aeronaRecordKind", "TREATMENT_PLAN"),
    add_options={
        "stage": (
            {"value": "IN_PROGRESS", "label": "In treatment", "color": "sky"},
            {"value": "COMPLETED", "label": "Completed", "color": "green"},
        )
    },
)

INVOICES = StandardMap(
    source="invoices",
    mapping="invoices",
    target="opportunity",
    comment="Guide row 7: Invoice → Opportunity; amount holds the outstanding balance",
    fields={
        "name": {"template": "Invoice {invoiceNumber}"},
        "stage": {"const": "CUSTOMER"},
        "amount": {
            "amountMicros": {"from": "balance", "transforms": ["micros"]},
            "currencyCode": "currency",
        },
        "closeDate": "issuedAt",
        **_OPPORTUNITY_BASE,
    },
    consumed=frozenset({"balance", "currency", "issuedAt", "patientId", "practiceId"}),
    custom=(
        _history_on_invoice(
            "payments",
            "receivedAt",
            "{receivedAt} {method} {amount} {currency} {status}",
            "paymentHistory",
            "Payment history",
        ),
        _history_on_invoice(
            "adjustments",
            "createdAt",
            "{createdAt} {reason} {amount} {currency}",
            "invoiceAdjustments",
            "Adjustments",
        ),
    ),
    discriminator=("aeronaRecordKind", "INVOICE"),
)

TREATMENTS = StandardMap(
    source="treatments",
    mapping="treatment_records",
    target="treatmentRecord",
    comment="Guide row 8: Treatment Record → a custom object linked to patient and appointment",
    create={
        "name_plural": "treatmentRecords",
        "label_singular": "Treatment record",
        "label_plural": "Treatment records",
    },
    fields={"name": {"template": "{treatmentCode}: {description}"}, "createdAt": "completedAt"},
)

CHART = StandardMap(
    source="tooth_chart",
    mapping="chart_entries",
    target="toothChartEntry",
    comment="Guide row 3: tooth charting stays structured, in a custom object",
    create={
        "name_plural": "toothChartEntries",
        "label_singular": "Tooth chart entry",
        "label_plural": "Tooth chart entries",
    },
    fields={"name": {"template": "{toothRaw} {surfaces} {code}"}, "createdAt": "recordedAt"},
)

CLINICAL_NOTES = StandardMap(
    source="clinical_notes",
    mapping="clinical_notes",
    target="note",
    comment="Guide row 3: free-text clinical notes as Notes on the patient",
    fields={"title": {"template": "{noteType} note"}, "bodyV2": "text", "createdAt": "createdAt"},
    targets=(dict(_PATIENT), {"ref": "appointments", "by": "appointmentId"}),
    on_source_delete="delete",
    guess_rest=False,
)

ATTACHMENTS = StandardMap(
    source="attachments",
    mapping="documents",
    target="attachment",
    comment="Guide row 10: documents uploaded onto the patient (and the appointment)",
    fields={
        "name": "fileName",
        "file": {"file": "relativePath"},
        "targetPerson": dict(_PATIENT),
        "targetOpportunity": {"ref": "appointments", "by": "linkedAppointmentId"},
        "createdAt": "createdAt",
    },
    guess_rest=False,
)

AERONACLINIC_MAP = SystemMap(
    system="aeronaclinic",
    name="aeronaclinic-to-twenty",
    timezone="Europe/London",
    currency="GBP",
    created_by="AeronaClinic import",
    prefix="",
    region="GB",
    owners={"from": "users", "email": "email", "fallback": "hold"},
    objects=(
        PRACTICES,
        PATIENTS,
        TREATMENT_PLANS,
        APPOINTMENTS,
        INVOICES,
        TREATMENTS,
        CHART,
        CLINICAL_NOTES,
        ATTACHMENTS,
    ),
    skip={
        "appointment_types": {"reason": "A lookup: appointments read their names"},
        "appointment_statuses": {"reason": "A lookup: appointments read their codes"},
        "consents": {"reason": "Folded into the patient's consent fields (guide row 2)"},
        "medical_histories": {"reason": "The latest one is folded into the patient (guide row 3)"},
        "medical_alerts": {"reason": "Active alerts are folded into the patient (guide row 3)"},
        "payments": {"reason": "Folded into their invoice's payment history (guide row 7)"},
        "adjustments": {"reason": "Folded into their invoice (guide row 7)"},
        "perio_readings": {"reason": "No guide row and no useful CRM shape; kept in AeronaClinic"},
        "care_plans": {"reason": "Instalment schedules need manual sign-off (guide gotcha)"},
        "patient_recalls": {
            "reason": "Produced by the recall automation (migrator inventory)",
            "inventory": True,
        },
        "recall_rules": {
            "reason": "Rebuilt in Twenty Workflows (migrator inventory)",
            "inventory": True,
        },
        "reminder_rules": {
            "reason": "Rebuilt in Twenty Workflows (migrator inventory)",
            "inventory": True,
        },
        "payment_integrations": {
            "reason": "Rebuilt outside Twenty (migrator inventory)",
            "inventory": True,
        },
    },
    discriminator_field={
        "name": "aeronaRecordKind",
        "schema": {
            "type": "SELECT",
            "label": "AeronaClinic record",
            "options": [
                {"value": "APPOINTMENT", "label": "Appointment"},
                {"value": "TREATMENT_PLAN", "label": "Treatment plan"},
                {"value": "INVOICE", "label": "Invoice"},
            ],
        },
    },
)
