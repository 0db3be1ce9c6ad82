"""Pairing the plan's record changes with the writes recomputed from the source, phase by phase.

The planner writes a phase's record changes in the order the mapper yields that phase's items
(no-ops left out), so the plan's changes are a subsequence of the recomputed items and one
forward pass pairs them in constant memory: each change takes the next item with its address,
and the items passed over are the phase's no-ops and row outcomes. Should a change's address
never come, the items passed over while looking for it are kept, so the changes after it still
find theirs. A change whose address never comes, comes as a row outcome (quarantined, held…), or
comes with another object, id or body digest is a :class:`Mismatch`: apply refuses to write it
(DESIGN.md, "Apply recomputes each payload"). The body is shaped with the planner's own functions
(:mod:`migrator.plan.payloads`), through the id map of records migrator merged into. Deletes have
no recomputed item (their source row is gone) and pair with nothing.

:func:`iter_phases` splits the plan's change stream into phases and checks they come in the
header's order.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from migrator.apply.model import Desired, DesiredItem
from migrator.errors import PlanError
from migrator.mapping.model import Fate, RowOutcome
from migrator.model import Action
from migrator.plan.model import RecordChange
from migrator.plan.payloads import link_payload, payload_digest, write_payload


class Pair(NamedTuple):
    """A change of the plan, the write recomputed for it and the body to send (``None`` for
    deletes)."""

    change: RecordChange
    desired: Desired | None
    body: dict[str, Any] | None = None

    @property
    def is_link(self) -> bool:
        """True for a second-pass link."""
        return self.desired is not None and self.desired.link is not None


class Mismatch(NamedTuple):
    """A change apply must not execute, and why (names the record, never a value)."""

    address: str
    problem: str


@dataclass
class ItemTally:
    """How many items a phase's recomputation yielded, by kind (a builder); ``observer`` is shown
    every item as it is counted."""

    desired: int = 0
    fates: dict[Fate, int] = field(default_factory=dict)
    observer: Callable[[DesiredItem], None] | None = None

    @property
    def total(self) -> int:
        """Every source row the phase read (desired writes and row outcomes)."""
        return self.desired + sum(self.fates.values())

    def count(self, item: DesiredItem) -> None:
        """Count one item."""
        if self.observer is not None:
            self.observer(item)
        if isinstance(item, RowOutcome):
            self.fates[item.fate] = self.fates.get(item.fate, 0) + 1
        else:
            self.desired += 1


def shape_body(change: RecordChange, desired: Desired, id_map: Mapping[str, str]) -> dict[str, Any]:
    """The body apply sends for ``change``, shaped exactly as the planner digested it."""
    if desired.link is not None:
        record_id = change.existing_id or change.twenty_id
        return link_payload(record_id, desired.link.field, desired.link.target_id, id_map)
    return write_payload(desired.payload, id_map=id_map, existing_id=change.existing_id)


def state_patch(change: RecordChange) -> dict[str, Any] | None:
    """The body of an update decided from the state alone, else ``None``.

    A delta flags a record whose source row is gone (``on_source_delete: flag``) with an update
    whose field differences are the whole write, ``{id, <field>: <value>}``, and whose digest is
    that body's; there is no source row to recompute it from. It is recognised by that digest,
    so only the exact bytes the plan names are ever sent.
    """
    if change.action is not Action.UPDATE or not change.field_diffs:
        return None
    body: dict[str, Any] = {"id": change.existing_id or change.twenty_id}
    body.update((diff.path, diff.after) for diff in change.field_diffs)
    return body if payload_digest(body) == change.payload_digest else None


def _problem(change: RecordChange, desired: Desired, body: dict[str, Any]) -> str | None:
    if desired.twenty_object != change.twenty_object:
        return f"now writes {desired.twenty_object}, the plan says {change.twenty_object}"
    if desired.twenty_id != change.twenty_id:
        return "now has another Twenty id than the plan"
    if payload_digest(body) != change.payload_digest:
        return "its payload no longer matches the plan's digest"
    return None


def join_phase(
    changes: Iterable[RecordChange],
    items: Iterator[DesiredItem],
    tally: ItemTally,
    id_map: dict[str, str],
) -> Iterator[Pair | Mismatch]:
    """Pair ``changes`` (one phase, plan order) with ``items`` (the same phase, recomputed).

    Every item is counted into ``tally``, including those after the last change. ``id_map``
    (deterministic id → Twenty id of records migrator merged into or restored) resolves foreign
    keys and learns each merge or restore as it passes, as the planner's did.
    """
    passed: OrderedDict[str, DesiredItem] = OrderedDict()
    for change in changes:
        if change.existing_id is not None and change.action is not Action.DELETE:
            id_map[change.twenty_id] = change.existing_id
        if change.action is Action.DELETE:
            yield Pair(change, None)
            continue
        if change.action is Action.NOOP:
            continue
        patch = state_patch(change)
        if patch is not None:
            yield Pair(change, None, patch)
            continue
        item = _find(change.address, items, tally, passed)
        if item is None:
            yield Mismatch(change.address, "the source no longer produces it (or in another order)")
        elif isinstance(item, RowOutcome):
            yield Mismatch(
                change.address, f"the source now gives it no write ({item.fate}: {item.code})"
            )
        else:
            body = shape_body(change, item, id_map)
            problem = _problem(change, item, body)
            yield Pair(change, item, body) if problem is None else Mismatch(change.address, problem)
    for item in items:
        tally.count(item)


def _find(
    address: str,
    items: Iterator[DesiredItem],
    tally: ItemTally,
    passed: OrderedDict[str, DesiredItem],
) -> DesiredItem | None:
    """The item at ``address``: from the items passed over since the last find (after a change
    that was not found), else further down the stream. Items passed over before a find are the
    phase's no-ops and are dropped, so memory stays constant while the plan is in order."""
    if address in passed:
        while passed:
            key, item = passed.popitem(last=False)
            if key == address:
                return item
    for item in items:
        tally.count(item)
        if item.address == address:
            passed.clear()
            return item
        passed[item.address] = item
    return None


def iter_phases(
    changes: Iterator[RecordChange], phases: tuple[str, ...]
) -> Iterator[tuple[str, Iterator[RecordChange]]]:
    """``(phase, its changes)`` for every phase of ``phases`` in order, each consumed lazily.

    A phase's iterator must be exhausted before the next is used (the executor does). Raises
    :class:`PlanError` when a change names a phase out of the header's order.
    """
    order = {phase: index for index, phase in enumerate(phases)}
    stream = _Peekable(changes)
    for phase in phases:
        yield phase, _take_phase(stream, phase, order)
    extra = stream.peek()
    if extra is not None:
        raise PlanError(
            f"plan change {extra.address} names phase {extra.phase!r} out of the plan's order",
            hint="make the plan again with `migrator plan SPEC -o FILE`",
        )


class _Peekable:
    def __init__(self, source: Iterator[RecordChange]) -> None:
        self._source = source
        self._next: RecordChange | None = None

    def peek(self) -> RecordChange | None:
        if self._next is None:
            self._next = next(self._source, None)
        return self._next

    def pop(self) -> RecordChange:
        value = self.peek()
        assert value is not None
        self._next = None
        return value


def _take_phase(stream: _Peekable, phase: str, order: dict[str, int]) -> Iterator[RecordChange]:
    while (change := stream.peek()) is not None and change.phase == phase:
        yield stream.pop()
    if change is not None and order.get(change.phase, -1) <= order[phase]:
        raise PlanError(
            f"plan change {change.address} names phase {change.phase!r} out of the plan's order",
            hint="make the plan again with `migrator plan SPEC -o FILE`",
        )
