"""Short constructors for the schema tables in ``oplacrm_schema`` and ``aeronaclinic_schema``.

They only build :class:`~migrator.sources.schema_types.SourceField` values with readable
one-line calls; they hold no data of their own.
"""

from __future__ import annotations

from migrator.sources.schema_types import SourceField, SourceType

T = SourceType


def fld(
    name: str,
    type_: SourceType = SourceType.STRING,
    *,
    required: bool = False,
    sensitive: bool = False,
    check: str | None = None,
    values: tuple[str, ...] = (),
    item_type: SourceType | None = None,
    subfields: tuple[SourceField, ...] = (),
    description: str = "",
) -> SourceField:
    """A plain field."""
    return SourceField(
        name=name,
        type=type_,
        required=required,
        sensitive=sensitive,
        check=check,
        values=values,
        item_type=item_type,
        subfields=subfields,
        description=description,
    )


def ref(
    name: str,
    target: str,
    type_: SourceType = SourceType.UUID,
    *,
    target_field: str | None = None,
    required: bool = False,
    description: str = "",
) -> SourceField:
    """A scalar foreign key to ``target`` (its primary key unless ``target_field`` is given)."""
    return SourceField(
        name=name,
        type=type_,
        required=required,
        references=target,
        references_field=target_field,
        check="reference",
        description=description,
    )


def refs(name: str, target: str, item_type: SourceType = SourceType.UUID) -> SourceField:
    """A list of foreign keys to ``target``'s primary key."""
    return SourceField(
        name=name,
        type=SourceType.LIST,
        item_type=item_type,
        references=target,
        check="reference",
    )


def enum_(name: str, *values: str, required: bool = False, description: str = "") -> SourceField:
    """An enum field with its known codes."""
    return SourceField(
        name=name,
        type=SourceType.ENUM,
        values=values,
        required=required,
        check="enum",
        description=description,
    )


def money(name: str, *, required: bool = False, description: str = "") -> SourceField:
    """A decimal amount whose places are checked against the record's currency."""
    return SourceField(
        name=name,
        type=SourceType.DECIMAL,
        required=required,
        check="money",
        description=description,
    )


def subs(*names: str) -> tuple[SourceField, ...]:
    """String parts of an object field."""
    return tuple(SourceField(name=n, type=SourceType.STRING) for n in names)
