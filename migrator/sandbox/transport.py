"""The sandbox mounted in-process: an httpx transport over its WSGI application.

Synchronous (httpx's ``WSGITransport``), so the tool's concurrency is threads. A
:class:`~migrator.sandbox.config.ConnectionDropped` raised by the application surfaces as
``httpx.RemoteProtocolError("Server disconnected without sending a response.")``, exactly what a
real dropped connection gives an httpx client.
"""

from __future__ import annotations

import httpx

from migrator.sandbox.app import Sandbox
from migrator.sandbox.config import ConnectionDropped

DROPPED_MESSAGE = "Server disconnected without sending a response."


class SandboxTransport(httpx.BaseTransport):
    """``httpx.WSGITransport`` on the sandbox, with dropped connections made real."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._inner = httpx.WSGITransport(app=sandbox.wsgi)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run the request through the application."""
        try:
            return self._inner.handle_request(request)
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(DROPPED_MESSAGE, request=request) from exc

    def close(self) -> None:
        """Nothing to release (the sandbox is closed by its owner)."""
        self._inner.close()


def in_process_transport(sandbox: Sandbox) -> httpx.BaseTransport:
    """An httpx transport that calls ``sandbox`` directly."""
    return SandboxTransport(sandbox)
