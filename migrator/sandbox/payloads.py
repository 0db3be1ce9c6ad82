"""A record payload read against one object's fields: checked, normalised, ready to store.

:class:`PayloadReader` is built once per object and schema snapshot and reads many payloads (a batch
of 200 costs one dictionary walk per record). It knows which keys are writable: every active field
except the ONE_TO_MANY sides and the search vector, the join column (``companyId``) of every
MANY_TO_ONE side, and the system fields Twenty accepts (``id``, ``createdAt``, ``updatedAt``,
``deletedAt``, ``createdBy``, ``position``; ``updatedBy`` is always the API key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from migrator.sandbox import values
from migrator.sandbox.http import bad_request
from migrator.sandbox.schema import FieldMeta, ObjectMeta


@dataclass
class Payload:
    """One record payload after checking. ``values`` holds composites partially."""

    id: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    composites: set[str] = field(default_factory=set)
    has_deleted_at: bool = False
    deleted_at: str | None = None
    position: float | None = None
    refs: list[tuple[FieldMeta, str]] = field(default_factory=list)
    file_ids: list[str] = field(default_factory=list)


Handler = Callable[[Payload, Any], None]


def _parse_default(field_meta: FieldMeta) -> tuple[bool, Any]:
    """``(has_default, value)`` of a plain field's metadata default, as a stored value."""
    raw = field_meta.doc.get("defaultValue")
    kind = field_meta.type
    if raw is None or kind in values.COMPOSITES or kind in ("ACTOR", "UUID", "POSITION"):
        return False, None
    if kind == "DATE_TIME":
        return (True, "now") if raw == "now" else (False, None)
    if isinstance(raw, str):
        unquoted = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == "'" else raw
        return True, (unquoted or None)
    if isinstance(raw, list) and kind == "MULTI_SELECT":
        return True, [item.strip("'") for item in raw if isinstance(item, str)]
    return True, raw


class PayloadReader:
    """Reads payloads for one object; see the module docstring for the writable keys."""

    def __init__(self, obj: ObjectMeta, api_actor: dict[str, Any]) -> None:
        self.obj = obj
        self.api_actor = api_actor
        self._handlers: dict[str, Handler] = {}
        self.defaults: list[tuple[str, Any]] = []
        self.composite_fields: dict[str, tuple[str, ...]] = {}
        self._install_system()
        for item in obj.active_fields:
            if item.name in values.SYSTEM_KEYS or item.name in values.IGNORED_KEYS:
                continue
            self._install_field(item)

    def _install_system(self) -> None:
        def set_id(payload: Payload, value: Any) -> None:
            payload.id = values.uuid_value(value, "id")

        def set_deleted(payload: Payload, value: Any) -> None:
            payload.has_deleted_at = True
            payload.deleted_at = values.date_time(value, "deletedAt")

        def set_position(payload: Payload, value: Any) -> None:
            result = values.number(value, "position")
            payload.position = None if result is None else float(result)

        def stamp(name: str) -> Handler:
            return lambda payload, value: payload.values.__setitem__(
                name, values.date_time(value, name)
            )

        def created_by(payload: Payload, value: Any) -> None:
            payload.values["createdBy"] = values.actor(value, "createdBy", self.api_actor)

        self._handlers.update(
            id=set_id,
            deletedAt=set_deleted,
            position=set_position,
            createdAt=stamp("createdAt"),
            updatedAt=stamp("updatedAt"),
            createdBy=created_by,
            updatedBy=lambda payload, value: None,
            searchVector=lambda payload, value: None,
        )

    def _install_field(self, item: FieldMeta) -> None:
        name, kind = item.name, item.type
        if item.relation_type == "ONE_TO_MANY":
            return
        if item.join_column:
            column = item.join_column

            def set_ref(payload: Payload, value: Any) -> None:
                checked = values.uuid_value(value, column)
                payload.values[column] = checked
                if checked is not None:
                    payload.refs.append((item, checked))

            self._handlers[column] = set_ref
            return
        if kind == "ACTOR":
            self._handlers[name] = lambda payload, value: payload.values.__setitem__(
                name, None if value is None else values.actor(value, name, self.api_actor)
            )
            return
        if kind in values.COMPOSITES:
            self.composite_fields[name] = values.COMPOSITES[kind]

            def set_composite(payload: Payload, value: Any) -> None:
                payload.values[name] = values.composite(kind, value, name)
                payload.composites.add(name)

            self._handlers[name] = set_composite
            return
        if kind == "FILES":
            self._handlers[name] = self._files_handler(name)
            return
        check = values.normaliser(item)
        if check is not None:
            self._handlers[name] = lambda payload, value: payload.values.__setitem__(
                name, check(value)
            )
        has_default, default = _parse_default(item)
        if has_default:
            self.defaults.append((name, default))

    @staticmethod
    def _files_handler(name: str) -> Handler:
        def set_files(payload: Payload, value: Any) -> None:
            if value is None:
                payload.values[name] = None
                return
            if not isinstance(value, list) or not all(isinstance(each, dict) for each in value):
                raise values.invalid("files", value, name)
            items = []
            for each in value:
                file_id = values.uuid_value(each.get("fileId"), f"{name}.fileId")
                if file_id is None:
                    raise bad_request(f'Field "{name}" needs a fileId for every file')
                payload.file_ids.append(file_id)
                items.append({"fileId": file_id, "label": values.text(each.get("label"), name)})
            payload.values[name] = items

        return set_files

    def read(self, raw: Any) -> Payload:
        """Check one payload; raise Twenty's 400 for the first problem found."""
        if not isinstance(raw, dict):
            raise bad_request("Each record must be a JSON object")
        payload = Payload()
        handlers = self._handlers
        for key, value in raw.items():
            handler = handlers.get(key)
            if handler is None:
                raise values.unknown_field(self.obj, key)
            handler(payload, value)
        return payload

    def complete_composite(self, name: str, partial: dict[str, Any] | None) -> dict[str, Any]:
        """A full composite value from the sub-fields sent (the rest NULL)."""
        return {key: (partial or {}).get(key) for key in self.composite_fields[name]}


def merge_composites(
    reader: PayloadReader, stored: dict[str, Any], payload: Payload, *, create: bool
) -> None:
    """Fold the payload's values into ``stored``: composites complete (create) or merged."""
    for key, value in payload.values.items():
        if key in payload.composites:
            if create or value is None:
                stored[key] = None if value is None else reader.complete_composite(key, value)
            else:
                base = stored.get(key) or reader.complete_composite(key, None)
                stored[key] = {**base, **value}
        else:
            stored[key] = value
