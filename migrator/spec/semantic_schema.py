"""Semantic checks of the ``schema`` section: what the spec provisions in Twenty.

Object and field names against Twenty's rules (proposing the camelCase of an invalid name),
collisions with standard, automatic and provenance fields, types the API can create, options
(ASCII UPPER_SNAKE values, known colours), relations and their automatic inverse sides, and
options added to standard fields.
"""

from __future__ import annotations

from migrator.catalogue import (
    CREATABLE_FIELD_TYPES,
    NOT_CREATABLE_OBJECTS,
    OPTION_COLORS,
    REFUSED_TYPE_REASONS,
    FieldType,
    name_problem,
    option_value_problem,
    standard_object,
)
from migrator.spec.checker import Checker, suggest
from migrator.spec.loader import PathKey
from migrator.spec.models import FieldSpec, ObjectSchema, OptionSpec
from migrator.spec.naming import to_camel_case, to_option_value
from migrator.spec.target_model import inverse_field_name

_SELECTS = (FieldType.SELECT, FieldType.MULTI_SELECT)
_PREFIX = {"oplacrm": "opla", "aeronaclinic": "aerona"}


def check_schema(checker: Checker) -> None:
    """Every check of the ``schema`` section."""
    for object_name, section in checker.spec.schema_.items():
        path: PathKey = ("schema", object_name)
        if not _check_object(checker, object_name, section, path):
            continue
        for field_name, spec in section.fields.items():
            _check_field(checker, object_name, field_name, spec, (*path, "fields", field_name))
        for field_name, options in section.add_options.items():
            _check_added_options(checker, object_name, field_name, options, path)


def invalid_name_message(kind: str, name: str, problem: str) -> tuple[str, str]:
    """Message and hint for a name Twenty refuses, proposing a valid camelCase name."""
    proposal = to_camel_case(name)
    if name_problem(proposal) is None and proposal != name:
        return (
            f"invalid Twenty {kind} name `{name}`: {problem}",
            f"use `{proposal}` and keep `{name}` in the label or description",
        )
    message = f"invalid Twenty {kind} name `{name}`: {problem}"
    return message, "choose a more specific camelCase name"


def _check_object(checker: Checker, name: str, section: ObjectSchema, path: PathKey) -> bool:
    standard = standard_object(name)
    if standard is not None and standard.name_singular != name:
        checker.error(
            f"`{name}` is a plural: name objects by their singular (`{standard.name_singular}`)",
            path,
            key=True,
        )
        return False
    if name in NOT_CREATABLE_OBJECTS:
        checker.error(
            f"`{name}` is managed by Twenty (members come from invitations): migrator cannot "
            "provision it",
            path,
            key=True,
        )
        return False
    if standard is not None:
        if section.create is not None:
            checker.error(
                f"`{name}` is a standard Twenty object: `create` is only for custom objects",
                (*path, "create"),
                key=True,
            )
        return True
    if section.create is None:
        known = [o for o in checker.model.objects if not checker.model.objects[o].is_custom]
        checker.error(
            f"unknown Twenty object `{name}`: not a standard object, and it has no `create` block",
            path,
            key=True,
            hint=suggest(name, known) or "add `create:` to make it a custom object",
        )
        return False
    _check_object_names(checker, name, section.create.name_plural, path)
    return True


def _check_object_names(checker: Checker, name: str, plural: str, path: PathKey) -> None:
    problem = name_problem(name)
    if problem is not None:
        message, hint = invalid_name_message("object", name, problem)
        checker.error(message, path, key=True, hint=hint)
    problem = name_problem(plural)
    plural_path = (*path, "create", "name_plural")
    if problem is not None:
        message, hint = invalid_name_message("object", plural, problem)
        checker.error(message, plural_path, hint=hint)
    elif plural == name:
        checker.error("`name_plural` must differ from the singular name", plural_path)
    elif checker.model.singular_of(plural) not in (None, name):
        checker.error(f"`{plural}` is already the plural of another object", plural_path)


def _check_field(
    checker: Checker, object_name: str, name: str, spec: FieldSpec, path: PathKey
) -> None:
    problem = name_problem(name)
    if problem is not None:
        message, hint = invalid_name_message("field", name, problem)
        checker.error(message, path, key=True, hint=hint)
    else:
        _check_collision(checker, object_name, name, path)
    checker.switch_known(spec.when, (*path, "when"))
    checker.switch_known(spec.unless, (*path, "unless"))
    if spec.type not in CREATABLE_FIELD_TYPES:
        reason = REFUSED_TYPE_REASONS.get(spec.type, f"{spec.type.value} is not creatable")
        checker.error(f"field type {spec.type.value} cannot be created: {reason}", (*path, "type"))
        return
    _check_type_keys(checker, spec, path)
    if spec.type in _SELECTS:
        if not spec.options:
            checker.error(f"{spec.type.value} field `{name}` needs `options`", path, key=True)
        _check_options(checker, spec.options, (*path, "options"), existing=())
        values = {option.value for option in spec.options}
        if spec.has_default and spec.default not in values:
            checker.error("`default` must be one of the field's option values", (*path, "default"))
    if spec.type is FieldType.RELATION:
        _check_relation(checker, object_name, name, spec, path)


