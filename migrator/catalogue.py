"""What a new Twenty workspace (v2.15) holds and what its metadata API accepts.

The single source of Twenty's schema facts for the whole tool: the standard objects and their
fields (read from ``data/standard-objects-fields.txt``, a live metadata dump), the field types the
API can create, the composite sub-fields, the naming rules, the reserved words and the SELECT
option-value rule. Spec validation and the sandbox both read this module; nothing else hard-codes
Twenty's schema.
"""

from __future__ import annotations

import enum
import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any


class FieldType(enum.StrEnum):
    """Every field metadata type Twenty v2.15 knows (``FieldMetadataType``)."""

    ACTOR = "ACTOR"
    ADDRESS = "ADDRESS"
    ARRAY = "ARRAY"
    BOOLEAN = "BOOLEAN"
    CURRENCY = "CURRENCY"
    DATE = "DATE"
    DATE_TIME = "DATE_TIME"
    EMAILS = "EMAILS"
    FILES = "FILES"
    FULL_NAME = "FULL_NAME"
    LINKS = "LINKS"
    MORPH_RELATION = "MORPH_RELATION"
    MULTI_SELECT = "MULTI_SELECT"
    NUMBER = "NUMBER"
    NUMERIC = "NUMERIC"
    PHONES = "PHONES"
    POSITION = "POSITION"
    RATING = "RATING"
    RAW_JSON = "RAW_JSON"
    RELATION = "RELATION"
    RICH_TEXT = "RICH_TEXT"
    SELECT = "SELECT"
    TEXT = "TEXT"
    TS_VECTOR = "TS_VECTOR"
    UUID = "UUID"


#: Types the metadata API accepts on create (live survey, twenty-api.md §5). NUMERIC, POSITION and
#: TS_VECTOR are refused; MORPH_RELATION is only made by Twenty itself.
CREATABLE_FIELD_TYPES: frozenset[FieldType] = frozenset(
    {
        FieldType.TEXT,
        FieldType.NUMBER,
        FieldType.BOOLEAN,
        FieldType.DATE,
        FieldType.DATE_TIME,
        FieldType.SELECT,
        FieldType.MULTI_SELECT,
        FieldType.RATING,
        FieldType.CURRENCY,
        FieldType.EMAILS,
        FieldType.PHONES,
        FieldType.LINKS,
        FieldType.ADDRESS,
        FieldType.FULL_NAME,
        FieldType.RAW_JSON,
        FieldType.ARRAY,
        FieldType.RICH_TEXT,
        FieldType.UUID,
        FieldType.ACTOR,
        FieldType.RELATION,
        FieldType.FILES,
    }
)

#: Why a non-creatable type is refused, in Twenty's words where it has them.
REFUSED_TYPE_REASONS: dict[FieldType, str] = {
    FieldType.NUMERIC: "NUMERIC cannot be created through the API; use NUMBER",
    FieldType.POSITION: "POSITION is the system field `position` and cannot be created",
    FieldType.TS_VECTOR: "TS_VECTOR is a system search field and cannot be created",
    FieldType.MORPH_RELATION: "MORPH_RELATION fields are created by Twenty, not by the API",
}

#: Sub-fields of composite types, in Twenty's order (twenty-api.md §6).
COMPOSITE_SUBFIELDS: dict[FieldType, tuple[str, ...]] = {
    FieldType.FULL_NAME: ("firstName", "lastName"),
    FieldType.EMAILS: ("primaryEmail", "additionalEmails"),
    FieldType.PHONES: (
        "primaryPhoneNumber",
        "primaryPhoneCountryCode",
        "primaryPhoneCallingCode",
        "additionalPhones",
    ),
    FieldType.LINKS: ("primaryLinkUrl", "primaryLinkLabel", "secondaryLinks"),
    FieldType.ADDRESS: (
        "addressStreet1",
        "addressStreet2",
        "addressCity",
        "addressState",
        "addressPostcode",
        "addressCountry",
        "addressLat",
        "addressLng",
    ),
    FieldType.CURRENCY: ("amountMicros", "currencyCode"),
    FieldType.ACTOR: ("source", "workspaceMemberId", "name", "context"),
    FieldType.RICH_TEXT: ("blocknote", "markdown"),
}

#: Sub-fields of a composite that take part in its unique constraint (twenty-api.md §3.3).
UNIQUE_SUBFIELDS: dict[FieldType, tuple[str, ...]] = {
    FieldType.EMAILS: ("primaryEmail",),
    FieldType.LINKS: ("primaryLinkUrl",),
    FieldType.PHONES: ("primaryPhoneNumber", "primaryPhoneCountryCode", "primaryPhoneCallingCode"),
}

