"""Twenty's ``METADATA_VALIDATION_ERROR`` bodies (captures 04-06, 09, 86, 121).

Validation collects every problem of one entity before answering, as Twenty does (capture 09 lists
three), so a client sees all of them at once. Each problem is ``{code, message,
userFriendlyMessage, value}`` under ``errors.<metadataName>[0].errors``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from migrator.sandbox.http import ApiError

INVALID_INPUT = "INVALID_FIELD_INPUT"
NOT_AVAILABLE = "NOT_AVAILABLE"


@dataclass
class Problems:
    """The problems found in one create or update; :meth:`raise_if_any` answers with them."""

    metadata_name: str
    action: str
    name: str | None
    object_id: str | None
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self, message: str, value: Any = None, *, code: str = INVALID_INPUT, friendly: str = ""
    ) -> None:
        """Record one problem."""
        item: dict[str, Any] = {
            "code": code,
            "message": message,
            "userFriendlyMessage": friendly or message,
        }
        if value is not None:
            item["value"] = value
        self.items.append(item)

    def raise_if_any(self) -> None:
        """Raise Twenty's 400 when any problem was recorded."""
        if self.items:
            raise self.error()

    def error(self) -> ApiError:
        """The 400 with every recorded problem."""
        noun = "fields" if self.metadata_name == "fieldMetadata" else "objects"
        verb = "creating" if self.action == "create" else "updating"
        entity: dict[str, Any] = {
            "status": "fail",
            "errors": self.items,
            "flatEntityMinimalInformation": {
                "universalIdentifier": str(uuid.uuid4()),
                "name": self.name,
                "objectMetadataUniversalIdentifier": self.object_id,
            },
            "metadataName": self.metadata_name,
            "type": self.action,
        }
        body = {
            "statusCode": 400,
            "error": "METADATA_VALIDATION_ERROR",
            "message": f"Multiple validation errors occurred while {verb} {noun}",
            "errors": {self.metadata_name: [entity]},
            "summary": {"totalErrors": 1, self.metadata_name: 1},
            "userFriendlyMessage": "Many validation errors"
            if len(self.items) > 1
            else str(self.items[0]["userFriendlyMessage"]),
        }
        return ApiError(400, body)


def field_to_update_not_found() -> ApiError:
    """Capture 86: PATCH of a field that does not exist."""
    message = "Field metadata to update not found"
    return ApiError(
        400,
        {
            "statusCode": 400,
            "error": "METADATA_VALIDATION_ERROR",
            "message": "Validation errors occurred while updating field",
            "errors": {
                "fieldMetadata": [
                    {
                        "errors": [
                            {
                                "code": "FIELD_METADATA_NOT_FOUND",
                                "message": message,
                                "userFriendlyMessage": message,
                            }
                        ],
                        "type": "update",
                        "metadataName": "fieldMetadata",
                        "flatEntityMinimalInformation": {"id": ""},
                    }
                ]
            },
            "summary": {"totalErrors": 1, "fieldMetadata": 1},
            "userFriendlyMessage": message,
        },
    )
