"""Semantic checks of the ``objects`` section: each mapping, its children and its targets.

For every mapping: its name, its source object, the Twenty object it writes (never a workspace
member), every field it writes (known, writable, switched like its schema field, then
:mod:`migrator.spec.semantic_values`), its match rules, its Note/Task targets, and the
discriminators that tell apart several mappings writing one Twenty object.
"""

from __future__ import annotations

import re
from collections import defaultdict

from migrator.catalogue import NOT_CREATABLE_OBJECTS, FieldType
from migrator.spec.checker import Checker, suggest
from migrator.spec.loader import PathKey
from migrator.spec.models import ChildMapping, Mapping, Target
from migrator.spec.semantic_values import Site, check_field_mapping
from migrator.spec.target_model import (
    MORPH_OBJECTS,
    WRITABLE_SYSTEM_FIELDS,
    TargetObject,
    morph_field_name,
)

MAPPING_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_TARGETED = ("note", "task")
#: Objects whose records are only ever written from another mapping's ``targets``.
_TARGET_ONLY = tuple(o for o in MORPH_OBJECTS if o != "attachment")


def check_mappings(checker: Checker) -> None:
    """Every check of the ``objects`` section."""
    seen: dict[str, PathKey] = {}
    for name, mapping in checker.spec.objects.items():
        path: PathKey = ("objects", name)
        _check_name(checker, name, path, seen)
        source_ok = checker.check_source_object(mapping.from_, (*path, "from"))
        obj = checker.source_object(mapping.from_)
        if obj is not None and not obj.migrated:
            checker.error(
                f"`{mapping.from_}` is read only for the rebuild inventory and cannot be mapped "
                "to Twenty",
                (*path, "from"),
                hint="list it under `skip:` with `inventory: true`",
            )
        source = mapping.from_ if source_ok else None
        if mapping.identity is not None:
            checker.check_source_path(source, mapping.identity, (*path, "identity"))
        _check_body(checker, name, mapping, source, path)
        _check_match(checker, name, mapping, path)
        for child_name, child in mapping.children.items():
            child_path = (*path, "children", child_name)
            _check_name(checker, child_name, child_path, seen)
            for condition in child.where:
                checker.check_source_path(source, condition, (*child_path, "where", condition))
            _check_body(checker, child_name, child, source, child_path)
    _check_discriminators(checker)


def _check_name(checker: Checker, name: str, path: PathKey, seen: dict[str, PathKey]) -> None:
    if not MAPPING_NAME.match(name):
        checker.error(
            f"mapping name `{name}` must be lower_snake_case (it appears in record addresses)",
            path,
            key=True,
        )
    if name in seen:
        checker.error(
            f"mapping name `{name}` is used twice (children share the namespace)", path, key=True
        )
    seen[name] = path


def _target_object(checker: Checker, to: str, path: PathKey) -> TargetObject | None:
    where = (*path, "to")
    obj = checker.model.get(to)
    if obj is None:
        singular = checker.model.singular_of(to)
        hint = (
            f"objects are named by their singular: `{singular}`"
            if singular
            else suggest(to, checker.model.objects)
            or "declare it under `schema:` with `create:` to make a custom object"
        )
        checker.error(f"unknown Twenty object `{to}`", where, hint=hint)
        return None
    if to in NOT_CREATABLE_OBJECTS:
        checker.error(
            "workspace members cannot be created through the API (capture 98): they come from "
            "invitations",
            where,
            hint="resolve users to members with the `owners` section and `owner:` values",
        )
        return None
    if to in _TARGET_ONLY:
        checker.error(f"`{to}` records are written from a note or task mapping's `targets`", where)
        return None
    return obj


def _check_body(
    checker: Checker,
    name: str,
    mapping: Mapping | ChildMapping,
    source: str | None,
    path: PathKey,
) -> None:
    obj = _target_object(checker, mapping.to, path)
    if obj is None:
        return
    for field_name, raw in mapping.fields.items():
        where = (*path, "fields", field_name)
        target = obj.fields.get(field_name)
        if target is None:
            _unknown_field(checker, obj, field_name, where)
            continue
        if not target.is_writable:
            _not_writable(checker, obj, field_name, target.relation_type, where)
            continue
        _check_switched(checker, obj.name, target.when, target.unless, raw, where)
        check_field_mapping(checker, Site(name, source, where), target, raw, obj.name)
    _check_targets(checker, mapping, source, path)


def _unknown_field(checker: Checker, obj: TargetObject, name: str, where: PathKey) -> None:
    relation = obj.by_join_column(name)
    if relation is not None:
        checker.error(
            f"`{name}` is the join column of the relation `{relation.name}`: map "
            f"`{relation.name}` with `ref:`",
            where,
            key=True,
        )
        return
    checker.error(
        f"`{obj.name}` has no field `{name}`",
        where,
        key=True,
        hint=suggest(name, obj.fields) or f"declare it under `schema.{obj.name}.fields`",
    )


def _not_writable(
    checker: Checker, obj: TargetObject, name: str, relation: str | None, where: PathKey
) -> None:
    if relation == "ONE_TO_MANY":
        message = (
            f"`{obj.name}.{name}` is the ONE_TO_MANY side of a relation and cannot be written: "
            "set the MANY_TO_ONE field on the other object"
        )
    else:
        allowed = ", ".join(sorted(WRITABLE_SYSTEM_FIELDS))
        message = (
            f"`{obj.name}.{name}` is a system field Twenty sets itself; of the system fields "
            f"only {allowed} can be written"
        )
    checker.error(message, where, key=True)


