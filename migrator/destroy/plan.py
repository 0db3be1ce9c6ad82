"""The destroy plan: the state read backwards into an ordinary plan of kind ``destroy``.

Rollback is not a special code path (style.md 3.3): :func:`build_destroy_plan` reads the state's
record map and schema resources and writes a plan file the executor runs like any other:

* one ``delete`` record change per record in the state, phase by phase in the *reverse* of the
  graph's apply order (children before parents; records of mappings the spec no longer has come
  first). The executor destroys what migrator created (``id[in]``, 200 per request, permanent)
  and puts back the pre-image of what it merged into or restored (batch upsert with the original
  ``updatedAt``; a restored record is soft-deleted again by one PATCH with its ``deletedAt`` and
  ``updatedAt``, capture 131);
* one ``delete`` schema change per resource migrator created or changed, in the order that
  keeps Twenty consistent: options added to standard fields (the list goes back to what it was),
  then relations, then fields, then objects. The executor runs a destroy plan's schema changes
  after its records (a pre-image may still name a field that is about to go).

Records with uploaded files are listed in a warning: a destroyed attachment takes its stored
file with it, and a record whose text embeds images takes the attachments holding them
(:func:`migrator.apply.inline_images.embedded_attachment_ids`, one more request per 200).
The plan carries no source fingerprint (it is made from the state alone, so a
changed or missing bundle does not stop a rollback) and is bound, like every plan, to the
state's lineage and serial and to the destination. Its budget counts every request it will make.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from migrator.addresses import AddressKind, parse_address
from migrator.apply.inline_images import embedded_attachment_ids
from migrator.identity import twenty_id
from migrator.model import Action
from migrator.plan.build import PlanBuilder, PlanContext
from migrator.plan.model import ApiBudget, PlanHeader, RecordChange, SchemaChange
from migrator.plan.payloads import payload_digest
from migrator.state.model import RecordEntry, RecordStatus, SchemaKind, SchemaResource
from migrator.state.store import StateReader

CHUNK = 200
"""Ids per ``DELETE … id[in]`` request and records per batch upsert."""

#: Order in which schema resources are removed (options first, objects last).
_SCHEMA_ORDER = {
    SchemaKind.OPTION: 0,
    SchemaKind.RELATION: 1,
    SchemaKind.FIELD: 2,
    SchemaKind.OBJECT: 3,
}
_CHANGE_KIND = {
    SchemaKind.OPTION: "options",
    SchemaKind.RELATION: "relation",
    SchemaKind.FIELD: "field",
    SchemaKind.OBJECT: "object",
}


@dataclass
class _Tally:
    """What the record part of a destroy plan costs (a builder)."""

    destroy: dict[str, int] = field(default_factory=dict)
    """Records to destroy, by Twenty object."""
    put_back: dict[str, int] = field(default_factory=dict)
    """Pre-images to put back, by Twenty object."""
    re_delete: int = 0
    """Restored records to soft-delete again (one PATCH each)."""
    embedded: dict[str, int] = field(default_factory=dict)
    """Attachments of embedded images destroyed with their record, by the record's object."""

    def add(self, entry: RecordEntry) -> None:
        obj = entry.twenty_object
        if entry.pre_image is None:
            self.destroy[obj] = self.destroy.get(obj, 0) + 1
            held = embedded_attachment_ids(obj, entry.twenty_id, entry.file_ids)
            if held:
                self.embedded[obj] = self.embedded.get(obj, 0) + len(held)
            return
        self.put_back[obj] = self.put_back.get(obj, 0) + 1
        if entry.pre_image.deleted_at is not None:
            self.re_delete += 1


def phase_order(state_mappings: Iterable[str], apply_phases: Sequence[str]) -> list[str]:
    """The destroy phases: ``mapping.<m>`` of every mapping in the state, in the reverse of
    ``apply_phases`` (children first); mappings the graph no longer has come first, sorted."""
    rank = {phase: index for index, phase in enumerate(apply_phases)}
    phases = {f"mapping.{m}" for m in state_mappings}
    unknown = sorted(p for p in phases if p not in rank)
    known = sorted((p for p in phases if p in rank), key=lambda p: rank[p], reverse=True)
    return [*unknown, *known]


