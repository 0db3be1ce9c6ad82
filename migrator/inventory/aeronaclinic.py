"""AeronaClinic's recall and reminder rules as Twenty Workflow blueprints, and its payment links.

The guide: recall sequences and appointment reminders "have no direct equivalent in Twenty ...
must be rebuilt in Twenty Workflows", and the rule definitions are exported "as a structured JSON
reference document"; GoCardless and Stripe "must be rebuilt using a third-party integration".
Each rule becomes an :class:`InventoryItem` whose ``workflow`` is that JSON: the trigger, the
filters on the migrated fields (named as the spec names them), and the steps per channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import JsonValue

from migrator.inventory.model import InventoryItem, Recommendation
from migrator.sources.records import SourceRecord, jsonable
from migrator.spec.models import MigrationSpec, ValueSpec, as_value_spec
from migrator.spec.naming import to_camel_case

CHANNEL_STEPS: dict[str, dict[str, JsonValue]] = {
    "EMAIL": {"type": "SEND_EMAIL", "label": "Send Email from the practice mailbox"},
    "SMS": {"type": "HTTP_REQUEST", "label": "HTTP Request to the SMS gateway (Twenty has no SMS)"},
    "LETTER": {"type": "CREATE_RECORD", "label": "Create Record: task for reception to post"},
}


PROVIDERS = {
    "GOCARDLESS": "GoCardless",
    "STRIPE": "Stripe",
    "PAYPAL": "PayPal",
    "DOJO": "Dojo",
    "WORLDPAY": "Worldpay",
}


class Lookups:
    """Names the blueprints use instead of ids: practices, appointment types, spec fields."""

    def __init__(self, spec: MigrationSpec, practices: dict[str, str], types: dict[str, str]):
        self.practices = practices
        self.types = types
        self.appointment_object = "opportunity"
        self.type_field = "appointmentType"
        self.status_field = "appointmentStatus"
        self.kind_filter = ""
        for mapping in spec.objects.values():
            if mapping.from_ != "appointments":
                continue
            self.appointment_object = mapping.to
            if mapping.discriminator is not None:
                d = mapping.discriminator
                self.kind_filter = f"{d.field} = {d.value}"
            for name, raw in mapping.fields.items():
                value = as_value_spec(raw) if not isinstance(raw, dict) else None
                looked = value.lookup if isinstance(value, ValueSpec) else None
                if looked is not None and looked.from_ == "appointment_types":
                    self.type_field = name
                if looked is not None and looked.from_ == "appointment_statuses":
                    self.status_field = name

    def practice(self, ident: Any) -> str:
        """The practice's name (or its id when unknown)."""
        return self.practices.get(str(ident), f"practice {ident}")

    def appointment_type(self, ident: Any) -> str:
        """The appointment type's name (or its id when unknown)."""
        return self.types.get(str(ident), f"type {ident}")

    def appointment_filters(self, type_names: list[str], status: str) -> list[JsonValue]:
        """Filters selecting appointments of these types in this status."""
        found: list[JsonValue] = [self.kind_filter] if self.kind_filter else []
        found.append(f"{self.type_field} in [{', '.join(type_names)}]")
        found.append(f"{self.status_field} = {status}")
        return found


@dataclass(frozen=True)
class Recall:
    """One recall rule's parts, names resolved."""

    name: str
    months: JsonValue
    offsets: list[int]
    channels: list[str]
    type_name: str
    due_field: str
    obj: str


def _recall_workflow(rule: Recall, lookups: Lookups) -> dict[str, JsonValue]:
    """The blueprint: a DATE field, a workflow setting it, a daily reminder workflow."""
    reminders: list[JsonValue] = [
        {
            "offsetDays": offset,
            "find": f"person where {rule.due_field} = today {'+' if offset <= 0 else '-'} "
            f"{abs(offset)} days and recallExempt is not true",
            "steps": [CHANNEL_STEPS.get(c, {"type": "CODE", "label": c}) for c in rule.channels],
        }
        for offset in rule.offsets
    ]
    set_due: dict[str, JsonValue] = {
        "type": "UPDATE_RECORD",
        "object": "person",
        "record": "the appointment's pointOfContact",
        "set": {rule.due_field: f"closeDate + {rule.months} months"},
    }
    return {
        "field": {
            "object": "person",
            "name": rule.due_field,
            "type": "DATE",
            "label": f"Recall due: {rule.name}",
        },
        "workflows": [
            {
                "name": f"Set recall due: {rule.name}",
                "trigger": {"type": "DATABASE_EVENT", "event": f"{rule.obj}.updated"},
                "filters": lookups.appointment_filters([rule.type_name], "COMPLETED"),
                "steps": [set_due],
            },
            {
                "name": f"Recall reminders: {rule.name}",
                "trigger": {"type": "CRON", "schedule": "0 9 * * *"},
                "reminders": reminders,
            },
        ],
    }


def _recall_recommendation(rule: Recall) -> Recommendation:
    return Recommendation(
        feature="Workflow",
        summary=f"Two workflows: set {rule.due_field} when a {rule.type_name} appointment "
        f"completes; remind on days {rule.offsets} around it by {', '.join(rule.channels)}",
        steps=(
            f"Settings → Data model → person: add a DATE field {rule.due_field}",
            f"Workflow 1: Record is updated on {rule.obj}, filter {rule.type_name} COMPLETED; "
            f"Update Record person.{rule.due_field} = closeDate + {rule.months} months",
            "Workflow 2: On a schedule (daily); for each offset, Search Records person by "
            f"{rule.due_field}; then one step per channel",
            "Patients' current recall dates are not migrated: set them once from "
            "AeronaClinic's recall list, or let the first completed appointment set them",
        ),
    )


