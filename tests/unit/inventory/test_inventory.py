"""The rebuild inventory lists every rule of the bundle with its Twenty equivalent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrator import workflows
from migrator.inventory.model import Inventory
from migrator.inventory.render import to_json, to_markdown
from tests.integration.preflight.workspace import make_example, read_objects


@pytest.fixture(scope="module")
def opla(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Inventory]:
    folder = tmp_path_factory.mktemp("opla")
    spec, _ = make_example(folder, "oplacrm", records=600, seed=3)
    return folder / "data", workflows.inventory(spec, environ={})


@pytest.fixture(scope="module")
def aerona(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Inventory]:
    folder = tmp_path_factory.mktemp("aerona")
    spec, _ = make_example(folder, "aeronaclinic", records=600, seed=3)
    return folder / "data", workflows.inventory(spec, environ={})


def test_every_oplacrm_rule_is_listed_with_an_equivalent(opla: tuple[Path, Inventory]) -> None:
    bundle, inventory = opla
    expected = {
        "automation": "automations",
        "sequence": "sequences",
        "streak": "gamification_streaks",
        "leaderboard": "gamification_leaderboards",
        "goal": "gamification_goals",
    }
    for kind, object_name in expected.items():
        ids = {row["id"] for row in read_objects(bundle, object_name)}
        items = inventory.of_kind(kind)
        assert {i.source_key.rsplit(":", 1)[1] for i in items} == ids
        assert all(i.recommendation.summary and i.recommendation.feature for i in items)
    assert {i.recommendation.feature for i in inventory.of_kind("automation")} == {"Workflow"}
    assert {i.recommendation.feature for i in inventory.of_kind("leaderboard")} == {"Dashboard"}
    assert {i.recommendation.feature for i in inventory.of_kind("sequence")} == {
        "External integration"
    }


def test_automation_conditions_name_the_twenty_fields(opla: tuple[Path, Inventory]) -> None:
    _, inventory = opla
    on_company = [
        i for i in inventory.of_kind("automation") if i.definition["object_type"] == "ACCOUNT"
    ]
    assert on_company
    workflow = on_company[0].workflow
    assert workflow is not None
    assert workflow["trigger"] == {"type": "DATABASE_EVENT", "event": "company.created"}
    assert "oplaArea eq HCM" in workflow["filters"]  # type: ignore[operator]
    items = json.loads(to_json(inventory))["items"]
    overdue = [i for i in items if i["definition"].get("trigger_event") == "overdue"]
    assert all(item["workflow"]["trigger"]["type"] == "CRON" for item in overdue)


def test_recall_rules_are_structured_workflow_json(aerona: tuple[Path, Inventory]) -> None:
    bundle, inventory = aerona
    rules = read_objects(bundle, "recall_rules")
    items = {i.source_key: i for i in inventory.of_kind("recall_rule")}
    assert set(items) == {f"aeronaclinic:recall_rules:{r['recallRuleId']}" for r in rules}
    document = json.loads(to_json(inventory))
    by_key = {i["source_key"]: i for i in document["items"]}
    for rule in rules:
        item = by_key[f"aeronaclinic:recall_rules:{rule['recallRuleId']}"]
        assert item["definition"]["intervalMonths"] == rule["intervalMonths"]
        assert item["definition"]["reminderOffsetsDays"] == rule["reminderOffsetsDays"]
        set_due, remind = item["workflow"]["workflows"]
        assert set_due["trigger"] == {"type": "DATABASE_EVENT", "event": "opportunity.updated"}
        assert "aeronaRecordKind = APPOINTMENT" in set_due["filters"]
        assert [r["offsetDays"] for r in remind["reminders"]] == rule["reminderOffsetsDays"]
        steps = {s["type"] for r in remind["reminders"] for s in r["steps"]}
        assert ("HTTP_REQUEST" in steps) == ("SMS" in rule["channels"])
    recalls = read_objects(bundle, "patient_recalls")
    counted = sum(sum(by_key[key]["definition"]["patientRecalls"].values()) for key in items)
    assert counted == len(recalls)


def test_reminders_and_payment_integrations(aerona: tuple[Path, Inventory]) -> None:
    bundle, inventory = aerona
    assert len(inventory.of_kind("reminder_rule")) == len(read_objects(bundle, "reminder_rules"))
    integrations = read_objects(bundle, "payment_integrations")
    items = inventory.of_kind("payment_integration")
    assert len(items) == len(integrations)
    for item, row in zip(items, integrations, strict=True):
        assert item.recommendation.feature == "External integration"
        assert row["accountReference"] not in json.dumps(item.definition)
        if "MANDATES" in row["features"]:
            assert any("sign-off" in step for step in item.recommendation.steps)
    payments = read_objects(bundle, "payments")
    assert sum(inventory.context["payments_by_method"].values()) == len(payments)  # type: ignore[union-attr,arg-type]


def test_markdown_has_a_section_per_kind_and_the_json_blocks(
    aerona: tuple[Path, Inventory],
) -> None:
    _, inventory = aerona
    text = to_markdown(inventory)
    assert "## Recall rules (" in text and "## Payment integrations (" in text
    assert text.count("```json") == sum(1 for i in inventory.items if i.workflow is not None)
    assert to_markdown(inventory) == text, "deterministic"
