"""``build_inventory``: read a bundle's configuration objects into the rebuild inventory.

It reads only what the guides list for rebuilding (OplaCRM automations, sequences and
gamification; AeronaClinic recall rules, reminder rules and payment integrations), the lookups
that name them (practices, appointment types), and counts from records that size the rebuild
(patients per recall rule and status, payments per method, care plans per provider). No record
value leaves this module: counts are keyed by configuration codes only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pydantic import JsonValue

from migrator.inventory import aeronaclinic, oplacrm
from migrator.inventory.model import KIND_ORDER, Inventory, InventoryItem
from migrator.sources.bundle import Bundle
from migrator.spec.models import MigrationSpec

GAMIFICATION = {
    "gamification_streaks": "streak",
    "gamification_leaderboards": "leaderboard",
    "gamification_goals": "goal",
}


def _names(bundle: Bundle, object_name: str, field: str) -> dict[str, str]:
    return {
        r.id: str(r.fields.get(field))
        for r in bundle.read(object_name)
        if r.fields.get(field) is not None
    }


def _counts(bundle: Bundle, object_name: str, *fields: str) -> dict[str, JsonValue]:
    found: Counter[str] = Counter()
    for record in bundle.read(object_name):
        found[" / ".join(str(record.fields.get(f)) for f in fields)] += 1
    return dict(sorted(found.items()))


def _opla_items(spec: MigrationSpec, bundle: Bundle) -> Iterable[InventoryItem]:
    for record in bundle.read("automations"):
        yield oplacrm.automation(spec, record)
    for record in bundle.read("sequences"):
        yield oplacrm.sequence(spec, record)
    for object_name, kind in GAMIFICATION.items():
        for record in bundle.read(object_name):
            yield oplacrm.gamification(spec, kind, record)


def _opla_context(bundle: Bundle) -> dict[str, JsonValue]:
    enrolled = sum(
        r.fields.get("enrolled_count") or 0
        for r in bundle.read("sequences")
        if isinstance(r.fields.get("enrolled_count"), int)
    )
    active = sum(1 for r in bundle.read("automations") if r.fields.get("active") is True)
    return {"sequence_enrolments": enrolled, "active_automations": active}


def _aerona_items(spec: MigrationSpec, bundle: Bundle) -> Iterable[InventoryItem]:
    lookups = aeronaclinic.Lookups(
        spec,
        _names(bundle, "practices", "name"),
        _names(bundle, "appointment_types", "name"),
    )
    per_rule: dict[str, Counter[str]] = {}
    for record in bundle.read("patient_recalls"):
        rule = str(record.fields.get("recallRuleId"))
        per_rule.setdefault(rule, Counter())[str(record.fields.get("status"))] += 1
    for record in bundle.read("recall_rules"):
        counts = dict(sorted(per_rule.get(record.id, Counter()).items()))
        yield aeronaclinic.recall_rule(record, lookups, counts)
    for record in bundle.read("reminder_rules"):
        yield aeronaclinic.reminder_rule(record, lookups)
    for record in bundle.read("payment_integrations"):
        yield aeronaclinic.payment_integration(record, lookups)


def _aerona_context(bundle: Bundle) -> dict[str, JsonValue]:
    return {
        "payments_by_method": _counts(bundle, "payments", "method"),
        "care_plans_by_provider_and_status": _counts(bundle, "care_plans", "provider", "status"),
        "patient_recalls_by_status": _counts(bundle, "patient_recalls", "status"),
    }


def _order(item: InventoryItem) -> tuple[int, str, int, str]:
    """By kind, then by source id (numerically when it is a number)."""
    head, _, ident = item.source_key.rpartition(":")
    return (KIND_ORDER.index(item.kind), head, int(ident) if ident.isdigit() else 0, ident)


def build_inventory(spec: MigrationSpec, bundle: Bundle) -> Inventory:
    """The rebuild inventory of ``bundle`` under ``spec``."""
    if bundle.system == "oplacrm":
        items = list(_opla_items(spec, bundle))
        context = _opla_context(bundle)
    else:
        items = list(_aerona_items(spec, bundle))
        context = _aerona_context(bundle)
    items.sort(key=_order)
    return Inventory(
        spec_name=spec.name,
        system=bundle.system,
        bundle_fingerprint=bundle.fingerprint,
        items=tuple(items),
        context=context,
    )
