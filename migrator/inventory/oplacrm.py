"""OplaCRM's automations, sequences and gamification, each with its Twenty equivalent.

The guide: "We do not migrate OplaCRM automations or sequences as code; we deliver a written
inventory of every active rule ... with a recommended Twenty equivalent for each", and
gamification "do[es] not migrate because [it is] behavioral state". Automations become Twenty
Workflows (a record trigger, or a daily schedule for time-based events such as "overdue");
sequences have no native equivalent (the guide's gotcha) and are approximated by a scheduled
workflow or kept in an external tool; streaks, leaderboards and goals become dashboards and
grouped views over the migrated records.
"""

from __future__ import annotations

from typing import Any

from pydantic import JsonValue

from migrator.inventory.model import InventoryItem, Recommendation
from migrator.sources.records import SourceRecord, jsonable
from migrator.spec.models import MigrationSpec, as_value_spec

#: OplaCRM ``object_type`` → the source object whose mapping gives the Twenty object.
OBJECT_SOURCES = {
    "ACCOUNT": "accounts",
    "CONTACT": "contacts",
    "LEAD": "leads",
    "OPPORTUNITY": "opportunities",
    "ACTIVITY": "activities",
    "INVOICE": "invoices",
}
#: Events that happen to a record (a record trigger) rather than with time (a schedule).
RECORD_EVENTS = {
    "created": ("Record is created", "DATABASE_EVENT", "created"),
    "updated": ("Record is updated", "DATABASE_EVENT", "updated"),
    "stage_changed": ("Record is updated", "DATABASE_EVENT", "updated"),
    "deleted": ("Record is deleted", "DATABASE_EVENT", "deleted"),
}
#: OplaCRM action types → Twenty workflow actions.
ACTIONS = {
    "send_email": ("SEND_EMAIL", "Send Email (from a connected mailbox)"),
    "create_task": ("CREATE_RECORD", "Create Record: task"),
    "assign_owner": ("UPDATE_RECORD", "Update Record: owner"),
    "update_field": ("UPDATE_RECORD", "Update Record"),
    "notify": ("SEND_EMAIL", "Send Email to the owner"),
    "webhook": ("HTTP_REQUEST", "HTTP Request"),
}
#: Gamification metrics → what they are computed from in Twenty after the migration.
METRICS = {
    "revenue": ("opportunity", "sum of amount", "stage = CUSTOMER, by closeDate"),
    "deals_won": ("opportunity", "count", "stage = CUSTOMER, by closeDate"),
    "calls": ("task", "count", "oplaActivityType = CALL, by createdAt"),
    "calls_per_day": ("task", "count per day", "oplaActivityType = CALL, by createdAt"),
}


#: The definition fields shown for each kind of gamification setting.
GAMIFICATION_FIELDS = {
    "streak": ("metric", "period", "current_length", "best_length", "owner_id"),
    "leaderboard": ("metric", "period", "participant_ids", "rules"),
    "goal": ("metric", "target", "achieved", "period_start", "period_end", "status", "owner_id"),
}


def twenty_object(spec: MigrationSpec, object_type: str) -> str | None:
    """The Twenty object the spec writes OplaCRM's ``object_type`` records to, if any."""
    source = OBJECT_SOURCES.get(object_type)
    for mapping in spec.objects.values():
        if mapping.from_ == source:
            return mapping.to
    return None


def _definition(record: SourceRecord, *names: str) -> dict[str, JsonValue]:
    found: dict[str, Any] = {n: jsonable(record.fields.get(n)) for n in names}
    return {k: v for k, v in found.items() if v is not None}


def twenty_field(spec: MigrationSpec, object_type: str, path: str) -> str:
    """The Twenty field the spec writes OplaCRM's ``path`` of ``object_type`` into (``area`` →
    ``oplaArea``), or the path marked as unmapped."""
    source = OBJECT_SOURCES.get(object_type)
    for mapping in spec.objects.values():
        if mapping.from_ != source:
            continue
        for name, raw in mapping.fields.items():
            if not isinstance(raw, dict) and as_value_spec(raw).from_ == path:
                return name
    return f"{path} (not migrated)"


def _conditions(spec: MigrationSpec, object_type: str, conditions: Any) -> list[str]:
    if not isinstance(conditions, list):
        return []
    return [
        f"{twenty_field(spec, object_type, str(c.get('field')))} {c.get('op', 'eq')} "
        f"{c.get('value')}"
        for c in conditions
        if isinstance(c, dict)
    ]


Steps = list[tuple[str, str]]
Rebuild = tuple[Recommendation, dict[str, JsonValue] | None]


def _record_trigger(target: str, event: str, conditions: list[str], steps: Steps) -> Rebuild:
    """A workflow triggered by the record event itself."""
    label, kind, when = RECORD_EVENTS[event]
    filters = [*conditions, *(["stage changed"] if event == "stage_changed" else [])]
    workflow: dict[str, JsonValue] = {
        "trigger": {"type": kind, "event": f"{target}.{when}"},
        "filters": list(filters),
        "steps": [{"type": t, "label": lab} for t, lab in steps],
    }
    recommendation = Recommendation(
        feature="Workflow",
        summary=f"Workflow on {target}: trigger '{label}', then "
        + ", ".join(lab for _, lab in steps),
        steps=(
            "Settings → Workflows → New workflow",
            f"Trigger: {label} on {target}",
            *(f"Filter: {c}" for c in filters),
            *(f"Action: {lab}" for _, lab in steps),
            "Activate it after the migration's cutover (not before: imports would fire it)",
        ),
    )
    return recommendation, workflow


