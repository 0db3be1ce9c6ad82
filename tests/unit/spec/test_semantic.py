"""Semantic validation beyond the one-mistake corpus: several problems at once, warnings,
second passes, the Twenty model a spec produces, and checks the corpus does not isolate."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator import workflows
from migrator.catalogue import FieldType
from migrator.errors import SpecError
from migrator.spec.loader import load_yaml
from migrator.spec.semantic import check_semantics
from migrator.spec.structure import parse_spec
from migrator.spec.target_model import build_target_model
from migrator.spec.validation import load_spec
from tests.conftest import DATA_DIR

BASE = (DATA_DIR / "specs" / "valid" / "base.yaml").read_text(encoding="utf-8")


def _spec(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = BASE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _messages(path: Path, **environ: str) -> list[str]:
    result = workflows.validate(path, environ=environ, display_path="spec.yaml")
    return [d.render().removeprefix("spec.yaml:") for d in result.diagnostics]


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    path = _spec(
        tmp_path,
        ("      name: name\n", "      nme: name\n"),
        (
            "      name: {firstName: first_name, lastName: last_name}",
            "      name: {firstName: fist_name}",
        ),
        ("timezone: Asia/Ho_Chi_Minh", "timezone: Mars/Olympus"),
    )
    assert _messages(path) == [
        "5:53: error: unknown timezone `Mars/Olympus` (hint: use an IANA name)",
        "18:7: error: `company` has no field `nme` (hint: did you mean `name`?)",
        "25:25: error: unknown source field: `contacts` has no field `fist_name` "
        "(hint: did you mean `first_name`?)",
    ]


def test_input_values_never_appear_in_shape_errors(tmp_path: Path) -> None:
    secret = "Aoife Test 9990000018"
    path = _spec(
        tmp_path,
        ("system: oplacrm", f"system: {secret}"),
        ("api_key_env: TWENTY_API_KEY", "api_key_env: [1, 2]"),
    )
    messages = _messages(path)
    assert len(messages) == 2
    assert not any("Aoife" in m or "9990000018" in m for m in messages)


def test_a_self_reference_is_a_second_pass_not_a_cycle(tmp_path: Path) -> None:
    path = _spec(
        tmp_path,
        (
            "      oplaHealthscore: {type: NUMBER, label: Healthscore}\n",
            "      oplaHealthscore: {type: NUMBER, label: Healthscore}\n"
            "      parent: {type: RELATION, to: company, label: Parent, inverse_label: Children}\n",
        ),
        (
            "      accountOwner: {owner: owner_id}\n",
            "      accountOwner: {owner: owner_id}\n"
            "      parent: {ref: companies, by: parent_account_id}\n",
        ),
    )
    assert _messages(path) == []


def test_deferred_breaks_a_reference_cycle(tmp_path: Path) -> None:
    relation = (
        "      primary: {type: RELATION, to: person, label: Primary, inverse_label: Primary for}\n"
    )
    ref = (
        "      primary: {ref: people, by: id, key: account_id, pick: first, "
        "order_by: created_at%s}\n"
    )
    schema_line = "      oplaHealthscore: {type: NUMBER, label: Healthscore}\n"
    owner_line = "      accountOwner: {owner: owner_id}\n"
    cyclic = _spec(
        tmp_path, (schema_line, schema_line + relation), (owner_line, owner_line + ref % "")
    )
    assert [m.split(": error: ")[1][:15] for m in _messages(cyclic)] == ["reference cycle"]
    broken = _spec(
        tmp_path,
        (schema_line, schema_line + relation),
        (owner_line, owner_line + ref % ", deferred: true"),
    )
    assert _messages(broken) == []


def test_an_unaccounted_source_object_is_a_warning_that_does_not_fail(tmp_path: Path) -> None:
    path = _spec(tmp_path, ("  leads: not in this corpus\n", ""))
    result = workflows.validate(path, environ={}, display_path="spec.yaml")
    assert result.is_valid
    assert [d.render() for d in result.diagnostics] == [
        "spec.yaml:27:1: warning: source object `leads` is neither mapped, read nor skipped: its "
        "rows would be unaccounted for (hint: map it, or list it under `skip:` with a reason)"
    ]


def test_source_checks_are_skipped_without_a_bundle_schema(tmp_path: Path) -> None:
    path = _spec(tmp_path, ("      name: name\n", "      name: nonexistent_field\n"))
    document = load_yaml(path, environ={})
    spec, problems = parse_spec(document)
    assert spec is not None and problems == []
    assert check_semantics(spec, document, sources=None) == []


def test_switched_schema_field_mapped_under_the_same_switch_is_valid(tmp_path: Path) -> None:
    path = _spec(
        tmp_path,
        ("owners:", 'switches: {fallback: "${FALLBACK:-false}"}\nowners:'),
        (
            "      oplaHealthscore: {type: NUMBER, label: Healthscore}\n",
            "      oplaHealthscore: {type: NUMBER, label: Healthscore}\n"
            "      oplaExtra: {type: TEXT, label: Extra, when: fallback}\n",
        ),
        ("      name: name\n", "      name: name\n      oplaExtra: {from: name, when: fallback}\n"),
    )
    assert _messages(path) == []
    assert load_spec(path, environ={"FALLBACK": "true"}).spec.switches == {"fallback": True}


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        (
            [
                (
                    "  people:\n    from: contacts\n    to: person",
                    "  people:\n    from: contacts\n    to: noteTarget",
                )
            ],
            "23:9: error: `noteTarget` records are written from a note or task mapping's `targets`",
        ),
        (
            [("  people:\n", "  People:\n")],
            "21:3: error: mapping name `People` must be lower_snake_case "
            "(it appears in record addresses)",
        ),
        (
            [("      name: name\n", "      name: {file: name}\n")],
            "18:13: error: `file` uploads into a FILES field; `name` is not one",
        ),
        (
            [
                (
                    "      company: {ref: companies, by: account_id}",
                    "      company: {ref: companies, by: account_id, pick: last}",
                )
            ],
            "26:55: error: `pick: last` needs `order_by`",
        ),
        (
            [
                (
                    "  company:\n    fields:\n",
                    "  company:\n    add_options:\n      name: [{value: X, label: X}]\n"
                    "    fields:\n",
                )
            ],
            "12:7: error: `company.name` is a TEXT field: only SELECT and MULTI_SELECT fields "
            "take options",
        ),
        (
            [
                (
                    "  company:\n",
                    "  opla_invoice:\n    create: {name_plural: oplaInvoices, label_singular: I, "
                    "label_plural: Is}\n    fields: {}\n  company:\n",
                )
            ],
            "10:3: error: invalid Twenty object name `opla_invoice`: Name is not valid: it must "
            "start with lowercase letter and contain only alphanumeric letters (hint: use "
            "`oplaInvoice` and keep `opla_invoice` in the label or description)",
        ),
    ],
    ids=[
        "target-only-object",
        "mapping-name",
        "file-into-text",
        "ref-pick-order",
        "options-on-text",
        "object-name",
    ],
)
def test_further_checks(tmp_path: Path, edits: list[tuple[str, str]], expected: str) -> None:
    assert _messages(_spec(tmp_path, *edits)) == [expected]


def test_target_model_adds_what_twenty_creates_by_itself(tmp_path: Path) -> None:
    path = _spec(
        tmp_path,
        (
            "  company:\n",
            "  invoice:\n    create: {name_plural: invoices, label_singular: Invoice, "
            "label_plural: Invoices}\n    fields:\n      company: {type: RELATION, to: company, "
            "label: Company, inverse_label: Invoices}\n"
            "  company:\n",
        ),
    )
    spec = load_spec(path, environ={}).spec
    model = build_target_model(spec)
    invoice = model.objects["invoice"]
    assert invoice.is_custom and invoice.fields["name"].type is FieldType.TEXT
    assert not invoice.fields["noteTargets"].is_writable
    assert invoice.fields["createdAt"].is_writable and not invoice.fields["id"].is_writable
    assert model.objects["company"].fields["invoices"].relation_type == "ONE_TO_MANY"
    assert model.objects["noteTarget"].fields["targetInvoice"].target == "invoice"
    assert model.objects["attachment"].fields["targetPerson"].target == "person"
    assert model.objects["company"].fields["migrationSourceId"].origin == "provenance"
    assert model.singular_of("invoices") == "invoice"


def test_load_spec_raises_one_error_with_every_diagnostic(tmp_path: Path) -> None:
    path = _spec(tmp_path, ("      name: name\n", "      nme: nam\n"), ("to: person", "to: persn"))
    with pytest.raises(SpecError) as raised:
        load_spec(path, environ={}, display_path="spec.yaml")
    assert raised.value.summary == "spec.yaml is not a valid migration spec (2 errors)"
    assert len(raised.value.diagnostics.errors) == 2
    assert "migrator validate spec.yaml" in raised.value.hint
