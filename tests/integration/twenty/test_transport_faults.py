"""Transport failures a server cannot produce (timeouts, resets), wrapped around the sandbox.

A :class:`FlakyTransport` raises httpx's own exceptions for chosen requests, either before the
sandbox sees them (nothing stored) or after the sandbox answered (stored, answer lost): the only
stand-in this suite uses, and only for faults at the transport level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from migrator.clock import FixedClock
from migrator.sandbox.app import Sandbox
from migrator.sandbox.transport import in_process_transport
from migrator.twenty.client import ClientSettings, TwentyClient
from migrator.twenty.errors import TwentyNoResponse
from migrator.twenty.metadata import NewField
from migrator.twenty.pacing import PacingLimits
from migrator.twenty.transport import build_http_client
from tests.integration.twenty.conftest import IN_PROCESS_URL, people, snapshot, stored

Matcher = Callable[[httpx.Request], bool]


class FlakyTransport(httpx.BaseTransport):
    """Raise ``error`` for the next ``times`` requests matching ``when``.

    ``after`` forwards the request first (the server stores the write) and then raises, as a
    timeout or a reset after the server's answer was lost would.
    """

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.plan: list[
            tuple[Callable[[httpx.Request], bool], type[httpx.TransportError], bool]
        ] = []

    def fail(
        self,
        when: Callable[[httpx.Request], bool],
        error: type[httpx.TransportError],
        *,
        after: bool = False,
        times: int = 1,
    ) -> None:
        self.plan.extend([(when, error, after)] * times)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for number, (when, error, after) in enumerate(self.plan):
            if when(request):
                del self.plan[number]
                if after:
                    self.inner.handle_request(request).read()
                raise error("injected", request=request)
        return self.inner.handle_request(request)


def _is(method: str, path: str) -> Callable[[httpx.Request], bool]:
    return lambda request: request.method == method and request.url.path == path


@pytest.fixture
def flaky(sandbox: Sandbox) -> FlakyTransport:
    return FlakyTransport(in_process_transport(sandbox))


@pytest.fixture
def flaky_client(sandbox: Sandbox, flaky: FlakyTransport) -> Iterator[TwentyClient]:
    http = build_http_client(IN_PROCESS_URL, sandbox.api_key, transport=flaky)
    settings = ClientSettings(limits=PacingLimits.off(), concurrency=2)
    with TwentyClient(http, settings=settings, clock=FixedClock(), owns_http=True) as client:
        yield client


def test_a_connect_timeout_is_retried_and_nothing_is_doubled(
    flaky_client: TwentyClient, flaky: FlakyTransport, http: httpx.Client
) -> None:
    flaky.fail(_is("POST", "/rest/batch/people"), httpx.ConnectTimeout, times=2)
    result = flaky_client.records.create_batch("people", people(0, 50))
    assert len(result.records) == 50 and result.requests == 3
    assert flaky_client.stats.retries == 2 and flaky_client.stats.transport_errors == 2
    assert len(stored(http, "people")) == 50


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError])
def test_a_create_whose_answer_was_lost_is_reported_as_already_present(
    flaky_client: TwentyClient,
    flaky: FlakyTransport,
    http: httpx.Client,
    error: type[httpx.TransportError],
) -> None:
    rows = people(0, 80)
    flaky.fail(_is("POST", "/rest/batch/people"), error, after=True)
    result = flaky_client.records.create_batch("people", rows)
    assert sorted(result.already_present) == sorted(str(r["id"]) for r in rows)
    assert not result.failed and result.records == ()
    assert sorted(r["id"] for r in stored(http, "people")) == sorted(r["id"] for r in rows)


def test_an_upload_is_not_resent_once_it_may_have_been_stored(
    flaky_client: TwentyClient, flaky: FlakyTransport, http: httpx.Client
) -> None:
    attachment = flaky_client.metadata.find_object("attachment")
    assert attachment is not None and attachment.field("file") is not None
    field_id = attachment.field("file").id  # type: ignore[union-attr]
    flaky.fail(_is("POST", "/metadata"), httpx.ReadTimeout, after=True)
    with pytest.raises(TwentyNoResponse) as info:
        flaky_client.upload_file(field_id, "a.txt", b"one")
    assert info.value.may_have_committed
    assert len(snapshot(http)["files"]) == 1

    flaky.fail(_is("POST", "/metadata"), httpx.ConnectError)
    flaky_client.upload_file(field_id, "b.txt", b"two")
    assert len(snapshot(http)["files"]) == 2


def test_a_field_create_whose_answer_was_lost_returns_the_stored_field(
    flaky_client: TwentyClient, flaky: FlakyTransport
) -> None:
    company = flaky_client.metadata.find_object("company")
    assert company is not None
    flaky.fail(_is("POST", "/rest/metadata/fields"), httpx.RemoteProtocolError, after=True)
    field = flaky_client.metadata.create_field(
        NewField(object_metadata_id=company.id, type="NUMBER", name="headcount", label="Headcount")
    )
    assert field.name == "headcount"
    again = flaky_client.metadata.find_object("company")
    assert again is not None
    assert [f.name for f in again.fields].count("headcount") == 1


def test_retries_give_up_with_a_typed_error_that_names_no_query(
    flaky_client: TwentyClient, flaky: FlakyTransport
) -> None:
    flaky.fail(_is("GET", "/rest/people"), httpx.ConnectError, times=10)
    with pytest.raises(TwentyNoResponse) as info:
        flaky_client.records.find_by_ids("people", [str(people(0, 1)[0]["id"])])
    assert info.value.path == "/rest/people" and "[in]" not in str(info.value)
    assert info.value.__cause__ is None
