"""``migrator audit SPEC``: the pre-flight data-quality report of a spec, its bundle and Twenty.

Loads and checks the spec, opens and verifies the bundle (relative paths resolve against the
spec file's directory), opens the destination unless told not to (a real Twenty needs its API key
in the variable ``destination.api_key_env`` names; without it the destination checks are
skipped and the report says so), and runs :func:`migrator.audit.run.audit_bundle`. Nothing is
written anywhere: the audit only reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from migrator.audit.model import AuditReport
from migrator.audit.run import audit_bundle
from migrator.clock import Clock, SystemClock
from migrator.destination import is_sandbox_url
from migrator.spec.validation import load_spec
from migrator.workflows.spec_inputs import (
    open_spec_bundle,
    open_spec_destination,
    resolve_destination_url,
)


def audit(
    spec_path: Path,
    *,
    environ: Mapping[str, str],
    check_destination: bool = True,
    clock: Clock | None = None,
    display_path: str | None = None,
) -> AuditReport:
    """Audit the spec at ``spec_path`` (see the module docstring).

    Raises :class:`~migrator.errors.SpecError` for an invalid spec, ``SourceError`` for a bad
    bundle and ``TwentyError`` when a reachable destination refuses the audit's reads.
    """
    loaded = load_spec(spec_path, environ=environ, display_path=display_path)
    spec, spec_dir = loaded.spec, spec_path.resolve().parent
    bundle = open_spec_bundle(spec, spec_dir)
    now = (clock or SystemClock()).now()
    url = resolve_destination_url(spec.destination.url, spec_dir)
    api_key = environ.get(spec.destination.api_key_env)
    reason = ""
    if not check_destination:
        reason = "skipped on request (--offline)"
    elif not is_sandbox_url(url) and not api_key:
        reason = f"no API key in ${spec.destination.api_key_env}"
    if reason:
        return audit_bundle(spec, bundle, client=None, base_url=url, skip_reason=reason, now=now)
    with open_spec_destination(spec, spec_dir, api_key, clock=clock) as dest:
        return audit_bundle(
            spec, bundle, client=dest.client, base_url=dest.identity.base_url, now=now
        )
