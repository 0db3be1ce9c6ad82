"""The base of every spec model: frozen, strict about keys, documented in the JSON Schema.

:class:`SpecModel` is :class:`migrator.model.FrozenModel` (unknown keys are errors, input values
never appear in validation messages) plus attribute docstrings as JSON Schema descriptions, so an
editor using ``schemas/migration-spec.schema.json`` shows each key's meaning. :class:`Shorthand`
lets a model also be written as a bare string in YAML, and says so in the schema.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ConfigDict, GetJsonSchemaHandler, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from migrator.model import FrozenModel


class SpecModel(FrozenModel):
    """A frozen spec model whose attribute docstrings become schema descriptions."""

    model_config = ConfigDict(use_attribute_docstrings=True)


class Shorthand(SpecModel):
    """A spec model that may also be written as one string, standing for ``{field: string}``
    (or, for a list field, as a string or a list of strings)."""

    shorthand_field: ClassVar[str] = ""
    shorthand_is_list: ClassVar[bool] = False

    @model_validator(mode="before")
    @classmethod
    def _expand_shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {cls.shorthand_field: [value] if cls.shorthand_is_list else value}
        if cls.shorthand_is_list and isinstance(value, list):
            return {cls.shorthand_field: value}
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        resolved = handler.resolve_ref_schema(schema)
        full = dict(resolved)
        for key in list(resolved):
            del resolved[key]
        forms: list[JsonSchemaValue] = [{"type": "string", "minLength": 1}]
        if cls.shorthand_is_list:
            forms.append({"type": "array", "items": {"type": "string"}, "minItems": 1})
        resolved["anyOf"] = [*forms, full]
        if "description" in full:
            resolved["description"] = full["description"]
        return schema