def _scheduled(target: str, event: str, conditions: list[str], steps: Steps) -> Rebuild:
    """A daily workflow finding the records a time-based event (``overdue``) applies to."""
    actions: list[JsonValue] = [{"type": t, "label": lab} for t, lab in steps]
    workflow: dict[str, JsonValue] = {
        "trigger": {"type": "CRON", "schedule": "0 7 * * *"},
        "filters": [f"{target} where {event}", *conditions],
        "steps": [
            {"type": "FIND_RECORDS", "label": f"Search Records: {target} ({event})"},
            {"type": "ITERATOR", "label": "For each record"},
            *actions,
        ],
    }
    recommendation = Recommendation(
        feature="Workflow",
        summary=f"Scheduled workflow: each morning find {target} records that are {event}",
        steps=(
            "Settings → Workflows → New workflow",
            "Trigger: On a schedule (daily)",
            f"Action: Search Records on {target} where the record is {event}",
            *(f"Filter: {c}" for c in conditions),
            *(f"Action (for each): {lab}" for _, lab in steps),
        ),
    )
    return recommendation, workflow


def automation(spec: MigrationSpec, record: SourceRecord) -> InventoryItem:
    """One automation and the workflow that replaces it."""
    f = record.fields
    object_type = str(f.get("object_type") or "")
    target = twenty_object(spec, object_type)
    event = str(f.get("trigger_event") or "")
    conditions = _conditions(spec, object_type, f.get("conditions"))
    actions = [a for a in (f.get("actions") or []) if isinstance(a, dict)]
    steps = [
        ACTIONS.get(str(a.get("type")), ("CODE", f"Code step ({a.get('type')})")) for a in actions
    ]
    rebuild: Rebuild
    if target is None:
        summary = f"{object_type} records are not migrated; rebuild only if they are recreated"
        rebuild = Recommendation(feature="Not rebuilt", summary=summary), None
    elif event in RECORD_EVENTS:
        rebuild = _record_trigger(target, event, conditions, steps)
    else:
        rebuild = _scheduled(target, event, conditions, steps)
    fields = ("object_type", "trigger_event", "conditions", "actions", "owner_id", "last_run_at")
    return InventoryItem(
        kind="automation",
        source_key=record.key,
        name=str(f.get("name") or record.id),
        active=f.get("active") if isinstance(f.get("active"), bool) else None,
        definition=_definition(record, *fields),
        recommendation=rebuild[0],
        workflow=rebuild[1],
    )


def sequence(spec: MigrationSpec, record: SourceRecord) -> InventoryItem:
    """One sequence: no native equivalent in Twenty (the guide's gotcha)."""
    f = record.fields
    steps = [s for s in (f.get("steps") or []) if isinstance(s, dict)]
    plan = [f"day {s.get('day_offset')}: {s.get('channel')} '{s.get('subject')}'" for s in steps]
    return InventoryItem(
        kind="sequence",
        source_key=record.key,
        name=str(f.get("name") or record.id),
        active=f.get("active") if isinstance(f.get("active"), bool) else None,
        definition=_definition(record, "steps", "enrolled_count", "owner_id"),
        recommendation=Recommendation(
            feature="External integration",
            summary="Twenty has no email sequences: keep the cadence in an email tool, or "
            "approximate it with a scheduled workflow creating tasks",
            steps=(
                "Option A: rebuild the cadence in an email-sequencing tool connected to Twenty",
                "Option B: Settings → Workflows → trigger On a schedule (daily); Search "
                "Records: people enrolled (a custom field), then per step:",
                *plan,
                "EMAIL steps: Send Email; CALL steps: Create Record task (oplaActivityType CALL)",
            ),
        ),
        workflow={
            "trigger": {"type": "CRON", "schedule": "0 8 * * *"},
            "steps": [
                {
                    "day_offset": jsonable(s.get("day_offset")),
                    "type": "SEND_EMAIL" if s.get("channel") == "EMAIL" else "CREATE_RECORD",
                    "label": f"{s.get('channel')}: {s.get('subject')}",
                }
                for s in steps
            ],
        },
    )


def _metric(metric: str) -> tuple[str, str, str]:
    return METRICS.get(metric, ("opportunity", metric, "as defined in OplaCRM"))


def gamification(spec: MigrationSpec, kind: str, record: SourceRecord) -> InventoryItem:
    """A streak, leaderboard or goal: behavioural state, rebuilt as a dashboard or view."""
    del spec
    f = record.fields
    metric = str(f.get("metric") or "")
    obj, measure, basis = _metric(metric)
    period = str(f.get("period") or "the goal's period").lower()
    feature = "Dashboard"
    summary = {
        "streak": f"A chart of {measure} per member ({basis}); streaks are not tracked by Twenty",
        "leaderboard": f"A {period} bar chart of {measure} of {obj} grouped by owner",
        "goal": f"A gauge of {measure} of {obj} against the target, for the owner and period",
    }[kind]
    fields = GAMIFICATION_FIELDS[kind]
    return InventoryItem(
        kind=kind,
        source_key=record.key,
        name=str(f.get("name") or record.id),
        active=f.get("active") if isinstance(f.get("active"), bool) else None,
        definition=_definition(record, *fields),
        recommendation=Recommendation(
            feature=feature,
            summary=summary,
            steps=(
                f"Data: {obj} records ({basis})",
                "Dashboards → New dashboard → add a chart widget on that data, grouped by owner",
                f"Or a {obj} view grouped by owner with the {measure} aggregate in the footer",
                "The current values (streak length, progress) do not migrate: behavioural state",
            ),
        ),
    )
