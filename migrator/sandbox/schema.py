"""The workspace's metadata as the records API reads it: objects, fields, relations, unique keys.

A :class:`Schema` is an immutable snapshot built from the ``metadata_*`` tables; the sandbox swaps
in a new one after every metadata change, so a request sees one consistent schema from start to end
and a field created by ``POST /rest/metadata/fields`` is usable by the very next records call.

Field and object DTOs are kept as the dicts the metadata API serves (camelCase keys). Keys that
start with ``_`` are the sandbox's own bookkeeping (the relation's other side) and are never
served.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from migrator.catalogue import UNIQUE_SUBFIELDS, FieldType
from migrator.sandbox.config import TwentyVersion
from migrator.sandbox.store import table_name

#: The standard unique fields upstream Twenty turned into partial indexes (twenty-api.md §8).
UPSTREAM_PARTIAL_UNIQUES: frozenset[tuple[str, str]] = frozenset(
    {("company", "domainName"), ("person", "emails")}
)

RELATION_TYPES = (FieldType.RELATION.value, FieldType.MORPH_RELATION.value)


@dataclass(frozen=True)
class FieldMeta:
    """One field's DTO, with typed accessors for what the records API needs."""

    doc: Mapping[str, Any]

    @property
    def id(self) -> str:
        """The field metadata id."""
        return str(self.doc["id"])

    @property
    def name(self) -> str:
        """The API name."""
        return str(self.doc["name"])

    @property
    def type(self) -> str:
        """The ``FieldMetadataType`` value."""
        return str(self.doc["type"])

    @property
    def is_active(self) -> bool:
        """False once deactivated: the field is then invisible to the records API."""
        return bool(self.doc.get("isActive", True))

    @property
    def is_unique(self) -> bool:
        """True when the field takes part in a unique index."""
        return bool(self.doc.get("isUnique"))

    @property
    def settings(self) -> Mapping[str, Any]:
        """The field's settings (``{}`` when none)."""
        value = self.doc.get("settings")
        return value if isinstance(value, dict) else {}

    @property
    def relation_type(self) -> str | None:
        """``MANY_TO_ONE`` or ``ONE_TO_MANY`` for relation fields."""
        if self.type not in RELATION_TYPES:
            return None
        value = self.settings.get("relationType")
        return str(value) if value else None

    @property
    def join_column(self) -> str | None:
        """The writable foreign-key key (``companyId``) of a MANY_TO_ONE side."""
        if self.relation_type != "MANY_TO_ONE":
            return None
        return str(self.settings.get("joinColumnName") or f"{self.name}Id")

    @property
    def target_object_id(self) -> str | None:
        """The object the relation points to, when it exists in this workspace."""
        value = self.doc.get("_targetObjectId")
        return str(value) if value else None

    @property
    def target_field_id(self) -> str | None:
        """The field of the other side of the relation, when it exists."""
        value = self.doc.get("_targetFieldId")
        return str(value) if value else None

    @property
    def on_delete(self) -> str:
        """What destroying the target does to this side: ``SET_NULL`` unless set otherwise."""
        return str(self.settings.get("onDelete") or "SET_NULL")

    @cached_property
    def option_values(self) -> tuple[str, ...]:
        """SELECT / MULTI_SELECT / RATING option values, by position."""
        options = self.doc.get("options") or []
        ordered = sorted(options, key=lambda item: item.get("position", 0))
        return tuple(str(item["value"]) for item in ordered)


@dataclass(frozen=True)
class UniqueKey:
    """A unique index: the field, its indexed paths and whether soft-deleted rows are exempt."""

    field: FieldMeta
    parts: tuple[tuple[str, str], ...]
    """(name shown in messages, JSON path into ``data``), e.g. ``("legacyId", "$.legacyId")``."""
    partial: bool

    @property
    def index_name(self) -> str:
        """The SQLite index enforcing it."""
        return "u_" + self.field.id.replace("-", "")


