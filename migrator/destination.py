"""Opening a destination from the spec's URL and API key: a real Twenty or the embedded sandbox.

``http(s)://…`` gets a real httpx transport (explicit timeouts, a user agent, a pool sized to the
client's concurrency) and the identity named by the API key's token. ``sandbox:PATH`` opens the
embedded sandbox in-process on the SQLite file at PATH (relative paths are resolved against the
working directory; ``sandbox::memory:`` is an in-memory one for tests) and talks to it through
its WSGI transport with the sandbox's own key and pacing by the sandbox's own rate limit (none by
default): an API key passed for a sandbox destination is ignored, so a production key is never
sent to, or bound into, a sandbox. The identity's base URL
is ``sandbox:<absolute path>``, so a plan made against one database never applies to another.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

from migrator.clock import Clock
from migrator.errors import MigratorError, TwentyAuthError
from migrator.private_files import ensure_private_dir
from migrator.twenty.client import ClientSettings, TwentyClient
from migrator.twenty.exchange import AuditHook
from migrator.twenty.identity import DestinationIdentity, identify
from migrator.twenty.pacing import PacingLimits
from migrator.twenty.transport import build_http_client

SANDBOX_SCHEME = "sandbox:"
_MEMORY = ":memory:"
#: Base URL the in-process transport is addressed with (never leaves the process).
SANDBOX_BASE_URL = "http://sandbox.invalid"


class DestinationError(MigratorError):
    """The destination URL cannot be used."""


@dataclass
class Destination:
    """An open destination: its client and identity. Close it (or use ``with``) when done."""

    client: TwentyClient
    identity: DestinationIdentity
    _closers: list[object] = field(default_factory=list)

    def close(self) -> None:
        """Stop the client's threads, close its connections and any in-process sandbox."""
        self.client.close()
        for closer in self._closers:
            close = getattr(closer, "close", None)
            if close is not None:
                close()
        self._closers.clear()

    def __enter__(self) -> Destination:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def is_sandbox_url(url: str) -> bool:
    """True for ``sandbox:PATH`` destinations."""
    return url.strip().startswith(SANDBOX_SCHEME)


def open_destination(
    url: str,
    api_key: str | None,
    *,
    settings: ClientSettings | None = None,
    clock: Clock | None = None,
    audit: AuditHook | None = None,
    sandbox_members: Path | None = None,
) -> Destination:
    """Open the destination at ``url`` (``http(s)://…`` or ``sandbox:PATH``).

    ``sandbox_members`` (sandbox destinations only) is a JSON file of workspace members; each
    is added to the sandbox when missing, as an invitation would add them.
    """
    settings = settings or ClientSettings()
    url = url.strip()
    if is_sandbox_url(url):
        return _open_sandbox(url[len(SANDBOX_SCHEME) :], settings, clock, audit, sandbox_members)
    if not url.startswith(("http://", "https://")):
        raise DestinationError(
            "The destination URL must start with http://, https:// or sandbox:.",
            hint="Set destination.url in the spec, e.g. https://crm.example.com or "
            "sandbox:.migrator/sandbox.db.",
        )
    if not api_key:
        raise TwentyAuthError(
            "No API key for the destination.",
            hint="Export the environment variable named by destination.api_key_env.",
        )
    identity = identify(url, api_key)
    http = build_http_client(url, api_key, max_connections=max(settings.concurrency, 1) + 4)
    client = TwentyClient(
        http, identity=identity, settings=settings, clock=clock, audit=audit, owns_http=True
    )
    return Destination(client=client, identity=identity)


def _open_sandbox(
    path_text: str,
    settings: ClientSettings,
    clock: Clock | None,
    audit: AuditHook | None,
    members: Path | None,
) -> Destination:
    # Imported here: the sandbox is heavy and only needed for sandbox destinations.
    from migrator.sandbox.app import make_sandbox
    from migrator.sandbox.config import SandboxConfig
    from migrator.sandbox.transport import in_process_transport

    if not path_text:
        raise DestinationError(
            "A sandbox destination needs a database path: sandbox:PATH.",
            hint="For example sandbox:.migrator/sandbox.db.",
        )
    db_path = None if path_text == _MEMORY else Path(path_text).expanduser().resolve()
    if db_path is not None:
        ensure_private_dir(db_path.parent)
    config = SandboxConfig(db_path=db_path, members_file=members)
    sandbox = make_sandbox(config)
    # Pace by the sandbox's own rate limit (off by default), not by the real destination's.
    limits = config.rate_limit
    settings = replace(
        settings,
        limits=PacingLimits(
            short_limit=limits.short_limit,
            short_ttl_ms=limits.short_ttl_ms,
            long_limit=limits.long_limit,
            long_ttl_ms=limits.long_ttl_ms,
        ),
    )
    try:
        base = f"{SANDBOX_SCHEME}{db_path if db_path is not None else _MEMORY}"
        identity = DestinationIdentity(base_url=base, workspace_id=sandbox.workspace_id.lower())
        http = build_http_client(
            SANDBOX_BASE_URL, sandbox.api_key, transport=in_process_transport(sandbox)
        )
        client = TwentyClient(
            http, identity=identity, settings=settings, clock=clock, audit=audit, owns_http=True
        )
    except BaseException:
        sandbox.close()
        raise
    return Destination(client=client, identity=identity, _closers=[sandbox])
