"""The workspace id is read from the API key's JWT payload without verifying it."""

from __future__ import annotations

import base64
import json

import pytest

from migrator.errors import TwentyAuthError
from migrator.twenty.identity import identify, normalise_base_url, workspace_id_from_api_key

WORKSPACE = "20202020-1c25-4d02-bf25-6aeccf7ea419"


def _segment(value: object) -> str:
    raw = json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_key(payload: object) -> str:
    return ".".join((_segment({"alg": "ES256", "typ": "JWT"}), _segment(payload), "c2lnbmF0dXJl"))


def test_workspace_id_comes_from_the_payload() -> None:
    key = make_key({"sub": WORKSPACE, "type": "API_KEY", "workspaceId": WORKSPACE, "jti": "x"})
    assert workspace_id_from_api_key(key) == WORKSPACE


def test_workspace_id_falls_back_to_sub_and_is_lower_cased() -> None:
    assert workspace_id_from_api_key(make_key({"sub": WORKSPACE.upper()})) == WORKSPACE


@pytest.mark.parametrize(
    "key",
    [
        "not-a-jwt",
        "a.b",
        "aaaa.!!!!.cccc",
        make_key(["list"]),
        make_key({"sub": "not-a-uuid"}),
        make_key({"type": "API_KEY"}),
    ],
)
def test_bad_keys_raise_auth_errors_that_never_quote_the_key(key: str) -> None:
    with pytest.raises(TwentyAuthError) as info:
        workspace_id_from_api_key(key)
    error = info.value
    text = " ".join((error.summary, error.detail, error.hint))
    for part in key.split("."):
        if len(part) > 3:
            assert part not in text


def test_identify_normalises_the_base_url() -> None:
    key = make_key({"sub": WORKSPACE})
    identity = identify("HTTPS://CRM.Example.com:8443/api/", key)
    assert identity.base_url == "https://crm.example.com:8443/api"
    assert identity.workspace_id == WORKSPACE


def test_sandbox_urls_are_kept_verbatim() -> None:
    assert normalise_base_url("sandbox:/tmp/x.db") == "sandbox:/tmp/x.db"
