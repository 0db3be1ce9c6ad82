"""Opening destinations: a sandbox file in-process, or a real URL bound to its key's workspace."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from migrator.destination import DestinationError, open_destination
from migrator.errors import TwentyAuthError
from tests.integration.twenty.conftest import people

WORKSPACE = "3f0e6c9a-8d1b-4e27-a5c4-9b2d7e1f0a36"


def _key(workspace_id: str) -> str:
    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    payload = {"sub": workspace_id, "workspaceId": workspace_id, "type": "API_KEY"}
    return f"{part({'alg': 'ES256'})}.{part(payload)}.c2ln"


def test_a_sandbox_destination_keeps_its_data_and_identity_across_opens(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "sandbox.db"
    with open_destination(f"sandbox:{db}", "ignored-production-key") as first:
        assert first.identity.base_url == f"sandbox:{db.resolve()}"
        result = first.client.records.create_batch("people", people(0, 5))
        assert len(result.records) == 5
        workspace = first.identity.workspace_id
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    with open_destination("sandbox:nested/sandbox.db", None) as second:  # relative to the cwd
        assert second.identity.workspace_id == workspace
        assert second.client.records.count("people") == 5
        assert second.client.pacer.is_off


def test_an_http_destination_is_bound_to_the_workspace_its_key_names() -> None:
    with open_destination("https://CRM.example.test/", _key(WORKSPACE)) as destination:
        assert destination.identity.base_url == "https://crm.example.test"
        assert destination.identity.workspace_id == WORKSPACE
        assert destination.client.identity == destination.identity
        assert not destination.client.pacer.is_off


@pytest.mark.parametrize("url", ["ftp://x.example", "crm.example.test", "sandbox:"])
def test_unusable_urls_are_refused_with_a_hint(url: str) -> None:
    with pytest.raises(DestinationError) as info:
        open_destination(url, _key(WORKSPACE))
    assert info.value.hint


def test_a_missing_or_malformed_key_is_an_auth_error() -> None:
    with pytest.raises(TwentyAuthError):
        open_destination("https://crm.example.test", None)
    with pytest.raises(TwentyAuthError):
        open_destination("https://crm.example.test", "not-a-token")
