"""The synthetic generator: deterministic bytes, valid bundles, realistic shape, controlled dirt."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from migrator.errors import SourceError
from migrator.sources.bundle import open_bundle
from migrator.sources.generator import generate_bundle
from migrator.sources.generator.members import write_members_file
from migrator.sources.records import jsonable
from migrator.validate.nhs import check_nhs_number

SYSTEMS = ("oplacrm", "aeronaclinic")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("system", SYSTEMS)
def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(
    system: str, tmp_path: Path
) -> None:
    first = generate_bundle(system, tmp_path / "a", records=300, seed=11, with_csv=True)
    second = generate_bundle(system, tmp_path / "b", records=300, seed=11, with_csv=True)
    third = generate_bundle(system, tmp_path / "c", records=300, seed=12, with_csv=True)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert first.fingerprint == second.fingerprint != third.fingerprint


@pytest.mark.parametrize("system", SYSTEMS)
def test_generated_bundles_verify_and_hit_the_record_budget(system: str, tmp_path: Path) -> None:
    result = generate_bundle(system, tmp_path / "out", records=2000, seed=3, with_csv=True)
    assert 1800 <= result.records <= 2200
    bundle = open_bundle(system, tmp_path / "out")
    report = bundle.verify()
    assert bundle.fingerprint == result.fingerprint
    assert report.attachment_count == result.attachments > 0
    read = sum(1 for name in bundle.objects for _ in bundle.read(name))
    assert read == result.records
    for path in (tmp_path / "out").rglob("*.jsonl"):
        assert path.stat().st_mode & 0o777 == 0o600


def _comparable(values: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in jsonable(values).items() if v not in (None, "")}


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_csv_mirror_reads_back_the_same_records(system: str, tmp_path: Path) -> None:
    generate_bundle(system, tmp_path, records=400, seed=5, with_csv=True)
    bundle = open_bundle(system, tmp_path)
    for name in bundle.objects:
        pairs = zip(bundle.read(name, fmt="jsonl"), bundle.read(name, fmt="csv"), strict=True)
        for left, right in pairs:
            assert left.id == right.id
            assert _comparable(dict(left.fields)) == _comparable(dict(right.fields)), name
            assert _comparable(dict(left.raw)) == _comparable(dict(right.raw)), name


def test_oplacrm_proportions_and_shapes(tmp_path: Path) -> None:
    result = generate_bundle("oplacrm", tmp_path, records=5000, seed=2)
    counts = result.counts
    accounts = counts["accounts"]
    assert 2.5 <= counts["contacts"] / accounts <= 3.5
    assert 1.7 <= counts["opportunities"] / accounts <= 2.3
    assert 5 <= counts["activities"] / accounts <= 7
    for name in ("notes", "invoices", "opportunity_products", "opportunity_stage_logs", "leads",
                 "automations", "sequences", "gamification_streaks",
                 "gamification_leaderboards", "gamification_goals"):  # fmt: skip
        assert counts[name] > 0, name
    bundle = open_bundle("oplacrm", tmp_path)
    opportunities = list(bundle.read("opportunities"))
    nested = [o for o in opportunities if "opportunity_process_stage" in o.raw]
    assert 0.1 < len(nested) / len(opportunities) < 0.3
    assert all(o.fields.get("stage_name") for o in nested)
    types = Counter(a.fields["type"] for a in bundle.read("activities"))
    assert set(types) == {"CALL", "EMAIL", "MEETING", "TASK"}
    locked = [o for o in opportunities if o.fields.get("locked")]
    assert locked
    text = (tmp_path / "accounts.jsonl").read_text(encoding="utf-8")
    assert "ấ" in text or "ơ" in text or "ư" in text
    definitions = {r.fields["key"] for r in bundle.read("custom_field_definitions")}
    assert {"name", "address"} <= definitions


def test_oplacrm_dirt_covers_every_kind_the_issue_lists(tmp_path: Path) -> None:
    result = generate_bundle("oplacrm", tmp_path, records=3000, seed=9)
    for kind in ("contact_duplicate_email", "contact_missing_first_name", "account_missing_name",
                 "contact_orphan_account", "line_orphan_product", "tags_comma_string",
                 "owner_without_user", "account_emoji", "opportunity_parent_cycle",
                 "won_without_close_date", "custom_unknown_option"):  # fmt: skip
        assert result.dirt.get(kind, 0) >= 1, kind
    users = [json.loads(line) for line in (tmp_path / "users.jsonl").read_text().splitlines()]
    assert any(u["email"].endswith("@alumni.example.net") and not u["active"] for u in users)
    write_members_file(tmp_path, tmp_path / "members.json")
    invited = json.loads((tmp_path / "members.json").read_text())
    assert [m["email"] for m in invited] == [u["email"] for u in users if u["active"]]
    assert not any(m["email"].endswith("@alumni.example.net") for m in invited)
    assert (tmp_path / "members.json").stat().st_mode & 0o777 == 0o600


def test_aeronaclinic_shapes_and_synthetic_identifiers(tmp_path: Path) -> None:
    result = generate_bundle("aeronaclinic", tmp_path, records=3000, seed=4)
    assert result.dirt["practice_cycle"] == 1
    kinds = ("nhs_check_digit", "nhs_placeholder", "patient_missing_surname",
             "appointment_orphan_patient", "email_duplicate", "chart_palatal_on_lower")  # fmt: skip
    for kind in kinds:
        assert result.dirt.get(kind, 0) >= 1, kind
    bundle = open_bundle("aeronaclinic", tmp_path)
    practices = {r.fields["practiceId"]: r.fields.get("parentPracticeId")
                 for r in bundle.read("practices")}  # fmt: skip
    cycle = [p for p, parent in practices.items() if parent and practices.get(parent) == p]
    assert len(cycle) == 2
    for patient in bundle.read("patients"):
        number = patient.fields.get("nhsNumber")
        if number is None:
            continue
        digits = number.replace(" ", "")
        assert digits.startswith("999") or digits == "0000000000"
        if patient.fields.get("country") == "IE":
            pytest.fail("Republic of Ireland patients carry no NHS number")
    valid = [p for p in bundle.read("patients") if p.fields.get("nhsNumber")
             and check_nhs_number(p.fields["nhsNumber"]).ok]  # fmt: skip
    assert valid
    plans = [p for p in bundle.read("care_plans")]
    assert plans and all(len(p.fields["instalments"]) == 12 for p in plans)
    assert {r.fields["provider"] for r in bundle.read("payment_integrations")} == {
        "GOCARDLESS",
        "STRIPE",
    }
    assert sum(1 for _ in bundle.read("reminder_rules")) > 0


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_clean_bundle_has_no_dirt(system: str, tmp_path: Path) -> None:
    result = generate_bundle(system, tmp_path, records=500, seed=1, dirty_rate=0)
    assert result.dirt == {}
    bundle = open_bundle(system, tmp_path)
    errors = [f for name in bundle.objects for r in bundle.read(name) for f in r.findings
              if f.severity.value != "FIX"]  # fmt: skip
    assert errors == []


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_oversized_attachment_exists_only_on_demand(system: str, tmp_path: Path) -> None:
    plain = generate_bundle(system, tmp_path / "plain", records=300, seed=1)
    big = generate_bundle(
        system, tmp_path / "big", records=300, seed=1, oversized_attachment_bytes=300_000
    )
    sizes = sorted(p.stat().st_size for p in (tmp_path / "big" / "attachments").rglob("*.*"))
    assert sizes[-1] == 300_000
    assert max(p.stat().st_size for p in (tmp_path / "plain").rglob("attachments/*/*")) < 10_000
    assert big.attachments == plain.attachments + 1
    assert big.counts["attachments"] == plain.counts["attachments"] + 1
    for name in ("patients.jsonl", "accounts.jsonl"):
        if (tmp_path / "plain" / name).exists():
            assert (tmp_path / "big" / name).read_bytes() == (
                tmp_path / "plain" / name
            ).read_bytes()
    open_bundle(system, tmp_path / "big").verify()


def test_generate_refuses_a_non_empty_folder_and_bad_arguments(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SourceError, match="not empty"):
        generate_bundle("oplacrm", tmp_path, records=10, seed=1)
    with pytest.raises(SourceError, match="Unknown source system"):
        generate_bundle("hubspot", tmp_path / "x", records=10, seed=1)
    with pytest.raises(SourceError, match="at least 1"):
        generate_bundle("oplacrm", tmp_path / "x", records=0, seed=1)
