"""The spec models: shorthands, defaults, and the helpers other packages rely on."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from migrator.spec.models import (
    FieldMapping,
    MatchRule,
    MigrationSpec,
    OwnersSpec,
    SkipSpec,
    ValueSpec,
    as_value_spec,
    is_composite,
    transform_name,
)
from migrator.spec.structure import allowed_keys, model_at, render_path

MINIMAL = {
    "version": 1,
    "name": "demo",
    "source": {"system": "oplacrm", "bundle": "./data", "timezone": "UTC", "currency": "VND"},
    "destination": {"url": "sandbox:db.sqlite"},
    "provenance": {"created_by": "test"},
}


def test_defaults_follow_twenty_and_the_design() -> None:
    spec = MigrationSpec.model_validate(MINIMAL)
    dest = spec.destination
    assert (dest.batch_size, dest.rate_limit.per_minute, dest.rate_limit.per_second) == (
        200,
        100,
        100,
    )
    assert (dest.files.max_mb, dest.api_key_env, dest.sandbox_path) == (
        25.0,
        "TWENTY_API_KEY",
        "db.sqlite",
    )
    assert spec.state_path == ".migrator/demo.state.db"
    assert spec.on_source_delete == "keep"
    assert spec.provenance.source_id_field == "migrationSourceId"


def test_shorthands_expand_to_their_models() -> None:
    assert MatchRule.model_validate("emails").fields == ("emails",)
    assert MatchRule.model_validate(["name", "address"]).fields == ("name", "address")
    assert SkipSpec.model_validate("why").reason == "why"
    assert OwnersSpec.model_validate({"from": "users"}).fallback == "hold"
    member = OwnersSpec.model_validate({"from": "users", "fallback": {"member": "a@b.example"}})
    assert not isinstance(member.fallback, str) and member.fallback.member == "a@b.example"


def test_field_mapping_forms() -> None:
    adapter: TypeAdapter[object] = TypeAdapter(FieldMapping)
    assert adapter.validate_python("name") == "name"
    value = adapter.validate_python({"from": "x", "map": {"a": "B"}, "default": "error"})
    assert isinstance(value, ValueSpec) and value.default_is_error and value.sources == ("from",)
    composite = adapter.validate_python({"addressCity": "town", "addressStreet1": {"from": "a"}})
    assert is_composite(composite)
    assert as_value_spec("name").from_ == "name"


def test_const_null_and_default_null_are_written_values() -> None:
    value = ValueSpec.model_validate({"const": None})
    assert value.has_const and value.sources == ("const",)
    mapped = ValueSpec.model_validate({"from": "x", "map": {}, "default": None})
    assert mapped.has_default and not mapped.default_is_error
    assert not ValueSpec.model_validate({"from": "x"}).has_default


def test_transforms_parse_words_and_one_key_mappings() -> None:
    value = ValueSpec.model_validate(
        {
            "from": "x",
            "transforms": ["trim", {"prefix": "opla_"}, {"date": "Europe/Dublin"}, "date"],
        }
    )
    assert [transform_name(t) for t in value.transforms] == ["trim", "prefix", "date", "date"]
    with pytest.raises(ValidationError) as raised:
        ValueSpec.model_validate({"from": "x", "transforms": [{"prefix": "a", "split": ","}]})
    assert raised.value.errors()[0]["type"] == "transform"


def test_the_spec_is_frozen_and_strict() -> None:
    spec = MigrationSpec.model_validate(MINIMAL)
    with pytest.raises(ValidationError):
        spec.name = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError) as raised:
        MigrationSpec.model_validate({**MINIMAL, "extra": 1})
    assert raised.value.errors()[0]["type"] == "extra_forbidden"


def test_error_locations_resolve_to_their_models() -> None:
    assert model_at(("objects", "x", "fields", "f", "<value>")) is ValueSpec
    assert model_at(("owners", "fallback", "<member>")).__name__ == "FallbackMember"  # type: ignore[union-attr]
    assert model_at(("skip", "leads")) is SkipSpec
    assert model_at(("objects", "x", "match", 0)) is MatchRule
    assert "from" in allowed_keys(ValueSpec)
    assert render_path(("objects", "x", "transforms", 2)) == "objects.x.transforms[2]"
