"""The schema phase: custom objects, fields, relations and options, each recorded in the state.

Schema changes run first, in the plan's order, through the metadata API (not rate-limited). Each
created resource is committed to the state as soon as Twenty returns it, with its metadata id;
options added to a field migrator did not create are recorded with the field's whole option list
as it was just before (destroy writes it back). A create whose resource already exists in Twenty
is adopted when this plan's earlier, interrupted run made it (the answer was lost before the
state was written); otherwise someone else made it since the plan and apply refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from migrator.apply.audit import AuditLog
from migrator.apply.model import SchemaReport
from migrator.errors import ApplyError
from migrator.model import Action
from migrator.plan.model import SchemaChange
from migrator.state.model import SchemaKind, SchemaResource
from migrator.state.store import StateStore
from migrator.twenty.client import TwentyClient
from migrator.twenty.metadata import NewField, NewObject
from migrator.twenty.models import FieldMetadata, ObjectMetadata, SelectOption

_KINDS = {
    "object": SchemaKind.OBJECT,
    "field": SchemaKind.FIELD,
    "relation": SchemaKind.RELATION,
    "options": SchemaKind.OPTION,
}
REPLAN = "make a new plan with `migrator plan SPEC -o FILE`, review it, and apply that"


@dataclass
class SchemaRun:
    """The schema phase of one run (a builder; :meth:`report` when done)."""

    client: TwentyClient
    store: StateStore
    run_id: str
    resuming: bool
    audit: AuditLog
    counts: dict[str, int] = field(default_factory=dict)
    _objects: dict[str, ObjectMetadata] = field(default_factory=dict)

    def refresh(self) -> dict[str, ObjectMetadata]:
        """Read Twenty's objects and fields again (after a create)."""
        self._objects = {o.name_singular: o for o in self.client.metadata.list_objects()}
        return self._objects

    def objects(self) -> dict[str, ObjectMetadata]:
        """Twenty's objects by singular name (read once; read again after an object is created
        or something deleted; a created field is added in place)."""
        return self._objects or self.refresh()

    def run(self, changes: Iterable[SchemaChange]) -> SchemaReport:
        """Apply ``changes`` in order."""
        for change in changes:
            self._one(change)
        return SchemaReport(
            created=self.counts.get("created", 0),
            updated=self.counts.get("updated", 0),
            deleted=self.counts.get("deleted", 0),
            already_done=self.counts.get("already_done", 0),
        )

    def _bump(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def _one(self, change: SchemaChange) -> None:
        if change.action is Action.NOOP:
            return
        recorded = self.store.schema_resource(change.address)
        if change.action is Action.CREATE and recorded is not None:
            self._bump("already_done")
            return
        if change.action is Action.DELETE and recorded is None and self.resuming:
            self._bump("already_done")
            return
        if change.action is Action.CREATE:
            resource = self._create(change)
            self._record(resource, change, "create")
            self._bump("created")
        elif change.action is Action.UPDATE:
            resource = self._update(change, recorded)
            self._record(resource, change, "update")
            self._bump("updated")
        elif change.action is Action.DELETE:
            self._delete(change, recorded)
            with self.store.batch(run_id=self.run_id) as tx:
                tx.forget_schema_resource(change.address)
            self.audit.event("schema", {"address": change.address, "action": "delete"})
            self._bump("deleted")
        else:
            raise ApplyError(
                f"{change.address}: apply cannot {change.action.value} a schema resource",
                hint=REPLAN,
            )

    def _record(self, resource: SchemaResource, change: SchemaChange, action: str) -> None:
        with self.store.batch(run_id=self.run_id) as tx:
            tx.record_schema_resource(resource)
        fields = {"address": change.address, "action": action, "twenty_id": resource.twenty_id}
        self.audit.event("schema", fields)
        self.audit.flush()

    # --- create -------------------------------------------------------------------------
    def _object(self, name: str, change: SchemaChange) -> ObjectMetadata:
        found = self.objects().get(name) or self.refresh().get(name)
        if found is None:
            raise ApplyError(
                f"{change.address}: Twenty has no object {name!r}",
                detail="The object was removed from Twenty since the plan was made.",
                hint=REPLAN,
            )
        return found

    def _exists(self, change: SchemaChange, existing: Any) -> None:
        if not self.resuming:
            raise ApplyError(
                f"{change.address} already exists in Twenty: nothing was written for it",
                detail="It was created by someone else after the plan was made.",
                hint=REPLAN,
            )
        del existing  # made by this plan's interrupted run: adopted below

    def _create(self, change: SchemaChange) -> SchemaResource:
        after: Mapping[str, Any] = change.after if isinstance(change.after, Mapping) else {}
        kind = _KINDS[change.kind]
        if change.kind == "object":
            existing = self.objects().get(change.twenty_object)
            if existing is not None:
                self._exists(change, existing)
                made_id = existing.id
            else:
                made_id = self.client.metadata.create_object(NewObject.model_validate(after)).id
                self.refresh()
            return SchemaResource(
                address=change.address, kind=kind, twenty_id=made_id, created_by_us=True
            )
        if change.kind == "options":
            return self._add_options(change)
        obj = self._object(change.twenty_object, change)
        existing_field = obj.field(change.name)
        if existing_field is not None:
            self._exists(change, existing_field)
            return SchemaResource(
                address=change.address, kind=kind, twenty_id=existing_field.id, created_by_us=True
            )
        if change.kind == "relation" and "relationCreationPayload" not in after:
            made = self._create_relation(change, obj, after)
        else:
            made = self.client.metadata.create_field(self._new_field(change, obj, after))
        self._objects[obj.name_singular] = obj.model_copy(update={"fields": (*obj.fields, made)})
        return SchemaResource(
            address=change.address, kind=kind, twenty_id=made.id, created_by_us=True
        )

    def _new_field(
        self, change: SchemaChange, obj: ObjectMetadata, after: Mapping[str, Any]
    ) -> NewField:
        payload = dict(after)
        payload["objectMetadataId"] = obj.id
        relation = payload.get("relationCreationPayload")
        if isinstance(relation, Mapping):
            relation = dict(relation)
            target = relation.pop("targetObjectName", None) or payload.pop("target", None)
            known_ids = {o.id for o in self.objects().values()}
            if relation.get("targetObjectMetadataId") not in known_ids:
                name = str(target or change.twenty_object)
                relation["targetObjectMetadataId"] = self._object(name, change).id
            payload["relationCreationPayload"] = relation
        payload.pop("target", None)
        return NewField.model_validate(payload)

    def _create_relation(
        self, change: SchemaChange, obj: ObjectMetadata, after: Mapping[str, Any]
    ) -> FieldMetadata:
        """A MANY_TO_ONE relation from the planner's ``{name, label, target, targetFieldLabel}``."""
        target = self._object(str(after.get("target") or change.twenty_object), change)
        return self.client.metadata.create_relation(
            obj.id,
            str(after.get("name") or change.name),
            str(after.get("label") or change.name),
            target_object_id=target.id,
            target_field_label=str(after.get("targetFieldLabel") or obj.label_plural),
            icon=after.get("icon"),
            target_field_icon=after.get("targetFieldIcon"),
            description=after.get("description"),
        )

    # --- options ------------------------------------------------------------------------
    def _options_field(self, change: SchemaChange) -> FieldMetadata:
        obj = self._object(change.twenty_object, change)
        found = obj.field(change.name)
        if found is None:
            raise ApplyError(
                f"{change.address}: Twenty has no field {change.twenty_object}.{change.name}",
                hint=REPLAN,
            )
        return self.client.metadata.get_field(found.id)

    def _add_options(self, change: SchemaChange) -> SchemaResource:
        after = change.after
        raw = after.get("options", [after]) if isinstance(after, Mapping) else after or []
        wanted = [SelectOption.model_validate(o) for o in raw]
        current = self._options_field(change)
        present = {o.value for o in current.options or ()}
        if wanted and all(o.value in present for o in wanted) and self.resuming:
            before = change.before if isinstance(change.before, list) else None
        else:
            before = [o.model_dump(mode="json", by_alias=True) for o in current.options or ()]
            self.client.metadata.add_select_options(current.id, wanted)
        return SchemaResource(
            address=change.address,
            kind=SchemaKind.OPTION,
            twenty_id=current.id,
            created_by_us=True,
            options_before=tuple(before) if before is not None else None,
        )

    # --- update and delete --------------------------------------------------------------
    def _resource_id(self, change: SchemaChange, recorded: SchemaResource | None) -> str:
        if recorded is not None and recorded.twenty_id:
            return recorded.twenty_id
        obj = self._object(change.twenty_object, change)
        if change.kind == "object":
            return obj.id
        found = obj.field(change.name)
        if found is None:
            raise ApplyError(f"{change.address}: Twenty has no such field", hint=REPLAN)
        return found.id

    def _update(self, change: SchemaChange, recorded: SchemaResource | None) -> SchemaResource:
        field_id = self._resource_id(change, recorded)
        after = change.after if isinstance(change.after, Mapping) else {}
        if change.kind == "options":
            return self._add_options(change)
        self.client.metadata.update_field(field_id, after)
        return SchemaResource(
            address=change.address,
            kind=_KINDS[change.kind],
            twenty_id=field_id,
            created_by_us=recorded.created_by_us if recorded is not None else False,
            options_before=recorded.options_before if recorded is not None else None,
        )

    def _delete(self, change: SchemaChange, recorded: SchemaResource | None) -> None:
        resource_id = self._resource_id(change, recorded)
        if change.kind == "object":
            self.client.metadata.delete_object(resource_id)
        elif change.kind == "options":
            value = change.address.rsplit(".", 1)[-1]
            self.client.metadata.remove_select_options(resource_id, [value])
        else:
            self.client.metadata.delete_field(resource_id)
        self._objects = {}  # read again when next needed
