"""The schema diff: what is missing in Twenty is created, what exists is left, conflicts stop."""

from __future__ import annotations

import pytest

from migrator.catalogue import standard_objects
from migrator.errors import PlanError
from migrator.graph import compile_graph
from migrator.model import Action
from migrator.plan.schema_diff import diff_schema, raise_errors
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import load_spec
from migrator.twenty.models import FieldMetadata, ObjectMetadata, SelectOption
from tests.conftest import REPO_ROOT


def _spec() -> MigrationSpec:
    path = REPO_ROOT / "examples" / "oplacrm" / "migration.yaml"
    return load_spec(path, environ={}).spec


def _workspace(extra: dict[str, list[FieldMetadata]] | None = None) -> list[ObjectMetadata]:
    """A new workspace's metadata (the catalogue), plus ``extra`` fields per object."""
    found = []
    for std in standard_objects():
        fields = [
            FieldMetadata(
                id=f"{std.name_singular}-{f.name}",
                name=f.name,
                label=f.name,
                type=f.type.value,
                is_unique=f.is_unique,
                options=tuple(
                    SelectOption(value=v, label=v, position=i) for i, v in enumerate(f.options)
                )
                or None,
            )
            for f in std.fields
        ]
        fields += (extra or {}).get(std.name_singular, [])
        found.append(
            ObjectMetadata(
                id=std.reference_id,
                name_singular=std.name_singular,
                name_plural=std.name_plural,
                label_singular=std.name_singular,
                label_plural=std.name_plural,
                fields=tuple(fields),
            )
        )
    return found


def test_a_new_workspace_gets_every_schema_node_created_in_graph_order() -> None:
    spec = _spec()
    nodes = compile_graph(spec).schema_nodes()
    result = diff_schema(spec, nodes, _workspace())
    assert not result.errors
    assert [c.address for c in result.changes] == [n.address for n in nodes]
    assert all(c.action is Action.CREATE for c in result.changes)
    by = {c.address: c for c in result.changes}
    assert by["object.invoice"].after == {
        "nameSingular": "invoice",
        "namePlural": "invoices",
        "labelSingular": "Invoice",
        "labelPlural": "Invoices",
        "icon": "IconReceipt",
    }
    assert by["field.company.migrationSourceId"].after["isUnique"] is True
    assert by["relation.company.oplaParentCompany"].after["target"] == "company"
    stage = by["option.opportunity.stage.LOST"]
    assert stage.kind == "options" and stage.after == {
        "value": "LOST",
        "label": "Lost",
        "color": "red",
    }
    assert [o["value"] for o in stage.before] == [
        "NEW",
        "SCREENING",
        "MEETING",
        "PROPOSAL",
        "CUSTOMER",
    ]


def test_what_exists_is_left_alone_and_missing_options_are_added() -> None:
    spec = _spec()
    existing = {
        "company": [
            FieldMetadata(id="h", name="oplaHealthscore", label="H", type="NUMBER"),
            FieldMetadata(
                id="d",
                name="oplaDistrict",
                label="D",
                type="SELECT",
                options=(SelectOption(value="QUAN_1", label="Quận 1"),),
            ),
        ],
        "opportunity": [],
    }
    workspace = _workspace(existing)
    for obj in workspace:
        if obj.name_singular == "opportunity":
            stage = obj.field("stage")
            assert stage is not None and stage.options is not None
            options = (*stage.options, SelectOption(value="LOST", label="Lost"))
            fields = tuple(
                f.model_copy(update={"options": options}) if f.name == "stage" else f
                for f in obj.fields
            )
            workspace[workspace.index(obj)] = obj.model_copy(update={"fields": fields})
    result = diff_schema(spec, compile_graph(spec).schema_nodes(), workspace)
    addresses = {c.address for c in result.changes}
    assert "field.company.oplaHealthscore" not in addresses
    assert "option.opportunity.stage.LOST" not in addresses
    assert "field.company.oplaDistrict" not in addresses
    added = sorted(a for a in addresses if a.startswith("option.company.oplaDistrict."))
    district = spec.schema_["company"].fields["oplaDistrict"].options
    assert added == sorted(
        f"option.company.oplaDistrict.{o.value}" for o in district if o.value != "QUAN_1"
    )


def test_a_field_of_another_type_is_an_error_listing_every_conflict() -> None:
    spec = _spec()
    existing = {
        "company": [
            FieldMetadata(id="h", name="oplaHealthscore", label="H", type="TEXT"),
            FieldMetadata(id="t", name="oplaTags", label="T", type="TEXT"),
        ]
    }
    result = diff_schema(spec, compile_graph(spec).schema_nodes(), _workspace(existing))
    with pytest.raises(PlanError, match=r"conflicts with Twenty \(2 problems\)") as info:
        raise_errors(result)
    assert "company.oplaHealthscore as TEXT, the spec wants NUMBER" in info.value.detail
    assert "company.oplaTags as TEXT, the spec wants ARRAY" in info.value.detail
