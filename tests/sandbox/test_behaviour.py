"""Sandbox behaviours beyond the captures: versions, files, filters, inspection, metadata edits."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from migrator.sandbox.app import Sandbox, make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.sandbox.filters import Condition, Junction, parse_filter
from migrator.sandbox.http import ApiError
from migrator.sandbox.transport import in_process_transport

COMPANY = "e406e269-850f-4115-95ba-7ba570745716"
ATTACHMENT_FILE = "6b257664-a8d4-43d3-8cd1-5a240d776101"


@pytest.fixture
def upstream() -> Iterator[httpx.Client]:
    with make_sandbox(SandboxConfig(twenty_version="upstream")) as sandbox:
        yield httpx.Client(
            transport=in_process_transport(sandbox),
            base_url="http://x",
            headers={"Authorization": f"Bearer {sandbox.api_key}"},
        )


def _create(client: httpx.Client, payload: dict[str, object]) -> str:
    answer = client.post("/rest/companies", json=payload)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["data"]["createCompany"]["id"])


def test_filter_grammar_nests_and_quotes() -> None:
    tree = parse_filter("and(name[eq]:\"a,b\",or(x.y[in]:[1,'2'],not(z[is]:NULL)))")
    assert tree == Junction(
        "and",
        (
            Condition(("name",), "eq", "a,b"),
            Junction(
                "or",
                (
                    Condition(("x", "y"), "in", ("1", "2")),
                    Junction("not", (Condition(("z",), "is", "NULL"),)),
                ),
            ),
        ),
    )
    with pytest.raises(ApiError):
        parse_filter("name[bogus]:x")
    with pytest.raises(ApiError):
        parse_filter("not(a[eq]:1,b[eq]:2)")


def test_filters_order_and_backward_cursor(sandbox_client: httpx.Client) -> None:
    for name, city in (("Alpha", "Paris"), ("beta", None), ("Gamma", "paris"), ("Delta", "Rome")):
        _create(sandbox_client, {"name": name, "address": {"addressCity": city}})

    def names(**params: str) -> list[str]:
        data = sandbox_client.get("/rest/companies", params=params).json()
        return [item["name"] for item in data["data"]["companies"]]

    assert names(filter="address.addressCity[like]:Par%") == ["Alpha"]
    assert sorted(names(filter="address.addressCity[ilike]:par%")) == ["Alpha", "Gamma"]
    assert sorted(names(filter="address.addressCity[neq]:Paris")) == ["Delta", "Gamma"]
    assert names(filter="address.addressCity[is]:NULL") == ["beta"]
    assert sorted(names(filter="name[endsWith]:ta")) == ["Delta", "beta"]
    ordered = names(order_by="address.addressCity[AscNullsLast]")
    assert ordered == ["Alpha", "Delta", "Gamma", "beta"]
    page = sandbox_client.get(
        "/rest/companies", params={"order_by": "name[DescNullsFirst]", "limit": "2"}
    ).json()
    last = sandbox_client.get(
        "/rest/companies",
        params={
            "order_by": "name[DescNullsFirst]",
            "limit": "2",
            "starting_after": page["pageInfo"]["endCursor"],
        },
    ).json()
    back = sandbox_client.get(
        "/rest/companies",
        params={
            "order_by": "name[DescNullsFirst]",
            "limit": "2",
            "ending_before": last["pageInfo"]["startCursor"],
        },
    ).json()
    assert [c["name"] for c in back["data"]["companies"]] == [
        c["name"] for c in page["data"]["companies"]
    ]
    assert back["pageInfo"]["hasPreviousPage"] is False


def test_upstream_restore_routes_and_partial_unique(upstream: httpx.Client) -> None:
    first = _create(upstream, {"name": "A", "domainName": {"primaryLinkUrl": "https://a.example"}})
    assert upstream.delete(f"/rest/companies/{first}?soft_delete=true").status_code == 200
    # upstream: a soft-deleted row no longer blocks the standard unique domain
    second = _create(
        upstream, {"name": "A2", "domainName": {"primaryLinkUrl": "https://a.example"}}
    )
    assert upstream.patch(f"/rest/companies/{first}/restore").status_code == 400  # collides
    assert upstream.delete(f"/rest/companies/{second}").status_code == 200
    restored = upstream.patch(f"/rest/companies/{first}/restore")
    assert restored.status_code == 200
    assert restored.json()["data"]["restoreCompany"]["deletedAt"] is None
    legacy = upstream.patch(f"/rest/restore/companies?filter=id[eq]:{first}")
    assert legacy.status_code == 400


def test_version_215_restore_one_is_refused(sandbox_client: httpx.Client) -> None:
    record = _create(sandbox_client, {"name": "A"})
    assert sandbox_client.patch(f"/rest/companies/{record}/restore").status_code == 400


def test_attachment_file_deleted_with_its_record(
    sandbox: Sandbox, sandbox_client: httpx.Client
) -> None:
    company = _create(sandbox_client, {"name": "Acme"})
    operations = {
        "query": "mutation($file: Upload!, $fieldMetadataId: String!) "
        "{ uploadFilesFieldFile(file: $file, fieldMetadataId: $fieldMetadataId) { id path size } }",
        "variables": {"file": None, "fieldMetadataId": ATTACHMENT_FILE},
    }
    uploaded = sandbox_client.post(
        "/metadata",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("scan.pdf", b"%PDF-1.4 test", "application/pdf")},
    ).json()["data"]["uploadFilesFieldFile"]
    stored = sandbox.workspace.files.root / uploaded["path"]
    assert stored.read_bytes() == b"%PDF-1.4 test"
    attachment = sandbox_client.post(
        "/rest/attachments",
        json={
            "name": "scan.pdf",
            "targetCompanyId": company,
            "file": [{"fileId": uploaded["id"], "label": "scan.pdf"}],
        },
    ).json()["data"]["createAttachment"]
    assert attachment["file"][0]["extension"] == ".pdf"
    assert sandbox_client.get(attachment["file"][0]["url"]).content == b"%PDF-1.4 test"
    # destroying the company cascades to its attachment, which takes the file with it
    assert sandbox_client.delete(f"/rest/companies/{company}").status_code == 200
    assert sandbox_client.get(f"/rest/attachments/{attachment['id']}").status_code == 404
    assert not stored.exists()


def test_snapshot_is_canonical_and_log_is_clearable(sandbox_client: httpx.Client) -> None:
    _create(sandbox_client, {"name": "Acme"})
    first = sandbox_client.get("/_sandbox/snapshot").content
    assert first == sandbox_client.get("/_sandbox/snapshot").content
    snapshot = json.loads(first)
    assert [item["name"] for item in snapshot["records"]["companies"]] == ["Acme"]
    log = sandbox_client.get("/_sandbox/requests").json()["requests"]
    assert [
        (item["method"], item["path"], item["status"], item["recordCount"]) for item in log
    ] == [("POST", "/rest/companies", 201, 1)]
    assert sandbox_client.delete("/_sandbox/requests").status_code == 200
    assert sandbox_client.get("/_sandbox/requests").json()["count"] == 0


def test_deactivated_field_disappears_from_records(sandbox_client: httpx.Client) -> None:
    created = sandbox_client.post(
        "/rest/metadata/fields",
        json={
            "objectMetadataId": COMPANY,
            "type": "NUMBER",
            "name": "employees",
            "label": "Employees",
        },
    ).json()["data"]["createOneField"]
    record = _create(sandbox_client, {"name": "A", "employees": 3})
    off = sandbox_client.patch(f"/rest/metadata/fields/{created['id']}", json={"isActive": False})
    assert off.status_code == 200
    assert off.json()["data"]["updateOneField"]["isActive"] is False
    assert (
        "employees" not in sandbox_client.get(f"/rest/companies/{record}").json()["data"]["company"]
    )
    refused = sandbox_client.post("/rest/companies", json={"name": "B", "employees": 1})
    assert refused.status_code == 400
    assert sandbox_client.delete(f"/rest/metadata/fields/{created['id']}").status_code == 200


def test_removed_option_clears_record_values(sandbox_client: httpx.Client) -> None:
    field = sandbox_client.post(
        "/rest/metadata/fields",
        json={
            "objectMetadataId": COMPANY,
            "type": "SELECT",
            "name": "tier",
            "label": "Tier",
            "options": [
                {"value": "GOLD", "label": "Gold", "color": "yellow"},
                {"value": "LEAD", "label": "Lead", "color": "gray"},
            ],
        },
    ).json()["data"]["createOneField"]
    record = _create(sandbox_client, {"name": "A", "tier": "GOLD"})
    kept = [option for option in field["options"] if option["value"] == "LEAD"]
    assert (
        sandbox_client.patch(
            f"/rest/metadata/fields/{field['id']}", json={"options": kept}
        ).status_code
        == 200
    )
    assert sandbox_client.get(f"/rest/companies/{record}").json()["data"]["company"]["tier"] is None
    refused = sandbox_client.post("/rest/companies", json={"name": "B", "tier": "GOLD"})
    assert refused.json()["messages"] == [
        'Invalid value "GOLD" for field "tier". Valid values are: LEAD'
    ]


def test_ilike_folds_every_letter_and_like_escapes_as_postgresql(
    sandbox_client: httpx.Client,
) -> None:
    for name in ("Công ty Bình Minh", "ACME Ltd", "100% Pure", "100 Pure", "a\\b"):
        _create(sandbox_client, {"name": name})

    def names(where: str) -> list[str]:
        answer = sandbox_client.get("/rest/companies", params={"filter": where})
        assert answer.status_code == 200, answer.text
        return sorted(item["name"] for item in answer.json()["data"]["companies"])

    # SQLite's lower() folds ASCII only; PostgreSQL's ILIKE folds Ô/ô and Ì/ì too
    assert names('name[ilike]:"CÔNG TY BÌNH MINH"') == ["Công ty Bình Minh"]
    assert names('name[like]:"CÔNG TY BÌNH MINH"') == []
    many = ",".join(f'name[ilike]:"nobody {i}"' for i in range(60))
    assert names(f'or({many},name[ilike]:"acme ltd",name[ilike]:"công TY%")') == [
        "ACME Ltd",
        "Công ty Bình Minh",
    ]
    # a backslash escapes: \% is a literal percent sign, \\ a literal backslash
    assert names('name[like]:"100\\% Pure"') == ["100% Pure"]
    assert names('name[like]:"100% Pure"') == ["100 Pure", "100% Pure"]
    assert names('name[ilike]:"A\\\\B"') == ["a\\b"]
    assert names('name[ilike]:"a_b"') == ["a\\b"]
    answer = sandbox_client.get("/rest/companies", params={"filter": 'name[like]:"a\\"'})
    assert answer.status_code == 400
    assert "must not end with escape character" in answer.text
