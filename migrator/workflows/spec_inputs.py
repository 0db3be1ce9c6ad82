"""Opening what a spec points at: its source bundle and its destination.

Every command that reads a spec's bundle or talks to its destination opens them here, so paths
are resolved the same way everywhere: relative to the spec's directory (for a plan, the directory
recorded in it), ``sandbox:PATH`` made absolute, and the client paced as the spec's destination
asks.
"""

from __future__ import annotations

from pathlib import Path

from migrator.clock import Clock
from migrator.destination import Destination, open_destination
from migrator.sources.bundle import Bundle, open_bundle
from migrator.spec.models import MigrationSpec
from migrator.twenty.client import ClientSettings
from migrator.twenty.exchange import AuditHook
from migrator.twenty.pacing import PacingLimits

_SANDBOX = "sandbox:"
_MEMORY = ":memory:"


def resolve_destination_url(url: str, spec_dir: Path) -> str:
    """``sandbox:PATH`` with a relative PATH made absolute against the spec's directory."""
    url = url.strip()
    if not url.startswith(_SANDBOX):
        return url
    path = url[len(_SANDBOX) :]
    if path == _MEMORY or not path or Path(path).is_absolute():
        return url
    return f"{_SANDBOX}{(spec_dir / path).resolve()}"


def client_settings(spec: MigrationSpec) -> ClientSettings:
    """The client settings the spec's destination asks for."""
    limits = spec.destination.rate_limit
    return ClientSettings(
        limits=PacingLimits(short_limit=limits.per_second, long_limit=limits.per_minute),
        concurrency=spec.destination.concurrency,
        batch_size=spec.destination.batch_size,
    )


def open_spec_bundle(spec: MigrationSpec, spec_dir: Path, *, verify: bool = True) -> Bundle:
    """The spec's source bundle, opened and (by default) verified against its manifest."""
    bundle = open_bundle(
        spec.source.system, spec_dir / spec.source.bundle, timezone=spec.source.timezone
    )
    if verify:
        bundle.verify()
    return bundle


def sandbox_members_file(spec: MigrationSpec, spec_dir: Path) -> Path | None:
    """The members file a new sandbox workspace is seeded with, if the spec names one."""
    members = spec.destination.sandbox.members
    return (spec_dir / members).resolve() if members else None


def open_spec_destination(
    spec: MigrationSpec,
    spec_dir: Path,
    api_key: str | None,
    *,
    clock: Clock | None = None,
    audit: AuditHook | None = None,
) -> Destination:
    """Open the spec's destination (a real Twenty, or the sandbox it names)."""
    return open_destination(
        resolve_destination_url(spec.destination.url, spec_dir),
        api_key,
        settings=client_settings(spec),
        clock=clock,
        audit=audit,
        sandbox_members=sandbox_members_file(spec, spec_dir),
    )
