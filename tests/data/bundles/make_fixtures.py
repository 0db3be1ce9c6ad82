"""Rebuild the hand-written bundle fixtures in this folder (see README.md).

Run ``python tests/data/bundles/make_fixtures.py`` from the repository root. Output depends only
on the records below, so re-running gives identical files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TENANT = "7c0a1f52-5d1e-4c3b-9a8e-2f4b6d8c0e11"
A1, A2, A3 = (
    "0b7e4c1a-1111-4aaa-8aaa-000000000001",
    "0b7e4c1a-1111-4aaa-8aaa-000000000002",
    "0b7e4c1a-1111-4aaa-8aaa-000000000003",
)
C1, C2, C3 = (
    "03d245c1-2222-4bbb-9bbb-000000000001",
    "03d245c1-2222-4bbb-9bbb-000000000002",
    "03d245c1-2222-4bbb-9bbb-000000000003",
)
O1, O2, O3 = (
    "6f1c2a9e-3333-4ccc-accc-000000000001",
    "6f1c2a9e-3333-4ccc-accc-000000000002",
    "6f1c2a9e-3333-4ccc-accc-000000000003",
)
PHONE = {"phone": "909080808", "call_code": "+84", "country_code": "VN", "country_name": "Vietnam"}

OPLA: dict[str, list[dict[str, Any]]] = {
    "users": [
        {
            "id": "9a000000-0000-4000-8000-000000000001",
            "external_id": "MNV_001",
            "email": "an.nguyen@example.com",
            "first_name": "An",
            "last_name": "Nguyễn",
            "full_name": "Nguyễn An",
            "role": "SALES",
            "active": True,
            "created_at": "2024-01-02T03:04:05.000Z",
        },
    ],
    "custom_field_definitions": [
        {
            "id": "cf-1",
            "object_type": "ACCOUNT",
            "name": "Quận",
            "key": "quan",
            "data_type": "SELECT",
            "options": [{"id": "opt-7", "value": "Quận 1"}, {"id": "opt-8", "value": "Bình Thạnh"}],
        },
        {
            "id": "cf-2",
            "object_type": "ACCOUNT",
            "name": "20. ADO",
            "key": "20_ado",
            "data_type": "NUMBER",
            "options": [],
        },
        {
            "id": "cf-3",
            "object_type": "ACCOUNT",
            "name": "Kênh",
            "key": "kenh",
            "data_type": "MULTI_SELECT",
            "options": [{"id": "k1", "value": "Online"}, {"id": "k2", "value": "Đại lý"}],
        },
    ],
    "accounts": [
        {
            "id": A1,
            "name": "Quán Cơm Tấm Phúc Lộc",
            "external_id": "ACCOUNT-001",
            "phone": PHONE,
            "healthscore": 72,
            "locked": True,
            "tags": ["HCM", "POS"],
            "owner_id": "MNV_001",
            "company_id": TENANT,
            "created_at": "2025-05-02T03:11:09.120Z",
            "updated_at": "2025-06-26T05:09:58.660403+00:00",
            "legacy_segment": "SME",
            "custom_field_values": [
                {
                    "custom_field_id": "cf-1",
                    "key": "quan",
                    "value": "opt-7",
                    "value_label": "Quận 1",
                },
                {"custom_field_id": "cf-2", "key": "20_ado", "value": "12.5"},
                {"custom_field_id": "cf-3", "key": "kenh", "value": ["k1", "k2"]},
            ],
        },
        {
            "id": A2.upper(),
            "name": "Trà Sữa Bình Minh 🧋",
            "healthscore": "55.5",
            "tags": "VIP, HCM",
            "created_at": "2024-12-31T17:00:00Z",
            "custom_field_values": [
                {
                    "custom_field": {
                        "name": "Quận",
                        "master_data_custom_fields": [{"id": "opt-8", "value": "Bình Thạnh"}],
                    },
                    "value": "opt-8",
                },
                {"custom_field_id": "cf-1", "key": "quan", "value": "opt-99"},
            ],
        },
        {
            "id": A3,
            "name": "Nhà thuốc Hoa Sen",
            "healthscore": "not a number",
            "created_at": "2025-01-01 08:00:00",
        },
    ],
    "contacts": [
        {
            "id": C1,
            "account_id": A1,
            "first_name": "Bình",
            "last_name": "Trần",
            "birthday": "2010-10-27T17:00:00.000Z",
            "email": "binh.tran@example.com",
            "phone_work": PHONE,
            "created_at": "2025-05-03T01:00:00.000Z",
        },
        {
            "id": C2,
            "account_id": A2,
            "first_name": "Châu",
            "birthday": "1990-02-03",
            "email": "Email",
            "created_at": "2025-05-03T01:00:00.000Z",
        },
        {
            "id": C3,
            "account_id": A1,
            "first_name": "Dũng",
            "birthday": "1985-07-14",
            "created_at": "2025-05-03T01:00:00.000Z",
        },
    ],
    "opportunities": [
        {
            "id": O1,
            "name": "Gói POS 12 tháng – Quán Cơm Tấm",
            "account_id": A1,
            "owner_id": "MNV_001",
            "amount": "18000000",
            "currency": "VND",
            "weight": "60",
            "sale_process_stage": "CLOSE_WON",
            "stage_name": "Đã ký hợp đồng",
            "stage_type": "WON",
            "date_open": "2025-05-02",
            "date_closed_actual": "2025-06-26",
            "opportunities_joint_id": "a3d0c0de-0000-4000-8000-000000000001",
            "locked": True,
            "tags": ["HCM", "POS"],
            "created_at": "2025-05-02T03:11:09.120Z",
        },
        {
            "id": O2,
            "name": "Máy in – Trà Sữa",
            "amount": 2450000,
            "accounts_opportunities": [{"account": {"id": A2, "name": "Trà Sữa Bình Minh"}}],
            "opportunities_contacts": [{"contact": {"id": C2}}],
            "opportunity_process_stage_id": "st-3",
            "opportunity_process_stage": {"id": "st-3", "opportunity_stage": {"name": "Chờ Duyệt"}},
            "opportunity_status": "open",
            "created_at": "2025-05-04T09:00:00.000000+00:00",
        },
        {
            "id": O3,
            "name": "Thất bại",
            "account_id": A3,
            "sale_process_stage": "CLOSE_LOST",
            "stage_name": "Thất bại",
            "created_at": "2025-05-05T09:00:00.000Z",
        },
    ],
    "notes": [
        {
            "id": "4e000000-0000-4000-8000-000000000001",
            "title": "Gặp chủ quán",
            "body": "Khách quan tâm gói 12 tháng ✨",
            "account_id": A1,
            "owner_id": "MNV_001",
            "created_at": "2025-05-06T09:00:00.000Z",
        },
    ],
    "attachments": [],
}

AERONA: dict[str, list[dict[str, Any]]] = {
    "practices": [
        {
            "practiceId": 10,
            "parentPracticeId": None,
            "practiceType": "GROUP",
            "name": "Foyle Dental Group",
            "postcode": "BT48 7BH",
            "country": "GB",
        },
        {
            "practiceId": 11,
            "parentPracticeId": 10,
            "practiceType": "SITE",
            "name": "Foyle Dental – Strand Road",
            "postcode": "bt487bh",
            "country": "GB",
        },
    ],
    "appointment_statuses": [
        {"appointmentStatusId": 7, "code": "BOOKED", "label": "Booked"},
        {"appointmentStatusId": 10, "code": "COMPLETED", "label": "Completed"},
    ],
    "patients": [
        {
            "patientId": 100234,
            "practiceId": 11,
            "forename": "Aoife",
            "surname": "Test",
            "dateOfBirth": "1988-03-14",
            "sex": "FEMALE",
            "postcode": "BT48 7BH",
            "country": "GB",
            "mobilePhone": "+447700900123",
            "nhsNumber": "9990000018",
            "marketingConsent": {"sms": True, "email": False, "post": False},
            "createdAt": "2019-05-01T09:12:00+01:00",
        },
        {
            "patientId": "100235",
            "practiceId": 11,
            "forename": "Seán",
            "surname": "Ó Briain",
            "dateOfBirth": "1975-11-30",
            "nhsNumber": "999 000 0026",
            "createdAt": "2020-01-10T10:00:00+00:00",
        },
    ],
    "appointments": [
        {
            "appointmentId": 700001,
            "practiceId": 11,
            "patientId": 100234,
            "userId": 501,
            "appointmentTypeId": 1,
            "appointmentStatusId": 10,
            "appointmentTime": "2025-10-02T10:00:00+01:00",
            "duration": 20,
        },
        {
            "appointmentId": 700002,
            "practiceId": 11,
            "patientId": 100235,
            "userId": 501,
            "appointmentTypeId": 1,
            "appointmentStatusId": 7,
            "appointmentTime": "2026-02-02T10:00:00",
            "duration": 30,
        },
    ],
    "tooth_chart": [
        {
            "chartEntryId": 88001,
            "patientId": 100234,
            "recordedAt": "2025-10-02T10:05:00+01:00",
            "userId": 501,
            "notationSource": "PALMER",
            "toothRaw": "UR6",
            "fdiTooth": 16,
            "quadrant": 1,
            "toothNumber": 6,
            "dentition": "PERMANENT",
            "surfaces": "MOD",
            "entryKind": "PLANNED",
            "code": "FILLING_COMPOSITE",
            "treatmentPlanItemId": 7001,
        },
    ],
}


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return b"".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" for r in records
    )


def _write_bundle(
    root: Path, system: str, data: dict[str, list[dict[str, Any]]], extra: dict[str, Any]
) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    files = []
    for name, records in data.items():
        if not records:
            continue
        payload = _jsonl(records)
        (root / f"{name}.jsonl").write_bytes(payload)
        files.append(
            {
                "name": f"{name}.jsonl",
                "object": name,
                "records": len(records),
                "sha256": hashlib.sha256(payload).hexdigest(),
            }
        )
    manifest = {
        "source": system,
        "schema_version": "1.0",
        "exported_at": "2026-01-15T08:00:00.000Z",
        "files": files,
        **extra,
    }
    _write_manifest(root, manifest)


def _write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (root / "manifest.json").write_text(text, encoding="utf-8")


def _rehash(root: Path, name: str, *, records: int | None = None) -> None:
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["name"] == name:
            entry["sha256"] = hashlib.sha256((root / name).read_bytes()).hexdigest()
            if records is not None:
                entry["records"] = records
    _write_manifest(root, manifest)


def _add_csv_and_attachment(root: Path) -> None:
    csv_text = (
        "id,account_id,first_name,last_name,birthday,email,phone_work__phone,"
        "phone_work__call_code,phone_work__country_code,phone_work__country_name,tags,locked\r\n"
        f"{C1},{A1},Bình,Trần,2010-10-27T17:00:00.000Z,binh.tran@example.com,909080808,+84,VN,"
        'Vietnam,"[""HCM""]",true\r\n'
        f"{C2},{A2},Châu,,1990-02-03,Email,,,,,,false\r\n"
        f"{C3},{A1},Dũng,,1985-07-14,,,,,,,\r\n"
    )
    (root / "csv").mkdir()
    (root / "csv" / "contacts.csv").write_bytes(csv_text.encode())
    content = b"%PDF-1.4\n% synthetic test document\n" + bytes(range(64))
    sha = hashlib.sha256(content).hexdigest()
    relative = f"attachments/{sha[:2]}/{sha}.pdf"
    (root / relative).parent.mkdir(parents=True)
    (root / relative).write_bytes(content)
    record = {
        "id": "a7000000-0000-4000-8000-000000000001",
        "file_name": "bao-gia.pdf",
        "mime_type": "application/pdf",
        "size_bytes": len(content),
        "sha256": sha,
        "relative_path": relative,
        "account_id": A1,
        "created_at": "2025-05-06T09:00:00Z",
    }
    (root / "attachments.jsonl").write_bytes(_jsonl([record]))
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for name, obj, count in (
        ("csv/contacts.csv", "contacts", 3),
        ("attachments.jsonl", "attachments", 1),
    ):
        manifest["files"].append(
            {
                "name": name,
                "object": obj,
                "records": count,
                "sha256": hashlib.sha256((root / name).read_bytes()).hexdigest(),
            }
        )
    manifest["attachments"] = {"count": 1, "total_bytes": len(content)}
    _write_manifest(root, manifest)


def _corrupt_variants(mini: Path) -> None:
    def copy(name: str) -> Path:
        target = HERE / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(mini, target)
        return target

    root = copy("corrupt-sha256")
    path = root / "accounts.jsonl"
    path.write_bytes(path.read_bytes().replace(b"Hoa Sen", b"Hoa Mai"))
    root = copy("corrupt-truncated-line")
    path = root / "contacts.jsonl"
    path.write_bytes(path.read_bytes()[:-40])
    root = copy("corrupt-non-utf8")
    path = root / "accounts.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace("Bình Minh".encode(), b"B\xecnh Minh")
    path.write_bytes(b"\n".join(lines))
    root = copy("corrupt-missing-file")
    (root / "notes.jsonl").unlink()
    root = copy("corrupt-ragged-csv")
    path = root / "csv" / "contacts.csv"
    rows = path.read_bytes().split(b"\r\n")
    rows[2] = rows[2].rsplit(b",", 1)[0]
    path.write_bytes(b"\r\n".join(rows))
    _rehash(root, "csv/contacts.csv")
    root = copy("corrupt-count")
    _rehash(root, "accounts.jsonl", records=4)
    root = copy("corrupt-attachment")
    attachment = next((root / "attachments").rglob("*.pdf"))
    attachment.write_bytes(attachment.read_bytes()[:-1] + b"X")


def main() -> None:
    """Write every fixture folder."""
    mini = HERE / "oplacrm-mini"
    _write_bundle(
        mini,
        "oplacrm",
        OPLA,
        {
            "tenant": {
                "company_id": TENANT,
                "timezone": "Asia/Ho_Chi_Minh",
                "default_currency": "VND",
            }
        },
    )
    _add_csv_and_attachment(mini)
    _write_bundle(
        HERE / "aeronaclinic-mini",
        "aeronaclinic",
        AERONA,
        {
            "timezone": "Europe/London",
            "currency": "GBP",
            "tooth_notation": "PALMER",
            "practice_root_id": 10,
        },
    )
    _corrupt_variants(mini)


if __name__ == "__main__":
    main()