def unique_key_for(field_meta: FieldMeta, object_name: str, version: TwentyVersion) -> UniqueKey:
    """The unique index a unique field gets under ``version``."""
    sub = UNIQUE_SUBFIELDS.get(FieldType(field_meta.type))
    name = field_meta.name
    if sub:
        parts = tuple((f"{name}.{item}", f"$.{name}.{item}") for item in sub)
    else:
        parts = ((name, f"$.{name}"),)
    partial = version == "upstream" and (object_name, name) in UPSTREAM_PARTIAL_UNIQUES
    return UniqueKey(field=field_meta, parts=parts, partial=partial)


@dataclass(frozen=True)
class ObjectMeta:
    """One object's DTO and its fields, indexed the ways the records API looks them up."""

    doc: Mapping[str, Any]
    fields: tuple[FieldMeta, ...]
    version: TwentyVersion

    @property
    def id(self) -> str:
        """The object metadata id."""
        return str(self.doc["id"])

    @property
    def name_singular(self) -> str:
        """``company``."""
        return str(self.doc["nameSingular"])

    @property
    def name_plural(self) -> str:
        """``companies``."""
        return str(self.doc["namePlural"])

    @property
    def table(self) -> str:
        """The SQLite table of its records."""
        return table_name(self.id)

    @cached_property
    def active_fields(self) -> tuple[FieldMeta, ...]:
        """The fields the records API sees, in creation order."""
        return tuple(item for item in self.fields if item.is_active)

    @cached_property
    def by_name(self) -> dict[str, FieldMeta]:
        """Active fields by name."""
        return {item.name: item for item in self.active_fields}

    @cached_property
    def by_join_column(self) -> dict[str, FieldMeta]:
        """Active MANY_TO_ONE fields by their join column (``companyId``)."""
        return {item.join_column: item for item in self.active_fields if item.join_column}

    @cached_property
    def unique_keys(self) -> tuple[UniqueKey, ...]:
        """Every active unique field's index (``id`` is the primary key, not listed)."""
        return tuple(
            unique_key_for(item, self.name_singular, self.version)
            for item in self.active_fields
            if item.is_unique and item.name != "id"
        )


@dataclass(frozen=True)
class Schema:
    """Every object of the workspace at one moment."""

    objects: tuple[ObjectMeta, ...]
    by_id: dict[str, ObjectMeta] = field(init=False)
    by_plural: dict[str, ObjectMeta] = field(init=False)
    by_singular: dict[str, ObjectMeta] = field(init=False)
    fields_by_id: dict[str, tuple[ObjectMeta, FieldMeta]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {item.id: item for item in self.objects})
        object.__setattr__(self, "by_plural", {item.name_plural: item for item in self.objects})
        object.__setattr__(self, "by_singular", {item.name_singular: item for item in self.objects})
        object.__setattr__(
            self,
            "fields_by_id",
            {each.id: (item, each) for item in self.objects for each in item.fields},
        )

    def inverse_fields(self, target: ObjectMeta) -> list[tuple[ObjectMeta, FieldMeta]]:
        """Every MANY_TO_ONE field, on any object, that points at ``target``."""
        return [
            (item, each)
            for item in self.objects
            for each in item.active_fields
            if each.join_column and each.target_object_id == target.id
        ]


def load_schema(conn: sqlite3.Connection, version: TwentyVersion) -> Schema:
    """Build the schema snapshot from the metadata tables."""
    fields: dict[str, list[FieldMeta]] = {}
    for object_id, doc in conn.execute("SELECT object_id, doc FROM metadata_fields ORDER BY seq"):
        fields.setdefault(str(object_id), []).append(FieldMeta(json.loads(doc)))
    objects = tuple(
        ObjectMeta(doc=data, fields=tuple(fields.get(str(data["id"]), ())), version=version)
        for data in (
            json.loads(doc)
            for (doc,) in conn.execute("SELECT doc FROM metadata_objects ORDER BY seq")
        )
    )
    return Schema(objects=objects)
