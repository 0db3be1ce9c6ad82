"""The metadata API: objects, fields, select options and relations.

``/rest/metadata/…`` calls are not rate-limited (twenty-api.md §10), so they are not paced, but
they are retried like every call. Responses come in the legacy envelope
(``{"data": {"createOneField": {…}}}``) or, when a workspace has the new format on, as the bare
object: both are accepted. Options are changed by PATCHing the field with its *full* option list,
existing options keeping their ids (capture 84), which is idempotent. Creating an object or a
field is not idempotent by itself: when a create whose first send may have been stored is then
refused (the name is taken), the client reads the metadata back and returns what it finds under
that name instead of failing (the create-then-lookup guard of ``retry.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError

from migrator.errors import TwentyConflict, TwentyError, TwentyValidationError
from migrator.model import FrozenModel
from migrator.twenty.exchange import Call, Exchange
from migrator.twenty.models import FieldMetadata, ObjectMetadata, SelectOption, WireModel
from migrator.twenty.names import checked_id
from migrator.twenty.retry import Attempts, Idempotency

M = TypeVar("M", bound=WireModel)

OBJECTS = "/rest/metadata/objects"
FIELDS = "/rest/metadata/fields"


class NewObject(WireModel):
    """A custom object to create (capture 10)."""

    name_singular: str
    name_plural: str
    label_singular: str
    label_plural: str
    description: str | None = None
    icon: str | None = None


class NewField(WireModel):
    """A field to create; for a relation use :meth:`MetadataApi.create_relation`."""

    object_metadata_id: str
    type: str
    name: str
    label: str
    description: str | None = None
    icon: str | None = None
    is_nullable: bool | None = None
    is_unique: bool | None = None
    default_value: Any = None
    options: tuple[SelectOption, ...] | None = None
    settings: dict[str, Any] | None = None
    relation_creation_payload: dict[str, Any] | None = None


def _payload(model: FrozenModel) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _option_payload(option: SelectOption) -> dict[str, Any]:
    return _payload(option)


def unwrap_one(body: Any) -> Any:
    """The entity in a legacy envelope ``{"data": {"<op>": {…}}}`` or a bare DTO."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        data = body["data"]
        if "id" not in data and len(data) == 1:
            (inner,) = data.values()
            return inner
        return data
    return body


def unwrap_list(body: Any, key: str) -> tuple[list[Any], dict[str, Any]]:
    """The entities and ``pageInfo`` of a list answer, enveloped or bare."""
    if isinstance(body, list):
        return body, {}
    if isinstance(body, dict):
        data = body.get("data", body)
        rows = data.get(key) if isinstance(data, dict) else data
        raw = body.get("pageInfo")
        info: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if isinstance(rows, list):
            return rows, info
    return [], {}


def _parse(model: type[M], value: Any, method: str, path: str) -> M:
    try:
        return model.model_validate(value)
    except ValidationError:
        raise TwentyError(
            f"Twenty answered {method} {path} with an unexpected {model.__name__} shape.",
            method=method,
            path=path,
            hint="Check that the destination is a Twenty server this tool supports.",
        ) from None


