"""The audit's one mutable thing: a tally of findings, built while the bundle streams past.

:class:`Tally` counts records per check (object, field, code) and keeps the first few example
keys; it also remembers which records an ERROR would quarantine, per object, to count them once
however many checks they fail. :meth:`Tally.build` returns the frozen checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from migrator.audit.model import MAX_EXAMPLES, AuditCheck, Category, Level


@dataclass(frozen=True, slots=True)
class CheckKey:
    """What makes two findings the same check."""

    category: Category
    level: Level
    code: str
    object: str
    field: str = ""


@dataclass(slots=True)
class _Entry:
    message: str
    hint: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


class Tally:
    """Counts findings per :class:`CheckKey`; the builder of the audit's checks."""

    def __init__(self) -> None:
        self._entries: dict[CheckKey, _Entry] = {}
        self._quarantined: dict[str, set[str]] = {}

    def add(self, key: CheckKey, example: str, *, message: str, hint: str = "") -> None:
        """Count one record (or group) for ``key``; keep ``example`` among the first few."""
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry(message=message, hint=hint)
        entry.count += 1
        if len(entry.examples) < MAX_EXAMPLES and example not in entry.examples:
            entry.examples.append(example)
        if key.level is Level.ERROR:
            self._quarantined.setdefault(key.object, set()).add(example)

    def add_count(
        self,
        key: CheckKey,
        count: int,
        examples: Iterable[str] = (),
        *,
        message: str,
        hint: str = "",
    ) -> None:
        """Record a check counted elsewhere (``count`` items, these examples)."""
        if count <= 0:
            return
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry(message=message, hint=hint)
        entry.count += count
        for example in examples:
            if len(entry.examples) >= MAX_EXAMPLES:
                break
            if example not in entry.examples:
                entry.examples.append(example)

    def quarantine(self, object_name: str, record_key: str) -> None:
        """Count ``record_key`` as quarantined without a check of its own (already counted)."""
        self._quarantined.setdefault(object_name, set()).add(record_key)

    def quarantined(self, object_name: str) -> int:
        """Distinct records of ``object_name`` an ERROR would quarantine."""
        return len(self._quarantined.get(object_name, ()))

    def build(self) -> tuple[AuditCheck, ...]:
        """The checks, sorted (errors first)."""
        checks = [
            AuditCheck(
                category=key.category,
                level=key.level,
                code=key.code,
                object=key.object,
                field=key.field,
                message=entry.message,
                count=entry.count,
                examples=tuple(entry.examples),
                hint=entry.hint,
            )
            for key, entry in self._entries.items()
        ]
        return tuple(sorted(checks, key=lambda c: c.sort_key))
