"""Views of an :class:`Inventory`: Markdown for the customer's admin, canonical JSON for tools.

The Markdown has one section per kind with a table (name, state, recommended Twenty feature,
summary), the steps of each item, and, for workflow blueprints, the structured JSON in a code
block: the guide's "structured JSON reference document" for recall and reminder rules.
"""

from __future__ import annotations

import json
from typing import Any

from migrator.inventory.model import KIND_ORDER, Inventory, InventoryItem
from migrator.model import canonical_json

TITLES = {
    "automation": "Automations",
    "sequence": "Sequences",
    "streak": "Gamification: streaks",
    "leaderboard": "Gamification: leaderboards",
    "goal": "Gamification: goals",
    "recall_rule": "Recall rules",
    "reminder_rule": "Appointment reminder rules",
    "payment_integration": "Payment integrations",
}


def to_json(inventory: Inventory) -> str:
    """The inventory as canonical JSON (sorted keys, 2-space indent, trailing newline)."""
    document: dict[str, Any] = inventory.model_dump(mode="json")
    document["counts"] = inventory.counts
    return canonical_json(document, indent=2)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _state(item: InventoryItem) -> str:
    if item.active is None:
        return "–"
    return "active" if item.active else "inactive"


def _item(item: InventoryItem) -> list[str]:
    lines = [f"#### {_cell(item.name)}", "", f"`{item.source_key}`: {item.recommendation.summary}"]
    lines.append("")
    lines.append(
        "Source definition: `"
        + json.dumps(item.definition, ensure_ascii=False, sort_keys=True)
        + "`"
    )
    if item.recommendation.steps:
        lines.append("")
        lines += [f"{n}. {step}" for n, step in enumerate(item.recommendation.steps, 1)]
    if item.workflow is not None:
        text = json.dumps(item.workflow, ensure_ascii=False, indent=2, sort_keys=True)
        lines += ["", "```json", text, "```"]
    return [*lines, ""]


def _section(kind: str, items: tuple[InventoryItem, ...]) -> list[str]:
    lines = [f"## {TITLES[kind]} ({len(items)})", ""]
    lines += ["| name | state | Twenty equivalent | what to build |", "| --- | --- | --- | --- |"]
    for item in items:
        lines.append(
            f"| {_cell(item.name)} | {_state(item)} | {item.recommendation.feature} | "
            f"{_cell(item.recommendation.summary)} |"
        )
    lines.append("")
    for item in items:
        lines += _item(item)
    return lines


def to_markdown(inventory: Inventory) -> str:
    """The inventory document the admin rebuilds from."""
    lines = [
        f"# Rebuild inventory: {inventory.spec_name}",
        "",
        f"Source: {inventory.system} bundle `{inventory.bundle_fingerprint}`. Nothing below is "
        "migrated as records: each item is rebuilt natively in Twenty (or outside it) after "
        "cutover. Activate rebuilt workflows only after the migration, or imports trigger them.",
        "",
        "| kind | items |",
        "| --- | --- |",
    ]
    counts = inventory.counts
    lines += [f"| {TITLES[k]} | {counts[k]} |" for k in KIND_ORDER if k in counts]
    if inventory.context:
        lines += [
            "",
            "Sizing: `" + json.dumps(inventory.context, ensure_ascii=False, sort_keys=True) + "`",
        ]
    lines.append("")
    for kind in KIND_ORDER:
        items = inventory.of_kind(kind)
        if items:
            lines += _section(kind, items)
    return "\n".join(lines).rstrip("\n") + "\n"
