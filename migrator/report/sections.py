"""The hand-off lists that join the state with the bundle: locked, joint, renumbered, care plans.

Each function reads the source rows it needs from the bundle, finds where each row is in Twenty
through the state's record map (by source key), and returns frozen rows. Values are shown only
when the spec says the field is not sensitive.
"""

from __future__ import annotations

from collections.abc import Iterable

from migrator.addresses import record_address
from migrator.report.model import (
    CarePlanSchedule,
    JointLink,
    JointSection,
    LockedRecord,
    LockedSection,
    RenumberedRecord,
)
from migrator.sources.bundle import Bundle
from migrator.spec.models import Mapping, MigrationSpec, ValueSpec, as_value_spec
from migrator.spec.sensitivity import is_value_sensitive
from migrator.spec.transforms import PrefixTransform
from migrator.state import StateReader

LOCK_INSTRUCTIONS = (
    "Twenty's permissions are per object and per field (field-level permissions since v1.4), "
    "never per record: a locked record cannot be locked on its own.",
    "Review the records below with the customer first: share a view filtered on the flag field "
    "being true.",
    "Then, in Settings → Roles, for each role that must not edit them, make the object's fields "
    "read-only (field permissions) or remove the object's edit permission; keep editing for the "
    "roles that maintain them.",
    "The flag field itself should be read-only for everyone but admins, so nobody unlocks a "
    "record by editing it.",
)


class TwentyIds:
    """Where source records are in Twenty, per mapping, from the state's record map."""

    def __init__(self, state: StateReader | None) -> None:
        self.state = state
        self._cache: dict[str, dict[str, tuple[str, str]]] = {}

    def of(self, mapping: str) -> dict[str, tuple[str, str]]:
        """Source key → (Twenty id, status) for one mapping."""
        if mapping not in self._cache:
            found: dict[str, tuple[str, str]] = {}
            if self.state is not None:
                for entry in self.state.records(mapping):
                    found[entry.source_key] = (entry.twenty_id, entry.status.value)
            self._cache[mapping] = found
        return self._cache[mapping]

    def twenty_id(self, mapping: str, source_key: str) -> str | None:
        """The record's Twenty id, or None when the state has no record for it."""
        found = self.of(mapping).get(source_key)
        return found[0] if found else None

    def where(self, mapping: str, source_key: str) -> tuple[str | None, str]:
        """The Twenty id and how the record stands (written, quarantined, held, not applied)."""
        found = self.of(mapping).get(source_key)
        if found is not None:
            return found
        if self.state is None:
            return None, "not applied"
        address = record_address(mapping, source_key)
        if self.state.quarantine_entry(address) is not None:
            return None, "quarantined"
        if self.state.hold_entry(address) is not None:
            return None, "held"
        return None, "not applied"


def _fields_reading(mapping: Mapping, path: str) -> list[tuple[str, ValueSpec]]:
    found: list[tuple[str, ValueSpec]] = []
    for name, raw in mapping.fields.items():
        if isinstance(raw, dict):
            continue
        value = as_value_spec(raw)
        if value.from_ == path:
            found.append((name, value))
    return found


def locked_section(spec: MigrationSpec, bundle: Bundle, ids: TwentyIds) -> LockedSection:
    """Every record flagged locked in the source, per mapping, and the flag's Twenty field."""
    flags: dict[str, str] = {}
    records: list[LockedRecord] = []
    for name, mapping in spec.objects.items():
        obj = bundle.schema.object(mapping.from_)
        if obj is None or obj.field("locked") is None:
            continue
        carried = _fields_reading(mapping, "locked")
        if carried:
            flags[mapping.to] = carried[0][0]
        for record in bundle.read(mapping.from_):
            if record.fields.get("locked") is True:
                twenty_id, state = ids.where(name, record.key)
                records.append(
                    LockedRecord(
                        mapping=name,
                        source_key=record.key,
                        twenty_object=mapping.to,
                        twenty_id=twenty_id,
                        state=state,
                    )
                )
    return LockedSection(flag_fields=flags, records=tuple(records), instructions=LOCK_INSTRUCTIONS)


