"""What a sample keeps together, read from the committed examples' specs."""

from __future__ import annotations

from migrator.sample.edges import Reference, SampleEdges, sample_edges
from migrator.sources.schema import source_schema
from migrator.spec.validation import load_spec
from tests.conftest import REPO_ROOT


def _edges(example: str, system: str) -> SampleEdges:
    spec = load_spec(REPO_ROOT / "examples" / example / "migration.yaml", environ={}).spec
    return sample_edges(spec, source_schema(system))


def _ref(edges: SampleEdges, source: str, path: str) -> Reference:
    found = [r for r in edges.references if r.source == source and r.path == path]
    assert len(found) == 1, (source, path, found)
    return found[0]


def test_sample_edges_oplacrm_tops_are_objects_referring_to_no_other() -> None:
    edges = _edges("oplacrm", "oplacrm")
    assert edges.tops == {"accounts", "products"}
    assert set(edges.written) == {
        "accounts", "contacts", "opportunities", "products", "opportunity_products",
        "invoices", "activities", "notes", "opportunity_stage_logs", "attachments",
    }  # fmt: skip
    assert list(edges.written) == sorted(edges.written)


def test_sample_edges_references_into_tops_are_followed_up_only() -> None:
    edges = _edges("oplacrm", "oplacrm")
    to_account = _ref(edges, "contacts", "account_external_id")
    assert to_account.target == "accounts" and to_account.key == "external_id"
    assert not to_account.dependent
    line = _ref(edges, "opportunity_products", "opportunity_id")
    assert line.target == "opportunities" and line.dependent
    assert not _ref(edges, "opportunity_products", "product_id").dependent


def test_sample_edges_list_index_is_dropped_and_targets_and_attachments_count() -> None:
    edges = _edges("oplacrm", "oplacrm")
    contacts = _ref(edges, "opportunities", "contact_ids")  # contact_ids[0] in the spec
    assert contacts.target == "contacts" and contacts.dependent
    assert _ref(edges, "notes", "opportunity_id").dependent  # a note target
    assert _ref(edges, "attachments", "note_id").target == "notes"


def test_sample_edges_self_references_and_unique_values_group_rows() -> None:
    edges = _edges("oplacrm", "oplacrm")
    joint = _ref(edges, "opportunities", "opportunities_joint_id")
    assert joint.target == "opportunities" and joint.key == "opportunities_joint_id"
    assert not joint.dependent
    email = _ref(edges, "contacts", "email")  # Twenty keeps person emails unique
    assert email.target == "contacts" and email.key == "email" and not email.dependent


def test_sample_edges_aeronaclinic_folds_and_depth() -> None:
    edges = _edges("aeronaclinic", "aeronaclinic")
    assert edges.tops == {"practices"}
    folded = {(f.folded, f.parent) for f in edges.folds}
    assert folded == {
        ("consents", "patients"),
        ("medical_histories", "patients"),
        ("medical_alerts", "patients"),
        ("payments", "invoices"),
        ("adjustments", "invoices"),
    }
    assert len(edges.folds) == len(folded)
    assert edges.weights["treatments"] == 2  # treatment_records and its treatment_notes child
    assert edges.depth("practices") == 0 and edges.depth("patients") == 1
    assert edges.depth("tooth_chart") > edges.depth("treatments") > edges.depth("appointments")
    assert _ref(edges, "appointments", "patientId").dependent
