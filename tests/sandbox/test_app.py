"""The sandbox's interfaces: identity in the API key, auth bodies, the in-process transport."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx

from migrator.sandbox.app import Sandbox, make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.sandbox.server import Served


def _payload(token: str) -> dict[str, object]:
    part = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def test_api_key_names_the_workspace(sandbox: Sandbox) -> None:
    payload = _payload(sandbox.api_key)
    assert payload["sub"] == payload["workspaceId"] == sandbox.workspace_id
    assert payload["type"] == "API_KEY"
    assert payload["jti"]


def test_workspace_id_and_key_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with make_sandbox(SandboxConfig(db_path=db)) as first:
        ids = (first.workspace_id, first.api_key)
    with make_sandbox(SandboxConfig(db_path=db)) as second:
        assert (second.workspace_id, second.api_key) == ids
    assert db.stat().st_mode & 0o777 == 0o600


def test_auth_errors_have_twenty_bodies(sandbox: Sandbox, served_sandbox: Served) -> None:
    missing = httpx.get(f"{served_sandbox.url}/rest/companies")
    assert missing.status_code == 403
    assert missing.json() == {
        "statusCode": 403,
        "messages": ["Missing authentication token"],
        "error": "FORBIDDEN_EXCEPTION",
    }
    wrong = httpx.get(
        f"{served_sandbox.url}/rest/companies",
        headers={"Authorization": "Bearer not.a.valid.token"},
    )
    assert wrong.status_code == 401
    assert wrong.json() == {
        "statusCode": 401,
        "messages": ["Token invalid."],
        "error": "UNAUTHENTICATED",
    }


def test_in_process_client_creates_and_reads(sandbox_client: httpx.Client) -> None:
    created = sandbox_client.post("/rest/companies", json={"name": "Acme"})
    assert created.status_code == 201
    record_id = created.json()["data"]["createCompany"]["id"]
    fetched = sandbox_client.get(f"/rest/companies/{record_id}")
    assert fetched.json()["data"]["company"]["name"] == "Acme"
