"""The source side of the audit: two streaming passes over the bundle, into a :class:`Tally`.

The first pass collects the keys references point at (ids, ``external_id``…). The second reads
every record of every object once and runs, per record: the reader's own findings, required
values, the field checks, the record rules, references (orphans), the unique keys (duplicates),
the locked flag, and collects the parent links and joint groups checked for cycles and single
members at the end. Memory holds keys and comparable unique values, never whole records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from migrator.audit.derive import read_path
from migrator.audit.model import MAX_EXAMPLES, Category, Level
from migrator.audit.rules import RecordRules
from migrator.audit.scope import ObjectScope
from migrator.audit.spec_checks import ValueCheck, run_value_checks
from migrator.audit.tally import CheckKey, Tally
from migrator.audit.uniques import UniqueKey
from migrator.audit.values import IDENTIFIER_CHECKS, Context, checks_of, field_issues
from migrator.sources.bundle import Bundle
from migrator.sources.records import SourceRecord
from migrator.sources.schema_types import SourceField, SourceObject, SourceType
from migrator.validate.findings import Finding, Issue, Severity
from migrator.validate.graphs import find_cycles, singleton_groups

#: Self references that form hierarchies (sources.md §7.7 "Graphs").
HIERARCHY_FIELDS = frozenset(
    {"parent_account_id", "parent_opportunity_id", "parentPracticeId", "mergedIntoPatientId"}
)
JOINT_FIELD = "opportunities_joint_id"
REFERENCE_HINT = "The record loads with the link left empty; fix the source or accept the loss."
CYCLE_HINT = "Break the cycle in the source (clear one parent); the records in it are quarantined."


@dataclass
class Hits:
    """How many records carry one value, and the first few of them."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, record_key: str) -> None:
        """Count one more record."""
        self.count += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(record_key)


@dataclass(frozen=True)
class _Ref:
    field: SourceField
    known: set[str] | None
    """The keys the reference must hit; None when the target object is not in the bundle."""
    hierarchy: dict[str, str | None] | None
    """For a self reference that forms a hierarchy: child id → parent id, filled here."""


@dataclass
class _Graphs:
    parents: dict[tuple[str, str], dict[str, str | None]] = field(default_factory=dict)
    joints: dict[str, str | None] = field(default_factory=dict)


def _text_key(value: object) -> str | None:
    if value is None or value == "" or isinstance(value, dict | list | bool):
        return None
    return str(value)


def reference_targets(objects: list[SourceObject]) -> dict[str, set[str]]:
    """Per referenced object, the fields references match (its primary key by default)."""
    wanted: dict[str, set[str]] = {}
    for obj in objects:
        for ref in obj.references:
            if ref.references:
                wanted.setdefault(ref.references, set()).add(ref.references_field or "")
    return wanted


def collect_keys(bundle: Bundle, wanted: dict[str, set[str]]) -> dict[tuple[str, str], set[str]]:
    """Pass 1: the values of every referenced (object, field); '' stands for the primary key."""
    keys: dict[tuple[str, str], set[str]] = {}
    for name in bundle.objects:
        fields = wanted.get(name)
        if not fields:
            continue
        sets = {f: keys.setdefault((name, f), set()) for f in fields}
        for record in bundle.read(name):
            for field_name, found in sets.items():
                value = record.id if not field_name else _text_key(record.fields.get(field_name))
                if value is not None and not value.startswith("line:"):
                    found.add(value)
    return keys