def _delete_change(entry: RecordEntry, twenty_id: str, phase: str) -> RecordChange:
    existing = entry.twenty_id if entry.twenty_id != twenty_id else None
    if entry.pre_image is None:
        reason = "created by migrator: destroyed"
    elif entry.status is RecordStatus.RESTORED:
        reason = "restored by migrator: pre-image put back and soft-deleted again"
    else:
        reason = "merged into by migrator: pre-image put back"
    return RecordChange(
        address=entry.address,
        mapping=entry.mapping,
        source_key=entry.source_key,
        twenty_object=entry.twenty_object,
        twenty_id=twenty_id,
        action=Action.DELETE,
        reason=reason,
        payload_digest=payload_digest({"delete": entry.twenty_id}),
        phase=phase,
        existing_id=existing,
    )


def schema_deletes(resources: Iterable[SchemaResource]) -> tuple[SchemaChange, ...]:
    """One ``delete`` per schema resource migrator created (options: put the list back)."""
    changes = []
    for resource in sorted(resources, key=lambda r: (_SCHEMA_ORDER[r.kind], r.address)):
        if not resource.created_by_us:
            continue
        address = parse_address(resource.address)
        names = address.parts
        obj = names[0]
        name = names[1] if len(names) > 1 else names[0]
        if address.kind is AddressKind.OPTION:
            reason = f"option {names[2]} added by migrator: removed (the option list goes back)"
        else:
            reason = f"{resource.kind.value} created by migrator: dropped"
        changes.append(
            SchemaChange(
                address=resource.address,
                action=Action.DELETE,
                kind=_CHANGE_KIND[resource.kind],  # type: ignore[arg-type]
                twenty_object=obj,
                name=name,
                reason=reason,
                before=list(resource.options_before) if resource.options_before else None,
            )
        )
    return tuple(changes)


def destroy_budget(
    tally: _Tally, schema: Sequence[SchemaChange], per_minute: int, reads_for_plan: int
) -> ApiBudget:
    """Every request the destroy makes, by kind (metadata is not rate-limited)."""
    requests = {
        "batch_destroy": sum(math.ceil(n / CHUNK) for n in tally.destroy.values())
        + sum(math.ceil(n / CHUNK) for n in tally.embedded.values()),
        "batch_upsert": sum(math.ceil(n / CHUNK) for n in tally.put_back.values()),
        "patch_one": tally.re_delete,
        "metadata": len(schema) + sum(1 for c in schema if c.kind == "options") + 1,
    }
    requests = {kind: count for kind, count in sorted(requests.items()) if count}
    limited = sum(count for kind, count in requests.items() if kind != "metadata")
    return ApiBudget(
        requests=requests,
        total_requests=sum(requests.values()),
        rate_limit_per_minute=per_minute,
        estimated_seconds=round(limited / per_minute * 60.0, 1),
        reads_for_plan=reads_for_plan,
    )


def build_destroy_plan(
    state: StateReader,
    context: PlanContext,
    *,
    apply_phases: Sequence[str],
    namespace: uuid.UUID,
    per_minute: int,
    reads_for_plan: int,
    out: Path | None,
) -> PlanHeader:
    """Write the destroy plan of ``state`` to ``out`` (or only return its header).

    ``namespace`` gives each record its deterministic Twenty id (what a plan's ``twenty_id``
    holds; a merged record's own id goes to ``existing_id``). ``context.kind`` must be
    ``destroy``.
    """
    mappings = sorted({row.mapping for row in state.record_counts()})
    phases = phase_order(mappings, apply_phases)
    objects: dict[str, str] = {}
    builder = PlanBuilder(context, phases, objects, spool_dir=out.parent if out else None)
    schema = schema_deletes(state.schema_resources())
    builder.set_schema(schema, ())
    tally = _Tally()
    files: list[str] = []
    try:
        for phase in phases:
            builder.start_phase(phase)
            for entry in state.records(phase.split(".", 1)[1]):
                tally.add(entry)
                if entry.file_ids:
                    files.append(entry.address)
                own = twenty_id(namespace, entry.source_key)
                change = _delete_change(entry, own, phase)
                builder.add_change(change)
        if files:
            builder.warn(
                "uploaded_files",
                "files",
                "records whose uploaded files are removed with them (a destroyed attachment "
                "takes its stored file)",
                files,
            )
        budget = destroy_budget(tally, schema, per_minute, reads_for_plan)
    except BaseException:
        builder.discard()
        raise
    return builder.finish(budget, out)
