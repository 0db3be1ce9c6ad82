"""Semantic checks of one field mapping: its source, its target field, and the translation.

Called for every entry of a mapping's ``fields`` with the Twenty field it writes. Checks that the
value has exactly one source, that the source fits the target (``ref`` into a relation, ``file``
into FILES, ``owner`` into a relation to a member, sub-fields of composites), that every source
path exists, and that value maps have a default and produce valid option values.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from migrator.catalogue import FieldType
from migrator.spec.checker import PLACEHOLDER, Checker, suggest
from migrator.spec.loader import PathKey
from migrator.spec.models import ValueSpec, as_value_spec, transform_name
from migrator.spec.target_model import TargetField
from migrator.spec.transforms import (
    COMPOSITE_PRODUCERS,
    DateTransform,
    FormatTransform,
)
from migrator.spec.values import VALUE_KEYS

_SELECTS = (FieldType.SELECT, FieldType.MULTI_SELECT)
_REF_KEYS = ("by", "key", "order_by")
#: Composite types a plain text can fill as a whole (RICH_TEXT takes it as markdown).
_TEXT_COMPOSITES = (FieldType.RICH_TEXT,)


@dataclass(frozen=True)
class Site:
    """Where a value is: its mapping, the source object it reads, its YAML path."""

    mapping: str
    source: str | None
    path: PathKey


def check_field_mapping(
    checker: Checker, site: Site, target: TargetField, raw: object, object_name: str
) -> None:
    """Check one ``fields`` entry (a path, a value or a composite) writing ``target``."""
    if isinstance(raw, dict):
        _check_composite(checker, site, target, raw, object_name)
        return
    if not isinstance(raw, str | ValueSpec):
        return
    value = as_value_spec(raw)
    if not check_value(checker, site, value, is_bare=isinstance(raw, str)):
        return
    _check_fit(checker, site, target, value, object_name, whole=True)


def _check_composite(
    checker: Checker, site: Site, target: TargetField, parts: dict[str, object], obj: str
) -> None:
    if not target.subfields:
        typo = next((k for k in parts if suggest(k, VALUE_KEYS)), None)
        checker.error(
            f"`{target.name}` is a {target.type.value} field and has no sub-fields",
            (*site.path, typo) if typo else site.path,
            key=typo is not None,
            hint=suggest(typo, VALUE_KEYS) if typo else "map it with a source path or `from:`",
        )
        return
    for name, raw in parts.items():
        where = (*site.path, name)
        if name not in target.subfields:
            checker.error(
                f"`{name}` is not a sub-field of {target.type.value} `{target.name}`",
                where,
                key=True,
                hint=suggest(name, target.subfields)
                or "sub-fields: " + ", ".join(target.subfields),
            )
            continue
        if isinstance(raw, str | ValueSpec):
            value = as_value_spec(raw)
            sub_site = Site(site.mapping, site.source, where)
            if check_value(checker, sub_site, value, is_bare=isinstance(raw, str)):
                _check_fit(checker, sub_site, target, value, obj, whole=False)


def check_value(checker: Checker, site: Site, value: ValueSpec, *, is_bare: bool) -> bool:
    """Check a value on its own (sources, paths, map); False when it has no single source."""
    path = site.path
    sources = value.sources
    if len(sources) != 1:
        message = (
            "a value needs a source: one of from, const, template, ref, owner, lookup, "
            "aggregate, file"
            if not sources
            else f"a value has several sources ({', '.join(sources)}): keep exactly one"
        )
        checker.error(message, path)
        return False
    base = path if is_bare else (*path, sources[0])
    if value.from_ is not None:
        checker.check_source_path(site.source, value.from_, base)
    if value.template is not None:
        checker.check_template(site.source, value.template, base)
    if value.owner is not None:
        checker.check_source_path(site.source, value.owner, base)
    if value.file is not None:
        checker.check_source_path(site.source, value.file, base)
    _check_ref_keys(checker, site, value)
    _check_lookup(checker, site, value)
    _check_aggregate(checker, site, value)
    _check_transforms(checker, site, value)
    _check_map(checker, site, value)
    _check_if_missing(checker, site, value)
    checker.switch_known(value.when, (*path, "when"))
    checker.switch_known(value.unless, (*path, "unless"))
    return True


def _check_ref_keys(checker: Checker, site: Site, value: ValueSpec) -> None:
    if value.ref is None:
        stray = [k for k in (*_REF_KEYS, "pick", "not_self", "deferred") if _was_set(value, k)]
        for key in stray:
            checker.error(f"`{key}` only applies with `ref`", (*site.path, key), key=True)
        return
    mappings = checker.spec.all_mappings()
    if value.ref not in mappings:
        checker.error(
            f"`ref` names no mapping `{value.ref}`",
            (*site.path, "ref"),
            hint=suggest(value.ref, mappings),
        )
        return
    referenced_source = checker.spec.source_object_of(value.ref)
    if value.by is None:
        if referenced_source != site.source:
            checker.error(
                f"`ref: {value.ref}` without `by` means the record made from this same row, but "
                f"`{value.ref}` reads `{referenced_source}`, not `{site.source}`",
                (*site.path, "ref"),
                hint="add `by:` naming the field that holds the referenced row's key",
            )
    else:
        checker.check_source_path(site.source, value.by, (*site.path, "by"))
    if value.key is not None:
        checker.check_source_path(referenced_source, value.key, (*site.path, "key"))
    if value.pick in ("first", "last") and value.order_by is None:
        checker.error(f"`pick: {value.pick}` needs `order_by`", (*site.path, "pick"))
    if value.order_by is not None:
        checker.check_source_path(referenced_source, value.order_by, (*site.path, "order_by"))


def _was_set(value: ValueSpec, key: str) -> bool:
    return key in value.model_fields_set


def _check_lookup(checker: Checker, site: Site, value: ValueSpec) -> None:
    lookup = value.lookup
    if lookup is None:
        return
    where = (*site.path, "lookup")
    if checker.check_source_object(lookup.from_, (*where, "from")):
        checker.check_source_path(site.source, lookup.by, (*where, "by"))
        if lookup.key is not None:
            checker.check_source_path(lookup.from_, lookup.key, (*where, "key"))
        checker.check_source_path(lookup.from_, lookup.value, (*where, "value"))


def _check_aggregate(checker: Checker, site: Site, value: ValueSpec) -> None:
    agg = value.aggregate
    if agg is None:
        return
    where = (*site.path, "aggregate")
    if agg.pick in ("latest", "earliest") and agg.order_by is None:
        checker.error(f"`pick: {agg.pick}` needs `order_by`", (*where, "pick"))
    if agg.pick in ("latest", "earliest", "sum") and agg.value is None:
        checker.error(f"`pick: {agg.pick}` needs `value` (the path to read)", (*where, "pick"))
    if not checker.check_source_object(agg.from_, (*where, "from")):
        return
    checker.check_source_path(agg.from_, agg.by, (*where, "by"))
    if agg.key is not None:
        checker.check_source_path(site.source, agg.key, (*where, "key"))
    for key, path_text in (("order_by", agg.order_by), ("value", agg.value)):
        if path_text is not None:
            checker.check_source_path(agg.from_, path_text, (*where, key))
    for condition in agg.where:
        checker.check_source_path(agg.from_, condition, (*where, "where", condition))


def _check_transforms(checker: Checker, site: Site, value: ValueSpec) -> None:
    for index, transform in enumerate(value.transforms):
        where = (*site.path, "transforms", index)
        if isinstance(transform, DateTransform) and not _is_timezone(transform.date):
            checker.error(f"unknown timezone `{transform.date}`", (*where, "date"))
        if isinstance(transform, FormatTransform) and not PLACEHOLDER.search(transform.format):
            checker.error("`format` has no {placeholder}", (*where, "format"))


def _is_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_if_missing(checker: Checker, site: Site, value: ValueSpec) -> None:
    if value.if_missing is None:
        return
    kinds = {"const": value.has_const, "ref": value.ref, "owner": value.owner, "file": value.file}
    for kind, given in kinds.items():
        if given:
            checker.error(
                f"`if_missing` does not apply with `{kind}`",
                (*site.path, "if_missing"),
                key=True,
                hint="remove `if_missing`: it fills a value the source does not have",
            )
            return


def _check_map(checker: Checker, site: Site, value: ValueSpec) -> None:
    if value.map is None:
        if value.has_default:
            checker.error("`default` only applies with `map`", (*site.path, "default"), key=True)
        return
    if not value.has_default:
        checker.error(
            "value map without `default`: say what an unlisted value becomes, or write "
            "`default: error` to quarantine the record",
            (*site.path, "map"),
            key=True,
        )


def _check_fit(
    checker: Checker, site: Site, target: TargetField, value: ValueSpec, obj: str, *, whole: bool
) -> None:
    """Does the value's kind fit the field it writes (relations, files, composites, options)?"""
    where = site.path
    if value.ref is not None or value.owner is not None:
        _check_relation_fit(checker, site, target, value, obj)
        return
    if target.is_relation and not value.has_const:
        checker.error(
            f"`{obj}.{target.name}` is a relation: fill it with `ref:` (or `owner:` for members)",
            where,
        )
        return
    if value.file is not None and target.type is not FieldType.FILES:
        checker.error(f"`file` uploads into a FILES field; `{target.name}` is not one", where)
        return
    if whole and target.subfields and not _fills_whole(target, value):
        checker.error(
            f"`{target.name}` is a {target.type.value} field: map its sub-fields "
            f"({', '.join(target.subfields)})",
            where,
        )
        return
    if whole and target.type in _SELECTS:
        _check_option_results(checker, site, target, value, obj)


