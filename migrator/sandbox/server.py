"""Serving a sandbox on loopback: a threading WSGI server (stdlib ``wsgiref``) in a thread.

Each connection gets its own daemon thread, so several requests run at once (the store serialises
writes). When the application raises :class:`~migrator.sandbox.config.ConnectionDropped` the
server closes the socket without answering, as a lost connection looks to a real client.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from migrator.sandbox.app import Sandbox
from migrator.sandbox.config import ConnectionDropped

logger = logging.getLogger(__name__)


class _Dropped(Exception):
    """Internal: unwinds the handler after a dropped connection."""


class _ServerHandler(ServerHandler):
    """wsgiref's handler, except that a drop is not turned into a 500 answer."""

    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], _Dropped):
            raise _Dropped
        super().handle_error()


class _Handler(WSGIRequestHandler):
    """Logs through ``logging`` (never stderr) and turns ConnectionDropped into a closed socket."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def handle(self) -> None:
        """Serve one request (wsgiref's ``handle`` with our handler class)."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _ServerHandler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        try:
            handler.run(self.server.get_app())  # type: ignore[attr-defined]
        except _Dropped:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    # One connection per request (HTTP/1.0): bursts of parallel clients need a deep accept queue.
    request_queue_size = 512

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("connection error from %s", client_address, exc_info=True)


def _wrap(app: Any) -> Any:
    def guarded(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            return app(environ, start_response)
        except ConnectionDropped as exc:
            raise _Dropped from exc

    return guarded


def make_server(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> _Server:
    """A bound (not yet serving) threading server for ``sandbox``."""
    server = _Server((host, port), _Handler)
    server.set_app(_wrap(sandbox.wsgi))
    return server


@dataclass(frozen=True)
class Served:
    """A running server: its base URL."""

    url: str
    host: str
    port: int


@contextlib.contextmanager
def serve_in_thread(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> Iterator[Served]:
    """Serve ``sandbox`` from a daemon thread until the block ends, then stop cleanly."""
    server = make_server(sandbox, host, port)
    bound_host, bound_port = server.server_address[:2]
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="sandbox-server",
        daemon=True,
    )
    thread.start()
    try:
        yield Served(
            url=f"http://{bound_host!s}:{bound_port}", host=str(bound_host), port=int(bound_port)
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
