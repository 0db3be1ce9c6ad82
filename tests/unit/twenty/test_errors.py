"""Twenty's real error bodies map to the typed errors, scrubbed and without the key."""

from __future__ import annotations

import pytest

from migrator.errors import (
    TransientError,
    TwentyAuthError,
    TwentyConflict,
    TwentyError,
    TwentyNotFound,
    TwentyUnavailable,
    TwentyValidationError,
)
from migrator.twenty.errors import (
    TwentyNoResponse,
    error_from_graphql,
    error_from_response,
    is_duplicate,
    max_records_of,
    may_have_committed,
)
from tests.unit.twenty.conftest import load_capture


def _error(number: str) -> TwentyError:
    data = load_capture(number)
    path = data["path"].split("?")[0]
    metadata = path.startswith("/rest/metadata")
    return error_from_response(
        data["method"], path, data["status"], data["response_body"], is_metadata=metadata
    )


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("14", TwentyConflict),
        ("39", TwentyConflict),
        ("23", TwentyConflict),
        ("33", TwentyValidationError),
        ("34", TwentyValidationError),
        ("35", TwentyValidationError),
        ("36", TwentyValidationError),
        ("38", TwentyValidationError),
        ("42", TwentyValidationError),
        ("04", TwentyValidationError),
        ("32", TwentyNotFound),
        ("87", TwentyNotFound),
        ("78", TwentyAuthError),
        ("79", TwentyAuthError),
        ("74", TwentyUnavailable),
    ],
)
def test_error_from_response_maps_each_capture_to_its_type(
    number: str, kind: type[TwentyError]
) -> None:
    error = _error(number)
    assert type(error) is kind
    assert error.status == load_capture(number)["status"]
    assert error.messages


def test_error_carries_method_path_status_and_scrubbed_messages() -> None:
    error = _error("35")
    assert (error.method, error.path, error.status) == ("POST", "/rest/people", 400)
    assert error.messages == (
        "Invalid string value '<redacted>' for email field \"emails.primaryEmail\"",
    )
    assert "not-an-email" not in error.summary + error.detail
    assert error.hint


def test_metadata_validation_errors_list_every_nested_message() -> None:
    error = _error("09")
    assert 'Value must be in UPPER_CASE and follow snake_case "gold tier"' in error.messages
    assert 'Default value "GOLD" must be one of the option values' in error.messages
    assert "Field metadata not found" in error.messages


def test_duplicate_and_max_records_are_recognised() -> None:
    assert is_duplicate(_error("39"))
    assert not is_duplicate(_error("23"))
    assert max_records_of(_error("42")) == 200
    assert max_records_of(_error("35")) is None


def test_transient_errors_are_transient_and_only_some_may_have_committed() -> None:
    rate_limited = _error("74")
    assert isinstance(rate_limited, TransientError)
    assert not may_have_committed(rate_limited)
    for status, committed in ((502, True), (503, False), (504, True)):
        error = error_from_response("POST", "/rest/batch/people", status, None, is_metadata=False)
        assert isinstance(error, TwentyUnavailable)
        assert may_have_committed(error) is committed
    dropped = TwentyNoResponse("POST", "/rest/x", "reset", may_have_committed=True)
    assert may_have_committed(dropped)


def test_graphql_limit_reached_is_a_429() -> None:
    data = load_capture("75")
    error = error_from_graphql("POST", "/graphql", data["response_body"], is_metadata=False)
    assert isinstance(error, TwentyUnavailable)
    assert error.status == 429


def test_an_unknown_500_is_a_plain_terminal_twenty_error() -> None:
    body = {"statusCode": 500, "messages": ["Internal server error"]}
    error = error_from_response("GET", "/rest/people", 500, body, is_metadata=False)
    assert type(error) is TwentyError
    assert not isinstance(error, TransientError)
