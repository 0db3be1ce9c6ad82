"""``propose_spec``: a starter migration spec from a source bundle, every guess commented.

The standard map of the source system (:mod:`migrator.init.standard_oplacrm`,
:mod:`migrator.init.standard_aeronaclinic`) says where each known object lands and which
standard Twenty fields it fills; every other field becomes a custom field whose type and name
are guessed from the schema and the values (:mod:`migrator.init.fields`), with a comment stating
the guess, its confidence and its reason. Objects outside the map are skipped with a reason.
The text is written so that ``migrator validate`` accepts it as it is: a reviewer edits it,
nothing has to be fixed first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from migrator.catalogue import FieldType
from migrator.init.fields import Definition, MappingBuilder, ProposedField
from migrator.init.infer import Context, Guess
from migrator.init.names import NameBook
from migrator.init.profile import profile_records
from migrator.init.standard import StandardMap, SystemMap
from migrator.init.standard_aeronaclinic import AERONACLINIC_MAP
from migrator.init.standard_oplacrm import OPLACRM_MAP, stage_map
from migrator.init.yaml_out import Block, Entry, render
from migrator.sources.bundle import Bundle

SYSTEM_MAPS = {"oplacrm": OPLACRM_MAP, "aeronaclinic": AERONACLINIC_MAP}
SANDBOX_URL = "${TWENTY_API_URL:-sandbox:.migrator/sandbox.db}"


@dataclass(frozen=True)
class Proposal:
    """The proposed spec text, and every custom field it provisions."""

    text: str
    fields: tuple[ProposedField, ...]


def _definitions(bundle: Bundle) -> dict[str, list[Definition]]:
    """OplaCRM custom field definitions per source object (configuration, safe to quote)."""
    objects = {
        "ACCOUNT": "accounts",
        "CONTACT": "contacts",
        "OPPORTUNITY": "opportunities",
        "PRODUCT": "products",
        "LEAD": "leads",
    }
    found: dict[str, list[Definition]] = {}
    if bundle.schema.object("custom_field_definitions") is None:
        return found
    for record in bundle.read("custom_field_definitions"):
        f = record.fields
        source = objects.get(str(f.get("object_type")))
        if source is None or not isinstance(f.get("key"), str):
            continue
        options = f.get("options") or []
        labels = tuple(str(o["value"]) for o in options if isinstance(o, dict) and o.get("value"))
        found.setdefault(source, []).append(
            Definition(
                str(f["key"]), str(f.get("name") or f["key"]), str(f.get("data_type")), labels
            )
        )
    return found


def _lookups(bundle: Bundle, obj_name: str, mapped: set[str]) -> dict[str, Guess]:
    """References to unmapped lookup objects: their code (a SELECT) or name (a TEXT)."""
    obj = bundle.schema.object(obj_name)
    found: dict[str, Guess] = {}
    for ref in obj.references if obj else ():
        target = bundle.schema.object(ref.references or "")
        if target is None or target.name in mapped or ref.type.value == "list":
            continue
        value_field = "code" if target.field("code") else "name" if target.field("name") else None
        if value_field is None:
            continue
        lookup = {"lookup": {"from": target.name, "by": ref.name, "value": value_field}}
        if value_field == "code":
            codes = sorted({str(r.fields.get("code")) for r in bundle.read(target.name)} - {"None"})
            options = tuple((c, c.replace("_", " ").capitalize()) for c in codes)
            found[ref.name] = Guess(
                FieldType.SELECT,
                lookup,
                0.8,
                f"the code of the {target.name} row it points at (a lookup)",
                ref.name,
                options=options,
                suffix="code",
            )
        else:
            found[ref.name] = Guess(
                FieldType.TEXT,
                lookup,
                0.8,
                f"the name of the {target.name} row it points at (a lookup)",
                ref.name,
                suffix="name",
            )
    return found


def _stage_field(bundle: Bundle) -> dict[str, Any]:
    rows: list[tuple[str, str | None, float | None]] = []
    for record in bundle.read("opportunities"):
        label = record.fields.get("stage_name")
        if isinstance(label, str) and label:
            raw = record.fields.get("stage_probability") or record.fields.get("weight")
            probability = float(raw) if isinstance(raw, Decimal | int) else None
            rows.append((label, record.fields.get("sale_process_stage"), probability))
    return {"from": "stage_name", "map": stage_map(rows), "default": "error"}


class SpecBuilder:
    """Assembles the proposal of one bundle (a builder)."""

    def __init__(self, system_map: SystemMap, bundle: Bundle, bundle_ref: str) -> None:
        self.map = system_map
        self.bundle = bundle
        self.bundle_ref = bundle_ref
        self.names = NameBook(system_map.prefix)
        self.schema: dict[str, dict[str, Any]] = {}
        self.objects = Block()
        self.fields: list[ProposedField] = []
        self.ctx = Context(
            system=system_map.system,
            targets={m.source: (m.mapping, m.target) for m in system_map.objects},
            owners_object=str(system_map.owners["from"]),
            owners_key=system_map.owners.get("key"),
            region=system_map.region,
            currency=bundle.manifest.currency or system_map.currency,
        )

    def _section(self, target: str) -> dict[str, Any]:
        return self.schema.setdefault(target, {"create": None, "options": {}, "fields": []})

    def add_mapping(self, standard: StandardMap, definitions: list[Definition]) -> None:
        """Propose one mapping and the schema it needs."""
        obj = self.bundle.schema.object(standard.source)
        if obj is None:
            return
        profile = profile_records(self.bundle.read(standard.source))
        builder = MappingBuilder(standard, obj, profile, self.names, self.ctx)
        section = self._section(standard.target)
        if standard.create is not None:
            section["create"] = dict(standard.create)
        section["options"].update(standard.add_options)
        builder.add_named()
        if standard.guess_rest:
            mapped = {m.source for m in self.map.objects}
            builder.add_source_fields(_lookups(self.bundle, standard.source, mapped))
            builder.add_custom_fields(definitions)
        section["fields"].extend(builder.result.schema_fields)
        self.fields.extend(builder.result.fields)
        self.objects.add(
            standard.mapping,
            self._mapping_block(standard, builder),
            standard.comment,
            *builder.result.notes,
        )

    def _mapping_block(self, standard: StandardMap, builder: MappingBuilder) -> Block:
        block = Block()
        block.add("from", standard.source)
        block.add("to", standard.target)
        if standard.discriminator:
            field, value = standard.discriminator
            block.add("discriminator", {"field": field, "value": value})
        rules = [self._rule(r, builder) for r in standard.match]
        if any(r is not None for r in rules):
            block.add("match", [r for r in rules if r is not None])
        if standard.on_source_delete:
            block.add("on_source_delete", standard.on_source_delete)
        fields = Block()
        for name, value in standard.fields.items():
            fields.add(name, value)
        if self.map.system == "oplacrm" and standard.source == "opportunities":
            fields.add(
                "stage",
                _stage_field(self.bundle),
                "guess: stage labels ordered by their "
                "mean probability onto Twenty's stages; confirm with the customer",
            )
        fields.entries.extend(builder.result.mapping_fields.entries)
        block.add("fields", fields)
        if standard.targets:
            block.add("targets", list(standard.targets))
        return block

    @staticmethod
    def _rule(rule: Any, builder: MappingBuilder) -> Any:
        if isinstance(rule, str) and rule.startswith("@"):
            return builder.by_path.get(rule[1:])
        return list(rule) if isinstance(rule, tuple) else rule

    def document(self) -> Block:
        """The whole spec."""
        doc = Block()
        doc.add("version", 1)
        doc.add("name", self.map.name)
        tz = self.bundle.timezone or self.map.timezone
        doc.add(
            "source",
            {
                "system": self.map.system,
                "bundle": self.bundle_ref,
                "timezone": tz,
                "currency": self.ctx.currency,
            },
        )
        doc.add("destination", self._destination())
        doc.add(
            "provenance",
            {
                "source_id_field": "migrationSourceId",
                "source_deleted_field": "migrationSourceDeleted",
                "created_by": self.map.created_by,
            },
        )
        doc.add("on_source_delete", "keep")
        doc.add(
            "owners",
            dict(self.map.owners),
            "Owners match workspace members by email; "
            "unmatched ones are held (or name a fallback member: fallback: {member: EMAIL})",
        )
        doc.add("schema", self._schema_block(), "Everything this spec provisions in Twenty")
        doc.add("objects", self.objects, "One mapping per source object (the standard map)")
        skip = self._skip_block()
        if skip.entries:
            doc.add("skip", skip, "Source objects not migrated, with the reason")
        return doc

    def _destination(self) -> Block:
        block = Block()
        block.add("url", SANDBOX_URL, raw=True, after="the embedded sandbox unless set")
        block.add("api_key_env", "TWENTY_API_KEY")
        block.add("rate_limit", {"per_minute": 100, "per_second": 100})
        block.add("batch_size", 200)
        block.add("files", {"max_mb": 25})
        return block

    def _schema_block(self) -> Block:
        block = Block()
        discriminator = self.map.discriminator_field
        for target, section in self.schema.items():
            inner = Block()
            if section["create"] is not None:
                inner.add("create", section["create"])
            if section["options"]:
                inner.add("add_options", {k: list(v) for k, v in section["options"].items()})
            fields = Block(list(section["fields"]))
            if discriminator and target == "opportunity":
                self.names.claim(target, discriminator["name"])
                fields.entries.insert(0, _entry(discriminator["name"], discriminator["schema"]))
            if fields.entries:
                inner.add("fields", fields)
            if inner.entries:
                block.add(target, inner)
        return block

    def _skip_block(self) -> Block:
        block = Block()
        mapped = {m.source for m in self.map.objects}
        read = {self.map.owners["from"], *self._read_by_values()}
        for name in self.bundle.schema.object_names:
            if name in mapped or name in read:
                continue
            reason = self.map.skip.get(name, {"reason": "Not in the standard map: review"})
            block.add(name, dict(reason) if reason.get("inventory") else reason["reason"])
        return block

    def _read_by_values(self) -> set[str]:
        found: set[str] = set()
        for standard in self.map.objects:
            for item in standard.custom:
                value = item.value
                if isinstance(value, dict) and "aggregate" in value:
                    found.add(str(value["aggregate"]["from"]))
        return found | {g.split(".")[0] for g in self._lookup_sources()}

    def _lookup_sources(self) -> set[str]:
        found: set[str] = set()
        for standard in self.map.objects:
            for value in standard.fields.values():
                if isinstance(value, dict) and "lookup" in value:
                    found.add(str(value["lookup"]["from"]))
        for entry in self.objects.entries:
            for field in _fields_of(entry.value):
                if isinstance(field, dict) and "lookup" in field:
                    found.add(str(field["lookup"]["from"]))
        return found


def _entry(name: str, schema: dict[str, Any]) -> Entry:
    return Entry(name, schema, ("Tells apart the records several mappings write here",))


def _fields_of(block: Any) -> list[Any]:
    if not isinstance(block, Block):
        return []
    for entry in block.entries:
        if entry.key == "fields" and isinstance(entry.value, Block):
            return [e.value for e in entry.value.entries]
    return []


def propose_spec(system: str, bundle: Bundle, *, bundle_ref: str, now: dt.datetime) -> Proposal:
    """The proposed spec for ``bundle`` (``bundle_ref``: its path as the spec will say it)."""
    system_map = SYSTEM_MAPS[system]
    builder = SpecBuilder(system_map, bundle, bundle_ref)
    definitions = _definitions(bundle)
    for standard in system_map.objects:
        builder.add_mapping(standard, definitions.get(standard.source, []))
    header = (
        f"{system_map.name}: proposed by `migrator init` on {now.date().isoformat()} from the "
        f"{system} bundle {bundle.fingerprint}.",
        "The standard map places each known object; every other field is a guess, commented "
        "with its type, confidence and reason.",
        "Review every `guess:` comment (rename, retype or drop the field), then run `migrator "
        "validate` and `migrator audit`.",
    )
    text = render(builder.document(), header)
    return Proposal(text=text, fields=tuple(builder.fields))
