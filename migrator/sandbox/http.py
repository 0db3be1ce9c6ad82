"""The sandbox's WSGI plumbing: parsed requests, JSON responses and Twenty's error bodies.

Every route takes a :class:`Request` and returns a :class:`Response`; anything that must answer with
an error raises :class:`ApiError`, whose body is exactly what Twenty sends (twenty-api.md §3.6), so
the routes never build error JSON by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

WsgiEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[WsgiEnviron, StartResponse], Iterable[bytes]]

MAX_BODY_BYTES = 64 * 1024 * 1024


class ApiError(Exception):
    """An HTTP error answer with Twenty's body; raised anywhere below a route."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


def bad_request(message: str) -> ApiError:
    """Twenty's generic 400 (``BadRequestException``)."""
    return ApiError(400, {"statusCode": 400, "error": "BadRequestException", "messages": [message]})


def not_found(message: str = "Record not found") -> ApiError:
    """Twenty's 404 for a missing record."""
    return ApiError(404, {"statusCode": 404, "error": "NotFoundException", "messages": [message]})


def data_validation_error() -> ApiError:
    """Twenty's 500 for a database constraint it does not map (a foreign key to nothing)."""
    return ApiError(
        500,
        {
            "statusCode": 500,
            "error": "InternalServerErrorException",
            "messages": ["Data validation error."],
        },
    )


def coded_error(status: int, message: str, code: str) -> ApiError:
    """Twenty's ``{"error": "Error", "code": ...}`` shape (permissions, metadata not found)."""
    return ApiError(
        status, {"statusCode": status, "error": "Error", "messages": [message], "code": code}
    )


DUPLICATE_MESSAGE = "A duplicate entry was detected"


def duplicate_entry() -> ApiError:
    """Twenty's 400 for any unique violation (REST names neither the field nor the row)."""
    return bad_request(DUPLICATE_MESSAGE)


@dataclass(frozen=True)
class Request:
    """One parsed HTTP request. ``query`` keeps the first value of each parameter."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (an empty body is ``None``); malformed JSON is a 400."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise bad_request(f"Invalid JSON body: {exc}") from exc

    @classmethod
    def from_environ(cls, environ: WsgiEnviron) -> Request:
        """Read method, path, query, headers and body from a WSGI environ."""
        query: dict[str, str] = {}
        for key, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
            query.setdefault(key, value)
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        length_text = str(environ.get("CONTENT_LENGTH") or "0")
        length = int(length_text) if length_text.isdigit() else 0
        if length > MAX_BODY_BYTES:
            raise bad_request("Request body too large")
        body = environ["wsgi.input"].read(length) if length else b""
        raw_path = str(environ.get("PATH_INFO", "/"))
        # PEP 3333 hands PATH_INFO over as latin-1 decoded bytes; recover the UTF-8 text.
        path = raw_path.encode("latin-1", "replace").decode("utf-8", "replace")
        return cls(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            path=path,
            query=query,
            headers=headers,
            body=body,
        )


@dataclass
class Response:
    """A route's answer: a status, a JSON document (or raw bytes) and the records it carried."""

    status: int
    payload: Any = None
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"
    record_count: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)

    def body_bytes(self) -> bytes:
        """The encoded body."""
        if self.raw is not None:
            return self.raw
        return json.dumps(self.payload, ensure_ascii=False, separators=(",", ":")).encode()


def error_response(error: ApiError) -> Response:
    """The response for an :class:`ApiError`."""
    return Response(status=error.status, payload=error.body)


def send(response: Response, start_response: StartResponse) -> list[bytes]:
    """Write ``response`` through WSGI's ``start_response``."""
    body = response.body_bytes()
    status = f"{response.status} {HTTPStatus(response.status).phrase}"
    headers = [
        ("Content-Type", response.content_type),
        ("Content-Length", str(len(body))),
        *response.headers,
    ]
    start_response(status, headers)
    return [body]
