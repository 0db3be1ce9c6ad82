"""The schema diff: what the graph's schema nodes want against Twenty's metadata. Pure.

For each schema node (:mod:`migrator.graph`), in apply order: a custom object, field, relation
or option that Twenty lacks becomes a ``create`` :class:`SchemaChange` whose ``after`` is the
metadata payload apply sends; one that exists is left alone (no change is listed). A field that
exists with another type is an error (Twenty cannot change a field's type in place); every such
error is collected and raised at once as a :class:`~migrator.errors.PlanError`. Options of a
custom SELECT field that exists without them are added like options of a standard field.

Payload keys are Twenty's metadata names; ``object`` names the object by its singular name
because a new custom object has no metadata id until apply creates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from migrator.addresses import option_address
from migrator.errors import PlanError
from migrator.graph import GraphNode, NodeKind
from migrator.model import Action
from migrator.plan.model import PlanWarning, SchemaChange
from migrator.spec.models import FieldSpec, MigrationSpec, OptionSpec
from migrator.twenty.models import FieldMetadata, ObjectMetadata

ChangeKind = Literal["object", "field", "relation", "options"]

SOURCE_ID_LABEL = "Migration source id"
SOURCE_DELETED_LABEL = "Deleted in the source"


@dataclass
class SchemaDiff:
    """The result: changes in apply order, warnings, and errors (raised by :func:`raise_errors`)."""

    changes: list[SchemaChange] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _option_payload(option: OptionSpec) -> dict[str, Any]:
    found: dict[str, Any] = {"value": option.value, "label": option.label}
    if option.color is not None:
        found["color"] = option.color
    if option.position is not None:
        found["position"] = option.position
    return found


def _options_before(meta: FieldMetadata) -> list[dict[str, Any]]:
    return [o.model_dump(mode="json", by_alias=True, exclude_none=True) for o in meta.options or ()]


def field_payload(obj: str, name: str, item: FieldSpec) -> dict[str, Any]:
    """The metadata payload of a custom field (or relation) from its spec."""
    payload: dict[str, Any] = {
        "object": obj,
        "name": name,
        "type": item.type.value,
        "label": item.label,
    }
    optional = {"description": item.description, "icon": item.icon}
    payload.update({k: v for k, v in optional.items() if v is not None})
    if item.to is not None:
        payload["target"] = item.to
        payload["targetFieldLabel"] = item.inverse_label or obj
        payload["onDelete"] = item.on_delete
        return payload
    payload["isNullable"] = item.nullable
    if item.unique:
        payload["isUnique"] = True
    if item.has_default:
        payload["defaultValue"] = item.default
    if item.options:
        payload["options"] = [_option_payload(o) for o in item.options]
    settings = {"decimals": item.decimals, "maxNumberOfValues": item.max_values}
    if any(v is not None for v in settings.values()):
        payload["settings"] = {k: v for k, v in settings.items() if v is not None}
    return payload


def provenance_payload(spec: MigrationSpec, obj: str, name: str) -> dict[str, Any]:
    """The metadata payload of a provenance field (source id: unique TEXT; deleted: BOOLEAN)."""
    if name == spec.provenance.source_id_field:
        return {
            "object": obj,
            "name": name,
            "type": "TEXT",
            "label": SOURCE_ID_LABEL,
            "description": "Where migrator copied this record from (system:object:id).",
            "isNullable": True,
            "isUnique": True,
        }
    return {
        "object": obj,
        "name": name,
        "type": "BOOLEAN",
        "label": SOURCE_DELETED_LABEL,
        "description": "Set by a delta run when the source record was deleted.",
        "isNullable": True,
        "defaultValue": False,
    }


def _object_payload(spec: MigrationSpec, obj: str) -> dict[str, Any]:
    create = spec.schema_[obj].create
    if create is None:  # object nodes exist only for a `create` block; a bug otherwise
        raise PlanError(f"object.{obj} is not a custom object of the spec")
    payload = {
        "nameSingular": obj,
        "namePlural": create.name_plural,
        "labelSingular": create.label_singular,
        "labelPlural": create.label_plural,
    }
    optional = {"description": create.description, "icon": create.icon}
    payload.update({k: v for k, v in optional.items() if v is not None})
    return payload


class _Differ:
    def __init__(self, spec: MigrationSpec, metadata: Sequence[ObjectMetadata]) -> None:
        self.spec = spec
        self.objects = {o.name_singular: o for o in metadata}
        self.result = SchemaDiff()

    def meta_field(self, obj: str, name: str) -> FieldMetadata | None:
        found = self.objects.get(obj)
        return found.field(name) if found is not None else None

    def create(
        self,
        node: GraphNode,
        kind: ChangeKind,
        name: str,
        reason: str,
        after: Any,
        before: Any = None,
    ) -> None:
        self.result.changes.append(
            SchemaChange(
                address=node.address,
                action=Action.CREATE,
                kind=kind,
                twenty_object=node.twenty_object,
                name=name,
                reason=reason,
                before=before,
                after=after,
            )
        )

    def object_node(self, node: GraphNode) -> None:
        if node.twenty_object not in self.objects:
            payload = _object_payload(self.spec, node.twenty_object)
            self.create(
                node, "object", node.twenty_object, "custom object missing in Twenty", payload
            )

    def field_node(self, node: GraphNode) -> None:
        obj, name = node.twenty_object, node.field or ""
        item = None if node.provenance else self.spec.schema_[obj].fields[name]
        if node.kind is NodeKind.RELATION:
            wanted = "RELATION"
        elif item is not None:
            wanted = item.type.value
        else:
            wanted = provenance_payload(self.spec, obj, name)["type"]
        meta = self.meta_field(obj, name)
        if meta is not None:
            if meta.type != wanted:
                self.result.errors.append(
                    f"{node.address}: Twenty has {obj}.{name} as {meta.type}, the spec wants "
                    f"{wanted} (a field's type cannot be changed in place)"
                )
            elif item is not None and item.options:
                self.missing_options(node, meta, item.options)
            return
        kind: ChangeKind = "relation" if node.kind is NodeKind.RELATION else "field"
        payload = (
            field_payload(obj, name, item)
            if item is not None
            else provenance_payload(self.spec, obj, name)
        )
        reason = "provenance field missing in Twenty" if node.provenance else f"{kind} missing"
        self.create(node, kind, name, reason, payload)

    def missing_options(
        self, node: GraphNode, meta: FieldMetadata, options: Sequence[OptionSpec]
    ) -> None:
        present = {o.value for o in meta.options or ()}
        for option in options:
            if option.value in present:
                continue
            address = option_address(node.twenty_object, meta.name, option.value)
            opt_node = node.model_copy(
                update={"address": address, "kind": NodeKind.OPTION, "option": option.value}
            )
            self.create(
                opt_node,
                "options",
                meta.name,
                "option missing on an existing field",
                _option_payload(option),
                _options_before(meta),
            )

    def option_node(self, node: GraphNode) -> None:
        obj, name, value = node.twenty_object, node.field or "", node.option or ""
        meta = self.meta_field(obj, name)
        section = self.spec.schema_[obj]
        option = next(o for o in section.add_options.get(name, ()) if o.value == value)
        if meta is None:
            if name in section.fields:
                return  # a custom field created with its options by this plan
            self.result.errors.append(
                f"{node.address}: Twenty has no field {obj}.{name} to add the option {value} to"
            )
            return
        if value not in {o.value for o in meta.options or ()}:
            self.create(
                node,
                "options",
                name,
                "option added to a standard field",
                _option_payload(option),
                _options_before(meta),
            )


def diff_schema(
    spec: MigrationSpec, nodes: Sequence[GraphNode], metadata: Sequence[ObjectMetadata]
) -> SchemaDiff:
    """The schema changes ``nodes`` need against ``metadata`` (see the module docstring)."""
    differ = _Differ(spec, metadata)
    for node in nodes:
        if node.kind is NodeKind.OBJECT:
            differ.object_node(node)
        elif node.kind in (NodeKind.FIELD, NodeKind.RELATION):
            differ.field_node(node)
        elif node.kind is NodeKind.OPTION:
            differ.option_node(node)
    return differ.result


def raise_errors(result: SchemaDiff) -> None:
    """Raise one :class:`PlanError` listing every schema error, if any."""
    if result.errors:
        count = len(result.errors)
        raise PlanError(
            f"the spec's schema conflicts with Twenty ({count} problem{'s' if count > 1 else ''})",
            detail="\n".join(result.errors),
            hint="rename the field in the spec (keep the source name in `renamed_from`), or "
            "remove the conflicting field in Twenty, then plan again",
        )