def _switch_on(spec: MigrationSpec, when: str | None, unless: str | None) -> bool:
    if when is not None and not spec.switches.get(when, False):
        return False
    return not (unless is not None and spec.switches.get(unless, False))


def _joint_field(spec: MigrationSpec, mapping: Mapping, group: str) -> tuple[str, str, ValueSpec]:
    for name, raw in mapping.fields.items():
        if isinstance(raw, dict):
            continue
        value = as_value_spec(raw)
        if not _switch_on(spec, value.when, value.unless):
            continue
        if value.ref is not None and value.by == group and value.key == group:
            return name, "relation", value
        if value.from_ == group:
            return name, "text", value
    return "", "not mapped", as_value_spec(group)


def joint_section(
    spec: MigrationSpec, bundle: Bundle, ids: TwentyIds, group: str = "opportunities_joint_id"
) -> JointSection | None:
    """The co-selling groups, each member with the opportunity it is linked to."""
    found: list[tuple[str, Mapping]] = []
    for mapping_name, candidate in spec.objects.items():
        obj = bundle.schema.object(candidate.from_)
        if obj is not None and obj.field(group) is not None:
            found.append((mapping_name, candidate))
    if not found:
        return None
    name, mapping = found[0]
    field, mode, value = _joint_field(spec, mapping, group)
    members: dict[str, list[tuple[str, str]]] = {}
    order_by = value.order_by or "created_at"
    for record in bundle.read(mapping.from_):
        key = record.fields.get(group)
        if isinstance(key, str) and key:
            members.setdefault(key, []).append((str(record.fields.get(order_by) or ""), record.key))
    links: list[JointLink] = []
    for joint_id, rows in sorted(members.items()):
        ordered = [k for _, k in sorted(rows)]
        for source_key in ordered:
            others = [k for k in ordered if k != source_key or not value.not_self]
            target = (others[-1] if value.pick == "last" else others[0]) if others else None
            links.append(
                JointLink(
                    group=joint_id,
                    source_key=source_key,
                    twenty_id=ids.twenty_id(name, source_key),
                    linked_source_key=target,
                    linked_twenty_id=ids.twenty_id(name, target) if target else None,
                )
            )
    return JointSection(field=field or None, mode=mode, links=tuple(links))


def renumbered(spec: MigrationSpec, bundle: Bundle, ids: TwentyIds) -> tuple[RenumberedRecord, ...]:
    """Records whose mapping prefixes a source value (the ``opla_`` invoice numbers)."""
    rows: list[RenumberedRecord] = []
    for name, mapping in spec.objects.items():
        for field, value in _prefixed(mapping):
            hidden = is_value_sensitive(spec, name, field, bundle.schema)
            prefix = "".join(t.prefix for t in value.transforms if isinstance(t, PrefixTransform))
            for record in bundle.read(mapping.from_):
                raw = record.get(value.from_ or "")
                text = None if raw is None or hidden else str(raw)
                rows.append(
                    RenumberedRecord(
                        mapping=name,
                        field=f"{mapping.to}.{field}",
                        source_key=record.key,
                        source_value=text,
                        twenty_value=None if text is None else prefix + text,
                        twenty_id=ids.twenty_id(name, record.key),
                    )
                )
    return tuple(rows)


def _prefixed(mapping: Mapping) -> Iterable[tuple[str, ValueSpec]]:
    for field, raw in mapping.fields.items():
        if isinstance(raw, dict):
            continue
        value = as_value_spec(raw)
        if value.from_ and any(isinstance(t, PrefixTransform) for t in value.transforms):
            yield field, value


def care_plans(bundle: Bundle) -> tuple[CarePlanSchedule, ...]:
    """Care plans with instalment schedules (AeronaClinic): each needs manual sign-off."""
    if bundle.schema.object("care_plans") is None:
        return ()
    found: list[CarePlanSchedule] = []
    for record in bundle.read("care_plans"):
        schedule = record.fields.get("instalments")
        count = len(schedule) if isinstance(schedule, list) else 0
        found.append(CarePlanSchedule(source_key=record.key, instalments=count))
    return tuple(found)
