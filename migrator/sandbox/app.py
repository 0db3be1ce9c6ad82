"""The sandbox as one WSGI application: :func:`make_sandbox` opens the database and builds it.

Routes: ``/rest/metadata/…`` (metadata API), ``/rest/…`` (records API), ``POST /metadata`` (the
GraphQL multipart file upload), ``/file/…`` (uploaded files), ``/_sandbox/…`` (request log and
snapshot). Every route needs the API key (captures 78, 79). The core application is built first
and then wrapped by the rate-limit and fault layers (see :func:`make_sandbox`), which may raise
:class:`~migrator.sandbox.config.ConnectionDropped`: the core lets it through untouched for the
server or transport to act on.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Iterable
from types import TracebackType

from migrator.clock import Clock, SystemClock, isoformat_z
from migrator.errors import SandboxError
from migrator.sandbox import inspect, routes_files, routes_metadata, routes_records, seed, tables
from migrator.sandbox.config import DEFAULT_API_KEY_NAME, FaultSettings, SandboxConfig
from migrator.sandbox.faults import FaultMiddleware
from migrator.sandbox.files import FileStore
from migrator.sandbox.http import (
    ApiError,
    Request,
    Response,
    StartResponse,
    WsgiApp,
    WsgiEnviron,
    error_response,
    send,
)
from migrator.sandbox.identity import Authenticator, mint_api_key
from migrator.sandbox.ratelimit import RateLimitMiddleware
from migrator.sandbox.schema import load_schema
from migrator.sandbox.store import Store
from migrator.sandbox.workspace import Workspace

logger = logging.getLogger(__name__)

_INTERNAL = ApiError(
    500,
    {
        "statusCode": 500,
        "error": "InternalServerErrorException",
        "messages": ["Internal server error"],
    },
)


class CoreApp:
    """The sandbox without rate limiting or faults: auth, routing, the request log."""

    def __init__(self, ws: Workspace, api_key: str, workspace_id: str) -> None:
        self.ws = ws
        self.log = inspect.RequestLog()
        self.workspace_id = workspace_id
        self._auth = Authenticator(api_key)

    def __call__(self, environ: WsgiEnviron, start_response: StartResponse) -> Iterable[bytes]:
        started = time.monotonic()
        try:
            req = Request.from_environ(environ)
        except ApiError as error:
            return send(error_response(error), start_response)
        response = self.respond(req)
        if not req.path.startswith("/_sandbox/"):
            self.log.add(
                {
                    "method": req.method,
                    "path": req.path,
                    "query": str(environ.get("QUERY_STRING", "")),
                    "status": response.status,
                    "recordCount": response.record_count,
                    "time": isoformat_z(self.ws.clock.now()),
                    "durationMs": round((time.monotonic() - started) * 1000, 3),
                }
            )
        return send(response, start_response)

    def respond(self, req: Request) -> Response:
        """Answer one request (errors included) without touching the socket."""
        try:
            self._auth.check(req.headers.get("authorization"))
            return self._route(req)
        except ApiError as error:
            return error_response(error)
        except Exception:  # an unexpected bug must still answer, as Twenty's 500 does
            logger.exception("sandbox failed on %s %s", req.method, req.path)
            return error_response(_INTERNAL)

    def _route(self, req: Request) -> Response:
        parts = [part for part in req.path.split("/") if part]
        if parts[:2] == ["rest", "metadata"] and len(parts) >= 3:
            return routes_metadata.handle(self.ws, req, parts[2:])
        if parts[:1] == ["rest"] and len(parts) >= 2:
            return routes_records.handle(self.ws, req, parts[1:])
        if parts == ["metadata"] and req.method == "POST":
            return routes_files.upload(self.ws, req, self.workspace_id)
        if parts[:2] == ["file", "files-field"] and len(parts) == 3 and req.method == "GET":
            return routes_files.download(self.ws, parts[2])
        if parts[:1] == ["_sandbox"]:
            return inspect.handle(self.ws, self.log, self.workspace_id, req, parts[1:])
        raise ApiError(
            404,
            {"statusCode": 404, "message": f"Cannot {req.method} {req.path}", "error": "Not Found"},
        )


class Sandbox:
    """An open sandbox: serve ``wsgi``, authenticate with ``api_key``; close when done."""

    def __init__(
        self,
        *,
        core: CoreApp,
        wsgi: WsgiApp,
        api_key: str,
        workspace_id: str,
        fault_settings: FaultSettings,
        store: Store,
        files: FileStore,
    ) -> None:
        self.core = core
        self.wsgi = wsgi
        self.api_key = api_key
        self.workspace_id = workspace_id
        self.fault_settings = fault_settings
        self._store = store
        self._files = files
        self._closed = False

    @property
    def workspace(self) -> Workspace:
        """The data behind the routes (tests may use it to set up preconditions)."""
        return self.core.ws

    def close(self) -> None:
        """Close the database and remove an in-memory sandbox's files. Idempotent."""
        if not self._closed:
            self._closed = True
            self._store.close()
            self._files.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _identity(store: Store, config: SandboxConfig, now: int) -> tuple[str, str]:
    """The workspace id and API key, minting and storing what the database lacks."""
    stored = store.get_meta("workspace_id")
    if stored and config.workspace_id and stored != config.workspace_id:
        raise SandboxError(
            f"the sandbox database belongs to workspace {stored}, not {config.workspace_id}",
            hint="Drop --workspace-id, or use another --db file.",
        )
    workspace_id = stored or config.workspace_id or str(uuid.uuid4())
    secret = store.get_meta("signing_secret") or secrets.token_hex(32)
    key_id = store.get_meta("api_key_id") or str(uuid.uuid4())
    issued = int(store.get_meta("api_key_issued_at") or now)
    with store.write() as conn:
        store.set_meta(conn, "workspace_id", workspace_id)
        store.set_meta(conn, "signing_secret", secret)
        store.set_meta(conn, "api_key_id", key_id)
        store.set_meta(conn, "api_key_issued_at", str(issued))
    api_key = config.api_key or mint_api_key(
        workspace_id=workspace_id, key_id=key_id, secret=secret, issued_at=issued
    )
    return workspace_id, api_key


