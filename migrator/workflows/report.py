"""``migrator report SPEC``: the hand-off report of a spec's migration, from its state.

Loads and checks the spec, opens and verifies the bundle, opens the spec's state read-only when
it exists (``state.path``, else ``.migrator/<name>.state.db`` next to the spec; a missing state
means nothing was applied yet and the report says so) and builds the report. Writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from migrator.report.build import build_report
from migrator.report.model import HandoffReport
from migrator.spec.validation import load_spec
from migrator.state import open_sqlite_state
from migrator.workflows.audit import open_spec_bundle
from migrator.workflows.state import state_path_for_spec


def report(
    spec_path: Path,
    *,
    environ: Mapping[str, str],
    state_path: Path | None = None,
    display_path: str | None = None,
) -> HandoffReport:
    """The hand-off report of the spec at ``spec_path`` (``state_path`` overrides the spec's)."""
    loaded = load_spec(spec_path, environ=environ, display_path=display_path)
    spec = loaded.spec
    bundle = open_spec_bundle(spec, spec_path.resolve().parent)
    path = state_path or state_path_for_spec(spec_path, name=spec.name, configured=spec.state.path)
    if not path.exists():
        return build_report(spec, bundle, None)
    store = open_sqlite_state(path, create=False)
    try:
        return build_report(spec, bundle, store)
    finally:
        store.close()
