"""Which existing Twenty records new desired records may land on: found lazily, per object.

Nothing is read for an object until the plan first meets a desired record of it that the state
does not know (so a delta over an unchanged source reads nothing). Then one ``totalCount``
request (soft-deleted rows included) decides, with :func:`~migrator.plan.fetch.choose_strategy`:

* **none** — Twenty holds no record of the object (or nothing can match): every new record is
  a create;
* **scan** — the object's records are read whole, once, into the index (cheaper than looking
  the expected new records up);
* **lookup** — the new records' unique values and match-key heads are queued and looked up in
  batches before those records are decided (the planner holds them in its ordered queue
  meanwhile; the mapper runs once). Unique values go in ``in`` filters of up to 200 values
  (Twenty compares them exactly, emails lower-cased). A ``match`` rule's head (its first field's
  trimmed text) goes in ``or(<path>[ilike]:…)`` filters of up to 50 values, so a record differing
  only in letter case is found, as a scan finds it; the rows found are compared by match key,
  so the filter may return more (see :func:`~migrator.plan.fetch.like_pattern`). A head that is
  a unique email needs no ``ilike``: Twenty stores emails lower-cased, and the exact lookup of
  the lower-cased value finds it. One difference remains: an existing value stored with
  surrounding spaces is found by a scan only.

An object Twenty does not have yet (created by this plan) has no index at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from migrator.plan.fetch import (
    CHUNK,
    LIKE_CHUNK,
    Strategy,
    TwentyReader,
    choose_strategy,
    fill_by_scan,
    new_index,
)
from migrator.plan.matching import (
    Comparator,
    ExistingIndex,
    MatchRule,
    ilike_rule_count,
    lookup_terms,
)
from migrator.twenty.models import ObjectMetadata


@dataclass
class _Object:
    """What is known about one object's existing records (a builder)."""

    index: ExistingIndex
    plural: str
    strategy: Strategy | None = None
    """None until the first new record of the object is met."""
    pending: dict[tuple[Comparator, str], dict[str, None]] = field(default_factory=dict)
    """Lookup mode: values queued per comparator and path, not looked up yet."""


class Collisions:
    """The existing-record indexes of every object the plan writes (see the module doc)."""

    def __init__(
        self,
        reader: TwentyReader,
        metadata: Mapping[str, ObjectMetadata],
        rules: Mapping[str, Sequence[MatchRule]],
        *,
        source_id_field: str,
    ) -> None:
        self.reader = reader
        self.metadata = metadata
        self.rules = rules
        """Every match rule of the mappings writing each object."""
        self.source_id_field = source_id_field
        self._objects: dict[str, _Object] = {}

    def _object(self, twenty_object: str) -> _Object | None:
        meta = self.metadata.get(twenty_object)
        if meta is None:
            return None
        if twenty_object not in self._objects:
            rules = sorted(set(self.rules.get(twenty_object, ())))
            index = new_index(meta, rules, twenty_object)
            self._objects[twenty_object] = _Object(index, meta.name_plural)
        return self._objects[twenty_object]

    def prepare(self, twenty_object: str, expected_new: int) -> Strategy:
        """The strategy for ``twenty_object``, decided (and a scan made) on first call.

        ``expected_new`` estimates the new records the plan will look up for it.
        """
        found = self._object(twenty_object)
        if found is None:
            return "none"
        if found.strategy is None:
            paths = len(found.index.paths)
            rules = ilike_rule_count(found.index.rules, found.index.paths)
            total = self.reader.count_all(found.plural) if paths + rules else 0
            choice = choose_strategy(total, max(expected_new, 1), paths, rules)
            found.strategy = choice.strategy
            if choice.strategy == "scan":
                fill_by_scan(
                    self.reader, found.index, found.plural, source_id_field=self.source_id_field
                )
        return found.strategy

    def index(self, twenty_object: str) -> ExistingIndex | None:
        """The index of ``twenty_object`` (None when Twenty does not have the object)."""
        found = self._object(twenty_object)
        return found.index if found is not None else None

    def queue(
        self, twenty_object: str, payload: Mapping[str, Any], rules: Sequence[MatchRule]
    ) -> int:
        """Queue a payload's values for lookup; returns the longest queue of one path."""
        found = self._object(twenty_object)
        if found is None:
            return 0
        longest = 0
        for comparator, path, value in lookup_terms(payload, found.index.paths, rules):
            values = found.pending.setdefault((comparator, path), {})
            values[value] = None
            longest = max(longest, len(values))
        return longest

    def look_up(self) -> None:
        """Look up every queued value into the indexes (unique values 200 per request, rule
        heads 50)."""
        for found in self._objects.values():
            for comparator, path in sorted(found.pending):
                values = list(found.pending[(comparator, path)])
                size = CHUNK if comparator == "in" else LIKE_CHUNK
                find = self.reader.find if comparator == "in" else self.reader.find_like
                for start in range(0, len(values), size):
                    chunk = values[start : start + size]
                    for row in find(found.plural, path, chunk):
                        found.index.add(row, source_id_field=self.source_id_field)
            found.pending.clear()
