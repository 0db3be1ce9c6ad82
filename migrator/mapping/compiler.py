"""A mapping (or child mapping) compiled once into the closures its rows run through.

:func:`compile_body` reads the spec, the Twenty target model and the bundle schema once and gives
a :class:`CompiledBody`: the field writers (unique fields first, for deduplication), the constant
payload parts (``createdBy`` with source ``IMPORT``, the discriminator), the unique and match
rules, the sensitive payload keys, the ``where`` of a child, and the targets of a note or task.
Nothing here looks at a row.

``createdAt`` comes from the spec when it maps it, and otherwise from the source object's
``created_at``/``createdAt`` field when it has one (a value that is not a timestamp is then left
out with a finding; this implicit mapping never quarantines a row).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from migrator.catalogue import FieldType
from migrator.identity import IdMaker
from migrator.mapping.coerce import Invalid, coercer
from migrator.mapping.context import RowContext
from migrator.mapping.fields import (
    RefPlan,
    RefWriter,
    Writer,
    composite_writer,
    file_writer,
    owner_writer,
    value_writer,
)
from migrator.mapping.inline_images import inline_image_writer
from migrator.mapping.owners import OwnerResolver
from migrator.mapping.paths import Predicate, RecordGetter, compile_where, record_getter
from migrator.mapping.refs import MappingIndex
from migrator.mapping.targets import HOLDERS, TargetPlan, TargetsPhase, targets_phase
from migrator.mapping.uniques import MatchPlan, UniqueRule, match_plans, unique_rules
from migrator.mapping.values import Target, ValueEnv, compile_value
from migrator.sources.bundle import Bundle
from migrator.sources.records import SourceRecord
from migrator.sources.schema_types import SourceObject, SourceType
from migrator.spec.models import ChildMapping, Mapping, MigrationSpec, ValueSpec, as_value_spec
from migrator.spec.sensitivity import sensitive_fields
from migrator.spec.target_model import TargetField, TargetModel, TargetObject, morph_field_name

#: Field types whose values never hold a float (their payloads digest without a float check).
FLOAT_FREE: frozenset[FieldType] = frozenset(
    {
        FieldType.TEXT,
        FieldType.SELECT,
        FieldType.MULTI_SELECT,
        FieldType.RATING,
        FieldType.ARRAY,
        FieldType.BOOLEAN,
        FieldType.DATE,
        FieldType.DATE_TIME,
        FieldType.EMAILS,
        FieldType.PHONES,
        FieldType.LINKS,
        FieldType.FULL_NAME,
        FieldType.CURRENCY,
        FieldType.RICH_TEXT,
        FieldType.RELATION,
        FieldType.MORPH_RELATION,
        FieldType.UUID,
        FieldType.FILES,
    }
)
#: Source fields holding a record's creation time, tried in order.
CREATED_FIELDS = ("created_at", "createdAt")


@dataclass
class CompileEnv:
    """What compiling any body of one spec needs."""

    spec: MigrationSpec
    bundle: Bundle
    model: TargetModel
    owners: OwnerResolver | None
    indexes: dict[str, MappingIndex]
    ids: IdMaker
    values: Callable[[SourceObject], ValueEnv]


@dataclass
class CompiledBody:
    """One mapping's compiled form (module doc)."""

    name: str
    to: str
    parent: str | None
    source: SourceObject
    index: MappingIndex
    identity: RecordGetter | None
    unique_writers: list[Writer]
    writers: list[Writer]
    uniques: list[UniqueRule]
    matches: list[MatchPlan]
    constants: dict[str, Any]
    sensitive: frozenset[str]
    where: Predicate | None
    locked: RecordGetter | None
    needs: set[str] = field(default_factory=set)
    """Mappings whose records this body's payloads point at: they must have run."""
    links_to: set[str] = field(default_factory=set)
    """Other mappings this body links to in a second pass (prepared by a pre-pass if needed)."""
    self_refs: bool = False
    float_keys: tuple[str, ...] = ()
    """The payload keys that may hold a float (their digest checks how to encode it)."""
    renamed: list[tuple[str, str]] = field(default_factory=list)
    """``(field address, message)`` of fields renamed from the source's name (plan warnings)."""
    targets: TargetsPhase | None = None
    target_keys: list[RecordGetter | None] = field(default_factory=list)
    merge_duplicates: bool = True
    """``on_duplicate: deduplicate`` (losers fold into the winner) or ``quarantine``."""


def is_active(spec: MigrationSpec, when: str | None, unless: str | None) -> bool:
    """Whether a ``when``/``unless`` guarded element is on under the spec's switches."""
    if when is not None and not spec.switches.get(when, False):
        return False
    return not (unless is not None and spec.switches.get(unless, False))


