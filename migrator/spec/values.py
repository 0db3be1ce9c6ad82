"""Where a Twenty field's value comes from: the value models of a field mapping.

A field mapping is written in one of three forms:

* a bare source path (``name``, ``phone.call_code``, ``contact_ids[0]``, ``custom_fields.quan``):
  the value of that path, unchanged;
* a :class:`ValueSpec` mapping with exactly one *source* (``from``, ``const``, ``template``,
  ``ref``, ``owner``, ``lookup``, ``aggregate``, ``file``) and optional translation steps
  (``transforms``, then ``map`` with ``default``);
* a *composite* mapping whose keys are sub-fields of a composite Twenty field (``addressCity``,
  ``amountMicros``) and whose values are either of the forms above.

Semantic validation (:mod:`migrator.spec.semantic`) checks every path, mapping and field name.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, GetJsonSchemaHandler, JsonValue, Tag
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from migrator.spec.base import SpecModel
from migrator.spec.transforms import Transform


def _scalar_tag(value: Any) -> str | None:
    if value is None:
        return "<null>"
    for kind in (bool, str, int, float):  # bool first: it is an int subclass
        if isinstance(value, kind):
            return f"<{kind.__name__}>"
    return None


Scalar = Annotated[
    Annotated[bool, Tag("<bool>")]
    | Annotated[str, Tag("<str>")]
    | Annotated[int, Tag("<int>")]
    | Annotated[float, Tag("<float>")]
    | Annotated[None, Tag("<null>")],
    Discriminator(
        _scalar_tag,
        custom_error_type="scalar",
        custom_error_message="expected a single value (text, number, true/false or null)",
    ),
]
"""A YAML scalar: what value maps, constants in conditions and defaults hold."""


class Present(SpecModel):
    """A condition on whether a value is present (not null, not empty text, not an empty list)."""

    present: bool


def _condition_tag(value: Any) -> str:
    if isinstance(value, dict | Present):
        return "<present>"
    if isinstance(value, list | tuple):
        return "<in>"
    return "<equals>"


Condition = Annotated[
    Annotated[Scalar, Tag("<equals>")]
    | Annotated[tuple[Scalar, ...], Tag("<in>")]
    | Annotated[Present, Tag("<present>")],
    Discriminator(_condition_tag),
]
"""A ``where`` condition on one source path: equal to a scalar, one of a list, or
``{present: true|false}``."""

Where = dict[str, Condition]
"""All conditions must hold (keys are source paths)."""


class Aggregate(SpecModel):
    """Several rows of another source object folded into one value of this record.

    The rows of ``from`` whose ``by`` equals this row's ``key`` (its identity by default) are
    filtered by ``where`` and folded by ``pick``: ``latest``/``earliest`` take the row with the
    greatest/smallest ``order_by`` and read ``value`` from it; ``all`` collects ``value`` (or the
    row itself when ``value`` is omitted) from every row into a list, ordered by ``order_by``;
    ``count`` counts the rows; ``sum`` adds the decimal ``value``. Rows folded into another
    mapping's records count as *aggregated* in conservation.
    """

    from_: str = Field(alias="from")
    """The source object whose rows are folded."""
    by: str
    """The path in those rows that refers to this record's source row."""
    key: str | None = None
    """The path of this row that ``by`` matches; None means this mapping's identity."""
    where: Where = Field(default_factory=dict)
    """Only rows meeting every condition take part."""
    pick: Literal["latest", "earliest", "all", "count", "sum"]
    order_by: str | None = None
    """Required for ``latest`` and ``earliest``; orders ``all``."""
    value: str | None = None
    """The path read from the picked rows; required except for ``count`` (and optional for
    ``all``, which then collects whole rows, e.g. for a ``format`` transform)."""


class Lookup(SpecModel):
    """A value read from another source object's row that this row points at (a lookup table)."""

    from_: str = Field(alias="from")
    """The source object holding the looked-up rows (``appointment_types``)."""
    by: str
    """The path in this row holding the key."""
    key: str | None = None
    """The field of the looked-up object matched against ``by``; None means its primary key."""
    value: str
    """The path read from the looked-up row."""


