"""Bounded samples of record changes per object, collected while the changes stream past.

:class:`SampleCollector` is a builder (style.md 3.3): it sees every record change once and keeps
at most ``per_action`` of each action for each mapping, so its memory is bounded by the number of
mappings, never by the number of changes. :func:`pick` then chooses which of them a view shows,
rarer and riskier actions first (delete, replace, merge, restore, update, then create), one of
each before a second of any, so a reviewer sees every kind of change an object will undergo.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from migrator.model import Action
from migrator.plan.model import RecordChange

PRIORITY: tuple[Action, ...] = (
    Action.DELETE,
    Action.REPLACE,
    Action.MERGE,
    Action.RESTORE,
    Action.UPDATE,
    Action.CREATE,
)
"""The order in which actions are sampled: what most needs a reviewer's eye first."""


@dataclass(frozen=True)
class ObjectSample:
    """What was seen of one mapping's record changes: a few of each action, and how many."""

    mapping: str
    twenty_object: str
    kept: dict[Action, tuple[RecordChange, ...]]
    """The first changes of each action in apply order (at most ``per_action`` each)."""
    listed: int
    """How many record changes (no-ops excluded) the stream held for this mapping."""

    def pick(self, limit: int) -> tuple[RecordChange, ...]:
        """Up to ``limit`` changes, one of each action in :data:`PRIORITY` order, then more."""
        chosen: list[RecordChange] = []
        depth = 0
        while len(chosen) < limit:
            row = [self.kept[a][depth] for a in PRIORITY if len(self.kept.get(a, ())) > depth]
            if not row:
                break
            chosen.extend(row[: limit - len(chosen)])
            depth += 1
        return tuple(chosen)


class SampleCollector:
    """Builder: feed it every record change (:meth:`add`), then :meth:`build` the samples."""

    def __init__(self, per_action: int) -> None:
        self._per_action = per_action
        self._kept: dict[str, dict[Action, list[RecordChange]]] = {}
        self._objects: dict[str, str] = {}
        self._listed: Counter[str] = Counter()

    def add(self, change: RecordChange) -> None:
        """Count one change and keep it if its mapping still lacks examples of its action."""
        if change.action is Action.NOOP:
            return
        self._listed[change.mapping] += 1
        self._objects.setdefault(change.mapping, change.twenty_object)
        kept = self._kept.setdefault(change.mapping, {}).setdefault(change.action, [])
        if len(kept) < self._per_action:
            kept.append(change)

    def add_all(self, changes: Iterable[RecordChange]) -> None:
        """:meth:`add` every change of a stream (consumed once, one at a time)."""
        for change in changes:
            self.add(change)

    def build(self) -> dict[str, ObjectSample]:
        """The samples by mapping name."""
        return {
            mapping: ObjectSample(
                mapping=mapping,
                twenty_object=self._objects[mapping],
                kept={action: tuple(found) for action, found in kept.items()},
                listed=self._listed[mapping],
            )
            for mapping, kept in self._kept.items()
        }