def _key_lowers(env: CompileEnv, mapping: str, path: str) -> bool:
    source = env.spec.source_object_of(mapping)
    obj = env.bundle.schema.object(source) if source else None
    declared = obj.field(path.split(".", 1)[0]) if obj is not None else None
    return declared is not None and declared.type is SourceType.UUID


def _ref(
    env: CompileEnv, body: CompiledBody, name: str, target: TargetField, vs: ValueSpec
) -> Writer:
    ref = vs.ref or ""
    index = env.indexes[ref]
    mode = "self" if ref == body.name else "link" if vs.deferred else "payload"
    key = (vs.key, vs.order_by) if vs.key else None
    if key is not None:
        index.want_key(key[0], key[1], _key_lowers(env, ref, key[0]))
    elif vs.by is not None:
        index.want_identities()
    if mode == "payload":
        body.needs.add(ref)
    elif mode == "link":
        body.links_to.add(ref)
    else:
        body.self_refs = True
    plan = RefPlan(
        field=name,
        join=target.join_column or f"{name}Id",
        index=index,
        by=record_getter(vs.by) if vs.by else None,
        key=key,
        pick=vs.pick,
        not_self=vs.not_self,
        mode=mode,
        policy=vs.on_invalid,
    )
    return RefWriter(plan, env.ids)


def _writer(
    env: CompileEnv, body: CompiledBody, name: str, target: TargetField, raw: object
) -> Writer | None:
    spec, values = env.spec, env.values(body.source)
    if isinstance(raw, dict):
        parts = []
        for sub, item in raw.items():
            vs = as_value_spec(item)
            if is_active(spec, vs.when, vs.unless):
                part = Target(f"{name}.{sub}", target.type, sub=sub)
                parts.append((sub, compile_value(vs, part, values)))
        return composite_writer(name, target.type, parts, spec.source.currency) if parts else None
    vs = as_value_spec(raw)  # type: ignore[arg-type]
    if not is_active(spec, vs.when, vs.unless):
        return None
    if vs.ref is not None:
        return _ref(env, body, name, target, vs)
    if vs.owner is not None and env.owners is not None:
        return owner_writer(name, target.join_column or f"{name}Id", vs.owner, env.owners)
    if vs.file is not None:
        policy = spec.destination.files.max_mb
        return file_writer(name, vs.file, env.bundle, int(policy * 1024 * 1024), policy)
    return value_writer(name, target, vs, values)


def _created_at(env: CompileEnv, source: SourceObject) -> Writer | None:
    path = next((f for f in CREATED_FIELDS if source.field(f) is not None), None)
    if path is None:
        return None
    getter = record_getter(path)
    convert = coercer(FieldType.DATE_TIME, (), env.values(source).zone)

    def write(record: SourceRecord, ctx: RowContext) -> None:
        value = getter(record)
        if value is None:
            return
        try:
            ctx.out["createdAt"] = convert(value)
        except Invalid as problem:
            ctx.judge("createdAt", "drop", None, (problem.issue,), value)

    return write


def _sensitive(env: CompileEnv, name: str, body: Mapping | ChildMapping, obj: TargetObject,
               source: SourceObject, parent: Mapping | None) -> frozenset[str]:  # fmt: skip
    keys: set[str] = set()
    for item in sensitive_fields(env.spec, name, env.bundle.schema):
        target = obj.fields.get(item)
        keys.add(target.join_column if target is not None and target.join_column else item)
    if "createdAt" not in body.fields:
        level = body.sensitive if body.sensitive is not None else (parent and parent.sensitive)
        created = next((f for f in CREATED_FIELDS if source.field(f) is not None), None)
        if created is not None and (level if level is not None else source.is_sensitive(created)):
            keys.add("createdAt")
    return frozenset(keys)


def _targets(env: CompileEnv, compiled: CompiledBody, body: Mapping | ChildMapping) -> None:
    active = [t for t in body.targets if is_active(env.spec, t.when, t.unless)]
    if not active or body.to not in HOLDERS:
        return
    holder, join = HOLDERS[body.to]
    all_mappings = env.spec.all_mappings()
    refs = [t.ref for t in active]
    plans: list[TargetPlan] = []
    for number, target in enumerate(active):
        index = env.indexes[target.ref]
        key = (target.key, None) if target.key else None
        if key is not None:
            index.want_key(target.key or "", None, _key_lowers(env, target.ref, target.key or ""))
        elif target.by is not None:
            index.want_identities()
        suffix = f"target.{target.ref}"
        if refs.count(target.ref) > 1:
            suffix += f".{target.by or 'self'}.{number}"
        morph = morph_field_name(all_mappings[target.ref].to) + "Id"
        plans.append(TargetPlan(target.ref, index, target.by is None, key, morph, suffix))
        compiled.target_keys.append(record_getter(target.by) if target.by else None)
    compiled.targets = TargetsPhase(
        phase=targets_phase(compiled.name),
        holder=holder,
        owner_join=join,
        note=compiled.index,
        plans=plans,
        ids=env.ids,
        constants={"createdBy": compiled.constants["createdBy"]}
        if "createdBy" in compiled.constants
        else {},
        provenance=env.spec.provenance.source_id_field,
    )


