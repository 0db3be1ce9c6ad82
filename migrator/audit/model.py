"""The pre-flight audit report as data: what ``migrator audit`` found, before anything moves.

An :class:`AuditReport` lists the source objects the spec reads with their record counts, and
every :class:`AuditCheck` that found something: a code, a level, the object and field, how many
records, and a few example record keys (``system:object:id``, never a value). Rendering is a
view of this data (:mod:`migrator.audit.render`). Nothing here ever holds a source value:
messages name rules and fields, examples name records.
"""

from __future__ import annotations

import enum

from pydantic import Field

from migrator.model import FrozenModel

#: Example record keys kept per check.
MAX_EXAMPLES = 5


class Level(enum.StrEnum):
    """How a finding weighs on the migration."""

    ERROR = "error"
    """The records would be quarantined (or refused by Twenty): ``audit`` exits 1."""
    WARN = "warn"
    """The records load but need a look (flagged, held, merged, linked empty)."""
    FIX = "fix"
    """Values migrator normalises silently; counted so nothing changes unseen."""
    INFO = "info"
    """Facts the hand-off needs (locked records, large objects)."""

    @property
    def rank(self) -> int:
        """Sort order: errors first."""
        return (Level.ERROR, Level.WARN, Level.FIX, Level.INFO).index(self)


class Category(enum.StrEnum):
    """The audit's sections, in the order they are shown."""

    REQUIRED = "missing required values"
    IDENTIFIERS = "invalid identifiers"
    VALUES = "other value checks"
    DUPLICATES = "duplicates"
    REFERENCES = "orphan references"
    HIERARCHY = "hierarchy cycles"
    OWNERS = "owners"
    LOCKED = "locked records"
    NAMES = "custom-field name collisions"
    OPTIONS = "option values"
    FILES = "files"
    VOLUME = "volume"
    DESTINATION = "existing Twenty records"


class AuditCheck(FrozenModel):
    """One kind of finding on one object and field, with its count and example records."""

    category: Category
    level: Level
    code: str
    """A stable reason (``nhs_check_digit``, ``duplicate_value``, ``orphan_reference``)."""
    object: str
    """The source object (or, for destination checks, the Twenty object)."""
    field: str = ""
    """The source field or path, or the Twenty field; empty for whole records."""
    message: str
    """What the rule says, never the value."""
    count: int = Field(ge=0)
    """Records (or, where the message says so, values or groups) found."""
    examples: tuple[str, ...] = ()
    """Up to :data:`MAX_EXAMPLES` record keys (``system:object:id``) or other non-sensitive
    names (owner keys, definition keys), in the order met."""
    hint: str = ""
    """What to do about it."""

    @property
    def sort_key(self) -> tuple[int, int, str, str, str]:
        """Errors first, then by category, object, field and code."""
        categories = list(Category)
        return (
            self.level.rank,
            categories.index(self.category),
            self.object,
            self.field,
            self.code,
        )


class ObjectCount(FrozenModel):
    """A source object the spec reads: how many records, and where they go."""

    object: str
    records: int = Field(ge=0)
    mappings: tuple[str, ...] = ()
    """The spec's mappings reading it as their rows (empty for lookups and skipped objects)."""
    twenty_objects: tuple[str, ...] = ()
    """The Twenty objects those mappings write."""
    role: str = "mapped"
    """``mapped``, ``owners``, ``lookup`` (read by aggregates or lookups), ``skipped`` or
    ``unmapped`` (in the bundle, named nowhere in the spec)."""
    quarantined: int = Field(default=0, ge=0)
    """Distinct records at least one ERROR check would quarantine."""


class DestinationSummary(FrozenModel):
    """What the audit asked of Twenty (or why it did not)."""

    checked: bool
    base_url: str = ""
    """The destination's base URL (``sandbox:…`` for the embedded sandbox); never a key."""
    requests: int = Field(default=0, ge=0)
    """Requests the audit sent (they count against the workspace's rate limit)."""
    reason: str = ""
    """Why the destination was not checked, when it was not."""


class AuditReport(FrozenModel):
    """The whole pre-flight report of one spec against its bundle and destination."""

    spec_name: str
    system: str
    bundle_fingerprint: str
    objects: tuple[ObjectCount, ...]
    checks: tuple[AuditCheck, ...]
    """Sorted by :attr:`AuditCheck.sort_key`."""
    destination: DestinationSummary

    @property
    def errors(self) -> tuple[AuditCheck, ...]:
        """The checks that would quarantine records."""
        return tuple(c for c in self.checks if c.level is Level.ERROR)

    @property
    def has_errors(self) -> bool:
        """True when records would be quarantined: ``migrator audit`` exits 1."""
        return bool(self.errors)

    @property
    def quarantined(self) -> int:
        """Distinct records some ERROR check would quarantine, over every object."""
        return sum(o.quarantined for o in self.objects)

    def by_code(self, code: str) -> tuple[AuditCheck, ...]:
        """Every check with ``code`` (on any object or field)."""
        return tuple(c for c in self.checks if c.code == code)
