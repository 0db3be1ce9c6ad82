"""Field and object constructors shared by the AeronaClinic schema modules.

Ids are integers (at most 11 digits) checked with ``aerona_id``; references are integer foreign
keys; objects are clinical unless said otherwise.
"""

from __future__ import annotations

from migrator.sources.schema_builders import T, fld, ref
from migrator.sources.schema_types import Sensitivity, SourceField, SourceObject

C = Sensitivity.CLINICAL
CURRENCY = fld("currency", check="currency", description="GBP or EUR")


def int_id(name: str) -> SourceField:
    """A required integer primary key."""
    return fld(name, T.INT, required=True, check="aerona_id")


def int_ref(name: str, target: str, *, required: bool = False) -> SourceField:
    """An integer foreign key to ``target``'s primary key."""
    return ref(name, target, T.INT, required=required)


def aerona_object(
    name: str,
    fields: tuple[SourceField, ...],
    sensitivity: Sensitivity = C,
    *,
    migrated: bool = True,
    description: str = "",
) -> SourceObject:
    """An object whose file is ``<name>.jsonl`` and whose first field is the primary key."""
    return SourceObject(
        name=name,
        file=f"{name}.jsonl",
        primary_key=fields[0].name,
        fields=fields,
        sensitivity=sensitivity,
        migrated=migrated,
        description=description,
    )


def patient_ref() -> SourceField:
    """The required ``patientId`` of every clinical object."""
    return int_ref("patientId", "patients", required=True)