def _fills_whole(target: TargetField, value: ValueSpec) -> bool:
    if value.has_const:
        return True
    if target.type in _TEXT_COMPOSITES or value.file is not None:
        return True
    last = transform_name(value.transforms[-1]) if value.transforms else ""
    return COMPOSITE_PRODUCERS.get(last) == target.type.value


def _check_relation_fit(
    checker: Checker, site: Site, target: TargetField, value: ValueSpec, obj: str
) -> None:
    key = "ref" if value.ref is not None else "owner"
    where = (*site.path, key)
    if not target.is_relation or target.relation_type != "MANY_TO_ONE":
        checker.error(
            f"`{key}` fills a MANY_TO_ONE relation; `{obj}.{target.name}` is a "
            f"{target.type.value} field",
            where,
        )
        return
    if key == "owner":
        if checker.spec.owners is None:
            checker.error(
                "`owner` needs an `owners` section saying how users become workspace members",
                where,
            )
        elif target.target not in (None, "workspaceMember"):
            checker.error(
                f"`owner` fills relations to workspaceMember; `{obj}.{target.name}` points at "
                f"`{target.target}`",
                where,
            )
        return
    if target.target == "workspaceMember":
        checker.error("relations to workspace members are filled with `owner:`, not `ref:`", where)
        return
    ref_to = checker.spec.all_mappings().get(value.ref or "")
    if ref_to is None or checker.model.get(ref_to.to) is None:
        return  # reported where the mapping or its object is unknown
    if target.target is not None and ref_to.to != target.target:
        checker.error(
            f"`{obj}.{target.name}` points at `{target.target}`, but mapping `{value.ref}` "
            f"writes `{ref_to.to}`",
            where,
        )


def _check_option_results(
    checker: Checker, site: Site, target: TargetField, value: ValueSpec, obj: str
) -> None:
    if not target.options:
        return
    hint = f"add it under `schema.{obj}` options, or use one of {', '.join(target.options)}"
    results: list[tuple[object, PathKey]] = []
    if value.map is not None:
        results.extend((v, (*site.path, "map", k)) for k, v in value.map.items())
        if value.has_default and not value.default_is_error:
            results.append((value.default, (*site.path, "default")))
    elif value.has_const and isinstance(value.const, str):
        results.append((value.const, (*site.path, "const")))
    if value.if_missing is not None:
        results.append((value.if_missing, (*site.path, "if_missing")))
    for result, where in results:
        if result is not None and result not in target.options:
            checker.error(f"`{result}` is not an option of `{obj}.{target.name}`", where, hint=hint)