def _check_switched(
    checker: Checker,
    obj: str,
    when: str | None,
    unless: str | None,
    raw: object,
    where: PathKey,
) -> None:
    if when is None and unless is None:
        return
    own_when = getattr(raw, "when", None)
    own_unless = getattr(raw, "unless", None)
    if (own_when, own_unless) != (when, unless):
        condition = f"when: {when}" if when else f"unless: {unless}"
        checker.error(
            f"`{obj}.{where[-1]}` is only provisioned `{condition}`; this mapping must say the "
            "same",
            where,
            key=True,
        )


def _check_match(checker: Checker, name: str, mapping: Mapping, path: PathKey) -> None:
    raw_rules = checker.document.data["objects"][name].get("match", [])
    for index, rule in enumerate(mapping.match):
        raw = raw_rules[index] if index < len(raw_rules) else None
        for position, field_path in enumerate(rule.fields):
            head = field_path.split(".", 1)[0]
            if head in mapping.fields:
                continue
            if isinstance(raw, list):
                where: PathKey = (*path, "match", index, position)
            elif isinstance(raw, dict):
                where = (*path, "match", index, "fields", position)
            else:
                where = (*path, "match", index)
            checker.error(
                f"match field `{head}` is not mapped by `{name}`: there is no value to compare",
                where,
            )


def _check_targets(
    checker: Checker, mapping: Mapping | ChildMapping, source: str | None, path: PathKey
) -> None:
    if not mapping.targets:
        return
    if mapping.to not in _TARGETED:
        checker.error(
            "`targets` only apply to mappings to `note` or `task`", (*path, "targets"), key=True
        )
        return
    holder = checker.model.get(f"{mapping.to}Target")
    mappings = checker.spec.all_mappings()
    for index, target in enumerate(mapping.targets):
        _check_target(checker, target, source, holder, mappings, (*path, "targets", index))


def _check_target(
    checker: Checker,
    target: Target,
    source: str | None,
    holder: TargetObject | None,
    mappings: dict[str, Mapping | ChildMapping],
    where: PathKey,
) -> None:
    checker.switch_known(target.when, (*where, "when"))
    checker.switch_known(target.unless, (*where, "unless"))
    referenced = mappings.get(target.ref)
    if referenced is None:
        checker.error(
            f"`ref` names no mapping `{target.ref}`",
            (*where, "ref"),
            hint=suggest(target.ref, mappings),
        )
        return
    if holder is not None and morph_field_name(referenced.to) not in holder.fields:
        checker.error(f"notes and tasks cannot target `{referenced.to}` records", (*where, "ref"))
    referenced_source = checker.spec.source_object_of(target.ref)
    if target.by is None and referenced_source != source:
        checker.error(
            f"a target without `by` is the record `{target.ref}` made from this same row, but it "
            f"reads `{referenced_source}`",
            (*where, "ref"),
            hint="add `by:`",
        )
    if target.by is not None:
        checker.check_source_path(source, target.by, (*where, "by"))
    if target.key is not None:
        checker.check_source_path(referenced_source, target.key, (*where, "key"))


def _check_discriminators(checker: Checker) -> None:
    writers: dict[str, list[tuple[str, PathKey, Mapping | ChildMapping]]] = defaultdict(list)
    for name, mapping in checker.spec.objects.items():
        writers[mapping.to].append((name, ("objects", name), mapping))
        for child_name, child in mapping.children.items():
            writers[child.to].append((child_name, ("objects", name, "children", child_name), child))
    for obj_name, entries in writers.items():
        obj = checker.model.get(obj_name)
        if len(entries) < 2 or obj is None or obj_name in _TARGETED:
            continue
        _check_writer_group(checker, obj, entries)


def _check_writer_group(
    checker: Checker,
    obj: TargetObject,
    entries: list[tuple[str, PathKey, Mapping | ChildMapping]],
) -> None:
    names = ", ".join(f"`{name}`" for name, _, _ in entries)
    values: dict[str, str] = {}
    fields = {m.discriminator.field for _, _, m in entries if m.discriminator is not None}
    for name, path, mapping in entries:
        if mapping.discriminator is None:
            checker.error(
                f"{names} all write `{obj.name}`: `{name}` needs a `discriminator` so its records "
                "can be told apart",
                path,
                key=True,
            )
            continue
        disc = mapping.discriminator
        where = (*path, "discriminator")
        target = obj.fields.get(disc.field)
        if target is None or target.type is not FieldType.SELECT:
            checker.error(
                f"discriminator field `{disc.field}` must be a SELECT field of `{obj.name}`",
                (*where, "field"),
            )
        elif disc.value not in target.options:
            checker.error(
                f"discriminator value `{disc.value}` is not an option of `{obj.name}.{disc.field}`",
                (*where, "value"),
            )
        if len(fields) > 1:
            checker.error(
                f"the mappings writing `{obj.name}` use different discriminator fields",
                (*where, "field"),
            )
        if disc.value in values:
            checker.error(
                f"discriminator value `{disc.value}` is also used by `{values[disc.value]}`",
                (*where, "value"),
            )
        values.setdefault(disc.value, name)
