"""The checked-in JSON Schema matches the models, and it accepts what the models accept."""

from __future__ import annotations

import json

import jsonschema

from migrator.spec.schema_export import build_json_schema, default_schema_path, render_json_schema
from tests.conftest import REPO_ROOT

SCHEMA_PATH = REPO_ROOT / "schemas" / "migration-spec.schema.json"


def test_schema_file_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_json_schema(), (
        "schemas/migration-spec.schema.json is stale: run "
        "`.venv/bin/python -m migrator.spec.schema_export` and commit it"
    )


def test_default_path_is_the_checked_in_file() -> None:
    assert default_schema_path() == SCHEMA_PATH


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_uses_yaml_spellings_and_documents_keys() -> None:
    schema = build_json_schema()
    mapping = schema["$defs"]["Mapping"]
    assert "from" in mapping["properties"]
    assert "from_" not in mapping["properties"]
    assert mapping["additionalProperties"] is False
    assert "schema" in schema["properties"]
    assert schema["$defs"]["DestinationSpec"]["properties"]["batch_size"]["maximum"] == 200
    assert (
        "environment variable"
        in (schema["$defs"]["DestinationSpec"]["properties"]["api_key_env"]["description"])
    )


def test_editors_are_offered_only_field_types_twenty_can_create() -> None:
    from migrator.catalogue import CREATABLE_FIELD_TYPES

    offered = build_json_schema()["$defs"]["FieldSpec"]["properties"]["type"]["enum"]
    assert offered == sorted(t.value for t in CREATABLE_FIELD_TYPES)
    assert "NUMERIC" not in offered