def _check_collision(checker: Checker, object_name: str, name: str, path: PathKey) -> None:
    provenance = checker.spec.provenance
    if name in (provenance.source_id_field, provenance.source_deleted_field):
        checker.error(
            f"`{name}` is provisioned by migrator itself (provenance) on every mapped object",
            path,
            key=True,
            hint="choose another name, or rename the provenance field",
        )
        return
    existing = checker.model.get(object_name)
    current = existing.fields.get(name) if existing else None
    if current is None or current.origin == "custom":
        return
    prefix = _PREFIX.get(checker.spec.source.system, "source")
    proposal = prefix + name[:1].upper() + name[1:]
    kind = "standard field" if current.origin == "standard" else "field Twenty creates"
    checker.error(
        f"custom field `{name}` collides with the {kind} `{object_name}.{name}`",
        path,
        key=True,
        hint=f"name it `{proposal}` and set `renamed_from: {name}`",
    )


def _check_type_keys(checker: Checker, spec: FieldSpec, path: PathKey) -> None:
    rules: list[tuple[str, bool, str]] = [
        ("options", bool(spec.options) and spec.type not in _SELECTS, "SELECT and MULTI_SELECT"),
        ("max_values", spec.max_values is not None and spec.type is not FieldType.FILES, "FILES"),
        (
            "decimals",
            spec.decimals is not None and spec.type not in (FieldType.NUMBER, FieldType.CURRENCY),
            "NUMBER and CURRENCY",
        ),
        ("to", spec.to is not None and spec.type is not FieldType.RELATION, "RELATION"),
        (
            "inverse_label",
            spec.inverse_label is not None and spec.type is not FieldType.RELATION,
            "RELATION",
        ),
    ]
    for key, misplaced, types in rules:
        if misplaced:
            extra = " (RATING gets RATING_1…RATING_5 from Twenty)" if key == "options" else ""
            checker.error(f"`{key}` only applies to {types} fields{extra}", (*path, key), key=True)
    if spec.type is FieldType.FILES and spec.max_values is None:
        checker.error("FILES fields need `max_values` (1 to 60)", (*path, "type"))


def _check_options(
    checker: Checker, options: tuple[OptionSpec, ...], path: PathKey, existing: tuple[str, ...]
) -> None:
    seen: set[str] = set(existing)
    for index, option in enumerate(options):
        where = (*path, index)
        if option_value_problem(option.value) is not None:
            proposal = to_option_value(option.value) or "A_VALUE"
            checker.error(
                f"option value `{option.value}` is not ASCII UPPER_SNAKE (Twenty refuses it)",
                (*where, "value"),
                hint=f"use `{proposal}` and keep the original text as the label",
            )
        elif option.value in seen:
            message = (
                f"option `{option.value}` already exists on this field"
                if option.value in existing
                else f"duplicate option value `{option.value}`"
            )
            checker.error(message, (*where, "value"))
        seen.add(option.value)
        if option.color is not None and option.color not in OPTION_COLORS:
            checker.error(
                f"unknown option colour `{option.color}`",
                (*where, "color"),
                hint=suggest(option.color, OPTION_COLORS) or "one of " + ", ".join(OPTION_COLORS),
            )


def _check_relation(
    checker: Checker, object_name: str, name: str, spec: FieldSpec, path: PathKey
) -> None:
    if spec.to is None:
        checker.error(f"RELATION field `{name}` needs `to` (the target object)", path, key=True)
        return
    target = checker.model.get(spec.to)
    if target is None:
        checker.error(
            f"relation target `{spec.to}` is not a Twenty object",
            (*path, "to"),
            hint=suggest(spec.to, checker.model.objects),
        )
        return
    if spec.inverse_label is None:
        checker.error(
            f"RELATION field `{name}` needs `inverse_label`: Twenty creates the other side on "
            f"`{spec.to}` with that label",
            path,
            key=True,
        )
        return
    inverse = inverse_field_name(spec.inverse_label)
    problem = name_problem(inverse) if inverse else "it has no letters"
    where = (*path, "inverse_label")
    if problem is not None:
        checker.error(f"`inverse_label` gives an invalid field name `{inverse}`: {problem}", where)
        return
    clash = target.fields.get(inverse)
    is_own_inverse = clash is not None and clash.origin == "auto" and clash.target == object_name
    if clash is not None and not is_own_inverse:
        checker.error(
            f"`inverse_label` makes Twenty create `{spec.to}.{inverse}`, which already exists",
            where,
            hint="choose another label",
        )
    elif clash is not None and _inverse_count(checker, spec.to, inverse) > 1:
        checker.error(f"two relations create the same field `{spec.to}.{inverse}`", where)


def _inverse_count(checker: Checker, target: str, inverse: str) -> int:
    return sum(
        1
        for section in checker.spec.schema_.values()
        for item in section.fields.values()
        if item.to == target
        and item.inverse_label is not None
        and inverse_field_name(item.inverse_label) == inverse
    )


def _check_added_options(
    checker: Checker,
    object_name: str,
    field_name: str,
    options: tuple[OptionSpec, ...],
    path: PathKey,
) -> None:
    where = (*path, "add_options", field_name)
    standard = standard_object(object_name)
    item = standard.field(field_name) if standard else None
    if standard is None or item is None or item.name != field_name:
        names = [f.name for f in standard.fields] if standard else []
        checker.error(
            f"`{object_name}` has no standard field `{field_name}` to add options to",
            where,
            key=True,
            hint=suggest(field_name, names),
        )
        return
    if item.type not in _SELECTS:
        checker.error(
            f"`{object_name}.{field_name}` is a {item.type.value} field: only SELECT and "
            "MULTI_SELECT fields take options",
            where,
            key=True,
        )
        return
    _check_options(checker, options, where, existing=item.options)
