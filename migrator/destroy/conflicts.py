"""What users did since the migration that a destroy would break or lose.

Before a destroy deletes anything, :func:`find_conflicts` reads every live record of the
workspace's objects once (200 a request) and reports, per kind:

* ``points_at`` — a record of theirs whose relation (a ``…Id`` join column) points at a record
  migrator would destroy (the relation would be emptied or the record cascaded away);
* ``edited`` — a record migrator wrote whose ``updatedAt`` is later than the end of the run that
  last wrote it, and not in the future: someone edited it since (their edit would be lost). A
  source ``updatedAt`` written as it was may lie in the future (it is then no edit: an edit
  stamps the time it was made); one that lies between the run and now cannot be told from an
  edit and is reported;
* ``filled_field`` — a record of theirs with a value in a custom field migrator created on an
  object that stays (the field, and the value, would be dropped);
* ``uses_option`` — a record of theirs set to a SELECT option migrator added and would remove;
* ``in_dropped_object`` — a record of theirs in a custom object migrator created and would drop.

"Theirs" means not in the state's record map. Only ids, addresses, object and field names are
reported, never a value. The comparison of ``updatedAt`` with the run journal assumes the
destination's clock and migrator's agree to within :data:`CLOCK_SLACK_S` seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from migrator.addresses import parse_address
from migrator.state.model import RecordEntry, RunEntry, SchemaKind, SchemaResource
from migrator.state.store import StateReader
from migrator.twenty.client import TwentyClient
from migrator.twenty.models import ObjectMetadata

CLOCK_SLACK_S = 1.0
"""How far a record's ``updatedAt`` may pass its run's end before it counts as edited."""
EXAMPLES = 20
"""Conflicts listed per kind (all are counted)."""


@dataclass(frozen=True)
class Conflict:
    """One thing a user did that the destroy would undo or break (no values)."""

    kind: str
    twenty_object: str
    record_id: str
    detail: str


@dataclass
class ConflictReport:
    """Every conflict found, and the read requests spent finding them."""

    conflicts: list[Conflict] = field(default_factory=list)
    reads: int = 0

    def by_kind(self) -> dict[str, list[Conflict]]:
        """Conflicts grouped by kind, kinds sorted."""
        grouped: dict[str, list[Conflict]] = {}
        for item in sorted(self.conflicts, key=lambda c: (c.kind, c.twenty_object, c.record_id)):
            grouped.setdefault(item.kind, []).append(item)
        return grouped

    def lines(self) -> list[str]:
        """A bounded listing, for the refusal and the CLI."""
        out = []
        for kind, items in self.by_kind().items():
            out.append(f"{kind}: {len(items)}")
            out.extend(f"  {c.twenty_object} {c.record_id}: {c.detail}" for c in items[:EXAMPLES])
            if len(items) > EXAMPLES:
                out.append(f"  … and {len(items) - EXAMPLES} more")
        return out


def _parse_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def run_ends(runs: Iterable[RunEntry]) -> dict[str, dt.datetime]:
    """When each run stopped writing: its end, or (killed runs) the next run's start, or now."""
    ordered = list(runs)
    ends: dict[str, dt.datetime] = {}
    for index, run in enumerate(ordered):
        end = _parse_time(run.finished_at)
        if end is None and index + 1 < len(ordered):
            end = _parse_time(ordered[index + 1].started_at)
        ends[run.run_id] = end or dt.datetime.now(dt.UTC)
    return ends


def _has_value(value: Any) -> bool:
    if value is None or value == "" or value == [] or value is False:
        return False
    if isinstance(value, Mapping):
        return any(_has_value(v) for k, v in value.items() if k not in ("source", "currencyCode"))
    return True


