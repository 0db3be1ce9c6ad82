"""Generate ``schemas/migration-spec.schema.json`` from the spec models.

The JSON Schema is what editors use for completion and hover help (a
``# yaml-language-server: $schema=…`` line in a spec). It is generated, never edited: run
``python -m migrator.spec.schema_export`` after changing a model, and commit the result; a test
fails when the checked-in file differs from :func:`render_json_schema`. It checks shapes only;
``migrator validate`` also runs the semantic checks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from migrator.model import canonical_json
from migrator.spec.models import MigrationSpec

SCHEMA_FILE_NAME = "migration-spec.schema.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def build_json_schema() -> dict[str, Any]:
    """The spec's JSON Schema (draft 2020-12) as data, with YAML key spellings (``from``)."""
    schema = MigrationSpec.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["title"] = "migrator migration spec"
    return schema


def render_json_schema() -> str:
    """The schema file's exact text: canonical JSON, 2-space indent, trailing newline."""
    return canonical_json(build_json_schema(), indent=2)


def default_schema_path() -> Path:
    """``schemas/migration-spec.schema.json`` in the source tree this module belongs to."""
    return Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_FILE_NAME


def write_json_schema(path: Path) -> None:
    """Write the schema file (a public, checked-in document, so not owner-only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_json_schema(), encoding="utf-8")


if __name__ == "__main__":
    write_json_schema(default_schema_path())
