"""Reading the hand-written mini bundles: shapes, timestamps, dates, raw keys, custom fields."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from migrator.errors import SourceError
from migrator.sources.bundle import Bundle, open_bundle
from migrator.sources.records import SourceRecord
from tests.conftest import DATA_DIR

BUNDLES = DATA_DIR / "bundles"
A1 = "0b7e4c1a-1111-4aaa-8aaa-000000000001"
A2 = "0b7e4c1a-1111-4aaa-8aaa-000000000002"


@pytest.fixture
def opla() -> Bundle:
    return open_bundle("oplacrm", BUNDLES / "oplacrm-mini", timezone="Asia/Ho_Chi_Minh")


@pytest.fixture
def aerona() -> Bundle:
    return open_bundle("aeronaclinic", BUNDLES / "aeronaclinic-mini")


def by_id(bundle: Bundle, name: str) -> dict[str, SourceRecord]:
    return {r.id: r for r in bundle.read(name)}


def codes(record: SourceRecord) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in record.findings:
        found.setdefault(f.field, []).append(f.code)
    return found


def test_verify_reports_what_it_checked(opla: Bundle) -> None:
    report = opla.verify()
    assert {f.name: f.records for f in report.files}["accounts.jsonl"] == 3
    assert report.attachment_count == 1
    assert opla.objects[:3] == ("users", "custom_field_definitions", "accounts")
    assert opla.count("accounts") == 3 and opla.count("leads") == 0
    assert list(opla.read("leads")) == []


def test_both_timestamp_shapes_parse_to_aware_datetimes(opla: Bundle) -> None:
    account = by_id(opla, "accounts")[A1]
    assert account.fields["created_at"] == dt.datetime(2025, 5, 2, 3, 11, 9, 120000, tzinfo=dt.UTC)
    assert account.fields["updated_at"] == dt.datetime(2025, 6, 26, 5, 9, 58, 660403, tzinfo=dt.UTC)


def test_date_only_instants_convert_in_the_tenant_timezone(opla: Bundle) -> None:
    contact = by_id(opla, "contacts")["03d245c1-2222-4bbb-9bbb-000000000001"]
    assert contact.fields["birthday"] == dt.date(2010, 10, 28)
    assert codes(contact)["birthday"] == ["date_from_instant"]
    utc = open_bundle("oplacrm", BUNDLES / "oplacrm-mini", timezone="UTC")
    naive = {r.id: r for r in utc.read("contacts")}["03d245c1-2222-4bbb-9bbb-000000000001"]
    assert naive.fields["birthday"] == dt.date(2010, 10, 27)


def test_unknown_keys_go_to_raw_and_declared_ones_are_typed(opla: Bundle) -> None:
    account = by_id(opla, "accounts")[A1]
    assert account.raw == {"legacy_segment": "SME"}
    assert "legacy_segment" not in account.fields
    assert account.fields["healthscore"] == Decimal(72)
    assert account.fields["locked"] is True
    assert account.key == f"oplacrm:accounts:{A1}"
    assert account.get("phone.call_code") == "+84"
    assert account.get("raw.legacy_segment") == "SME"
    assert account.get("phone.missing.deeper") is None


def test_values_that_cannot_be_typed_are_kept_raw_with_a_warning(opla: Bundle) -> None:
    account = by_id(opla, "accounts")["0b7e4c1a-1111-4aaa-8aaa-000000000003"]
    assert account.fields["healthscore"] is None
    assert account.raw["healthscore"] == "not a number"
    assert codes(account)["healthscore"] == ["bad_type"]
    assert account.findings[0].severity.value == "WARN"
    assert codes(account)["created_at"] == ["naive_datetime"]
    assert account.fields["created_at"].utcoffset() == dt.timedelta(hours=7)


def test_uuid_case_is_fixed_and_comma_tags_are_split(opla: Bundle) -> None:
    account = by_id(opla, "accounts")[A2]
    assert account.id == A2
    assert codes(account)["id"] == ["uuid_case"]
    assert account.fields["tags"] == ["VIP", "HCM"]
    assert "list_from_string" in codes(account)["tags"]
    assert account.fields["healthscore"] == Decimal("55.5")


def test_select_custom_fields_resolve_option_ids_to_labels(opla: Bundle) -> None:
    accounts = by_id(opla, "accounts")
    assert accounts[A1].fields["custom_fields"] == {
        "quan": "Quận 1",
        "20_ado": Decimal("12.5"),
        "kenh": ["Online", "Đại lý"],
    }
    second = accounts[A2]
    assert second.fields["custom_fields"] == {"quan": "opt-99"}
    assert codes(second)["custom_field_values"] == ["unknown_option", "duplicate_custom_field"]


def test_api_shaped_custom_field_resolves_through_embedded_options(opla: Bundle) -> None:
    second = by_id(opla, "accounts")[A2]
    only_api_shape = [second.fields["custom_field_values"][0]]
    resolver = opla._resolver()
    resolved, issues = resolver.resolve(only_api_shape)
    assert resolved == {"quan": "Bình Thạnh"}
    assert issues == []


def test_flat_and_nested_stage_shapes_read_the_same_way(opla: Bundle) -> None:
    opportunities = by_id(opla, "opportunities")
    flat = opportunities["6f1c2a9e-3333-4ccc-accc-000000000001"]
    assert flat.fields["sale_process_stage"] == "CLOSE_WON"
    assert flat.fields["stage_name"] == "Đã ký hợp đồng"
    assert flat.fields["stage_type"] == "WON"
    nested = opportunities["6f1c2a9e-3333-4ccc-accc-000000000002"]
    assert nested.fields["stage_name"] == "Chờ Duyệt"
    assert nested.fields["stage_id"] == "st-3"
    assert nested.fields["stage_type"] == "OPEN"
    assert nested.fields["account_id"] == A2
    assert nested.fields["contact_ids"] == ["03d245c1-2222-4bbb-9bbb-000000000002"]
    assert "opportunity_process_stage" in nested.raw
    assert nested.fields["amount"] == Decimal(2450000)
    lost = opportunities["6f1c2a9e-3333-4ccc-accc-000000000003"]
    assert lost.fields["stage_type"] == "LOST"


def test_csv_mirror_reads_like_json_lines(opla: Bundle) -> None:
    from_csv = {r.id: r for r in opla.read("contacts", fmt="csv")}
    from_jsonl = by_id(opla, "contacts")
    first = "03d245c1-2222-4bbb-9bbb-000000000001"
    assert from_csv[first].fields["birthday"] == from_jsonl[first].fields["birthday"]
    assert from_csv[first].fields["phone_work"] == from_jsonl[first].fields["phone_work"]
    assert from_csv[first].fields["tags"] == ["HCM"]
    assert from_csv[first].fields["locked"] is True
    assert from_csv[first].line == 2
    third = from_csv["03d245c1-2222-4bbb-9bbb-000000000003"]
    assert third.fields["last_name"] is None and third.fields["phone_work"] is None
    assert [f.code for f in third.findings] == []


def test_aerona_ids_statuses_and_naive_appointment_times(aerona: Bundle) -> None:
    aerona.verify()
    patients = by_id(aerona, "patients")
    assert set(patients) == {"100234", "100235"}
    assert patients["100235"].fields["patientId"] == 100235
    assert codes(patients["100235"])["patientId"] == ["type_from_string"]
    assert patients["100234"].fields["marketingConsent"]["sms"] is True
    appointments = by_id(aerona, "appointments")
    assert appointments["700001"].fields["statusCode"] == "COMPLETED"
    booked = appointments["700002"]
    assert booked.fields["statusCode"] == "BOOKED"
    assert booked.fields["appointmentTime"].tzinfo is not None
    assert codes(booked)["appointmentTime"] == ["naive_datetime"]


def test_attachment_path_stays_inside_the_bundle(opla: Bundle) -> None:
    record = next(opla.read("attachments"))
    path = opla.attachment_path(record.fields["relative_path"])
    assert path.is_file()
    for bad in ("../manifest.json", "attachments/../manifest.json", "/etc/passwd", "csv/x"):
        with pytest.raises(SourceError, match="outside"):
            opla.attachment_path(bad)


def test_fingerprint_is_the_canonical_manifest_digest(tmp_path: Path, opla: Bundle) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(BUNDLES / "oplacrm-mini", copy)
    manifest = copy / "manifest.json"
    import json

    document = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps(document), encoding="utf-8")
    assert open_bundle("oplacrm", copy).fingerprint == opla.fingerprint
    document["files"][0]["sha256"] = "0" * 64
    manifest.write_text(json.dumps(document), encoding="utf-8")
    assert open_bundle("oplacrm", copy).fingerprint != opla.fingerprint
    assert opla.fingerprint.startswith("sha256:")


def test_open_bundle_refuses_the_wrong_system_and_folders_without_a_manifest(
    tmp_path: Path,
) -> None:
    with pytest.raises(SourceError, match="is a `oplacrm` export, not `aeronaclinic`"):
        open_bundle("aeronaclinic", BUNDLES / "oplacrm-mini")
    with pytest.raises(SourceError, match=r"has no manifest\.json"):
        open_bundle("oplacrm", tmp_path)
    with pytest.raises(SourceError, match="folder not found"):
        open_bundle("oplacrm", tmp_path / "missing")
    with pytest.raises(SourceError, match="Unknown timezone"):
        open_bundle("oplacrm", BUNDLES / "oplacrm-mini", timezone="Mars/Olympus")
