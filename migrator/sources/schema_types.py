"""The vocabulary of source bundle schemas: field types, sensitivity classes, fields and objects.

These frozen models describe what a source export bundle holds (sources.md §5 and §6, PROPOSED
there and extended here). They carry no data: :mod:`migrator.sources.schema` assembles the two
systems' descriptions from them, the spec validator checks source paths against them, and the
bundle reader uses them to coerce values to their declared types.
"""

from __future__ import annotations

import enum

from migrator.model import FrozenModel


class SourceType(enum.StrEnum):
    """The type a reader guarantees for a field's value in :attr:`SourceRecord.fields`.

    The Python type of a non-null value is: ``string`` str, ``int`` int, ``decimal``
    :class:`decimal.Decimal`, ``bool`` bool, ``date`` :class:`datetime.date` (already converted
    to the tenant's calendar), ``datetime`` an aware :class:`datetime.datetime`, ``enum`` str (the
    code as exported; membership is checked by validators, not the reader), ``uuid`` str in lower
    case, ``list`` list, ``object`` dict.
    """

    STRING = "string"
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"
    UUID = "uuid"
    LIST = "list"
    OBJECT = "object"


class Sensitivity(enum.StrEnum):
    """How protected a whole source object is (DESIGN.md "Security and privacy").

    ``clinical`` objects are special-category health data: every field except the primary key is
    sensitive. ``personal`` objects hold customers' personal data and flag their sensitive fields
    one by one; ``business`` objects (companies, deals, staff directories) flag the few that are;
    ``configuration`` objects (definitions, lookups, rules, inventories) hold none.
    """

    CLINICAL = "clinical"
    PERSONAL = "personal"
    BUSINESS = "business"
    CONFIGURATION = "configuration"


class SourceField(FrozenModel):
    """One field of a source object as the reader exposes it in ``SourceRecord.fields``."""

    name: str
    """The key in the bundle's JSON lines and in ``SourceRecord.fields``."""
    type: SourceType
    """The normalised value type the reader guarantees (see :class:`SourceType`)."""
    required: bool = False
    """The source system always sets it; a missing value is a validation ERROR."""
    references: str | None = None
    """For a foreign key: the source object it points to (a name in the same system)."""
    references_field: str | None = None
    """The field of ``references`` it matches; None means that object's primary key."""
    item_type: SourceType | None = None
    """For ``list`` fields: the type of each element (``uuid`` for a list of references)."""
    values: tuple[str, ...] = ()
    """For ``enum`` fields: the known codes. Unknown codes are kept and reported (WARN)."""
    subfields: tuple[SourceField, ...] = ()
    """For ``object`` fields of a known shape (a phone object): their parts, addressable as
    ``field.part`` in spec source paths."""
    sensitive: bool = False
    """The value must never appear in a plan, log, report, error or snapshot."""
    check: str | None = None
    """The validator applied to the value (``nhs_number``, ``email``, ``phone``, ``postcode``,
    ``tooth``, ``surfaces``, ``money``, ``sds_user_id`` …); None for type checks only."""
    description: str = ""
    """What the field means, for reviewers and the generated spec's comments."""

    def subfield(self, name: str) -> SourceField | None:
        """The declared part ``name`` of an object field, or None."""
        for part in self.subfields:
            if part.name == name:
                return part
        return None


#: Fields every reader adds whose content is open-ended: ``custom_fields.<key>`` holds resolved
#: custom field values (OplaCRM), ``raw.<key>`` the source keys the schema does not know.
OPEN_FIELDS: frozenset[str] = frozenset({"custom_fields", "raw"})


class SourceObject(FrozenModel):
    """One exported object type: its file, primary key, fields, and sensitivity class."""

    name: str
    """How specs and plans refer to it (``accounts``, ``patients``); also the file stem."""
    file: str
    """The JSON Lines file in the bundle (``accounts.jsonl``)."""
    primary_key: str
    """The field holding the source system's own id; ``SourceRecord.id`` is it as a string."""
    fields: tuple[SourceField, ...]
    """Every known field, in export order."""
    sensitivity: Sensitivity
    """The protection class of the whole object."""
    description: str = ""
    migrated: bool = True
    """False for objects read only to count them or to write the rebuild inventory
    (automations, gamification, recall rules); a spec mapping them to Twenty is refused."""

    @property
    def csv_file(self) -> str:
        """The optional flat mirror of the file (``csv/accounts.csv``)."""
        return "csv/" + self.file.removesuffix(".jsonl") + ".csv"

    def field(self, name: str) -> SourceField | None:
        """The declared field ``name``, or None."""
        for item in self.fields:
            if item.name == name:
                return item
        return None

    @property
    def field_names(self) -> frozenset[str]:
        """The names of every declared field."""
        return frozenset(item.name for item in self.fields)

    @property
    def references(self) -> tuple[SourceField, ...]:
        """The foreign-key fields (scalar or list), in export order."""
        return tuple(item for item in self.fields if item.references)

    def is_sensitive(self, name: str) -> bool:
        """Whether a field's value must be kept out of every output.

        Every field of a clinical object is, except its primary key (which findings use to name
        the record). Open paths (``custom_fields.*``, ``raw.*``) of a non-clinical object count
        as sensitive when the object is ``personal``.
        """
        head = name.split(".", 1)[0]
        if self.sensitivity is Sensitivity.CLINICAL:
            return head != self.primary_key
        if head in OPEN_FIELDS:
            return self.sensitivity is Sensitivity.PERSONAL
        declared = self.field(head)
        return declared is not None and declared.sensitive

    def path_problem(self, path: str) -> str | None:
        """Why ``path`` (``name``, ``phone_work.call_code``, ``custom_fields.quan``) does not
        name a value of this object, or None if it does.

        Object fields without declared parts and the open fields accept any sub-path.
        """
        head, _, rest = path.partition(".")
        if head in OPEN_FIELDS:
            return None if rest else f"`{head}` needs a key, e.g. `{head}.<key>`"
        declared = self.field(head)
        if declared is None:
            return f"`{self.name}` has no field `{head}`"
        if not rest:
            return None
        if declared.type is not SourceType.OBJECT:
            return f"`{self.name}.{head}` is a {declared.type.value}, not an object"
        if not declared.subfields:
            return None
        part = rest.split(".", 1)[0]
        if declared.subfield(part) is None:
            known = ", ".join(sub.name for sub in declared.subfields)
            return f"`{self.name}.{head}` has no part `{part}` (known: {known})"
        return None


class SourceSchema(FrozenModel):
    """All the objects of one source system's export bundle, in load order."""

    system: str
    """``oplacrm`` or ``aeronaclinic``: the value of ``manifest.json``'s ``source``."""
    schema_version: str
    """The bundle schema version this description reads (``manifest.json``'s
    ``schema_version``)."""
    default_timezone: str
    """The tenant timezone used when neither the caller nor the manifest gives one."""
    objects: tuple[SourceObject, ...]
    """Every object, in the system's load order (parents before children)."""

    def object(self, name: str) -> SourceObject | None:
        """The object called ``name``, or None."""
        for item in self.objects:
            if item.name == name:
                return item
        return None

    @property
    def object_names(self) -> tuple[str, ...]:
        """The object names in load order."""
        return tuple(item.name for item in self.objects)
