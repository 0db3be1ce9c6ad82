"""Generate ``schemas/plan.schema.json``: the JSON Schema of the JSON plan view.

Generated from the plan models (:mod:`migrator.plan.model`), never edited: run
``python -m migrator.render.plan_schema`` after changing a plan model or the JSON view, and
commit the result; a test fails when the checked-in file differs from :func:`render_plan_schema`,
and the JSON view of every test plan is validated against it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from migrator.model import canonical_json
from migrator.plan.model import PlanHeader, RecordChange
from migrator.render.json_view import ACTION_BEARING, JSON_FORMAT_VERSION

SCHEMA_FILE_NAME = "plan.schema.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def build_plan_schema() -> dict[str, Any]:
    """The JSON view's schema (draft 2020-12) as data."""
    _, generated = models_json_schema(
        [(PlanHeader, "serialization"), (RecordChange, "serialization")],
        ref_template="#/$defs/{model}",
    )
    defs: dict[str, Any] = generated["$defs"]
    for name in ACTION_BEARING:
        _actions_property(defs[name])
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "migrator plan (JSON view)",
        "description": (
            "`migrator plan --format json`: the plan header, every record change in apply "
            "order, every quarantined record and the first held ones. Each `action` of the plan "
            "file is written "
            "as `actions`, a list; a replace "
            'is ["delete", "create"]. Sensitive values never appear: a sensitive field diff '
            "has null before and after."
        ),
        "type": "object",
        "properties": {
            "format_version": {"const": JSON_FORMAT_VERSION},
            "header": {"$ref": "#/$defs/PlanHeader"},
            "plan_sha256": {
                "anyOf": [{"type": "string", "pattern": "^[0-9a-f]{64}$"}, {"type": "null"}],
                "description": "sha256 of the saved plan file, or null when it was not saved.",
            },
            "record_changes": {"type": "array", "items": {"$ref": "#/$defs/RecordChange"}},
            "outcomes": {
                "type": "array",
                "items": {
                    "oneOf": [
                        _outcome("quarantine", "QuarantineEntry"),
                        _outcome("hold", "HoldEntry"),
                    ]
                },
                "description": "Every quarantined record and the first held records, in apply "
                "order (the header keeps the first of each kind; `holds_total` counts every held "
                "record: holds are many when an owner is not invited, and `migrator audit` names "
                "their cause).",
            },
        },
        "required": ["format_version", "header", "plan_sha256", "record_changes", "outcomes"],
        "additionalProperties": False,
        "$defs": defs,
    }


def _outcome(key: str, model: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {key: {"$ref": f"#/$defs/{model}"}},
        "required": [key],
        "additionalProperties": False,
    }


def _actions_property(model: dict[str, Any]) -> None:
    properties: dict[str, Any] = model["properties"]
    properties.pop("action")
    properties["actions"] = {
        "type": "array",
        "items": {"$ref": "#/$defs/Action"},
        "minItems": 1,
        "maxItems": 2,
        "description": 'The action as a list: one action, or ["delete", "create"] for replace.',
    }
    model["required"] = sorted(
        {*(name for name in model.get("required", []) if name != "action"), "actions"}
    )


def render_plan_schema() -> str:
    """The schema file's exact text: canonical JSON, 2-space indent, trailing newline."""
    return canonical_json(build_plan_schema(), indent=2)


def default_schema_path() -> Path:
    """``schemas/plan.schema.json`` in the source tree this module belongs to."""
    return Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_FILE_NAME


def write_plan_schema(path: Path) -> None:
    """Write the schema file (a public, checked-in document, so not owner-only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_plan_schema(), encoding="utf-8")


if __name__ == "__main__":
    write_plan_schema(default_schema_path())
