"""Twenty as a spec will leave it: the catalogue's standard objects plus what ``schema`` adds.

:func:`build_target_model` resolves every object a spec may write to, with every field it will
have after ``apply`` provisions the schema: standard fields (from :mod:`migrator.catalogue`),
custom fields, the fields Twenty adds by itself (a custom object's ``name`` and relation lists,
the ONE_TO_MANY side of each new relation, a ``target<Object>`` morph field on notes, tasks and
attachments for each custom object) and migrator's provenance fields. Semantic validation reads
it; the planner can too. It knows nothing about Twenty that the catalogue does not say.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migrator.catalogue import (
    COMPOSITE_SUBFIELDS,
    FieldType,
    StandardField,
    standard_object,
    standard_object_details,
    standard_objects,
)
from migrator.spec.models import MigrationSpec
from migrator.spec.naming import to_camel_case

#: System fields a mapping may write (Twenty keeps them as sent on create, twenty-api.md §3.5).
WRITABLE_SYSTEM_FIELDS: frozenset[str] = frozenset({"createdAt", "updatedAt", "createdBy"})
#: The objects whose records carry ``target<Object>`` morph fields.
MORPH_OBJECTS: tuple[str, ...] = ("noteTarget", "taskTarget", "attachment")
#: ONE_TO_MANY lists Twenty gives every custom object (capture 10).
CUSTOM_OBJECT_LISTS: tuple[str, ...] = (
    "attachments",
    "noteTargets",
    "taskTargets",
    "timelineActivities",
)


@dataclass(frozen=True)
class TargetField:
    """One field of a Twenty object as it will exist."""

    name: str
    type: FieldType
    origin: str
    """``standard``, ``custom`` (from the spec), ``auto`` (Twenty adds it) or ``provenance``."""
    relation_type: str | None = None
    """``MANY_TO_ONE`` or ``ONE_TO_MANY`` for relations."""
    target: str | None = None
    """The object a relation points at (for a ONE_TO_MANY side, the object holding the
    MANY_TO_ONE field), when the catalogue or the spec says."""
    options: tuple[str, ...] = ()
    is_system: bool = False
    join_column: str | None = None
    when: str | None = None
    unless: str | None = None

    @property
    def is_writable(self) -> bool:
        """Whether a payload may set it (not a ONE_TO_MANY side, not a Twenty-managed field)."""
        if self.relation_type == "ONE_TO_MANY":
            return False
        if self.type in (FieldType.TS_VECTOR, FieldType.POSITION):
            return False
        return not self.is_system or self.name in WRITABLE_SYSTEM_FIELDS

    @property
    def subfields(self) -> tuple[str, ...]:
        """The composite sub-fields, empty for scalar types."""
        return COMPOSITE_SUBFIELDS.get(self.type, ())

    @property
    def is_relation(self) -> bool:
        """True for MANY_TO_ONE relations and morph target fields."""
        return self.type in (FieldType.RELATION, FieldType.MORPH_RELATION)


@dataclass
class TargetObject:
    """A Twenty object with its fields (built once, then only read)."""

    name: str
    name_plural: str
    is_custom: bool
    fields: dict[str, TargetField] = field(default_factory=dict)

    def add(self, item: TargetField) -> None:
        """Add a field unless one with that name exists (the first definition wins)."""
        self.fields.setdefault(item.name, item)

    def by_join_column(self, column: str) -> TargetField | None:
        """The relation whose join column is ``column`` (``companyId``), if any."""
        for item in self.fields.values():
            if item.join_column == column:
                return item
        return None


@dataclass
class TargetModel:
    """Every Twenty object by singular name."""

    objects: dict[str, TargetObject] = field(default_factory=dict)

    def get(self, name: str) -> TargetObject | None:
        """The object called ``name`` (singular), if any."""
        return self.objects.get(name)

    def singular_of(self, plural: str) -> str | None:
        """The singular name of an object given its plural, if any."""
        for item in self.objects.values():
            if item.name_plural == plural:
                return item.name
        return None


def _relation_target(object_name: str, field_name: str) -> str | None:
    """The object a standard relation points at, from the catalogue's metadata details."""
    details = standard_object_details().get(object_name, {})
    relation = details.get("fields", {}).get(field_name, {}).get("relation")
    target = relation.get("targetObject") if isinstance(relation, dict) else None
    return target if isinstance(target, str) else None


