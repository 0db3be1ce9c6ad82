"""The two example specs: valid, complete, editor-valid, and saying what the guides ask."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from migrator import workflows
from migrator.catalogue import FieldType
from migrator.sources.schema import SCHEMAS
from migrator.spec.loader import load_yaml
from migrator.spec.models import MigrationSpec, ValueSpec
from migrator.spec.sensitivity import is_value_sensitive, sensitive_fields
from migrator.spec.validation import LoadedSpec, load_spec
from tests.conftest import REPO_ROOT

OPLA = REPO_ROOT / "examples" / "oplacrm" / "migration.yaml"
AERONA = REPO_ROOT / "examples" / "aeronaclinic" / "migration.yaml"
SCHEMA = REPO_ROOT / "schemas" / "migration-spec.schema.json"


def _load(path: Path, **environ: str) -> LoadedSpec:
    return load_spec(path, environ=environ)


@pytest.mark.parametrize("path", [OPLA, AERONA], ids=["oplacrm", "aeronaclinic"])
def test_example_validates_without_any_diagnostic(path: Path) -> None:
    result = workflows.validate(path, environ={})
    assert [d.render() for d in result.diagnostics] == []
    assert result.is_valid


@pytest.mark.parametrize("path", [OPLA, AERONA], ids=["oplacrm", "aeronaclinic"])
def test_example_points_editors_at_the_schema_and_satisfies_it(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/migration-spec.schema.json"
    assert (path.parent / "../../schemas/migration-spec.schema.json").resolve() == SCHEMA
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    data = load_yaml(path, environ={}).data
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert [e.message for e in errors] == []


def test_examples_default_to_the_sandbox_and_read_the_key_from_the_environment() -> None:
    for path in (OPLA, AERONA):
        spec = _load(path).spec
        assert spec.destination.sandbox_path == ".migrator/sandbox.db"
        assert spec.destination.api_key_env == "TWENTY_API_KEY"
        real = _load(path, TWENTY_API_URL="https://crm.example.com").spec
        assert real.destination.url == "https://crm.example.com"
        assert not real.destination.is_sandbox


def test_oplacrm_provisions_the_guide_fields_with_valid_names() -> None:
    spec = _load(OPLA).spec
    company = spec.schema_["company"].fields
    assert company["oplaHealthscore"].type is FieldType.NUMBER
    assert "opla_healthscore__c" in (company["oplaHealthscore"].description or "")
    assert company["oplaLocked"].type is FieldType.BOOLEAN
    assert company["oplaTags"].type is FieldType.ARRAY
    assert [o.value for o in spec.schema_["opportunity"].add_options["stage"]] == ["LOST"]
    assert spec.schema_["person"].fields["contactOwner"].to == "workspaceMember"
    assert spec.schema_["invoice"].create is not None
    assert spec.schema_["product"].create is not None
    assert spec.owners is not None and spec.owners.fallback == "hold"


def test_oplacrm_stage_map_sends_won_and_lost_to_terminal_stages() -> None:
    stage = _load(OPLA).spec.objects["opportunities"].fields["stage"]
    assert isinstance(stage, ValueSpec)
    assert stage.from_ == "stage_name"
    assert stage.map is not None
    assert stage.map["Đã ký hợp đồng"] == "CUSTOMER"
    assert stage.map["Thất bại"] == "LOST"
    assert stage.default_is_error


@pytest.mark.parametrize(("switch", "relation"), [("false", True), ("true", False)])
def test_joint_opportunity_text_fallback_is_a_switch(switch: str, relation: bool) -> None:
    spec = _load(OPLA, OPLA_JOINT_TEXT_FALLBACK=switch).spec
    assert spec.switches["joint_text_fallback"] is not relation
    fields = spec.schema_["opportunity"].fields
    assert fields["oplaJointOpportunity"].unless == "joint_text_fallback"
    assert fields["oplaJointOpportunityId"].when == "joint_text_fallback"
    link = spec.objects["opportunities"].fields["oplaJointOpportunity"]
    assert isinstance(link, ValueSpec)
    assert (link.ref, link.not_self) == ("opportunities", True)


def test_aeronaclinic_tells_its_three_kinds_of_opportunity_apart() -> None:
    spec = _load(AERONA).spec
    kinds = {
        name: spec.objects[name].discriminator
        for name in ("appointments", "treatment_plans", "invoices")
    }
    assert {d.field for d in kinds.values() if d} == {"aeronaRecordKind"}
    assert sorted(d.value for d in kinds.values() if d) == [
        "APPOINTMENT",
        "INVOICE",
        "TREATMENT_PLAN",
    ]


def test_aeronaclinic_treatment_record_makes_a_note_too() -> None:
    spec = _load(AERONA).spec
    assert spec.objects["treatment_records"].children["treatment_notes"].to == "note"
    assert spec.parent_of("treatment_notes") == "treatment_records"
    assert spec.source_object_of("treatment_notes") == "treatments"


def test_clinical_values_are_sensitive_unless_marked() -> None:
    spec = _load(AERONA).spec
    sources = SCHEMAS["aeronaclinic"]
    patients = sensitive_fields(spec, "patients", sources)
    assert {"nhsNumber", "name", "emails", "allergies", "consentTreatment"} <= patients
    assert "company" not in patients  # a reference carries no source value
    assert not is_value_sensitive(spec, "appointments", "durationMinutes", sources)
    assert is_value_sensitive(spec, "appointments", "appointmentNotes", sources)
    assert not is_value_sensitive(spec, "appointments", "stage", sources)  # a constant
    assert sensitive_fields(spec, "practices", sources) == frozenset()
    assert "bodyV2" in sensitive_fields(spec, "treatment_notes", sources)


def test_sales_sources_mark_their_own() -> None:
    spec = _load(OPLA).spec
    sources = SCHEMAS["oplacrm"]
    assert {"name", "emails", "oplaBirthday"} <= sensitive_fields(spec, "people", sources)
    assert "jobTitle" not in sensitive_fields(spec, "people", sources)
    assert sensitive_fields(spec, "companies", sources) == frozenset()
    assert is_value_sensitive(spec, "people", "oplaBirthday", None)  # no schema: fail safe


def test_every_source_object_is_mapped_read_or_skipped() -> None:
    for path, system in ((OPLA, "oplacrm"), (AERONA, "aeronaclinic")):
        spec: MigrationSpec = _load(path).spec
        text = spec.model_dump_json(by_alias=True)
        for obj in SCHEMAS[system].objects:
            assert obj.name in spec.skip or f'"{obj.name}"' in text, obj.name
