"""The dependency graph: nodes, edges, deterministic order, cycles, switches and --target."""

from __future__ import annotations

from typing import Any

import pytest

from migrator.errors import GraphError
from migrator.graph import NodeKind, compile_graph, to_dot, to_mermaid
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import load_spec
from tests.conftest import REPO_ROOT


def _example(name: str, environ: dict[str, str] | None = None) -> MigrationSpec:
    path = REPO_ROOT / "examples" / name / "migration.yaml"
    return load_spec(path, environ=environ or {}).spec


def _spec(
    objects: dict[str, Any], schema: dict[str, Any] | None = None, **extra: Any
) -> MigrationSpec:
    return MigrationSpec.model_validate(
        {
            "version": 1,
            "name": "demo",
            "source": {
                "system": "oplacrm",
                "bundle": "./data",
                "timezone": "UTC",
                "currency": "VND",
            },
            "destination": {"url": "sandbox:x.db"},
            "provenance": {"created_by": "test"},
            "schema": schema or {},
            "objects": objects,
            **extra,
        }
    )


def _index(order: tuple[str, ...], address: str) -> int:
    return order.index(address)


def test_oplacrm_graph_orders_schema_then_parents_then_links_then_targets() -> None:
    graph = compile_graph(_example("oplacrm"))
    order = graph.order
    kinds = [graph.node(a).kind for a in order]
    tiers = [graph.node(a).tier for a in order]
    assert tiers == sorted(tiers)  # schema, records, links, targets
    assert kinds[0] is NodeKind.OBJECT
    assert _index(order, "mapping.companies") < _index(order, "mapping.people")
    assert _index(order, "mapping.people") < _index(order, "mapping.opportunities")
    assert _index(order, "mapping.opportunities") < _index(order, "mapping.invoices")
    assert _index(order, "mapping.products") < _index(order, "mapping.product_lines")
    # self references become second-pass links after both ends
    links = [a for a in order if graph.node(a).kind is NodeKind.LINK]
    assert links == [
        "link.companies.oplaParentCompany",
        "link.opportunities.oplaJointOpportunity",
        "link.opportunities.oplaParentOpportunity",
    ]
    targets = [a for a in order if graph.node(a).kind is NodeKind.TARGETS]
    assert targets == [
        "mapping.activities-targets",
        "mapping.notes-targets",
        "mapping.stage_history-targets",
    ]
    assert graph.node("mapping.notes-targets").parent == "notes"
    assert graph.node("mapping.notes-targets").twenty_object == "noteTarget"
    assert set(graph.needs("mapping.activities-targets")) >= {
        "mapping.activities",
        "mapping.companies",
        "mapping.people",
        "mapping.opportunities",
        "field.taskTarget.migrationSourceId",
    }


def test_every_written_object_gets_the_provenance_field_and_schema_comes_before_writers() -> None:
    spec = _example("oplacrm")
    graph = compile_graph(spec)
    for mapping in spec.all_mappings().values():
        address = f"field.{mapping.to}.migrationSourceId"
        assert graph.node(address).provenance
    needs = set(graph.needs("mapping.opportunities"))
    assert {
        "option.opportunity.stage.LOST",
        "field.opportunity.migrationSourceId",
        "relation.opportunity.oplaParentOpportunity",
        "mapping.companies",
        "mapping.people",
    } <= needs
    assert "object.invoice" in graph.needs("field.invoice.total")
    assert {"object.productLine", "object.product"} <= set(
        graph.needs("relation.productLine.product")
    )


def test_order_is_deterministic_and_renders_the_same_text() -> None:
    first, second = compile_graph(_example("oplacrm")), compile_graph(_example("oplacrm"))
    assert first.order == second.order
    assert to_mermaid(first) == to_mermaid(second)
    mermaid = to_mermaid(first)
    assert mermaid.startswith("flowchart TD\n")
    assert '(["mapping.companies"])' in mermaid
    assert "-->|ref|" in mermaid
    dot = to_dot(first)
    assert dot.startswith("digraph migration {") and dot.endswith("}\n")
    assert dot.count(" -> ") == len(first.edges())


def test_switches_decide_which_schema_and_links_exist() -> None:
    default = compile_graph(_example("oplacrm"))
    assert "relation.opportunity.oplaJointOpportunity" in default.order
    assert "field.opportunity.oplaJointOpportunityId" not in default.order
    fallback = compile_graph(_example("oplacrm", {"OPLA_JOINT_TEXT_FALLBACK": "true"}))
    assert "relation.opportunity.oplaJointOpportunity" not in fallback.order
    assert "link.opportunities.oplaJointOpportunity" not in fallback.order
    assert "field.opportunity.oplaJointOpportunityId" in fallback.order


def test_aeronaclinic_children_follow_their_parent_and_flagged_objects_get_the_flag_field() -> None:
    spec = _example("aeronaclinic")
    graph = compile_graph(spec)
    for parent, mapping in spec.objects.items():
        for child in mapping.children:
            assert graph.node(f"mapping.{child}").parent == parent
            assert f"mapping.{parent}" in graph.needs(f"mapping.{child}")
    flagged = {
        m.to
        for m in spec.objects.values()
        if (m.on_source_delete or spec.on_source_delete) == "flag"
    }
    for obj in flagged:
        assert f"field.{obj}.migrationSourceDeleted" in graph.order


def test_a_cycle_no_second_pass_breaks_is_an_error_naming_it() -> None:
    objects: dict[str, Any] = {
        "alpha": {"from": "accounts", "to": "company", "fields": {"name": "name"}},
        "beta": {
            "from": "contacts",
            "to": "person",
            "fields": {"company": {"ref": "alpha", "by": "account_id"}},
        },
    }
    objects["alpha"]["fields"]["oplaContact"] = {"ref": "beta", "by": "contact_id"}
    with pytest.raises(
        GraphError, match=r"cycle .*: mapping\.(alpha|beta) → mapping\.(beta|alpha) → mapping\.\1"
    ) as info:
        compile_graph(_spec(objects))
    assert "deferred: true" in info.value.hint
    objects["alpha"]["fields"]["oplaContact"] = {
        "ref": "beta",
        "by": "contact_id",
        "deferred": True,
    }
    graph = compile_graph(_spec(objects))
    assert graph.order.index("mapping.alpha") < graph.order.index("mapping.beta")
    assert graph.order[-1] == "link.alpha.oplaContact"
    assert set(graph.needs("link.alpha.oplaContact")) == {"mapping.alpha", "mapping.beta"}


def test_target_restricts_to_the_mapping_and_what_it_needs() -> None:
    graph = compile_graph(_example("oplacrm"))
    people = graph.restrict(["people"])
    assert "mapping.people" in people.order and "mapping.companies" in people.order
    assert "mapping.opportunities" not in people.order
    assert "field.person.oplaBirthday" in people.order
    assert "field.opportunity.oplaStatus" not in people.order
    assert list(people.order) == [a for a in graph.order if a in set(people.order)]
    notes = graph.restrict(["notes"])
    assert "mapping.notes-targets" in notes.order and "mapping.people" in notes.order
    companies = graph.restrict(["companies"])
    assert "link.companies.oplaParentCompany" in companies.order
    with pytest.raises(GraphError, match="no mapping of this spec: nope"):
        graph.restrict(["nope"])