@dataclass
class _Targets:
    """What the scan looks for, prepared from the state (a builder)."""

    destroyed: set[str] = field(default_factory=set)
    """Ids of records migrator created (the destroy deletes them)."""
    ours: dict[str, RecordEntry] = field(default_factory=dict)
    """Every record in the state, by Twenty id."""
    fields: dict[str, list[str]] = field(default_factory=dict)
    """Custom fields migrator created, by object (objects it created excluded)."""
    options: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    """Options migrator added, by object and field."""
    dropped: set[str] = field(default_factory=set)
    """Custom objects migrator created."""

    def add_schema(self, resource: SchemaResource) -> None:
        if not resource.created_by_us:
            return
        parts = parse_address(resource.address).parts
        if resource.kind is SchemaKind.OBJECT:
            self.dropped.add(parts[0])
        elif resource.kind is SchemaKind.OPTION:
            self.options.setdefault(parts[0], {}).setdefault(parts[1], set()).add(parts[2])
        else:
            name = f"{parts[1]}Id" if resource.kind is SchemaKind.RELATION else parts[1]
            self.fields.setdefault(parts[0], []).append(name)


def _prepare(state: StateReader) -> _Targets:
    targets = _Targets()
    for entry in state.records():
        targets.ours[entry.twenty_id] = entry
        if entry.pre_image is None:
            targets.destroyed.add(entry.twenty_id)
    for resource in state.schema_resources():
        targets.add_schema(resource)
    targets.fields = {o: f for o, f in targets.fields.items() if o not in targets.dropped}
    return targets


def _join_columns(meta: ObjectMetadata) -> list[str]:
    columns = []
    for item in meta.fields:
        settings = item.settings or {}
        if item.type == "RELATION" and settings.get("relationType") == "MANY_TO_ONE":
            columns.append(str(settings.get("joinColumnName") or f"{item.name}Id"))
    return columns


def _check_theirs(
    targets: _Targets, meta: ObjectMetadata, record: Mapping[str, Any], columns: list[str]
) -> Iterator[Conflict]:
    obj, rid = meta.name_singular, str(record.get("id"))
    if obj in targets.dropped:
        yield Conflict("in_dropped_object", obj, rid, f"in {obj}, which destroy drops")
        return
    for column in columns:
        value = record.get(column)
        if isinstance(value, str) and value in targets.destroyed:
            yield Conflict(
                "points_at", obj, rid, f"{column} points at {targets.ours[value].address}"
            )
    for name in targets.fields.get(obj, ()):
        if _has_value(record.get(name)):
            yield Conflict("filled_field", obj, rid, f"has a value in migrator's field {name}")
    for name, values in targets.options.get(obj, {}).items():
        value = record.get(name)
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        for option in sorted(chosen & values):
            yield Conflict("uses_option", obj, rid, f"{name} is {option}, which destroy removes")


def _check_ours(
    entry: RecordEntry, record: Mapping[str, Any], ends: Mapping[str, dt.datetime]
) -> Iterator[Conflict]:
    updated = _parse_time(record.get("updatedAt"))
    end = ends.get(entry.run_id or "")
    if updated is None or end is None:
        return
    now = dt.datetime.now(dt.UTC)
    if (updated - end).total_seconds() > CLOCK_SLACK_S and (
        now - updated
    ).total_seconds() > -CLOCK_SLACK_S:
        yield Conflict(
            "edited", entry.twenty_object, entry.twenty_id, f"{entry.address} edited since"
        )


def find_conflicts(
    client: TwentyClient, state: StateReader, objects: Iterable[ObjectMetadata]
) -> ConflictReport:
    """Scan every active object's live records once (see the module docstring)."""
    targets = _prepare(state)
    written_objects = {entry.twenty_object for entry in targets.ours.values()}
    ends = run_ends(state.runs())
    report = ConflictReport()
    if not targets.ours and not targets.dropped and not targets.fields and not targets.options:
        return report
    before = client.stats.data_requests
    for meta in sorted(objects, key=lambda o: o.name_singular):
        if not meta.is_active or meta.name_singular == "workspaceMember":
            continue
        columns = _join_columns(meta)
        relevant = (
            columns
            or meta.name_singular in targets.dropped
            or meta.name_singular in targets.fields
            or meta.name_singular in targets.options
            or meta.name_singular in written_objects
        )
        if not relevant:
            continue
        for record in client.records.iter(meta.name_plural):
            entry = targets.ours.get(str(record.get("id")))
            found = (
                _check_ours(entry, record, ends)
                if entry is not None
                else _check_theirs(targets, meta, record, columns)
            )
            report.conflicts.extend(found)
    report.reads = client.stats.data_requests - before
    return report
