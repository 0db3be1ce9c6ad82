"""``schemas/plan.schema.json`` is generated from the plan models; it must not drift."""

from __future__ import annotations

import json

import jsonschema

from migrator.render.plan_schema import build_plan_schema, default_schema_path, render_plan_schema
from tests.conftest import REPO_ROOT

SCHEMA_PATH = REPO_ROOT / "schemas" / "plan.schema.json"


def test_plan_schema_file_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_plan_schema(), (
        "schemas/plan.schema.json is stale: run "
        "`.venv/bin/python -m migrator.render.plan_schema` and commit it"
    )


def test_plan_schema_default_path_is_the_checked_in_file() -> None:
    assert default_schema_path() == SCHEMA_PATH


def test_plan_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_plan_schema_writes_actions_as_lists_everywhere() -> None:
    defs = build_plan_schema()["$defs"]
    for name in ("RecordChange", "SchemaChange", "SamplePayload"):
        properties = defs[name]["properties"]
        assert "action" not in properties
        assert properties["actions"]["items"] == {"$ref": "#/$defs/Action"}
        assert "actions" in defs[name]["required"]
        assert defs[name]["additionalProperties"] is False
    assert "replace" in defs["Action"]["enum"]