#: ACTOR ``source`` values.
ACTOR_SOURCES: frozenset[str] = frozenset(
    {
        "EMAIL",
        "CALENDAR",
        "WORKFLOW",
        "AGENT",
        "API",
        "IMPORT",
        "MANUAL",
        "SYSTEM",
        "WEBHOOK",
        "APPLICATION",
    }
)

#: SELECT option colours Twenty accepts.
OPTION_COLORS: tuple[str, ...] = (
    "red",
    "ruby",
    "crimson",
    "tomato",
    "orange",
    "amber",
    "yellow",
    "lime",
    "grass",
    "green",
    "jade",
    "mint",
    "turquoise",
    "cyan",
    "sky",
    "blue",
    "iris",
    "violet",
    "purple",
    "plum",
    "pink",
    "bronze",
    "gold",
    "brown",
    "gray",
)

#: Names no object or field may take (twenty-shared ``RESERVED_METADATA_NAME_KEYWORDS`` plus the
#: search words twenty-api.md §5 lists for v2.15).
RESERVED_NAMES: frozenset[str] = frozenset(
    {
        "approvedAccessDomain",
        "approvedAccessDomains",
        "appToken",
        "appTokens",
        "billingCustomer",
        "billingCustomers",
        "billingEntitlement",
        "billingEntitlements",
        "billingMeter",
        "billingMeters",
        "billingProduct",
        "billingProducts",
        "billingSubscription",
        "billingSubscriptions",
        "billingSubscriptionItem",
        "billingSubscriptionItems",
        "featureFlag",
        "featureFlags",
        "job",
        "jobs",
        "keyValuePair",
        "keyValuePairs",
        "pageLayout",
        "pageLayouts",
        "pageLayoutTab",
        "pageLayoutTabs",
        "pageLayoutWidget",
        "pageLayoutWidgets",
        "postgresCredential",
        "postgresCredentials",
        "twoFactorMethod",
        "twoFactorMethods",
        "user",
        "users",
        "userWorkspace",
        "userWorkspaces",
        "workspace",
        "workspaces",
        "role",
        "roles",
        "userWorkspaceRole",
        "userWorkspaceRoles",
        "plan",
        "plans",
        "event",
        "events",
        "field",
        "fields",
        "link",
        "links",
        "currency",
        "currencies",
        "fullNames",
        "address",
        "addresses",
        "type",
        "types",
        "object",
        "objects",
        "index",
        "relation",
        "relations",
        "aggregate",
        "search",
        "searches",
    }
)

NAME_PATTERN = re.compile(r"^[a-z][a-zA-Z0-9]*$")
NAME_MAX_LENGTH = 63
OPTION_VALUE_PATTERN = re.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)*$")

#: Twenty's own messages for name problems (captures 04, 06), reused by the sandbox.
MESSAGE_INVALID_NAME = (
    "Name is not valid: it must start with lowercase letter and contain only alphanumeric letters"
)
MESSAGE_RESERVED_NAME = (
    'This name is reserved. Use a different name or the system will add "Custom" suffix.'
)
MESSAGE_NAME_TOO_LONG = "Name exceeds 63 characters"


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid Twenty object or field name, or None if it is.

    Rules: ``^[a-z][a-zA-Z0-9]*$``, 1-63 characters, not a reserved word.
    """
    if not NAME_PATTERN.match(name):
        return MESSAGE_INVALID_NAME
    if len(name) > NAME_MAX_LENGTH:
        return MESSAGE_NAME_TOO_LONG
    if name in RESERVED_NAMES:
        return MESSAGE_RESERVED_NAME
    return None


def option_value_problem(value: str) -> str | None:
    """Why ``value`` is not a valid SELECT option value (ASCII UPPER_SNAKE), or None."""
    if OPTION_VALUE_PATTERN.match(value):
        return None
    return f'Value must be in UPPER_CASE and follow snake_case "{value}"'


@dataclass(frozen=True)
class StandardField:
    """One field of a standard object as a new v2.15 workspace has it."""

    name: str
    type: FieldType
    is_nullable: bool
    is_unique: bool
    is_system: bool
    default: object
    """The field's default as the metadata API writes it (SQL-quoted strings for SELECT)."""
    relation_type: str | None = None
    """``MANY_TO_ONE`` or ``ONE_TO_MANY`` for relation fields, else None."""
    join_column: str | None = None
    """The writable foreign-key column (``companyId``) of a MANY_TO_ONE relation."""
    options: tuple[str, ...] = ()
    """SELECT/MULTI_SELECT option values, in order."""

    @property
    def is_writable(self) -> bool:
        """False for ONE_TO_MANY sides, POSITION and TS_VECTOR, which no payload may set."""
        if self.relation_type == "ONE_TO_MANY":
            return False
        return self.type not in (FieldType.TS_VECTOR,)


