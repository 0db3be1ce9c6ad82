"""The AeronaClinic gotchas of the guide (seeds/003), each shown end to end.

* Password-protected API limits export options: migrator reads an export bundle, verified file by
  file against its manifest (a changed file is refused before anything is planned), and never
  migrates credentials (the practice PIN; see test_row_04).
* Large historical record volumes: a generated 20,000-record bundle (the size of Twenty's own
  export limit) plans in one streaming pass, in 200-record batches, with every record accounted.
* Payment plan instalment schedules require manual sign-off: care plans are not migrated; the
  hand-off report lists each with its instalments and a pending sign-off.
* Twenty's gotchas: import order (practices, then patients, then opportunities, then treatment
  records, from the audit log); no native sequences or recalls (the rebuild inventory).
"""

from __future__ import annotations

import json

import pytest

from migrator.plan.planfile import read_plan_header
from tests.e2e.project import AppliedExample, copy_example, run_cli
from tests.integration.render.test_privacy import leaks, sensitive_values


def test_gotcha_export_bundle_is_verified_against_its_manifest(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = copy_example("aeronaclinic", tmp_path_factory.mktemp("aerona-tampered"))
    path = root / "data" / "patients.jsonl"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    planned = run_cli(root, "plan", "migration.yaml", "-o", "p.plan")
    assert planned.exit_code == 1
    assert "patients.jsonl" in planned.output and "sha256" in planned.output.lower()
    assert not (root / "p.plan").exists()
    assert leaks(planned.output, sensitive_values()) == []


@pytest.mark.slow
def test_gotcha_large_historical_volumes_plan_in_batches(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = copy_example("aeronaclinic", tmp_path_factory.mktemp("aerona-large"))
    data = root / "data"
    generated = run_cli(
        root, "examples", "generate", "aeronaclinic", "--records", "20000", "--seed", "7",
        "--out", str(data), "--force",
    )  # fmt: skip
    assert generated.exit_code == 0, generated.output[-2000:]
    planned = run_cli(root, "plan", "migration.yaml", "-o", "big.plan", "--format", "json")
    assert planned.exit_code == 0, planned.output[-2000:]
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    bundle = {f["object"]: f["records"] for f in manifest["files"] if f["name"].endswith(".jsonl")}
    assert sum(bundle.values()) >= 19_000
    header = read_plan_header(root / "big.plan")
    sources = {name: m["from"] for name, m in header.spec["objects"].items()}
    phase_of: dict[str, int] = {}
    for count in header.counts:
        assert count.accounted == count.source, count.mapping  # nothing lost, at any size
        if count.mapping in sources:
            phase_of[sources[count.mapping]] = count.source
        elif count.mapping.endswith(("-skipped", "-aggregated")):
            phase_of[count.mapping.rsplit("-", 1)[0]] = count.source
    lookups = {"users", "appointment_types", "appointment_statuses"}  # reference data
    assert {o: n for o, n in bundle.items() if o not in lookups} == phase_of
    creates = {c.mapping: c.create for c in header.counts if c.create}
    assert sum(creates.values()) > 15_000
    assert header.budget.requests["batch_create"] == sum(-(-n // 200) for n in creates.values())


def test_gotcha_payment_plan_instalments_need_manual_sign_off(aerona: AppliedExample) -> None:
    counts = {c.mapping: c for c in aerona.header.counts}
    plans = aerona.rows("care_plans")
    assert counts["care_plans-skipped"].skipped == len(plans) > 0
    assert "manual sign-off" in str(aerona.header.spec["skip"]["care_plans"])
    report = run_cli(aerona.root, "report", "migration.yaml")
    assert report.exit_code == 0, report.output[-2000:]
    for plan in plans:
        line = f"| {aerona.key('care_plans', plan['carePlanId'])} | {len(plan['instalments'])} |"
        assert line in report.stdout
        assert "pending" in report.stdout.split(line, 1)[1].splitlines()[0]
    assert leaks(report.output, sensitive_values()) == []


def test_twenty_gotcha_import_order_practices_patients_opportunities(
    aerona: AppliedExample,
) -> None:
    events = [json.loads(line) for line in aerona.audit_log.read_text().splitlines() if line]
    first: dict[str, int] = {}
    for index, event in enumerate(events):
        if event["event"] == "record" and event["action"] == "create":
            first.setdefault(str(event["twenty_id"]), index)
    checked = 0
    references = {
        "people": ("companyId",),
        "opportunities": ("companyId", "pointOfContactId"),
        "treatmentRecords": ("patientId", "appointmentId"),
        "toothChartEntries": ("patientId", "treatmentRecordId"),
        "attachments": ("targetPersonId", "targetOpportunityId"),
        "noteTargets": ("noteId", "targetPersonId", "targetTreatmentRecordId"),
    }
    for plural, fields in references.items():
        for record in aerona.records(plural):
            if str(record["id"]) not in first:
                continue
            for field in fields:
                parent = record.get(field)
                if parent and str(parent) in first:
                    assert first[str(parent)] < first[str(record["id"])], (plural, field)
                    checked += 1
    assert checked >= 300


def test_twenty_gotcha_no_sequences_recalls_and_reminders_listed_for_rebuild(
    aerona: AppliedExample,
) -> None:
    inventory = run_cli(aerona.root, "inventory", "migration.yaml")
    assert inventory.exit_code == 0, inventory.output[-2000:]
    assert f"| Recall rules | {len(aerona.rows('recall_rules'))} |" in inventory.stdout
    assert "| Appointment reminder rules |" in inventory.stdout
    assert "| Payment integrations |" in inventory.stdout
    for rule in aerona.rows("recall_rules"):
        assert rule["name"] in inventory.stdout
