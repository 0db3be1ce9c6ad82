"""The rebuild inventory as data: what does not migrate as records and must be rebuilt in Twenty.

Both guides keep automations out of the data migration: OplaCRM automations, sequences and
gamification (streaks, leaderboards, goals) are listed with a recommended Twenty equivalent;
AeronaClinic recall and reminder rules become structured JSON blueprints for Twenty Workflows;
payment integrations are listed with what must be rebuilt outside Twenty. Everything here comes
from configuration objects (never patient or customer records; counts of records at most).
"""

from __future__ import annotations

from pydantic import Field, JsonValue

from migrator.model import FrozenModel


class Recommendation(FrozenModel):
    """The Twenty equivalent of one source rule, and how to build it."""

    feature: str
    """``Workflow``, ``View``, ``Dashboard``, ``External integration`` or ``Not rebuilt``."""
    summary: str
    """One line: what to build."""
    steps: tuple[str, ...] = ()
    """The admin's steps, in order (Settings paths, triggers, actions, filters)."""


class InventoryItem(FrozenModel):
    """One rule, setting or integration of the source, with its Twenty equivalent."""

    kind: str
    """``automation``, ``sequence``, ``streak``, ``leaderboard``, ``goal``, ``recall_rule``,
    ``reminder_rule`` or ``payment_integration``."""
    source_key: str
    """``system:object:id`` of the configuration record."""
    name: str
    active: bool | None = None
    definition: dict[str, JsonValue]
    """The rule as the source defines it (configuration only; references resolved to names)."""
    recommendation: Recommendation
    workflow: dict[str, JsonValue] | None = None
    """A structured blueprint of the Twenty Workflow to build (trigger, filters, steps), when
    the recommendation is a workflow."""


class Inventory(FrozenModel):
    """The whole rebuild inventory of one spec's bundle."""

    spec_name: str
    system: str
    bundle_fingerprint: str
    items: tuple[InventoryItem, ...]
    """By kind (in :data:`KIND_ORDER`), then by source key."""
    context: dict[str, JsonValue] = Field(default_factory=dict)
    """Counts that size the rebuild (patients per recall rule and status, payments per method,
    care plans per provider, sequence enrolments); never a single record's value."""

    def of_kind(self, kind: str) -> tuple[InventoryItem, ...]:
        """The items of one kind."""
        return tuple(item for item in self.items if item.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        """Items per kind (kinds without items left out)."""
        found: dict[str, int] = {}
        for item in self.items:
            found[item.kind] = found.get(item.kind, 0) + 1
        return found


#: The order kinds are listed in.
KIND_ORDER: tuple[str, ...] = (
    "automation",
    "sequence",
    "streak",
    "leaderboard",
    "goal",
    "recall_rule",
    "reminder_rule",
    "payment_integration",
)
