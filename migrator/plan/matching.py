"""Which existing Twenty records a desired record would land on: unique values and match keys.

Twenty's upsert matches on ``id`` and every unique field, soft-deleted rows included, and
restores what it matches (twenty-api.md §3.3, §8); a ``match`` rule of the spec names further
fields whose equal values mean "this is the same record". Both are computed here the same way
from a desired payload and from a record Twenty returned, so they can be compared:

* a **unique value** is ``(path, value)`` for a unique field (``emails.primaryEmail``,
  ``domainName.primaryLinkUrl``, a custom unique TEXT such as the provenance field); emails
  compare lower-cased (Twenty lower-cases them on write), everything else exactly, as Twenty does;
* a **match key** is a rule's fields read together and normalised (text trimmed and case-folded,
  empty composite sub-fields dropped), so ``{"addressStreet1": "1 Rd"}`` equals Twenty's full
  address composite holding the same street. A rule applies only when every field has a value.

:class:`ExistingIndex` holds what was found for one Twenty object (pure data, built by
:mod:`migrator.plan.fetch`), and tells which existing records each desired record matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from migrator.catalogue import UNIQUE_SUBFIELDS, FieldType
from migrator.model import canonical_json

UniquePath = str
MatchRule = tuple[str, ...]
Comparator = Literal["in", "ilike"]
LookupTerm = tuple[Comparator, str, str]
"""``(comparator, path, value)``: how one value of a desired record is looked up."""


@dataclass(frozen=True, slots=True)
class ExistingRecord:
    """A record already in Twenty that some desired record may match."""

    id: str
    deleted: bool
    """Soft-deleted (``deletedAt`` set): a match restores it."""
    source_id: str | None = None
    """Its provenance field (``migrationSourceId``) value: set when a migration wrote it."""


def value_at(record: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (``emails.primaryEmail``), or None when any step is missing."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def unique_paths(fields: Iterable[tuple[str, str, bool]]) -> tuple[UniquePath, ...]:
    """The unique paths of an object from its ``(name, type, is_unique)`` fields, sorted.

    Composite fields contribute their unique sub-field when it is a single one (EMAILS, LINKS);
    PHONES, unique on three sub-fields together, are not matched here.
    """
    found: list[str] = []
    for name, type_name, is_unique in fields:
        if not is_unique or name == "id":
            continue
        try:
            subfields = UNIQUE_SUBFIELDS.get(FieldType(type_name))
        except ValueError:
            subfields = None
        if subfields is None:
            found.append(name)
        elif len(subfields) == 1:
            found.append(f"{name}.{subfields[0]}")
    return tuple(sorted(found))


def unique_value(record: Mapping[str, Any], path: UniquePath) -> str | None:
    """The comparable unique value of ``record`` at ``path`` (None when empty)."""
    value = value_at(record, path)
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    if not text:
        return None
    return text.lower() if path.endswith(".primaryEmail") else text


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().casefold() or None
    if isinstance(value, Mapping):
        kept = {k: _normalise(v) for k, v in value.items()}
        kept = {k: v for k, v in kept.items() if v is not None}
        return kept or None
    if isinstance(value, (list, tuple)):
        items = [item for item in (_normalise(v) for v in value) if item is not None]
        return items or None
    return value


def match_key(record: Mapping[str, Any], rule: MatchRule) -> str | None:
    """The normalised key of ``rule`` on ``record``; None unless every field has a value."""
    parts: list[Any] = []
    for path in rule:
        value = _normalise(value_at(record, path))
        if value is None:
            return None
        parts.append(value)
    return canonical_json(parts)


def lookup_value(record: Mapping[str, Any], rule: MatchRule) -> tuple[str, str] | None:
    """``(path, trimmed text)`` to look the rule's candidates up with, case-insensitively.

    The first field of the rule, or of a composite the first non-empty text sub-field. The
    lookup needs only to find a superset of the candidates: they are compared by
    :func:`match_key` afterwards.
    """
    head = rule[0]
    value = value_at(record, head)
    if isinstance(value, str) and value.strip():
        return head, value.strip()
    if isinstance(value, Mapping):
        for sub in sorted(value):
            item = value[sub]
            if isinstance(item, str) and item.strip():
                return f"{head}.{sub}", item.strip()
    return None


@dataclass
class ExistingIndex:
    """The existing records of one Twenty object that desired records may match.

    Built once per object (a builder: :meth:`add` while fetching, then only read). ``claimed``
    remembers which existing records a planned merge or restore already took, so no second
    desired record lands on the same one.
    """

    twenty_object: str
    paths: tuple[UniquePath, ...]
    rules: tuple[MatchRule, ...] = ()
    by_unique: dict[tuple[str, str], ExistingRecord] = field(default_factory=dict)
    by_key: dict[tuple[MatchRule, str], list[ExistingRecord]] = field(default_factory=dict)
    claimed: dict[str, str] = field(default_factory=dict)
    """Existing id → address of the desired record that merges into or restores it."""

    @property
    def is_empty(self) -> bool:
        """True when nothing was indexed (no desired record can match)."""
        return not self.by_unique and not self.by_key

    def add(self, raw: Mapping[str, Any], *, source_id_field: str) -> None:
        """Index one record as Twenty returned it (``id``, ``deletedAt`` and the fields)."""
        source_id = raw.get(source_id_field)
        record = ExistingRecord(
            id=str(raw["id"]),
            deleted=raw.get("deletedAt") is not None,
            source_id=source_id if isinstance(source_id, str) and source_id else None,
        )
        for path in self.paths:
            value = unique_value(raw, path)
            if value is not None:
                self.by_unique[(path, value)] = record
        for rule in self.rules:
            key = match_key(raw, rule)
            if key is not None:
                bucket = self.by_key.setdefault((rule, key), [])
                if all(item.id != record.id for item in bucket):
                    bucket.append(record)

    def matches(
        self, payload: Mapping[str, Any], rules: Sequence[MatchRule] | None = None
    ) -> tuple[tuple[ExistingRecord, str], ...]:
        """The distinct existing records ``payload`` would land on, each with what matched it
        (a unique path, or a rule's fields joined by ``+``), ordered by id. ``rules`` limits
        the match rules to one mapping's (default: every rule of the index)."""
        found: dict[str, tuple[ExistingRecord, str]] = {}
        for path in self.paths:
            value = unique_value(payload, path)
            hit = self.by_unique.get((path, value)) if value is not None else None
            if hit is not None:
                found.setdefault(hit.id, (hit, path))
        for rule in self.rules if rules is None else rules:
            key = match_key(payload, rule)
            for hit in self.by_key.get((rule, key), ()) if key is not None else ():
                found.setdefault(hit.id, (hit, "+".join(rule)))
        return tuple(found[i] for i in sorted(found))


def lookup_terms(
    payload: Mapping[str, Any], paths: Sequence[UniquePath], rules: Sequence[MatchRule]
) -> list[LookupTerm]:
    """The ``(comparator, path, value)`` terms to look a desired payload's candidates up with.

    Unique values are looked up exactly (``in``: Twenty compares them exactly, emails
    lower-cased); match-rule heads case-insensitively (``ilike``), as :func:`match_key`
    compares them, except a head that is a unique email (its exact lookup finds it).
    """
    terms: list[LookupTerm] = []
    for path in paths:
        value = value_at(payload, path)
        if isinstance(value, str) and value.strip():
            terms.append(("in", path, value.strip()))
            if path.endswith(".primaryEmail") and value.strip().lower() != value.strip():
                terms.append(("in", path, value.strip().lower()))
    for rule in rules:
        term = lookup_value(payload, rule)
        if term is not None and not _found_exactly(term[0], paths):
            terms.append(("ilike", *term))
    return terms


def _found_exactly(path: str, paths: Sequence[UniquePath]) -> bool:
    """True for a unique email path: Twenty stores emails lower-cased (twenty-api.md §3.5), so
    the exact lookup of the lower-cased unique value finds the rule's candidates already."""
    return path in paths and path.endswith(".primaryEmail")


def ilike_rule_count(rules: Sequence[MatchRule], paths: Sequence[UniquePath]) -> int:
    """How many of ``rules`` a desired record is looked up by with ``ilike`` (at most)."""
    return sum(
        not _found_exactly(rule[0], paths) and not _found_exactly(f"{rule[0]}.primaryEmail", paths)
        for rule in rules
    )
