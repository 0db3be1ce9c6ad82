"""The spec's choices about invalid values, owners and sums, each on a minimal bundle."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from migrator.mapping.model import Fate
from tests.unit.mapping.helpers import Run, member_id, run_all, setup, spec_document

PATIENTS: list[dict[str, Any]] = [
    {"patientId": 1, "practiceId": 1, "forename": "Ann", "surname": "Lee",
     "dateOfBirth": "1980-01-01", "nhsNumber": "943 476 5918", "preferredClinicianUserId": 9},
    {"patientId": 2, "practiceId": 1, "forename": "Bo", "surname": "Kim",
     "dateOfBirth": "1981-01-01", "nhsNumber": "9990000018"},
]  # fmt: skip
USERS: list[dict[str, Any]] = [{"userId": 9, "forename": "Cy", "email": "cy@example.org"}]
SCHEMA: dict[str, Any] = {
    "person": {
        "fields": {
            "nhsNumber": {"type": "TEXT", "label": "NHS number"},
            "clinician": {"type": "RELATION", "to": "workspaceMember", "label": "Clinician",
                          "inverse_label": "Patients"},
        }
    },
    "opportunity": {
        "fields": {
            "paid": {"type": "NUMBER", "label": "Paid"},
            "payments": {"type": "NUMBER", "label": "Payments"},
        }
    },
}  # fmt: skip


def _patients(root: Path, nhs: dict[str, Any], fallback: Any = "hold") -> Run:
    objects = {"patients": PATIENTS, "users": USERS}
    mappings = {
        "patients": {
            "from": "patients",
            "to": "person",
            "fields": {
                "name": {"firstName": "forename", "lastName": "surname"},
                "nhsNumber": nhs,
                "clinician": {"owner": "preferredClinicianUserId"},
            },
        }
    }
    document = spec_document(
        "aeronaclinic",
        owners={"from": "users", "email": "email", "fallback": fallback},
        schema=SCHEMA,
        objects=mappings,
    )
    return run_all(setup(root, "aeronaclinic", objects, document)[1])


@pytest.mark.parametrize(
    ("policy", "written", "code"),
    [
        (None, None, "nhs_check_digit"),
        ("quarantine", None, "nhs_check_digit"),
        ("warn", "943 476 5918", "nhs_check_digit"),
        ("drop", "", "nhs_check_digit"),
    ],
)
def test_on_invalid_decides_the_fate_of_a_bad_nhs_number(
    tmp_path: Path, policy: str | None, written: str | None, code: str
) -> None:
    value: dict[str, Any] = {"from": "nhsNumber"}
    if policy is not None:
        value["on_invalid"] = policy
    run = _patients(tmp_path, value)
    good = run.record("patients", "2")
    assert good.payload["nhsNumber"] == "9990000018"
    if written is None:
        bad = run.outcome("patients", "1")
        assert (bad.fate, bad.code) == (Fate.QUARANTINED, code)
        return
    held = run.outcome("patients", "1")  # the owner has no member and the fallback is hold
    assert (held.fate, held.code, held.blocked_by) == (Fate.HELD, "owner_unresolved", "9")


def test_warn_and_drop_write_the_row_with_a_finding(tmp_path: Path) -> None:
    members = {"cy@example.org": member_id("cy@example.org")}
    for policy, expected in (("warn", "943 476 5918"), ("drop", None)):
        root = tmp_path / policy
        objects = {"patients": PATIENTS, "users": USERS}
        mappings = {
            "patients": {
                "from": "patients",
                "to": "person",
                "fields": {
                    "nhsNumber": {"from": "nhsNumber", "on_invalid": policy},
                    "clinician": {"owner": "preferredClinicianUserId"},
                },
            }
        }
        document = spec_document(
            "aeronaclinic",
            owners={"from": "users", "email": "email", "fallback": "hold"},
            schema=SCHEMA,
            objects=mappings,
        )
        run = run_all(setup(root, "aeronaclinic", objects, document, members=members)[1])
        record = run.record("patients", "1")
        assert record.payload.get("nhsNumber") == expected
        assert record.payload["clinicianId"] == member_id("cy@example.org")
        findings = [(f.code, f.message) for f in run.findings("patients")]
        assert findings == [
            (
                "nhs_check_digit",
                "record.patients[aeronaclinic:patients:1] field `nhsNumber`: "
                "NHS number check digit is wrong",
            )
        ]


def test_a_fallback_member_missing_from_the_workspace_holds_the_record(tmp_path: Path) -> None:
    run = _patients(tmp_path, {"from": "nhsNumber", "on_invalid": "drop"},
                    fallback={"member": "nobody@example.org"})  # fmt: skip
    held = run.outcome("patients", "1")
    assert (held.fate, held.code) == (Fate.HELD, "owner_unresolved")
    assert "fallback member nobody@example.org is not a workspace member" in held.reason
    assert run.record("patients", "2").payload.get("clinicianId") is None


def test_sums_and_counts_of_folded_rows(tmp_path: Path) -> None:
    objects: dict[str, list[dict[str, Any]]] = {
        "patients": PATIENTS[1:],
        "invoices": [
            {"invoiceId": 10, "invoiceNumber": "I-10", "patientId": 2, "currency": "GBP"},
            {"invoiceId": 11, "invoiceNumber": "I-11", "patientId": 2, "currency": "GBP"},
        ],
        "payments": [
            {"paymentId": 1, "patientId": 2, "invoiceId": 10, "amount": "10.50"},
            {"paymentId": 2, "patientId": 2, "invoiceId": 10, "amount": "4.25"},
            {"paymentId": 3, "patientId": 2, "invoiceId": 99, "amount": "1.00"},
        ],
    }
    mappings = {
        "invoices": {
            "from": "invoices",
            "to": "opportunity",
            "fields": {
                "name": "invoiceNumber",
                "paid": {"aggregate": {"from": "payments", "by": "invoiceId", "pick": "sum",
                                       "value": "amount"}, "transforms": ["number"]},
                "payments": {"aggregate": {"from": "payments", "by": "invoiceId",
                                           "pick": "count"}},
            },
        }
    }  # fmt: skip
    document = spec_document("aeronaclinic", schema=SCHEMA, objects=mappings)
    run = run_all(setup(tmp_path, "aeronaclinic", objects, document)[1])
    assert run.record("invoices", "10").payload["paid"] == 14.75
    assert run.record("invoices", "10").payload["payments"] == 2
    assert run.record("invoices", "11").payload["paid"] == 0
    assert run.record("invoices", "11").payload["payments"] == 0
    assert run.fates("payments-aggregated") == {"desired": 0, "aggregated": 3}
    assert Decimal("10.50") + Decimal("4.25") == Decimal("14.75")


def test_custom_unique_fields_deduplicate_exactly_as_twenty_compares(tmp_path: Path) -> None:
    products: list[dict[str, Any]] = [
        {"id": f"d0000000-0000-4000-8000-00000000000{i}", "name": f"P{i}", "sku": sku}
        for i, sku in enumerate(("POS-1", "POS-1", "pos-1", None), start=1)
    ]
    schema = {
        "product": {
            "create": {"name_plural": "products", "label_singular": "Product",
                       "label_plural": "Products"},
            "fields": {"sku": {"type": "TEXT", "label": "SKU", "unique": True}},
        }
    }  # fmt: skip
    mappings = {"products": {"from": "products", "to": "product",
                             "fields": {"name": "name", "sku": "sku"}}}  # fmt: skip
    document = spec_document("oplacrm", schema=schema, objects=mappings)
    run = run_all(setup(tmp_path, "oplacrm", {"products": products}, document)[1])
    loser = run.outcome("products", products[1]["id"])
    assert (loser.fate, loser.code) == (Fate.DEDUPLICATED, "duplicate_value")
    assert loser.blocked_by == f"record.products[oplacrm:products:{products[0]['id']}]"
    assert [u.value for u in run.record("products", products[2]["id"]).unique_values] == ["pos-1"]
    assert run.record("products", products[3]["id"]).unique_values == ()
    assert run.fates("products") == {"desired": 3, "deduplicated": 1}