def _standard_field(object_name: str, item: StandardField) -> TargetField:
    return TargetField(
        name=item.name,
        type=item.type,
        origin="standard",
        relation_type=item.relation_type,
        target=_relation_target(object_name, item.name) if item.relation_type else None,
        options=item.options,
        is_system=item.is_system,
        join_column=item.join_column,
    )


def _custom_object_base(name: str, plural: str) -> TargetObject:
    obj = TargetObject(name=name, name_plural=plural, is_custom=True)
    company = standard_object("company")
    if company is not None:
        for item in company.fields:
            if item.is_system:
                obj.add(_standard_field("company", item))
    obj.add(TargetField(name="name", type=FieldType.TEXT, origin="auto"))
    for list_name in CUSTOM_OBJECT_LISTS:
        obj.add(TargetField(list_name, FieldType.RELATION, "auto", relation_type="ONE_TO_MANY"))
    return obj


def inverse_field_name(label: str) -> str:
    """The name Twenty gives the ONE_TO_MANY side of a relation: its label in camelCase."""
    return to_camel_case(label)


def build_target_model(spec: MigrationSpec) -> TargetModel:
    """The objects and fields Twenty will have once the spec's schema is provisioned."""
    model = TargetModel()
    for std in standard_objects():
        obj = TargetObject(std.name_singular, std.name_plural, is_custom=False)
        for item in std.fields:
            obj.add(_standard_field(std.name_singular, item))
        model.objects[obj.name] = obj
    for name, section in spec.schema_.items():
        if section.create is not None and name not in model.objects:
            model.objects[name] = _custom_object_base(name, section.create.name_plural)
    _add_custom_fields(spec, model)
    _add_morph_targets(spec, model)
    _add_provenance(spec, model)
    return model


def _add_custom_fields(spec: MigrationSpec, model: TargetModel) -> None:
    for object_name, section in spec.schema_.items():
        obj = model.get(object_name)
        if obj is None:
            continue
        for name, item in section.fields.items():
            is_relation = item.type is FieldType.RELATION
            obj.add(
                TargetField(
                    name=name,
                    type=item.type,
                    origin="custom",
                    relation_type="MANY_TO_ONE" if is_relation else None,
                    target=item.to if is_relation else None,
                    options=tuple(option.value for option in item.options),
                    join_column=f"{name}Id" if is_relation else None,
                    when=item.when,
                    unless=item.unless,
                )
            )
            target = model.get(item.to) if is_relation and item.to else None
            if target is not None and item.inverse_label:
                inverse = TargetField(
                    inverse_field_name(item.inverse_label),
                    FieldType.RELATION,
                    "auto",
                    relation_type="ONE_TO_MANY",
                    target=object_name,
                )
                target.add(inverse)
        for name, options in section.add_options.items():
            current = obj.fields.get(name)
            if current is not None:
                extra = tuple(o.value for o in options if o.value not in current.options)
                obj.fields[name] = _with_options(current, current.options + extra)


def _with_options(item: TargetField, options: tuple[str, ...]) -> TargetField:
    return TargetField(
        name=item.name,
        type=item.type,
        origin=item.origin,
        relation_type=item.relation_type,
        target=item.target,
        options=options,
        is_system=item.is_system,
        join_column=item.join_column,
        when=item.when,
        unless=item.unless,
    )


def morph_field_name(object_name: str) -> str:
    """The morph field naming an object on notes' and tasks' targets (``targetPerson``)."""
    return "target" + object_name[:1].upper() + object_name[1:]


def _add_morph_targets(spec: MigrationSpec, model: TargetModel) -> None:
    for morph in MORPH_OBJECTS:
        holder = model.get(morph)
        if holder is None:
            continue
        for name, section in spec.schema_.items():
            if section.create is not None:
                holder.add(
                    TargetField(
                        morph_field_name(name),
                        FieldType.MORPH_RELATION,
                        "auto",
                        relation_type="MANY_TO_ONE",
                        target=name,
                        join_column=morph_field_name(name) + "Id",
                    )
                )


def _add_provenance(spec: MigrationSpec, model: TargetModel) -> None:
    flagged = {
        mapping.to
        for mapping in spec.objects.values()
        if (mapping.on_source_delete or spec.on_source_delete) == "flag"
    }
    for mapping in spec.all_mappings().values():
        obj = model.get(mapping.to)
        if obj is None:
            continue
        obj.add(TargetField(spec.provenance.source_id_field, FieldType.TEXT, "provenance"))
        if mapping.to in flagged:
            name = spec.provenance.source_deleted_field
            obj.add(TargetField(name, FieldType.BOOLEAN, "provenance"))