def recall_rule(
    record: SourceRecord, lookups: Lookups, due_counts: dict[str, int]
) -> InventoryItem:
    """A recall rule: a due date set when the appointment completes, then timed reminders."""
    f = record.fields
    name = str(f.get("name") or record.id)
    rule = Recall(
        name=name,
        months=jsonable(f.get("intervalMonths")),
        offsets=[o for o in (f.get("reminderOffsetsDays") or []) if isinstance(o, int)],
        channels=[str(c) for c in (f.get("channels") or [])],
        type_name=lookups.appointment_type(f.get("appointmentTypeId")),
        due_field=to_camel_case(f"recall due {name}") or "recallDue",
        obj=lookups.appointment_object,
    )
    definition: dict[str, JsonValue] = {
        "practice": lookups.practice(f.get("practiceId")),
        "appointmentType": rule.type_name,
        "intervalMonths": rule.months,
        "reminderOffsetsDays": list(rule.offsets),
        "channels": list(rule.channels),
        "patientRecalls": dict(due_counts),
    }
    return InventoryItem(
        kind="recall_rule",
        source_key=record.key,
        name=f"{name} ({lookups.practice(f.get('practiceId'))})",
        active=f.get("active") if isinstance(f.get("active"), bool) else None,
        definition=definition,
        recommendation=_recall_recommendation(rule),
        workflow=_recall_workflow(rule, lookups),
    )


def reminder_rule(record: SourceRecord, lookups: Lookups) -> InventoryItem:
    """An appointment reminder: an hourly schedule finding appointments due in the window."""
    f = record.fields
    name = str(f.get("name") or record.id)
    raw_hours = f.get("offsetHours")
    hours: int = raw_hours if isinstance(raw_hours, int) else 0
    channel = str(f.get("channel") or "")
    types = [lookups.appointment_type(t) for t in (f.get("appointmentTypeIds") or [])]
    obj = lookups.appointment_object
    window = f"closeDate between now + {abs(hours)} h and now + {abs(hours) + 1} h"
    workflow: dict[str, JsonValue] = {
        "trigger": {"type": "CRON", "schedule": "0 * * * *"},
        "find": {"object": obj, "filters": [*lookups.appointment_filters(types, "BOOKED"), window]},
        "steps": [CHANNEL_STEPS.get(channel, {"type": "CODE", "label": channel})],
        "template": jsonable(f.get("template")),
    }
    return InventoryItem(
        kind="reminder_rule",
        source_key=record.key,
        name=f"{name} ({lookups.practice(f.get('practiceId'))})",
        active=f.get("active") if isinstance(f.get("active"), bool) else None,
        definition={
            "practice": lookups.practice(f.get("practiceId")),
            "channel": channel,
            "offsetHours": hours,
            "appointmentTypes": list(types),
            "template": jsonable(f.get("template")),
        },
        recommendation=Recommendation(
            feature="Workflow",
            summary=f"Hourly workflow: {channel} to patients with a booked appointment "
            f"{abs(hours)} h ahead",
            steps=(
                "Settings → Workflows → New workflow; trigger On a schedule (hourly)",
                f"Search Records {obj}: {window}, types {', '.join(types)}, status BOOKED",
                f"For each: {_channel_label(channel)} to the "
                "pointOfContact, with the template's placeholders from the person and the "
                "appointment",
            ),
        ),
        workflow=workflow,
    )


def _channel_label(channel: str) -> str:
    step = CHANNEL_STEPS.get(channel)
    return str(step["label"]) if step else channel


def _masked(reference: Any) -> str | None:
    text = str(reference or "")
    return f"…{text[-4:]}" if len(text) > 4 else None


def payment_integration(record: SourceRecord, lookups: Lookups) -> InventoryItem:
    """A payment gateway connection: rebuilt outside Twenty; events posted back by webhook."""
    f = record.fields
    code = str(f.get("provider") or "")
    provider = PROVIDERS.get(code, code.title())
    features = [str(x) for x in (f.get("features") or [])]
    steps = [
        f"Connect {provider} to the practice's new stack outside Twenty (Twenty has no "
        "payment gateway)",
        "Workflow: trigger Webhook (the gateway's payment events, through a small relay); "
        "Search Records opportunity by invoiceNumber; Update Record paymentStatus and amountPaid",
    ]
    if "MANDATES" in features or "CARE_PLANS" in features:
        steps.append(
            "Direct-debit mandates stay with the provider; care-plan instalment schedules are "
            "listed in the hand-off report for manual sign-off before they are recreated"
        )
    return InventoryItem(
        kind="payment_integration",
        source_key=record.key,
        name=f"{provider} – {lookups.practice(f.get('practiceId'))}",
        active=f.get("status") == "CONNECTED",
        definition={
            "provider": code,
            "practice": lookups.practice(f.get("practiceId")),
            "status": jsonable(f.get("status")),
            "features": list(features),
            "connectedAt": jsonable(f.get("connectedAt")),
            "accountReference": _masked(f.get("accountReference")),
        },
        recommendation=Recommendation(
            feature="External integration",
            summary=f"Rebuild {provider} ({', '.join(features)}) outside Twenty; the "
            "payment history is already on the invoice opportunities",
            steps=tuple(steps),
        ),
        workflow={
            "trigger": {"type": "WEBHOOK"},
            "steps": [
                {"type": "FIND_RECORDS", "object": "opportunity", "filter": "invoiceNumber"},
                {"type": "UPDATE_RECORD", "set": ["paymentStatus", "amountPaid"]},
            ],
        },
    )