def _may_float(kind: FieldType, raw: object) -> bool:
    """Whether a field's value may hold a float: numbers, JSON, coordinates, constants."""
    parts = raw if isinstance(raw, dict) else {"": raw}
    if any(isinstance(p, ValueSpec) and p.has_const for p in parts.values()):
        return True
    if kind is FieldType.ADDRESS:
        return bool({"addressLat", "addressLng"} & set(parts))
    return kind not in FLOAT_FREE


def _is_written(spec: MigrationSpec, raw: object) -> bool:
    if isinstance(raw, dict):
        return True
    value = as_value_spec(raw)  # type: ignore[arg-type]
    return is_active(spec, value.when, value.unless)


def _constants(spec: MigrationSpec, body: Mapping | ChildMapping) -> dict[str, Any]:
    constants: dict[str, Any] = {}
    if "createdBy" not in body.fields:
        constants["createdBy"] = {"source": "IMPORT", "name": spec.provenance.created_by}
    if body.discriminator is not None:
        constants[body.discriminator.field] = body.discriminator.value
    return constants


def _locked(spec: MigrationSpec, source: SourceObject, is_child: bool) -> RecordGetter | None:
    """OplaCRM's per-record lock flag, reported for the records of top-level mappings."""
    declared = source.field("locked")
    if spec.source.system != "oplacrm" or is_child or declared is None:
        return None
    return record_getter("locked") if declared.type is SourceType.BOOL else None


def _add_writers(
    env: CompileEnv, compiled: CompiledBody, body: Mapping | ChildMapping, obj: TargetObject
) -> None:
    unique_names = {rule.field for rule in compiled.uniques}
    section = env.spec.schema_.get(body.to)
    # By name, not as the spec lists them: a plan embeds its spec as canonical JSON (keys
    # sorted), and apply must run the writers in the order the planner did, or a row held for
    # two reasons would be recorded with the other one.
    for field_name, raw in sorted(body.fields.items()):
        target = obj.fields[field_name]
        writer = _writer(env, compiled, field_name, target, raw)
        if writer is None:
            continue
        if target.type is FieldType.RICH_TEXT:
            max_mb = env.spec.destination.files.max_mb
            writer = inline_image_writer(writer, field_name, env.bundle, max_mb)
        if _may_float(target.type, raw):
            compiled.float_keys += (field_name,)
        (compiled.unique_writers if field_name in unique_names else compiled.writers).append(writer)
        declared = section.fields.get(field_name) if section is not None else None
        if declared is not None and declared.renamed_from:
            compiled.renamed.append(
                (
                    f"field.{body.to}.{field_name}",
                    f"source field `{declared.renamed_from}` is written to `{body.to}."
                    f"{field_name}` (renamed: the source's name is not usable in Twenty)",
                )
            )
    if "createdAt" not in body.fields:
        created = _created_at(env, compiled.source)
        if created is not None:
            compiled.writers.append(created)


def compile_body(env: CompileEnv, name: str) -> CompiledBody:
    """Compile the mapping (or child mapping) ``name`` of ``env.spec``."""
    spec = env.spec
    parent_name = spec.parent_of(name)
    parent = spec.objects[parent_name] if parent_name else None
    body: Mapping | ChildMapping = spec.all_mappings()[name]
    top = parent if parent is not None else body
    assert isinstance(top, Mapping)
    source = env.bundle.schema.object(top.from_)
    obj = env.model.get(body.to)
    if source is None or obj is None:
        raise KeyError(f"mapping {name} reads or writes an unknown object")
    written = {n for n, raw in body.fields.items() if _is_written(spec, raw)}
    uniques = unique_rules(spec, obj, written)
    compiled = CompiledBody(
        name=name,
        to=body.to,
        parent=parent_name,
        source=source,
        index=env.indexes[name],
        identity=record_getter(top.identity) if top.identity else None,
        unique_writers=[],
        writers=[],
        uniques=uniques,
        matches=match_plans(body.match, uniques) if isinstance(body, Mapping) else [],
        constants=_constants(spec, body),
        sensitive=_sensitive(env, name, body, obj, source, parent),
        where=compile_where(body.where) if isinstance(body, ChildMapping) else None,
        locked=_locked(spec, source, parent is not None),
        merge_duplicates=not isinstance(body, Mapping) or body.on_duplicate == "deduplicate",
    )
    _add_writers(env, compiled, body, obj)
    _targets(env, compiled, body)
    return compiled