class SourceScan:
    """Pass 2 over one bundle; fills ``tally`` and returns record counts per object."""

    def __init__(
        self,
        bundle: Bundle,
        scopes: dict[str, ObjectScope],
        uniques: dict[str, list[UniqueKey]],
        keys: dict[tuple[str, str], set[str]],
        tally: Tally,
        value_checks: dict[str, list[ValueCheck]],
        owner_paths: dict[str, list[str]],
        *,
        exported_at: dt.datetime,
        max_file_bytes: int,
        currency: str,
    ) -> None:
        self.bundle = bundle
        self.scopes = scopes
        self.uniques = uniques
        self.keys = keys
        self.tally = tally
        self.value_checks = value_checks
        self.owner_paths = owner_paths
        self.owner_refs: dict[str, Hits] = {}
        """Owner key → the records that reference it (through the spec's ``owner:`` values)."""
        self.lookups: dict[tuple[str, str], dict[str, Hits]] = {}
        """(Twenty object, unique path) → exact value → the records that will carry it."""
        self.rules = RecordRules(bundle, exported_at=exported_at, max_file_bytes=max_file_bytes)
        region = "VN" if bundle.system == "oplacrm" else "GB"
        self.ctx = Context(exported_on=exported_at.date(), currency=currency, phone_region=region)
        self.graphs = _Graphs()

    def run(self) -> dict[str, int]:
        """Read every object the bundle holds; return its record count per object."""
        counts: dict[str, int] = {}
        for name in self.bundle.objects:
            counts[name] = self._object(self.scopes[name])
        self._finish_graphs()
        return counts

    # -- one object ---------------------------------------------------------------------------

    def _object(self, scope: ObjectScope) -> int:
        obj = scope.obj
        checks = checks_of(obj)
        rules = self.rules.rules_for(obj)
        required = tuple(f for f in obj.fields if f.required and f.name != obj.primary_key)
        spec_checks = self.value_checks.get(obj.name, [])
        references = self._reference_plan(obj)
        joint = JOINT_FIELD in obj.field_names
        seen: list[dict[str, str]] = [{} for _ in self.uniques.get(obj.name, ())]
        count = 0
        for record in self.bundle.read(obj.name):
            count += 1
            for finding in record.findings:
                self._issue(scope, record, finding.field, finding, finding.field_only)
            for item in required:
                if _missing(record, item):
                    self._required(scope, record, item)
            for item, issue in field_issues(record, checks, self.ctx):
                self._issue(scope, record, item.name, issue, issue.field_only, item.check)
            for rule in rules:
                for name, issue in rule(record):
                    self._issue(scope, record, name, issue, issue.field_only)
            run_value_checks(spec_checks, record, self.tally)
            self._references(scope, record, references, joint)
            self._duplicates(obj.name, record, seen)
            self._owners(obj.name, record)
            if record.fields.get("locked") is True:
                self._locked(scope, record)
        return count

    def _level(self, scope: ObjectScope, name: str, severity: Severity, field_only: bool) -> Level:
        if severity is Severity.FIX:
            return Level.FIX
        if severity is Severity.ERROR and not field_only and scope.quarantines(name):
            return Level.ERROR
        return Level.WARN

    def _issue(
        self,
        scope: ObjectScope,
        record: SourceRecord,
        name: str,
        issue: Issue | Finding,
        field_only: bool,
        check: str | None = None,
    ) -> None:
        level = self._level(scope, name, issue.severity, field_only)
        category = Category.IDENTIFIERS if check in IDENTIFIER_CHECKS else Category.VALUES
        if issue.code in ("attachment_file_missing", "file_over_size_policy"):
            category = Category.FILES
        if issue.code == "missing_primary_key":
            category = Category.REQUIRED
        key = CheckKey(category, level, issue.code, scope.obj.name, name)
        self.tally.add(key, record.key, message=issue.message, hint=_hint(level, issue))

    def _required(self, scope: ObjectScope, record: SourceRecord, item: SourceField) -> None:
        level = Level.ERROR if scope.quarantines(item.name) else Level.WARN
        key = CheckKey(
            Category.REQUIRED, level, "missing_required_value", scope.obj.name, item.name
        )
        self.tally.add(
            key,
            record.key,
            message="a value the source system always sets is missing",
            hint="Fill it in the source, or the record is quarantined."
            if level is Level.ERROR
            else "The field is not migrated; the record still loads.",
        )

    def _locked(self, scope: ObjectScope, record: SourceRecord) -> None:
        key = CheckKey(Category.LOCKED, Level.INFO, "locked_record", scope.obj.name, "locked")
        self.tally.add(
            key,
            record.key,
            message="locked (read-only) in the source; the flag is carried, not enforced",
            hint="Twenty's permissions are per field, not per record: review these records and "
            "restrict edit access on the flag's object in Settings → Roles after go-live.",
        )

    # -- references and graphs ------------------------------------------------------------------

    def _reference_plan(self, obj: SourceObject) -> list[_Ref]:
        """Per reference field: the keys it must hit, and the hierarchy it builds (if any)."""
        plan: list[_Ref] = []
        for ref in obj.references:
            known = self.keys.get((ref.references or "", ref.references_field or ""))
            hierarchy = None
            if ref.references == obj.name and ref.name in HIERARCHY_FIELDS:
                hierarchy = self.graphs.parents.setdefault((obj.name, ref.name), {})
            plan.append(_Ref(ref, known, hierarchy))
        return plan

    def _references(
        self, scope: ObjectScope, record: SourceRecord, plan: list[_Ref], joint: bool
    ) -> None:
        fields = record.fields
        for item in plan:
            value = fields.get(item.field.name)
            if value is None and item.hierarchy is None:
                continue
            values = value if isinstance(value, list) else [value]
            targets = [t for t in (_text_key(v) for v in values) if t is not None]
            if item.known is not None and any(t not in item.known for t in targets):
                self._orphan(scope, record, item.field)
            if item.hierarchy is not None:
                item.hierarchy[record.id] = targets[0] if targets else None
        if joint:
            self.graphs.joints[record.id] = _text_key(fields.get(JOINT_FIELD))

    def _orphan(self, scope: ObjectScope, record: SourceRecord, ref: SourceField) -> None:
        quarantines = ref.required and scope.quarantines(ref.name)
        level = Level.ERROR if quarantines else Level.WARN
        key = CheckKey(Category.REFERENCES, level, "orphan_reference", scope.obj.name, ref.name)
        self.tally.add(
            key,
            record.key,
            message=f"reference to {ref.references} does not resolve inside the bundle",
            hint="A required link is missing: the record is quarantined."
            if quarantines
            else REFERENCE_HINT,
        )

    def _finish_graphs(self) -> None:
        for (name, field_name), parents in sorted(self.graphs.parents.items()):
            scope = self.scopes[name]
            level = Level.ERROR if scope.quarantines(field_name) else Level.WARN
            key = CheckKey(Category.HIERARCHY, level, "hierarchy_cycle", name, field_name)
            for cycle in find_cycles(parents):
                for member in cycle:
                    self.tally.add(
                        key,
                        f"{self.bundle.system}:{name}:{member}",
                        message="the record is part of a parent cycle",
                        hint=CYCLE_HINT,
                    )
        lonely = singleton_groups(self.graphs.joints)
        key = CheckKey(
            Category.REFERENCES,
            Level.WARN,
            "joint_group_single_member",
            "opportunities",
            JOINT_FIELD,
        )
        for member in lonely:
            self.tally.add(
                key,
                f"{self.bundle.system}:opportunities:{member}",
                message="joint group has only one member; there is no partner to link",
                hint="The group id is kept; no joint link is written.",
            )

    # -- duplicates -----------------------------------------------------------------------------

    def _duplicates(self, name: str, record: SourceRecord, seen: list[dict[str, str]]) -> None:
        for unique, values in zip(self.uniques.get(name, ()), seen, strict=True):
            if unique.exact is not None and unique.twenty_object and unique.twenty_path:
                exact = unique.exact(record)
                if exact is not None:
                    by_value = self.lookups.setdefault(
                        (unique.twenty_object, unique.twenty_path), {}
                    )
                    by_value.setdefault(exact, Hits()).add(record.key)
            value = unique.extract(record)
            if value is None:
                continue
            if value not in values:
                values[value] = record.key
                continue
            key = CheckKey(Category.DUPLICATES, unique.level, unique.code, name, unique.field)
            self.tally.add(key, record.key, message=unique.message, hint=unique.hint)

    def _owners(self, name: str, record: SourceRecord) -> None:
        for path in self.owner_paths.get(name, ()):
            owner = _text_key(read_path(record, path))
            if owner is not None:
                self.owner_refs.setdefault(owner, Hits()).add(record.key)


def _missing(record: SourceRecord, item: SourceField) -> bool:
    value = record.fields.get(item.name)
    if value is None and item.name in record.raw:
        return False  # present but of the wrong type: the reader reported it
    if item.type is SourceType.LIST:
        return not value
    return value is None or (isinstance(value, str) and not value.strip())


def _hint(level: Level, issue: Issue | Finding) -> str:
    if level is Level.ERROR:
        return "The record is quarantined with this reason; fix the source value."
    if level is Level.FIX:
        return "Normalised on the way; nothing to do."
    if issue.severity is Severity.ERROR:
        return "The value is dropped or not migrated; the record still loads."
    return "The record loads, flagged; the raw value is kept."


def iter_objects(bundle: Bundle) -> Iterator[SourceObject]:
    """The schema objects the bundle holds, in load order."""
    for name in bundle.objects:
        found = bundle.schema.object(name)
        if found is not None:
            yield found
