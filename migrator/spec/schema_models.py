"""The ``schema`` section: what a migration provisions in Twenty, as spec models.

Keyed by Twenty object name (singular). A standard object lists the custom fields to add to it
and the options to add to its standard SELECT fields; a custom object also has a ``create`` block.
Everything here is created by ``apply`` and removed by ``destroy``; nothing else in Twenty is
changed. Names are Twenty's (camelCase); the guides' names (``opla_healthscore__c``) belong in
``label``, ``description`` or ``renamed_from``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, WithJsonSchema

from migrator.catalogue import CREATABLE_FIELD_TYPES, FieldType
from migrator.spec.base import SpecModel
from migrator.spec.values import Scalar


class OptionSpec(SpecModel):
    """One SELECT/MULTI_SELECT option: an ASCII UPPER_SNAKE value and a free label."""

    value: str
    """What records store (``QUAN_1``); Twenty refuses anything but ASCII UPPER_SNAKE."""
    label: str = Field(min_length=1)
    """What people see; may keep the source's text (``Quận 1``)."""
    color: str | None = None
    """One of Twenty's option colours (``red``, ``green`` …); None lets apply choose."""
    position: int | None = Field(default=None, ge=0)


class CustomObjectSpec(SpecModel):
    """The ``create`` block of a custom object (Twenty adds id, name, timestamps and the
    relations to notes, tasks, attachments and the timeline by itself)."""

    name_plural: str
    """The plural API name (``invoices``): the REST path ``/rest/invoices``."""
    label_singular: str = Field(min_length=1)
    label_plural: str = Field(min_length=1)
    description: str | None = None
    icon: str | None = None


OnDelete = Literal["CASCADE", "RESTRICT", "SET_NULL", "NO_ACTION"]


class FieldSpec(SpecModel):
    """A custom field to create on an object.

    ``type`` is any type the metadata API can create (:data:`migrator.catalogue.
    CREATABLE_FIELD_TYPES`). SELECT and MULTI_SELECT need ``options``; RATING gets RATING_1…5
    from Twenty; FILES needs ``max_values``; RELATION needs ``to`` (MANY_TO_ONE from this object;
    Twenty also creates the ONE_TO_MANY side on ``to``, named from ``inverse_label``).
    """

    type: Annotated[
        FieldType,
        WithJsonSchema(
            {
                "type": "string",
                "enum": sorted(t.value for t in CREATABLE_FIELD_TYPES),
                "description": "A field type Twenty's metadata API can create.",
            }
        ),
    ]
    """Any type the metadata API creates; others (NUMERIC, POSITION …) are refused with the
    reason."""
    label: str = Field(min_length=1)
    description: str | None = None
    icon: str | None = None
    options: tuple[OptionSpec, ...] = ()
    default: Scalar = None
    """The column default (an option value for SELECT); only when written."""
    unique: bool = False
    """Twenty enforces it across live and soft-deleted rows (twenty-api.md §8)."""
    nullable: bool = True
    sensitive: bool | None = None
    """Values of this field are sensitive whatever their source (never rendered); None means
    they follow the mapping that writes them."""
    renamed_from: str | None = None
    """The source's name when Twenty's had to differ (a collision with a Twenty field, a name
    Twenty refuses): the plan lists these renames for the customer to review."""
    decimals: int | None = Field(default=None, ge=0, le=10)
    """NUMBER and CURRENCY: the decimals Twenty displays."""
    max_values: int | None = Field(default=None, ge=1, le=60)
    """FILES: how many files one record may hold (Twenty requires 1–60)."""
    to: str | None = None
    """RELATION: the target object (singular name), this object for a self relation, or
    ``workspaceMember``."""
    inverse_label: str | None = None
    """RELATION: the label of the ONE_TO_MANY field Twenty creates on ``to`` (its name is the
    label in camelCase)."""
    on_delete: OnDelete = "SET_NULL"
    """RELATION: what Twenty does to this field when the target record is deleted."""
    when: str | None = None
    """The name of a switch that must be on for this field to be provisioned."""
    unless: str | None = None
    """The name of a switch that must be off for this field to be provisioned."""

    @property
    def has_default(self) -> bool:
        """True when ``default`` was written."""
        return "default" in self.model_fields_set


class ObjectSchema(SpecModel):
    """What to provision on one Twenty object."""

    create: CustomObjectSpec | None = None
    """Present for a custom object migrator creates; absent for a standard object."""
    fields: dict[str, FieldSpec] = Field(default_factory=dict)
    """Custom fields to create, by Twenty name."""
    add_options: dict[str, tuple[OptionSpec, ...]] = Field(default_factory=dict)
    """Options to add to standard SELECT/MULTI_SELECT fields (``stage``), by field name; destroy
    removes exactly these."""
