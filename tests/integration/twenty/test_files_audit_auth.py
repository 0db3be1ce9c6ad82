"""File upload, the audit hook, auth errors and debug logging: never a key, never a body."""

from __future__ import annotations

import logging

import httpx
import pytest

from migrator.errors import TwentyAuthError
from migrator.sandbox.app import Sandbox
from migrator.sandbox.transport import in_process_transport
from migrator.twenty.client import ClientSettings, TwentyClient
from migrator.twenty.models import AuditEvent
from migrator.twenty.pacing import PacingLimits
from migrator.twenty.transport import build_http_client
from tests.integration.twenty.conftest import IN_PROCESS_URL, client_id, people, stored


def test_upload_a_file_and_attach_it_to_a_company(client: TwentyClient, http: httpx.Client) -> None:
    attachment = client.metadata.find_object("attachment")
    assert attachment is not None
    file_field = attachment.field("file")
    assert file_field is not None
    stored_file = client.upload_file(
        file_field.id, "contract.txt", b"synthetic contract\n", "text/plain"
    )
    assert stored_file.size == 19
    assert "token" not in repr(stored_file)
    company = client_id("company", 1)
    client.records.create_batch("companies", [{"id": company, "name": "Clinic"}])
    row = {
        "id": client_id("attachment", 1),
        "name": "contract.txt",
        "targetCompanyId": company,
        "file": [{"fileId": stored_file.id, "label": "contract.txt"}],
    }
    assert not client.records.create_batch("attachments", [row]).failed
    (saved,) = stored(http, "attachments")
    assert saved["file"][0]["fileId"] == stored_file.id


def test_audit_hook_sees_every_exchange_without_query_or_key(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    events: list[AuditEvent] = []
    client = TwentyClient(
        http, settings=ClientSettings(limits=PacingLimits.off()), audit=events.append
    )
    rows = people(0, 10)
    client.records.create_batch("people", rows)
    client.records.create_batch("people", rows)  # duplicate, lookup
    client.records.find_by_ids("people", [str(r["id"]) for r in rows])
    client.close()
    assert [(e.method, e.path, e.status, e.record_count) for e in events] == [
        ("POST", "/rest/batch/people", 201, 10),
        ("POST", "/rest/batch/people", 400, 10),
        ("GET", "/rest/people", 200, 10),
        ("GET", "/rest/people", 200, 10),
    ]
    assert all(e.duration_s >= 0 and e.attempt == 1 for e in events)
    text = " ".join(event.model_dump_json() for event in events)
    assert sandbox.api_key not in text and "example.test" not in text and "[in]" not in text


def test_a_wrong_key_raises_an_auth_error_that_never_quotes_the_key(sandbox: Sandbox) -> None:
    wrong = sandbox.api_key[:-6] + "AAAAAA"
    with build_http_client(IN_PROCESS_URL, wrong, transport=in_process_transport(sandbox)) as http:
        client = TwentyClient(http, settings=ClientSettings(limits=PacingLimits.off()))
        with pytest.raises(TwentyAuthError) as info:
            client.records.count("people")
        client.close()
    error = info.value
    assert error.status == 401 and error.messages == ("Token invalid.",)
    text = " ".join((str(error), error.summary, error.detail, error.hint, repr(error.messages)))
    assert wrong not in text and sandbox.api_key not in text


def test_debug_logging_redacts_the_authorization_header_and_the_query(
    client: TwentyClient, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="migrator.twenty.transport"):
        client.records.find_by_ids("people", [client_id("person", 1)])
    text = caplog.text
    assert "GET /rest/people" in text and "<redacted>" in text
    assert sandbox.api_key not in text and "[in]" not in text
