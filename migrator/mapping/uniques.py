"""Values Twenty keeps unique, the source deduplication on them, and ``match`` keys.

Twenty enforces uniqueness on company ``domainName.primaryLinkUrl``, person
``emails.primaryEmail`` and every custom field created ``unique`` (twenty-api.md §8), across live
and soft-deleted rows. A mapping's rows are deduplicated on those values before anything else:
the first row in source order wins, and every later row carrying the same value is
DEDUPLICATED into it (its references then resolve to the winner). Emails compare lower-cased (Twenty
lower-cases them on write); URLs and other text compare exactly as written after the mapping's
transforms, because that is how Twenty compares them (``http://a`` and ``https://a`` differ).

``match`` rules that are not one Twenty-unique field become :class:`UniqueValue` match keys: one
field compares by its lower-cased text, several fields by a digest of their lower-cased values
(the guide's "deterministic hash of name and address"). A rule applies only when every field has
a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from migrator.catalogue import UNIQUE_SUBFIELDS, FieldType, standard_object
from migrator.mapping.model import UniqueValue
from migrator.model import digest
from migrator.spec.models import MatchRule, MigrationSpec
from migrator.spec.target_model import TargetObject


@dataclass(frozen=True)
class UniqueRule:
    """One unique value a record carries: ``field`` (and ``subs`` of a composite)."""

    field: str
    subs: tuple[str, ...]
    path: str
    """``emails.primaryEmail``, ``domainName.primaryLinkUrl``, ``sku``."""
    lower: bool
    code: str
    """The deduplication code of the losers (``duplicate_email`` …)."""

    def value(self, out: Mapping[str, Any]) -> str | None:
        """The normalised unique value in a payload, or None when it has none."""
        found = out.get(self.field)
        if self.subs:
            if not isinstance(found, Mapping):
                return None
            parts = [found.get(sub) for sub in self.subs]
            if not all(isinstance(p, str) and p for p in parts):
                return None
            text = "|".join(str(p) for p in parts)
        elif isinstance(found, str | int | float) and not isinstance(found, bool):
            text = str(found)
        else:
            return None
        if not text.strip():
            return None
        return text.lower() if self.lower else text


def _code(kind: FieldType, name: str) -> str:
    if kind is FieldType.EMAILS:
        return "duplicate_email"
    if name == "domainName":
        return "duplicate_domain"
    return "duplicate_value"


def unique_rules(spec: MigrationSpec, obj: TargetObject, written: set[str]) -> list[UniqueRule]:
    """The unique values of ``obj`` among the fields a mapping writes."""
    unique: dict[str, FieldType] = {}
    standard = standard_object(obj.name)
    if standard is not None:
        unique.update({f.name: f.type for f in standard.fields if f.is_unique})
    section = spec.schema_.get(obj.name)
    if section is not None:
        unique.update({name: f.type for name, f in section.fields.items() if f.unique})
    rules: list[UniqueRule] = []
    for name, kind in unique.items():
        if name not in written:
            continue
        subs = UNIQUE_SUBFIELDS.get(kind, ())
        path = f"{name}.{subs[0]}" if len(subs) == 1 else name
        rules.append(UniqueRule(name, subs, path, kind is FieldType.EMAILS, _code(kind, name)))
    return rules


def _lowered(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, Mapping):
        return {k: _lowered(v) for k, v in sorted(value.items()) if v not in (None, "", [])}
    if isinstance(value, list | tuple):
        return [_lowered(v) for v in value]
    return value


def _read(out: Mapping[str, Any], path: str) -> Any:
    head, _, sub = path.partition(".")
    found = out.get(head)
    if sub:
        return found.get(sub) if isinstance(found, Mapping) else None
    return found


@dataclass(frozen=True)
class MatchPlan:
    """One ``match`` rule that is not a Twenty-unique field."""

    fields: tuple[str, ...]

    @property
    def path(self) -> str:
        """The rule's name in match keys (``oplaExternalId``, ``name+address``)."""
        return "+".join(self.fields)

    def value(self, out: Mapping[str, Any]) -> UniqueValue | None:
        """The match key of a payload, or None when a field has no value."""
        found = [_lowered(_read(out, path)) for path in self.fields]
        if any(v in (None, "", [], {}) for v in found):
            return None
        if len(found) == 1 and isinstance(found[0], str | int | float):
            return UniqueValue(self.path, str(found[0]))
        return UniqueValue(self.path, digest(found))


def match_plans(rules: tuple[MatchRule, ...], unique: list[UniqueRule]) -> list[MatchPlan]:
    """The match rules left once Twenty-unique single fields are taken out."""
    covered = {rule.field for rule in unique} | {rule.path for rule in unique}
    return [
        MatchPlan(rule.fields)
        for rule in rules
        if not (len(rule.fields) == 1 and rule.fields[0] in covered)
    ]