class ValueSpec(SpecModel):
    """One Twenty field's value: exactly one source, then transforms, then a value map.

    ``ref`` points at the record another mapping made: the record of mapping ``ref`` whose source
    ``key`` (its identity by default) equals this row's ``by``. Without ``by`` it is the record
    that mapping made from this same source row (children and sibling mappings). ``pick`` chooses
    among several matches (``first``/``last`` by ``order_by``); ``not_self`` excludes this row.
    A self reference, or one marked ``deferred``, is written by a second-pass link once both
    records exist; any other reference is written with the record, so its target is written
    first.

    ``map`` translates the (transformed) value by its text: a key ``"7"`` matches the integer 7;
    a list (tags, a multi-select) is translated element by element.
    A value map must say what happens to a value it does not list: ``default: <value>`` writes
    that value, ``default: error`` quarantines the record with the reason "unmapped value".
    """

    from_: str | None = Field(default=None, alias="from")
    """A source path of this row."""
    const: JsonValue = None
    """A constant (use ``const: null`` to write null explicitly). A mapping for composite and
    ACTOR fields (``{source: IMPORT, name: …}``)."""
    template: str | None = None
    """Text with ``{path}`` placeholders filled from this row (``"Invoice {invoice_number}"``)."""
    ref: str | None = None
    """The name of the mapping whose record this relation points at."""
    owner: str | None = None
    """A source path holding an owner reference, resolved through the ``owners`` section to a
    workspace member."""
    lookup: Lookup | None = None
    aggregate: Aggregate | None = None
    file: str | None = None
    """A source path holding a bundle-relative file path: the file is uploaded (subject to the
    destination's file-size policy) and the FILES field points at it."""

    by: str | None = None
    """With ``ref``: the path of this row holding the referenced row's key."""
    key: str | None = None
    """With ``ref``: the source path in the referenced mapping's rows matched against ``by``;
    None means that mapping's identity."""
    pick: Literal["only", "first", "last"] = "only"
    """With ``ref``: which match to use when several referenced rows have the key. ``only``
    treats several matches as a data error."""
    order_by: str | None = None
    """With ``ref`` and ``pick: first|last``: the path ordering the candidates."""
    not_self: bool = False
    """With ``ref``: never point a record at itself (joint groups in the same mapping)."""
    deferred: bool = False
    """With ``ref``: write the link in a second pass (breaks a reference cycle)."""

    transforms: tuple[Transform, ...] = ()
    map: dict[str, Scalar] | None = None
    default: Scalar = None
    """With ``map``: the value for unlisted source values, or ``error``. Required with ``map``."""
    if_missing: Scalar = None
    """The value written when the source has no value (a missing or null field, no lookup or
    aggregate result): a target value, written as is, through neither transforms nor ``map``
    (``if_missing: PRIVATE`` for a plan without an NHS band). A value the source has but that
    a transform drops as invalid is not replaced."""
    on_invalid: Literal["quarantine", "warn", "drop"] | None = None
    """What to do when the source value fails its validator (NHS number, email …):
    ``quarantine`` the record, ``warn`` and write the value as is, or ``drop`` the value with a
    warning. None keeps the validation rules' own severity (sources.md §7)."""
    sensitive: bool | None = None
    """Overrides the record's sensitivity for this value (``sensitive: false`` on a clinical
    object is an explicit, reviewed exception)."""
    when: str | None = None
    """The name of a switch that must be on for this mapping to apply."""
    unless: str | None = None
    """The name of a switch that must be off for this mapping to apply."""

    @property
    def has_const(self) -> bool:
        """True when ``const`` was written (``const: null`` included)."""
        return "const" in self.model_fields_set

    @property
    def has_default(self) -> bool:
        """True when ``default`` was written (``default: null`` included)."""
        return "default" in self.model_fields_set

    @property
    def default_is_error(self) -> bool:
        """True when an unmapped value quarantines the record (``default: error``)."""
        return self.has_default and self.default == "error"

    @property
    def sources(self) -> tuple[str, ...]:
        """The names of the value sources written (exactly one in a valid spec)."""
        names = ("from", "template", "ref", "owner", "lookup", "aggregate", "file")
        attrs = ("from_", "template", "ref", "owner", "lookup", "aggregate", "file")
        found = tuple(n for n, a in zip(names, attrs, strict=True) if getattr(self, a) is not None)
        return (*found, "const") if self.has_const else found


#: The keys that make a mapping a :class:`ValueSpec` rather than a composite of sub-fields.
VALUE_KEYS: frozenset[str] = frozenset(
    info.alias or name for name, info in ValueSpec.model_fields.items()
)

SimpleValue = Annotated[
    Annotated[str, Tag("<path>")] | Annotated[ValueSpec, Tag("<value>")],
    Discriminator(
        lambda v: "<path>" if isinstance(v, str) else "<value>",
    ),
]
"""A source path, or a :class:`ValueSpec`."""


class _CompositeKeys:
    """Schema marker: a composite mapping's keys are sub-field names, never value keys, so an
    editor tells ``{from: x}`` (a value) from ``{addressCity: town}`` (composite parts)."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["propertyNames"] = {"not": {"enum": sorted(VALUE_KEYS)}}
        schema["minProperties"] = 1
        return schema


def _field_mapping_tag(value: Any) -> str | None:
    if isinstance(value, str):
        return "<path>"
    if isinstance(value, ValueSpec):
        return "<value>"
    if isinstance(value, dict):
        if not value or any(key in VALUE_KEYS for key in value):
            return "<value>"
        return "<composite>"
    return None


FieldMapping = Annotated[
    Annotated[str, Tag("<path>")]
    | Annotated[ValueSpec, Tag("<value>")]
    | Annotated[dict[str, SimpleValue], _CompositeKeys(), Tag("<composite>")],
    Discriminator(
        _field_mapping_tag,
        custom_error_type="field_mapping",
        custom_error_message=(
            "a field mapping is a source path, a mapping with one of from, const, template, ref, "
            "owner, lookup, aggregate, file, or a mapping of composite sub-fields"
        ),
    ),
]
"""How one Twenty field gets its value: a path, a :class:`ValueSpec`, or composite parts."""


def as_value_spec(mapping: str | ValueSpec) -> ValueSpec:
    """The :class:`ValueSpec` a bare path stands for (``name`` is ``{from: name}``)."""
    if isinstance(mapping, ValueSpec):
        return mapping
    return ValueSpec.model_validate({"from": mapping})


def is_composite(mapping: object) -> bool:
    """True for the composite form (a dict of sub-field mappings)."""
    return isinstance(mapping, dict)
