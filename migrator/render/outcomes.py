"""The records a plan does not write (quarantined or held), counted while they stream past.

A plan header keeps only the first :data:`~migrator.plan.model.HEADER_OUTCOMES` quarantine and
hold entries (and the totals); the plan file holds the whole quarantine but only those first
holds (:func:`~migrator.plan.planfile.iter_plan_outcomes`, ``PlanHeader.holds``). Views take that
stream when there is one and fall back to the header's lists otherwise, saying when those are
only a part and where the rest are accounted for (:data:`HOLDS_NOT_KEPT`).
:func:`group_outcomes` reduces any number of entries to one group per (object, reason code) with
a count, the first reason and a few example addresses, so its memory is bounded by the number of
groups, not of records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from migrator.plan.model import HoldEntry, PlanHeader, QuarantineEntry

Outcome = QuarantineEntry | HoldEntry

HOLDS_NOT_KEPT = (
    "the plan keeps only the first held records (apply decides each again); the counts per "
    "object are exact, and `migrator audit SPEC` names the owners with no Twenty member, "
    "the usual cause"
)
"""Where the held records a plan does not list are accounted for (``PlanHeader.holds``)."""


def quarantine_total(header: PlanHeader) -> int:
    """Every quarantined record of the plan (the header may list fewer)."""
    return max(header.quarantine_total, len(header.quarantine))


def holds_total(header: PlanHeader) -> int:
    """Every held record of the plan (the header may list fewer)."""
    return max(header.holds_total, len(header.holds))


def header_outcomes(header: PlanHeader) -> Iterator[Outcome]:
    """The entries the header lists: its quarantine, then its holds."""
    yield from header.quarantine
    yield from header.holds


def kind_of(entry: Outcome) -> str:
    """``quarantine`` or ``hold``."""
    return "quarantine" if isinstance(entry, QuarantineEntry) else "hold"


@dataclass
class OutcomeGroup:
    """Entries of one kind, object and reason code: how many, the first reason, examples."""

    kind: str
    mapping: str
    code: str
    reason: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


def group_outcomes(entries: Iterable[Outcome], *, examples: int) -> dict[str, list[OutcomeGroup]]:
    """Groups by kind (``quarantine``, ``hold``), each list sorted by object and code."""
    groups: dict[tuple[str, str, str], OutcomeGroup] = {}
    for entry in entries:
        kind = kind_of(entry)
        key = (kind, entry.mapping, entry.code)
        group = groups.get(key)
        if group is None:
            group = groups[key] = OutcomeGroup(kind, entry.mapping, entry.code, entry.reason)
        group.count += 1
        if len(group.examples) < examples:
            group.examples.append(entry.address)
    found: dict[str, list[OutcomeGroup]] = {"quarantine": [], "hold": []}
    for key in sorted(groups):
        found[key[0]].append(groups[key])
    return found
