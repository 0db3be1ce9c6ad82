"""Bounded samples of record changes per object, collected while the changes stream past.

:class:`SampleCollector` is a builder (style.md 3.3): it sees every record change once and keeps
at most ``per_action`` of each action for each mapping, so its memory is bounded by the number of
mappings, never by the number of changes. :func:`pick` then chooses which of them a view shows,
rarer and riskier actions first (delete, replace, merge, restore, update, then create), one of
each before a second of any, so a reviewer sees every kind of change an object will undergo.
Changes of the mapping's own record phase come before those of its later passes (second-pass
links, note and task targets), which only complete records already shown.
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
    kept: dict[tuple[bool, Action], tuple[RecordChange, ...]]
    """The first changes of each (later pass?, action) in apply order, ``per_action`` at most."""
    listed: int
    """How many record changes (no-ops excluded) the stream held for this mapping."""

    def pick(self, limit: int) -> tuple[RecordChange, ...]:
        """Up to ``limit`` changes: own-phase changes first, one of each action in
        :data:`PRIORITY` order before a second of any, then later passes likewise."""
        chosen: list[RecordChange] = []
        for later in (False, True):
            groups = [self.kept.get((later, action), ()) for action in PRIORITY]
            depth = 0
            while len(chosen) < limit:
                row = [group[depth] for group in groups if len(group) > depth]
                if not row:
                    break
                chosen.extend(row[: limit - len(chosen)])
                depth += 1
        return tuple(chosen)


def is_later_pass(change: RecordChange) -> bool:
    """True for a change of a pass after the mapping's own record phase (links, targets)."""
    return change.phase != f"mapping.{change.mapping}"


class SampleCollector:
    """Builder: feed it every record change (:meth:`add`), then :meth:`build` the samples."""

    def __init__(self, per_action: int) -> None:
        self._per_action = per_action
        self._kept: dict[str, dict[tuple[bool, Action], list[RecordChange]]] = {}
        self._objects: dict[str, str] = {}
        self._listed: Counter[str] = Counter()

    def add(self, change: RecordChange) -> None:
        """Count one change and keep it if its mapping still lacks examples of its action."""
        if change.action is Action.NOOP:
            return
        self._listed[change.mapping] += 1
        self._objects.setdefault(change.mapping, change.twenty_object)
        key = (is_later_pass(change), change.action)
        kept = self._kept.setdefault(change.mapping, {}).setdefault(key, [])
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