def _prepare(store: Store, config: SandboxConfig, workspace_id: str, clock: Clock) -> None:
    """Seed a new database, create every table and index, add members."""
    now = isoformat_z(clock.now())
    members = seed.read_members_file(config.members_file) if config.members_file else None
    with store.write() as conn:
        if conn.execute("SELECT COUNT(*) FROM metadata_objects").fetchone()[0] == 0:
            seed.seed_standard_metadata(conn, workspace_id, now)
            rows = seed.member_rows(members, workspace_id)
        else:
            rows = seed.member_rows(members, workspace_id) if members is not None else []
        schema = load_schema(conn, config.twenty_version)
        for obj in schema.objects:
            tables.create_table(conn, obj)
            tables.sync_indexes(conn, obj)
        seed.seed_members(conn, schema, rows, now)


def make_sandbox(config: SandboxConfig, *, clock: Clock | None = None) -> Sandbox:
    """Open (or create) the sandbox described by ``config``."""
    clock = clock or SystemClock()
    store = Store(config.db_path)
    files = FileStore(config.db_path)
    try:
        workspace_id, api_key = _identity(store, config, int(clock.now().timestamp()))
        _prepare(store, config, workspace_id, clock)
        ws = Workspace(
            store,
            version=config.twenty_version,
            clock=clock,
            api_key_name=DEFAULT_API_KEY_NAME,
            files=files,
        )
    except BaseException:
        store.close()
        files.close()
        raise
    core = CoreApp(ws, api_key, workspace_id)
    fault_settings = FaultSettings()
    fault_settings.set(config.faults)
    app: WsgiApp = core
    # ---- Middleware wrapping: the one place the core app is wrapped (sandbox-faults' edit). ----
    # Faults outermost (an injected fault spends no token); both run on ``clock`` and log to core.
    key, log = api_key, core.log.add
    app = RateLimitMiddleware(
        app, config.rate_limit, api_key=key, monotonic=clock.monotonic, log=log, clock=clock
    )
    app = FaultMiddleware(
        app, fault_settings, seed=config.seed, sleep=clock.sleep, api_key=key, log=log, clock=clock
    )
    # ---- End of middleware wrapping. ----
    return Sandbox(
        core=core,
        wsgi=app,
        api_key=api_key,
        workspace_id=workspace_id,
        fault_settings=fault_settings,
        store=store,
        files=files,
    )