class MetadataApi:
    """Metadata operations on one destination (thread-safe)."""

    def __init__(self, exchange: Exchange) -> None:
        self._exchange = exchange

    def _send(
        self, method: str, path: str, idempotency: Idempotency, body: Any = None, **kw: Any
    ) -> Any:
        return self._exchange.send(Call(method, path, idempotency, json_body=body, **kw))

    def list_objects(self) -> tuple[ObjectMetadata, ...]:
        """Every object (standard, custom, system) with its fields embedded."""
        found: list[ObjectMetadata] = []
        cursor: str | None = None
        while True:
            params = {"limit": "1000", **({"starting_after": cursor} if cursor else {})}
            body = self._send("GET", OBJECTS, Idempotency.SAFE, params=params)
            rows, info = unwrap_list(body, "objects")
            found.extend(_parse(ObjectMetadata, row, "GET", OBJECTS) for row in rows)
            cursor = info.get("endCursor") if info.get("hasNextPage") else None
            if not rows or not isinstance(cursor, str):
                return tuple(found)

    def find_object(self, name_singular: str) -> ObjectMetadata | None:
        """The object named ``name_singular``, or ``None``."""
        return next((o for o in self.list_objects() if o.name_singular == name_singular), None)

    def get_field(self, field_id: str) -> FieldMetadata:
        """One field, read fresh."""
        path = f"{FIELDS}/{checked_id(field_id)}"
        body = self._send("GET", path, Idempotency.SAFE)
        return _parse(FieldMetadata, unwrap_one(body), "GET", path)

    def create_object(self, new: NewObject) -> ObjectMetadata:
        """Create a custom object (Twenty adds its standard fields and relations)."""
        attempts = Attempts()
        try:
            body = self._exchange.send(
                Call("POST", OBJECTS, Idempotency.GUARDED, json_body=_payload(new)), attempts
            )
        except (TwentyValidationError, TwentyConflict):
            existing = self.find_object(new.name_singular) if attempts.maybe_stored else None
            if existing is None:
                raise
            return existing
        return _parse(ObjectMetadata, unwrap_one(body), "POST", OBJECTS)

    def delete_object(self, object_id: str) -> None:
        """Delete a custom object and its records (capture 105)."""
        self._send("DELETE", f"{OBJECTS}/{checked_id(object_id)}", Idempotency.SAFE)

    def create_field(self, new: NewField) -> FieldMetadata:
        """Create a field (the relation payload, if any, creates both sides)."""
        attempts = Attempts()
        try:
            body = self._exchange.send(
                Call("POST", FIELDS, Idempotency.GUARDED, json_body=_payload(new)), attempts
            )
        except (TwentyValidationError, TwentyConflict):
            existing = self._find_field(new) if attempts.maybe_stored else None
            if existing is None:
                raise
            return existing
        return _parse(FieldMetadata, unwrap_one(body), "POST", FIELDS)

    def _find_field(self, new: NewField) -> FieldMetadata | None:
        for obj in self.list_objects():
            if obj.id == new.object_metadata_id:
                field = obj.field(new.name)
                return field if field is not None and field.type == new.type else None
        return None

    def create_relation(
        self,
        object_id: str,
        name: str,
        label: str,
        *,
        target_object_id: str,
        target_field_label: str,
        icon: str | None = None,
        target_field_icon: str | None = None,
        description: str | None = None,
    ) -> FieldMetadata:
        """A MANY_TO_ONE relation from ``object_id`` (join column ``<name>Id``) and its inverse
        ONE_TO_MANY field on the target, named from ``target_field_label`` (capture 11)."""
        payload: dict[str, Any] = {
            "type": "MANY_TO_ONE",
            "targetObjectMetadataId": target_object_id,
            "targetFieldLabel": target_field_label,
        }
        if target_field_icon:
            payload["targetFieldIcon"] = target_field_icon
        return self.create_field(
            NewField(
                object_metadata_id=object_id,
                type="RELATION",
                name=name,
                label=label,
                icon=icon,
                description=description,
                relation_creation_payload=payload,
            )
        )

    def update_field(self, field_id: str, changes: Mapping[str, Any]) -> FieldMetadata:
        """PATCH a field with absolute values (camelCase keys, e.g. ``label``, ``options``)."""
        path = f"{FIELDS}/{checked_id(field_id)}"
        body = self._send("PATCH", path, Idempotency.SAFE, dict(changes))
        return _parse(FieldMetadata, unwrap_one(body), "PATCH", path)

    def delete_field(self, field_id: str) -> None:
        """Delete a custom field (active ones included, capture 85)."""
        self._send("DELETE", f"{FIELDS}/{checked_id(field_id)}", Idempotency.SAFE)

    def add_select_options(self, field_id: str, options: Sequence[SelectOption]) -> FieldMetadata:
        """Append ``options`` (values not already present) to a SELECT/MULTI_SELECT field."""
        field = self.get_field(field_id)
        current = list(field.options or ())
        known = {option.value for option in current}
        position = max((o.position or 0 for o in current), default=-1) + 1
        added = []
        for option in options:
            if option.value in known:
                continue
            known.add(option.value)
            added.append(option.model_copy(update={"id": None, "position": position}))
            position += 1
        if not added:
            return field
        return self._put_options(field_id, [*current, *added])

    def remove_select_options(self, field_id: str, values: Iterable[str]) -> FieldMetadata:
        """Remove the options whose value is in ``values`` (others keep their ids)."""
        field = self.get_field(field_id)
        dropped = set(values)
        kept = [option for option in field.options or () if option.value not in dropped]
        if len(kept) == len(field.options or ()):
            return field
        return self._put_options(field_id, kept)

    def _put_options(self, field_id: str, options: list[SelectOption]) -> FieldMetadata:
        return self.update_field(field_id, {"options": [_option_payload(o) for o in options]})
