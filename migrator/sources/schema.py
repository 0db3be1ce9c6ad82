"""The frozen description of both source systems' export bundles: the one place that knows them.

``SCHEMAS`` maps a system name (``oplacrm``, ``aeronaclinic``) to its
:class:`~migrator.sources.schema_types.SourceSchema`: each object's name (as specs refer to it),
file, primary key, fields (type, required, referenced object, sensitivity, validator) and
sensitivity class. The spec validator checks source paths with :func:`source_object` and
:meth:`SourceObject.path_problem`; the bundle reader coerces values with it; the planner maps
records with it.
"""

from __future__ import annotations

from migrator.errors import SourceError
from migrator.sources.aeronaclinic_schema import AERONACLINIC_SCHEMA
from migrator.sources.oplacrm_schema import OPLACRM_SCHEMA
from migrator.sources.schema_types import (
    OPEN_FIELDS,
    Sensitivity,
    SourceField,
    SourceObject,
    SourceSchema,
    SourceType,
)

#: Every supported source system's bundle schema, by system name.
SCHEMAS: dict[str, SourceSchema] = {
    OPLACRM_SCHEMA.system: OPLACRM_SCHEMA,
    AERONACLINIC_SCHEMA.system: AERONACLINIC_SCHEMA,
}

#: The supported system names, sorted.
SYSTEMS: tuple[str, ...] = tuple(sorted(SCHEMAS))


def source_schema(system: str) -> SourceSchema:
    """The schema of ``system``; raises :class:`SourceError` for an unknown system."""
    try:
        return SCHEMAS[system]
    except KeyError:
        raise SourceError(
            f"Unknown source system `{system}`",
            detail=f"Supported systems: {', '.join(SYSTEMS)}.",
            hint="Set `source.system` to one of them.",
        ) from None


def source_object(system: str, name: str) -> SourceObject:
    """The object ``name`` of ``system``; raises :class:`SourceError` if either is unknown."""
    found = source_schema(system).object(name)
    if found is None:
        known = ", ".join(source_schema(system).object_names)
        raise SourceError(
            f"`{system}` has no source object `{name}`",
            detail=f"Known objects: {known}.",
            hint="Use one of the object names listed (they are the bundle's file names).",
        )
    return found


__all__ = [
    "OPEN_FIELDS",
    "SCHEMAS",
    "SYSTEMS",
    "Sensitivity",
    "SourceField",
    "SourceObject",
    "SourceSchema",
    "SourceType",
    "source_object",
    "source_schema",
]