@dataclass(frozen=True)
class StandardObject:
    """A standard object: its names, its metadata id in the reference dump, its fields."""

    name_singular: str
    name_plural: str
    reference_id: str
    fields: tuple[StandardField, ...]

    def field(self, name: str) -> StandardField | None:
        """The field called ``name`` (or whose join column is ``name``), if any."""
        for item in self.fields:
            if item.name == name or item.join_column == name:
                return item
        return None

    @property
    def field_names(self) -> frozenset[str]:
        """Every field name, system fields included."""
        return frozenset(item.name for item in self.fields)


_HEADER = re.compile(r"^== (\w+) / (\w+)\s+id=([0-9a-f-]+)$")
_ROW = re.compile(
    r"^\s+(?P<name>\w+)\s+(?P<type>[A-Z_]+)\s+null=(?P<null>True|False)\s+"
    r"uniq=(?P<uniq>True|False)\s+sys=(?P<sys>True|False)\s+active=(?:True|False)\s+"
    r"default=(?P<rest>.*)$"
)


def _parse_default(text: str) -> object:
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text  # a truncated JSON default in the dump: keep the text


def _parse_row(line: str) -> StandardField:
    match = _ROW.match(line)
    if match is None:
        raise ValueError(f"unreadable catalogue row: {line!r}")
    rest = match["rest"]
    extras: dict[str, str] = {}
    for key in ("options", "join", "rel"):  # they trail the default in this order, reversed
        found = re.search(rf"\s{key}=(\S*)$", rest)
        if found:
            extras[key] = found.group(1)
            rest = rest[: found.start()]
    return StandardField(
        name=match["name"],
        type=FieldType(match["type"]),
        is_nullable=match["null"] == "True",
        is_unique=match["uniq"] == "True",
        is_system=match["sys"] == "True",
        default=_parse_default(rest),
        relation_type=extras.get("rel"),
        join_column=extras.get("join") or None,
        options=tuple(extras["options"].split(",")) if "options" in extras else (),
    )


def parse_catalogue(text: str) -> tuple[StandardObject, ...]:
    """Parse the metadata dump format of ``standard-objects-fields.txt``."""
    objects: list[StandardObject] = []
    header: tuple[str, str, str] | None = None
    rows: list[StandardField] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        head = _HEADER.match(line)
        if head:
            if header:
                objects.append(StandardObject(*header, fields=tuple(rows)))
            header, rows = (head.group(1), head.group(2), head.group(3)), []
            continue
        rows.append(_parse_row(line))
    if header:
        objects.append(StandardObject(*header, fields=tuple(rows)))
    return tuple(sorted(objects, key=lambda o: o.name_singular))


@functools.cache
def standard_objects() -> tuple[StandardObject, ...]:
    """The standard objects of a new v2.15 workspace, sorted by singular name."""
    text = (
        resources.files("migrator")
        .joinpath("data/standard-objects-fields.txt")
        .read_text(encoding="utf-8")
    )
    return parse_catalogue(text)


def standard_object(name: str) -> StandardObject | None:
    """The standard object whose singular or plural name is ``name``, if any."""
    for item in standard_objects():
        if name in (item.name_singular, item.name_plural):
            return item
    return None


@functools.cache
def standard_object_details() -> dict[str, dict[str, Any]]:
    """Per standard object, what the metadata API shows beyond the dump: labels, ids, options.

    Read from ``data/standard-objects-details.json`` (extracted from the live
    ``GET /rest/metadata/objects`` of capture 02), keyed by singular name: ``id``,
    ``labelSingular``, ``labelPlural``, ``description``, ``icon``, ``isSystem`` and ``fields``
    (by name: ``id``, ``label``, ``description``, ``icon``, ``settings``, ``options``,
    ``defaultValue`` and, for relations, ``relation: {targetObject, targetField}``, the object the
    relation points to and the field of the other side). Callers must not mutate the result.
    """
    text = (
        resources.files("migrator")
        .joinpath("data/standard-objects-details.json")
        .read_text(encoding="utf-8")
    )
    details: dict[str, dict[str, Any]] = json.loads(text)
    return details


def is_standard_object(name: str) -> bool:
    """True when ``name`` (singular or plural) is a standard object."""
    return standard_object(name) is not None


#: Objects whose records cannot be created through the data API (capture 98).
NOT_CREATABLE_OBJECTS: frozenset[str] = frozenset({"workspaceMember"})

#: Standard fields that exist on every object and are set by Twenty (or accepted on create).
SYSTEM_FIELDS: tuple[str, ...] = (
    "id",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "createdBy",
    "updatedBy",
    "position",
    "searchVector",
)
